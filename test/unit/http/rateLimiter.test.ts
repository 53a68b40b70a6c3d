import { clearRateBudgets, getRateBudget, RateBudget, rateBudgetKey } from '../../../core/http';

const START = Date.UTC(2025, 0, 1);

beforeEach(() => {
	jest.useFakeTimers({ now: START });
});
afterEach(() => {
	clearRateBudgets();
	jest.useRealTimers();
});

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Schedules `n` jobs of `durationMs` each; records start times and the peak concurrency. */
function load(budget: RateBudget, n: number, durationMs: number, onStart?: (i: number) => void) {
	const starts: number[] = [];
	let running = 0;
	let peak = 0;
	const done = Array.from({ length: n }, (_, i) =>
		budget.schedule(async () => {
			starts.push(Date.now() - START);
			running++;
			peak = Math.max(peak, running);
			onStart?.(i);
			await sleep(durationMs);
			running--;
			return i;
		}),
	);
	return { starts, peak: () => peak, all: Promise.all(done) };
}

/** The largest number of starts inside any window [t, t + windowMs). */
function maxInWindow(starts: number[], windowMs: number): number {
	let max = 0;
	for (const t of starts)
		max = Math.max(max, starts.filter((s) => s >= t && s < t + windowMs).length);
	return max;
}

describe('RateBudget pacing', () => {
	it('keeps 10 requests per rolling second with concurrency 2 over 50 requests', async () => {
		const budget = new RateBudget({ maxRequests: 10, intervalMs: 1000, maxConcurrent: 2 });
		const run = load(budget, 50, 30);
		await jest.advanceTimersByTimeAsync(10_000);
		await expect(run.all).resolves.toHaveLength(50);
		expect(run.starts).toHaveLength(50);
		expect(maxInWindow(run.starts, 1000)).toBeLessThanOrEqual(10);
		expect(run.peak()).toBeLessThanOrEqual(2);
		expect(run.peak()).toBe(2);
		// 50 starts at 10 per second cannot finish starting before 4 s; the pace is kept, not exceeded.
		expect(Math.max(...run.starts)).toBeGreaterThanOrEqual(4000);
		expect(Math.max(...run.starts)).toBeLessThan(5000);
		const stats = budget.stats();
		expect(stats).toMatchObject({
			scheduled: 50,
			started: 50,
			completed: 50,
			running: 0,
			queued: 0,
		});
		expect(stats.throttledMs).toBeGreaterThan(3000);
	});

	it('holds the rolling window even when the burst happens at a window boundary', async () => {
		const budget = new RateBudget({ maxRequests: 5, intervalMs: 1000, maxConcurrent: 100 });
		const first = load(budget, 5, 1);
		await jest.advanceTimersByTimeAsync(900);
		const second = load(budget, 10, 1);
		await jest.advanceTimersByTimeAsync(5000);
		await Promise.all([first.all, second.all]);
		const all = [...first.starts, ...second.starts].sort((a, b) => a - b);
		expect(maxInWindow(all, 1000)).toBeLessThanOrEqual(5);
		expect(second.starts.slice(0, 5).every((s) => s >= 1000)).toBe(true);
	});

	it('spaces starts by minTimeMs', async () => {
		const budget = new RateBudget({ minTimeMs: 250, maxConcurrent: 10 });
		const run = load(budget, 4, 1);
		await jest.advanceTimersByTimeAsync(2000);
		await run.all;
		expect(run.starts).toEqual([0, 250, 500, 750]);
	});

	it('a failing job frees its slot and rejects with its own error', async () => {
		const budget = new RateBudget({ maxConcurrent: 1 });
		const a = budget.schedule(async () => {
			throw new Error('job failed');
		});
		const b = budget.schedule(async () => 'b');
		await expect(a).rejects.toThrow('job failed');
		await expect(b).resolves.toBe('b');
		expect(budget.stats()).toMatchObject({ failed: 1, completed: 1 });
	});

	it('an aborted queued job is dropped', async () => {
		const budget = new RateBudget({ maxConcurrent: 1 });
		const blocker = budget.schedule(() => sleep(1000));
		const controller = new AbortController();
		const ran = jest.fn();
		const queued = budget.schedule(async () => ran(), { signal: controller.signal });
		controller.abort();
		await expect(queued).rejects.toMatchObject({ networkCode: 'ABORTED' });
		await jest.advanceTimersByTimeAsync(1000);
		await blocker;
		expect(ran).not.toHaveBeenCalled();
	});

	it('rejects invalid options clearly', () => {
		expect(() => new RateBudget({ maxRequests: 0 })).toThrow(
			'Invalid rate budget option maxRequests=0: must be a positive integer',
		);
	});
});

describe('RateBudget.observe', () => {
	it('holds every request until the reset when the server says 0 remain', async () => {
		const budget = new RateBudget({ maxConcurrent: 5 });
		await budget.schedule(async () =>
			budget.observe({ 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': '5' }),
		);
		const starts: number[] = [];
		const jobs = [1, 2, 3].map(() => budget.schedule(async () => starts.push(Date.now() - START)));
		await jest.advanceTimersByTimeAsync(4999);
		expect(starts).toEqual([]);
		expect(budget.stats().queued).toBe(3);
		await jest.advanceTimersByTimeAsync(1);
		await Promise.all(jobs);
		expect(starts).toEqual([5000, 5000, 5000]);
		expect(budget.stats().throttledMs).toBe(5000);
	});

	it('0 remaining with no reset time: when the guessed hold ends, one request probes and the rest wait for its answer', async () => {
		const budget = new RateBudget({ maxConcurrent: 5 });
		const remaining = (n: string) => () => budget.observe({ 'x-ratelimit-remaining': n });
		await budget.schedule(remaining('0'));
		const starts: number[] = [];
		const answers = ['0', '3'];
		const jobs = [1, 2, 3, 4].map(() =>
			budget.schedule(async () => {
				starts.push(Date.now() - START);
				await sleep(100);
				const next = answers.shift();
				if (next !== undefined) remaining(next)();
			}),
		);
		await jest.advanceTimersByTimeAsync(999);
		expect(starts).toEqual([]);
		// The probe goes alone; its answer says 0 again: the next probe one guessed hold (1 s) after it.
		await jest.advanceTimersByTimeAsync(1);
		expect(starts).toEqual([1000]);
		await jest.advanceTimersByTimeAsync(1099);
		expect(starts).toEqual([1000]);
		// The second probe's answer says 3 remain: the other two go at once.
		await jest.advanceTimersByTimeAsync(1);
		expect(starts).toEqual([1000, 2100]);
		await jest.advanceTimersByTimeAsync(200);
		await Promise.all(jobs);
		expect(starts).toEqual([1000, 2100, 2200, 2200]);
	});

	it("a rolling window's 0 remaining holds until our oldest request leaves it, not the whole window", async () => {
		// HubSpot: 4 per 10 s rolling; the server says `-Interval-Milliseconds: 10000` with 0 remaining.
		const hubspot = (h: Record<string, string>) => ({
			remaining: Number(h['x-hubspot-ratelimit-remaining']),
			resetAfterMs: 10_000,
			rolling: true,
		});
		const budget = new RateBudget({ maxRequests: 4, intervalMs: 10_000, maxConcurrent: 4 });
		const starts: number[] = [];
		const request = (remaining: number) =>
			budget.schedule(async () => {
				starts.push(Date.now() - START);
				await sleep(100);
				budget.observe({ 'x-hubspot-ratelimit-remaining': String(remaining) }, hubspot);
			});
		// Four requests 1 s apart use the window; the fifth must wait for the first to leave it (at 10.1 s: it finished
		// at 0.1 s), not for a whole window after the last answer (20.1 s).
		const first = [3, 2, 1, 0].map(async (left, i) => {
			await sleep(i * 1000);
			await request(left);
		});
		await jest.advanceTimersByTimeAsync(3200);
		await Promise.all(first);
		const fifth = request(0);
		await jest.advanceTimersByTimeAsync(6899);
		expect(starts).toEqual([0, 1000, 2000, 3000]);
		await jest.advanceTimersByTimeAsync(1);
		expect(starts).toEqual([0, 1000, 2000, 3000, 10_100]);
		await jest.advanceTimersByTimeAsync(100);
		await fifth;
	});

	it('a probe answered without rate headers ends the probe state', async () => {
		const budget = new RateBudget({ maxConcurrent: 5 });
		await budget.schedule(async () => budget.observe({ 'x-ratelimit-remaining': '0' }));
		const starts: number[] = [];
		const jobs = [1, 2, 3].map(() =>
			budget.schedule(async () => {
				starts.push(Date.now() - START);
				await sleep(50);
			}),
		);
		await jest.advanceTimersByTimeAsync(1000);
		expect(starts).toEqual([1000]);
		await jest.advanceTimersByTimeAsync(100);
		await Promise.all(jobs);
		expect(starts).toEqual([1000, 1050, 1050]);
	});

	it('discounts requests still in flight from the server-reported remaining', async () => {
		const budget = new RateBudget({ maxConcurrent: 10 });
		let release: () => void = () => undefined;
		const slow = budget.schedule(() => new Promise<void>((r) => (release = r)));
		// Reported while another request is in flight: 1 remaining minus 1 in flight = 0.
		await budget.schedule(async () =>
			budget.observe({ 'ratelimit-remaining': '1', 'ratelimit-reset': '3' }),
		);
		const started = jest.fn();
		const next = budget.schedule(async () => started());
		await jest.advanceTimersByTimeAsync(2999);
		expect(started).not.toHaveBeenCalled();
		await jest.advanceTimersByTimeAsync(1);
		await next;
		expect(started).toHaveBeenCalledTimes(1);
		release();
		await slow;
	});

	it('on429 pauses the whole budget for the Retry-After time', async () => {
		const budget = new RateBudget({ maxConcurrent: 10 });
		budget.on429(3000);
		const run = load(budget, 3, 1);
		await jest.advanceTimersByTimeAsync(2999);
		expect(run.starts).toEqual([]);
		await jest.advanceTimersByTimeAsync(1);
		expect(run.starts).toEqual([3000, 3000, 3000]);
		await jest.advanceTimersByTimeAsync(10);
		await run.all;
		expect(budget.stats().pauses).toBe(1);
	});
});

describe('window counting', () => {
	it('counts a slow request until one interval after it finished, so the server never sees more than the budget', async () => {
		const budget = new RateBudget({ maxRequests: 2, intervalMs: 1000, maxConcurrent: 10 });
		// Two requests of 300 ms: the server may stamp them as late as t=300, so the next two may start at 1300.
		const run = load(budget, 4, 300);
		await jest.advanceTimersByTimeAsync(2000);
		await run.all;
		expect(run.starts).toEqual([0, 0, 1300, 1300]);
	});

	it('waits for an in-flight request to finish before reusing its slot', async () => {
		const budget = new RateBudget({ maxRequests: 1, intervalMs: 100, maxConcurrent: 10 });
		const run = load(budget, 2, 5000);
		await jest.advanceTimersByTimeAsync(4000);
		expect(run.starts).toEqual([0]);
		await jest.advanceTimersByTimeAsync(2000);
		expect(run.starts).toEqual([0, 5100]);
		await jest.advanceTimersByTimeAsync(5000);
		await run.all;
	});
});

describe('shared registry', () => {
	it('returns the same budget for the same key and another for another key', () => {
		const key = rateBudgetKey(
			'oauth2-client-credentials:abc',
			'https://org.crm.dynamics.com/api/data/v9.2',
		);
		expect(key).toBe('oauth2-client-credentials:abc@org.crm.dynamics.com');
		const a = getRateBudget(key, { maxRequests: 100, intervalMs: 10_000 });
		const b = getRateBudget(key);
		expect(b).toBe(a);
		expect(
			getRateBudget(
				rateBudgetKey('oauth2-client-credentials:other', 'https://org.crm.dynamics.com'),
			),
		).not.toBe(a);
	});

	it('a later caller with a different config updates the shared budget', async () => {
		const a = getRateBudget('k', { maxRequests: 100, intervalMs: 1000 });
		const b = getRateBudget('k', { maxRequests: 2 });
		expect(b).toBe(a);
		expect(a.config).toMatchObject({ maxRequests: 2, intervalMs: 1000 });
		const run = load(a, 4, 1);
		await jest.advanceTimersByTimeAsync(1010);
		await run.all;
		// Each job takes 1 ms; a slot frees `intervalMs` after its request finished.
		expect(run.starts).toEqual([0, 0, 1001, 1001]);
	});

	it('shares limits across callers using the same key', async () => {
		const one = getRateBudget('shared', { maxRequests: 3, intervalMs: 1000 });
		const two = getRateBudget('shared', { maxRequests: 3, intervalMs: 1000 });
		const r1 = load(one, 3, 1);
		const r2 = load(two, 3, 1);
		await jest.advanceTimersByTimeAsync(2000);
		await Promise.all([r1.all, r2.all]);
		expect([...r1.starts, ...r2.starts].sort((x, y) => x - y)).toEqual([0, 0, 0, 1001, 1001, 1001]);
	});
});
