/**
 * CRM Sync with Dynamics 365 as side B, through n8n's real engine: Salesforce Contact (A) ↔ Dataverse contacts (B)
 * by e-mail, the Salesforce and Dataverse simulators on one ManualClock (test/sync/dvWorld.ts). A backfill
 * (Salesforce only, Dynamics only, on both) leaves every contact once on each side; a second run writes nothing
 * (Dataverse `$batch` requests and Salesforce write requests counted in the simulators); an edit made in Dynamics
 * reaches Salesforce.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import type { IDataObject } from 'n8n-workflow';

import { clearRateBudgets } from '../../../core/http/rateLimiter';
import { runWorkflow } from '../../helpers/engine';
import { DvSyncWorld } from '../../sync/dvWorld';
import { PAST_LAG_MS, type Values } from '../../sync/world';
import { credentials as dynamicsCredentials } from '../dynamics/helpers';
import { reportOf, salesforceCredential, SYNC, syncNode } from './world';

const SF_ONLY = 8;
const DV_ONLY = 8;
const BOTH = 8;
const N = SF_ONLY + DV_ONLY + BOTH;

const world = new DvSyncWorld();
const dir = mkdtempSync(join(tmpdir(), 'crm-sync-dv-'));
/** Write requests per run, printed for the report. */
const figures: string[] = [];

beforeAll(async () => {
	await world.start();
});
afterAll(async () => {
	await world.stop();
	rmSync(dir, { recursive: true, force: true });
	console.log(`CRM Sync Salesforce ↔ Dynamics 365, ${N} contacts:\n${figures.join('\n')}`);
});

const person = (i: number): Values => ({
	email: `p${i}@example.com`,
	lastname: `Last${i}`,
	firstname: `First${i}`,
	jobtitle: `Title ${i}`,
	phone: `+1 555 ${1000 + i}`,
});

/** Salesforce Contact ↔ Dynamics contacts, the five fields of the common shape, A wins. */
const PARAMETERS: IDataObject = {
	systemA: 'salesforce',
	systemB: 'dynamics',
	salesforceAuthentication: 'password',
	dynamicsAuthentication: 'clientCredentials',
	objectA: 'Contact',
	objectB: 'contacts',
	matchKeys: { keys: [{ fieldA: 'Email', fieldB: 'emailaddress1', normalize: 'email' }] },
	fieldMappings: {
		mappings: [
			{ fieldA: 'Email', fieldB: 'emailaddress1' },
			{ fieldA: 'LastName', fieldB: 'lastname' },
			{ fieldA: 'FirstName', fieldB: 'firstname' },
			{ fieldA: 'Title', fieldB: 'jobtitle' },
			{ fieldA: 'Phone', fieldB: 'telephone1' },
		],
	},
	conflictStrategy: 'aWins',
	customRules: { rules: [] },
	stateStore: 'sqlite',
	sqliteFile: join(dir, 'state.sqlite'),
};

/**
 * HTTP requests Dataverse answered, n8n's token requests aside (the Report counts the node's own API calls). The log
 * also holds each request inside a `$batch` under its own kind; DynamicsCrm writes only through `$batch`, so every
 * other write-method entry is such an inner request.
 */
const dvCalls = () =>
	world.dv.log
		.entries()
		.filter((e) => e.kind !== 'token' && (e.method === 'GET' || e.kind === 'batch')).length;
const sfCalls = () => world.sf.log.entries().filter((e) => e.kind !== 'token').length;
/** Option-set reads (`…/Attributes/Microsoft.Dynamics.CRM.PicklistAttributeMetadata` and the like). */
const optionSetReads = () =>
	world.dv.log.entries().filter((e) => /AttributeMetadata/.test(e.path)).length;

/** Manual Trigger → CRM Sync once, after both CRMs' change-feed lags; what it wrote, counted in the simulators. */
async function sync(label: string) {
	world.advance(PAST_LAG_MS);
	clearRateBudgets();
	const before = {
		batches: world.dvBatches(),
		sfWrites: world.writeRequests().sf,
		dv: dvCalls(),
		sf: sfCalls(),
		optionSets: optionSetReads(),
	};
	const run = await runWorkflow(
		{
			id: 'sync-dynamics-workflow',
			nodes: [
				{
					id: 'trigger',
					name: 'Start',
					type: 'n8n-nodes-base.manualTrigger',
					typeVersion: 1,
					position: [0, 0],
					parameters: {},
				},
				syncNode(PARAMETERS, {
					credentials: {
						crmSalesforcePasswordApi: { id: 'sf', name: 'Salesforce simulator' },
						crmDynamicsClientCredentialsApi: { id: 'dv', name: 'Dataverse simulator' },
					},
				}),
			],
			connections: { Start: { main: [[{ node: SYNC, type: 'main', index: 0 }]] } },
		},
		{
			credentials: {
				crmSalesforcePasswordApi: salesforceCredential(world.contracts().sf),
				...dynamicsCredentials(world.dv.contract()),
			},
		},
	);
	expect(run.error).toBeUndefined();
	const report = reportOf(run) as IDataObject & {
		apiCalls: { a: number; b: number };
		counts: IDataObject;
		timings: Record<string, number>;
	};
	// Where the run's time went, per stage (ms), on the Report item.
	expect(Object.keys(report.timings)).toEqual([
		'readMs',
		'planMs',
		'writeMs',
		'commitMs',
		'otherMs',
		'totalMs',
	]);
	expect(Object.values(report.timings).every((ms) => typeof ms === 'number' && ms >= 0)).toBe(true);
	// The Report's API calls per side are the requests each simulator answered: side B counts Dataverse's.
	expect(report.apiCalls).toEqual({ a: sfCalls() - before.sf, b: dvCalls() - before.dv });
	// A run reads and writes only: no option-set metadata (that is for the field pickers).
	expect(optionSetReads() - before.optionSets).toBe(0);
	const writes = {
		dvBatches: world.dvBatches() - before.batches,
		sf: world.writeRequests().sf - before.sfWrites,
	};
	figures.push(
		`  ${label}: Dynamics $batch ${writes.dvBatches}, Salesforce writes ${writes.sf}; API calls A ${report.apiCalls.a}, B ${report.apiCalls.b}`,
	);
	expect(run.json(SYNC, 2)).toEqual([]); // no failed records
	return { report, writes };
}

/** Each side holds every expected contact exactly once, with the expected values (read from the simulators). */
function expectContents(expected: Map<string, Values>): void {
	for (const crm of ['sf', 'dv'] as const) {
		const got = new Map<string, Values[]>();
		for (const r of world.all(crm)) {
			const k = String(r.v.email).toLowerCase();
			got.set(k, [...(got.get(k) ?? []), r.v]);
		}
		expect({ crm, emails: [...got.keys()].sort() }).toEqual({
			crm,
			emails: [...expected.keys()].sort(),
		});
		for (const [k, v] of expected)
			expect({ crm, k, got: got.get(k) }).toEqual({ crm, k, got: [v] });
	}
}

describe('CRM Sync: Salesforce Contact (A) ↔ Dynamics 365 contacts (B)', () => {
	const expected = new Map<string, Values>();

	it('backfills both sides: Salesforce-only and Dynamics-only contacts created, shared ones paired by e-mail', async () => {
		for (let i = 0; i < N; i++) {
			const p = person(i);
			if (i < SF_ONLY + BOTH) world.insert('sf', p);
			// On both sides Dynamics holds another title: A wins, so Salesforce's reaches Dynamics.
			if (i >= SF_ONLY) world.insert('dv', i < SF_ONLY + BOTH ? { ...p, jobtitle: 'Old' } : p);
			expected.set(String(p.email), p);
		}
		const { writes } = await sync('run 1 (backfill)');
		expectContents(expected);
		expect(world.all('sf')).toHaveLength(N);
		expect(world.all('dv')).toHaveLength(N);
		// Creates and updates in Dynamics go in $batch requests; Salesforce creates the Dynamics-only ones.
		expect(writes.dvBatches).toBeGreaterThan(0);
		expect(writes.sf).toBeGreaterThan(0);
	});

	it('writes nothing on a second run with no edits', async () => {
		const { writes, report } = await sync('run 2 (no edits)');
		expect(writes).toEqual({ dvBatches: 0, sf: 0 });
		expect(report.counts).toMatchObject({
			created: { a: 0, b: 0 },
			updated: { a: 0, b: 0 },
			deleted: { a: 0, b: 0 },
		});
		expectContents(expected);
	});

	it('carries an edit made in Dynamics to Salesforce', async () => {
		const email = 'p20@example.com';
		world.advance(5000);
		world.edit('dv', world.idOf('dv', email), { jobtitle: 'Chief Edited', phone: '+1 555 9999' });
		expected.set(email, {
			...(expected.get(email) as Values),
			jobtitle: 'Chief Edited',
			phone: '+1 555 9999',
		});
		const { writes, report } = await sync('run 3 (edit in Dynamics)');
		expect(report.counts).toMatchObject({ updated: { a: 1, b: 0 }, created: { a: 0, b: 0 } });
		expect(writes.dvBatches).toBe(0);
		expect(writes.sf).toBe(1);
		expectContents(expected);
	});
});
