/**
 * Two processes on one store: the run lock keeps them apart (counted in the store), they migrate an empty
 * database at the same moment, and a lock whose holder was killed is free once its lease has passed.
 * The children are test/sync/lockChild.ts compiled with swc, run by this test's Node (`process.execPath`).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import type { Pool } from 'pg';
import { PostgresSyncStore, SqliteSyncStore, type SyncStore } from '../../core/sync/store';
import { child as spawnChild, compileChildren, removeChildren } from './children';
import { PG, adminPool, requirePostgres, testSchemaName } from './pg';

const SCRIPT = 'test/sync/lockChild.ts';
let outDir: string;
let admin: Pool;

beforeAll(async () => {
	await requirePostgres();
	admin = adminPool();
	outDir = compileChildren([SCRIPT]);
});
afterAll(async () => {
	await admin?.end();
	removeChildren(outDir);
});

const child = (config: object) => spawnChild(outDir, SCRIPT, config);

type StoreConfig =
	| { kind: 'sqlite'; file: string }
	| { kind: 'postgres'; connection: object; schema: string };

async function raceTwo(store: StoreConfig, read: SyncStore) {
	const rounds = 15;
	const children = ['p1', 'p2'].map((owner) =>
		child({ store, mode: 'race', syncId: 'sync-1', owner, rounds, holdMs: 15 }),
	);
	// both open the empty database at the same time (migrating it), then race
	expect(await Promise.all(children.map((c) => c.next()))).toEqual(['ready', 'ready']);
	for (const c of children) c.send('go');
	const results = (await Promise.all(children.map((c) => c.next()))) as Array<{
		acquired: number;
		refused: number;
		overlaps: number;
	}>;
	expect(await Promise.all(children.map((c) => c.exited))).toEqual([0, 0]);
	await read.open();
	const info = (await read.getMeta('sync-1')).info;
	console.log(
		`${store.kind}: two processes, lock taken ${rounds} times each; refusals ${results.map((r) => r.refused)}`,
	);
	expect(results.map((r) => r.overlaps)).toEqual([0, 0]);
	expect(results.map((r) => r.acquired)).toEqual([rounds, rounds]);
	// every read-then-write increment survived: never two holders at once
	expect(info).toEqual({ holder: null, total: 2 * rounds });
	// they did contend: each was refused while the other held the lock
	expect(results.reduce((n, r) => n + r.refused, 0)).toBeGreaterThan(0);
}

describe('two processes on one SQLite file', () => {
	let dir: string;
	beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'crm-sync-procs-'))));
	afterEach(() => rmSync(dir, { recursive: true, force: true }));

	it('never hold the run lock at once', async () => {
		const file = join(dir, 'state.sqlite');
		const read = new SqliteSyncStore({ file });
		try {
			await raceTwo({ kind: 'sqlite', file }, read);
		} finally {
			await read.close();
		}
	});

	it('a killed holder keeps the lock until its lease has passed, then another owner takes it', async () => {
		const file = join(dir, 'state.sqlite');
		const holder = child({
			store: { kind: 'sqlite', file },
			mode: 'die',
			syncId: 's',
			owner: 'dying',
		});
		expect(await holder.next()).toBe('ready');
		holder.send('go');
		expect(await holder.next()).toMatchObject({ lease: { owner: 'dying' } });
		let clock = 0;
		const other = new SqliteSyncStore({ file, now: () => clock });
		try {
			await other.open();
			clock = Date.now();
			expect(await other.acquireLock('s', 'other', 1000)).toBeUndefined();
			holder.send('shorten');
			expect(await holder.next()).toEqual({ renewed: true });
			holder.proc.kill('SIGKILL');
			await holder.exited;
			const db = new DatabaseSync(file);
			const { expires_at } = db
				.prepare('SELECT expires_at FROM locks WHERE sync_id = ?')
				.get('s') as {
				expires_at: number;
			};
			db.close();
			clock = expires_at;
			expect(await other.acquireLock('s', 'other', 1000)).toBeUndefined();
			clock = expires_at + 1;
			expect(await other.acquireLock('s', 'other', 1000)).toMatchObject({ owner: 'other' });
		} finally {
			await other.close();
		}
	});
});

describe('two processes on one PostgreSQL schema', () => {
	let schema: string;
	beforeEach(() => (schema = testSchemaName()));
	afterEach(async () => {
		await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
	});

	it('never hold the run lock at once', async () => {
		const read = new PostgresSyncStore({ connection: PG, schema });
		try {
			await raceTwo({ kind: 'postgres', connection: PG, schema }, read);
		} finally {
			await read.close();
		}
	});

	it('a killed holder keeps the lock until its lease has passed (database clock), then another owner takes it', async () => {
		const holder = child({
			store: { kind: 'postgres', connection: PG, schema },
			mode: 'die',
			syncId: 's',
			owner: 'dying',
		});
		expect(await holder.next()).toBe('ready');
		holder.send('go');
		expect(await holder.next()).toMatchObject({ lease: { owner: 'dying' } });
		const other = new PostgresSyncStore({ connection: PG, schema });
		try {
			await other.open();
			expect(await other.acquireLock('s', 'other', 1000)).toBeUndefined();
			holder.send('shorten');
			expect(await holder.next()).toEqual({ renewed: true });
			holder.proc.kill('SIGKILL');
			await holder.exited;
			const { rows } = await admin.query(
				`SELECT floor(extract(epoch FROM expires_at) * 1000)::float8 AS ms FROM "${schema}".locks WHERE sync_id = 's'`,
			);
			const deadExpiry = rows[0].ms as number;
			let refused = 0;
			let lease;
			while (!(lease = await other.acquireLock('s', 'other', 60_000))) {
				refused++;
				await new Promise((resolve) => setTimeout(resolve, 25));
			}
			// taken on the database clock no earlier than the dead holder's lease ran out
			expect(lease.expiresAt - 60_000).toBeGreaterThanOrEqual(deadExpiry - 1);
			console.log(`postgres: killed holder's lock taken after ${refused} refused attempts`);
		} finally {
			await other.close();
		}
	});
});
