/**
 * Where the shared rate windows live: settings read from the environment (explicit URL, n8n's queue-mode Redis,
 * `off`, a cluster), and what happens when that Redis does not answer (requests go on, paced per process, one
 * warning without the password).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';

import {
	clearRateBudgets,
	closeSharedRateBudgets,
	configureSharedRateBudgets,
	describeSharedConfig,
	getRateBudget,
	type RateBudget,
	SHARED_KEY_PREFIX,
	sharedConfigFromEnv,
} from '../../../core/http';

describe('sharedConfigFromEnv', () => {
	it('nothing configured, or not queue mode: no sharing', () => {
		expect(sharedConfigFromEnv({})).toEqual({});
		expect(sharedConfigFromEnv({ EXECUTIONS_MODE: 'regular', QUEUE_BULL_REDIS_HOST: 'r' })).toEqual(
			{},
		);
	});

	it("queue mode: n8n's queue Redis with its defaults", () => {
		const { config, warning } = sharedConfigFromEnv({ EXECUTIONS_MODE: 'queue' });
		expect(warning).toBeUndefined();
		expect(config).toMatchObject({
			host: 'localhost',
			port: 6379,
			db: 0,
			prefix: SHARED_KEY_PREFIX,
		});
		expect(config?.password).toBeUndefined();
		expect(config?.tls).toBeUndefined();
	});

	it('queue mode: host, port, db, user, password (also from a _FILE), TLS settings and a prefix', () => {
		const dir = mkdtempSync(path.join(tmpdir(), 'crm-redis-secret-'));
		try {
			const file = path.join(dir, 'password');
			writeFileSync(file, 'pa55-from-file\n');
			const { config } = sharedConfigFromEnv({
				EXECUTIONS_MODE: 'queue',
				QUEUE_BULL_REDIS_HOST: 'redis.internal',
				QUEUE_BULL_REDIS_PORT: '6380',
				QUEUE_BULL_REDIS_DB: '"2"',
				QUEUE_BULL_REDIS_USERNAME: 'n8n',
				QUEUE_BULL_REDIS_PASSWORD_FILE: file,
				QUEUE_BULL_REDIS_TLS: 'true',
				QUEUE_BULL_REDIS_TLS_SERVERNAME: 'redis.example.test',
				QUEUE_BULL_REDIS_TLS_VALIDATE_CERTIFICATE: 'false',
				CRM_CONNECTORS_REDIS_PREFIX: 'mine:',
			});
			expect(config).toMatchObject({
				host: 'redis.internal',
				port: 6380,
				db: 2,
				username: 'n8n',
				password: 'pa55-from-file',
				tls: { servername: 'redis.example.test', rejectUnauthorized: false },
				prefix: 'mine:',
			});
			expect(describeSharedConfig(config!)).toBe('rediss://redis.internal:6380/2');
		} finally {
			rmSync(dir, { recursive: true, force: true });
		}
	});

	it('CRM_CONNECTORS_REDIS_URL wins over the queue settings, also outside queue mode', () => {
		const { config } = sharedConfigFromEnv({
			EXECUTIONS_MODE: 'queue',
			QUEUE_BULL_REDIS_HOST: 'queue-redis',
			CRM_CONNECTORS_REDIS_URL: 'rediss://user:p%40ss@rate-redis:6390/3',
		});
		expect(config).toMatchObject({
			host: 'rate-redis',
			port: 6390,
			db: 3,
			username: 'user',
			password: 'p@ss',
			tls: {},
		});
		expect(describeSharedConfig(config!)).toBe('rediss://rate-redis:6390/3');
		expect(sharedConfigFromEnv({ CRM_CONNECTORS_REDIS_URL: 'redis://h' }).config).toMatchObject({
			host: 'h',
			port: 6379,
			db: 0,
		});
	});

	it('CRM_CONNECTORS_REDIS_URL=off turns sharing off even in queue mode', () => {
		expect(
			sharedConfigFromEnv({ EXECUTIONS_MODE: 'queue', CRM_CONNECTORS_REDIS_URL: 'off' }),
		).toEqual({});
	});

	it('a cluster (QUEUE_BULL_REDIS_CLUSTER_NODES) is not supported yet: per process, with a warning', () => {
		const reading = sharedConfigFromEnv({
			EXECUTIONS_MODE: 'queue',
			QUEUE_BULL_REDIS_CLUSTER_NODES: 'r1:6379,r2:6379',
		});
		expect(reading.config).toBeUndefined();
		expect(reading.warning).toMatch(/cluster is not supported yet.*own rate budget/);
	});

	it('a malformed URL is a warning that never shows the password, not a crash', () => {
		const reading = sharedConfigFromEnv({
			CRM_CONNECTORS_REDIS_URL: 'http://u:hunter2-secret@h:1',
		});
		expect(reading.config).toBeUndefined();
		expect(reading.warning).toMatch(/redis:\/\/ or rediss:\/\//);
		expect(reading.warning).not.toContain('hunter2');
	});
});

describe('Redis unreachable', () => {
	const servers: Server[] = [];
	const sockets: Socket[] = [];
	afterEach(async () => {
		clearRateBudgets();
		configureSharedRateBudgets(undefined);
		await closeSharedRateBudgets();
		for (const socket of sockets.splice(0)) socket.destroy();
		await Promise.all(
			servers.splice(0).map((s) => new Promise<void>((resolve) => s.close(() => resolve()))),
		);
	});

	/** A TCP server on `port` (0: any) that forwards to Redis, or accepts and never answers. */
	async function listen(port: number, behaviour: 'forward' | 'silent'): Promise<number> {
		const server = createServer((socket) => {
			sockets.push(socket);
			if (behaviour === 'silent') return;
			const upstream = connect(6379, '127.0.0.1');
			sockets.push(upstream);
			socket.pipe(upstream).pipe(socket);
		});
		servers.push(server);
		await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
		return (server.address() as { port: number }).port;
	}

	const schedule = (budget: RateBudget, n: number) =>
		Promise.all(Array.from({ length: n }, () => budget.schedule(() => undefined)));

	/** A port nothing listens on. */
	async function closedPort(): Promise<number> {
		const server = createServer();
		await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
		const { port } = server.address() as { port: number };
		await new Promise<void>((resolve) => server.close(() => resolve()));
		return port;
	}

	it('requests still go, paced per process; one warning, without the password', async () => {
		const secret = 'redis-pa55word-xyz';
		configureSharedRateBudgets({ url: `redis://rate:${secret}@127.0.0.1:${await closedPort()}/0` });
		const warnings: string[] = [];
		const budget = getRateBudget('fallback', {
			maxRequests: 5,
			intervalMs: 200,
			logger: { warn: (m) => warnings.push(m) },
		});
		const starts: number[] = [];
		const t0 = Date.now();
		await Promise.all(
			Array.from({ length: 12 }, () => budget.schedule(() => void starts.push(Date.now() - t0))),
		);
		expect(starts).toHaveLength(12);
		const peak = Math.max(...starts.map((t) => starts.filter((s) => s >= t && s < t + 200).length));
		expect(peak).toBeLessThanOrEqual(5);
		// 12 at 5 per 200 ms: two more windows after the first, and not stalled much longer.
		expect(Math.max(...starts)).toBeGreaterThanOrEqual(400);
		expect(Math.max(...starts)).toBeLessThan(5000);
		expect(warnings).toHaveLength(1);
		expect(warnings[0]).toMatch(
			/Redis at redis:\/\/127\.0\.0\.1:\d+\/0 failed \(.*ECONNREFUSED.*\); each process paces on its own rate budget/,
		);
		expect(warnings[0]).not.toContain(secret);
		expect(budget.stats()).toMatchObject({ shared: false, completed: 12 });
	});

	it('a Redis that accepts connections but never answers delays the first start by at most twice its timeout', async () => {
		const port = await listen(0, 'silent');
		configureSharedRateBudgets({ url: `redis://127.0.0.1:${port}/0`, timeoutMs: 200 });
		const warnings: string[] = [];
		const budget = getRateBudget('silent', {
			maxRequests: 50,
			intervalMs: 1000,
			logger: { warn: (m) => warnings.push(m) },
		});
		const t0 = Date.now();
		await schedule(budget, 5);
		// Bounded by the timeout (twice 200 ms), with room for a loaded machine: not the 5 s default, not a hang.
		expect(Date.now() - t0).toBeLessThan(3000);
		expect(warnings).toHaveLength(1);
		expect(budget.stats().shared).toBe(false);
	});

	it('after the retry delay the next start tries Redis again, and shares once it answers', async () => {
		const port = await closedPort();
		const prefix = `crm-connectors-test:${process.pid}-${Date.now()}:`;
		configureSharedRateBudgets({
			url: `redis://127.0.0.1:${port}/0`,
			retryAfterMs: 300,
			prefix,
		});
		const warnings: string[] = [];
		const budget = getRateBudget('comeback', {
			maxRequests: 50,
			intervalMs: 200,
			logger: { warn: (m) => warnings.push(m) },
		});
		await schedule(budget, 3);
		expect(budget.stats().shared).toBe(false);
		await listen(port, 'forward');
		// Still within the retry delay: per process, no new attempt, no new warning.
		await schedule(budget, 3);
		expect(budget.stats().shared).toBe(false);
		await new Promise((resolve) => setTimeout(resolve, 350));
		await schedule(budget, 3);
		expect(budget.stats()).toMatchObject({ shared: true, completed: 9 });
		expect(warnings).toHaveLength(1);
		const admin = new Redis('redis://127.0.0.1:6379/0');
		const keys = await admin.keys(`${prefix}*`);
		expect(keys.length).toBeGreaterThan(0);
		await admin.del(...keys);
		await admin.quit();
	});
});

describe('the configuration as budgets read it (once, on the first budget)', () => {
	const saved = { ...process.env };
	afterEach(() => {
		process.env = { ...saved };
		clearRateBudgets();
		configureSharedRateBudgets(undefined);
	});

	it("a cluster in n8n's queue settings: the budget stays per process and says so once", () => {
		process.env.EXECUTIONS_MODE = 'queue';
		process.env.QUEUE_BULL_REDIS_CLUSTER_NODES = 'r1:6379,r2:6379';
		delete process.env.CRM_CONNECTORS_REDIS_URL;
		configureSharedRateBudgets(undefined);
		const warnings: string[] = [];
		const logger = { warn: (m: string) => warnings.push(m) };
		const a = getRateBudget('a', { maxRequests: 5, logger });
		const b = getRateBudget('b', { maxRequests: 5, logger });
		expect(a.stats().shared).toBeUndefined();
		expect(b.stats().shared).toBeUndefined();
		expect(warnings).toHaveLength(1);
		expect(warnings[0]).toMatch(/QUEUE_BULL_REDIS_CLUSTER_NODES/);
	});

	it('not queue mode and no URL: budgets are per process, as before', () => {
		delete process.env.EXECUTIONS_MODE;
		delete process.env.CRM_CONNECTORS_REDIS_URL;
		configureSharedRateBudgets(undefined);
		expect(getRateBudget('plain', { maxRequests: 5 }).stats().shared).toBeUndefined();
	});
});
