/** The Dataverse (Dynamics 365) dialect: OData error bodies, service-protection codes, x-ms-* headers. */
import {
	dataverseDialect,
	dataverseExecutionPacer,
	dataverseRateHeaders,
	executionTimeRemaining,
} from '../../../../core/connectors/dynamics/dialect';
import {
	classifyHttpError,
	CrmError,
	extractCrmError,
	RateBudget,
	RetryPolicy,
	type HttpResponse,
	UNKNOWN_RESET_PROBE_MS,
} from '../../../../core/http';
import { res } from '../../http/helpers';

const START = Date.UTC(2025, 0, 1);
const POST = { method: 'POST', url: 'https://host.example.com/path' };

function classify(r: HttpResponse, req = POST) {
	return classifyHttpError(r, req, { now: () => START, dialect: dataverseDialect });
}

describe('Dataverse dialect: the code and message', () => {
	it('OData / Dataverse {error: {code, message}}', () => {
		const err = classify(
			res(
				429,
				{
					error: {
						code: '0x80072322',
						message:
							'Number of requests exceeded the limit of 6000 over time window of 300 seconds.',
					},
				},
				{ 'retry-after': '12' },
			),
			{ method: 'GET', url: 'https://org.crm.dynamics.com/api/data/v9.2/accounts' },
		);
		expect(err).toMatchObject({
			kind: 'rateLimited',
			crmCode: '0x80072322',
			retryAfterMs: 12_000,
			status: 429,
		});
		expect(err.message).toBe(
			'0x80072322: Number of requests exceeded the limit of 6000 over time window of 300 seconds. (HTTP 429 GET https://org.crm.dynamics.com/api/data/v9.2/accounts)',
		);
	});

	it('OData v3 message objects', () => {
		expect(
			extractCrmError(
				{ error: { code: 'X', message: { lang: 'en-US', value: 'Resource not found' } } },
				dataverseDialect,
			),
		).toMatchObject({ code: 'X', message: 'Resource not found' });
	});

	it('a service-protection code is rateLimited whatever the status; without the dialect it is not', () => {
		const body = { error: { code: '0x80072321', message: 'Combined execution time exceeded' } };
		expect(classify(res(400, body)).kind).toBe('rateLimited');
		expect(classifyHttpError(res(400, body), POST).kind).toBe('validation');
	});
});

describe('Dataverse dialect: rate-limit headers', () => {
	beforeEach(() => jest.useFakeTimers({ now: START }));
	afterEach(() => jest.useRealTimers());

	it('reads the Dataverse burst header: with no history of its own, probes again after a second', async () => {
		const budget = new RateBudget({ intervalMs: 300_000 });
		await budget.schedule(async () =>
			budget.observe({ 'x-ms-ratelimit-burst-remaining-xrm-requests': '0' }, dataverseRateHeaders),
		);
		const started = jest.fn();
		const next = budget.schedule(async () => started());
		await jest.advanceTimersByTimeAsync(UNKNOWN_RESET_PROBE_MS - 1);
		expect(started).not.toHaveBeenCalled();
		await jest.advanceTimersByTimeAsync(1);
		await next;
		expect(started).toHaveBeenCalled();
	});

	it('burst exhausted: holds until its own oldest request leaves the sliding window, not a whole interval', async () => {
		// Dataverse's window is 300 s and sliding; the burst header says nothing about when it frees.
		const budget = new RateBudget({ intervalMs: 300_000, maxRequests: 6000 });
		await budget.schedule(async () => undefined); // the oldest request, finished at START
		await jest.advanceTimersByTimeAsync(200_000);
		await budget.schedule(async () =>
			budget.observe({ 'x-ms-ratelimit-burst-remaining-xrm-requests': '0' }, dataverseRateHeaders),
		);
		const started = jest.fn();
		const next = budget.schedule(async () => started());
		await jest.advanceTimersByTimeAsync(99_999);
		expect(started).not.toHaveBeenCalled();
		await jest.advanceTimersByTimeAsync(1);
		await next;
		expect(started).toHaveBeenCalledTimes(1);
		expect(Date.now() - START).toBe(300_000);
	});

	it('reads x-ms-retry-after-ms for the retry policy', () => {
		const mk = (headers: Record<string, string>) =>
			new CrmError('x', { kind: 'rateLimited', status: 429, responseHeaders: headers });
		const p = new RetryPolicy({
			jitter: 'none',
			now: () => START,
			rateHeaders: dataverseRateHeaders,
		});
		expect(p.computeDelay(1, mk({ 'x-ms-retry-after-ms': '1500' }))).toBe(1500);
		expect(p.serverDelay(mk({ 'x-ms-retry-after-ms': '1500' }))?.source).toBe('Retry-After-Ms');
		const generic = new RetryPolicy({ jitter: 'none', now: () => START, baseDelayMs: 500 });
		expect(generic.computeDelay(1, mk({ 'x-ms-retry-after-ms': '1500' }))).toBe(500);
	});

	it('reads the execution time left as Dataverse writes it (grouped, two decimals)', () => {
		const left = (v: string) =>
			executionTimeRemaining({ 'x-ms-ratelimit-time-remaining-xrm-requests': v });
		expect(left('1,199,600.00')).toBe(1_199_600);
		expect(left('60000')).toBe(60_000);
		expect(left('n/a')).toBeUndefined();
		expect(executionTimeRemaining({})).toBeUndefined();
	});

	it('execution time nearly used: holds until its own oldest request leaves the window, instead of a 429', async () => {
		const pacer = dataverseExecutionPacer();
		const budget = new RateBudget({ intervalMs: 300_000, maxRequests: 5400 });
		const answer = (timeLeft: string) => async () =>
			budget.observe(
				{
					'x-ms-ratelimit-burst-remaining-xrm-requests': '5990',
					'x-ms-ratelimit-time-remaining-xrm-requests': timeLeft,
				},
				pacer,
			);
		// Batches costing 300,000 ms each: the header (time left at arrival) falls by that much per batch.
		await budget.schedule(answer('1,200,000.00')); // the oldest, finished at START
		await jest.advanceTimersByTimeAsync(10_000);
		await budget.schedule(answer('900,000.00'));
		await budget.schedule(answer('600,000.00'));
		expect(budget.stats().serverRemaining).toBe(5990); // plenty left: the burst header rules
		// Under the reserve: 5 shares (one per batch a write keeps in flight, plus one) of 60,000 of 1,200,000: hold.
		await budget.schedule(answer('290,000.00'));
		expect(budget.stats().serverRemaining).toBe(0);
		const started = jest.fn();
		const next = budget.schedule(async () => started());
		await jest.advanceTimersByTimeAsync(289_999);
		expect(started).not.toHaveBeenCalled();
		await jest.advanceTimersByTimeAsync(1);
		await next;
		expect(started).toHaveBeenCalledTimes(1);
		expect(Date.now() - START).toBe(300_000); // when the first batch's execution time left the window
	});

	it('the share is of the largest allowance seen: a small window (500 ms) is paced at its own scale', async () => {
		const pacer = dataverseExecutionPacer();
		const info = (v: string) =>
			pacer({ 'x-ms-ratelimit-time-remaining-xrm-requests': v }, START)?.remaining;
		expect(info('500.00')).toBeUndefined();
		expect(info('125.00')).toBeUndefined(); // 125 ≥ 500 × 5 / 20
		expect(info('124.00')).toBe(0);
		// Another client (another pacer) keeps its own view.
		expect(
			dataverseExecutionPacer()({ 'x-ms-ratelimit-time-remaining-xrm-requests': '20' }, START),
		).toBeUndefined();
	});
});
