/**
 * The CRM Sync node's state store choice, through n8n's engine: SQLite by default, in a file under the n8n user
 * folder (N8N_USER_FOLDER, a temporary folder in tests — test/helpers/env.ts), with a Sync ID derived from the
 * workflow and node ids (two workflows never share state); a SQLite file of the user's choice; PostgreSQL through
 * the node's own credential `crmSyncPostgresApi` (a schema of the test's own, dropped after), its credential test;
 * a lock held by another run; the lock's owner (execution, host, pid) and lease (Options › Lock Lease); the default
 * SQLite file refused in queue mode.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import path from 'node:path';

import type {
	ICredentialsDecrypted,
	IDataObject,
	INodeType,
	IVersionedNodeType,
} from 'n8n-workflow';

import { PostgresSyncStore, SqliteSyncStore } from '../../../core/sync/store';
import { N8N_USER_FOLDER } from '../../helpers/env';
import { loadPackage, PACKAGE_ROOT } from '../../helpers/engine';
import { n8nLogger } from '../../helpers/n8nLogger';
import { adminPool, PG, requirePostgres, testSchemaName } from '../../sync/pg';
import { contents, expected, Model, person, toSalesforce } from './model';
import { reportOf, runSync, SyncWorld } from './world';

const world = new SyncWorld();

let model: Model;

beforeAll(async () => {
	await world.start();
});
afterAll(async () => {
	await world.stop();
});
beforeEach(() => {
	world.reset();
	model = new Model();
	for (let i = 0; i < 20; i++) {
		const a = person('sf', i);
		const b = person('hs', i);
		world.sfInsert(toSalesforce(a));
		world.hsInsert(b);
		model.both(a);
		model.both(b);
	}
});

async function sync(parameters: IDataObject = {}, workflowId?: string, credentials = {}) {
	world.advance();
	const before = world.writeRequests();
	const run = await runSync(world, parameters, { workflowId, credentials });
	expect(run.error).toBeUndefined();
	const after = world.writeRequests();
	return { report: reportOf(run), writes: after.sf - before.sf + after.hs - before.hs };
}

describe('CRM Sync state in SQLite (the default)', () => {
	it('keeps it in the n8n user folder under a Sync ID derived from the workflow and node ids', async () => {
		const file = path.join(N8N_USER_FOLDER as string, '.n8n', 'crm-connectors-sync.sqlite');
		// n8n's logger, as the node's this.logger: progress is logged per page.
		const info = jest.spyOn(n8nLogger(), 'info');
		const first = await sync({}, 'wf-one');
		const progress = info.mock.calls.map(([message]) => String(message));
		info.mockRestore();
		expect(progress).toEqual(
			expect.arrayContaining([
				expect.stringMatching(
					/^CRM Sync "wf-one-crm-sync-node": changes side a — 1 page\(s\), 20 record\(s\); created \d+\/\d+/,
				),
				expect.stringMatching(/^CRM Sync "wf-one-crm-sync-node": changes side b — 1 page\(s\)/),
			]),
		);
		expect(first.report.syncId).toBe('wf-one-crm-sync-node');
		expect((first.report.counts as IDataObject).created).toEqual({ a: 20, b: 20 });
		expect(contents(world)).toEqual(expected(model));
		expect(existsSync(file)).toBe(true);
		const store = new SqliteSyncStore({ file });
		await store.open();
		try {
			expect(await store.countLinks('wf-one-crm-sync-node', 'linked')).toBe(40);
		} finally {
			await store.close();
		}
		expect((await sync({}, 'wf-one')).writes).toBe(0);
		// Another workflow's node starts its own sync: a backfill that links the records by e-mail.
		const other = await sync({}, 'wf-two');
		expect(other.report.syncId).toBe('wf-two-crm-sync-node');
		expect(other.report.backfill).toEqual({ a: true, b: true });
		expect((other.report.counts as IDataObject).linkedByMatch).toBe(40);
		expect(other.writes).toBe(0);
	});

	it('uses the SQLite file given', async () => {
		const dir = mkdtempSync(path.join(tmpdir(), 'crm-sync-file-'));
		try {
			const file = path.join(dir, 'nested', 'state.sqlite');
			const { report } = await sync({ sqliteFile: file, syncId: 'own-file' });
			expect(report.syncId).toBe('own-file');
			const store = new SqliteSyncStore({ file });
			await store.open();
			try {
				expect(await store.countLinks('own-file', 'linked')).toBe(40);
			} finally {
				await store.close();
			}
		} finally {
			rmSync(dir, { recursive: true, force: true });
		}
	});

	it('fails clearly, writing nothing, while another run holds the lock', async () => {
		const file = path.join(N8N_USER_FOLDER as string, '.n8n', 'crm-connectors-sync.sqlite');
		const store = new SqliteSyncStore({ file });
		await store.open();
		try {
			expect(await store.acquireLock('locked-sync', 'another-run', 60_000)).toBeDefined();
			world.advance();
			const before = world.writeRequests();
			const run = await runSync(world, { syncId: 'locked-sync' });
			// The holder and the expiry of its lease, as the store has them (SyncLockedError, store.lockHolder).
			expect(run.error?.message).toMatch(
				/^Sync "locked-sync" is already running \(locked by another-run until \d{4}-\d\d-\d\dT[\d:.]+Z\) — wait for it to finish, or set Options › Lock Wait \(Seconds\)$/,
			);
			expect(String(run.error?.description)).toContain('Lock Wait (Seconds)');
			expect(world.writeRequests()).toEqual(before);
		} finally {
			await store.releaseLock('locked-sync', 'another-run');
			await store.close();
		}
	});
});

describe('CRM Sync run lock and queue mode', () => {
	it('takes the lock for this execution on this host and process, with the lease of Options › Lock Lease', async () => {
		// The engine loads the package from dist/: spy on the class it uses, not on the TypeScript source's.
		// eslint-disable-next-line @typescript-eslint/no-require-imports
		const built = require(path.join(PACKAGE_ROOT, 'dist/core/sync/store/sqlite.js')) as {
			SqliteSyncStore: typeof SqliteSyncStore;
		};
		const acquire = jest.spyOn(built.SqliteSyncStore.prototype, 'acquireLock');
		try {
			await sync({ syncId: 'leased', options: { lockLeaseSeconds: 7 } });
			expect(acquire).toHaveBeenCalledTimes(1);
			const [syncId, owner, leaseMs] = acquire.mock.calls[0];
			expect([syncId, leaseMs]).toEqual(['leased', 7000]);
			expect(owner).toMatch(
				new RegExp(`^n8n execution \\S+ \\(node [^)]+\\) on ${hostname()} pid ${process.pid}$`),
			);
			acquire.mockClear();
			await sync({ syncId: 'leased' });
			// The default lease (the engine's 60 s) when the option is not set.
			expect(acquire.mock.calls[0][2]).toBe(60_000);
		} finally {
			acquire.mockRestore();
		}
	});

	it('refuses the default SQLite file in queue mode (each worker would keep its own), writing nothing', async () => {
		const before = process.env.EXECUTIONS_MODE;
		process.env.EXECUTIONS_MODE = 'queue';
		const dir = mkdtempSync(path.join(tmpdir(), 'crm-sync-queue-'));
		try {
			world.advance();
			const writes = world.writeRequests();
			const run = await runSync(world, { syncId: 'queued' });
			expect(run.error?.message).toMatch(
				/^State Store › SQLite File \(Default\) cannot be used in queue mode: each n8n process keeps its own file/,
			);
			expect(String(run.error?.description)).toContain('Set State Store to PostgreSQL');
			expect(world.writeRequests()).toEqual(writes);
			// A file the user names (one every process shares) is their call.
			const { report } = await sync({
				syncId: 'queued',
				sqliteFile: path.join(dir, 'shared.sqlite'),
			});
			expect((report.counts as IDataObject).created).toEqual({ a: 20, b: 20 });
		} finally {
			if (before === undefined) delete process.env.EXECUTIONS_MODE;
			else process.env.EXECUTIONS_MODE = before;
			rmSync(dir, { recursive: true, force: true });
		}
	});
});

describe('CRM Sync state in PostgreSQL (credential crmSyncPostgresApi)', () => {
	const schema = testSchemaName();
	const credential = {
		host: String(PG.host),
		port: Number(PG.port),
		database: String(PG.database),
		user: String(PG.user),
		password: '',
		ssl: 'disable',
		schema,
	};
	const admin = adminPool();

	beforeAll(requirePostgres);
	afterAll(async () => {
		await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
		await admin.end();
	});

	it('keeps the state in its own schema; the next run goes on from it', async () => {
		const pg = { crmSyncPostgresApi: credential };
		const extra = { credentials: { crmSyncPostgresApi: { id: 'pg', name: 'State DB' } } };
		const params = { stateStore: 'postgres', syncId: 'pg-sync' };
		world.advance();
		const first = await runSync(world, params, { credentials: pg, extra: mergeCredentials(extra) });
		expect(first.error).toBeUndefined();
		expect((reportOf(first).counts as IDataObject).created).toEqual({ a: 20, b: 20 });
		expect(contents(world)).toEqual(expected(model));
		const store = new PostgresSyncStore({ connection: PG, schema });
		await store.open();
		try {
			expect(await store.countLinks('pg-sync', 'linked')).toBe(40);
		} finally {
			await store.close();
		}
		world.advance();
		const before = world.writeRequests();
		const second = await runSync(world, params, {
			credentials: pg,
			extra: mergeCredentials(extra),
		});
		expect(second.error).toBeUndefined();
		expect(reportOf(second).backfill).toEqual({ a: false, b: false });
		expect(world.writeRequests()).toEqual(before);
	});

	it("the node's credential test connects, and reports a refusal without the password", async () => {
		const { nodeTypes } = await loadPackage();
		const type = nodeTypes.getByName('n8n-nodes-crm-connectors.crmSync') as IVersionedNodeType;
		const v1 = type.nodeVersions[1] as INodeType;
		const test = v1.methods?.credentialTest?.crmSyncPostgresTest as (
			credential: ICredentialsDecrypted,
		) => Promise<{ status: string; message: string }>;
		const call = (data: IDataObject) =>
			test.call({} as never, { id: 'x', name: 'x', type: 'crmSyncPostgresApi', data } as never);
		expect(await call(credential)).toEqual({ status: 'OK', message: 'Connection successful' });
		const secret = 'pw-Secret-4711';
		const refused = await call({ ...credential, port: 1, password: secret });
		expect(refused.status).toBe('Error');
		expect(refused.message).not.toContain(secret);
	});
});

/** Node fields adding the PostgreSQL credential to the sync node's two CRM credentials. */
function mergeCredentials(extra: { credentials: IDataObject }) {
	return {
		credentials: {
			crmSalesforcePasswordApi: { id: 'sf', name: 'Salesforce simulator' },
			crmHubSpotPrivateAppApi: { id: 'hs', name: 'HubSpot simulator' },
			...extra.credentials,
		},
	} as never;
}
