import {
	BearerAuth,
	clearRateBudgets,
	CrmError,
	getRateBudget,
	HttpClient,
	OAuth2ClientCredentialsAuth,
	rateBudgetKey,
	RateBudget,
} from '../../../core/http';
import { FakeTransport, res, rejection } from './helpers';

jest.setTimeout(10_000);

const START = Date.UTC(2025, 0, 1);
const BASE = 'https://api.example.com/v1';

beforeEach(() => jest.useFakeTimers({ now: START }));
afterEach(() => {
	clearRateBudgets();
	jest.useRealTimers();
});

describe('HttpClient', () => {
	it('resolves relative URLs, merges default headers, applies auth and returns the body with json()', async () => {
		const t = new FakeTransport([res(200, { id: 'a1' })]);
		const client = new HttpClient({
			baseUrl: BASE,
			transport: t,
			auth: new BearerAuth({ token: 'tok-1234567' }),
			headers: { 'X-Client': 'n8n' },
			timeoutMs: 1234,
		});
		await expect(
			client.json<{ id: string }>({
				method: 'GET',
				url: '/accounts/a1',
				headers: { Accept: 'application/json' },
			}),
		).resolves.toEqual({ id: 'a1' });
		expect(t.calls[0].request).toMatchObject({
			method: 'GET',
			url: 'https://api.example.com/v1/accounts/a1',
			headers: {
				'X-Client': 'n8n',
				Accept: 'application/json',
				Authorization: 'Bearer tok-1234567',
			},
			timeoutMs: 1234,
		});
	});

	it('throws a classified CrmError for non-2xx, with the retry report', async () => {
		const t = new FakeTransport([
			res(404, { error: { code: '0x80040217', message: 'account With Id = 1 Does Not Exist' } }),
		]);
		const err = await rejection(
			new HttpClient({ baseUrl: BASE, transport: t }).request({
				method: 'GET',
				url: '/accounts(1)',
			}),
		);
		expect(err).toMatchObject({
			kind: 'notFound',
			status: 404,
			crmCode: '0x80040217',
			attempts: 1,
		});
		expect(err.message).toBe(
			'0x80040217: account With Id = 1 Does Not Exist (HTTP 404 GET https://api.example.com/v1/accounts(1))',
		);
		expect(err.retry).toEqual({ attempts: 1, waitsMs: [], totalWaitMs: 0, reasons: [] });
	});

	it('okStatuses returns those statuses instead of throwing', async () => {
		const t = new FakeTransport([res(404, { message: 'nope' })]);
		const r = await new HttpClient({ baseUrl: BASE, transport: t, okStatuses: [404] }).request({
			method: 'GET',
			url: '/x',
		});
		expect(r.status).toBe(404);
	});

	it('a classify hook can override the classification', async () => {
		const t = new FakeTransport([
			res(400, { error: { code: 'RateLimitedCustom', message: 'slow down' } }),
			res(200, 'ok'),
		]);
		const client = new HttpClient({
			baseUrl: BASE,
			transport: t,
			rateLimit: false,
			retry: { random: () => 0 },
			classify: (response, request, fallback) =>
				fallback.crmCode === 'RateLimitedCustom'
					? new CrmError(fallback.message, {
							kind: 'rateLimited',
							status: response.status,
							request,
							retryAfterMs: 1500,
						})
					: undefined,
		});
		const p = client.request({ method: 'GET', url: '/x' });
		await jest.advanceTimersByTimeAsync(1500);
		await expect(p).resolves.toMatchObject({ status: 200, retry: { waitsMs: [1500] } });
	});

	it('json() rejects a JSON content type whose body does not parse', async () => {
		const t = new FakeTransport([
			{ status: 200, headers: { 'content-type': 'application/json' }, body: '{"trunc', url: '' },
		]);
		const err = await rejection(
			new HttpClient({ baseUrl: BASE, transport: t }).json({ method: 'GET', url: '/x' }),
		);
		expect(err.message).toBe(
			'The response is not valid JSON although its content type is application/json (HTTP 200 GET https://api.example.com/v1/x)',
		);
	});

	it('counts every request sent, retries included (API calls per record)', async () => {
		const t = new FakeTransport([res(503, 'busy'), res(200, 'a'), res(200, 'b')]);
		const client = new HttpClient({ baseUrl: BASE, transport: t, retry: { random: () => 0 } });
		const p = Promise.all([
			client.request({ method: 'GET', url: '/1' }),
			client.request({ method: 'GET', url: '/2' }),
		]);
		await jest.advanceTimersByTimeAsync(1000);
		await p;
		expect(client.requestsSent).toBe(3);
		expect(client.stats()).toEqual({ requestsSent: 3, calls: 2, failures: 0, retries: 1 });
	});

	it('clients with the same credential and host share one budget', async () => {
		const auth = new BearerAuth({ token: 'shared-token-123' });
		const t = new FakeTransport([res(200, 'ok')]);
		const a = new HttpClient({
			baseUrl: BASE,
			transport: t,
			auth,
			rateLimit: { maxRequests: 2, intervalMs: 1000 },
		});
		const b = new HttpClient({ baseUrl: BASE, transport: t, auth });
		expect(a.budgetFor(BASE)).toBe(b.budgetFor(`${BASE}/other`));
		expect(a.budgetFor(BASE)).toBe(getRateBudget(rateBudgetKey(auth.id, BASE)));
		const p = Promise.all(
			[1, 2, 3, 4].map((i) => (i % 2 ? a : b).request({ method: 'GET', url: `/${i}` })),
		);
		await jest.advanceTimersByTimeAsync(1000);
		await p;
		expect(t.calls.map((c) => c.at - START)).toEqual([0, 0, 1000, 1000]);
		const other = new HttpClient({
			baseUrl: BASE,
			transport: t,
			auth: new BearerAuth({ token: 'another-token-456' }),
		});
		expect(other.budgetFor(BASE)).not.toBe(a.budgetFor(BASE));
	});

	it('feeds response headers to the budget, which paces the next requests', async () => {
		const t = new FakeTransport([
			res(200, 'first', { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': '2' }),
			res(200, 'next'),
		]);
		const client = new HttpClient({ baseUrl: BASE, transport: t, rateLimit: new RateBudget() });
		await client.request({ method: 'GET', url: '/1' });
		const p = client.request({ method: 'GET', url: '/2' });
		await jest.advanceTimersByTimeAsync(1999);
		expect(t.calls).toHaveLength(1);
		await jest.advanceTimersByTimeAsync(1);
		await p;
		expect(t.calls[1].at - START).toBe(2000);
	});

	it('a 429 pauses the shared budget for other callers too, without making the retry wait twice', async () => {
		const budget = new RateBudget({ maxConcurrent: 10 });
		const t: FakeTransport = new FakeTransport((req, i) =>
			req.url.endsWith('/limited') && i === 0
				? res(429, undefined, { 'retry-after': '3' })
				: res(200, 'ok'),
		);
		const client = new HttpClient({
			baseUrl: BASE,
			transport: t,
			rateLimit: budget,
			retry: { random: () => 0 },
		});
		const limited = client.request({ method: 'GET', url: '/limited' });
		await jest.advanceTimersByTimeAsync(10);
		const other = client.request({ method: 'GET', url: '/other' });
		await jest.advanceTimersByTimeAsync(2989);
		expect(t.calls).toHaveLength(1);
		await jest.advanceTimersByTimeAsync(1);
		await Promise.all([limited, other]);
		// The queued request and the retry both start when the pause ends (FIFO: the queued one first).
		expect(t.calls.map((c) => [c.request.url.split('/').pop(), c.at - START])).toEqual([
			['limited', 0],
			['other', 3000],
			['limited', 3000],
		]);
		expect(budget.stats().pauses).toBe(1);
	});

	it('a POST whose token request failed transiently: the token request is retried (it writes nothing), the API request sent once', async () => {
		const tokens = new FakeTransport([
			res(503, 'token service down'),
			res(200, { access_token: 'tok-abcdefgh', expires_in: 3600 }),
		]);
		const auth = new OAuth2ClientCredentialsAuth({
			tokenUrl: 'https://login.example.com/token',
			clientId: 'c',
			clientSecret: 'secret-1',
			transport: tokens,
		});
		const api = new FakeTransport([res(201, { id: 1 })]);
		const client = new HttpClient({
			baseUrl: BASE,
			transport: api,
			auth,
			rateLimit: false,
			retry: { random: () => 0 },
		});
		const p = client.request({ method: 'POST', url: '/records', body: {} });
		await jest.advanceTimersByTimeAsync(1000); // the token retry's backoff (500 ms, equal jitter)
		const r = await p;
		expect(r.status).toBe(201);
		expect(tokens.calls).toHaveLength(2);
		expect(tokens.calls[1].at - tokens.calls[0].at).toBeGreaterThanOrEqual(250);
		expect(api.calls).toHaveLength(1);
		expect(r.retry).toMatchObject({ attempts: 1, reasons: [] });
	});

	it('with rateLimit: false requests go straight to the transport', async () => {
		const t = new FakeTransport([res(200, 'ok')]);
		const client = new HttpClient({ baseUrl: BASE, transport: t, rateLimit: false });
		expect(client.budgetFor(BASE)).toBeUndefined();
		await client.request({ method: 'GET', url: '/x' });
		expect(t.calls).toHaveLength(1);
	});
});
