/**
 * Two runs of one sync started at once in two child processes (test/sync/runChild.ts) against this process's
 * simulators, sharing a PostgreSQL schema or a SQLite file: with lockWaitMs 0 one runs and the other exits with
 * SyncLockedError naming the holder; with a long lockWaitMs the second waits, then runs an incremental that
 * writes nothing. Counted in the simulators: every record exactly once on each side.
 * The child holding the lock waits at its first CRM call until the other has given up or polled once (both past
 * the lock — a bug — are let through, and the counts catch it).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Pool } from 'pg';
import type { RunChildConfig } from './runChild';
import { child, compileChildren, removeChildren, type Child } from './children';
import { PG, adminPool, requirePostgres, testSchemaName } from './pg';
import { expectOnceEach, toSf, World, type Values } from './world';

const SCRIPT = 'test/sync/runChild.ts';
const M = 30;
const world = new World();
let admin: Pool;
let outDir: string;

beforeAll(async () => {
	await requirePostgres();
	admin = adminPool();
	outDir = compileChildren([SCRIPT]);
	await world.start();
});
afterAll(async () => {
	await world.stop();
	await admin?.end();
	removeChildren(outDir);
});

interface Result {
	ok: boolean;
	name?: string;
	holder?: string;
	message?: string;
	backfill?: { a: boolean; b: boolean };
	counts?: { created: { a: number; b: number }; updated: { a: number; b: number } };
	writes: number;
}

function seed(): Map<string, Values> {
	const model = new Map<string, Values>();
	for (let i = 0; i < M; i++) {
		const v: Values = {
			email: `q${i}@example.com`,
			lastname: `L${i}`,
			firstname: `F${i}`,
			jobtitle: `T${i}`,
			phone: `${400 + i}`,
		};
		model.set(v.email as string, v);
		if (i < (2 * M) / 3) world.sfInsert(toSf(v));
		if (i >= M / 3) world.hsInsert(v);
	}
	world.advance();
	return model;
}

/** Starts two children on `store` at once; returns each one's final line and whether it polled. */
async function twoRuns(store: RunChildConfig['store'], lockWaitMs: number) {
	const { sf, hs } = world.contracts();
	const children: Child[] = [0, 1].map((i) =>
		child(outDir, SCRIPT, {
			store,
			sf: { instanceUrl: sf.instanceUrl, accessToken: sf.accessToken },
			hs: { baseUrl: hs.baseUrl, accessToken: hs.accessToken },
			owner: `proc-${i}`,
			lockWaitMs,
		} satisfies RunChildConfig),
	);
	expect(await Promise.all(children.map((c) => c.next()))).toEqual(['ready', 'ready']);
	const entered: Child[] = [];
	const polled = [false, false];
	let opened = false;
	const openAll = () => {
		if (!opened) for (const c of entered) c.send('open');
		opened = true;
	};
	const follow = async (c: Child, i: number): Promise<Result> => {
		for (;;) {
			const line = await c.next();
			if (line === 'entered') {
				entered.push(c);
				if (opened) c.send('open');
				else if (entered.length === 2) openAll();
			} else if (line === 'polled') {
				polled[i] = true;
				openAll();
			} else {
				if (!(line as Result).ok) openAll();
				return line as Result;
			}
		}
	};
	for (const c of children) c.send('go');
	const results = await Promise.all(children.map(follow));
	expect(await Promise.all(children.map((c) => c.exited))).toEqual([0, 0]);
	return { results, polled };
}

async function exitsOrWaits(store: RunChildConfig['store']): Promise<void> {
	// lockWaitMs 0: one exits naming the holder
	let model = seed();
	const refused = await twoRuns(store, 0);
	const loser = refused.results.findIndex((r) => !r.ok);
	const winner = 1 - loser;
	expect(refused.results.map((r) => r.ok).sort()).toEqual([false, true]);
	expect(refused.results[loser]).toMatchObject({
		name: 'SyncLockedError',
		holder: `proc-${winner}`,
		writes: 0,
	});
	expect(refused.results[loser].message).toMatch(
		new RegExp(`already running \\(locked by proc-${winner} until \\d{4}-[\\d-]+T[\\d:.]+Z\\)`),
	);
	expect(refused.results[winner].counts?.created).toEqual({ a: M / 3, b: M / 3 });
	expectOnceEach(world, model);

	// a long lockWaitMs: the second waits, then runs an incremental that writes nothing
	world.reset();
	model = seed();
	const fresh = { ...store };
	if (fresh.kind === 'postgres') fresh.schema = `${fresh.schema}_w`;
	else fresh.file = `${fresh.file}-w`;
	const waited = await twoRuns(fresh, 10 * 60_000);
	const waiter = waited.polled[0] ? 0 : 1;
	const first = 1 - waiter;
	expect(waited.polled[first]).toBe(false);
	expect(waited.polled[waiter]).toBe(true);
	expect(waited.results.map((r) => r.ok)).toEqual([true, true]);
	expect(waited.results[first]).toMatchObject({ backfill: { a: true, b: true } });
	expect(waited.results[first].counts?.created).toEqual({ a: M / 3, b: M / 3 });
	expect(waited.results[waiter]).toMatchObject({
		backfill: { a: false, b: false },
		counts: { created: { a: 0, b: 0 }, updated: { a: 0, b: 0 } },
		writes: 0,
	});
	expectOnceEach(world, model);
	console.log(
		`${store.kind}: two processes — lockWaitMs 0: proc-${loser} refused (holder proc-${winner}), ` +
			`${refused.results[winner].writes} record writes by the runner; waiting: proc-${waiter} waited, wrote 0`,
	);
}

describe('two runs of one sync at once in two processes', () => {
	beforeEach(() => world.reset());

	it('on one PostgreSQL schema: one runs, the other exits (naming the holder) or waits; nothing doubled', async () => {
		const schema = testSchemaName();
		try {
			await exitsOrWaits({ kind: 'postgres', connection: PG, schema });
		} finally {
			await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
			await admin.query(`DROP SCHEMA IF EXISTS "${schema}_w" CASCADE`);
		}
	});

	it('on one SQLite file: one runs, the other exits (naming the holder) or waits; nothing doubled', async () => {
		const dir = mkdtempSync(join(tmpdir(), 'crm-sync-engine-procs-'));
		try {
			await exitsOrWaits({ kind: 'sqlite', file: join(dir, 'state.sqlite') });
		} finally {
			rmSync(dir, { recursive: true, force: true });
		}
	});
});
