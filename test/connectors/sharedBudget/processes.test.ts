/**
 * One rate budget across processes (n8n's queue mode), honestly: three child processes (test/connectors/
 * sharedBudget/child.ts, compiled with swc) each send 60 requests with the same API key and the same budget, at
 * the API's own limit (30 per rolling second), against the REST simulator started here with a sliding-window
 * limit that announces nothing in headers and answers 429 beyond it. The simulator's request log (arrival times)
 * is what is counted. With the budgets shared through Redis (127.0.0.1:6379, found as n8n's queue-mode workers
 * would, through QUEUE_BULL_REDIS_*): no request beyond the limit in any window, no 429. With sharing off
 * (CRM_CONNECTORS_REDIS_URL=off), the same run: three budgets each at the limit overshoot it together (what the
 * shared window is for; it also shows that the test can fail).
 */
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';

import { RestSimulator, type RestContract } from '../../../sandbox';
import { windowRule } from '../../../sandbox/kit';
import { child, compileChildren, removeChildren } from '../../sync/children';

const SCRIPT = 'test/connectors/sharedBudget/child.ts';
const REDIS_URL = process.env.CRM_CONNECTORS_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379/0';
const LIMIT = 30;
const WINDOW_MS = 1000;
const PER_PROCESS = 60;
/** The environment of an n8n worker in queue mode: the budgets find Redis through n8n's own queue settings. */
const QUEUE_MODE = (() => {
	const url = new URL(REDIS_URL);
	return {
		EXECUTIONS_MODE: 'queue',
		QUEUE_BULL_REDIS_HOST: url.hostname,
		QUEUE_BULL_REDIS_PORT: url.port || '6379',
		QUEUE_BULL_REDIS_DB: url.pathname.replace('/', '') || '0',
	};
})();

interface ChildResult {
	statuses: number[];
	stats: { shared?: boolean; sharedWaitMs?: number; throttledMs: number; completed: number };
	warnings: string[];
}

const sim = new RestSimulator({ records: { contacts: 5 }, rateLimit: false });
let contract: RestContract;
let outDir: string | undefined;
let prefix: string;
const admin = new Redis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 1 });

beforeAll(async () => {
	outDir = compileChildren([SCRIPT]);
	contract = await sim.start();
	// HubSpot-like: a rolling window per credential, 429 + Retry-After beyond it; no remaining/reset headers, so
	// each process learns nothing of the others from the answers.
	sim.rateLimiter.setRule(
		windowRule({
			name: 'rest',
			limit: LIMIT,
			windowMs: WINDOW_MS,
			mode: 'sliding',
			headers: 'none',
		}),
	);
});
beforeEach(() => {
	sim.log.reset();
	sim.rateLimiter.reset();
	prefix = `crm-connectors-test:${randomBytes(6).toString('hex')}:`;
});
afterEach(async () => {
	const keys = await admin.keys(`${prefix}*`);
	if (keys.length > 0) await admin.del(...keys);
});
afterAll(async () => {
	await admin.quit();
	await sim.stop();
	removeChildren(outDir);
});

/** Most arrivals in any [t, t + WINDOW_MS). */
function peakPerWindow(at: number[]): number {
	const sorted = [...at].sort((a, b) => a - b);
	let peak = 0;
	let from = 0;
	for (let to = 0; to < sorted.length; to++) {
		while (sorted[to] - sorted[from] >= WINDOW_MS) from++;
		peak = Math.max(peak, to - from + 1);
	}
	return peak;
}

async function runProcesses(env: Record<string, string>) {
	const children = [1, 2, 3].map(() =>
		child(outDir!, SCRIPT, {
			baseUrl: contract.baseUrl,
			apiKey: contract.apiKey,
			requests: PER_PROCESS,
			maxRequests: LIMIT,
			intervalMs: WINDOW_MS,
			env,
		}),
	);
	expect(await Promise.all(children.map((c) => c.next()))).toEqual(['ready', 'ready', 'ready']);
	const t0 = Date.now();
	for (const c of children) c.send('go');
	const results = (await Promise.all(children.map((c) => c.next()))) as ChildResult[];
	const seconds = (Date.now() - t0) / 1000;
	expect(await Promise.all(children.map((c) => c.exited))).toEqual([0, 0, 0]);
	const entries = sim.log.entries({ kind: 'list' });
	return {
		results,
		seconds,
		arrivals: entries.length,
		peakAll: peakPerWindow(entries.map((e) => e.at)),
		peakAdmitted: peakPerWindow(entries.filter((e) => e.status === 200).map((e) => e.at)),
		refused: entries.filter((e) => e.status === 429).length,
	};
}

it(`shared through Redis: 3 processes × ${PER_PROCESS} requests stay within ${LIMIT} per rolling second, no 429`, async () => {
	const run = await runProcesses({ ...QUEUE_MODE, CRM_CONNECTORS_REDIS_PREFIX: prefix });
	console.log(
		`shared: ${run.arrivals} requests in ${run.seconds.toFixed(1)} s, peak ${run.peakAll} per ${WINDOW_MS} ms, ${run.refused} × 429`,
	);
	// A process that fell back to its own budget says why (before the counts it would explain).
	expect(run.results.flatMap((r) => r.warnings)).toEqual([]);
	expect(run.refused).toBe(0);
	expect(run.arrivals).toBe(3 * PER_PROCESS);
	expect(run.peakAll).toBeLessThanOrEqual(LIMIT);
	// Close to the limit, not far below it: at least two thirds of it in the busiest window.
	expect(run.peakAll).toBeGreaterThanOrEqual((2 * LIMIT) / 3);
	for (const r of run.results) {
		expect(r.statuses.filter((s) => s === 200)).toHaveLength(PER_PROCESS);
		expect(r.stats.shared).toBe(true);
		expect(r.warnings).toEqual([]);
	}
	// 180 requests at 30 per rolling second cannot all start within 5 s.
	expect(run.seconds).toBeGreaterThanOrEqual((3 * PER_PROCESS) / LIMIT - 1);
	expect(run.results.reduce((sum, r) => sum + (r.stats.sharedWaitMs ?? 0), 0)).toBeGreaterThan(0);
});

it('the same run with sharing off (CRM_CONNECTORS_REDIS_URL=off): each process at the limit, together beyond it', async () => {
	const run = await runProcesses({ ...QUEUE_MODE, CRM_CONNECTORS_REDIS_URL: 'off' });
	console.log(
		`per process: ${run.arrivals} requests in ${run.seconds.toFixed(1)} s, peak ${run.peakAll} per ${WINDOW_MS} ms, ${run.refused} × 429`,
	);
	expect(run.peakAll).toBeGreaterThan(LIMIT);
	expect(run.refused).toBeGreaterThan(0);
	expect(run.peakAdmitted).toBeLessThanOrEqual(LIMIT);
	for (const r of run.results) expect(r.stats.shared).toBeUndefined();
});
