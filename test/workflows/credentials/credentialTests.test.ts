/**
 * The "Test" button of every credential type of the package, as n8n performs it (see
 * `test/helpers/credential-tester.ts`), against the running Salesforce and HubSpot simulators: valid credentials
 * pass, wrong secrets fail with a message that names the problem and never contains the secret.
 *
 * The credential types come from the built package through n8n-core's `PackageDirectoryLoader`, so a credential
 * added to package.json is picked up here: it fails until it declares a `test` and this file gives it a valid
 * fixture. Needs `dist/` (npm test builds first).
 */
import { generateKeyPairSync } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';

import type { ICredentialDataDecryptedObject, ICredentialType, INodeType } from 'n8n-workflow';

import { clearRateBudgets } from '../../../core/http/rateLimiter';
import {
	type HubSpotContract,
	HubSpotSimulator,
	type RestContract,
	RestSimulator,
} from '../../../sandbox';
import { DynamicsSimulator, type DynamicsSimContract } from '../../../sandbox/dynamics';
import { SalesforceSimulator, type SalesforceSimContract } from '../../../sandbox/salesforce';
import {
	type CredentialTestRun,
	loadCredentialTypes,
	testCredential,
} from '../../helpers/credential-tester';
import { loadPackage, PACKAGE_ROOT } from '../../helpers/engine';
import { restFixtures } from './restFixtures';

const OK = { status: 'OK', message: 'Connection successful!' };

const salesforce = new SalesforceSimulator();
const hubspot = new HubSpotSimulator({ rateLimits: false });
const dynamics = new DynamicsSimulator();
const rest = new RestSimulator({ rateLimit: false });
let rc: RestContract;
let sf: SalesforceSimContract;
let hs: HubSpotContract;
let dv: DynamicsSimContract;
let types: Record<string, ICredentialType>;

/**
 * Credential types a node tests itself (`testedBy` + `methods.credentialTest`, e.g. the CRM Sync node's PostgreSQL
 * credential: a database connection, not an HTTP request) → whether that method exists. Their tests run in the
 * node's own test file (test/workflows/sync/stores.test.ts).
 */
let nodeTested: Record<string, boolean>;

beforeAll(async () => {
	[sf, hs, dv, rc, types] = await Promise.all([
		salesforce.start(),
		hubspot.start(),
		dynamics.start(),
		rest.start(),
		loadCredentialTypes(),
	]);
	const { loader } = await loadPackage();
	nodeTested = {};
	for (const { type } of Object.values(loader.nodeTypes)) {
		const versions =
			'nodeVersions' in type ? Object.values(type.nodeVersions) : [type as INodeType];
		for (const version of versions)
			for (const credential of version.description.credentials ?? []) {
				if (typeof credential.testedBy !== 'string') continue;
				nodeTested[credential.name] ||=
					typeof version.methods?.credentialTest?.[credential.testedBy] === 'function';
			}
	}
});
afterAll(async () => {
	clearRateBudgets();
	await Promise.all([salesforce.stop(), hubspot.stop(), dynamics.stop(), rest.stop()]);
});

/** Salesforce's authorization-code flow against the simulator, as n8n's OAuth callback runs it: the tokens n8n stores. */
async function salesforceTokens(): Promise<Record<string, string>> {
	const redirect = 'http://localhost:5678/rest/oauth2-credential/callback';
	const authorize = new URL(`${sf.loginUrl}/services/oauth2/authorize`);
	authorize.search = new URLSearchParams({
		client_id: sf.clientId,
		redirect_uri: redirect,
		scope: 'api refresh_token',
		state: 's',
		response_type: 'code',
	}).toString();
	const consent = await fetch(authorize, { redirect: 'manual' });
	const code = new URL(String(consent.headers.get('location'))).searchParams.get('code');
	expect(code).toBeTruthy();
	const response = await fetch(`${sf.loginUrl}/services/oauth2/token`, {
		method: 'POST',
		headers: { 'content-type': 'application/x-www-form-urlencoded' },
		body: new URLSearchParams({
			grant_type: 'authorization_code',
			code: String(code),
			client_id: sf.clientId,
			client_secret: sf.clientSecret,
			redirect_uri: redirect,
		}),
	});
	expect(response.status).toBe(200);
	const tokens = (await response.json()) as Record<string, string>;
	expect(tokens).toEqual(
		expect.objectContaining({
			access_token: expect.any(String),
			refresh_token: expect.any(String),
			instance_url: sf.instanceUrl,
		}),
	);
	return tokens;
}

/** HubSpot's authorization-code flow against the simulator, as n8n's OAuth callback runs it. */
async function hubspotTokens(): Promise<Record<string, string>> {
	const redirect = 'http://localhost:5678/rest/oauth2-credential/callback';
	const authorize = new URL(hs.authorizeUrl);
	authorize.search = new URLSearchParams({
		client_id: hs.clientId,
		redirect_uri: redirect,
		scope: 'oauth crm.objects.contacts.read',
		state: 's',
		response_type: 'code',
	}).toString();
	const consent = await fetch(authorize, { redirect: 'manual' });
	const code = new URL(String(consent.headers.get('location'))).searchParams.get('code');
	expect(code).toBeTruthy();
	const response = await fetch(hs.tokenUrl, {
		method: 'POST',
		headers: { 'content-type': 'application/x-www-form-urlencoded' },
		body: new URLSearchParams({
			grant_type: 'authorization_code',
			code: String(code),
			client_id: hs.clientId,
			client_secret: hs.clientSecret,
			redirect_uri: redirect,
		}),
	});
	expect(response.status).toBe(200);
	return (await response.json()) as Record<string, string>;
}

/**
 * A Dataverse token for the OAuth2 credential's stored token data: the simulator's Entra ID grants client credentials
 * only, and n8n signs requests with whatever access token it stored after the consent flow.
 */
async function dynamicsTokens(): Promise<Record<string, string>> {
	const response = await fetch(dv.tokenUrl, {
		method: 'POST',
		headers: { 'content-type': 'application/x-www-form-urlencoded' },
		body: new URLSearchParams({
			grant_type: 'client_credentials',
			client_id: dv.clientId,
			client_secret: dv.clientSecret,
			scope: dv.scope,
		}),
	});
	expect(response.status).toBe(200);
	return (await response.json()) as Record<string, string>;
}

/**
 * Valid data per credential type, as a user enters it (hidden fields left to the type: the OAuth2 token URL
 * is computed by the type's own expression from the environment / base URL).
 */
const valid: Record<string, () => Promise<ICredentialDataDecryptedObject>> = {
	crmSalesforcePasswordApi: async () => ({
		environment: 'custom',
		customLoginUrl: sf.loginUrl,
		clientId: sf.clientId,
		clientSecret: sf.clientSecret,
		username: sf.username,
		password: sf.password,
		securityToken: '',
	}),
	crmSalesforceJwtApi: async () => ({
		environment: 'custom',
		customLoginUrl: sf.loginUrl,
		clientId: sf.clientId,
		username: sf.username,
		privateKey: sf.jwtPrivateKey,
	}),
	crmSalesforceClientCredentialsApi: async () => ({
		myDomainUrl: sf.loginUrl,
		clientId: sf.clientId,
		clientSecret: sf.clientSecret,
	}),
	crmSalesforceOAuth2Api: async () => ({
		environment: 'custom',
		customLoginUrl: sf.loginUrl,
		clientId: sf.clientId,
		clientSecret: sf.clientSecret,
		oauthTokenData: await salesforceTokens(),
	}),
	crmHubSpotPrivateAppApi: async () => ({ accessToken: hs.accessToken, baseUrl: hs.baseUrl }),
	crmHubSpotOAuth2Api: async () => ({
		baseUrl: hs.baseUrl,
		clientId: hs.clientId,
		clientSecret: hs.clientSecret,
		oauthTokenData: await hubspotTokens(),
	}),
	crmDynamicsClientCredentialsApi: async () => ({
		environmentUrl: dv.serverUrl,
		tenantId: dv.tenantId,
		clientId: dv.clientId,
		clientSecret: dv.clientSecret,
		tokenUrl: dv.tokenUrl,
	}),
	crmDynamicsOAuth2Api: async () => ({
		environmentUrl: dv.serverUrl,
		tenantId: dv.tenantId,
		authority: dv.serverUrl,
		clientId: dv.clientId,
		clientSecret: dv.clientSecret,
		oauthTokenData: await dynamicsTokens(),
	}),
	...restFixtures(() => rc),
};

/** Everything of a failed test a user or a log could see. */
function visibleText(run: CredentialTestRun): string {
	const error = (run.error ?? {}) as {
		message?: unknown;
		description?: unknown;
		messages?: unknown;
		stack?: unknown;
	};
	return [
		run.result.message,
		error.message,
		error.description,
		JSON.stringify(error.messages ?? []),
		error.stack,
	]
		.map(String)
		.join('\n');
}

function expectFailure(run: CredentialTestRun, message: RegExp, secrets: string[]): void {
	expect(run.result.status).toBe('Error');
	expect(run.result.message).toMatch(message);
	const text = visibleText(run);
	for (const secret of secrets) {
		expect(secret.length).toBeGreaterThanOrEqual(8); // a short "secret" would make this check vacuous
		expect(text).not.toContain(secret);
	}
}

describe('every credential type of the package', () => {
	it('loads the credential types package.json declares, each with a `test` request and a valid fixture here', () => {
		const declared = (
			JSON.parse(readFileSync(path.join(PACKAGE_ROOT, 'package.json'), 'utf8')) as {
				n8n: { credentials: string[] };
			}
		).n8n.credentials;
		expect(Object.keys(types)).toHaveLength(declared.length);
		const problems: string[] = [];
		for (const [name, type] of Object.entries(types)) {
			if (name in nodeTested) {
				if (!nodeTested[name])
					problems.push(
						`${name}: a node names \`testedBy\` for it, but that node has no such credentialTest method`,
					);
				continue;
			}
			if (!type.test?.request)
				problems.push(
					`${name} declares no \`test\`: n8n's "Test" button would answer "No testing function found for this credential."`,
				);
			if (!(name in valid))
				problems.push(
					`${name} has no valid fixture in this test file: add one so its \`test\` is exercised`,
				);
		}
		expect(problems).toEqual([]);
	});

	it("passes n8n's credential test with valid data against the simulators", async () => {
		const results: Record<string, unknown> = {};
		const requestTested = Object.keys(types).filter((name) => !(name in nodeTested));
		for (const name of requestTested) {
			const data = await valid[name]();
			const run = await testCredential(name, data);
			results[name] =
				run.result.status === 'OK' ? run.result : { ...run.result, error: visibleText(run) };
		}
		expect(results).toEqual(Object.fromEntries(requestTested.map((name) => [name, OK])));
	});
});

describe('Salesforce credentials', () => {
	it('username-password: logs in during the test, and n8n stores the token and instance URL it got', async () => {
		const before = salesforce.log.count({ kind: 'token' });
		const run = await testCredential(
			'crmSalesforcePasswordApi',
			await valid.crmSalesforcePasswordApi(),
		);
		expect(run.result).toEqual(OK);
		expect(run.preAuthentications).toBe(1);
		expect(salesforce.log.count({ kind: 'token' }) - before).toBe(1);
		// The prepared data got the type's defaults (empty hidden session fields) before the login filled them.
		expect(run.updates).toHaveLength(1);
		expect(run.stored).toEqual(
			expect.objectContaining({
				instanceUrl: sf.instanceUrl,
				accessToken: expect.stringMatching(/.{16,}/),
			}),
		);
	});

	it('username-password: logs in again when testing even with a (stale) token stored, as n8n does', async () => {
		const data = {
			...(await valid.crmSalesforcePasswordApi()),
			accessToken: 'stale-token-from-last-week',
			instanceUrl: 'https://old-instance.invalid',
		};
		const run = await testCredential('crmSalesforcePasswordApi', data);
		expect(run.result).toEqual(OK);
		expect(run.preAuthentications).toBe(1);
		expect(run.stored.accessToken).not.toBe('stale-token-from-last-week');
		expect(run.stored.instanceUrl).toBe(sf.instanceUrl);
	});

	it("username-password: a wrong password names Salesforce's reason and the fields to check", async () => {
		const data = { ...(await valid.crmSalesforcePasswordApi()), password: 'wrong-password-4711' };
		const run = await testCredential('crmSalesforcePasswordApi', data);
		expectFailure(
			run,
			/^Salesforce login failed \(HTTP 400\): invalid_grant — authentication failure \(check the user name, password \+ security token/,
			['wrong-password-4711', sf.clientSecret],
		);
		expect(run.updates).toEqual([]); // nothing is stored from a failed login
	});

	it('username-password: a wrong consumer secret says to check the consumer key and secret', async () => {
		const data = {
			...(await valid.crmSalesforcePasswordApi()),
			clientSecret: 'not-the-consumer-secret',
		};
		const run = await testCredential('crmSalesforcePasswordApi', data);
		expectFailure(
			run,
			/^Salesforce login failed \(HTTP 400\): invalid_client.*check the consumer key and secret/,
			['not-the-consumer-secret', sf.password],
		);
	});

	it('JWT bearer: an assertion signed with the wrong private key is refused, and no key material leaks', async () => {
		const { privateKey } = generateKeyPairSync('rsa', {
			modulusLength: 2048,
			privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
			publicKeyEncoding: { type: 'spki', format: 'pem' },
		});
		const run = await testCredential('crmSalesforceJwtApi', {
			...(await valid.crmSalesforceJwtApi()),
			privateKey,
		});
		expectFailure(
			run,
			/^Salesforce login failed \(HTTP 400\): invalid_grant.*the certificate and the consumer key/,
			[
				privateKey.split('\n')[1], // a line of the key: no part of it may be echoed
				sf.jwtPrivateKey.split('\n')[1],
			],
		);
	});

	it('JWT bearer: a private key that is not PEM fails before any request, saying what is wrong', async () => {
		const before = salesforce.log.count({ kind: 'token' });
		const run = await testCredential('crmSalesforceJwtApi', {
			...(await valid.crmSalesforceJwtApi()),
			privateKey: 'not-a-pem-private-key-value',
		});
		expect(run.result.status).toBe('Error');
		expect(run.result.message).toMatch(
			/^The Salesforce JWT credential's private key cannot be read/,
		);
		expect(visibleText(run)).not.toContain('not-a-pem-private-key-value');
		expect(salesforce.log.count({ kind: 'token' })).toBe(before);
	});

	it('client credentials: a wrong consumer secret says to check the key, the secret and the run-as user', async () => {
		const run = await testCredential('crmSalesforceClientCredentialsApi', {
			...(await valid.crmSalesforceClientCredentialsApi()),
			clientSecret: 'wrong-consumer-secret',
		});
		expectFailure(run, /^Salesforce login failed \(HTTP 400\): invalid_client.*run-as user/, [
			'wrong-consumer-secret',
			sf.clientSecret,
		]);
	});

	it("OAuth2: the token URL comes from the type's expression over the environment, and an expired token is refreshed", async () => {
		const data = await valid.crmSalesforceOAuth2Api();
		salesforce.faults.expireTokens();
		const run = await testCredential('crmSalesforceOAuth2Api', data);
		expect(run.prepared.accessTokenUrl).toBe(`${sf.loginUrl}/services/oauth2/token`);
		expect(run.result).toEqual(OK);
		// n8n refreshed the token with the computed token URL and stored the new one.
		expect(run.updates.map((u) => u.kind)).toEqual(['updateCredentialsOauthTokenData']);
		const stored = run.stored.oauthTokenData as Record<string, string>;
		expect(stored.access_token).not.toBe(
			(data.oauthTokenData as Record<string, string>).access_token,
		);
	});

	it('OAuth2: a revoked connection asks to reconnect, without the tokens in the message', async () => {
		const data = await valid.crmSalesforceOAuth2Api();
		const tokens = data.oauthTokenData as Record<string, string>;
		data.oauthTokenData = {
			...tokens,
			access_token: 'revoked-access-token-1',
			refresh_token: 'revoked-refresh-token-1',
		};
		const run = await testCredential('crmSalesforceOAuth2Api', data);
		// Salesforce answers the refresh with `invalid_grant`: n8n asks to reconnect, naming the credential.
		expectFailure(
			run,
			/^The credential "Salesforce \(CRM Connectors\) OAuth2 API \(test\)" needs to be reconnected\.$/,
			['revoked-access-token-1', 'revoked-refresh-token-1', tokens.refresh_token, sf.clientSecret],
		);
		expect(run.updates).toEqual([]);
	});
});

describe('HubSpot credentials', () => {
	it('private app: a wrong token says HubSpot rejected it and where to copy it from, without the token', async () => {
		const run = await testCredential('crmHubSpotPrivateAppApi', {
			accessToken: 'pat-na1-00000000-wrong-token',
			baseUrl: hs.baseUrl,
		});
		expectFailure(run, /^HubSpot rejected the access token \(HTTP 401\).*Private Apps/, [
			'pat-na1-00000000-wrong-token',
			hs.accessToken,
		]);
	});

	it('private app: an unreachable base URL fails with the network error n8n shows', async () => {
		const run = await testCredential('crmHubSpotPrivateAppApi', {
			accessToken: hs.accessToken,
			baseUrl: 'http://127.0.0.1:1',
		});
		expectFailure(run, /^ECONNREFUSED$/, [hs.accessToken]);
	});

	it('OAuth2: an expired token is refreshed by n8n during the test and stored', async () => {
		const data = await valid.crmHubSpotOAuth2Api();
		hubspot.faults.expireTokens();
		const run = await testCredential('crmHubSpotOAuth2Api', data);
		expect(run.prepared.accessTokenUrl).toBe(`${hs.baseUrl}/oauth/v1/token`);
		expect(run.result).toEqual(OK);
		expect(run.updates.map((u) => u.kind)).toEqual(['updateCredentialsOauthTokenData']);
	});

	it('OAuth2: a token n8n cannot refresh fails, without the tokens in the message', async () => {
		const data = await valid.crmHubSpotOAuth2Api();
		const tokens = data.oauthTokenData as Record<string, string>;
		data.oauthTokenData = {
			...tokens,
			access_token: 'revoked-access-token-2',
			refresh_token: 'revoked-refresh-token-2',
		};
		const revoked = await testCredential('crmHubSpotOAuth2Api', data);
		// HubSpot refuses the refresh with 400 {"status":"BAD_REFRESH_TOKEN"} (not OAuth's `invalid_grant`, which n8n
		// turns into "needs to be reconnected"): n8n's tester then shows the OAuth client's error code. That text
		// is n8n's own and no credential definition can change it; what matters here is that it fails and leaks nothing.
		expectFailure(revoked, /^ESTATUS$/, [
			'revoked-access-token-2',
			'revoked-refresh-token-2',
			tokens.refresh_token,
			hs.clientSecret,
		]);

		// Without a refresh token n8n says so and asks to reconnect.
		data.oauthTokenData = { token_type: 'bearer', access_token: 'revoked-access-token-3' };
		const noRefresh = await testCredential('crmHubSpotOAuth2Api', data);
		expectFailure(
			noRefresh,
			/^OAuth access token expired and no refresh token is available\. Please reconnect the credentials\.$/,
			['revoked-access-token-3'],
		);
	});
});

describe('the tester judges as n8n does (stand-in credential types against the HubSpot simulator)', () => {
	/** A bearer-token type like the private app credential, with the given `test`. */
	function standIn(test?: ICredentialType['test']): Record<string, ICredentialType> {
		return {
			crmStandInApi: {
				name: 'crmStandInApi',
				displayName: 'Stand-in',
				properties: [
					{
						displayName: 'Token',
						name: 'token',
						type: 'string',
						typeOptions: { password: true },
						default: '',
					},
					{
						displayName: 'Base URL',
						name: 'baseUrl',
						type: 'string',
						default: 'https://example.invalid',
					},
				],
				authenticate: {
					type: 'generic',
					properties: { headers: { Authorization: '=Bearer {{$credentials.token}}' } },
				},
				...(test ? { test } : {}),
			},
		};
	}
	const request = {
		baseURL: '={{$credentials.baseUrl}}',
		url: '/crm/v3/objects/contacts',
		qs: { limit: 1 },
	};

	it('a type without `test`: "No testing function found for this credential."', async () => {
		const run = await testCredential(
			'crmStandInApi',
			{ token: hs.accessToken, baseUrl: hs.baseUrl },
			{ extraTypes: standIn() },
		);
		expect(run.result).toEqual({
			status: 'Error',
			message: 'No testing function found for this credential.',
		});
	});

	it('resolves the request against the data with defaults applied (here the default base URL, which cannot resolve)', async () => {
		const run = await testCredential(
			'crmStandInApi',
			{ token: hs.accessToken },
			{ extraTypes: standIn({ request }) },
		);
		expect(run.prepared.baseUrl).toBe('https://example.invalid');
		expect(run.result).toEqual({ status: 'Error', message: 'ENOTFOUND' });
	});

	it('a non-2xx status without a matching rule fails with the status text', async () => {
		const rules = [
			{ type: 'responseCode' as const, properties: { value: 403, message: 'not this one' } },
		];
		const run = await testCredential(
			'crmStandInApi',
			{ token: 'pat-na1-not-a-real-token', baseUrl: hs.baseUrl },
			{ extraTypes: standIn({ request, rules }) },
		);
		expect(run.result).toEqual({ status: 'Error', message: 'Unauthorized' });
	});

	it('`responseSuccessBody` rules are checked against the response of a successful request', async () => {
		const rules = [
			{
				type: 'responseSuccessBody' as const,
				properties: { key: 'results.length', value: 5, message: 'does not match' },
			},
			{
				type: 'responseSuccessBody' as const,
				properties: {
					key: 'results.length',
					value: 0,
					message: 'No contacts came back: flagged by the rule',
				},
			},
		];
		const flagged = await testCredential(
			'crmStandInApi',
			{ token: hs.accessToken, baseUrl: hs.baseUrl },
			{ extraTypes: standIn({ request, rules }) },
		);
		expect(flagged.responseBody).toEqual({ results: [] }); // the simulator's account has no contacts
		expect(flagged.result).toEqual({
			status: 'Error',
			message: 'No contacts came back: flagged by the rule',
		});
		const passing = await testCredential(
			'crmStandInApi',
			{ token: hs.accessToken, baseUrl: hs.baseUrl },
			{ extraTypes: standIn({ request, rules: rules.slice(0, 1) }) },
		);
		expect(passing.result).toEqual(OK);
	});
});

describe('Dynamics 365 credentials', () => {
	it('client credentials: gets a token during the test, then WhoAmI; n8n stores the token', async () => {
		const tokens = dynamics.log.count({ kind: 'token' });
		const whoami = dynamics.log.count({ kind: 'whoami' });
		const run = await testCredential(
			'crmDynamicsClientCredentialsApi',
			await valid.crmDynamicsClientCredentialsApi(),
		);
		expect(run.result).toEqual(OK);
		expect(run.preAuthentications).toBe(1);
		expect(dynamics.log.count({ kind: 'token' }) - tokens).toBe(1);
		expect(dynamics.log.count({ kind: 'whoami' }) - whoami).toBe(1);
		expect(run.stored.accessToken).toEqual(expect.stringMatching(/.{16,}/));
	});

	it('client credentials: the token URL comes from authority + tenant when no override is given', async () => {
		const data = await valid.crmDynamicsClientCredentialsApi();
		const run = await testCredential('crmDynamicsClientCredentialsApi', {
			...data,
			tokenUrl: '',
			authority: dv.serverUrl,
		});
		expect(run.result).toEqual(OK);
	});

	it("client credentials: a wrong secret fails with Entra ID's reason, without the secret", async () => {
		const tokens = dynamics.log.count({ kind: 'whoami' });
		const run = await testCredential('crmDynamicsClientCredentialsApi', {
			...(await valid.crmDynamicsClientCredentialsApi()),
			clientSecret: 'wrong-client-secret-4711',
		});
		expectFailure(
			run,
			/^Dynamics 365 sign-in failed \(HTTP 401\): invalid_client — AADSTS7000215.*check the tenant ID, client ID and client secret/,
			['wrong-client-secret-4711', dv.clientSecret],
		);
		expect(run.updates).toEqual([]); // nothing stored from a failed sign-in
		expect(dynamics.log.count({ kind: 'whoami' })).toBe(tokens); // WhoAmI never sent
	});

	it("OAuth2: the token URL and the scope come from the type's expressions; WhoAmI with the stored token", async () => {
		const whoami = dynamics.log.count({ kind: 'whoami' });
		const run = await testCredential('crmDynamicsOAuth2Api', await valid.crmDynamicsOAuth2Api());
		expect(run.result).toEqual(OK);
		expect(run.prepared.accessTokenUrl).toBe(`${dv.serverUrl}/${dv.tenantId}/oauth2/v2.0/token`);
		expect(run.prepared.scope).toBe(`${dv.serverUrl}/user_impersonation offline_access`);
		expect(dynamics.log.count({ kind: 'whoami' }) - whoami).toBe(1);
	});

	it('OAuth2: a token Dataverse refuses (401, no refresh token) asks to reconnect, without the token', async () => {
		const data = await valid.crmDynamicsOAuth2Api();
		const run = await testCredential('crmDynamicsOAuth2Api', {
			...data,
			oauthTokenData: { access_token: 'not-a-valid-dataverse-token', token_type: 'Bearer' },
		});
		expectFailure(run, /no refresh token is available\. Please reconnect the credentials/, [
			'not-a-valid-dataverse-token',
			dv.clientSecret,
		]);
	});
});
