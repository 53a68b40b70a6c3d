/** The CRM Sync's state store: SQLite (default, a file under the n8n user folder) or PostgreSQL (our credential). */
import { hostname } from 'node:os';

import type {
	ICredentialDataDecryptedObject,
	ICredentialTestFunctions,
	ICredentialsDecrypted,
	IExecuteFunctions,
	INodeCredentialTestResult,
} from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { redactString, registerSecret } from '../../../core/http/redact';
import type { SyncStore } from '../../../core/sync';
import { PostgresSyncStore, SqliteSyncStore } from '../../../core/sync/store';
import { vendor } from '../../../core/vendor';

/** The pg connection of a `crmSyncPostgresApi` credential. */
export function postgresConnection(c: ICredentialDataDecryptedObject) {
	registerSecret(c.password);
	const ssl = String(c.ssl ?? 'disable');
	return {
		host: String(c.host || 'localhost'),
		port: Number(c.port) || 5432,
		database: String(c.database || 'postgres'),
		user: String(c.user || 'postgres'),
		password: String(c.password ?? ''),
		ssl: ssl === 'disable' ? false : { rejectUnauthorized: ssl !== 'allowUnverified' },
	};
}

/** The store the node's parameters choose (not opened yet). */
export async function chooseStore(ctx: IExecuteFunctions): Promise<SyncStore> {
	const kind = ctx.getNodeParameter('stateStore', 0, 'sqlite') as string;
	if (kind === 'postgres') {
		const c = await ctx.getCredentials('crmSyncPostgresApi');
		return new PostgresSyncStore({
			connection: postgresConnection(c),
			schema: String(c.schema || 'crm_sync'),
		});
	}
	const file = String(ctx.getNodeParameter('sqliteFile', 0, '') ?? '').trim();
	if (!file && process.env.EXECUTIONS_MODE === 'queue')
		throw new NodeOperationError(
			ctx.getNode(),
			"State Store › SQLite File (Default) cannot be used in queue mode: each n8n process keeps its own file in its own user folder, so runs on different workers would not see each other's pairs and would create duplicates",
			{
				description:
					'Set State Store to PostgreSQL (a CRM Sync PostgreSQL credential all workers reach), or set SQLite File to a path every n8n process shares on one host.',
			},
		);
	return new SqliteSyncStore(file ? { file } : {});
}

/**
 * The run lock's owner: this execution on this host and process, so "already running (locked by …)" says where the
 * other run is (in queue mode, which worker).
 */
export function lockOwner(ctx: IExecuteFunctions): string {
	return `n8n execution ${ctx.getExecutionId?.() ?? 'run'} (node ${ctx.getNode().id}) on ${hostname()} pid ${process.pid}`;
}

/** The lock settings of Options › Lock Wait / Lock Lease (seconds) as the engine takes them. */
export function lockSettings(options: { lockWaitSeconds?: number; lockLeaseSeconds?: number }) {
	const lease = Number(options.lockLeaseSeconds ?? 0);
	return {
		lockWaitMs: Math.max(0, Number(options.lockWaitSeconds ?? 0)) * 1000,
		...(lease > 0 ? { leaseMs: Math.max(3, lease) * 1000 } : {}),
	};
}

/** The credential test: connects and runs `SELECT 1` (the message never holds the password). */
export async function crmSyncPostgresTest(
	this: ICredentialTestFunctions,
	credential: ICredentialsDecrypted,
): Promise<INodeCredentialTestResult> {
	const client = new (vendor.pg().Client)({
		...postgresConnection(credential.data ?? {}),
		connectionTimeoutMillis: 10_000,
	});
	try {
		await client.connect();
		await client.query('SELECT 1');
		return { status: 'OK', message: 'Connection successful' };
	} catch (error) {
		return { status: 'Error', message: redactString((error as Error).message) };
	} finally {
		await client.end().catch(() => undefined);
	}
}
