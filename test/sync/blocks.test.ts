/**
 * The sync as building blocks (core/sync/blocks.ts) against the engine in one piece: two identical worlds (the same
 * seeded simulators, the same edits on the same clock), one synced by `runSync`, the other by readState → the
 * changes read through the connectors → planSync → the planned writes sent as a workflow's write nodes would →
 * commitResults. Both must end with the same records on both sides and the same state (links, bases, failures,
 * open conflicts — compared by e-mail, since record ids differ between the worlds).
 */
import type { CrmConnector } from '../../core/connectors/contract';
import { parseSince } from '../../core/connectors/watermark';
import type { CrmRecord } from '../../core/records/types';
import {
	commitResults,
	planSync,
	readState,
	type PlannedWrite,
	type WriteOutcome,
} from '../../core/sync/blocks';
import { runSync } from '../../core/sync/engine';
import { MemorySyncStore } from '../../core/sync/store/memory';
import type { Side } from '../../core/sync/store/types';
import { common, World } from './world';

const engine = { world: new World(), store: undefined as unknown as MemorySyncStore };
const blocks = { world: new World(), store: undefined as unknown as MemorySyncStore };
const both = [engine, blocks];

beforeAll(async () => {
	for (const w of both) {
		await w.world.start();
		w.store = new MemorySyncStore(() => w.world.clock.now());
	}
});
afterAll(async () => {
	for (const w of both) await w.world.stop();
});

/** What a workflow's read nodes do: every change since Sync State's `since`, through the connector. */
async function readChanges(
	c: CrmConnector,
	type: string,
	since: string,
	fields: string[],
): Promise<CrmRecord[]> {
	const s = parseSince(since, 'since');
	const from = 'watermark' in s ? s.watermark : null;
	const out: CrmRecord[] = [];
	for await (const page of c.changesSince(type, from, { kind: 'updated', fields }))
		out.push(...page.records);
	return out;
}

/** What the write nodes do: each planned write sent (batched per side and op), its item's outcome kept. */
async function sendWrites(
	w: World,
	writes: PlannedWrite[],
	fail: (p: PlannedWrite) => boolean,
): Promise<Array<{ ticket: PlannedWrite['ticket']; outcome: WriteOutcome }>> {
	const cfg = w.config();
	const out: Array<{ ticket: PlannedWrite['ticket']; outcome: WriteOutcome }> = [];
	for (const side of ['a', 'b'] as const)
		for (const op of ['create', 'update', 'delete'] as const) {
			const list = writes.filter((p) => p.side === side && p.op === op);
			const sent = list.filter((p) => !fail(p));
			for (const p of list.filter(fail))
				out.push({
					ticket: p.ticket,
					outcome: { ok: false, code: 'INVALID_FIELD', message: 'refused' },
				});
			if (!sent.length) continue;
			const results = await cfg[side].connector.write(
				op,
				cfg[side].objectType,
				sent.map((p) => ({ id: p.id, fields: p.fields })),
			);
			sent.forEach((p, i) => {
				const r = results[i];
				out.push({
					ticket: p.ticket,
					outcome: r.ok
						? { ok: true, id: r.value.id }
						: { ok: false, code: r.error.code ?? 'ERROR', message: r.error.message },
				});
			});
		}
	return out;
}

/** The report of the last plan of `runBlocks`. */
let lastPlan: Awaited<ReturnType<typeof planSync>>['report'] | undefined;

/** Sync State › Read, then the read nodes; `partialB`: side B with HubSpot's default properties only. */
async function readBoth(partialB = false) {
	const { world, store } = blocks;
	const now = () => world.clock.now();
	const cfg = world.config();
	const read = await readState(cfg, store, now);
	const records: Record<Side, CrmRecord[]> = { a: [], b: [] };
	for (const side of ['a', 'b'] as const)
		records[side] = await readChanges(
			cfg[side].connector,
			cfg[side].objectType,
			read[side].since,
			side === 'b' && partialB ? [] : cfg.fields.map((f) => f[side]),
		);
	return { world, store, now, cfg, records };
}

/** `partialB`: side B read with HubSpot's default properties only (Sync Plan reads the rest by id). */
async function runBlocks(fail: (p: PlannedWrite) => boolean = () => false, partialB = false) {
	const { world, store, now, cfg, records } = await readBoth(partialB);
	const { writes, report } = await planSync(cfg, store, records, { now });
	lastPlan = report;
	const entries = await sendWrites(world, writes, fail);
	await commitResults('contacts', store, entries, now);
	return writes;
}

const runEngine = () =>
	runSync(engine.world.config(), engine.store, { now: () => engine.world.clock.now() });

/** Each world: the e-mail of every record id, both sides. */
function emails(w: World): Map<string, string> {
	const m = new Map<string, string>();
	for (const r of w.sfAll()) m.set(`a:${r.id}`, String(r.fields.Email ?? '').toLowerCase());
	for (const r of w.hsAll()) m.set(`b:${r.id}`, String(r.fields.email ?? '').toLowerCase());
	return m;
}

/** The CRM contents and the sync state, with ids replaced by e-mails and times left out. */
async function snapshot(w: { world: World; store: MemorySyncStore }) {
	const byId = emails(w.world);
	const e = (side: Side, id?: string) => (id ? (byId.get(`${side}:${id}`) ?? `gone:${id}`) : null);
	const links: unknown[] = [];
	for await (const page of w.store.listLinks('contacts'))
		for (const l of page)
			links.push({ a: e('a', l.aId), b: e('b', l.bId), status: l.status, base: l.base });
	const failures: unknown[] = [];
	for await (const page of w.store.listFailures('contacts'))
		for (const f of page)
			failures.push({
				side: f.side,
				rec: e(f.side, f.recordId),
				category: f.category,
				code: f.code,
				attempts: f.attempts,
			});
	const conflicts = (await w.store.listConflicts('contacts')).map((c) => ({
		a: e('a', c.aId),
		b: e('b', c.bId),
		field: c.field,
		values: [c.a, c.b, c.base],
	}));
	const sort = (x: unknown[]) => x.map((v) => JSON.stringify(v)).sort();
	const crm = (side: Side) =>
		(side === 'a' ? w.world.sfAll() : w.world.hsAll())
			.map((r) => JSON.stringify(common(side, r.fields)))
			.sort();
	return {
		a: crm('a'),
		b: crm('b'),
		links: sort(links),
		failures: sort(failures),
		conflicts: sort(conflicts),
	};
}

/** The same change on both worlds (by e-mail, so ids may differ). */
function onBoth(fn: (w: World, id: (side: Side, email: string) => string) => void): void {
	for (const { world } of both) {
		const id = (side: Side, email: string) => {
			const r = (side === 'a' ? world.sfAll() : world.hsAll()).find(
				(x) => String(side === 'a' ? x.fields.Email : x.fields.email).toLowerCase() === email,
			);
			if (!r) throw new Error(`no ${side} record ${email}`);
			return r.id;
		};
		fn(world, id);
	}
}

const advance = () => both.forEach(({ world }) => world.advance());

test('first run: backfill, matching, creates both ways, conflicts — same end state as the engine', async () => {
	onBoth((w) => {
		for (let i = 0; i < 8; i++)
			w.sfInsert({
				Email: `a${i}@x.com`,
				LastName: `A${i}`,
				FirstName: `Fa${i}`,
				Title: 'T',
				Phone: null,
			});
		for (let i = 0; i < 8; i++)
			w.hsInsert({
				email: `b${i}@x.com`,
				lastname: `B${i}`,
				firstname: `Fb${i}`,
				jobtitle: 'J',
				phone: null,
			});
		for (let i = 0; i < 6; i++) {
			w.sfInsert({
				Email: `m${i}@x.com`,
				LastName: `M${i}`,
				FirstName: `Sf${i}`,
				Title: 'S',
				Phone: null,
			});
			w.hsInsert({
				email: `M${i}@X.com`,
				lastname: `Hm${i}`,
				firstname: i < 3 ? `Hs${i}` : `Sf${i}`,
				jobtitle: 'H',
				phone: null,
			});
		}
	});
	advance();
	const report = await runEngine();
	const writes = await runBlocks(undefined, true);
	expect(report.counts.created).toEqual({ a: 8, b: 8 });
	expect(writes.filter((p) => p.op === 'create').length).toBe(16);
	const [x, y] = [await snapshot(engine), await snapshot(blocks)];
	expect(y).toEqual(x);
	expect(x.conflicts).toHaveLength(3); // FirstName differs on m0..m2: review
	expect(x.a).toHaveLength(22);
	expect(x.b).toHaveLength(22);
});

test('edits on both sides, a delete, and three writes refused: same state; the refused are retried, the rest not rewritten', async () => {
	advance();
	onBoth((w, id) => {
		w.sfEdit(id('a', 'a1@x.com'), { LastName: 'A1-edited' });
		w.hsEdit(id('b', 'b2@x.com'), { lastname: 'B2-edited', phone: '+1 555 0002' });
		w.sfEdit(id('a', 'm3@x.com'), { Title: 'S2' });
		w.hsEdit(id('b', 'm3@x.com'), { phone: '+1 555 0103' });
		w.hsDelete(id('b', 'b5@x.com'));
		for (const e of ['a3', 'a4', 'a6']) w.sfEdit(id('a', `${e}@x.com`), { LastName: `${e}-new` });
	});
	advance();
	await runEngine();
	// The blocks world: the three updates of a3, a4, a6 to HubSpot come back on the error output.
	const refused = (p: PlannedWrite) =>
		p.op === 'update' &&
		p.side === 'b' &&
		/^A-?[346]-new$|^a[346]-new$/.test(String(p.fields.lastname));
	const writes = await runBlocks(refused);
	expect(writes.filter(refused)).toHaveLength(3);
	const before = blocks.world.writeRequests();
	advance();
	// The next run retries exactly those three (the engine world had no failure: it runs too, writing nothing).
	const again = await runBlocks();
	expect(again.map((p) => `${p.side}:${p.op}:${p.fields.lastname}`).sort()).toEqual([
		'b:update:a3-new',
		'b:update:a4-new',
		'b:update:a6-new',
	]);
	expect(blocks.world.writeRequests().hs - before.hs).toBe(1); // one batch of three
	await runEngine();
	expect(await snapshot(blocks)).toEqual(await snapshot(engine));
});

test('a run with nothing changed writes nothing in either', async () => {
	advance();
	const before = both.map(({ world }) => world.writeRequests());
	await runEngine();
	const writes = await runBlocks();
	expect(writes).toEqual([]);
	expect(both.map(({ world }) => world.writeRequests())).toEqual(before);
	expect(await snapshot(blocks)).toEqual(await snapshot(engine));
});

test('review loop: a decision stored on an open conflict is applied by the next blocks run, and not asked again', async () => {
	advance();
	for (const w of both) {
		const open = await w.store.listConflicts('contacts');
		const m0 = open.find((c) => c.field === 'FirstName/firstname' && c.a === 'Sf0');
		expect(m0).toBeDefined();
		await w.store.putDecision('contacts', {
			linkId: m0?.linkId as string,
			field: m0?.field as string,
			decision: { winner: 'a' },
			decidedAt: new Date(w.world.clock.now()).toISOString(),
		});
	}
	await runEngine();
	const writes = await runBlocks();
	expect(writes.map((p) => [p.side, p.op, p.fields])).toEqual([
		['b', 'update', { firstname: 'Sf0' }],
	]);
	// The conflict this plan's write settles is not listed as open (it would go to review again).
	expect(lastPlan?.openConflicts.map((c) => c.a).sort()).toEqual(['Sf1', 'Sf2']);
	const hs = blocks.world.hsAll().find((r) => String(r.fields.email).toLowerCase() === 'm0@x.com');
	expect(hs?.fields.firstname).toBe('Sf0');
	const after = await snapshot(blocks);
	expect(after).toEqual(await snapshot(engine));
	expect(after.conflicts).toHaveLength(2);
	expect(await blocks.store.listDecisions('contacts')).toEqual([]);
	advance();
	expect(await runBlocks()).toEqual([]);
});

test('results that never come back (the workflow died after writing): the next run settles them, nothing written twice', async () => {
	advance();
	onBoth((w, id) => {
		w.sfInsert({ Email: 'new1@x.com', LastName: 'N1', FirstName: 'F', Title: 'T', Phone: null });
		w.hsInsert({ email: 'new2@x.com', lastname: 'N2', firstname: 'F', jobtitle: 'J', phone: null });
		w.sfEdit(id('a', 'a0@x.com'), { LastName: 'A0-late' });
	});
	advance();
	await runEngine();
	const { world, store, now, cfg, records } = await readBoth();
	const { writes } = await planSync(cfg, store, records, { now });
	expect(writes.map((p) => `${p.side}:${p.op}`).sort()).toEqual([
		'a:create',
		'b:create',
		'b:update',
	]);
	await sendWrites(world, writes, () => false); // written, but Sync State never commits
	const sent = world.writeRequests();
	advance();
	expect(await runBlocks()).toEqual([]);
	expect(world.writeRequests()).toEqual(sent);
	expect(await snapshot(blocks)).toEqual(await snapshot(engine));
});
