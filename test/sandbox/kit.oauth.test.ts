import { createHash, createHmac, generateKeyPairSync } from 'node:crypto';
import jwt from 'jsonwebtoken';
import {
	JWT_BEARER_GRANT,
	ManualClock,
	OAuthServer,
	SandboxServer,
	json,
	microsoftTokenShape,
	principalOf,
	salesforceTokenShape,
} from '../../sandbox/kit';
import { client } from './helpers';

const T0 = Date.UTC(2024, 5, 1);
const keys = generateKeyPairSync('rsa', {
	modulusLength: 2048,
	publicKeyEncoding: { type: 'spki', format: 'pem' },
	privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
});
const otherKeys = generateKeyPairSync('rsa', {
	modulusLength: 2048,
	publicKeyEncoding: { type: 'spki', format: 'pem' },
	privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
});

function form(params: Record<string, string>): string {
	return new URLSearchParams(params).toString();
}

describe('OAuthServer', () => {
	const clock = new ManualClock(T0);
	const server = new SandboxServer({ clock });
	const oauth = new OAuthServer({
		clock,
		clients: [
			{
				clientId: 'app',
				clientSecret: 's3cret',
				jwtPublicKey: keys.publicKey,
				redirectUris: ['http://127.0.0.1:5678/rest/oauth2-credential/callback'],
			},
			{ clientId: 'machine', clientSecret: 'm', grants: ['client_credentials'] },
		],
		users: [{ username: 'ada@example.com', password: 'pw+token', id: '0055g00000000AAAAA' }],
		accessTokenTtlSeconds: 60,
		rotateRefreshTokens: true,
		jwtAudience: 'https://login.salesforce.com',
		jwtMaxLifetimeSeconds: 180,
	});
	oauth.attachFaults(server.faults);
	let base: string;
	const c = () => client(base, { 'Content-Type': 'application/x-www-form-urlencoded' });

	beforeAll(async () => {
		server.post('/oauth/token', oauth.tokenHandler, { kind: 'token' });
		server.get('/oauth/authorize', oauth.authorizeHandler, { kind: 'authorize' });
		server.use(
			oauth.middleware({ skip: (req) => req.kind === 'token' || req.kind === 'authorize' }),
		);
		server.get('/me', (req) =>
			json(
				principalOf(req) ? { subject: principalOf(req)!.subject, via: principalOf(req)!.via } : {},
			),
		);
		base = (await server.start()).url;
	});
	afterAll(() => server.stop());

	const me = (token: string) =>
		client(base).get('/me', { headers: { Authorization: `Bearer ${token}` } });

	it('client_credentials with body or HTTP Basic client authentication', async () => {
		const body = await c().post(
			'/oauth/token',
			form({ grant_type: 'client_credentials', client_id: 'machine', client_secret: 'm' }),
		);
		expect(body.status).toBe(200);
		expect(body.data).toEqual({
			access_token: expect.any(String),
			token_type: 'Bearer',
			expires_in: 60,
		});
		expect(body.headers['cache-control']).toBe('no-store');
		expect((await me(body.data.access_token)).data).toEqual({ subject: 'machine', via: 'bearer' });

		const basic = await c().post('/oauth/token', form({ grant_type: 'client_credentials' }), {
			auth: { username: 'machine', password: 'm' },
		});
		expect(basic.status).toBe(200);

		const wrong = await c().post(
			'/oauth/token',
			form({ grant_type: 'client_credentials', client_id: 'machine', client_secret: 'nope' }),
		);
		expect(wrong.status).toBe(401);
		expect(wrong.data).toEqual({
			error: 'invalid_client',
			error_description: 'invalid client credentials',
		});
		const notAllowed = await c().post(
			'/oauth/token',
			form({
				grant_type: 'password',
				client_id: 'machine',
				client_secret: 'm',
				username: 'ada@example.com',
				password: 'pw+token',
			}),
		);
		expect(notAllowed.data.error).toBe('unauthorized_client');
		expect((await c().post('/oauth/token', form({ grant_type: 'magic' }))).data.error).toBe(
			'unsupported_grant_type',
		);
		expect((await c().post('/oauth/token', form({}))).data.error).toBe('invalid_request');
	});

	it('password grant, then refresh with rotation (the old refresh token stops working)', async () => {
		const bad = await c().post(
			'/oauth/token',
			form({
				grant_type: 'password',
				client_id: 'app',
				client_secret: 's3cret',
				username: 'ada@example.com',
				password: 'wrong',
			}),
		);
		expect(bad.status).toBe(400);
		expect(bad.data).toEqual({
			error: 'invalid_grant',
			error_description: 'authentication failure',
		});

		const first = await c().post(
			'/oauth/token',
			form({
				grant_type: 'password',
				client_id: 'app',
				client_secret: 's3cret',
				username: 'ada@example.com',
				password: 'pw+token',
			}),
		);
		expect(first.status).toBe(200);
		const r1 = first.data.refresh_token as string;
		expect(r1).toEqual(expect.any(String));

		const second = await c().post(
			'/oauth/token',
			form({
				grant_type: 'refresh_token',
				client_id: 'app',
				client_secret: 's3cret',
				refresh_token: r1,
			}),
		);
		expect(second.status).toBe(200);
		expect(second.data.refresh_token).toEqual(expect.any(String));
		expect(second.data.refresh_token).not.toBe(r1);
		expect(second.data.access_token).not.toBe(first.data.access_token);
		expect((await me(second.data.access_token)).data.subject).toBe('ada@example.com');

		const replay = await c().post(
			'/oauth/token',
			form({
				grant_type: 'refresh_token',
				client_id: 'app',
				client_secret: 's3cret',
				refresh_token: r1,
			}),
		);
		expect(replay.status).toBe(400);
		expect(replay.data.error).toBe('invalid_grant');
	});

	it('expired tokens answer 401 with WWW-Authenticate; on demand via the faults admin endpoint too', async () => {
		const tok = (
			await c().post(
				'/oauth/token',
				form({ grant_type: 'client_credentials', client_id: 'machine', client_secret: 'm' }),
			)
		).data.access_token;
		expect((await me(tok)).status).toBe(200);
		clock.advance(60_000);
		const expired = await me(tok);
		expect(expired.status).toBe(401);
		expect(expired.data).toEqual({
			error: 'invalid_token',
			error_description: 'The access token expired',
		});
		expect(expired.headers['www-authenticate']).toContain('error="invalid_token"');

		const fresh = (
			await c().post(
				'/oauth/token',
				form({ grant_type: 'client_credentials', client_id: 'machine', client_secret: 'm' }),
			)
		).data.access_token;
		expect((await me(fresh)).status).toBe(200);
		const admin = await client(base).post('/__sandbox/faults', { type: 'expireTokens' });
		expect(admin.data.expired).toBeGreaterThanOrEqual(1);
		expect((await me(fresh)).status).toBe(401);

		const missing = await client(base).get('/me');
		expect(missing.status).toBe(401);
		expect(missing.data.error).toBe('unauthorized');
		expect((await me('not-a-token')).data.error_description).toBe('The access token is invalid');
		expect(
			(await client(base).get('/me', { headers: { Authorization: 'Basic abc' } })).status,
		).toBe(401);
	});

	it('authorization_code via /authorize redirect with state and PKCE (S256)', async () => {
		const verifier = 'a-very-long-code-verifier-0123456789-abcdefghijkl';
		const challenge = createHash('sha256').update(verifier).digest('base64url');
		const redirectUri = 'http://127.0.0.1:5678/rest/oauth2-credential/callback';
		const auth = await client(base).get('/oauth/authorize', {
			maxRedirects: 0,
			params: {
				response_type: 'code',
				client_id: 'app',
				redirect_uri: redirectUri,
				state: 'xyz',
				scope: 'api refresh_token',
				code_challenge: challenge,
				code_challenge_method: 'S256',
			},
		});
		expect(auth.status).toBe(302);
		const location = new URL(auth.headers.location as string);
		expect(`${location.origin}${location.pathname}`).toBe(redirectUri);
		expect(location.searchParams.get('state')).toBe('xyz');
		const code = location.searchParams.get('code')!;
		expect(code).toEqual(expect.any(String));

		const noVerifier = await c().post(
			'/oauth/token',
			form({ grant_type: 'authorization_code', code, redirect_uri: redirectUri }),
			{ auth: { username: 'app', password: 's3cret' } },
		);
		expect(noVerifier.data).toEqual({
			error: 'invalid_grant',
			error_description: 'code_verifier is required',
		});

		// codes are single-use: get a new one and redeem it properly
		const auth2 = await client(base).get('/oauth/authorize', {
			maxRedirects: 0,
			params: {
				response_type: 'code',
				client_id: 'app',
				redirect_uri: redirectUri,
				code_challenge: challenge,
				code_challenge_method: 'S256',
			},
		});
		const code2 = new URL(auth2.headers.location as string).searchParams.get('code')!;
		const ok = await c().post(
			'/oauth/token',
			form({
				grant_type: 'authorization_code',
				code: code2,
				redirect_uri: redirectUri,
				code_verifier: verifier,
			}),
			{
				auth: { username: 'app', password: 's3cret' },
			},
		);
		expect(ok.status).toBe(200);
		expect(ok.data.refresh_token).toEqual(expect.any(String));
		expect((await me(ok.data.access_token)).data.subject).toBe('ada@example.com');
		const reuse = await c().post(
			'/oauth/token',
			form({
				grant_type: 'authorization_code',
				code: code2,
				redirect_uri: redirectUri,
				code_verifier: verifier,
			}),
			{
				auth: { username: 'app', password: 's3cret' },
			},
		);
		expect(reuse.data.error).toBe('invalid_grant');

		const badRedirect = await client(base).get('/oauth/authorize', {
			maxRedirects: 0,
			params: { response_type: 'code', client_id: 'app', redirect_uri: 'https://evil.example/cb' },
		});
		expect(badRedirect.status).toBe(400);
		const badType = await client(base).get('/oauth/authorize', {
			maxRedirects: 0,
			params: { response_type: 'token', client_id: 'app', redirect_uri: redirectUri, state: 's' },
		});
		expect(badType.status).toBe(302);
		expect(new URL(badType.headers.location as string).searchParams.get('error')).toBe(
			'unsupported_response_type',
		);
	});

	describe('JWT bearer grant', () => {
		const assertion = (overrides: Record<string, unknown> = {}, key = keys.privateKey) =>
			jwt.sign(
				{
					iss: 'app',
					sub: 'ada@example.com',
					aud: 'https://login.salesforce.com',
					exp: Math.floor(clock.now() / 1000) + 120,
					...overrides,
				},
				key,
				{ algorithm: 'RS256' },
			);
		const exchange = (a: string) =>
			c().post('/oauth/token', form({ grant_type: JWT_BEARER_GRANT, assertion: a }));

		it('issues a token for a valid RS256 assertion', async () => {
			const res = await exchange(assertion());
			expect(res.status).toBe(200);
			expect(res.data.refresh_token).toBeUndefined();
			expect((await me(res.data.access_token)).data.subject).toBe('ada@example.com');
		});

		it.each([
			[
				'a bad signature',
				() => assertion({}, otherKeys.privateKey),
				/invalid assertion: invalid signature/,
			],
			[
				'an expired assertion',
				() => assertion({ exp: Math.floor(clock.now() / 1000) - 10 }),
				/expired assertion/,
			],
			['a wrong audience', () => assertion({ aud: 'https://evil.example' }), /audience invalid/],
			['an unknown user', () => assertion({ sub: 'mallory@example.com' }), /approved/],
			[
				'an exp too far ahead',
				() => assertion({ exp: Math.floor(clock.now() / 1000) + 3600 }),
				/more than 180 s/,
			],
			[
				'no exp',
				() =>
					jwt.sign(
						{ iss: 'app', sub: 'ada@example.com', aud: 'https://login.salesforce.com' },
						keys.privateKey,
						{ algorithm: 'RS256' },
					),
				/exp is required/,
			],
			[
				'an HS256 token',
				() =>
					jwt.sign(
						{
							iss: 'app',
							sub: 'ada@example.com',
							aud: 'https://login.salesforce.com',
							exp: Math.floor(clock.now() / 1000) + 60,
						},
						'secret',
					),
				/invalid assertion/,
			],
		])('rejects %s', async (_name, make, pattern) => {
			const res = await exchange(make());
			expect(res.status).toBe(400);
			expect(res.data.error).toBe('invalid_grant');
			expect(res.data.error_description).toMatch(pattern);
		});

		it('rejects an unknown issuer as invalid_client', async () => {
			const res = await exchange(assertion({ iss: 'who' }));
			expect(res.data.error).toBe('invalid_client');
		});
	});

	it('accepts JSON token requests and API keys', async () => {
		const srv = new SandboxServer({ clock });
		const o = new OAuthServer({
			clock,
			clients: [{ clientId: 'x', clientSecret: 'y' }],
			apiKeys: { keys: { k1: 'svc' }, header: 'X-API-Key', queryParam: 'api_key' },
		});
		srv.post('/token', o.tokenHandler, { kind: 'token' });
		srv.use(o.middleware({ skip: (r) => r.kind === 'token' }));
		srv.get('/me', (req) => json(principalOf(req)));
		const url = (await srv.start()).url;
		try {
			const t = await client(url).post('/token', {
				grant_type: 'client_credentials',
				client_id: 'x',
				client_secret: 'y',
			});
			expect(t.status).toBe(200);
			expect((await client(url).get('/me', { headers: { 'X-API-Key': 'k1' } })).data).toEqual({
				via: 'apiKey',
				subject: 'svc',
				scope: [],
			});
			expect((await client(url).get('/me?api_key=k1')).status).toBe(200);
			expect((await client(url).get('/me', { headers: { 'X-API-Key': 'nope' } })).status).toBe(401);
		} finally {
			await srv.stop();
		}
	});
});

describe('vendor token shapes', () => {
	it('Salesforce: instance_url, id, issued_at and a verifiable signature; no expires_in', async () => {
		const clock = new ManualClock(T0);
		const srv = new SandboxServer({ clock });
		const o = new OAuthServer({
			clock,
			clients: [{ clientId: 'cid', clientSecret: 'csecret' }],
			users: [{ username: 'u@x.io', password: 'p', id: '0055g0000000001AAA' }],
			shapeToken: salesforceTokenShape({ orgId: '00D5g0000000001EAA' }),
		});
		srv.post('/services/oauth2/token', o.tokenHandler);
		const url = (await srv.start()).url;
		try {
			const res = await client(url).post(
				'/services/oauth2/token',
				form({
					grant_type: 'password',
					client_id: 'cid',
					client_secret: 'csecret',
					username: 'u@x.io',
					password: 'p',
				}),
			);
			expect(res.status).toBe(200);
			const d = res.data;
			expect(Object.keys(d).sort()).toEqual([
				'access_token',
				'id',
				'instance_url',
				'issued_at',
				'refresh_token',
				'scope',
				'signature',
				'token_type',
			]);
			expect(d.instance_url).toBe(url);
			expect(d.id).toBe(`${url}/id/00D5g0000000001EAA/0055g0000000001AAA`);
			expect(d.issued_at).toBe(String(T0));
			expect(d.signature).toBe(
				createHmac('sha256', 'csecret')
					.update(d.id + d.issued_at)
					.digest('base64'),
			);
		} finally {
			await srv.stop();
		}
	});

	it('Microsoft: expires_in and ext_expires_in', async () => {
		const srv = new SandboxServer();
		const o = new OAuthServer({
			clients: [{ clientId: 'a', clientSecret: 'b' }],
			accessTokenTtlSeconds: 3599,
			shapeToken: microsoftTokenShape(),
		});
		srv.post('/tenant/oauth2/v2.0/token', o.tokenHandler);
		const url = (await srv.start()).url;
		try {
			const res = await client(url).post(
				'/tenant/oauth2/v2.0/token',
				form({
					grant_type: 'client_credentials',
					client_id: 'a',
					client_secret: 'b',
					scope: 'https://org.crm.dynamics.com/.default',
				}),
			);
			expect(res.data).toEqual({
				token_type: 'Bearer',
				scope: 'https://org.crm.dynamics.com/.default',
				expires_in: 3599,
				ext_expires_in: 3599,
				access_token: expect.any(String),
			});
		} finally {
			await srv.stop();
		}
	});
});
