/**
 * The services of the queue-mode e2e tier: PostgreSQL (databases created fresh per run and dropped at the end;
 * trust auth by default, `scripts/services.sh`) and Redis (the keys of a run's prefix counted and deleted).
 * CRM_E2E_PG_HOST/PORT/USER/PASSWORD and CRM_E2E_REDIS_HOST/PORT point elsewhere.
 */
const { check } = require('./util');

const PG = {
	host: process.env.CRM_E2E_PG_HOST || '127.0.0.1',
	port: Number(process.env.CRM_E2E_PG_PORT) || 5432,
	user: process.env.CRM_E2E_PG_USER || 'postgres',
	password: process.env.CRM_E2E_PG_PASSWORD || '',
};
const REDIS = {
	host: process.env.CRM_E2E_REDIS_HOST || '127.0.0.1',
	port: Number(process.env.CRM_E2E_REDIS_PORT) || 6379,
};

/** A pg client on `database` (connected). */
async function pgClient(database = 'postgres') {
	const { Client } = require('pg');
	const client = new Client({ ...PG, database, connectionTimeoutMillis: 10_000 });
	await client.connect();
	return client;
}

/** Creates fresh databases (dropped first if a crashed run left them). Returns {names, drop()}. */
async function createDatabases(names) {
	const admin = await pgClient();
	try {
		for (const name of names) {
			check(/^[a-z0-9_]+$/.test(name), `bad database name ${name}`);
			await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
			await admin.query(`CREATE DATABASE ${name}`);
		}
	} finally {
		await admin.end();
	}
	return {
		names,
		async drop() {
			const c = await pgClient();
			try {
				for (const name of names) await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
			} finally {
				await c.end();
			}
		},
	};
}

/** The Redis keys matching `pattern`; deleted with `remove`. Returns how many. */
async function redisKeys(pattern, { remove = false } = {}) {
	const Redis = require('ioredis');
	const redis = new Redis({ ...REDIS, lazyConnect: true, maxRetriesPerRequest: 2 });
	await redis.connect();
	let count = 0;
	try {
		let cursor = '0';
		do {
			const [next, keys] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
			cursor = next;
			count += remove && keys.length ? await redis.del(...keys) : remove ? 0 : keys.length;
		} while (cursor !== '0');
	} finally {
		redis.disconnect();
	}
	return count;
}

/** Deletes the Redis keys holding `prefix` (Bull's queue, n8n's cache, our shared budgets). Returns how many. */
const cleanRedis = (prefix) => redisKeys(`*${prefix}*`, { remove: true });

module.exports = { PG, REDIS, pgClient, createDatabases, redisKeys, cleanRedis };
