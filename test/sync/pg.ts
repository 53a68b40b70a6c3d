/**
 * The PostgreSQL the store tests run against: the real server on this machine (scripts/services.sh starts it).
 * Not reachable is a failure that says what to do, never a skip.
 */
import { Client, Pool, type PoolConfig } from 'pg';

export const PG: PoolConfig = {
	host: process.env.PGHOST ?? '127.0.0.1',
	port: Number(process.env.PGPORT ?? 5432),
	user: process.env.PGUSER ?? 'postgres',
	database: process.env.PGDATABASE ?? 'test',
	connectionTimeoutMillis: 10_000,
};

/** Throws (failing the tests) when the server does not answer. */
export async function requirePostgres(): Promise<void> {
	const client = new Client(PG);
	try {
		await client.connect();
		await client.query('SELECT 1');
	} catch (err) {
		throw new Error(
			`PostgreSQL is not reachable at ${PG.host}:${PG.port} (database ${PG.database}, user ${PG.user}): ` +
				`${(err as Error).message}. Start it with scripts/services.sh, then run the tests again.`,
		);
	} finally {
		await client.end().catch(() => undefined);
	}
}

let counter = 0;
/** A schema name of its own for this process and call (the tests drop it afterwards). */
export function testSchemaName(): string {
	return `crm_sync_t${process.pid}_${Date.now().toString(36)}_${counter++}`;
}

export function adminPool(): Pool {
	const pool = new Pool({ ...PG, max: 2 });
	pool.on('error', () => undefined);
	return pool;
}
