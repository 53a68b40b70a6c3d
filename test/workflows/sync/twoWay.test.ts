/**
 * The must-show, through n8n's real engine: the CRM Sync node between the Salesforce and HubSpot
 * simulators, Salesforce Contact ↔ HubSpot contacts by e-mail. A backfill of 10,000 contacts (overlaps matched by
 * e-mail, an ambiguous e-mail reported), a run with no edits (zero writes), then edits on both sides with known
 * conflicts under every strategy (per-field rules), new records on both sides, deletes with and without the
 * guard tripping, and a dry run whose plan is what the next real run does. After every run both sides hold
 * exactly what the test expects, computed from what it did.
 */
import type { IDataObject } from 'n8n-workflow';

import { executionText } from '../../helpers/secrets';
import { PAST_LAG_MS } from '../../sync/world';
import { contents, expected, Model, person, toSalesforce, type Person } from './model';
import { reportOf, runSync, SYNC, SyncWorld } from './world';

/** Contacts of the backfill (SF only, HubSpot only, on both). */
const N = Number(process.env.CRM_SYNC_N ?? 10_000);
const SF_ONLY = Math.floor(N * 0.4);
const HS_ONLY = Math.floor(N * 0.4);
const BOTH = N - SF_ONLY - HS_ONLY;
const DUP = 'dup@example.com';

const world = new SyncWorld();
const model = new Model();
const timings: string[] = [];

beforeAll(async () => {
	await world.start();
});
afterAll(async () => {
	await world.stop();
	console.log(`CRM Sync through n8n's engine, ${N} contacts:\n${timings.join('\n')}`);
});

/** Runs the node after the CRMs' change-feed lags, timing it. */
async function sync(label: string, parameters: IDataObject = {}) {
	world.advance(PAST_LAG_MS);
	const writes = world.writeRequests();
	const sfCalls = apiCalls().sf;
	const hsCalls = apiCalls().hs;
	const started = Date.now();
	const run = await runSync(world, { options: { includePlan: true }, ...parameters });
	timings.push(`  ${label}: ${((Date.now() - started) / 1000).toFixed(1)} s`);
	expect(run.error).toBeUndefined();
	const report = reportOf(run) as IDataObject & Record<string, never>;
	const after = world.writeRequests();
	// API calls per side in the Report = requests the simulators answered (Salesforce's token request is n8n's).
	expect(report.apiCalls).toEqual({ a: apiCalls().sf - sfCalls, b: apiCalls().hs - hsCalls });
	expect(executionText(run)).not.toContain(world.secrets()['HubSpot token']);
	return {
		run,
		report,
		writes: { sf: after.sf - writes.sf, hs: after.hs - writes.hs },
		conflicts: run.json(SYNC, 1),
		failed: run.json(SYNC, 2),
	};
}

function apiCalls(): { sf: number; hs: number } {
	return {
		sf: world.sf.log.entries().filter((e) => e.kind !== 'token').length,
		hs: world.hs.log.entries().length,
	};
}

function expectContents(): void {
	expect(contents(world, [DUP])).toEqual(expected(model));
}

describe(`CRM Sync: Salesforce Contact ↔ HubSpot contacts (${N} contacts)`, () => {
	it('backfills both sides: overlaps matched by e-mail, the ambiguous e-mail reported and left alone', async () => {
		for (let i = 0; i < SF_ONLY; i++) {
			const p = person('sf', i);
			world.sfInsert(toSalesforce(p));
			model.both(p);
		}
		for (let i = 0; i < HS_ONLY; i++) {
			const p = person('hs', i);
			world.hsInsert(p);
			model.both(p);
		}
		for (let i = 0; i < BOTH; i++) {
			const p = person('both', i);
			world.sfInsert(toSalesforce(p));
			// HubSpot holds the e-mail in another case: matched all the same (normalised e-mail key).
			world.hsInsert({ ...p, email: (p.email as string).toUpperCase() });
			model.both(p);
		}
		world.sfInsert(toSalesforce({ ...person('dup', 1), email: DUP }));
		world.sfInsert(toSalesforce({ ...person('dup', 2), email: DUP }));
		world.hsInsert({ ...person('dup', 3), email: DUP });

		const { report, failed } = await sync('backfill');
		const counts = report.counts as IDataObject;
		expect(counts.created).toEqual({ a: HS_ONLY, b: SF_ONLY });
		expect(counts.linkedByMatch).toBe(BOTH);
		expect(report.backfill).toEqual({ a: true, b: true });
		expect(
			(report.ambiguous as IDataObject[]).map((x) => `${String(x.side)}:${String(x.value)}`).sort(),
		).toEqual([`a:${DUP}`, `a:${DUP}`, `b:${DUP}`]);
		expect(failed).toEqual([]);
		expectContents();
		expect(world.sfAll().filter((r) => r.fields.Email === DUP)).toHaveLength(2);
		expect(world.hsAll().filter((r) => r.fields.email === DUP)).toHaveLength(1);
	});

	it('a second run with no edits writes nothing to either CRM', async () => {
		const { report, writes } = await sync('no-edit run');
		expect(writes).toEqual({ sf: 0, hs: 0 });
		const counts = report.counts as IDataObject;
		expect(counts.created).toEqual({ a: 0, b: 0 });
		expect(counts.updated).toEqual({ a: 0, b: 0 });
		expectContents();
	});
});

export type { Person };
