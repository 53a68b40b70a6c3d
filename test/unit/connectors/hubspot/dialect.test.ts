/** HubSpot's dialect: its error bodies, the RATE_LIMITS category and the X-HubSpot-RateLimit-* headers. */
import { hubspotDialect, hubspotRateHeaders } from '../../../../core/connectors/hubspot/dialect';
import { hubspotClassifier } from '../../../../core/connectors/hubspot/errors';
import {
	classifyHttpError,
	clearRateBudgets,
	HttpClient,
	RateBudget,
	type HttpResponse,
} from '../../../../core/http';
import { FakeTransport, res } from '../../http/helpers';

const START = Date.UTC(2025, 0, 1);
const POST = { method: 'POST', url: 'https://host.example.com/path' };

function classify(r: HttpResponse, req = POST) {
	return classifyHttpError(r, req, { now: () => START, dialect: hubspotDialect });
}

/** Starts a request and captures its settlement without unhandled rejections. */
function start<T>(p: Promise<T>): { result: () => Promise<T> } {
	p.catch(() => undefined);
	return { result: () => p };
}

function client(transport: FakeTransport) {
	return new HttpClient({
		baseUrl: 'https://api.example.com',
		transport,
		dialect: hubspotDialect,
		rateLimit: false,
		retry: { random: () => 0 },
	});
}

describe('HubSpot dialect: classification', () => {
	it('HubSpot: TEN_SECONDLY_ROLLING and SECONDLY are short-window limits, DAILY is the daily one', () => {
		const hubspot = (policyName: string) => {
			const response = res(
				429,
				{
					status: 'error',
					message: 'You have reached your limit.',
					errorType: 'RATE_LIMIT',
					correlationId: 'c-1',
					policyName,
				},
				{
					'x-hubspot-ratelimit-interval-milliseconds': '10000',
					'x-hubspot-ratelimit-remaining': '0',
				},
			);
			const base = classify(response);
			return hubspotClassifier()(response, POST, base, { attempt: 1 }) ?? base;
		};
		const rolling = hubspot('TEN_SECONDLY_ROLLING');
		expect(rolling.retryable).toBeUndefined();
		expect(rolling.retryAfterMs).toBe(1000);
		expect(rolling.hint).toMatch(
			/rolling 10-second limit \(TEN_SECONDLY_ROLLING\) was reached — not the daily limit/,
		);
		expect(hubspot('SECONDLY').hint).toMatch(/per-second limit .* not the daily limit/);
		const daily = hubspot('DAILY');
		expect(daily.retryable).toBe(false);
		expect(daily.hint).toMatch(/daily API call limit/);
	});

	it('the RATE_LIMITS category is rateLimited whatever the status', () => {
		const body = { status: 'error', message: 'limit', category: 'RATE_LIMITS', correlationId: 'c' };
		expect(classify(res(400, body)).kind).toBe('rateLimited');
		expect(classifyHttpError(res(400, body), POST).kind).toBe('validation');
	});
});

describe('HubSpot dialect: the code and message', () => {
	it('HubSpot {status, message, category, correlationId, errors}', () => {
		const err = classify(
			res(400, {
				status: 'error',
				message: 'Property values were not valid',
				correlationId: 'aeb5f871-7f07-4993-9211-075dc63e7cbf',
				category: 'VALIDATION_ERROR',
				errors: [
					{
						message: 'Property "foo" does not exist',
						code: 'PROPERTY_DOESNT_EXIST',
						context: { propertyName: ['foo'] },
					},
				],
			}),
		);
		expect(err).toMatchObject({
			crmCode: 'VALIDATION_ERROR',
			crmMessage: 'Property values were not valid',
			kind: 'validation',
		});
		expect(err.message).toBe(
			'VALIDATION_ERROR: Property values were not valid [fields: foo] [correlationId: aeb5f871-7f07-4993-9211-075dc63e7cbf] (HTTP 400 POST https://host.example.com/path)',
		);
	});
});

describe('HubSpot dialect: rate-limit headers', () => {
	beforeEach(() => jest.useFakeTimers({ now: START }));
	afterEach(() => {
		clearRateBudgets();
		jest.useRealTimers();
	});

	it('reads remaining, max, the interval and the daily remaining', () => {
		expect(
			hubspotRateHeaders(
				{
					'x-hubspot-ratelimit-remaining': '7',
					'x-hubspot-ratelimit-max': '100',
					'x-hubspot-ratelimit-interval-milliseconds': '10000',
					'x-hubspot-ratelimit-daily-remaining': '0',
				},
				START,
			),
		).toEqual({
			remaining: 7,
			limit: 100,
			resetAfterMs: 10_000,
			// The interval is the rolling window's length: the budget bounds the wait by its own oldest request.
			rolling: true,
			source: 'HubSpot',
			dailyRemaining: 0,
			dailySource: 'HubSpot',
		});
		expect(hubspotRateHeaders({ 'x-ratelimit-remaining': '7' }, START)).toBeUndefined();
	});

	it('lowers the allowance to what the server says remains', async () => {
		const budget = new RateBudget({ maxRequests: 100, intervalMs: 10_000, maxConcurrent: 10 });
		// The local count thinks 99 remain; HubSpot says 2 remain in its 10 s window.
		await budget.schedule(async () =>
			budget.observe(
				{
					'x-hubspot-ratelimit-remaining': '2',
					'x-hubspot-ratelimit-interval-milliseconds': '10000',
					'x-hubspot-ratelimit-max': '100',
				},
				hubspotRateHeaders,
			),
		);
		const starts: number[] = [];
		const jobs = Array.from({ length: 5 }, () =>
			budget.schedule(async () => starts.push(Date.now() - START)),
		);
		await jest.advanceTimersByTimeAsync(9999);
		expect(starts).toEqual([0, 0]);
		expect(budget.stats().serverRemaining).toBe(0);
		await jest.advanceTimersByTimeAsync(1);
		await Promise.all(jobs);
		expect(starts).toEqual([0, 0, 10_000, 10_000, 10_000]);
	});

	it('without the reader the budget does not know the HubSpot headers', async () => {
		const budget = new RateBudget({ maxRequests: 100, intervalMs: 10_000, maxConcurrent: 10 });
		await budget.schedule(async () => budget.observe({ 'x-hubspot-ratelimit-remaining': '0' }));
		expect(budget.stats().serverRemaining).toBeUndefined();
	});

	it('uses the HubSpot interval when remaining is 0', async () => {
		const t = new FakeTransport([
			res(
				429,
				{
					status: 'error',
					message: 'You have reached your secondly limit.',
					category: 'RATE_LIMITS',
					correlationId: 'c-1',
				},
				{
					'x-hubspot-ratelimit-remaining': '0',
					'x-hubspot-ratelimit-interval-milliseconds': '10000',
				},
			),
			res(200, 'ok'),
		]);
		const call = start(
			client(t).request({ method: 'POST', url: '/crm/v3/objects/contacts/search', body: {} }),
		);
		await jest.advanceTimersByTimeAsync(9999);
		expect(t.calls).toHaveLength(1);
		await jest.advanceTimersByTimeAsync(1);
		expect(t.calls).toHaveLength(2);
		await call.result();
	});
});
