import {
	clearRateBudgets,
	CrmError,
	HttpClient,
	isCrmError,
	RetryPolicy,
	UNSAFE_WRITE_NOTE,
	type HttpRequest,
	type RetryEvent,
} from '../../../core/http';
import { FakeTransport, netError, res } from './helpers';

const START = Date.UTC(2025, 0, 1, 0, 0, 0);

function client(
	transport: FakeTransport,
	retry: ConstructorParameters<typeof RetryPolicy>[0] = {},
) {
	return new HttpClient({
		baseUrl: 'https://api.example.com',
		transport,
		rateLimit: false,
		retry: { random: () => 0, ...retry },
	});
}

/** Starts a request and captures its settlement without unhandled rejections. */
function start<T>(p: Promise<T>): { done: () => boolean; result: () => Promise<T> } {
	let settled = false;
	const wrapped = p.then(
		(v) => {
			settled = true;
			return v;
		},
		(e: unknown) => {
			settled = true;
			throw e;
		},
	);
	wrapped.catch(() => undefined);
	return { done: () => settled, result: () => wrapped };
}

async function expectCrmError(p: Promise<unknown>): Promise<CrmError> {
	const outcome = await p.then(
		() => new Error('expected the call to fail'),
		(err: unknown) => err,
	);
	if (!isCrmError(outcome))
		throw new Error(`expected a CrmError rejection, got: ${String(outcome)}`);
	return outcome;
}

beforeEach(() => {
	jest.useFakeTimers({ now: START });
});
afterEach(() => {
	clearRateBudgets();
	jest.useRealTimers();
});

describe('Retry-After', () => {
	it('waits exactly the seconds the server asked for before retrying', async () => {
		const t = new FakeTransport([
			res(429, { message: 'slow down' }, { 'Retry-After': '3' }),
			res(200, { ok: true }),
		]);
		const call = start(client(t).request({ method: 'GET', url: '/contacts' }));
		await jest.advanceTimersByTimeAsync(2999);
		expect(t.calls).toHaveLength(1);
		expect(call.done()).toBe(false);
		await jest.advanceTimersByTimeAsync(1);
		expect(t.calls).toHaveLength(2);
		expect(t.calls[1].at - t.calls[0].at).toBe(3000);
		const response = await call.result();
		expect(response.body).toEqual({ ok: true });
		expect(response.retry.attempts).toBe(2);
		expect(response.retry.waitsMs).toEqual([3000]);
		expect(response.retry.totalWaitMs).toBe(3000);
		expect(response.retry.reasons[0]).toMatch(
			/attempt 1: HTTP 429 rateLimited → retry in 3000 ms \(Retry-After 3 s\)/,
		);
	});

	it('honours the HTTP-date form', async () => {
		const retryAt = new Date(START + 7000).toUTCString();
		const t = new FakeTransport([
			res(503, 'maintenance', { 'retry-after': retryAt }),
			res(200, 'ok'),
		]);
		const call = start(client(t).request({ method: 'GET', url: '/x' }));
		await jest.advanceTimersByTimeAsync(6999);
		expect(t.calls).toHaveLength(1);
		await jest.advanceTimersByTimeAsync(1);
		expect(t.calls).toHaveLength(2);
		expect(t.calls[1].at).toBeGreaterThanOrEqual(START + 7000);
		await expect(call.result()).resolves.toMatchObject({
			status: 200,
			retry: { attempts: 2, waitsMs: [7000] },
		});
	});

	it('never waits less than the server asked, even with jitter, and may exceed maxDelayMs when the server demands it', async () => {
		const t = new FakeTransport([res(429, undefined, { 'retry-after': '45' }), res(200, 'ok')]);
		const call = start(
			client(t, { random: () => 0.999, maxDelayMs: 10_000, baseDelayMs: 500 }).request({
				method: 'GET',
				url: '/x',
			}),
		);
		await jest.advanceTimersByTimeAsync(44_999);
		expect(t.calls).toHaveLength(1);
		await jest.advanceTimersByTimeAsync(1000);
		expect(t.calls).toHaveLength(2);
		const waited = t.calls[1].at - t.calls[0].at;
		expect(waited).toBeGreaterThanOrEqual(45_000);
		expect(waited).toBeLessThanOrEqual(45_500);
		await call.result();
	});

	it('uses X-RateLimit-Reset (epoch seconds) when a 429 has no Retry-After', async () => {
		const reset = String(Math.floor(START / 1000) + 4);
		const t = new FakeTransport([
			res(429, undefined, { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': reset }),
			res(200, 'ok'),
		]);
		const call = start(client(t).request({ method: 'GET', url: '/x' }));
		await jest.advanceTimersByTimeAsync(3999);
		expect(t.calls).toHaveLength(1);
		await jest.advanceTimersByTimeAsync(1);
		expect(t.calls).toHaveLength(2);
		await call.result();
	});
});

describe('only safe writes are retried', () => {
	it('POST answered 500 is not retried: one attempt and a clear message', async () => {
		const t = new FakeTransport([res(500, { message: 'Internal error' }), res(201, { id: 1 })]);
		const err = await expectCrmError(
			client(t).request({ method: 'POST', url: '/records', body: { name: 'A' } }),
		);
		expect(t.calls).toHaveLength(1);
		expect(err.kind).toBe('transient');
		expect(err.attempts).toBe(1);
		expect(err.message).toBe(
			`Internal error (HTTP 500 POST https://api.example.com/records) — ${UNSAFE_WRITE_NOTE}`,
		);
		expect(err.retry).toEqual({
			attempts: 1,
			waitsMs: [],
			totalWaitMs: 0,
			reasons: [`attempt 1: HTTP 500 transient → ${UNSAFE_WRITE_NOTE}`],
		});
	});

	it('POST that timed out (may have reached the server) is not retried', async () => {
		const t = new FakeTransport([
			netError('ETIMEDOUT', 'timeout of 60000ms exceeded'),
			res(201, {}),
		]);
		const err = await expectCrmError(
			client(t).request({ method: 'POST', url: '/records', body: {} }),
		);
		expect(t.calls).toHaveLength(1);
		expect(err.reachedServer).toBe(true);
		expect(err.message).toContain(UNSAFE_WRITE_NOTE);
	});

	it('PATCH answered 502 is not retried either (PATCH is not idempotent by default)', async () => {
		const t = new FakeTransport([res(502, 'Bad Gateway'), res(204)]);
		await expectCrmError(client(t).request({ method: 'PATCH', url: '/records/1', body: {} }));
		expect(t.calls).toHaveLength(1);
	});

	it('POST that got ECONNREFUSED (never reached the server) is retried', async () => {
		const t = new FakeTransport([
			netError('ECONNREFUSED', 'connect ECONNREFUSED 10.0.0.1:443', 'connect'),
			res(201, { id: 7 }),
		]);
		const call = start(client(t).request({ method: 'POST', url: '/records', body: { name: 'A' } }));
		await jest.advanceTimersByTimeAsync(1000);
		const response = await call.result();
		expect(t.calls).toHaveLength(2);
		expect(response.status).toBe(201);
		expect(response.retry.reasons[0]).toMatch(
			/ECONNREFUSED transient .*the request never reached the server/,
		);
	});

	it('POST marked idempotent (upsert by key) that got 502 is retried', async () => {
		const t = new FakeTransport([
			res(502, 'Bad Gateway'),
			res(502, 'Bad Gateway'),
			res(200, { ok: true }),
		]);
		const call = start(
			client(t, { jitter: 'none', baseDelayMs: 100 }).request({
				method: 'POST',
				url: '/upsert',
				body: {},
				idempotent: true,
			}),
		);
		await jest.advanceTimersByTimeAsync(99);
		expect(t.calls).toHaveLength(1);
		await jest.advanceTimersByTimeAsync(1);
		expect(t.calls).toHaveLength(2);
		await jest.advanceTimersByTimeAsync(200);
		expect(t.calls).toHaveLength(3);
		const response = await call.result();
		expect(response.retry.waitsMs).toEqual([100, 200]);
	});

	it('429 on a POST is retried after Retry-After (rejected before processing)', async () => {
		const t = new FakeTransport([res(429, undefined, { 'retry-after': '2' }), res(201, { id: 1 })]);
		const call = start(client(t).request({ method: 'POST', url: '/records', body: {} }));
		await jest.advanceTimersByTimeAsync(1999);
		expect(t.calls).toHaveLength(1);
		await jest.advanceTimersByTimeAsync(1);
		expect(t.calls).toHaveLength(2);
		await expect(call.result()).resolves.toMatchObject({ status: 201 });
	});

	it('503 with Retry-After on a POST is retried; 503 without it is not', async () => {
		const withHeader = new FakeTransport([res(503, 'busy', { 'retry-after': '1' }), res(201, {})]);
		const call = start(client(withHeader).request({ method: 'POST', url: '/r', body: {} }));
		await jest.advanceTimersByTimeAsync(1000);
		await expect(call.result()).resolves.toMatchObject({ status: 201 });

		const without = new FakeTransport([res(503, 'busy'), res(201, {})]);
		await expectCrmError(client(without).request({ method: 'POST', url: '/r', body: {} }));
		expect(without.calls).toHaveLength(1);
	});

	it('GET answered 500 is retried with exponential backoff up to maxAttempts', async () => {
		const t = new FakeTransport([res(500, { message: 'boom' })]);
		const call = start(
			client(t, { jitter: 'none', baseDelayMs: 100, maxAttempts: 4 }).request({
				method: 'GET',
				url: '/x',
			}),
		);
		await jest.advanceTimersByTimeAsync(10_000);
		const err = await expectCrmError(call.result());
		expect(t.calls.map((c) => c.at - START)).toEqual([0, 100, 300, 700]);
		expect(err.attempts).toBe(4);
		expect(err.retry?.waitsMs).toEqual([100, 200, 400]);
		expect(err.message).toMatch(/gave up after 4 attempts \(waited 0\.7 s in total\)$/);
	});

	it('does not retry validation errors', async () => {
		const t = new FakeTransport([
			res(400, [
				{ message: "No such column 'Foo' on sobject of type Account", errorCode: 'INVALID_FIELD' },
			]),
		]);
		const err = await expectCrmError(client(t).request({ method: 'GET', url: '/x' }));
		expect(t.calls).toHaveLength(1);
		expect(err.kind).toBe('validation');
	});
});

describe('total wait cap', () => {
	it('stops when the next wait would exceed maxTotalWaitMs and says so', async () => {
		const t = new FakeTransport([res(503, 'down')]);
		const call = start(
			client(t, {
				jitter: 'none',
				baseDelayMs: 1000,
				maxAttempts: 10,
				maxTotalWaitMs: 5000,
			}).request({ method: 'GET', url: '/x' }),
		);
		await jest.advanceTimersByTimeAsync(60_000);
		const err = await expectCrmError(call.result());
		// waits 1 s + 2 s = 3 s; the next (4 s) would make 7 s > 5 s.
		expect(t.calls).toHaveLength(3);
		expect(err.retry?.waitsMs).toEqual([1000, 2000]);
		expect(err.retry?.totalWaitMs).toBe(3000);
		expect(err.message).toContain(
			'stopped retrying: the next wait of 4 s would exceed the total retry wait cap of 5 s (maxTotalWaitMs)',
		);
	});

	it('fails at once with a rateLimited error when the server demands more than the cap', async () => {
		const t = new FakeTransport([
			res(503, 'maintenance', { 'retry-after': '300' }),
			res(200, 'ok'),
		]);
		const err = await expectCrmError(
			client(t, { maxTotalWaitMs: 120_000 }).request({ method: 'GET', url: '/x' }),
		);
		expect(t.calls).toHaveLength(1);
		expect(err.kind).toBe('rateLimited');
		expect(err.retryAfterMs).toBe(300_000);
		expect(err.message).toContain('the server asked to wait 300 s (Retry-After)');
		expect(err.message).toContain(new Date(START + 300_000).toISOString());
	});
});

describe('RetryPolicy unit behaviour', () => {
	const mk = (status: number, headers: Record<string, string> = {}) =>
		new CrmError('x', {
			kind: status === 429 ? 'rateLimited' : 'transient',
			status,
			responseHeaders: headers,
		});

	it('computes full, equal and no jitter from the injected random source, capped by maxDelayMs', () => {
		const full = new RetryPolicy({
			baseDelayMs: 1000,
			maxDelayMs: 5000,
			jitter: 'full',
			random: () => 0.5,
		});
		const equal = new RetryPolicy({
			baseDelayMs: 1000,
			maxDelayMs: 5000,
			jitter: 'equal',
			random: () => 0.5,
		});
		const none = new RetryPolicy({ baseDelayMs: 1000, maxDelayMs: 5000, jitter: 'none' });
		expect([1, 2, 3, 4, 5].map((a) => none.computeDelay(a, mk(500)))).toEqual([
			1000, 2000, 4000, 5000, 5000,
		]);
		expect([1, 2, 3].map((a) => full.computeDelay(a, mk(500)))).toEqual([500, 1000, 2000]);
		expect([1, 2, 3].map((a) => equal.computeDelay(a, mk(500)))).toEqual([750, 1500, 3000]);
	});

	it('reads RateLimit-Reset as delta seconds and Retry-After-Ms', () => {
		const p = new RetryPolicy({ jitter: 'none', now: () => START });
		expect(
			p.computeDelay(1, mk(429, { 'ratelimit-remaining': '0', 'ratelimit-reset': '12' })),
		).toBe(12_000);
		expect(p.computeDelay(1, mk(429, { 'retry-after-ms': '1500' }))).toBe(1500);
		// A reset header while requests remain is no reason to wait for it.
		expect(
			p.computeDelay(1, mk(503, { 'x-ratelimit-remaining': '40', 'x-ratelimit-reset': '30' })),
		).toBe(500);
	});

	it('calls onRetry before each wait and rethrows non-CrmError exceptions (bugs) without retrying', async () => {
		const events: RetryEvent[] = [];
		const policy = new RetryPolicy({
			random: () => 0,
			onRetry: (e) => events.push(e),
			sleep: async () => undefined,
		});
		let n = 0;
		const req: HttpRequest = { method: 'GET', url: 'https://x.test/a' };
		const out = await policy.execute(req, async () => {
			n++;
			if (n < 3) throw new CrmError('temporarily down', { kind: 'transient', status: 503 });
			return 'ok';
		});
		expect(out.value).toBe('ok');
		expect(events.map((e) => e.attempt)).toEqual([1, 2]);
		await expect(
			policy.execute(req, async () => {
				throw new TypeError('bug');
			}),
		).rejects.toThrow(TypeError);
	});

	it('an abort signal cancels the wait', async () => {
		const t = new FakeTransport([res(503, 'x', { 'retry-after': '10' })]);
		const controller = new AbortController();
		const call = start(client(t).request({ method: 'GET', url: '/x', signal: controller.signal }));
		await jest.advanceTimersByTimeAsync(1000);
		controller.abort();
		const err = await expectCrmError(call.result());
		expect(err.networkCode).toBe('ABORTED');
		expect(t.calls).toHaveLength(1);
	});

	it('rejects invalid options with a clear error', () => {
		expect(() => new RetryPolicy({ maxAttempts: 0 })).toThrow(
			'Invalid retry option maxAttempts=0: must be a number ≥ 1',
		);
	});
});
