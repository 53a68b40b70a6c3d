import type { AxiosResponse } from 'axios';
import {
	ConcurrencyLimiter,
	ManualClock,
	RateLimiter,
	SandboxServer,
	WindowLimiter,
	concurrencyRule,
	dailyRule,
	json,
	windowRule,
} from '../../sandbox/kit';
import { SleepGate, client } from './helpers';

const T0 = Date.UTC(2024, 0, 1, 12, 0, 0);

describe('WindowLimiter', () => {
	it('fixed windows reset on window boundaries', () => {
		const l = new WindowLimiter({ limit: 3, windowMs: 1000, mode: 'fixed' });
		const t = T0 + 200;
		for (let i = 0; i < 3; i++) {
			expect(l.peek(t, 'k').allowed).toBe(true);
			l.consume(t, 'k');
		}
		const blocked = l.peek(t + 100, 'k');
		expect(blocked).toMatchObject({
			allowed: false,
			remaining: 0,
			limit: 3,
			resetAt: T0 + 1000,
			retryAfterMs: 700,
		});
		expect(l.peek(t + 100, 'other').allowed).toBe(true);
		expect(l.peek(T0 + 1000, 'k')).toMatchObject({ allowed: true, remaining: 3 });
	});

	it('sliding windows free a slot when the oldest request leaves the window', () => {
		const l = new WindowLimiter({ limit: 2, windowMs: 10_000, mode: 'sliding' });
		l.consume(T0, 'k');
		l.consume(T0 + 4000, 'k');
		const s = l.peek(T0 + 5000, 'k');
		expect(s).toMatchObject({ allowed: false, resetAt: T0 + 10_000, retryAfterMs: 5000 });
		// a fixed window would have reset at a boundary; the sliding one admits only once T0 leaves
		expect(l.peek(T0 + 9999, 'k').allowed).toBe(false);
		expect(l.peek(T0 + 10_000, 'k')).toMatchObject({ allowed: true, remaining: 1 });
	});

	it('daily rules reset at UTC midnight', () => {
		const clock = new ManualClock(Date.UTC(2024, 0, 1, 23, 59, 0));
		const rule = dailyRule({ name: 'daily', limit: 1, clock });
		rule.limiter.consume(clock.now(), 'k');
		const s = rule.limiter.peek(clock.now(), 'k');
		expect(s.allowed).toBe(false);
		expect(s.resetAt).toBe(Date.UTC(2024, 0, 2));
	});

	it('validates settings and reconfigures at runtime', () => {
		expect(() => new WindowLimiter({ limit: -1, windowMs: 1000, mode: 'fixed' })).toThrow(
			RangeError,
		);
		expect(() => new WindowLimiter({ limit: 1, windowMs: 0, mode: 'fixed' })).toThrow(RangeError);
		const l = new WindowLimiter({ limit: 1, windowMs: 1000, mode: 'fixed' });
		l.consume(T0, 'k');
		l.configure({ limit: 2 });
		expect(l.peek(T0, 'k').allowed).toBe(true);
	});

	it('concurrency limiter counts in-flight requests', () => {
		const l = new ConcurrencyLimiter(2);
		l.consume(T0, 'k');
		l.consume(T0, 'k');
		expect(l.peek(T0, 'k').allowed).toBe(false);
		l.release('k');
		expect(l.peek(T0, 'k').allowed).toBe(true);
		expect(l.current('k')).toBe(1);
	});
});

describe('RateLimiter over HTTP', () => {
	const clock = new ManualClock(T0);
	const gate = new SleepGate();
	const server = new SandboxServer({ clock });
	const limiter = new RateLimiter({ clock });
	let base: string;

	beforeAll(async () => {
		limiter.setRule(
			windowRule({ name: 'ten-secondly', limit: 5, windowMs: 10_000, mode: 'sliding', clock }),
		);
		limiter.setRule(
			windowRule({
				name: 'search',
				limit: 2,
				windowMs: 1000,
				mode: 'fixed',
				clock,
				headers: 'ietf',
				appliesTo: (req) => req.kind === 'search',
				body: (s) => ({
					status: 'error',
					errorType: 'RATE_LIMIT',
					policyName: 'SECONDLY',
					limit: s.limit,
				}),
			}),
		);
		server.use(limiter.middleware());
		server.get('/objects', () => json({ ok: true }), { kind: 'list' });
		server.post('/search', () => json({ ok: true }), { kind: 'search' });
		server.get('/slow', async () => {
			await gate.sleep(0);
			return json({ ok: true });
		});
		base = (await server.start()).url;
	});
	afterAll(() => server.stop());
	beforeEach(() => {
		limiter.reset();
		clock.advance(60_000);
	});

	it('sends X-RateLimit headers, then 429 + Retry-After once exceeded (bounded loop)', async () => {
		const c = client(base);
		const statuses: number[] = [];
		let rejected: AxiosResponse | undefined;
		for (let i = 0; i < 20 && !rejected; i++) {
			const res = await c.get('/objects');
			statuses.push(res.status);
			if (res.status === 429) rejected = res;
			else expect(res.headers['x-ratelimit-remaining']).toBe(String(4 - i));
		}
		expect(statuses).toEqual([200, 200, 200, 200, 200, 429]);
		expect(rejected!.headers['retry-after']).toBe('10');
		expect(rejected!.headers['x-ratelimit-limit']).toBe('5');
		expect(rejected!.headers['x-ratelimit-remaining']).toBe('0');
		expect(rejected!.headers['x-ratelimit-reset']).toBe(
			String(Math.ceil((clock.now() + 10_000) / 1000)),
		);
		expect(rejected!.data.error).toBe('rate_limited');
		clock.advance(10_000);
		expect((await c.get('/objects')).status).toBe(200);
	});

	it('a narrower rule answers in its own shape and does not consume the broader one when rejecting', async () => {
		const c = client(base);
		expect((await c.post('/search')).headers['ratelimit-remaining']).toBe('1');
		expect((await c.post('/search')).status).toBe(200);
		const rejected = await c.post('/search');
		expect(rejected.status).toBe(429);
		expect(rejected.data).toEqual({
			status: 'error',
			errorType: 'RATE_LIMIT',
			policyName: 'SECONDLY',
			limit: 2,
		});
		expect(rejected.headers['ratelimit-policy']).toBe('2;w=1');
		// 2 admitted searches consumed the 10-second budget; the rejected one did not
		const list = await c.get('/objects');
		expect(list.headers['x-ratelimit-remaining']).toBe('2');
	});

	it('concurrency rule rejects while requests are in flight and releases afterwards', async () => {
		const conc = concurrencyRule({
			name: 'conc',
			max: 1,
			appliesTo: (req) => req.path === '/slow',
		});
		limiter.setRule(conc);
		try {
			const c = client(base);
			const first = c.get('/slow');
			await gate.waitForPending(1);
			const second = await c.get('/slow');
			expect(second.status).toBe(429);
			expect(second.headers['retry-after']).toBe('1');
			gate.release();
			expect((await first).status).toBe(200);
			expect(conc.limiter.current()).toBe(0);
		} finally {
			limiter.removeRule('conc');
		}
	});
});
