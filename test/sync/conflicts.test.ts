/**
 * Open conflicts across runs, against the simulators (Salesforce Contact ↔ HubSpot contacts, FirstName on review):
 * a review conflict is part of the state from the run that found it, listed again by every later run (no edits,
 * nothing read again) until a decision settles it (the winner's value written to the loser, counted in the
 * simulators), its values agree again (an edit on one side), its pair leaves the sync, or its field is unmapped.
 * The scenarios run in order on one SQLite store.
 */
import { excludeRecord } from '../../core/sync/admin';
import { conflictIdOf } from '../../core/sync/conflicts';
import { runSync, type SyncOptions } from '../../core/sync/engine';
import type { SyncConfig } from '../../core/sync/config';
import type { SyncReport } from '../../core/sync/report';
import { SqliteSyncStore } from '../../core/sync/store/sqlite';
import type { StateChanges } from '../../core/sync/store/types';
import { World } from './world';

const world = new World();
const now = () => world.clock.now();
/** A SQL store (what the node uses by default): what it hands back is compared with what a run finds. */
const store = new SqliteSyncStore({ file: ':memory:', now });
/** Every commit's changes (to count what a run wrote to the state). */
const commits: StateChanges[] = [];
const commit = store.commit.bind(store);
store.commit = async (syncId, changes) => {
	await commit(syncId, changes);
	commits.push(changes);
};

const emails = Array.from({ length: 8 }, (_, i) => `c${i}@example.com`);
const ids = { a: new Map<string, string>(), b: new Map<string, string>() };
const FIELD = 'FirstName/firstname';

async function run(over: Partial<SyncConfig> = {}, options: SyncOptions = {}) {
	world.advance();
	const writes = world.writeRequests();
	const from = commits.length;
	const report: SyncReport = await runSync(world.config(over), store, { now, ...options });
	const after = world.writeRequests();
	const changes = commits.slice(from);
	return {
		report,
		writes: { sf: after.sf - writes.sf, hs: after.hs - writes.hs },
		conflictWrites: changes.reduce(
			(n, c) => n + (c.upsertConflicts?.length ?? 0) + (c.clearConflicts?.length ?? 0),
			0,
		),
	};
}

const firstName = (side: 'a' | 'b', email: string) => {
	const r =
		side === 'a'
			? world.sfAll().find((x) => x.fields.Email === email)?.fields.FirstName
			: world.hsAll().find((x) => x.fields.email === email)?.fields.firstname;
	return r ?? null;
};
const linkIdOf = async (email: string) =>
	(await store.getLinksByIds('contacts', 'a', [ids.a.get(email) as string])).get(
		ids.a.get(email) as string,
	)?.linkId as string;
const openIds = (r: SyncReport) => r.openConflicts.map((c) => c.conflictId);

beforeAll(async () => {
	await world.start();
	world.reset();
	await store.open();
});
afterAll(async () => {
	await store.close();
	await world.stop();
});

describe('open conflicts across runs', () => {
	let found: SyncReport['openConflicts'] = [];

	it('run 1 links the pairs; run 2 finds review conflicts, stores them with base/A/B and lists them as new', async () => {
		for (const [i, email] of emails.entries()) {
			const v = { Email: email, LastName: `Last${i}`, FirstName: `First${i}` };
			ids.a.set(email, world.sfInsert(v));
			ids.b.set(email, world.hsInsert({ email, lastname: `Last${i}`, firstname: `First${i}` }));
		}
		const first = await run();
		expect(first.report.counts.linkedByMatch).toBe(emails.length);
		expect(first.report.openConflicts).toEqual([]);

		for (const [i, email] of emails.slice(0, 6).entries()) {
			world.sfEdit(ids.a.get(email) as string, { FirstName: `Sf${i}` });
			world.hsEdit(ids.b.get(email) as string, { firstname: `Hs${i}` });
		}
		const { report, writes, conflictWrites } = await run();
		expect(writes).toEqual({ sf: 0, hs: 0 }); // left untouched on both sides
		expect(report.counts.conflicts).toBe(6);
		expect(report.counts.settledByRule).toBe(0); // review: none settled by a rule
		expect(conflictWrites).toBe(6);
		found = report.openConflicts;
		const expected = await Promise.all(
			emails.slice(0, 6).map(async (email, i) => {
				const linkId = await linkIdOf(email);
				return {
					conflictId: conflictIdOf(linkId, FIELD),
					linkId,
					field: FIELD,
					fieldA: 'FirstName',
					fieldB: 'firstname',
					aId: ids.a.get(email),
					bId: ids.b.get(email),
					base: { a: `First${i}`, b: `First${i}` },
					a: `Sf${i}`,
					b: `Hs${i}`,
					strategy: 'review',
					openSince: new Date(report.startedAt).toISOString(),
					new: true,
				};
			}),
		);
		const byId = (x: { conflictId: string }, y: { conflictId: string }) =>
			x.conflictId < y.conflictId ? -1 : 1;
		expect([...found].sort(byId)).toEqual(expected.sort(byId));
		expect(
			(await store.listConflicts('contacts')).map((c) => conflictIdOf(c.linkId, c.field)),
		).toEqual(openIds(report));
	});

	it('runs 3 and 4 with no edits list every open conflict again (same id, base/A/B and openSince; not new), writing nothing', async () => {
		for (const label of ['run 3', 'run 4']) {
			const { report, writes, conflictWrites } = await run();
			expect({ label, writes, conflictWrites }).toEqual({
				label,
				writes: { sf: 0, hs: 0 },
				conflictWrites: 0,
			});
			expect(report.counts.conflicts).toBe(0); // none found again: the records were not read again
			expect(report.conflicts).toEqual([]);
			expect(report.openConflicts).toEqual(found.map((c) => ({ ...c, new: false })));
		}
		// a dry run lists them too, and would settle nothing
		const dry = await run({ dryRun: true });
		expect(dry.report.openConflicts).toEqual(found.map((c) => ({ ...c, new: false })));
	});

	it('a pair read again (another field edited) finds its conflict again unchanged: nothing rewritten, still not new', async () => {
		const c0 = emails[0];
		world.sfEdit(ids.a.get(c0) as string, { LastName: 'Edited' });
		const { report, writes, conflictWrites } = await run();
		expect(writes).toEqual({ sf: 0, hs: 1 }); // the last name flowed
		expect(report.counts.conflicts).toBe(1); // found again …
		expect(conflictWrites).toBe(0); // … as stored: not written again
		expect(report.openConflicts).toEqual(found.map((c) => ({ ...c, new: false })));
	});

	it('decisions are applied on the next run: the winner (or the given value) written to the other side, closed', async () => {
		const [c0, c1] = [emails[0], emails[1]];
		const at = new Date(now()).toISOString();
		await store.putDecision('contacts', {
			linkId: await linkIdOf(c0),
			field: FIELD,
			decision: { winner: 'a' },
			decidedAt: at,
		});
		await store.putDecision('contacts', {
			linkId: await linkIdOf(c1),
			field: FIELD,
			decision: { value: 'Agreed' },
			decidedAt: at,
		});
		// the dry run plans exactly the writes, and lists the two as closed
		const closed = [
			conflictIdOf(await linkIdOf(c0), FIELD),
			conflictIdOf(await linkIdOf(c1), FIELD),
		];
		const left = found.filter((c) => !closed.includes(c.conflictId)).map((c) => c.conflictId);
		const dry = await run({ dryRun: true }, { recordPlan: true });
		expect(dry.writes).toEqual({ sf: 0, hs: 0 });
		expect(openIds(dry.report)).toEqual(left);
		const { report, writes } = await run({}, { recordPlan: true });
		expect(report.plan).toEqual(dry.report.plan);
		expect(report.counts.updated).toEqual({ a: 1, b: 2 }); // c0: A → B; c1: the value to both
		expect(writes).toEqual({ sf: 1, hs: 1 }); // batched per side
		expect([firstName('a', c0), firstName('b', c0)]).toEqual(['Sf0', 'Sf0']);
		expect([firstName('a', c1), firstName('b', c1)]).toEqual(['Agreed', 'Agreed']);
		expect(await store.listDecisions('contacts')).toEqual([]);
		expect(openIds(report)).toEqual(left);
		expect(dry.report.openConflicts).toEqual(report.openConflicts);
		expect((await store.listConflicts('contacts')).length).toBe(4);
		// the written values read back are no change: nothing reopens
		const again = await run();
		expect(again.writes).toEqual({ sf: 0, hs: 0 });
		expect(openIds(again.report)).toEqual(left);
	});

	it('an edit that makes the values agree closes the conflict without a write (a decision stored after that is dropped); an edit back to the base lets the other side flow', async () => {
		const [c2, c3] = [emails[2], emails[3]];
		world.hsEdit(ids.b.get(c2) as string, { firstname: 'Sf2' }); // B now agrees with A
		world.sfEdit(ids.a.get(c3) as string, { FirstName: 'First3' }); // A back to the base: B's change flows
		const { report, writes } = await run();
		expect(report.counts.conflicts).toBe(0);
		expect(writes).toEqual({ sf: 1, hs: 0 });
		expect([firstName('a', c2), firstName('b', c2)]).toEqual(['Sf2', 'Sf2']);
		expect([firstName('a', c3), firstName('b', c3)]).toEqual(['Hs3', 'Hs3']);
		const gone = [await linkIdOf(c2), await linkIdOf(c3)];
		expect(report.openConflicts.map((c) => c.linkId).some((l) => gone.includes(l))).toBe(false);
		expect(report.openConflicts).toHaveLength(2);
		// A decision stored on it after it closed (taken while it was open) is dropped, never written.
		await store.putDecision('contacts', {
			linkId: gone[0],
			field: FIELD,
			decision: { value: 'Late' },
			decidedAt: new Date(now()).toISOString(),
		});
		const late = await run();
		expect(late.writes).toEqual({ sf: 0, hs: 0 });
		expect([firstName('a', c2), firstName('b', c2)]).toEqual(['Sf2', 'Sf2']);
		expect(await store.listDecisions('contacts')).toEqual([]);
		expect(late.report.warnings).toContain(
			`1 decision(s) dropped, not written: their conflicts were no longer open (the values agreed again, or the pair left the sync, before the decision was written): ${conflictIdOf(gone[0], FIELD)}`,
		);
	});

	it('a new edit on one side of an open conflict updates its values and keeps openSince; a third conflict is new', async () => {
		const [c4, c6] = [emails[4], emails[6]];
		world.sfEdit(ids.a.get(c4) as string, { FirstName: 'Sf4 again' });
		world.sfEdit(ids.a.get(c6) as string, { FirstName: 'Sf6' });
		world.hsEdit(ids.b.get(c6) as string, { firstname: 'Hs6' });
		const { report, writes } = await run();
		expect(writes).toEqual({ sf: 0, hs: 0 });
		const c4Open = report.openConflicts.find((c) => c.aId === ids.a.get(c4));
		const before = found.find((c) => c.aId === ids.a.get(c4));
		expect(c4Open).toEqual({ ...before, a: 'Sf4 again', new: false });
		const c6Open = report.openConflicts.find((c) => c.aId === ids.a.get(c6));
		expect(c6Open).toMatchObject({ a: 'Sf6', b: 'Hs6', new: true });
		expect(c6Open?.openSince).toBe(report.startedAt);
		expect(report.openConflicts).toHaveLength(3);
	});

	it('a pair leaving the sync takes its conflict (and a pending decision) with it: deleted, excluded', async () => {
		const [c4, c5, c6] = [emails[4], emails[5], emails[6]];
		await store.putDecision('contacts', {
			linkId: await linkIdOf(c5),
			field: FIELD,
			decision: { winner: 'b' },
			decidedAt: new Date(now()).toISOString(),
		});
		const l5 = await linkIdOf(c5);
		world.sfDelete(ids.a.get(c5) as string);
		// the deletion feed comes before the retries: the decision is dropped, never applied
		const { report } = await run();
		expect(report.counts.deleted).toEqual({ a: 0, b: 1 });
		expect(report.openConflicts.map((c) => c.linkId)).not.toContain(l5);
		expect(await store.listDecisions('contacts')).toEqual([]);

		await excludeRecord(store, 'contacts', 'b', ids.b.get(c6) as string);
		const after = await run();
		expect(after.report.openConflicts.map((c) => c.aId)).toEqual([ids.a.get(c4)]);
		expect((await store.listConflicts('contacts')).map((c) => c.aId)).toEqual([ids.a.get(c4)]);
	});

	it('a field taken out of the mapping closes its open conflicts', async () => {
		const fields = world.config().fields.filter((f) => f.a !== 'FirstName');
		const { report } = await run({ fields });
		expect(report.openConflicts).toEqual([]);
		expect(await store.listConflicts('contacts')).toEqual([]);
	});
});
