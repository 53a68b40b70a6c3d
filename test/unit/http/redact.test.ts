import { inspect } from 'node:util';
import {
	BasicAuth,
	BearerAuth,
	clearRateBudgets,
	clearRegisteredSecrets,
	classifyHttpError,
	CrmError,
	HttpClient,
	isCrmError,
	OAuth2ClientCredentialsAuth,
	OAuth2RefreshTokenAuth,
	redactHeaders,
	redactString,
	redactValue,
	registerSecret,
	transportError,
	ApiKeyAuth,
} from '../../../core/http';
import { FakeTransport, netError, res } from './helpers';

jest.setTimeout(10_000);

afterEach(() => {
	clearRegisteredSecrets();
	clearRateBudgets();
});

/** Every textual view of an error a user, a log or n8n could see. */
function views(err: unknown): Record<string, string> {
	const e = err as Error;
	return {
		message: e.message,
		stack: String(e.stack),
		json: JSON.stringify(e),
		string: String(e),
		inspect: inspect(e),
		inspectDeep: inspect(e, { depth: null }),
		inspectHidden: inspect(e, { depth: null, showHidden: true }),
	};
}

function expectNoSecrets(err: unknown, secrets: string[]): void {
	expect(isCrmError(err)).toBe(true);
	for (const [view, text] of Object.entries(views(err))) {
		for (const secret of secrets) {
			if (text.includes(secret))
				throw new Error(`secret "${secret.slice(0, 4)}…" leaked in ${view}: ${text.slice(0, 300)}`);
		}
	}
}

async function failure(p: Promise<unknown>): Promise<unknown> {
	try {
		await p;
	} catch (err) {
		return err;
	}
	throw new Error('expected a failure');
}

describe('pattern-based redaction (no secret registered)', () => {
	it.each([
		['Authorization: Bearer abc.def-ghi_jkl', 'Authorization: [REDACTED]'],
		['header: "Bearer sk_live_51HxYzAbCdEf"', 'header: "Bearer [REDACTED]"'],
		['Proxy-Authorization: Basic dXNlcjpwYXNz', 'Proxy-Authorization: [REDACTED]'],
		['sent Basic dXNlcjpwYXNzd29yZA== to the server', 'sent Basic [REDACTED] to the server'],
		['Basic authentication failed', 'Basic authentication failed'],
		['Bearer token expired', 'Bearer token expired'],
		['Cookie: sid=abc; other=def', 'Cookie: [REDACTED]'],
		['X-Api-Key: 0123456789abcdef', 'X-Api-Key: [REDACTED]'],
		[
			'https://h.example.com/a?access_token=AT123&x=1',
			'https://h.example.com/a?access_token=[REDACTED]&x=1',
		],
		[
			'https://h.example.com/a?api_key=K1&apikey=K2&key=K3&sig=S&signature=S2',
			'https://h.example.com/a?api_key=[REDACTED]&apikey=[REDACTED]&key=[REDACTED]&sig=[REDACTED]&signature=[REDACTED]',
		],
		[
			'https://h.example.com/cb?code=AUTHCODE&state=xyz',
			'https://h.example.com/cb?code=[REDACTED]&state=xyz',
		],
		[
			'grant_type=password&username=ann&password=hunter22&client_secret=CS',
			'grant_type=password&username=ann&password=[REDACTED]&client_secret=[REDACTED]',
		],
		['assertion=eyJhbGciOi&refresh_token=RT1', 'assertion=[REDACTED]&refresh_token=[REDACTED]'],
		['{"password":"hunter22","user":"ann"}', '{"password":"[REDACTED]","user":"ann"}'],
		[
			'{"refresh_token": "rt-1", "token_type": "bearer", "expires_in": 3600}',
			'{"refresh_token": "[REDACTED]", "token_type": "bearer", "expires_in": 3600}',
		],
		['{"client_secret":"x\\"y"}', '{"client_secret":"[REDACTED]"}'],
		['https://user:pa55@h.example.com/x', 'https://[REDACTED]@h.example.com/x'],
		['tok eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl end', 'tok [REDACTED JWT] end'],
		[
			'-----BEGIN RSA PRIVATE KEY-----\nMIIEow\n-----END RSA PRIVATE KEY----- tail',
			'[REDACTED PRIVATE KEY] tail',
		],
		[
			'{"key":"-----BEGIN PRIVATE KEY-----\\nMIIEv\\n-----END PRIVATE KEY-----"}',
			'{"key":"[REDACTED PRIVATE KEY]"}',
		],
	])('%s', (input, expected) => {
		expect(redactString(input)).toBe(expected);
	});

	it('keeps OData error codes and paging tokens readable', () => {
		const odata = '{"error":{"code":"0x80072322","message":"limit"}}';
		expect(redactString(odata)).toBe(odata);
		const next =
			'https://org.crm.dynamics.com/api/data/v9.2/accounts?$skiptoken=%3Ccookie%20pagenumber=%222%22%3E';
		expect(redactString(next)).toBe(next);
		expect(
			redactString('INVALID_FIELD: No such column (HTTP 400 POST https://x.example.com/a?q=1)'),
		).toBe('INVALID_FIELD: No such column (HTTP 400 POST https://x.example.com/a?q=1)');
	});

	it('redactValue masks secret-named keys deeply without touching the input', () => {
		const input = {
			headers: { Authorization: 'Bearer x', Accept: 'json' },
			body: { user: { password: 'p', name: 'n' }, list: [{ apiKey: 'k' }] },
			code: 'E1',
		};
		const copy = JSON.parse(JSON.stringify(input));
		expect(redactValue(input)).toEqual({
			headers: { Authorization: '[REDACTED]', Accept: 'json' },
			body: { user: { password: '[REDACTED]', name: 'n' }, list: [{ apiKey: '[REDACTED]' }] },
			code: 'E1',
		});
		expect(input).toEqual(copy);
		const cyclic: Record<string, unknown> = { a: 1 };
		cyclic.self = cyclic;
		expect(redactValue(cyclic)).toEqual({ a: 1, self: '[Circular]' });
		expect(redactValue({ data: Buffer.from('abc') })).toEqual({ data: '[binary 3 bytes]' });
	});

	it('redactHeaders masks credential headers by name', () => {
		expect(
			redactHeaders({
				authorization: 'Basic x',
				'x-api-key': 'k',
				'api-key': 'k2',
				'set-cookie': ['a=1', 'b=2'],
				'content-type': 'json',
			}),
		).toEqual({
			authorization: '[REDACTED]',
			'x-api-key': '[REDACTED]',
			'api-key': '[REDACTED]',
			'set-cookie': '[REDACTED]',
			'content-type': 'json',
		});
	});
});

describe('registered secrets', () => {
	it('are masked raw, URL-encoded (either hex case), form-encoded and JSON-escaped', () => {
		const secret = 'p@ss w/rd+1"x';
		registerSecret(secret);
		expect(redactString(`raw ${secret} end`)).toBe('raw [REDACTED] end');
		expect(redactString(`q=${encodeURIComponent(secret)}&a=1`)).toBe('q=[REDACTED]&a=1');
		expect(redactString(`q=${encodeURIComponent(secret).toLowerCase()}`)).toBe('q=[REDACTED]');
		expect(redactString(`f=${new URLSearchParams({ v: secret }).toString().slice(2)}`)).toBe(
			'f=[REDACTED]',
		);
		expect(redactString(JSON.stringify({ note: `the value ${secret}` }))).toBe(
			'{"note":"the value [REDACTED]"}',
		);
	});

	it('ignores values too short to mask safely', () => {
		registerSecret('abc');
		expect(redactString('abc abc')).toBe('abc abc');
	});

	it('credential constructors register their secrets', () => {
		new ApiKeyAuth({ key: 'opaque-api-key-42' });
		new BasicAuth({ username: 'ann', password: 'correct horse' });
		new BearerAuth({ token: 'pat_0123456789' });
		expect(redactString('opaque-api-key-42 / correct horse / pat_0123456789')).toBe(
			'[REDACTED] / [REDACTED] / [REDACTED]',
		);
	});
});

describe('secrets never appear in an error', () => {
	const BEARER = 'at_9f8e7d6c5b4a39281706';
	const BASIC_PASSWORD = 'Sup3r-Secret-Pw';
	const API_KEY = 'ak_live_77aa88bb99cc';
	const CLIENT_SECRET = 'cs_5f4e3d2c1b0a';
	const JSON_PASSWORD = 'Tr0ub4dor&3-pass';
	const REFRESH = 'rt_1a2b3c4d5e6f7g8h';
	const basicHeader = `Basic ${Buffer.from(`ann:${BASIC_PASSWORD}`).toString('base64')}`;
	const ALL = [
		BEARER,
		BASIC_PASSWORD,
		API_KEY,
		CLIENT_SECRET,
		JSON_PASSWORD,
		REFRESH,
		basicHeader.slice(6),
		encodeURIComponent(JSON_PASSWORD),
	];

	/** A server that echoes back everything it received in its error body, the worst case. */
	const echo = (status: number) =>
		new FakeTransport((req) =>
			res(status, {
				message: `rejected ${req.method} ${req.url} with headers ${JSON.stringify(req.headers)} and body ${typeof req.body === 'string' ? req.body : JSON.stringify(req.body)}`,
				received: { headers: req.headers, body: req.body, qs: req.qs },
			}),
		);

	it('from responses and requests carrying each kind of secret — pattern-based only (nothing registered)', () => {
		const requestUrl = `https://api.example.com/v1/items?api_key=${API_KEY}&refresh_token=${REFRESH}`;
		const body = {
			message: `Authorization: Bearer ${BEARER} was rejected; also tried Authorization: ${basicHeader}`,
			echo: `grant_type=client_credentials&client_secret=${CLIENT_SECRET}&password=${encodeURIComponent(JSON_PASSWORD)}`,
			request: {
				password: JSON_PASSWORD,
				refresh_token: REFRESH,
				headers: { Authorization: `Bearer ${BEARER}` },
			},
		};
		clearRegisteredSecrets();
		const err = classifyHttpError(res(400, body, { 'set-cookie': `sid=${BEARER}` }), {
			method: 'POST',
			url: requestUrl,
		});
		expectNoSecrets(err, ALL);
		expect(err.request?.url).toBe(
			'https://api.example.com/v1/items?api_key=[REDACTED]&refresh_token=[REDACTED]',
		);
	});

	it('from a plain-text body quoting the raw JSON of a request', () => {
		const text = `bad request: {"password":"${JSON_PASSWORD}","refresh_token":"${REFRESH}","client_secret":"${CLIENT_SECRET}"} Bearer ${BEARER}`;
		const err = classifyHttpError(res(400, text), {
			method: 'POST',
			url: 'https://api.example.com/x',
		});
		expectNoSecrets(err, ALL);
	});

	it('from network errors whose objects carry the request config', () => {
		const raw = Object.assign(
			netError('ECONNRESET', `socket hang up while sending Authorization: Bearer ${BEARER}`),
			{
				config: {
					headers: { Authorization: `Bearer ${BEARER}` },
					data: `client_secret=${CLIENT_SECRET}`,
				},
			},
		);
		const err = transportError(raw, {
			method: 'POST',
			url: `https://api.example.com/x?api_key=${API_KEY}`,
		});
		expectNoSecrets(err, ALL);
	});

	it('through the client, with each credential type, against a server echoing the request', async () => {
		const cases: Array<{ name: string; client: HttpClient }> = [
			{
				name: 'bearer',
				client: new HttpClient({
					baseUrl: 'https://api.example.com',
					transport: echo(400),
					auth: new BearerAuth({ token: BEARER }),
					rateLimit: false,
				}),
			},
			{
				name: 'basic',
				client: new HttpClient({
					baseUrl: 'https://api.example.com',
					transport: echo(403),
					auth: new BasicAuth({ username: 'ann', password: BASIC_PASSWORD }),
					rateLimit: false,
				}),
			},
			{
				name: 'api key in query',
				client: new HttpClient({
					baseUrl: 'https://api.example.com',
					transport: echo(404),
					auth: new ApiKeyAuth({ key: API_KEY, in: 'query', name: 'key' }),
					rateLimit: false,
				}),
			},
		];
		for (const c of cases) {
			const err = await failure(
				c.client.request({
					method: 'POST',
					url: '/items',
					body: { name: 'x', password: JSON_PASSWORD },
				}),
			);
			expectNoSecrets(err, ALL);
		}
	});

	it('from the token endpoint (client_secret in the form body, refresh token) and the client', async () => {
		const tokenEcho = new FakeTransport((req) =>
			res(401, {
				error: 'invalid_client',
				error_description: `bad request body: ${String(req.body)}`,
			}),
		);
		const cc = new OAuth2ClientCredentialsAuth({
			tokenUrl: 'https://login.example.com/token',
			clientId: 'cid',
			clientSecret: CLIENT_SECRET,
			transport: tokenEcho,
		});
		expectNoSecrets(await failure(cc.getToken()), ALL);

		const refresh = new OAuth2RefreshTokenAuth({
			tokenUrl: 'https://login.example.com/token',
			clientId: 'cid',
			refreshToken: REFRESH,
			transport: tokenEcho,
		});
		const client = new HttpClient({
			baseUrl: 'https://api.example.com',
			transport: echo(500),
			auth: refresh,
			rateLimit: false,
		});
		expectNoSecrets(await failure(client.request({ method: 'GET', url: '/x' })), ALL);
	});

	it('the logger only receives redacted text', async () => {
		const lines: string[] = [];
		const logger = {
			debug: (m: string) => lines.push(m),
			info: (m: string) => lines.push(m),
			warn: (m: string) => lines.push(m),
		};
		const transport = new FakeTransport([
			res(503, `retry later, Bearer ${BEARER}`),
			res(200, 'ok'),
		]);
		const client = new HttpClient({
			baseUrl: 'https://api.example.com',
			transport,
			auth: new ApiKeyAuth({ key: API_KEY, in: 'query', name: 'api_key' }),
			logger,
			rateLimit: false,
			retry: { sleep: async () => undefined },
		});
		const response = await client.request({ method: 'GET', url: '/x', qs: { q: 'a' } });
		expect(response.url).toBe('https://api.example.com/x?q=a&api_key=[REDACTED]');
		expect(lines.length).toBeGreaterThan(2);
		for (const line of lines) for (const s of ALL) expect(line).not.toContain(s);
	});

	it('a secret registered after the error was built is still masked in toJSON and inspect', () => {
		const late = 'late-registered-secret-value';
		const err = new CrmError(`failed with ${late}`, { kind: 'fatal', details: { note: late } });
		registerSecret(late);
		expect(JSON.stringify(err)).not.toContain(late);
		expect(inspect(err)).not.toContain(late);
	});
});
