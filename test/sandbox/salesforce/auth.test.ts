import { Connection, OAuth2 } from 'jsforce';
import jwt from 'jsonwebtoken';
import { generateKeyPairSync } from 'node:crypto';
import { ManualClock } from '../../../sandbox/kit';
import { client } from '../helpers';
import { sfError, startSf, type StartedSf } from './helpers';

const T0 = Date.UTC(2024, 4, 1, 9, 0, 0);

describe('Salesforce simulator: OAuth, identity and limits (jsforce)', () => {
	const clock = new ManualClock(T0);
	let s: StartedSf;

	beforeAll(async () => {
		s = await startSf({ clock, records: { accounts: 2, contacts: 5 } });
	});
	afterAll(() => s.sim.stop());
	afterEach(() => {
		s.sim.faults.clearFaults();
		s.sim.setDailyRequestLimit(15_000);
		s.sim.setConcurrentLongRunningLimit(25);
	});

	const oauth2 = () =>
		new OAuth2({
			loginUrl: s.contract.loginUrl,
			clientId: s.contract.clientId,
			clientSecret: s.contract.clientSecret,
			redirectUri: 'http://127.0.0.1:5678/rest/oauth2-credential/callback',
		});

	it('logs in with the OAuth username-password flow and gets the identity URL', async () => {
		const conn = new Connection({ oauth2: oauth2(), version: '62.0' });
		const info = await conn.login(s.contract.username, s.contract.password);
		expect(info.organizationId).toBe(s.sim.orgId);
		expect(info.id).toMatch(/^005/);
		expect(conn.instanceUrl).toBe(s.contract.instanceUrl);
		const identity = await conn.identity();
		expect(identity).toMatchObject({
			username: s.contract.username,
			organization_id: s.sim.orgId,
			user_id: info.id,
		});
		const res = await conn.query<{ Id: string }>('SELECT Id FROM Account');
		expect(res.totalSize).toBe(2);
		expect(s.sim.log.count({ kind: 'token' })).toBeGreaterThanOrEqual(1);
	});

	it('finds the identity URL from the resources list when the connection only has a token; the log masks the token', async () => {
		const conn = s.conn();
		const identity = await conn.identity();
		expect(identity).toMatchObject({
			username: s.contract.username,
			organization_id: s.sim.orgId,
			id: `${s.contract.instanceUrl}/id/${s.sim.orgId}/${s.sim.org.userId}`,
		});
		const entry = s.sim.log.entries({ kind: 'identity' }).pop();
		expect(entry?.query).toEqual({ format: 'json', oauth_token: '***' });
		const wrong = await client(s.contract.instanceUrl).get(
			`/id/${s.sim.orgId}/${s.sim.org.userId}`,
			{ params: { oauth_token: 'nope' } },
		);
		expect(wrong.status).toBe(403);
	});

	it('answers a wrong password the way Salesforce does', async () => {
		const conn = new Connection({ oauth2: oauth2(), version: '62.0' });
		const err = await sfError(conn.login(s.contract.username, 'wrong'));
		expect(err).toMatchObject({ errorCode: 'invalid_grant', message: 'authentication failure' });
	});

	it('logs in through SOAP login() when no OAuth client is configured', async () => {
		const conn = new Connection({ loginUrl: s.contract.loginUrl, version: '62.0' });
		const info = await conn.login(s.contract.username, s.contract.password);
		expect(info.organizationId).toBe(s.sim.orgId);
		expect((await conn.query('SELECT COUNT() FROM Contact')).totalSize).toBe(5);
		const bad = new Connection({ loginUrl: s.contract.loginUrl, version: '62.0' });
		await expect(bad.login(s.contract.username, 'nope')).rejects.toThrow(
			'INVALID_LOGIN: Invalid username, password, security token; or user locked out.',
		);
	});

	it('refreshes an expired session with the refresh token and retries (jsforce sees no error)', async () => {
		const first = new Connection({ oauth2: oauth2(), version: '62.0' });
		const tokens = await oauth2().authenticate(s.contract.username, s.contract.password);
		expect(tokens.refresh_token).toEqual(expect.any(String));
		const conn = new Connection({
			oauth2: oauth2(),
			instanceUrl: tokens.instance_url,
			accessToken: tokens.access_token,
			refreshToken: tokens.refresh_token,
			version: '62.0',
		});
		void first;
		const refreshed: string[] = [];
		conn.on('refresh', (token: string) => refreshed.push(token));
		expect((await conn.query('SELECT COUNT() FROM Account')).totalSize).toBe(2);

		// expire every token: the next call gets 401 INVALID_SESSION_ID, jsforce refreshes and retries
		expect(s.sim.faults.expireTokens()).toBeGreaterThanOrEqual(1);
		const raw = await client(s.contract.instanceUrl, {
			Authorization: `Bearer ${tokens.access_token}`,
		}).get('/services/data/v62.0/limits');
		expect(raw.status).toBe(401);
		expect(raw.data).toEqual([
			{ message: 'Session expired or invalid', errorCode: 'INVALID_SESSION_ID' },
		]);
		expect(raw.headers['sforce-limit-info']).toMatch(/^api-usage=\d+\/15000$/);

		const before = s.sim.log.count({ kind: 'token' });
		expect((await conn.query('SELECT COUNT() FROM Contact')).totalSize).toBe(5);
		expect(refreshed).toHaveLength(1);
		expect(conn.accessToken).toBe(refreshed[0]);
		expect(s.sim.log.count({ kind: 'token' })).toBe(before + 1);
		expect(s.sim.log.count({ kind: 'query', status: 401 })).toBeGreaterThanOrEqual(1);

		// tokens also expire with time (default session lifetime 2 h)
		clock.advance(2 * 3600_000 + 1000);
		expect((await conn.query('SELECT COUNT() FROM Contact')).totalSize).toBe(5);
		expect(refreshed).toHaveLength(2);
	});

	it('issues tokens for a JWT bearer assertion signed with the connected app key, and rejects others', async () => {
		const sign = (key: string, claims: Record<string, unknown> = {}) =>
			jwt.sign(
				{
					iss: s.contract.clientId,
					sub: s.contract.username,
					aud: s.contract.loginUrl,
					exp: Math.floor(clock.now() / 1000) + 120,
					...claims,
				},
				key,
				{ algorithm: 'RS256' },
			);
		const conn = new Connection({ loginUrl: s.contract.loginUrl, version: '62.0' });
		const info = await conn.authorize({
			grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer',
			assertion: sign(s.contract.jwtPrivateKey),
		});
		expect(info.organizationId).toBe(s.sim.orgId);
		expect((await conn.query('SELECT COUNT() FROM Account')).totalSize).toBe(2);

		const other = generateKeyPairSync('rsa', {
			modulusLength: 2048,
			privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
			publicKeyEncoding: { type: 'spki', format: 'pem' },
		});
		const forged = await sfError(
			new Connection({ loginUrl: s.contract.loginUrl, version: '62.0' }).authorize({
				grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer',
				assertion: sign(other.privateKey),
			}),
		);
		expect(forged.errorCode).toBe('invalid_grant');
		expect(forged.message).toMatch(/invalid signature/);
		const expired = await sfError(
			new Connection({ loginUrl: s.contract.loginUrl, version: '62.0' }).authorize({
				grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer',
				assertion: sign(s.contract.jwtPrivateKey, { exp: Math.floor(clock.now() / 1000) - 10 }),
			}),
		);
		expect(expired).toMatchObject({ errorCode: 'invalid_grant', message: 'expired assertion' });
		const wrongAud = await sfError(
			new Connection({ loginUrl: s.contract.loginUrl, version: '62.0' }).authorize({
				grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer',
				assertion: sign(s.contract.jwtPrivateKey, { aud: 'https://evil.example.com' }),
			}),
		);
		expect(wrongAud.message).toMatch(/audience invalid/);
	});

	it('supports client credentials and the authorization-code flow n8n uses', async () => {
		const form = (p: Record<string, string>) => new URLSearchParams(p).toString();
		const http = client(s.contract.loginUrl, {
			'Content-Type': 'application/x-www-form-urlencoded',
		});
		const cc = await http.post(
			'/services/oauth2/token',
			form({
				grant_type: 'client_credentials',
				client_id: s.contract.clientId,
				client_secret: s.contract.clientSecret,
			}),
		);
		expect(cc.status).toBe(200);
		expect(cc.data).toMatchObject({
			access_token: expect.any(String),
			instance_url: s.contract.instanceUrl,
			token_type: 'Bearer',
			id: expect.stringContaining(`/id/${s.sim.orgId}/005`),
		});
		expect(cc.data.refresh_token).toBeUndefined();

		const redirectUri = 'http://127.0.0.1:5678/rest/oauth2-credential/callback';
		const auth = await client(s.contract.loginUrl).get('/services/oauth2/authorize', {
			params: {
				response_type: 'code',
				client_id: s.contract.clientId,
				redirect_uri: redirectUri,
				state: 'xyz',
				scope: 'api refresh_token',
			},
			maxRedirects: 0,
		});
		expect(auth.status).toBe(302);
		const back = new URL(auth.headers.location as string);
		expect(back.searchParams.get('state')).toBe('xyz');
		const code = back.searchParams.get('code') as string;
		const conn = new Connection({
			oauth2: new OAuth2({
				loginUrl: s.contract.loginUrl,
				clientId: s.contract.clientId,
				clientSecret: s.contract.clientSecret,
				redirectUri,
			}),
			version: '62.0',
		});
		const info = await conn.authorize(code);
		expect(info.organizationId).toBe(s.sim.orgId);
		expect(conn.refreshToken).toEqual(expect.any(String));
		expect((await conn.query('SELECT COUNT() FROM Account')).totalSize).toBe(2);
		// a code is single-use
		const again = await http.post(
			'/services/oauth2/token',
			form({
				grant_type: 'authorization_code',
				code,
				client_id: s.contract.clientId,
				client_secret: s.contract.clientSecret,
				redirect_uri: redirectUri,
			}),
		);
		expect(again.status).toBe(400);
		expect(again.data.error).toBe('invalid_grant');
	});

	it('puts Sforce-Limit-Info on every response and jsforce reads it', async () => {
		const conn = s.conn();
		await conn.query('SELECT Id FROM Account');
		const used = s.sim.apiUsage();
		expect(conn.limitInfo.apiUsage).toEqual({ used, limit: 15000 });
		const notFound = await client(s.contract.instanceUrl, {
			Authorization: `Bearer ${s.sim.contract().accessToken}`,
		}).get('/services/data/v62.0/sobjects/Nope/describe');
		expect(notFound.status).toBe(404);
		expect(notFound.data).toEqual([
			{ errorCode: 'NOT_FOUND', message: 'The requested resource does not exist' },
		]);
		expect(notFound.headers['sforce-limit-info']).toBe(`api-usage=${used + 1}/15000`);
		const limits = await conn.limits();
		expect(limits.DailyApiRequests).toEqual({ Max: 15000, Remaining: 15000 - (used + 2) });
	});

	it('answers 403 REQUEST_LIMIT_EXCEEDED once the daily limit is used up, and serves again after 24 h', async () => {
		const conn = s.conn();
		s.sim.setDailyRequestLimit(s.sim.apiUsage() + 3);
		for (let i = 0; i < 3; i++) await conn.query('SELECT Id FROM Account LIMIT 1');
		const err = await sfError(conn.query('SELECT Id FROM Account LIMIT 1'));
		expect(err).toMatchObject({
			errorCode: 'REQUEST_LIMIT_EXCEEDED',
			message: 'TotalRequests Limit exceeded.',
		});
		const raw = await client(s.contract.instanceUrl, {
			Authorization: `Bearer ${s.sim.contract().accessToken}`,
		}).post('/services/data/v62.0/sobjects/Account', { Name: 'Blocked' });
		expect(raw.status).toBe(403);
		expect(raw.data).toEqual([
			{ message: 'TotalRequests Limit exceeded.', errorCode: 'REQUEST_LIMIT_EXCEEDED' },
		]);
		expect(raw.headers['sforce-limit-info']).toMatch(/^api-usage=(\d+)\/\1$/);
		// nothing was written by the rejected call
		expect(s.sim.table('Account').lookup('Name', 'Blocked')).toEqual([]);
		// a rolling 24-hour window
		clock.advance(86_400_000 + 1);
		expect((await conn.query('SELECT COUNT() FROM Account')).totalSize).toBe(2);
	});

	it('limits concurrent long-running requests (ConcurrentPerOrgLongTxn)', async () => {
		const sim = new (s.sim
			.constructor as typeof import('../../../sandbox/salesforce').SalesforceSimulator)({
			clock,
			longRunningAfterMs: 0,
			concurrentLongRunningLimit: 2,
		});
		const contract = await sim.start();
		try {
			sim.setProcessingTime({ delayMs: 1500, kinds: ['query'] });
			const conn = new Connection({
				instanceUrl: contract.instanceUrl,
				accessToken: contract.accessToken,
				version: '62.0',
			});
			// jsforce queries are lazy thenables: start them now
			const slow = [
				Promise.resolve(conn.query('SELECT Id FROM Account')),
				Promise.resolve(conn.query('SELECT Id FROM Contact')),
			];
			for (let i = 0; i < 200 && sim.inFlightCount() < 2; i++)
				await new Promise((r) => setTimeout(r, 5));
			expect(sim.inFlightCount()).toBe(2);
			const err = await sfError(conn.query('SELECT Id FROM Lead'));
			expect(err).toMatchObject({
				errorCode: 'REQUEST_LIMIT_EXCEEDED',
				message: 'ConcurrentPerOrgLongTxn Limit exceeded.',
			});
			await Promise.all(slow);
			sim.setProcessingTime(undefined);
			expect((await conn.query('SELECT COUNT() FROM Lead')).totalSize).toBe(0);
		} finally {
			await sim.stop();
		}
	});

	it('shapes injected faults like Salesforce (rate limit, 5xx, dropped connections)', async () => {
		const http = client(s.contract.instanceUrl, {
			Authorization: `Bearer ${s.sim.contract().accessToken}`,
		});
		s.sim.faults.add({
			type: 'rateLimit',
			status: 403,
			retryAfterSeconds: 7,
			match: { kinds: ['query'] },
		});
		const limited = await http.get('/services/data/v62.0/query', {
			params: { q: 'SELECT Id FROM Account' },
		});
		expect(limited.status).toBe(403);
		expect(limited.data).toEqual([
			{
				message: 'ConcurrentRequests (Concurrent API Requests) Limit exceeded.',
				errorCode: 'REQUEST_LIMIT_EXCEEDED',
			},
		]);
		expect(limited.headers['retry-after']).toBe('7');
		s.sim.faults.add({ type: 'serverError', status: 503 });
		const unavailable = await http.get('/services/data/v62.0/limits');
		expect(unavailable.status).toBe(503);
		expect(unavailable.data[0].errorCode).toBe('SERVER_UNAVAILABLE');
		expect(unavailable.headers['sforce-limit-info']).toEqual(expect.any(String));
		s.sim.faults.add({ type: 'drop' });
		await expect(http.get('/services/data/v62.0/limits')).rejects.toThrow();
		expect((await http.get('/services/data/v62.0/limits')).status).toBe(200);
	});

	it('serves the version list without a session and rejects unknown versions', async () => {
		const versions = await client(s.contract.instanceUrl).get('/services/data');
		expect(versions.status).toBe(200);
		expect(versions.data).toContainEqual({
			label: "Winter '25",
			url: '/services/data/v62.0',
			version: '62.0',
		});
		const unknown = await client(s.contract.instanceUrl, {
			Authorization: `Bearer ${s.sim.contract().accessToken}`,
		}).get('/services/data/v99.0/limits');
		expect(unknown.status).toBe(404);
		expect(unknown.data[0].errorCode).toBe('NOT_FOUND');
		const noAuth = await client(s.contract.instanceUrl).get('/services/data/v62.0/sobjects');
		expect(noAuth.status).toBe(401);
		expect(noAuth.data[0].errorCode).toBe('INVALID_SESSION_ID');
	});
});

describe('Salesforce simulator: registration and admin endpoints', () => {
	it('starts under the salesforce key of the sandbox contract with sample data', async () => {
		const { startSandboxes, SalesforceSimulator } = await import('../../../sandbox');
		const running = await startSandboxes({ only: ['salesforce'], seed: 4 });
		try {
			const c = running.contract.salesforce!;
			expect(Object.keys(c)).toEqual([
				'instanceUrl',
				'loginUrl',
				'clientId',
				'clientSecret',
				'username',
				'password',
				'accessToken',
				'apiVersion',
				'jwtPrivateKey',
			]);
			expect(c.jwtPrivateKey).toMatch(/^-----BEGIN PRIVATE KEY-----/);
			expect(running.instances.salesforce).toBeInstanceOf(SalesforceSimulator);
			const conn = new Connection({
				instanceUrl: c.instanceUrl,
				accessToken: c.accessToken,
				version: '62.0',
			});
			expect((await conn.query('SELECT COUNT() FROM Contact')).totalSize).toBe(200);
			const admin = client(c.instanceUrl);
			expect(
				(await admin.put('/__sandbox/limits', { dailyRequestLimit: 2, resetUsage: true })).data,
			).toMatchObject({ dailyRequestLimit: 2, apiUsage: 0 });
			await conn.query('SELECT Id FROM Account LIMIT 1');
			await conn.query('SELECT Id FROM Account LIMIT 1');
			expect((await sfError(conn.query('SELECT Id FROM Account LIMIT 1'))).errorCode).toBe(
				'REQUEST_LIMIT_EXCEEDED',
			);
			await admin.put('/__sandbox/limits', { dailyRequestLimit: 15000, resetUsage: true });
			expect((await admin.post('/__sandbox/seed', { invoices: 5 })).status).toBe(201);
			expect((await conn.query('SELECT COUNT() FROM Invoice__c')).totalSize).toBe(25);
			const fresh = (await admin.post('/__sandbox/tokens', { ttlSeconds: 60 })).data;
			expect(fresh).toMatchObject({
				accessToken: expect.any(String),
				refreshToken: expect.any(String),
			});
			const log = (await admin.get('/__sandbox/log', { params: { entries: 'false' } })).data;
			expect(log.byKind.query).toBeGreaterThanOrEqual(3);
			expect((await admin.post('/__sandbox/reset')).status).toBe(204);
			expect((await conn.query('SELECT COUNT() FROM Contact')).totalSize).toBe(0);
		} finally {
			await running.stop();
		}
	});
});
