import {
	classifyHttpError,
	CrmError,
	extractCrmError,
	kindForStatus,
	transportError,
	type HttpResponse,
} from '../../../core/http';
import { hubspotClassifier } from '../../../core/connectors/hubspot/errors';
import {
	describeRequestError,
	isDailyLimitError,
} from '../../../core/connectors/salesforce/errors';
import { netError, res } from './helpers';

jest.setTimeout(10_000);

const POST = { method: 'POST', url: 'https://host.example.com/path' };

function classify(r: HttpResponse, req = POST) {
	return classifyHttpError(r, req, { now: () => Date.UTC(2025, 0, 1) });
}

describe('classifyHttpError: status → kind', () => {
	it.each([
		[401, 'authentication'],
		[403, 'permission'],
		[404, 'notFound'],
		[400, 'validation'],
		[422, 'validation'],
		[409, 'conflict'],
		[412, 'conflict'],
		[429, 'rateLimited'],
		[408, 'transient'],
		[500, 'transient'],
		[502, 'transient'],
		[503, 'transient'],
		[504, 'transient'],
	])('HTTP %i → %s', (status, kind) => {
		expect(kindForStatus(status)).toBe(kind);
		expect(classify(res(status, 'x')).kind).toBe(kind);
	});

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
			const base = classifyHttpError(response, POST);
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

	it('a plain-text 403 mentioning REQUEST_LIMIT_EXCEEDED is rateLimited too', () => {
		expect(classify(res(403, 'REQUEST_LIMIT_EXCEEDED: too many')).kind).toBe('rateLimited');
	});
});

describe('classifyHttpError: the CRM code and message', () => {
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
			extractCrmError({
				error: { code: 'X', message: { lang: 'en-US', value: 'Resource not found' } },
			}),
		).toMatchObject({ code: 'X', message: 'Resource not found' });
	});

	it('OAuth {error, error_description}', () => {
		const err = classify(
			res(400, { error: 'invalid_grant', error_description: 'authentication failure' }),
		);
		expect(err.message).toBe(
			'invalid_grant: authentication failure (HTTP 400 POST https://host.example.com/path)',
		);
	});

	it('generic {message}, {error: "..."}, GraphQL errors, RFC 7807 and plain text', () => {
		expect(classify(res(404, { message: 'Record not found' })).message).toBe(
			'Record not found (HTTP 404 POST https://host.example.com/path)',
		);
		expect(classify(res(400, { error: 'Missing field "email"' })).message).toBe(
			'Missing field "email" (HTTP 400 POST https://host.example.com/path)',
		);
		expect(classify(res(400, { code: 'E_DUP', message: 'Duplicate' })).message).toBe(
			'E_DUP: Duplicate (HTTP 400 POST https://host.example.com/path)',
		);
		expect(
			classify(
				res(400, {
					errors: [
						{
							message: 'Cannot query field "x"',
							extensions: { code: 'GRAPHQL_VALIDATION_FAILED' },
						},
					],
				}),
			).message,
		).toBe(
			'GRAPHQL_VALIDATION_FAILED: Cannot query field "x" (HTTP 400 POST https://host.example.com/path)',
		);
		expect(
			classify(res(422, { title: 'Unprocessable', detail: 'email is invalid' })).crmMessage,
		).toBe('email is invalid');
		expect(classify(res(500, 'upstream exploded')).message).toBe(
			'upstream exploded (HTTP 500 POST https://host.example.com/path)',
		);
		expect(
			classify(
				res(502, '<html><head><title>502 Bad Gateway</title></head><body>nginx</body></html>'),
			).crmMessage,
		).toBe('502 Bad Gateway');
		expect(classify(res(503, Buffer.from('{"message":"in a buffer"}'))).crmMessage).toBe(
			'in a buffer',
		);
	});

	it('an empty body falls back to the status text', () => {
		expect(
			classify(res(404, undefined), { method: 'get', url: 'https://h.example.com/a' }).message,
		).toBe('Not Found (HTTP 404 GET https://h.example.com/a)');
	});

	it('carries the response headers (redacted) for the retry policy', () => {
		const err = classify(res(429, 'x', { 'Retry-After': '5', 'Set-Cookie': 'sid=abc123456789' }));
		expect(err.responseHeaders).toEqual({ 'retry-after': '5', 'set-cookie': '[REDACTED]' });
		expect(err.retryAfterMs).toBe(5000);
	});
});

describe('transportError', () => {
	const req = { method: 'POST', url: 'https://api.example.com/records' };

	it.each(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH'])(
		'%s → transient, never reached the server',
		(code) => {
			const err = transportError(netError(code, `getaddrinfo ${code} api.example.com`), req);
			expect(err).toMatchObject({ kind: 'transient', reachedServer: false, networkCode: code });
			expect(err.message).toContain('the request never reached the server');
		},
	);

	it('a connect timeout never reached the server', () => {
		expect(
			transportError(netError('ETIMEDOUT', 'connect ETIMEDOUT 10.1.1.1:443', 'connect'), req)
				.reachedServer,
		).toBe(false);
	});

	it.each([
		['ECONNRESET', 'read ECONNRESET'],
		['ECONNRESET', 'socket hang up'],
		['ETIMEDOUT', 'timeout of 60000ms exceeded'],
		['ECONNABORTED', 'timeout of 60000ms exceeded'],
	])('%s (%s) → transient, may have been processed', (code, message) => {
		const err = transportError(netError(code, message), req);
		expect(err).toMatchObject({ kind: 'transient', reachedServer: true });
		expect(err.message).toContain('the server may have processed it');
	});

	it('an axios-style wrapper is unwrapped through cause', () => {
		const inner = netError('ECONNREFUSED', 'connect ECONNREFUSED 127.0.0.1:9');
		const outer = Object.assign(new Error('Network Error'), { code: 'ERR_NETWORK', cause: inner });
		expect(transportError(outer, req)).toMatchObject({
			reachedServer: false,
			networkCode: 'ECONNREFUSED',
		});
	});

	it('certificate errors are fatal (retrying cannot fix them) and never reached the server', () => {
		const err = transportError(netError('CERT_HAS_EXPIRED', 'certificate has expired'), req);
		expect(err).toMatchObject({ kind: 'fatal', reachedServer: false });
		expect(err.hint).toContain('certificate');
	});

	it('aborts are fatal and not retryable', () => {
		const err = transportError(
			Object.assign(new Error('canceled'), { code: 'ERR_CANCELED', name: 'CanceledError' }),
			req,
		);
		expect(err).toMatchObject({ kind: 'fatal', networkCode: 'ABORTED', retryable: false });
	});

	it('returns an existing CrmError unchanged', () => {
		const e = new CrmError('x', { kind: 'fatal' });
		expect(transportError(e, req)).toBe(e);
	});
});

describe('CrmError', () => {
	it('addNote updates message and stack consistently', () => {
		const e = new CrmError('base message', { kind: 'transient' });
		e.addNote('extra');
		expect(e.message).toBe('base message — extra');
		expect(e.stack?.split('\n')[0]).toBe('CrmError: base message — extra');
	});

	it('toJSON holds the fields, not undefined ones', () => {
		const e = new CrmError('m', {
			kind: 'validation',
			status: 400,
			crmCode: 'C',
			request: { method: 'GET', url: 'https://x.example.com' },
		});
		expect(JSON.parse(JSON.stringify(e))).toEqual({
			name: 'CrmError',
			kind: 'validation',
			message: 'm',
			status: 400,
			crmCode: 'C',
			request: { method: 'GET', url: 'https://x.example.com' },
		});
		expect(String(e)).toBe('CrmError: m');
	});
});
