/**
 * CRM Sync with a REST API as side B, through n8n's real engine: Salesforce Contact (A) ↔ the REST simulator's
 * contacts (B) by e-mail, B described by the sample endpoint profile (examples/profiles/rest-simulator-contacts.json)
 * and signed in with the generic API-key credential (nodes/shared/http). Both simulators on one ManualClock. A
 * backfill (Salesforce only, REST only, on both) leaves every contact once on each side; a second run writes nothing
 * (write requests counted in the simulators); an edit and a deletion made in the REST API reach Salesforce.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import type { IDataObject } from 'n8n-workflow';

import profile from '../../../examples/profiles/rest-simulator-contacts.json';
import { clearRateBudgets } from '../../../core/http/rateLimiter';
import { RestSimulator, type RestContract } from '../../../sandbox/rest';
import { runWorkflow } from '../../helpers/engine';
import { PAST_LAG_MS, World } from '../../sync/world';
import { reportOf, salesforceCredential, SYNC, syncNode } from './world';

const SF_ONLY = 6;
const REST_ONLY = 6;
const BOTH = 6;
const N = SF_ONLY + REST_ONLY + BOTH;

const world = new World();
const rest = new RestSimulator({ clock: world.clock, rateLimit: false, seed: 31 });
let restContract: RestContract | undefined;
const dir = mkdtempSync(join(tmpdir(), 'crm-sync-rest-'));

beforeAll(async () => {
	await world.start();
	restContract = await rest.start();
});
afterAll(async () => {
	await world.stop();
	await rest.stop();
	rmSync(dir, { recursive: true, force: true });
});

type Person = { email: string; last: string; first: string; phone: string };
const person = (i: number): Person => ({
	email: `p${i}@example.com`,
	last: `Last${i}`,
	first: `First${i}`,
	phone: `+1 555 ${1000 + i}`,
});
const toSf = (p: Person) => ({
	Email: p.email,
	LastName: p.last,
	FirstName: p.first,
	Phone: p.phone,
});
const toRest = (p: Person) => ({
	email: p.email,
	last_name: p.last,
	first_name: p.first,
	phone: p.phone,
});

const PARAMETERS: IDataObject = {
	systemA: 'salesforce',
	systemB: 'rest',
	salesforceAuthentication: 'password',
	restAuthentication: 'apiKey',
	restProfile: JSON.stringify(profile),
	objectA: 'Contact',
	objectB: 'contacts',
	matchKeys: { keys: [{ fieldA: 'Email', fieldB: 'email', normalize: 'email' }] },
	fieldMappings: {
		mappings: [
			{ fieldA: 'Email', fieldB: 'email' },
			{ fieldA: 'LastName', fieldB: 'last_name' },
			{ fieldA: 'FirstName', fieldB: 'first_name' },
			{ fieldA: 'Phone', fieldB: 'phone' },
		],
	},
	conflictStrategy: 'aWins',
	customRules: { rules: [] },
	stateStore: 'sqlite',
	sqliteFile: join(dir, 'state.sqlite'),
};

const restWrites = () =>
	rest.log.entries().filter((e) => /^(batch\..*|create|update|replace|delete)$/.test(e.kind ?? ''))
		.length;
const restCalls = () => rest.log.entries().filter((e) => e.kind !== 'token').length;
const sfCalls = () => world.sf.log.entries().filter((e) => e.kind !== 'token').length;

/** Manual Trigger → CRM Sync once, after both change-feed lags; what it wrote, counted in the simulators. */
async function sync() {
	world.advance(PAST_LAG_MS);
	clearRateBudgets();
	const before = {
		rest: restWrites(),
		sf: world.writeRequests().sf,
		calls: restCalls(),
		sfCalls: sfCalls(),
	};
	const c = restContract as RestContract;
	const run = await runWorkflow(
		{
			id: 'sync-rest-workflow',
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
						crmHttpApiKeyApi: { id: 'rest', name: 'REST simulator' },
					},
				}),
			],
			connections: { Start: { main: [[{ node: SYNC, type: 'main', index: 0 }]] } },
		},
		{
			credentials: {
				crmSalesforcePasswordApi: salesforceCredential(world.contracts().sf),
				crmHttpApiKeyApi: {
					baseUrl: c.baseUrl,
					apiKey: c.apiKey,
					location: 'header',
					name: 'X-API-Key',
					prefix: '',
				},
			},
		},
	);
	expect(run.error).toBeUndefined();
	expect(run.json(SYNC, 2)).toEqual([]); // no failed records
	const report = reportOf(run) as IDataObject & {
		apiCalls: { a: number; b: number };
		counts: IDataObject;
	};
	// The Report's API calls per side are the requests each simulator answered.
	expect(report.apiCalls).toEqual({ a: sfCalls() - before.sfCalls, b: restCalls() - before.calls });
	return {
		report,
		writes: { rest: restWrites() - before.rest, sf: world.writeRequests().sf - before.sf },
	};
}

/** Each side holds every expected contact exactly once, with the expected values (read from the simulators). */
function expectContents(expected: Map<string, Person>): void {
	const sf = world.sfAll().map((r) => r.fields);
	const stored = rest
		.collection('contacts')
		.list()
		.map((r) => r.fields);
	const emails = [...expected.keys()].sort();
	expect(sf.map((f) => String(f.Email)).sort()).toEqual(emails);
	expect(stored.map((f) => String(f.email)).sort()).toEqual(emails);
	for (const [email, p] of expected) {
		expect(sf.find((f) => f.Email === email)).toMatchObject(toSf(p));
		expect(stored.find((f) => f.email === email)).toMatchObject(toRest(p));
	}
}

describe('CRM Sync: Salesforce Contact (A) ↔ REST API contacts through an endpoint profile (B)', () => {
	const expected = new Map<string, Person>();

	it('backfills both sides: Salesforce-only and REST-only contacts created, shared ones paired by e-mail', async () => {
		for (let i = 0; i < N; i++) {
			const p = person(i);
			if (i < SF_ONLY + BOTH) world.sfInsert(toSf(p));
			// On both sides the REST API holds another phone: A wins, so Salesforce's reaches it.
			if (i >= SF_ONLY)
				rest
					.collection('contacts')
					.create(toRest(i < SF_ONLY + BOTH ? { ...p, phone: '+1 000' } : p));
			expected.set(p.email, p);
		}
		const { writes, report } = await sync();
		expect(report.counts).toMatchObject({
			created: { a: REST_ONLY, b: SF_ONLY },
			updated: { a: 0, b: BOTH },
		});
		expectContents(expected);
		// Creates and updates in the REST API go through its batch endpoint: one request each.
		expect(writes.rest).toBe(2);
		expect(writes.sf).toBeGreaterThan(0);
	});

	it('writes nothing on a second run with no edits', async () => {
		const { writes, report } = await sync();
		expect(writes).toEqual({ rest: 0, sf: 0 });
		expect(report.counts).toMatchObject({
			created: { a: 0, b: 0 },
			updated: { a: 0, b: 0 },
			deleted: { a: 0, b: 0 },
		});
		expectContents(expected);
	});

	it('carries an edit and a deletion made in the REST API to Salesforce', async () => {
		world.advance(5000);
		const contacts = rest.collection('contacts');
		const edited = person(14);
		const id = contacts.list().find((r) => r.fields.email === edited.email)?.id as string;
		contacts.update(id, { phone: '+1 555 9999' });
		expected.set(edited.email, { ...edited, phone: '+1 555 9999' });
		const gone = person(15).email;
		contacts.delete(contacts.list().find((r) => r.fields.email === gone)?.id as string);
		expected.delete(gone);
		const { writes, report } = await sync();
		expect(report.counts).toMatchObject({
			updated: { a: 1, b: 0 },
			created: { a: 0, b: 0 },
			deleted: { a: 1, b: 0 },
		});
		expect(writes.rest).toBe(0);
		expectContents(expected);
	});
});
