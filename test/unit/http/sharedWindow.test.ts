/**
 * The shared rate window on a real Redis (127.0.0.1:6379): the Lua sliding-window log (concurrent acquirers,
 * freeing after the interval, the shared pause, a dead holder's slot) and two `RateBudget`s on one window, as two
 * processes would use it. Each test uses its own key prefix and deletes its keys.
 */
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';

import {
	parseRedisUrl,
	RateBudget,
	RedisSharedWindow,
	SHARED_PAUSE_CHECK_MS,
	SharedRedis,
	type SharedRateConfig,
} from '../../../core/http';

const URL = process.env.CRM_CONNECTORS_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379/0';
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
const quiet = { warn: () => undefined };

let prefix: string;
const opened: SharedRedis[] = [];
let admin: Redis;

/** A connection as one process would have it. */
function process_(overrides: Partial<SharedRateConfig> = {}): SharedRedis {
	const redis = new SharedRedis({ ...parseRedisUrl(URL), prefix, ...overrides });
	opened.push(redis);
	return redis;
}

beforeAll(() => {
	admin = new Redis(URL, { lazyConnect: true, maxRetriesPerRequest: 1 });
});
beforeEach(() => {
	prefix = `crm-connectors-test:${randomBytes(6).toString('hex')}:`;
});
afterEach(async () => {
	await Promise.all(opened.splice(0).map((r) => r.close()));
	const keys = await admin.keys(`${prefix}*`);
	if (keys.length > 0) await admin.del(...keys);
});
afterAll(async () => {
	await admin.quit();
});

/** The largest number of [from, to) intervals covering one instant. */
function peakOverlap(spans: Array<[number, number]>): number {
	const events = spans.flatMap(([from, to]) => [
		[from, 1],
		[to, -1],
	]);
	events.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
	let current = 0;
	let peak = 0;
	for (const [, delta] of events) peak = Math.max(peak, (current += delta));
	return peak;
}

describe('the Lua window', () => {
	it('6 concurrent acquirers with max 4: never more than 4 slots whose windows overlap', async () => {
		const max = 4;
		const interval = 150;
		const spans: Array<[number, number]> = [];
		let waits = 0;
		const worker = async (redis: SharedRedis, rounds: number) => {
			for (let done = 0; done < rounds; ) {
				const reply = await redis.acquire('k', 1, max, interval, quiet);
				if (reply.members.length === 0) {
					waits++;
					expect(reply.waitMs).toBeGreaterThan(0);
					expect(reply.waitMs).toBeLessThanOrEqual(interval);
					await sleep(reply.waitMs);
					continue;
				}
				const from = Date.now();
				await sleep(Math.floor(Math.random() * 20));
				const to = Date.now();
				await redis.finish('k', reply.members, quiet);
				// The slot counts from its grant until one interval after its end (both seen from here: a
				// sub-span of what Redis counted, so an overlap found here is one Redis allowed).
				spans.push([from, to + interval]);
				done++;
			}
		};
		await Promise.all(Array.from({ length: 6 }, () => worker(process_(), 5)));
		expect(spans).toHaveLength(30);
		expect(peakOverlap(spans)).toBeLessThanOrEqual(max);
		expect(peakOverlap(spans)).toBeGreaterThanOrEqual(max - 1);
		expect(waits).toBeGreaterThan(0);
	});

	it('grants several slots in one call, up to what is free', async () => {
		const a = process_();
		expect((await a.acquire('k', 3, 5, 1000, quiet)).members).toHaveLength(3);
		const second = await a.acquire('k', 3, 5, 1000, quiet);
		expect(second.members).toHaveLength(2);
		expect(new Set(second.members).size).toBe(2);
		const third = await a.acquire('k', 1, 5, 1000, quiet);
		expect(third.members).toHaveLength(0);
		// All five are in flight: none can free before a whole interval from now.
		expect(third.waitMs).toBe(1000);
	});

	/**
	 * Asks until granted, sleeping as told (capped, to see an early grant); returns the local time of the grant's
	 * answer (not before Redis granted it). Every refusal's wait must be positive and at most `longest`.
	 */
	async function grantedAt(redis: SharedRedis, max: number, interval: number, longest: number) {
		for (;;) {
			const reply = await redis.acquire('k', 1, max, interval, quiet);
			if (reply.members.length > 0) return Date.now();
			expect(reply.waitMs).toBeGreaterThan(0);
			expect(reply.waitMs).toBeLessThanOrEqual(longest);
			await sleep(Math.min(reply.waitMs, 40));
		}
	}

	it('a finished slot frees one interval after its end, not before', async () => {
		const a = process_();
		const b = process_();
		const first = await a.acquire('k', 1, 1, 300, quiet);
		expect(first.members).toHaveLength(1);
		const finishing = Date.now(); // Redis stamps the end at or after this
		await a.finish('k', first.members, quiet);
		const at = await grantedAt(b, 1, 300, 300);
		expect(at - finishing).toBeGreaterThanOrEqual(299);
		// Not held much longer (a loaded machine delays the poll; the bound only catches a wrong interval or a hang).
		expect(at - finishing).toBeLessThan(3000);
	});

	it('a pause set by one process blocks every process for its length', async () => {
		const a = process_();
		const b = process_();
		const pausing = Date.now();
		await a.pause('k', 500, quiet);
		// A shorter pause never shortens a longer one.
		await b.pause('k', 50, quiet);
		const at = await grantedAt(b, 100, 1000, 500);
		expect(at - pausing).toBeGreaterThanOrEqual(499);
		expect(at - pausing).toBeLessThan(3000);
	});

	it('a holder that died mid-request frees its slot after the in-flight allowance (plus the interval)', async () => {
		const dying = process_({ inFlightAllowanceMs: 300 });
		const acquiring = Date.now();
		const held = await dying.acquire('k', 1, 1, 100, quiet);
		expect(held.members).toHaveLength(1);
		await dying.close(); // never finishes
		const other = process_({ inFlightAllowanceMs: 300 });
		// While it is in flight, the wait asked is one interval (it cannot end sooner than that from now).
		const at = await grantedAt(other, 1, 100, 100);
		expect(at - acquiring).toBeGreaterThanOrEqual(399);
		// Far below the default allowance (120 s): the test's own 300 ms was used.
		expect(at - acquiring).toBeLessThan(3000);
	});

	it('keys expire: an idle budget leaves nothing behind', async () => {
		const a = process_({ inFlightAllowanceMs: 100 });
		const reply = await a.acquire('k', 1, 1, 100, quiet);
		await a.finish('k', reply.members, quiet);
		const ttl = await admin.pttl(`${prefix}k`);
		expect(ttl).toBeGreaterThan(0);
		expect(ttl).toBeLessThanOrEqual(1200);
	});
});

describe('two RateBudgets (two processes) on one shared window', () => {
	it('together start at most maxRequests per interval; each alone would have started twice as many', async () => {
		const max = 8;
		const interval = 400;
		const starts: number[] = [];
		const budgets = [process_(), process_()].map((redis) => {
			const budget = new RateBudget({ maxRequests: max, intervalMs: interval, maxConcurrent: 4 });
			budget.attachSharedWindow(new RedisSharedWindow('k', () => redis, quiet));
			return budget;
		});
		const t0 = Date.now();
		await Promise.all(
			budgets.flatMap((budget) =>
				Array.from({ length: 16 }, () =>
					budget.schedule(async () => {
						starts.push(Date.now() - t0);
						await sleep(5);
					}),
				),
			),
		);
		expect(starts).toHaveLength(32);
		const peak = Math.max(
			...starts.map((t) => starts.filter((s) => s >= t && s < t + interval).length),
		);
		expect(peak).toBeLessThanOrEqual(max);
		// 32 starts at 8 per 400 ms (each slot held until 400 ms after its end): at least three windows.
		expect(Math.max(...starts)).toBeGreaterThanOrEqual(3 * interval);
		for (const budget of budgets) {
			const stats = budget.stats();
			expect(stats.shared).toBe(true);
			expect(stats.completed).toBe(16);
			expect(stats.sharedWaitMs).toBeGreaterThan(0);
			// Shared waits count in the throttled time (each measured on its own: a millisecond of rounding apart).
			expect(stats.throttledMs).toBeGreaterThanOrEqual((stats.sharedWaitMs ?? 0) - 5);
			budget.dispose();
		}
	});

	it('a 429 in one budget pauses the other', async () => {
		const [ra, rb] = [process_(), process_()];
		const a = new RateBudget({ maxRequests: 100, intervalMs: 1000 });
		const b = new RateBudget({ maxRequests: 100, intervalMs: 1000 });
		a.attachSharedWindow(new RedisSharedWindow('k', () => ra, quiet));
		b.attachSharedWindow(new RedisSharedWindow('k', () => rb, quiet));
		await a.schedule(() => a.on429(400));
		await sleep(20); // the pause is written asynchronously
		const t0 = Date.now();
		await b.schedule(() => undefined);
		expect(Date.now() - t0).toBeGreaterThanOrEqual(300);
		expect(b.stats().pauses).toBe(0);
		a.dispose();
		b.dispose();
	});

	it('budgets without a request limit share 429 pauses too (checked at most every SHARED_PAUSE_CHECK_MS)', async () => {
		const [ra, rb] = [process_(), process_()];
		const a = new RateBudget({ maxConcurrent: 4 });
		const b = new RateBudget({ maxConcurrent: 4 });
		a.attachSharedWindow(new RedisSharedWindow('k', () => ra, quiet));
		b.attachSharedWindow(new RedisSharedWindow('k', () => rb, quiet));
		// Not paused: many quick starts, few pause checks (no slots are logged for an unlimited budget).
		await Promise.all(Array.from({ length: 20 }, () => b.schedule(() => undefined)));
		expect(await admin.exists(`${prefix}k`)).toBe(0);
		await a.schedule(() => a.on429(600));
		await sleep(SHARED_PAUSE_CHECK_MS + 20); // b's last check is older than the check delay
		const t0 = Date.now();
		await b.schedule(() => undefined);
		expect(Date.now() - t0).toBeGreaterThanOrEqual(250);
		expect(b.stats().sharedWaitMs).toBeGreaterThanOrEqual(250);
		a.dispose();
		b.dispose();
	});
});
