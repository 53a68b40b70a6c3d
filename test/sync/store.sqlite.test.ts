import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import {
	SCHEMA_VERSION,
	SqliteSyncStore,
	defaultSyncStateFile,
	loadNodeSqlite,
} from '../../core/sync/store';
import { all } from './storeData';
import { runStoreSuite, type StoreFixture } from './storeSuite';

/** A fresh database file in its own folder; the stores share one fake clock (advanced by `pass`). */
async function sqliteFixture(): Promise<StoreFixture & { file: string; clock: { t: number } }> {
	const dir = mkdtempSync(join(tmpdir(), 'crm-sync-sqlite-'));
	const file = join(dir, 'nested', 'state.sqlite');
	const clock = { t: Date.UTC(2026, 0, 1) };
	const raw = (fn: (db: DatabaseSync) => void) => {
		const db = new DatabaseSync(file);
		try {
			fn(db);
		} finally {
			db.close();
		}
	};
	return {
		file,
		clock,
		newStore: () => new SqliteSyncStore({ file, now: () => clock.t, busyTimeoutMs: 30_000 }),
		pass: async (ms) => {
			clock.t += ms;
		},
		bumpSchemaVersion: async () =>
			raw((db) =>
				db
					.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)')
					.run(SCHEMA_VERSION + 1, 'from the future', new Date().toISOString()),
			),
		failMetaWrites: async () =>
			raw((db) =>
				db.exec(`
					CREATE TRIGGER fail_meta_insert BEFORE INSERT ON meta BEGIN SELECT RAISE(ABORT, 'injected failure'); END;
					CREATE TRIGGER fail_meta_update BEFORE UPDATE ON meta BEGIN SELECT RAISE(ABORT, 'injected failure'); END;
				`),
			),
		dispose: async () => rmSync(dir, { recursive: true, force: true }),
	};
}

runStoreSuite('SqliteSyncStore', sqliteFixture, { persistent: true });

describe('SqliteSyncStore specifics', () => {
	let fixture: Awaited<ReturnType<typeof sqliteFixture>>;
	beforeEach(async () => {
		fixture = await sqliteFixture();
	});
	afterEach(async () => fixture.dispose());

	it('creates the file and its folder, in WAL mode, with the schema version recorded', async () => {
		const store = fixture.newStore();
		await store.open();
		await store.close();
		const db = new DatabaseSync(fixture.file);
		try {
			expect(db.prepare('PRAGMA journal_mode').get()).toEqual({ journal_mode: 'wal' });
			expect(db.prepare('SELECT max(version) AS v FROM schema_migrations').get()).toEqual({
				v: SCHEMA_VERSION,
			});
		} finally {
			db.close();
		}
	});

	it('leases the lock on the injected clock: expiresAt is now + lease, free once it has passed', async () => {
		const store = fixture.newStore();
		await store.open();
		try {
			const t0 = fixture.clock.t;
			expect(await store.acquireLock('s1', 'o1', 1000)).toEqual({
				syncId: 's1',
				owner: 'o1',
				expiresAt: t0 + 1000,
			});
			fixture.clock.t = t0 + 1000; // not yet passed
			expect(await store.acquireLock('s1', 'o2', 1000)).toBeUndefined();
			fixture.clock.t = t0 + 1001;
			expect(await store.acquireLock('s1', 'o2', 1000)).toEqual({
				syncId: 's1',
				owner: 'o2',
				expiresAt: t0 + 2001,
			});
			await store.commit('s1', {
				upsertLinks: [{ linkId: 'L1', status: 'excluded', aId: 'a1', base: {} }],
			});
			const [l1] = await all(store.listLinks('s1'));
			expect(l1.updatedAt).toBe(new Date(t0 + 1001).toISOString());
		} finally {
			await store.close();
		}
	});

	it('the database itself refuses one record in two links (unique indexes), also past the store', async () => {
		const store = fixture.newStore();
		await store.open();
		await store.commit('s1', {
			upsertLinks: [{ linkId: 'L1', status: 'excluded', aId: 'a1', base: {} }],
		});
		await store.close();
		const db = new DatabaseSync(fixture.file);
		try {
			const insert = db.prepare(
				`INSERT INTO links (sync_id, link_id, a_id, b_id, status, base, updated_at) VALUES (?, ?, ?, ?, 'excluded', '{}', 't')`,
			);
			expect(() => insert.run('s1', 'L2', 'a1', null)).toThrow(
				/UNIQUE constraint failed: links.sync_id, links.a_id/,
			);
			insert.run('s2', 'L2', 'a1', null); // another sync
			insert.run('s1', 'L3', null, 'b1'); // no a id: any number of them
			insert.run('s1', 'L4', null, 'b2');
			expect(() =>
				db
					.prepare(
						`INSERT INTO links (sync_id, link_id, a_id, status, base, updated_at) VALUES ('s1', 'L5', 'a5', 'linked', '{}', 't')`,
					)
					.run(),
			).toThrow(/CHECK constraint failed/);
		} finally {
			db.close();
		}
	});

	it('fails only when used, with the Node.js it needs, where node:sqlite is missing', () => {
		expect(() => loadNodeSqlite(() => undefined)).toThrow(
			/the SQLite sync store needs Node\.js ≥ 22\.13\/24 .*this is Node\.js \d+/,
		);
		expect(() =>
			loadNodeSqlite(() => {
				throw Object.assign(new Error('No such built-in module: node:sqlite'), {
					code: 'ERR_UNKNOWN_BUILTIN_MODULE',
				});
			}),
		).toThrow(/needs Node\.js ≥ 22\.13\/24/);
		expect(typeof loadNodeSqlite().DatabaseSync).toBe('function');
	});

	it('says it is not open instead of failing obscurely', async () => {
		const store = fixture.newStore();
		await expect(store.countLinks('s1')).rejects.toThrow(/not open/);
	});

	it('defaults to a file under the n8n user folder', () => {
		expect(defaultSyncStateFile({ N8N_USER_FOLDER: '/data' })).toBe(
			'/data/.n8n/crm-connectors-sync.sqlite',
		);
		expect(defaultSyncStateFile({})).toMatch(/\.n8n\/crm-connectors-sync\.sqlite$/);
	});
});
