import {
	classifyHttpError,
	CrmError,
	kindForStatus,
	transportError,
	type HttpResponse,
} from '../../../core/http';
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

	it('without a dialect the core reads only what is generic', () => {
		// A long wait from a generic API is a long-window limit, worded as such.
		expect(classify(res(429, undefined, { 'Retry-After': '7200' })).hint).toMatch(
			/wait 7200 s \(Retry-After\), a long-window/,
		);
		const generic = classify(res(429, { message: 'Too many requests' }, { 'Retry-After': '1' }));
		expect(generic.hint).toMatch(/short-window .* wait 1 s/);
		expect(generic.hint).not.toMatch(/daily limit is|24/);
		// A vendor's own rate-limit code or daily text means nothing to the generic reading.
		const body = [
			{ message: 'TotalRequests Limit exceeded.', errorCode: 'REQUEST_LIMIT_EXCEEDED' },
		];
		expect(classify(res(403, body))).toMatchObject({
			kind: 'permission',
			crmCode: 'REQUEST_LIMIT_EXCEEDED',
			retryable: undefined,
		});
		expect(classify(res(403, 'REQUEST_LIMIT_EXCEEDED: too many')).kind).toBe('permission');
		expect(classify(res(400, { error: { code: 'X', message: { value: 'v3' } } })).crmMessage).toBe(
			undefined,
		);
	});

	it('an array of errors: the first one and how many more', () => {
		const err = classify(
			res(400, [
				{ message: 'first', errorCode: 'A', fields: ['x'] },
				{ message: 'second', code: 'B' },
			]),
		);
		expect(err.message).toBe(
			'A: first (+1 more error) (HTTP 400 POST https://host.example.com/path)',
		);
	});
});

describe('classifyHttpError: the CRM code and message', () => {
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
