/**
 * The sync engine end to end against the real simulators: Salesforce Contact (side a) ↔ HubSpot contacts (side b),
 * matched by e-mail. The expected contents of both CRMs are computed in the test (a model by e-mail) and compared
 * record by record with what the simulators really store; writes are counted in the simulators' request logs.
 * The scenarios run in order on one state store (each builds on the previous one).
 */
import { runSync, type SyncOptions } from '../../core/sync/engine';
import type { SyncReport } from '../../core/sync/report';
import { MemorySyncStore } from '../../core/sync/store/memory';
import type { SyncConfig } from '../../core/sync/config';
import { common, toSf, World, type Values } from './world';

/** Records per scenario (raise it for a benchmark: SYNC_RECORDS=5000). */
const N = Number(process.env.SYNC_RECORDS ?? 200);
const SF_ONLY = Math.floor(N * 0.4);
const BOTH_END = Math.floor(N * 0.7);

const person = (i: number): Values => ({
	email: `p${i}@example.com`,
	lastname: `Last${i}`,
	firstname: `First${i}`,
	jobtitle: `Title ${i}`,
	phone: `+1 555 ${1000 + i}`,
});

const world = new World();
const store = new MemorySyncStore(() => world.clock.now());
/** Expected contents by lower-case e-mail: the values of each record (a list: duplicates are kept apart). */
const expected = { a: new Map<string, Values[]>(), b: new Map<string, Values[]>() };
const ids = { a: new Map<string, string>(), b: new Map<string, string>() };

const run = (over: Partial<SyncConfig> = {}, options: SyncOptions = {}): Promise<SyncReport> =>
	runSync(world.config(over), store, {
		now: () => world.clock.now(),
		recordPlan: true,
		...options,
	});

function actual(side: 'a' | 'b'): Map<string, Values[]> {
	const out = new Map<string, Values[]>();
	for (const r of side === 'a' ? world.sfAll() : world.hsAll()) {
		const v = common(side, r.fields);
		const key = String(v.email).toLowerCase();
		out.set(key, [...(out.get(key) ?? []), v]);
	}
	return out;
}

/** Both CRMs hold exactly the expected records and values (record by record). */
function expectContents(): void {
	for (const side of ['a', 'b'] as const) {
		const got = actual(side);
		const want = expected[side];
		const sortVals = (m: Map<string, Values[]>) =>
			new Map(
				[...m].map(([k, v]) => [
					k,
					v
						.map((x): Values => ({ ...x, email: x.email?.toLowerCase() ?? null }))
						.sort((x, y) => String(x.lastname).localeCompare(String(y.lastname))),
				]),
			);
		expect([...got.keys()].sort()).toEqual([...want.keys()].sort());
		const g = sortVals(got);
		for (const [k, v] of sortVals(want)) expect({ side, k, v: g.get(k) }).toEqual({ side, k, v });
	}
}

const set = (side: 'a' | 'b', v: Values) => expected[side].set(String(v.email).toLowerCase(), [v]);
const setBoth = (v: Values) => {
	set('a', v);
	set('b', v);
};
const idOf = (side: 'a' | 'b', email: string) => {
	const r = (side === 'a' ? world.sfAll() : world.hsAll()).find(
		(x) => String(side === 'a' ? x.fields.Email : x.fields.email).toLowerCase() === email,
	);
	if (!r) throw new Error(`no ${side} record ${email}`);
	return r.id;
};

beforeAll(async () => {
	await world.start();
	world.reset();
});
afterAll(() => world.stop());

describe(`two-way sync Salesforce Contact ↔ HubSpot contacts (${N} records)`, () => {
	let conflictEmails: string[] = [];

	it('run 1 (backfill): links by e-mail, settles first-link differences by each field strategy, creates the rest both ways; the dry run before it plans exactly that', async () => {
		for (let i = 0; i < BOTH_END; i++) {
			const p = person(i);
			// One pair's e-mail differs in case only: still the same person.
			ids.a.set(
				p.email as string,
				world.sfInsert(
					toSf(
						i === SF_ONLY + 5
							? { ...p, email: 'P' + (p.email as string).slice(1).toUpperCase() }
							: p,
					),
				),
			);
		}
		world.sfInsert(toSf({ ...person(9000), email: 'dup@example.com', lastname: 'Dup1' }));
		world.sfInsert(toSf({ ...person(9001), email: 'dup@example.com', lastname: 'Dup2' }));
		world.advance(5000);
		for (let i = SF_ONLY; i < N; i++) {
			const p = person(i);
			const j = i - SF_ONLY;
			const variant =
				i >= BOTH_END
					? p
					: j % 10 === 0
						? { ...p, jobtitle: `HS title ${i}` }
						: j % 10 === 1
							? { ...p, lastname: `HsLast${i}` }
							: j % 10 === 2
								? { ...p, firstname: `HsFirst${i}` }
								: j % 10 === 3
									? { ...p, phone: `+44 20 ${7000 + i}` }
									: p;
			ids.b.set(p.email as string, world.hsInsert(variant));
		}
		world.hsInsert({ ...person(9002), email: 'dup@example.com', lastname: 'DupHs' });
		world.advance();

		// The model.
		conflictEmails = [];
		for (let i = 0; i < N; i++) {
			const p = person(i);
			const j = i - SF_ONLY;
			if (i < SF_ONLY || i >= BOTH_END || j % 10 > 3) setBoth(p);
			else if (j % 10 === 0)
				setBoth({ ...p, jobtitle: `HS title ${i}` }); // bWins
			else if (j % 10 === 1)
				setBoth(p); // aWins
			else if (j % 10 === 2) {
				set('a', p); // review: both untouched
				set('b', { ...p, firstname: `HsFirst${i}` });
				conflictEmails.push(p.email as string);
			} else setBoth({ ...p, phone: `+44 20 ${7000 + i}` }); // mostRecent: HubSpot's was seeded later
		}
		expected.a.set('dup@example.com', [
			{ ...person(9000), email: 'dup@example.com', lastname: 'Dup1' },
			{ ...person(9001), email: 'dup@example.com', lastname: 'Dup2' },
		]);
		expected.b.set('dup@example.com', [
			{ ...person(9002), email: 'dup@example.com', lastname: 'DupHs' },
		]);

		const before = world.writeRequests();
		const commits = store.commits;
		const dry = await run({ dryRun: true });
		expect(world.writeRequests()).toEqual(before);
		expect(store.commits).toBe(commits);
		expect(await store.countLinks('contacts')).toBe(0);

		const report = await run();
		expectContents();
		const after = world.writeRequests();
		// Creates and updates went out in batches (one request per batch, not per record).
		expect(after.sf - before.sf).toBeGreaterThan(0);
		expect(after.hs - before.hs).toBeGreaterThan(0);
		expect(after.sf - before.sf + after.hs - before.hs).toBeLessThan(N / 10 + 10);
		expect(report.plan.length).toBeGreaterThan(N);
		expect(report.backfill).toEqual({ a: true, b: true });
		expect(report.counts.created).toEqual({ a: N - BOTH_END, b: SF_ONLY });
		expect(report.counts.linkedByMatch).toBe(BOTH_END - SF_ONLY);
		expect(report.ambiguous.map((x) => `${x.side}:${x.value}`).sort()).toEqual([
			'a:dup@example.com',
			'a:dup@example.com',
			'b:dup@example.com',
		]);
		expect(
			report.conflicts.map((c) => `${c.field}:${String(c.a).replace(/\D/g, '')}`).sort(),
		).toEqual(conflictEmails.map((e) => `FirstName/firstname:${e.replace(/\D/g, '')}`).sort());
		expect(report.failures).toEqual([]);
		expect(await store.countLinks('contacts', 'linked')).toBe(N);
		// The dry run planned exactly this run, record by record. It read on HubSpot besides the records this run
		// updated there (planned from Salesforce's feed, read first): modified after HubSpot's backfill started, they
		// are left to the next run (which plans nothing for them: run 2 below).
		expect(dry.plan).toEqual(report.plan);
		expect(report.counts.updated.b).toBeGreaterThan(0);
		expect(dry.counts).toEqual({
			...report.counts,
			read: { ...report.counts.read, b: report.counts.read.b + report.counts.updated.b },
		});
	});

	it('run 2 with no edits writes nothing (our own writes read back are not changes)', async () => {
		world.advance();
		const before = world.writeRequests();
		const calls = { ...world.writeCalls };
		const commit = store.commit.bind(store);
		let linksWritten = 0;
		store.commit = async (syncId, changes) => {
			linksWritten += changes.upsertLinks?.length ?? 0;
			return commit(syncId, changes);
		};
		const report = await run().finally(() => {
			store.commit = commit;
		});
		expect(linksWritten).toBe(0); // nor is any link rewritten
		expect(world.writeRequests()).toEqual(before);
		expect(world.writeCalls).toEqual(calls);
		expect(report.counts.created).toEqual({ a: 0, b: 0 });
		expect(report.counts.updated).toEqual({ a: 0, b: 0 });
		expect(report.counts.read.a + report.counts.read.b).toBeGreaterThan(0); // it did read its writes back
		expectContents();
	});

	it('run 3: edits on both sides — aWins, bWins, mostRecent both ways, review, same value, one-sided; new records both ways; a create the CRM refuses', async () => {
		world.advance();
		const e = (i: number) => `p${i}@example.com`;
		const get = (side: 'a' | 'b', i: number) => (expected[side].get(e(i)) as Values[])[0];
		const both = (i: number, patch: Values) => setBoth({ ...get('a', i), ...patch });
		// aWins on LastName
		world.sfEdit(idOf('a', e(0)), { LastName: 'SfWins' });
		world.hsEdit(idOf('b', e(0)), { lastname: 'HsLoses' });
		both(0, { lastname: 'SfWins' });
		// bWins on Title
		world.sfEdit(idOf('a', e(1)), { Title: 'Sf title' });
		world.hsEdit(idOf('b', e(1)), { jobtitle: 'Hs title' });
		both(1, { jobtitle: 'Hs title' });
		// review on FirstName
		world.sfEdit(idOf('a', e(2)), { FirstName: 'SfFirst' });
		world.hsEdit(idOf('b', e(2)), { firstname: 'HsFirst' });
		set('a', { ...get('a', 2), firstname: 'SfFirst' });
		set('b', { ...get('b', 2), firstname: 'HsFirst' });
		// the same new value on both sides: no conflict, no write
		world.sfEdit(idOf('a', e(3)), { Title: 'Same' });
		world.hsEdit(idOf('b', e(3)), { jobtitle: 'Same' });
		both(3, { jobtitle: 'Same' });
		// one-sided edits
		world.sfEdit(idOf('a', e(4)), { Title: 'From SF' });
		world.hsEdit(idOf('b', e(N - 1)), { lastname: 'FromHs' });
		both(4, { jobtitle: 'From SF' });
		both(N - 1, { lastname: 'FromHs' });
		// mostRecent on Phone: Salesforce first, HubSpot 5 s later (and the other way round)
		world.sfEdit(idOf('a', e(5)), { Phone: '111' });
		world.hsEdit(idOf('b', e(6)), { phone: '666' });
		world.advance(5000);
		world.hsEdit(idOf('b', e(5)), { phone: '555' });
		world.sfEdit(idOf('a', e(6)), { Phone: '222' });
		both(5, { phone: '555' });
		both(6, { phone: '222' });
		// new records on both sides, and one Salesforce refuses (no last name)
		const newA = { ...person(5000), email: 'new-a@example.com' };
		const newB = { ...person(5001), email: 'new-b@example.com' };
		world.sfInsert(toSf(newA));
		world.hsInsert(newB);
		world.hsInsert({ ...person(5002), email: 'nolast@example.com', lastname: null });
		setBoth(newA);
		setBoth(newB);
		set('b', { ...person(5002), email: 'nolast@example.com', lastname: null });
		world.advance();

		const before = world.writeRequests();
		const dry = await run({ dryRun: true });
		expect(world.writeRequests()).toEqual(before);
		const report = await run();
		expectContents();
		expect(dry.plan).toEqual(report.plan);
		const updates = report.plan.filter((p) => p.action === 'update');
		// Nothing written for the pair that agrees on the new value.
		expect(
			updates.some((u) => u.action === 'update' && u.changes.some((c) => c.to === 'Same')),
		).toBe(false);
		expect(report.counts.created).toEqual({ a: 1, b: 1 });
		expect(report.conflicts.map((c) => [c.field, c.a, c.b])).toEqual([
			['FirstName/firstname', 'SfFirst', 'HsFirst'],
		]);
		expect(report.failures.map((f) => [f.side, f.category, f.attempts])).toEqual([
			['b', 'validation', 1],
		]);
	});

	it('run 4: a decision on the reviewed conflict is applied and cleared; the refused record is retried (and fails again, counted)', async () => {
		world.advance();
		const [conflict] = (await run()).conflicts.concat(); // nothing changed: no conflict re-read
		expect(conflict).toBeUndefined();
		const linkId = (await store.getLinksByIds('contacts', 'a', [idOf('a', 'p2@example.com')])).get(
			idOf('a', 'p2@example.com'),
		)?.linkId as string;
		await store.putDecision('contacts', {
			linkId,
			field: 'FirstName/firstname',
			decision: { winner: 'b' },
			decidedAt: new Date(world.clock.now()).toISOString(),
		});
		world.advance();
		const report = await run();
		set('a', { ...(expected.a.get('p2@example.com') as Values[])[0], firstname: 'HsFirst' });
		expectContents();
		expect(await store.listDecisions('contacts')).toEqual([]);
		expect(report.failures.map((f) => [f.side, f.category, f.attempts])).toEqual([
			['b', 'validation', 3],
		]);
		// Fixed at the source: the next run creates it and clears the failure.
		world.hsEdit(idOf('b', 'nolast@example.com'), { lastname: 'Fixed' });
		world.advance();
		const fixed = await run();
		setBoth({ ...person(5002), email: 'nolast@example.com', lastname: 'Fixed' });
		expectContents();
		expect(fixed.failures).toEqual([]);
		// Left stored: only the ambiguous trio (dup@example.com), read again every run until it matches one record.
		const left: string[] = [];
		for await (const page of store.listFailures('contacts'))
			left.push(...page.map((f) => `${f.side}:${f.category}:${f.message.split(' (')[0]}`));
		expect(left.sort()).toEqual([
			'a:ambiguous:2 records on side a have Email "dup@example.com"',
			'a:ambiguous:2 records on side a have Email "dup@example.com"',
			'b:ambiguous:2 records on side a have Email "dup@example.com"',
		]);
	});

	it('run 5: deletions propagate both ways (the dry run before plans exactly those)', async () => {
		world.advance();
		const gone = ['p10@example.com', 'p11@example.com', 'p12@example.com'];
		for (const m of gone) world.sfDelete(idOf('a', m));
		const goneB = ['p150@example.com', 'new-b@example.com'].filter((m) => expected.b.has(m));
		for (const m of goneB) world.hsDelete(idOf('b', m));
		world.advance();
		const before = world.writeRequests();
		const dry = await run({ dryRun: true });
		expect(world.writeRequests()).toEqual(before);
		const report = await run();
		expect(dry.plan).toEqual(report.plan);
		expect(report.plan.filter((p) => p.action === 'delete')).toHaveLength(
			gone.length + goneB.length,
		);
		for (const m of [...gone, ...goneB]) {
			expected.a.delete(m);
			expected.b.delete(m);
		}
		expectContents();
		expect(report.counts.deleted).toEqual({ a: goneB.length, b: gone.length });
		// Partners not edited since the last run: no edit was discarded.
		expect(report.counts.deletedOverEdits).toBe(0);
		expect(report.deletedOverEdits).toEqual([]);
	});

	it('run 6: a tripped delete guard deletes nothing and keeps the feed where it was; raised, the next run deletes them', async () => {
		world.advance();
		const victims = Array.from({ length: 8 }, (_, i) => `p${SF_ONLY + 10 + i}@example.com`);
		for (const m of victims) world.hsDelete(idOf('b', m));
		world.advance();
		const sfBefore = world.sfAll().length;
		const tripped = await run({ deleteGuard: { maxCount: 5 } });
		expect(tripped.deleteGuard?.reason).toMatch(
			/8 linked records were deleted, more than deleteGuard.maxCount \(5\)/,
		);
		expect(world.sfAll().length).toBe(sfBefore);
		expect(tripped.counts.deleted).toEqual({ a: 0, b: 0 });
		world.advance();
		const again = await run({ deleteGuard: { maxCount: 5 } });
		expect(again.deleteGuard?.tripped).toBe(true); // read again: the feed was not advanced
		const linked = await store.countLinks('contacts', 'linked');
		const byPercent = await run({ deleteGuard: { maxPercent: ((8 / linked) * 100) / 2 } });
		expect(byPercent.deleteGuard?.reason).toContain(
			`8 of ${linked} linked records (${((8 / linked) * 100).toFixed(1)} %) were deleted, more than deleteGuard.maxPercent`,
		);
		expect(world.sfAll().length).toBe(sfBefore);
		const raised = await run({ deleteGuard: { maxCount: 100 } });
		expect(raised.deleteGuard).toBeUndefined();
		expect(raised.counts.deleted).toEqual({ a: 8, b: 0 });
		for (const m of victims) {
			expected.a.delete(m);
			expected.b.delete(m);
		}
		expectContents();
	});
});
