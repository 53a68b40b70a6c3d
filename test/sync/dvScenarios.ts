/**
 * The sync scenarios with Dynamics 365 on one side (a or b) and Salesforce or HubSpot on the other, in order on one
 * state store (each builds on the previous one): backfill → no-op run → edits both sides (with a conflict to review)
 * → the decision → deletes both ways → a Dataverse write refused for one record, retried, then fixed.
 * The expected contents of both CRMs are computed here (a model by e-mail) and compared with what the simulators
 * store; write requests are counted in their logs (Dataverse: `$batch` requests).
 */
import { runSync } from '../../core/sync/engine';
import { failureCategory, type SyncReport } from '../../core/sync/report';
import { MemorySyncStore } from '../../core/sync/store/memory';
import type { Side } from '../../core/sync/store/types';
import { DvSyncWorld, type Crm } from './dvWorld';
import type { Values } from './world';

const person = (i: number): Values => ({
	email: `p${i}@example.com`,
	lastname: `Last${i}`,
	firstname: `First${i}`,
	jobtitle: `Title ${i}`,
	phone: `+1 555 ${1000 + i}`,
});
const e = (i: number) => `p${i}@example.com`;

/** Write requests per run, for the report (printed after the scenarios). */
export interface RunFigures {
	run: string;
	dvBatches: number;
	otherWrites: number;
	created: Record<Side, number>;
	updated: Record<Side, number>;
	deleted: Record<Side, number>;
}

export function dynamicsScenarios(a: Crm, b: Crm, n: number): void {
	const world = new DvSyncWorld();
	const store = new MemorySyncStore(() => world.clock.now());
	const crmOf: Record<Side, Crm> = { a, b };
	const dvSide: Side = a === 'dv' ? 'a' : 'b';
	const otherSide: Side = dvSide === 'a' ? 'b' : 'a';
	const other = crmOf[otherSide];
	const aOnly = Math.floor(n * 0.4);
	const bothEnd = Math.floor(n * 0.7);
	const expected = { a: new Map<string, Values>(), b: new Map<string, Values>() };
	const figures: RunFigures[] = [];
	let syncId = '';

	const otherWrites = () => {
		const w = world.writeRequests();
		return other === 'sf' ? w.sf : w.hs;
	};
	const run = async (label: string): Promise<SyncReport> => {
		const before = { dv: world.dvBatches(), other: otherWrites() };
		const report = await runSync(world.pairConfig(a, b), store, {
			now: () => world.clock.now(),
			recordPlan: true,
		});
		syncId = report.syncId;
		const c = report.counts;
		figures.push({
			run: label,
			dvBatches: world.dvBatches() - before.dv,
			otherWrites: otherWrites() - before.other,
			created: c.created,
			updated: c.updated,
			deleted: c.deleted,
		});
		return report;
	};
	const set = (side: Side, v: Values) => expected[side].set(String(v.email), v);
	const setBoth = (v: Values) => {
		set('a', v);
		set('b', v);
	};
	const get = (side: Side, i: number) => expected[side].get(e(i)) as Values;
	const both = (i: number, patch: Values) => setBoth({ ...get('a', i), ...patch });
	const idOf = (side: Side, i: number | string) =>
		world.idOf(crmOf[side], typeof i === 'number' ? e(i) : i);
	const edit = (side: Side, i: number, v: Values) => world.edit(crmOf[side], idOf(side, i), v);

	/** Each CRM holds every expected contact exactly once, with the expected values. */
	function expectContents(): void {
		for (const side of ['a', 'b'] as const) {
			const got = new Map<string, Values[]>();
			for (const r of world.all(crmOf[side])) {
				const k = String(r.v.email).toLowerCase();
				got.set(k, [...(got.get(k) ?? []), r.v]);
			}
			expect({ side, emails: [...got.keys()].sort() }).toEqual({
				side,
				emails: [...expected[side].keys()].sort(),
			});
			for (const [k, v] of expected[side])
				expect({ side, k, got: got.get(k) }).toEqual({ side, k, got: [v] });
		}
	}

	beforeAll(async () => {
		await world.start();
		world.reset();
	});
	afterAll(async () => {
		await world.stop();
		// The figures of the report: write requests per run.
		console.log(
			`${a} (a) ↔ ${b} (b), ${n} contacts — write requests per run:\n` +
				figures
					.map(
						(f) =>
							`${f.run}: Dynamics $batch ${f.dvBatches}, ${other} ${f.otherWrites}; created a/b ${f.created.a}/${f.created.b}, updated ${f.updated.a}/${f.updated.b}, deleted ${f.deleted.a}/${f.deleted.b}`,
					)
					.join('\n'),
		);
	});

	const conflicts: string[] = [];

	it('run 1 (backfill): links by e-mail, settles differences by each field strategy, creates the rest both ways, in $batches', async () => {
		for (let i = 0; i < bothEnd; i++) world.insert(a, person(i));
		// Side b's records are 5 s younger: mostRecent takes b's values (Dataverse stamps whole seconds).
		world.advance(5000);
		for (let i = aOnly; i < n; i++) {
			const p = person(i);
			const j = i - aOnly;
			const variant =
				i >= bothEnd
					? p
					: j % 10 === 0
						? { ...p, jobtitle: `B title ${i}` } // bWins
						: j % 10 === 1
							? { ...p, lastname: `BLast${i}` } // aWins
							: j % 10 === 2
								? { ...p, firstname: `BFirst${i}` } // review
								: j % 10 === 3
									? { ...p, phone: `+44 20 ${7000 + i}` } // mostRecent
									: p;
			world.insert(b, variant);
			if (i >= bothEnd || j % 10 > 3 || j % 10 === 1) setBoth(p);
			else if (j % 10 === 2) {
				set('a', p);
				set('b', variant);
				conflicts.push(`First${i}|BFirst${i}`);
			} else setBoth(variant);
		}
		for (let i = 0; i < aOnly; i++) setBoth(person(i));
		world.advance();

		const report = await run('1 backfill');
		expectContents();
		expect(report.backfill).toEqual({ a: true, b: true });
		expect(report.counts.created).toEqual({ a: n - bothEnd, b: aOnly });
		expect(report.counts.linkedByMatch).toBe(bothEnd - aOnly);
		expect(report.failures).toEqual([]);
		expect(report.conflicts.map((c) => `${String(c.a)}|${String(c.b)}`).sort()).toEqual(
			conflicts.sort(),
		);
		expect(await store.countLinks(syncId, 'linked')).toBe(n);
		// Dataverse got its creates and updates in $batches (up to 1,000 each), not one request per record.
		const f = figures[0];
		expect(f.dvBatches).toBeGreaterThan(0);
		expect(f.dvBatches).toBeLessThanOrEqual(Math.ceil(n / 50) * 2);
	});

	it('run 2 with no edits writes nothing on either side', async () => {
		world.advance();
		const report = await run('2 no edits');
		expect(figures[1].dvBatches).toBe(0);
		expect(figures[1].otherWrites).toBe(0);
		expect(report.counts.updated).toEqual({ a: 0, b: 0 });
		expect(report.counts.created).toEqual({ a: 0, b: 0 });
		expect(report.counts.read.a + report.counts.read.b).toBeGreaterThan(0);
		expectContents();
	});

	it('run 3: edits on both sides — aWins, bWins, mostRecent both ways, review, same value, one-sided; new records both ways', async () => {
		world.advance();
		edit('a', 0, { lastname: 'AWins' });
		edit('b', 0, { lastname: 'BLoses' });
		both(0, { lastname: 'AWins' });
		edit('a', 1, { jobtitle: 'A title' });
		edit('b', 1, { jobtitle: 'B title' });
		both(1, { jobtitle: 'B title' });
		edit('a', 2, { firstname: 'AFirst' });
		edit('b', 2, { firstname: 'BFirst' });
		set('a', { ...get('a', 2), firstname: 'AFirst' });
		set('b', { ...get('b', 2), firstname: 'BFirst' });
		edit('a', 3, { jobtitle: 'Same' });
		edit('b', 3, { jobtitle: 'Same' });
		both(3, { jobtitle: 'Same' });
		edit('a', 4, { jobtitle: 'From A' });
		edit('b', n - 1, { lastname: 'FromB' });
		both(4, { jobtitle: 'From A' });
		both(n - 1, { lastname: 'FromB' });
		edit('a', 5, { phone: '111' });
		edit('b', 6, { phone: '666' });
		world.advance(5000);
		edit('b', 5, { phone: '555' });
		edit('a', 6, { phone: '222' });
		both(5, { phone: '555' });
		both(6, { phone: '222' });
		const newA = { ...person(5000), email: 'new-a@example.com' };
		const newB = { ...person(5001), email: 'new-b@example.com' };
		world.insert(a, newA);
		world.insert(b, newB);
		setBoth(newA);
		setBoth(newB);
		world.advance();

		const report = await run('3 edits');
		expectContents();
		expect(report.counts.created).toEqual({ a: 1, b: 1 });
		expect(report.conflicts.map((c) => [c.field, c.a, c.b])).toEqual([
			[
				`${world.pairConfig(a, b).fields[2].a}/${world.pairConfig(a, b).fields[2].b}`,
				'AFirst',
				'BFirst',
			],
		]);
		expect(report.failures).toEqual([]);
		// No write for the pair that agrees on the new value.
		expect(
			report.plan.some((p) => p.action === 'update' && p.changes.some((c) => c.to === 'Same')),
		).toBe(false);
	});

	it('run 4: a decision on the reviewed conflict is applied and cleared', async () => {
		const aId = idOf('a', 2);
		const linkId = (await store.getLinksByIds(syncId, 'a', [aId])).get(aId)?.linkId as string;
		const [open] = (await run('4a nothing new')).openConflicts;
		expect(open).toBeDefined();
		await store.putDecision(syncId, {
			linkId,
			field: open.field,
			decision: { winner: 'b' },
			decidedAt: new Date(world.clock.now()).toISOString(),
		});
		world.advance();
		const report = await run('4b decision');
		set('a', { ...get('a', 2), firstname: 'BFirst' });
		expectContents();
		expect(report.openConflicts.filter((c) => c.field === open.field && c.a === 'AFirst')).toEqual(
			[],
		);
		expect(await store.listDecisions(syncId)).toEqual([]);
	});

	it('run 5: deletes on Dynamics (change tracking) reach the other side, and the other way round', async () => {
		world.advance();
		const goneDv = [e(10), e(11), 'new-a@example.com'];
		const goneOther = [e(bothEnd + 2), e(bothEnd + 3)];
		const goneIds = goneDv.map((m) => idOf(dvSide, m));
		for (const id of goneIds) world.remove('dv', id);
		for (const m of goneOther) world.remove(other, idOf(otherSide, m));
		// Deleted on both sides in the same interval: nothing left to propagate, no failure.
		world.remove('dv', idOf(dvSide, 12));
		world.remove(other, idOf(otherSide, 12));
		world.advance();
		const report = await run('5 deletes');
		expect(report.failures).toEqual([]);
		for (const m of [...goneDv, ...goneOther, e(12)]) {
			expected.a.delete(m);
			expected.b.delete(m);
		}
		expectContents();
		expect(report.counts.deleted[otherSide]).toBe(goneDv.length);
		expect(report.counts.deleted[dvSide]).toBe(goneOther.length);
		// A delete Dataverse answers 404 (the row is gone) is `notFound` to the engine — a propagated delete then
		// counts as done — not `other` (Dataverse's codes are hex: the connector gives the category in details).
		const [gone] = await world
			.dynamics()
			.write('delete', 'contacts', [{ id: goneIds[0], fields: {} }]);
		const err = gone.ok ? undefined : gone.error;
		expect(failureCategory(err?.code, err?.message, err?.details)).toBe('notFound');
	});

	it('run 6–8: a Dataverse write refused for one record (lastname > 50 characters) fails alone, is retried, then fixed', async () => {
		world.advance();
		const long = 'L'.repeat(60);
		edit(otherSide, 20, { lastname: long });
		edit(otherSide, 21, { jobtitle: 'Goes through' });
		set(otherSide, { ...get(otherSide, 20), lastname: long });
		both(21, { jobtitle: 'Goes through' });
		world.advance();
		const refused = await run('6 refused');
		expectContents();
		// One $batch: the refused request failed alone (continue-on-error), the other one in it went through.
		expect(figures.at(-1)?.dvBatches).toBe(1);
		expect(refused.failures.map((f) => [f.side, f.category, f.attempts])).toEqual([
			[otherSide, 'validation', 1],
		]);
		world.advance();
		const again = await run('7 retried');
		expectContents();
		expect(again.failures.map((f) => [f.side, f.category, f.attempts])).toEqual([
			[otherSide, 'validation', 2],
		]);
		edit(otherSide, 20, { lastname: 'Fixed' });
		both(20, { lastname: 'Fixed' });
		world.advance();
		const fixed = await run('8 fixed');
		expectContents();
		expect(fixed.failures).toEqual([]);
		const left: string[] = [];
		for await (const page of store.listFailures(syncId)) left.push(...page.map((f) => f.message));
		expect(left).toEqual([]);
	});
}
