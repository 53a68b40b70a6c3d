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
import { conflictEdits, idsByEmail } from './edits';
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
		// The ambiguous trio is read again by id (kept for a retry) and is still ambiguous; not a failed record.
		expect(counts.ambiguous).toBe(3);
		expect(counts.failed).toBe(0);
		expectContents();
	});

	it('edits on both sides: one-sided edits flow, conflicts settle per field rule, review conflicts come out with base/A/B; the dry run planned exactly this run', async () => {
		const emails = model.emails().filter((e) => !e.startsWith('dup'));
		const ids = idsByEmail(world);
		const aOnly = emails.slice(0, 10);
		const bOnly = emails.slice(10, 20);
		const X = emails.slice(20, 26); // Salesforce edited first, HubSpot 5 s later
		const Y = emails.slice(26, 32); // HubSpot first
		const same = emails.slice(32, 35);
		aOnly.forEach((e, k) => {
			world.sfEdit(ids.a.get(e) as string, { LastName: `Edited A ${k}` });
			model.set('a', e, { lastname: `Edited A ${k}` });
			model.set('b', e, { lastname: `Edited A ${k}` });
		});
		bOnly.forEach((e, k) => {
			world.hsEdit(ids.b.get(e) as string, { jobtitle: `HS title ${k}` });
			model.set('a', e, { jobtitle: `HS title ${k}` });
			model.set('b', e, { jobtitle: `HS title ${k}` });
		});
		same.forEach((e) => {
			world.sfEdit(ids.a.get(e) as string, { MailingCity: 'Same City' });
			world.hsEdit(ids.b.get(e) as string, { city: 'Same City' });
			model.set('a', e, { city: 'Same City' });
			model.set('b', e, { city: 'Same City' });
		});
		const before = new Map(emails.map((e) => [e, { ...(model.a.get(e) as Person) }]));
		const x = conflictEdits('X', X);
		const y = conflictEdits('Y', Y);
		for (const c of x) world.sfEdit(ids.a.get(c.email) as string, toSalesforce(c.a));
		for (const c of y) world.hsEdit(ids.b.get(c.email) as string, c.b);
		world.clock.advance(5000);
		for (const c of x) world.hsEdit(ids.b.get(c.email) as string, c.b);
		for (const c of y) world.sfEdit(ids.a.get(c.email) as string, toSalesforce(c.a));
		for (const c of [...x, ...y]) {
			const both = c.expected(X.includes(c.email) ? 'b' : 'a');
			model.set('a', c.email, { ...both, firstname: c.a.firstname });
			model.set('b', c.email, { ...both, firstname: c.b.firstname });
		}
		for (let i = 0; i < 3; i++) {
			const a = person('newsf', i);
			const b = person('newhs', i);
			world.sfInsert(toSalesforce(a));
			world.hsInsert(b);
			model.both(a);
			model.both(b);
		}

		const dry = await sync('dry run of the edits', { dryRun: true });
		expect(dry.writes).toEqual({ sf: 0, hs: 0 });
		expect(dry.report.dryRun).toBe(true);
		const real = await sync('edits, conflicts, new records');
		expect(real.report.dryRun).toBe(false);
		expect(real.report.plan).toEqual(dry.report.plan);
		expect(real.report.counts).toEqual({ ...(dry.report.counts as object) });
		// Six fields per conflicting contact settled by their rule, FirstName sent to review.
		const n = x.length + y.length;
		expect(real.report.counts).toMatchObject({
			conflicts: n,
			settledByRule: 6 * n,
			settledByStrategy: {
				aWins: n,
				custom: n,
				mostRecent: n,
				bWins: n,
				aUnlessBlank: n,
				bUnlessBlank: n,
			},
		});
		expect(real.report.summary).toContain(
			`${6 * n} conflicts settled by rule (A Wins ${n}, Custom Rules ${n}, Most Recent ${n}, B Wins ${n}, A Unless Blank ${n}, B Unless Blank ${n})`,
		);
		expect((real.report.plan as IDataObject[]).length).toBeGreaterThan(40);
		expect(real.failed).toEqual([]);
		expectContents();

		const review = [...x, ...y]
			.map((c) => ({
				field: 'FirstName/firstname',
				fieldA: 'FirstName',
				fieldB: 'firstname',
				aId: ids.a.get(c.email),
				bId: ids.b.get(c.email),
				base: { a: before.get(c.email)?.firstname, b: before.get(c.email)?.firstname },
				a: c.a.firstname,
				b: c.b.firstname,
				strategy: 'review',
			}))
			.sort((p, q) => String(p.a).localeCompare(String(q.a)));
		const out = real.conflicts
			.map((c) => ({
				field: c.field,
				fieldA: c.fieldA,
				fieldB: c.fieldB,
				aId: c.aId,
				bId: c.bId,
				base: c.base,
				a: c.a,
				b: c.b,
				strategy: c.strategy,
			}))
			.sort((p, q) => String(p.a).localeCompare(String(q.a)));
		expect(out).toEqual(review);
		expect((real.report.counts as IDataObject).conflicts).toBe(review.length);
	});
	it('deletes propagate within the guard', async () => {
		const emails = model.emails().filter((e) => e.startsWith('sf'));
		const ids = idsByEmail(world);
		const mid = Math.floor(emails.length / 2);
		const onA = emails.slice(mid, mid + 2);
		const onB = emails.slice(mid + 2, mid + 4);
		for (const e of onA) world.sfDelete(ids.a.get(e) as string);
		for (const e of onB) world.hsDelete(ids.b.get(e) as string);
		[...onA, ...onB].forEach((e) => model.remove(e));
		const { report, failed } = await sync('deletes within the guard', { maxDeletes: 5 });
		expect(report.deleteGuard).toBeUndefined();
		expect((report.counts as IDataObject).deleted).toEqual({ a: 2, b: 2 });
		expect(failed).toEqual([]);
		expectContents();
	});

	it('more deletions than the guard allows: nothing is deleted and the Report says why; raising the guard lets them through', async () => {
		const emails = model.emails().filter((e) => e.startsWith('hs'));
		const ids = idsByEmail(world);
		const mid = Math.floor(emails.length / 2);
		const gone = emails.slice(mid, mid + 6);
		for (const e of gone) {
			world.sfDelete(ids.a.get(e) as string);
			model.a.delete(e);
		}
		const tripped = await sync('deletes over the guard', { maxDeletes: 5 });
		expect(tripped.report.deleteGuard).toMatchObject({ tripped: true, deletions: 6 });
		expect((tripped.report.counts as IDataObject).deleted).toEqual({ a: 0, b: 0 });
		expect(tripped.writes).toEqual({ sf: 0, hs: 0 });
		expectContents(); // HubSpot still holds the six

		const through = await sync('deletes with the guard raised', { maxDeletes: 10 });
		expect(through.report.deleteGuard).toBeUndefined();
		expect((through.report.counts as IDataObject).deleted).toEqual({ a: 0, b: 6 });
		gone.forEach((e) => model.remove(e));
		expectContents();
	});

	it('a run after all that with no edits writes nothing', async () => {
		const { writes } = await sync('no-edit run after the edits');
		expect(writes).toEqual({ sf: 0, hs: 0 });
		expectContents();
	});
});
