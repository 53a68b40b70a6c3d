import type { Pool } from 'pg';
import { PostgresStoreError, PostgresSyncStore, SCHEMA_VERSION } from '../../core/sync/store';
import { PG, adminPool, requirePostgres, testSchemaName } from './pg';
import { runStoreSuite, type StoreFixture } from './storeSuite';

let admin: Pool;
beforeAll(async () => {
	await requirePostgres();
	admin = adminPool();
});
afterAll(async () => {
	await admin?.end();
});

/** A fresh schema of its own (dropped by `dispose`); the clock is the server's, so `pass` waits. */
async function postgresFixture(): Promise<StoreFixture & { schema: string }> {
	const schema = testSchemaName();
	return {
		schema,
		newStore: () => new PostgresSyncStore({ connection: { ...PG, max: 4 }, schema }),
		pass: async (ms) => new Promise((resolve) => setTimeout(resolve, ms + 20)),
		bumpSchemaVersion: async () => {
			await admin.query(
				`INSERT INTO "${schema}".schema_migrations (version, name) VALUES ($1, 'from the future')`,
				[SCHEMA_VERSION + 1],
			);
		},
		failMetaWrites: async () => {
			await admin.query(
				`CREATE FUNCTION "${schema}".fail_meta() RETURNS trigger LANGUAGE plpgsql AS $$
				BEGIN RAISE EXCEPTION 'injected failure'; END $$`,
			);
			await admin.query(
				`CREATE TRIGGER fail_meta BEFORE INSERT OR UPDATE ON "${schema}".meta
				FOR EACH ROW EXECUTE FUNCTION "${schema}".fail_meta()`,
			);
		},
		dispose: async () => {
			await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
		},
	};
}

runStoreSuite('PostgresSyncStore', postgresFixture, { persistent: true });

describe('PostgresSyncStore specifics', () => {
	it('keeps its tables in its own schema, with the migrations recorded', async () => {
		const fixture = await postgresFixture();
		const store = fixture.newStore();
		try {
			await store.open();
			const { rows } = await admin.query(
				'SELECT table_name FROM information_schema.tables WHERE table_schema = $1 ORDER BY table_name',
				[fixture.schema],
			);
			expect(rows.map((r) => r.table_name)).toEqual([
				'conflicts',
				'decisions',
				'failures',
				'links',
				'locks',
				'meta',
				'schema_migrations',
			]);
			const versions = await admin.query(
				`SELECT version FROM "${fixture.schema}".schema_migrations`,
			);
			expect(versions.rows.map((r) => r.version)).toEqual([SCHEMA_VERSION]);
		} finally {
			await store.close();
			await fixture.dispose();
		}
	});

	it('never puts the password in a connection error (options or connection string)', async () => {
		const password = 'pw-Zq81-s3cr3t-Ω';
		const attempts = [
			{ host: '127.0.0.1', port: 1, user: 'sync', password, database: 'test' },
			{ connectionString: `postgresql://sync:${encodeURIComponent(password)}@127.0.0.1:1/test` },
			// the real server, a database that does not exist: the server's own error passes through, redacted
			{ ...PG, password, database: 'crm_sync_no_such_db' },
		];
		const messages: string[] = [];
		for (const connection of attempts) {
			const store = new PostgresSyncStore({ connection, schema: testSchemaName() });
			const err: Error = await store.open().then(
				() => {
					throw new Error('open() should have failed');
				},
				(e: Error) => e,
			);
			await store.close();
			expect(err).toBeInstanceOf(PostgresStoreError);
			const everything = [
				err.message,
				String(err.stack),
				String(err),
				JSON.stringify(err, Object.getOwnPropertyNames(err)),
			].join('\n');
			expect(everything).not.toContain(password);
			expect(everything).not.toContain(encodeURIComponent(password));
			expect(everything).not.toContain('s3cr3t');
			messages.push(err.message);
		}
		expect(messages[0]).toMatch(/sync@127\.0\.0\.1:1\/test.*ECONNREFUSED/);
		expect(messages[1]).toMatch(/127\.0\.0\.1:1\/test.*ECONNREFUSED/);
		expect(messages[2]).toMatch(/database "crm_sync_no_such_db" does not exist/);
	});

	it('the database itself refuses one record in two links (unique indexes), also past the store', async () => {
		const fixture = await postgresFixture();
		const store = fixture.newStore();
		try {
			await store.open();
			await store.commit('s1', {
				upsertLinks: [{ linkId: 'L1', status: 'excluded', bId: 'b1', base: {} }],
			});
			const insert = (sync: string, linkId: string, a: string | null, b: string | null) =>
				admin.query(
					`INSERT INTO "${fixture.schema}".links (sync_id, link_id, a_id, b_id, status, base) VALUES ($1, $2, $3, $4, 'excluded', '{}')`,
					[sync, linkId, a, b],
				);
			await expect(insert('s1', 'L2', null, 'b1')).rejects.toThrow(
				/duplicate key value violates unique constraint "links_b_id"/,
			);
			await insert('s2', 'L2', null, 'b1'); // another sync
			await insert('s1', 'L3', 'a3', null); // no b id: any number of them
			await insert('s1', 'L4', 'a4', null);
			await expect(
				admin.query(
					`INSERT INTO "${fixture.schema}".links (sync_id, link_id, a_id, status, base) VALUES ('s1', 'L5', 'a5', 'linked', '{}')`,
				),
			).rejects.toThrow(/violates check constraint/);
		} finally {
			await store.close();
			await fixture.dispose();
		}
	});

	it('refuses a schema name that is not a plain identifier', () => {
		expect(() => new PostgresSyncStore({ connection: PG, schema: 'x"; DROP TABLE y; --' })).toThrow(
			/plain identifier/,
		);
	});

	it('says it is not open instead of failing obscurely', async () => {
		const store = new PostgresSyncStore({ connection: PG, schema: testSchemaName() });
		await expect(store.countLinks('s1')).rejects.toThrow(/not open/);
	});
});
