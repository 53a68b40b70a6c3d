/**
 * Authentication and rate limits of the HubSpot simulator through `@hubspot/api-client`: private-app tokens,
 * the OAuth authorization-code and refresh flows with token info, HubSpot's 401 bodies, the per-10-second,
 * per-second (search) and daily limits with their headers and 429 bodies, and injected 429s.
 */
import { Client } from '@hubspot/api-client';
import { DEFAULT_HUBSPOT_RATE_LIMITS } from '../../../sandbox';
import { ManualClock } from '../../../sandbox/kit';
import { client as http } from '../helpers';
import { failure, hubspotClient, useSimulator } from './helpers';

const T0 = Date.UTC(2025, 4, 1, 12, 0, 0);

describe('HubSpot simulator: auth and rate limits', () => {
	const clock = new ManualClock(T0);
	const { sim, contract, client } = useSimulator({ clock, records: { contacts: 3 } });
	afterEach(() => {
		sim.setRateLimits(false);
		sim.faults.clearFaults();
	});

	describe('authentication', () => {
		it('rejects missing and unknown tokens with 401 INVALID_AUTHENTICATION', async () => {
			const none = await http(contract().baseUrl).get('/crm/v3/objects/contacts');
			expect(none.status).toBe(401);
			expect(none.data).toMatchObject({
				status: 'error',
				category: 'INVALID_AUTHENTICATION',
				correlationId: expect.any(String),
				message: expect.stringContaining('Authentication credentials not found'),
			});
			const wrong = await failure(
				hubspotClient(
					contract(),
					'pat-na1-00000000-0000-0000-0000-000000000000',
				).crm.contacts.basicApi.getPage(1),
			);
			expect(wrong.code).toBe(401);
			expect(wrong.body.category).toBe('INVALID_AUTHENTICATION');
			expect(JSON.stringify(wrong.body)).not.toContain('pat-na1-0000');
		});

		it('runs the OAuth code flow, answers token info, refreshes (same refresh token), and expires tokens after 30 minutes', async () => {
			const c = contract();
			const redirectUri = 'http://127.0.0.1:5678/rest/oauth2-credential/callback';
			const authorize = await http(c.authorizeUrl).get('', {
				params: {
					client_id: c.clientId,
					redirect_uri: redirectUri,
					scope: 'oauth crm.objects.contacts.read',
					state: 'xyz',
				},
				maxRedirects: 0,
			});
			expect(authorize.status).toBe(302);
			const location = new URL(authorize.headers.location as string);
			expect(location.searchParams.get('state')).toBe('xyz');
			const code = location.searchParams.get('code') as string;

			const oauthApi = new Client({ basePath: c.baseUrl, numberOfApiCallRetries: 0 }).oauth;
			const tokens = await oauthApi.tokensApi.create(
				'authorization_code',
				code,
				redirectUri,
				c.clientId,
				c.clientSecret,
			);
			expect(tokens).toMatchObject({
				tokenType: 'bearer',
				expiresIn: 1800,
				accessToken: expect.any(String),
				refreshToken: expect.any(String),
			});
			const reused = await failure(
				oauthApi.tokensApi.create(
					'authorization_code',
					code,
					redirectUri,
					c.clientId,
					c.clientSecret,
				),
			);
			expect(reused.code).toBe(400);
			expect(reused.body).toMatchObject({
				status: 'BAD_AUTH_CODE',
				message: 'missing or unknown auth code',
			});

			const info = await oauthApi.accessTokensApi.get(tokens.accessToken);
			expect(info).toMatchObject({
				hubId: Number(c.portalId),
				appId: sim.oauthAppId,
				expiresIn: 1800,
				tokenType: 'access',
				scopes: ['oauth', 'crm.objects.contacts.read'],
			});
			const page = await hubspotClient(c, tokens.accessToken).crm.contacts.basicApi.getPage(2);
			expect(page.results).toHaveLength(2);

			clock.advance(1801_000);
			const expired = await failure(
				hubspotClient(c, tokens.accessToken).crm.contacts.basicApi.getPage(2),
			);
			expect(expired.code).toBe(401);
			expect(expired.body.category).toBe('EXPIRED_AUTHENTICATION');
			const refreshed = await oauthApi.tokensApi.create(
				'refresh_token',
				undefined,
				undefined,
				c.clientId,
				c.clientSecret,
				tokens.refreshToken,
			);
			expect(refreshed.refreshToken).toBe(tokens.refreshToken);
			expect(refreshed.accessToken).not.toBe(tokens.accessToken);
			expect(
				(await hubspotClient(c, refreshed.accessToken).crm.contacts.basicApi.getPage(1)).results,
			).toHaveLength(1);
			const badRefresh = await failure(
				oauthApi.tokensApi.create(
					'refresh_token',
					undefined,
					undefined,
					c.clientId,
					c.clientSecret,
					'nope',
				),
			);
			expect(badRefresh.body.status).toBe('BAD_REFRESH_TOKEN');
			const badSecret = await failure(
				oauthApi.tokensApi.create(
					'refresh_token',
					undefined,
					undefined,
					c.clientId,
					'wrong',
					tokens.refreshToken,
				),
			);
			expect(badSecret.body.status).toBe('BAD_CLIENT_ID');

			// the expireTokens fault expires OAuth tokens; the private-app token keeps working
			const expiredNow = await http(c.baseUrl).post('/__sandbox/faults', { type: 'expireTokens' });
			expect(expiredNow.data.expired).toBeGreaterThanOrEqual(1);
			expect(
				(await failure(hubspotClient(c, refreshed.accessToken).crm.contacts.basicApi.getPage(1)))
					.code,
			).toBe(401);
			expect((await client().crm.contacts.basicApi.getPage(1)).results).toHaveLength(1);
		});
	});

	describe('admin endpoints', () => {
		it('sets rate limits and batch mode, seeds, lists form submissions and resets over HTTP', async () => {
			const admin = http(`${contract().baseUrl}/__sandbox`);
			expect((await admin.put('/rate-limit', { tenSecondly: 100 })).data.rateLimits).toMatchObject({
				tenSecondly: 100,
				oauthTenSecondly: 100,
				daily: 650_000,
				searchPerSecond: 5,
			});
			expect((await admin.put('/rate-limit', { tenSecondly: -1 })).status).toBe(400);
			expect((await admin.put('/rate-limit', { enabled: false })).data.rateLimits).toBe(false);
			expect((await admin.put('/batch-mode', { mode: 'partial' })).data.mode).toBe('partial');
			expect((await admin.put('/batch-mode', { mode: 'sometimes' })).status).toBe(400);
			sim.setBatchMode('atomic');
			const seeded = await admin.post('/seed', { contacts: 7, companies: 2, deals: 3 });
			expect(seeded.data.created).toEqual({ contacts: 7, companies: 2, deals: 3 });
			expect(sim.collection('deals').count()).toBe(3);
			expect((await admin.get('/form-submissions')).data.submissions).toEqual([]);
			expect((await admin.post('/reset')).status).toBe(204);
			expect(sim.collection('contacts').count()).toBe(0);
			expect((await admin.get('/log', { params: { entries: 'false' } })).data.count).toBe(0);
			sim.seed({ contacts: 3 });
		});
	});

	describe('rate limits', () => {
		const headersOf = async (
			path: string,
			method = 'GET',
			body?: unknown,
			accessToken?: string,
		) => {
			const res = await hubspotClient(contract(), accessToken).apiRequest({
				method,
				path,
				...(body !== undefined ? { body } : {}),
			});
			const h: Record<string, string> = {};
			res.headers.forEach((v: string, k: string) => (h[k] = v));
			return {
				status: res.status,
				headers: h,
				body: (await res.json()) as Record<string, unknown>,
			};
		};

		it('sends the X-HubSpot-RateLimit-* headers on CRM answers but not on search answers', async () => {
			sim.setRateLimits({ tenSecondly: 190, daily: 500_000, searchPerSecond: 5 });
			const res = await headersOf('/crm/v3/objects/contacts?limit=1');
			expect(res.headers).toMatchObject({
				'x-hubspot-ratelimit-max': '190',
				'x-hubspot-ratelimit-remaining': '189',
				'x-hubspot-ratelimit-interval-milliseconds': '10000',
				'x-hubspot-ratelimit-daily': '500000',
				'x-hubspot-ratelimit-daily-remaining': '499999',
			});
			const search = await headersOf('/crm/v3/objects/contacts/search', 'POST', {
				filterGroups: [],
				limit: 1,
			});
			expect(search.status).toBe(200);
			expect(
				Object.keys(search.headers).filter((k) => k.startsWith('x-hubspot-ratelimit')),
			).toEqual([]);
			// searches count against the daily limit but not the ten-secondly one
			const after = await headersOf('/crm/v3/objects/contacts?limit=1');
			expect(after.headers['x-hubspot-ratelimit-remaining']).toBe('188');
			expect(after.headers['x-hubspot-ratelimit-daily-remaining']).toBe('499997');
			// OAuth apps: 110 per 10 s by default, no daily limit
			sim.setRateLimits({ ...DEFAULT_HUBSPOT_RATE_LIMITS });
			const oauth = await headersOf(
				'/crm/v3/objects/contacts?limit=1',
				'GET',
				undefined,
				sim.issueOAuthToken(),
			);
			expect(oauth.headers['x-hubspot-ratelimit-max']).toBe('110');
			expect(oauth.headers['x-hubspot-ratelimit-daily']).toBeUndefined();
			expect(
				(await headersOf('/crm/v3/objects/contacts?limit=1')).headers['x-hubspot-ratelimit-daily'],
			).toBe('650000');
		});

		it('answers 429 TEN_SECONDLY_ROLLING once the rolling 10 s window is full, per app', async () => {
			sim.setRateLimits({ tenSecondly: 5, daily: 1000, searchPerSecond: 5 });
			const api = client().crm.contacts.basicApi;
			let ok = 0;
			let rejected: Awaited<ReturnType<typeof failure>> | undefined;
			for (let i = 0; i < 20 && !rejected; i++) {
				try {
					await api.getPage(1);
					ok++;
					clock.advance(1000);
				} catch {
					rejected = await failure(api.getPage(1));
				}
			}
			expect(ok).toBe(5);
			expect(rejected?.code).toBe(429);
			expect(rejected?.body).toEqual({
				status: 'error',
				message: 'You have reached your ten_secondly_rolling limit.',
				errorType: 'RATE_LIMIT',
				correlationId: expect.any(String),
				policyName: 'TEN_SECONDLY_ROLLING',
				groupName: `publicapi:private-app-api-calls-ten-secondly:${sim.privateAppId}`,
			});
			expect(rejected?.headers['x-hubspot-ratelimit-remaining']).toBe('0');
			// the oldest of the 5 requests (made 5 s ago) leaves the rolling window in 5 s
			expect(rejected?.headers['retry-after']).toBe('5');
			// another app (an OAuth token) has its own window
			const oauthToken = sim.issueOAuthToken();
			expect(
				(await hubspotClient(contract(), oauthToken).crm.contacts.basicApi.getPage(1)).results,
			).toHaveLength(1);
			// rolling: each request leaves the window 10 s after it was made
			clock.advance(5001);
			expect((await api.getPage(1)).results).toHaveLength(1);
			expect(sim.log.count({ status: 429 })).toBeGreaterThanOrEqual(2);
		});

		it('limits search per second (SECONDLY) and the account per day (DAILY)', async () => {
			sim.setRateLimits({ tenSecondly: 100, daily: 6, searchPerSecond: 2 });
			const search = () =>
				client().crm.contacts.searchApi.doSearch({
					filterGroups: [],
					sorts: [],
					limit: 1,
					after: '0',
				} as never);
			await search();
			await search();
			const third = await failure(search());
			expect(third.code).toBe(429);
			expect(third.body).toMatchObject({
				policyName: 'SECONDLY',
				message: 'You have reached your secondly limit.',
				errorType: 'RATE_LIMIT',
			});
			expect(third.headers['retry-after']).toBe('1');
			clock.advance(1000);
			await search();
			// 3 admitted requests so far; 3 more fill the daily limit of 6
			for (let i = 0; i < 3; i++) await client().crm.contacts.basicApi.getPage(1);
			const daily = await failure(client().crm.contacts.basicApi.getPage(1));
			expect(daily.body).toMatchObject({
				policyName: 'DAILY',
				message: 'You have reached your daily limit.',
			});
			expect(Number(daily.headers['retry-after'])).toBe(
				Math.ceil((Date.UTC(2025, 4, 2) - clock.now()) / 1000),
			);
			const usage = await headersOf('/account-info/v3/api-usage/daily/private-apps');
			expect((usage.body.results as Array<Record<string, unknown>>)[0]).toMatchObject({
				usageLimit: 6,
				currentUsage: 6,
			});
			clock.set(Date.UTC(2025, 4, 2, 0, 0, 1));
			expect((await client().crm.contacts.basicApi.getPage(1)).results).toHaveLength(1);
		});

		it('shapes injected 429 and 5xx faults as HubSpot answers', async () => {
			sim.faults.add({ type: 'rateLimit', count: 2, match: { kinds: ['batch.upsert'] } });
			const upsert = () =>
				client().crm.contacts.batchApi.upsert({
					inputs: [{ idProperty: 'email', id: 'storm@example.com', properties: {} }],
				});
			for (let i = 0; i < 2; i++) {
				const r = await failure(upsert());
				expect(r.code).toBe(429);
				expect(r.body).toMatchObject({
					policyName: 'TEN_SECONDLY_ROLLING',
					errorType: 'RATE_LIMIT',
				});
				expect(r.headers['retry-after']).toBe('1');
			}
			expect((await upsert()).results[0]._new).toBe(true);
			// a dropped answer after the write: the retry of an upsert by email finds the record (new: false), no duplicate
			sim.faults.add({ type: 'drop', when: 'afterHandler', match: { kinds: ['batch.upsert'] } });
			const dropped = client().crm.contacts.batchApi.upsert({
				inputs: [{ idProperty: 'email', id: 'dropped@example.com', properties: {} }],
			});
			await expect(dropped).rejects.toThrow();
			const retried = await client().crm.contacts.batchApi.upsert({
				inputs: [{ idProperty: 'email', id: 'dropped@example.com', properties: {} }],
			});
			expect(retried.results[0]._new).toBe(false);
			sim.faults.add({ type: 'serverError', status: 502 });
			const bad = await failure(client().crm.contacts.basicApi.getPage(1));
			expect(bad.code).toBe(502);
			expect(bad.body).toMatchObject({ status: 'error', category: 'BAD_GATEWAY' });
		});
	});
});
