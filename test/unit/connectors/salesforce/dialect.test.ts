/** Salesforce's dialect: its error bodies, REQUEST_LIMIT_EXCEEDED, the daily limit and Sforce-Limit-Info. */
import {
	describeRequestError,
	isDailyLimitError,
} from '../../../../core/connectors/salesforce/errors';
import {
	salesforceDialect,
	salesforceRateHeaders,
} from '../../../../core/connectors/salesforce/dialect';
import { SalesforceConnector } from '../../../../core/connectors/salesforce/connector';
import { classifyHttpError, RateBudget, type HttpResponse } from '../../../../core/http';
import { FakeTransport, res } from '../../http/helpers';

const START = Date.UTC(2025, 0, 1);
const POST = { method: 'POST', url: 'https://host.example.com/path' };
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Schedules `n` jobs of `durationMs` each; records start times. */
function load(budget: RateBudget, n: number, durationMs: number) {
	const starts: number[] = [];
	const done = Array.from({ length: n }, () =>
		budget.schedule(async () => {
			starts.push(Date.now() - START);
			await sleep(durationMs);
		}),
	);
	return { starts, all: Promise.all(done) };
}

function classify(r: HttpResponse, req = POST) {
	return classifyHttpError(r, req, { now: () => START, dialect: salesforceDialect });
}

describe('Salesforce dialect: classification', () => {
	it('a Salesforce 403 REQUEST_LIMIT_EXCEEDED is rateLimited', () => {
		const err = classify(
			res(403, [
				{ message: 'ConcurrentPerOrgLongTxn Limit exceeded.', errorCode: 'REQUEST_LIMIT_EXCEEDED' },
			]),
		);
		expect(err.kind).toBe('rateLimited');
		expect(err.retryable).toBeUndefined();
	});

	it('the Salesforce daily limit is rateLimited but marked not retryable', () => {
		const err = classify(
			res(403, [{ message: 'TotalRequests Limit exceeded.', errorCode: 'REQUEST_LIMIT_EXCEEDED' }]),
		);
		expect(err.kind).toBe('rateLimited');
		expect(err.retryable).toBe(false);
		expect(err.hint).toContain('daily API request limit');
	});

	it('a 429 asking for a short wait is worded as a short-window limit, never as the daily one (whatever its text)', () => {
		const err = classify(
			res(
				429,
				[{ message: 'TotalRequests Limit exceeded.', errorCode: 'REQUEST_LIMIT_EXCEEDED' }],
				{ 'Retry-After': '1' },
			),
		);
		expect(err).toMatchObject({ kind: 'rateLimited', retryAfterMs: 1000 });
		expect(err.retryable).toBeUndefined(); // the wait is honoured and the request retried
		expect(err.hint).toMatch(
			/short-window API rate limit .* wait 1 s \(Retry-After\) — not the daily limit/,
		);
		expect(`${err.message} ${err.hint}`).not.toMatch(
			/daily API request limit|limit is used up|24-hour|24 h/,
		);
		expect(isDailyLimitError(err)).toBe(false);

		const generic = classify(res(429, { message: 'Too many requests' }, { 'Retry-After': '1' }));
		expect(generic.hint).toMatch(/short-window .* wait 1 s/);
		expect(generic.hint).not.toMatch(/daily limit is|24/);
	});

	it('the daily wording needs the daily text without a short wait (none, or a long-window Retry-After)', () => {
		const body = [
			{ message: 'TotalRequests Limit exceeded.', errorCode: 'REQUEST_LIMIT_EXCEEDED' },
		];
		for (const headers of [{}, { 'Retry-After': String(6 * 3600) }] as Array<
			Record<string, string>
		>) {
			const err = classify(res(403, body, headers));
			expect(err.retryable).toBe(false);
			expect(err.hint).toMatch(/daily API request limit .* rolling 24-hour window/);
			expect(isDailyLimitError(err)).toBe(true);
			expect(describeRequestError(err).code).toBe('REQUEST_LIMIT_EXCEEDED');
			expect(describeRequestError(err).message).toMatch(/daily API request limit is used up/);
		}
		const concurrent = classify(
			res(403, [
				{ message: 'ConcurrentPerOrgLongTxn Limit exceeded.', errorCode: 'REQUEST_LIMIT_EXCEEDED' },
			]),
		);
		expect(isDailyLimitError(concurrent)).toBe(false);
		expect(describeRequestError(concurrent).message).not.toMatch(/daily/);
		// A long wait from a generic API is a long-window limit, worded as such.
		expect(classify(res(429, undefined, { 'Retry-After': '7200' })).hint).toMatch(
			/wait 7200 s \(Retry-After\), a long-window/,
		);
	});

	it('a plain-text 403 mentioning REQUEST_LIMIT_EXCEEDED is rateLimited too', () => {
		expect(classify(res(403, 'REQUEST_LIMIT_EXCEEDED: too many')).kind).toBe('rateLimited');
	});
});

describe('Salesforce dialect: the code and message', () => {
	it('Salesforce [{message, errorCode, fields}]', () => {
		const err = classify(
			res(400, [
				{
					message: "No such column 'Foo__c' on sobject of type Account",
					errorCode: 'INVALID_FIELD',
					fields: ['Foo__c'],
				},
				{ message: 'second', errorCode: 'OTHER' },
			]),
		);
		expect(err.crmCode).toBe('INVALID_FIELD');
		expect(err.crmMessage).toBe("No such column 'Foo__c' on sobject of type Account");
		expect(err.message).toBe(
			"INVALID_FIELD: No such column 'Foo__c' on sobject of type Account [fields: Foo__c] (+1 more error) (HTTP 400 POST https://host.example.com/path)",
		);
		expect(err.details).toHaveLength(2);
	});
});

describe('Salesforce dialect: the connector and the rate budget use it', () => {
	beforeEach(() => jest.useFakeTimers({ now: START }));
	afterEach(() => jest.useRealTimers());

	it('warns near the Salesforce daily cap and slows down above it', async () => {
		const warn = jest.fn();
		const budget = new RateBudget({ maxConcurrent: 10, logger: { warn } });
		await budget.schedule(async () =>
			budget.observe({ 'sforce-limit-info': 'api-usage=12500/15000' }, salesforceRateHeaders),
		);
		expect(warn).toHaveBeenCalledWith('Salesforce daily API usage at 83.3% (12500/15000)');
		await budget.schedule(async () =>
			budget.observe({ 'sforce-limit-info': 'api-usage=12600/15000' }, salesforceRateHeaders),
		);
		expect(warn).toHaveBeenCalledTimes(1);
		await budget.schedule(async () =>
			budget.observe({ 'Sforce-limit-info': 'api-usage=14500/15000' }, salesforceRateHeaders),
		);
		expect(warn).toHaveBeenCalledTimes(2);
		expect(warn.mock.calls[1][0]).toContain('slowing to one request per 1000 ms');
		expect(budget.stats().daily).toEqual({ used: 14500, limit: 15000 });
		const run = load(budget, 3, 1);
		await jest.advanceTimersByTimeAsync(5000);
		await run.all;
		const gaps = run.starts.slice(1).map((s, i) => s - run.starts[i]);
		expect(gaps.every((g) => g >= 1000)).toBe(true);
	});

	it('a connector built from client options classifies with the dialect', async () => {
		const transport = new FakeTransport([
			res(403, 'REQUEST_LIMIT_EXCEEDED: TotalRequests Limit exceeded.'),
		]);
		const connector = new SalesforceConnector({
			instanceUrl: 'https://acme.my.salesforce.com',
			http: { transport, rateLimit: false, retry: { maxAttempts: 1 } },
		});
		await expect(
			connector.http.request({ method: 'GET', url: 'https://acme.my.salesforce.com/x' }),
		).rejects.toMatchObject({
			kind: 'rateLimited',
			retryable: false,
		});
		expect(transport.calls).toHaveLength(1);
	});
});
