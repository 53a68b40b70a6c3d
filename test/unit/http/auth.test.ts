import { generateKeyPairSync } from 'node:crypto';
import jwt from 'jsonwebtoken';
import {
	ApiKeyAuth,
	BasicAuth,
	BearerAuth,
	clearRateBudgets,
	CrmError,
	HttpClient,
	isCrmError,
	JWT_BEARER_GRANT_TYPE,
	NoAuth,
	OAuth2ClientCredentialsAuth,
	OAuth2JwtBearerAuth,
	OAuth2RefreshTokenAuth,
	type HttpRequest,
	type HttpResponse,
	type OAuth2Tokens,
} from '../../../core/http';
import { FakeTransport, netError, res, rejection } from './helpers';

jest.setTimeout(10_000);

const TOKEN_URL = 'https://login.example.com/oauth2/token';
const API = 'https://api.example.com';

function form(req: HttpRequest): Record<string, string> {
	return Object.fromEntries(new URLSearchParams(String(req.body)));
}

afterEach(() => clearRateBudgets());

const noSleep = async (): Promise<void> => {};

describe('static credentials', () => {
	const base: HttpRequest = { method: 'GET', url: `${API}/x`, headers: { authorization: 'old' } };

	it('NoAuth leaves the request alone', async () => {
		await expect(new NoAuth().apply(base)).resolves.toBe(base);
	});

	it('API key in a header or in the query', async () => {
		const header = await new ApiKeyAuth({ key: 'key-123456', name: 'X-Api-Key' }).apply(base);
		expect(header.headers).toMatchObject({ 'X-Api-Key': 'key-123456' });
		const query = await new ApiKeyAuth({ key: 'key-123456', in: 'query', name: 'hapikey' }).apply({
			...base,
			qs: { a: 1 },
		});
		expect(query.qs).toEqual({ a: 1, hapikey: 'key-123456' });
		expect(base.qs).toBeUndefined();
	});

	it('Basic replaces an existing Authorization header (any case) and bearer uses the scheme', async () => {
		const basic = await new BasicAuth({ username: 'ann', password: 'pässword' }).apply(base);
		expect(basic.headers).toEqual({
			Authorization: `Basic ${Buffer.from('ann:pässword').toString('base64')}`,
		});
		const bearer = await new BearerAuth({ token: 'pat-abcdef' }).apply(base);
		expect(bearer.headers).toEqual({ Authorization: 'Bearer pat-abcdef' });
	});

	it('ids are stable fingerprints that never contain the secret', () => {
		const a = new ApiKeyAuth({ key: 'key-123456' });
		expect(a.id).toBe(new ApiKeyAuth({ key: 'key-123456' }).id);
		expect(a.id).not.toBe(new ApiKeyAuth({ key: 'key-654321' }).id);
		expect(a.id).toMatch(/^api-key:[0-9a-f]{24}$/);
		expect(new BasicAuth({ username: 'ann', password: 'one-password' }).id).toBe(
			new BasicAuth({ username: 'ann', password: 'other-password' }).id,
		);
		expect(new BearerAuth({ token: 'pat-abcdef' }).id).not.toContain('pat-abcdef');
	});

	it('an empty secret is a clear authentication error', () => {
		expect(() => new BearerAuth({ token: ' ' })).toThrow(
			'Bearer token authentication: the access token is empty',
		);
	});
});

describe('OAuth2 client credentials', () => {
	function tokenServer(
		opts: { expiresIn?: number; delayMs?: number; extra?: Record<string, unknown> } = {},
	) {
		let n = 0;
		return new FakeTransport(async () => {
			n++;
			if (opts.delayMs) await new Promise((r) => setTimeout(r, opts.delayMs));
			return res(200, {
				access_token: `tok-${n}-abcdefgh`,
				token_type: 'bearer',
				expires_in: opts.expiresIn ?? 3600,
				...opts.extra,
			});
		});
	}

	it('requests a form-encoded token with client auth in the body, scope and audience', async () => {
		const transport = tokenServer({
			extra: { instance_url: 'https://acme.my.salesforce.com', scope: 'api' },
		});
		const auth = new OAuth2ClientCredentialsAuth({
			tokenUrl: TOKEN_URL,
			clientId: 'client-1',
			clientSecret: 'cs-very-secret',
			scope: ['api', 'refresh_token'],
			audience: 'https://api.example.com',
			transport,
		});
		const applied = await auth.apply({ method: 'GET', url: `${API}/x` });
		expect(applied.headers).toEqual({ Authorization: 'Bearer tok-1-abcdefgh' });
		const req = transport.calls[0].request;
		expect(req).toMatchObject({
			method: 'POST',
			url: TOKEN_URL,
			headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
		});
		expect(form(req)).toEqual({
			grant_type: 'client_credentials',
			client_id: 'client-1',
			client_secret: 'cs-very-secret',
			scope: 'api refresh_token',
			audience: 'https://api.example.com',
		});
		expect(auth.instanceUrl).toBe('https://acme.my.salesforce.com');
		expect(auth.lastTokenResponse).toEqual({
			token_type: 'bearer',
			expires_in: 3600,
			instance_url: 'https://acme.my.salesforce.com',
			scope: 'api',
		});
		expect(auth.id).toMatch(/^oauth2-client-credentials:[0-9a-f]{24}$/);
	});

	it('can send the client credentials as an HTTP Basic header instead', async () => {
		const transport = tokenServer();
		const auth = new OAuth2ClientCredentialsAuth({
			tokenUrl: TOKEN_URL,
			clientId: 'id:1',
			clientSecret: 's e/cret',
			clientAuth: 'basic',
			transport,
		});
		await auth.getToken();
		const req = transport.calls[0].request;
		expect(req.headers?.Authorization).toBe(
			`Basic ${Buffer.from('id%3A1:s+e%2Fcret').toString('base64')}`,
		);
		expect(form(req)).toEqual({ grant_type: 'client_credentials' });
	});

	it('caches the token until expires_in minus the skew (one token call for many requests)', async () => {
		let now = 1_000_000;
		const transport = tokenServer({ expiresIn: 3600 });
		const auth = new OAuth2ClientCredentialsAuth({
			tokenUrl: TOKEN_URL,
			clientId: 'c',
			clientSecret: 'secret-1',
			transport,
			now: () => now,
		});
		for (let i = 0; i < 20; i++) await auth.apply({ method: 'GET', url: `${API}/${i}` });
		expect(auth.tokenRequests).toBe(1);
		now += 3600_000 - 60_000 - 1;
		expect((await auth.getToken()).accessToken).toBe('tok-1-abcdefgh');
		now += 1;
		expect((await auth.getToken()).accessToken).toBe('tok-2-abcdefgh');
		expect(auth.tokenRequests).toBe(2);
	});

	it('concurrent callers share one in-flight token request', async () => {
		jest.useFakeTimers();
		try {
			const transport = tokenServer({ delayMs: 200 });
			const auth = new OAuth2ClientCredentialsAuth({
				tokenUrl: TOKEN_URL,
				clientId: 'c',
				clientSecret: 'secret-1',
				transport,
			});
			const applied = Promise.all(
				Array.from({ length: 10 }, (_, i) => auth.apply({ method: 'GET', url: `${API}/${i}` })),
			);
			await jest.advanceTimersByTimeAsync(200);
			const all = await applied;
			expect(transport.calls).toHaveLength(1);
			expect(new Set(all.map((r) => r.headers?.Authorization))).toEqual(
				new Set(['Bearer tok-1-abcdefgh']),
			);
		} finally {
			jest.useRealTimers();
		}
	});

	it('401 → one token refresh → the request is retried once and succeeds', async () => {
		const tokens = tokenServer();
		const auth = new OAuth2ClientCredentialsAuth({
			tokenUrl: TOKEN_URL,
			clientId: 'c',
			clientSecret: 'secret-1',
			transport: tokens,
		});
		const api = new FakeTransport((req) =>
			req.headers?.Authorization === 'Bearer tok-1-abcdefgh'
				? res(401, [{ message: 'Session expired or invalid', errorCode: 'INVALID_SESSION_ID' }])
				: res(200, { ok: true }),
		);
		const client = new HttpClient({ baseUrl: API, transport: api, auth, rateLimit: false });
		const response = await client.request({ method: 'POST', url: '/records', body: {} });
		expect(response.body).toEqual({ ok: true });
		expect(api.calls.map((c) => c.request.headers?.Authorization)).toEqual([
			'Bearer tok-1-abcdefgh',
			'Bearer tok-2-abcdefgh',
		]);
		expect(tokens.calls).toHaveLength(2);
		expect(response.retry).toMatchObject({
			attempts: 2,
			waitsMs: [],
			reasons: ['attempt 1: HTTP 401 → credential renewed, sending again'],
		});
	});

	it('a second 401 fails with an authentication error (no loop)', async () => {
		const tokens = tokenServer();
		const auth = new OAuth2ClientCredentialsAuth({
			tokenUrl: TOKEN_URL,
			clientId: 'c',
			clientSecret: 'secret-1',
			transport: tokens,
		});
		const api = new FakeTransport([
			res(401, {
				error: { code: '0x80072560', message: 'The user is not a member of the organization.' },
			}),
		]);
		const client = new HttpClient({ baseUrl: API, transport: api, auth, rateLimit: false });
		const err = await rejection(client.request({ method: 'GET', url: '/WhoAmI' }));
		expect(api.calls).toHaveLength(2);
		expect(tokens.calls).toHaveLength(2);
		expect(err.kind).toBe('authentication');
		expect(err.status).toBe(401);
		expect(err.message).toBe(
			'0x80072560: The user is not a member of the organization. (HTTP 401 GET https://api.example.com/WhoAmI) — still unauthorized after renewing the credential once',
		);
		expect(err.attempts).toBe(2);
	});

	it('concurrent 401s renew the token only once', async () => {
		const tokens = tokenServer();
		const auth = new OAuth2ClientCredentialsAuth({
			tokenUrl: TOKEN_URL,
			clientId: 'c',
			clientSecret: 'secret-1',
			transport: tokens,
		});
		await auth.getToken();
		const stale = await auth.apply({ method: 'GET', url: `${API}/a` });
		const r401: HttpResponse = res(401, 'expired');
		await Promise.all([
			auth.onUnauthorized(r401, stale),
			auth.onUnauthorized(r401, stale),
			auth.onUnauthorized(r401, stale),
		]);
		expect(tokens.calls).toHaveLength(2);
		// A request that already carried the renewed token does not cause a third fetch.
		await auth.onUnauthorized(r401, stale);
		expect(tokens.calls).toHaveLength(2);
	});

	it('token endpoint errors become authentication errors with error/error_description and no secret', async () => {
		const transport = new FakeTransport([
			res(400, {
				error: 'invalid_client',
				error_description: 'client secret cs-very-secret is wrong',
			}),
		]);
		const auth = new OAuth2ClientCredentialsAuth({
			tokenUrl: TOKEN_URL,
			clientId: 'c',
			clientSecret: 'cs-very-secret',
			transport,
		});
		const err = await rejection(auth.getToken());
		expect(err.kind).toBe('authentication');
		expect(err.crmCode).toBe('invalid_client');
		expect(err.message).toBe(
			'OAuth2 client credentials token request rejected: invalid_client: client secret [REDACTED] is wrong (HTTP 400 POST https://login.example.com/oauth2/token)',
		);
		expect(JSON.stringify(err)).not.toContain('cs-very-secret');
	});

	it('a 5xx from the token endpoint stays transient (so the client may retry it)', async () => {
		const transport = new FakeTransport([res(503, 'Service Unavailable')]);
		const auth = new OAuth2ClientCredentialsAuth({
			tokenUrl: TOKEN_URL,
			clientId: 'c',
			clientSecret: 'secret-1',
			transport,
			retry: { sleep: noSleep },
		});
		const err = await rejection(auth.getToken());
		expect(err.kind).toBe('transient');
		expect(err.message).toContain(
			'OAuth2 client credentials: the token request failed after 3 attempts (HTTP 503',
		);
		expect(transport.calls).toHaveLength(3);
	});

	it('a dropped token request is retried (it writes nothing) and the API call is sent once', async () => {
		let n = 0;
		const tokens = new FakeTransport(() =>
			++n <= 2
				? netError('ECONNRESET', 'socket hang up')
				: res(200, { access_token: 'tok-after-drop-1', expires_in: 3600 }),
		);
		const waits: number[] = [];
		const auth = new OAuth2ClientCredentialsAuth({
			tokenUrl: TOKEN_URL,
			clientId: 'c',
			clientSecret: 'secret-1',
			transport: tokens,
			retry: { sleep: async (ms) => void waits.push(ms) },
		});
		const api = new FakeTransport([res(201, { id: 'r1' })]);
		const client = new HttpClient({
			baseUrl: API,
			transport: api,
			auth,
			rateLimit: false,
			retry: { sleep: noSleep },
		});
		const response = await client.request({ method: 'POST', url: '/records', body: { name: 'x' } });
		expect(response.body).toEqual({ id: 'r1' });
		expect(tokens.calls).toHaveLength(3);
		expect(waits).toHaveLength(2);
		expect(api.calls).toHaveLength(1);
		expect(api.calls[0].request.headers?.Authorization).toBe('Bearer tok-after-drop-1');
	});

	it('a token request that keeps dropping fails saying so, and that the API call was NOT sent (reachedServer false)', async () => {
		const tokens = new FakeTransport([netError('ECONNRESET', 'socket hang up')]);
		const auth = new OAuth2ClientCredentialsAuth({
			tokenUrl: TOKEN_URL,
			clientId: 'c',
			clientSecret: 'secret-1',
			transport: tokens,
			retry: { sleep: noSleep },
		});
		const api = new FakeTransport([res(201, { id: 'r1' })]);
		const client = new HttpClient({
			baseUrl: API,
			transport: api,
			auth,
			rateLimit: false,
			retry: { maxAttempts: 2, sleep: noSleep },
		});
		const err = await rejection(
			client.request({ method: 'POST', url: '/records', body: { name: 'x' } }),
		);
		expect(api.calls).toHaveLength(0);
		expect(tokens.calls).toHaveLength(6); // the client sends the call again (nothing was sent), which asks for a token again
		expect(err.reachedServer).toBe(false);
		expect(err.kind).toBe('transient');
		expect(err.message).toMatch(
			/^OAuth2 client credentials: the token request failed after 3 attempts \(ECONNRESET: the connection dropped before the token arrived\) \(POST https:\/\/login\.example\.com\/oauth2\/token\) — the API call was NOT sent, nothing was written/,
		);
		expect(err.message).not.toMatch(/may have processed/);
	});

	it('a token request dropped while renewing after a 401 is reported as not sent either', async () => {
		let n = 0;
		const tokens = new FakeTransport(() =>
			++n === 1
				? res(200, { access_token: 'tok-first-1', expires_in: 3600 })
				: netError('ETIMEDOUT', 'timeout of 30000ms exceeded'),
		);
		const auth = new OAuth2ClientCredentialsAuth({
			tokenUrl: TOKEN_URL,
			clientId: 'c',
			clientSecret: 'secret-1',
			transport: tokens,
			retry: { sleep: noSleep },
		});
		const api = new FakeTransport([
			res(401, [{ message: 'Session expired or invalid', errorCode: 'INVALID_SESSION_ID' }]),
		]);
		const client = new HttpClient({
			baseUrl: API,
			transport: api,
			auth,
			rateLimit: false,
			retry: { sleep: noSleep },
		});
		const err = await rejection(
			client.request({ method: 'PATCH', url: '/records/1', body: { name: 'x' } }),
		);
		expect(api.calls).toHaveLength(1); // refused with 401: not processed
		expect(tokens.calls).toHaveLength(4);
		expect(err.reachedServer).toBe(false);
		expect(err.message).toMatch(
			/the token request failed after 3 attempts \(ETIMEDOUT: no answer before the timeout\).* — the API call was NOT sent/,
		);
	});

	it('a token endpoint that cannot be reached, or a TLS rejection, is not retried beyond the policy and says not sent', async () => {
		const tokens = new FakeTransport([
			netError('ECONNREFUSED', 'connect ECONNREFUSED 127.0.0.1:443', 'connect'),
		]);
		const auth = new OAuth2ClientCredentialsAuth({
			tokenUrl: TOKEN_URL,
			clientId: 'c',
			clientSecret: 'secret-1',
			transport: tokens,
			retry: { sleep: noSleep },
		});
		const err = await rejection(auth.getToken());
		expect(tokens.calls).toHaveLength(3);
		expect(err).toMatchObject({
			kind: 'transient',
			reachedServer: false,
			networkCode: 'ECONNREFUSED',
		});
		expect(err.message).toContain('(ECONNREFUSED: the token endpoint could not be reached)');

		const tls = new FakeTransport([netError('CERT_HAS_EXPIRED', 'certificate has expired')]);
		const tlsAuth = new OAuth2ClientCredentialsAuth({
			tokenUrl: TOKEN_URL,
			clientId: 'c',
			clientSecret: 'secret-1',
			transport: tls,
			retry: { sleep: noSleep },
		});
		const tlsErr = await rejection(tlsAuth.getToken());
		expect(tls.calls).toHaveLength(1);
		expect(tlsErr).toMatchObject({ kind: 'fatal', reachedServer: false });
		expect(tlsErr.hint).toMatch(/certificate/);
	});

	it('a 2xx without access_token is a clear error', async () => {
		const transport = new FakeTransport([res(200, { hello: 'world' })]);
		const auth = new OAuth2ClientCredentialsAuth({
			tokenUrl: TOKEN_URL,
			clientId: 'c',
			clientSecret: 'secret-1',
			transport,
		});
		await expect(auth.getToken()).rejects.toThrow(
			'OAuth2 client credentials: the token endpoint answered HTTP 200 without an access_token (got hello)',
		);
	});

	it('a token response without expires_in (Salesforce) is used until a 401', async () => {
		let now = 0;
		const transport = new FakeTransport([
			res(200, {
				access_token: 'sf-token-1234',
				instance_url: 'https://x.my.salesforce.com',
				issued_at: '1',
			}),
		]);
		const auth = new OAuth2ClientCredentialsAuth({
			tokenUrl: TOKEN_URL,
			clientId: 'c',
			clientSecret: 'secret-1',
			transport,
			now: () => now,
		});
		await auth.getToken();
		now += 48 * 3600_000;
		await auth.getToken();
		expect(transport.calls).toHaveLength(1);
	});
});

describe('OAuth2 refresh token', () => {
	it('uses the refresh_token grant, follows rotation and calls onTokens', async () => {
		let n = 0;
		const transport = new FakeTransport(() => {
			n++;
			return res(200, {
				access_token: `at-${n}-abcdefgh`,
				refresh_token: `rt-${n + 1}-rotated`,
				expires_in: 60,
				token_type: 'Bearer',
			});
		});
		const persisted: OAuth2Tokens[] = [];
		let now = 0;
		const auth = new OAuth2RefreshTokenAuth({
			tokenUrl: TOKEN_URL,
			clientId: 'app',
			clientSecret: 'app-secret-1',
			refreshToken: 'rt-1-original',
			transport,
			now: () => now,
			onTokens: (t) => {
				persisted.push(t);
			},
		});
		await auth.getToken();
		expect(form(transport.calls[0].request)).toEqual({
			grant_type: 'refresh_token',
			refresh_token: 'rt-1-original',
			client_id: 'app',
			client_secret: 'app-secret-1',
		});
		expect(persisted[0]).toMatchObject({
			accessToken: 'at-1-abcdefgh',
			refreshToken: 'rt-2-rotated',
			rotated: true,
			expiresAt: 30_000,
		});
		expect(auth.currentRefreshToken).toBe('rt-2-rotated');
		now = 31_000; // past expires_in (60 s) minus the skew (capped at half the lifetime)
		await auth.getToken();
		expect(form(transport.calls[1].request).refresh_token).toBe('rt-2-rotated');
		expect(persisted[1]).toMatchObject({ refreshToken: 'rt-3-rotated', rotated: true });
	});

	it('reports rotated: false when the server keeps the refresh token', async () => {
		const transport = new FakeTransport([
			res(200, { access_token: 'at-1-abcdefgh', expires_in: 3600 }),
		]);
		const onTokens = jest.fn();
		const auth = new OAuth2RefreshTokenAuth({
			tokenUrl: TOKEN_URL,
			clientId: 'app',
			refreshToken: 'rt-keep-123',
			transport,
			onTokens,
		});
		await auth.getToken();
		expect(onTokens).toHaveBeenCalledWith(
			expect.objectContaining({ refreshToken: 'rt-keep-123', rotated: false }),
		);
	});

	it('starts with a given access token and refreshes on 401', async () => {
		const tokens = new FakeTransport([
			res(200, { access_token: 'at-new-abcdefgh', expires_in: 3600 }),
		]);
		const auth = new OAuth2RefreshTokenAuth({
			tokenUrl: TOKEN_URL,
			clientId: 'app',
			refreshToken: 'rt-1-original',
			accessToken: 'at-old-abcdefgh',
			transport: tokens,
		});
		const api = new FakeTransport((req) =>
			req.headers?.Authorization === 'Bearer at-old-abcdefgh'
				? res(401, { message: 'expired' })
				: res(200, 'ok'),
		);
		const client = new HttpClient({ baseUrl: API, transport: api, auth, rateLimit: false });
		await expect(client.json({ method: 'GET', url: '/me' })).resolves.toBe('ok');
		expect(tokens.calls).toHaveLength(1);
	});

	it('invalid_grant is an authentication error naming the OAuth error', async () => {
		const tokens = new FakeTransport([
			res(400, { error: 'invalid_grant', error_description: 'expired access/refresh token' }),
		]);
		const auth = new OAuth2RefreshTokenAuth({
			tokenUrl: TOKEN_URL,
			clientId: 'app',
			refreshToken: 'rt-1-original',
			transport: tokens,
		});
		const err = await rejection(auth.getToken());
		expect(err).toMatchObject({
			kind: 'authentication',
			crmCode: 'invalid_grant',
			crmMessage: 'expired access/refresh token',
		});
	});

	it('a failing onTokens callback is reported, saying the rotated token was not persisted', async () => {
		const tokens = new FakeTransport([
			res(200, { access_token: 'at-1-abcdefgh', refresh_token: 'rt-new-1234' }),
		]);
		const auth = new OAuth2RefreshTokenAuth({
			tokenUrl: TOKEN_URL,
			clientId: 'app',
			refreshToken: 'rt-1-original',
			transport: tokens,
			onTokens: () => {
				throw new Error('disk full');
			},
		});
		await expect(auth.getToken()).rejects.toThrow(
			'OAuth2 refresh token: the onTokens callback failed (disk full); the rotated refresh token was NOT persisted and the stored one may no longer work',
		);
	});
});

describe('OAuth2 JWT bearer assertion', () => {
	const { privateKey, publicKey } = generateKeyPairSync('rsa', {
		modulusLength: 2048,
		privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
		publicKeyEncoding: { type: 'spki', format: 'pem' },
	});

	it('exchanges a valid RS256 JWT with the configured claims', async () => {
		const now = Date.UTC(2025, 5, 1, 12, 0, 0);
		const transport = new FakeTransport([
			res(200, {
				access_token: 'sf-jwt-token-1',
				instance_url: 'https://acme.my.salesforce.com',
				token_type: 'Bearer',
			}),
		]);
		const auth = new OAuth2JwtBearerAuth({
			tokenUrl: 'https://login.salesforce.com/services/oauth2/token',
			privateKey,
			issuer: '3MVG9-consumer-key',
			subject: 'integration@acme.com',
			keyId: 'key-1',
			transport,
			now: () => now,
		});
		const applied = await auth.apply({ method: 'GET', url: `${API}/x` });
		expect(applied.headers).toEqual({ Authorization: 'Bearer sf-jwt-token-1' });
		const params = form(transport.calls[0].request);
		expect(params.grant_type).toBe(JWT_BEARER_GRANT_TYPE);
		const decoded = jwt.verify(params.assertion, publicKey, {
			algorithms: ['RS256'],
			clockTimestamp: now / 1000,
			complete: true,
		});
		expect(decoded.header).toMatchObject({ alg: 'RS256', typ: 'JWT', kid: 'key-1' });
		expect(decoded.payload).toMatchObject({
			iss: '3MVG9-consumer-key',
			sub: 'integration@acme.com',
			aud: 'https://login.salesforce.com',
			iat: now / 1000,
			exp: now / 1000 + 180,
		});
		expect(typeof (decoded.payload as Record<string, unknown>).jti).toBe('string');
		expect(auth.instanceUrl).toBe('https://acme.my.salesforce.com');
	});

	it('accepts a custom audience, lifetime and extra claims, and a key pasted with literal \\n', async () => {
		const transport = new FakeTransport([
			res(200, { access_token: 'tok-abcdefgh', expires_in: 3600 }),
		]);
		const auth = new OAuth2JwtBearerAuth({
			tokenUrl: TOKEN_URL,
			privateKey: privateKey.replace(/\n/g, '\\n'),
			issuer: 'svc@example.iam',
			assertionAudience: 'https://oauth2.example.com/token',
			expiresInSec: 600,
			claims: { scope: 'crm.read' },
			jti: false,
			transport,
			now: () => 1_700_000_000_000,
		});
		await auth.getToken();
		const payload = jwt.verify(form(transport.calls[0].request).assertion, publicKey, {
			algorithms: ['RS256'],
			clockTimestamp: 1_700_000_000,
		}) as jwt.JwtPayload;
		expect(payload).toEqual({
			iss: 'svc@example.iam',
			aud: 'https://oauth2.example.com/token',
			iat: 1_700_000_000,
			exp: 1_700_000_600,
			scope: 'crm.read',
		});
	});

	it('rejects an unreadable private key clearly, without echoing it', () => {
		const bad = '-----BEGIN PRIVATE KEY-----\nnot-a-key-material-xyz\n-----END PRIVATE KEY-----';
		let error: unknown;
		try {
			new OAuth2JwtBearerAuth({ tokenUrl: TOKEN_URL, privateKey: bad, issuer: 'x' });
		} catch (err) {
			error = err;
		}
		expect(isCrmError(error)).toBe(true);
		expect((error as CrmError).message).toMatch(
			/^OAuth2 JWT bearer: the private key cannot be read/,
		);
		expect(JSON.stringify(error)).not.toContain('not-a-key-material-xyz');
	});
});
