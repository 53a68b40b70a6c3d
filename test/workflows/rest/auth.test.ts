/**
 * The REST API node's credentials through n8n's engine against the REST simulator: every auth style works; OAuth2
 * client-credentials tokens are cached by the core across executions and renewed after a 401; a wrong key fails with
 * the API's status and message and never the secret; a credential is never sent to another host.
 */
import type { IDataObject } from 'n8n-workflow';

import { clearRateBudgets } from '../../../core/http/rateLimiter';
import { RestSimulator, type RestContract } from '../../../sandbox';
import { credentialsFor, run, TYPES } from './helpers';

const sim = new RestSimulator({ records: { contacts: 3 }, rateLimit: false });
let contract: RestContract;

beforeAll(async () => {
	contract = await sim.start();
});
afterAll(async () => {
	clearRateBudgets();
	await sim.stop();
});
beforeEach(() => sim.log.reset());

const me = { method: 'GET', path: '/me', recordsPath: '' };

async function whoAmI(authentication: string, data: IDataObject): Promise<IDataObject[]> {
	const { ok, failed } = await run([{}], me, {
		authentication,
		credentials: { [TYPES[authentication]]: data as never },
	});
	expect(failed).toEqual([]);
	return ok;
}

describe('each auth style reaches the API as its own principal', () => {
	it('API key in a header and in the query string', async () => {
		const c = credentialsFor(contract);
		expect(await whoAmI('apiKey', { ...c.crmHttpApiKeyApi })).toEqual([
			{ subject: 'api-key', auth: 'apiKey', client_id: null },
		]);
		const inQuery = await whoAmI('apiKey', {
			baseUrl: contract.baseUrl,
			apiKey: contract.apiKey,
			location: 'query',
			name: 'api_key',
		});
		expect(inQuery[0].auth).toBe('apiKey');
		expect(sim.log.entries({ kind: 'me' }).at(-1)?.query).toEqual({ api_key: '***' });
	});

	it('Basic auth and a static bearer token', async () => {
		const c = credentialsFor(contract);
		expect((await whoAmI('basicAuth', { ...c.crmHttpBasicAuthApi }))[0]).toEqual({
			subject: `basic:${contract.username}`,
			auth: 'basic',
			client_id: null,
		});
		expect((await whoAmI('bearerToken', { ...c.crmHttpBearerTokenApi }))[0].subject).toBe(
			'static-token',
		);
	});

	it('OAuth2 client credentials: one token for several executions, renewed once after the API expired it', async () => {
		const data = {
			...credentialsFor(contract).crmHttpClientCredentialsOAuth2Api,
		};
		for (let k = 0; k < 3; k++)
			expect((await whoAmI('clientCredentials', data))[0]).toEqual({
				subject: `client:${contract.clientId}`,
				auth: 'bearer',
				client_id: contract.clientId,
			});
		expect(sim.log.count({ kind: 'token' })).toBe(1);
		sim.faults.expireTokens();
		expect((await whoAmI('clientCredentials', data))[0].auth).toBe('bearer');
		expect(sim.log.count({ kind: 'token' })).toBe(2);
		expect(sim.log.count({ kind: 'me', status: 401 })).toBe(1);
	});

	it('OAuth2 client credentials with the client authenticated by a Basic header', async () => {
		const data = {
			...credentialsFor(contract).crmHttpClientCredentialsOAuth2Api,
			clientAuthentication: 'basic',
		};
		expect((await whoAmI('clientCredentials', data))[0].client_id).toBe(contract.clientId);
	});

	it('OAuth2 managed by n8n: n8n signs the request with the token it stored', async () => {
		const response = await fetch(contract.tokenUrl, {
			method: 'POST',
			headers: { 'content-type': 'application/x-www-form-urlencoded' },
			body: new URLSearchParams({
				grant_type: 'client_credentials',
				client_id: contract.clientId,
				client_secret: contract.clientSecret,
			}),
		});
		const tokens = (await response.json()) as { access_token: string };
		const { ok, failed } = await run([{}], me, {
			authentication: 'oAuth2',
			credentials: {
				crmHttpOAuth2Api: {
					baseUrl: contract.baseUrl,
					clientId: contract.clientId,
					clientSecret: contract.clientSecret,
					accessTokenUrl: contract.tokenUrl,
					authUrl: `${contract.baseUrl}/authorize`,
					grantType: 'authorizationCode',
					authentication: 'body',
					scope: '',
					oauthTokenData: { access_token: tokens.access_token, token_type: 'bearer' },
				},
			},
		});
		expect(failed).toEqual([]);
		expect(ok[0]).toEqual(
			expect.objectContaining({ auth: 'bearer', client_id: contract.clientId }),
		);
	});
});

it("no credential: the node's Base URL and its own headers are sent as given", async () => {
	const { ok, failed } = await run(
		[{}],
		{
			...me,
			baseUrl: contract.baseUrl,
			headers: { values: [{ name: 'X-API-Key', value: contract.apiKey }] },
		},
		{ authentication: 'none' },
	);
	expect(failed).toEqual([]);
	expect(ok).toEqual([{ subject: 'api-key', auth: 'apiKey', client_id: null }]);
	const refused = await run([{}], { ...me, baseUrl: contract.baseUrl }, { authentication: 'none' });
	expect(String(refused.failed[0].error)).toMatch(/No credentials were supplied.*HTTP 401/);
});

describe('failures', () => {
	it('a wrong API key fails every item with HTTP 401 and the API message, without the key', async () => {
		const wrongKey = 'wrong-api-key-0123456789';
		const { ok, failed, failedItems } = await run(
			[{}, {}],
			{ method: 'GET', path: '/contacts', recordsPath: 'data' },
			{
				authentication: 'apiKey',
				credentials: {
					crmHttpApiKeyApi: {
						baseUrl: contract.baseUrl,
						apiKey: wrongKey,
						location: 'header',
						name: 'X-API-Key',
					},
				},
			},
		);
		expect(ok).toEqual([]);
		expect(failedItems).toEqual([0, 1]);
		expect(String(failed[0].error)).toMatch(/401/);
		expect(String(failed[0].error)).toMatch(/The access token is invalid/);
		expect(failed[0].details).toEqual(expect.objectContaining({ status: 401 }));
		expect(JSON.stringify(failed)).not.toContain(wrongKey);
		// A 401 is not retried: one request per item.
		expect(sim.log.count({ kind: 'list', status: 401 })).toBe(2);
	});

	it('a wrong client secret fails with the token endpoint reason, without the secret', async () => {
		const secret = 'not-the-client-secret-42';
		const { failed } = await run([{}], me, {
			authentication: 'clientCredentials',
			credentials: {
				crmHttpClientCredentialsOAuth2Api: {
					...credentialsFor(contract).crmHttpClientCredentialsOAuth2Api,
					clientSecret: secret,
				},
			},
		});
		expect(String(failed[0].error)).toMatch(/invalid_client/);
		expect(JSON.stringify(failed)).not.toContain(secret);
		expect(sim.log.count({ kind: 'me' })).toBe(0);
	});

	it('never sends a credential to another host than its Base URL', async () => {
		const { ok, failed } = await run(
			[{}],
			{ ...me, baseUrl: 'http://localhost:1/api' },
			{
				authentication: 'apiKey',
				credentials: credentialsFor(contract),
			},
		);
		expect(ok).toEqual([]);
		expect(String(failed[0].error)).toMatch(/the credential is bound to http:\/\/127\.0\.0\.1:\d+/);
		expect(sim.log.count()).toBe(0);
	});
});
