/**
 * The four Salesforce credential types through n8n's engine against the simulator: each logs in (OAuth2 managed
 * by n8n, JWT bearer, client credentials, username-password), and an expired token is renewed without user
 * action — n8n refreshes the OAuth2 token, and re-runs the token exchange of the others on a 401.
 */
import type { ICredentialDataDecryptedObject, INode } from 'n8n-workflow';

import type { SalesforceSimulator, SalesforceSimContract } from '../../../sandbox/salesforce';
import { runWorkflow } from '../../helpers/engine';
import { expectNoSecretsInRun } from '../../helpers/secrets';
import {
	apiCalls,
	passwordCredentials,
	salesforceNode,
	startSimulator,
	workflowWith,
} from './helpers';

let sim: SalesforceSimulator;
let contract: SalesforceSimContract;

beforeAll(async () => {
	({ sim, contract } = await startSimulator());
});
afterAll(async () => {
	await sim.stop();
});
beforeEach(() => sim.reset());

/** Metadata → List Objects with the given authentication. */
function listObjects(authentication: string, credentialType: string): INode {
	return salesforceNode(
		'List Objects',
		{ authentication, resource: 'metadata', operation: 'listObjects', filters: {} },
		{ credentials: { [credentialType]: { id: `cred-${authentication}`, name: authentication } } },
	);
}

function expectObjects(names: unknown[]): void {
	expect(names).toEqual(
		expect.arrayContaining(['Account', 'Contact', 'Lead', 'Opportunity', 'Case', 'Task', 'User']),
	);
	expect(names.some((n) => String(n).endsWith('__c'))).toBe(true);
}

describe('Salesforce credentials', () => {
	it('JWT bearer: signs an assertion, stores the token and instance URL, renews them after a 401', async () => {
		const credentials: Record<string, ICredentialDataDecryptedObject> = {
			crmSalesforceJwtApi: {
				environment: 'custom',
				customLoginUrl: contract.loginUrl,
				clientId: contract.clientId,
				username: contract.username,
				privateKey: contract.jwtPrivateKey,
				audience: '',
				accessToken: '',
				instanceUrl: '',
			},
		};
		const first = await runWorkflow(
			workflowWith('return [{}];', listObjects('jwt', 'crmSalesforceJwtApi')),
			{ credentials },
		);
		expect(first.error).toBeUndefined();
		expectObjects(first.json('List Objects').map((o) => o.name));
		const stored = first.credentials['cred-jwt'] ?? first.credentials.crmSalesforceJwtApi;
		expect(stored.instanceUrl).toBe(contract.instanceUrl);
		expect(String(stored.accessToken)).not.toBe('');
		expectNoSecretsInRun(first, {
			accessToken: String(stored.accessToken),
			privateKey: contract.jwtPrivateKey,
		});

		// The token is revoked server-side: the next run gets a 401, n8n re-runs the exchange, the run succeeds.
		sim.faults.expireTokens();
		const second = await runWorkflow(
			workflowWith('return [{}];', listObjects('jwt', 'crmSalesforceJwtApi')),
			{ credentials: first.credentials },
		);
		expect(second.error).toBeUndefined();
		expectObjects(second.json('List Objects').map((o) => o.name));
		const renewed = second.credentials['cred-jwt'] ?? second.credentials.crmSalesforceJwtApi;
		expect(renewed.accessToken).not.toBe(stored.accessToken);
		expect(sim.log.count({ kind: 'token' })).toBe(2);
		expectNoSecretsInRun(second, {
			accessToken: String(stored.accessToken),
			renewedAccessToken: String(renewed.accessToken),
			privateKey: contract.jwtPrivateKey,
		});
	});

	it('client credentials: logs in at the My Domain URL', async () => {
		const credentials: Record<string, ICredentialDataDecryptedObject> = {
			crmSalesforceClientCredentialsApi: {
				myDomainUrl: contract.loginUrl,
				clientId: contract.clientId,
				clientSecret: contract.clientSecret,
				accessToken: '',
				instanceUrl: '',
			},
		};
		const run = await runWorkflow(
			workflowWith(
				'return [{}];',
				listObjects('clientCredentials', 'crmSalesforceClientCredentialsApi'),
			),
			{ credentials },
		);
		expect(run.error).toBeUndefined();
		expectObjects(run.json('List Objects').map((o) => o.name));
	});

	it("username-password: a wrong password fails with Salesforce's reason and no secret in the message", async () => {
		const credentials = passwordCredentials(contract);
		credentials.crmSalesforcePasswordApi.password = 'wrong-password-value';
		const run = await runWorkflow(
			workflowWith('return [{}];', listObjects('password', 'crmSalesforcePasswordApi')),
			{ credentials },
		);
		expect(run.error?.message ?? '').toMatch(
			/^Salesforce login failed \(HTTP 400\): invalid_grant — authentication failure \(check the user name, password \+ security token/,
		);
		// A refused login is not retried.
		expect(sim.log.count({ kind: 'token' })).toBe(1);
		expectNoSecretsInRun(run, {
			wrongPassword: 'wrong-password-value',
			password: contract.password,
			clientSecret: contract.clientSecret,
		});
	});

	it('OAuth2 (managed by n8n): uses the stored token and instance URL, and n8n refreshes an expired token', async () => {
		// What n8n holds after the consent flow: obtain a token pair from the simulator's token endpoint.
		const tokenResponse = await fetch(`${contract.loginUrl}/services/oauth2/token`, {
			method: 'POST',
			headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
			body: new URLSearchParams({
				grant_type: 'password',
				client_id: contract.clientId,
				client_secret: contract.clientSecret,
				username: contract.username,
				password: contract.password,
			}).toString(),
		});
		const tokens = (await tokenResponse.json()) as Record<string, string>;
		expect(tokens.refresh_token).toBeTruthy();
		const credentials: Record<string, ICredentialDataDecryptedObject> = {
			crmSalesforceOAuth2Api: {
				grantType: 'authorizationCode',
				environment: 'custom',
				customLoginUrl: contract.loginUrl,
				authUrl: `${contract.loginUrl}/services/oauth2/authorize`,
				accessTokenUrl: `${contract.loginUrl}/services/oauth2/token`,
				clientId: contract.clientId,
				clientSecret: contract.clientSecret,
				scope: 'api refresh_token',
				authQueryParameters: '',
				authentication: 'body',
				oauthTokenData: { ...tokens },
			},
		};
		const first = await runWorkflow(
			workflowWith('return [{}];', listObjects('oAuth2', 'crmSalesforceOAuth2Api')),
			{ credentials },
		);
		expect(first.error).toBeUndefined();
		expectObjects(first.json('List Objects').map((o) => o.name));
		expect(first.credentialUpdates).toHaveLength(0);

		sim.faults.expireTokens();
		const second = await runWorkflow(
			workflowWith('return [{}];', listObjects('oAuth2', 'crmSalesforceOAuth2Api')),
			{ credentials: first.credentials },
		);
		expect(second.error).toBeUndefined();
		expectObjects(second.json('List Objects').map((o) => o.name));
		// n8n refreshed the token and persisted it.
		expect(second.credentialUpdates.map((u) => u.kind)).toContain(
			'updateCredentialsOauthTokenData',
		);
		const stored = (second.credentials['cred-oAuth2'] ?? second.credentials.crmSalesforceOAuth2Api)
			.oauthTokenData as Record<string, string>;
		expect(stored.access_token).not.toBe(tokens.access_token);
		// The renewed token lives only where n8n stores credentials (the update above), never in the run's data.
		for (const run of [first, second]) {
			expectNoSecretsInRun(run, {
				clientSecret: contract.clientSecret,
				accessToken: tokens.access_token,
				refreshToken: tokens.refresh_token,
				renewedAccessToken: stored.access_token,
			});
		}
	});
});

describe('Salesforce credentials: a dropped token request', () => {
	/** Record → Create of three contacts with the username-password credential, errors to the error output. */
	const createThree = () =>
		workflowWith(
			"return [1, 2, 3].map((i) => ({ FirstName: 'Token' + i, LastName: 'Drop' + i, Email: 'token' + i + '@example.com' }));",
			salesforceNode(
				'Create Contacts',
				{
					resource: 'record',
					operation: 'create',
					object: { __rl: true, mode: 'name', value: 'Contact' },
					fields: { mappingMode: 'autoMapInputData', value: null, schema: [] },
				},
				{ onError: 'continueErrorOutput' },
			),
		);

	it.each(['beforeBody', 'afterBody'] as const)(
		'dropped %s once: the exchange runs again (nothing had been sent to the API) and the records are written once',
		async (when) => {
			sim.faults.add({ type: 'drop', when, match: { path: '/services/oauth2/token' } });
			const run = await runWorkflow(createThree(), { credentials: passwordCredentials(contract) });
			expect(run.error).toBeUndefined();
			expect(run.json('Create Contacts', 0)).toHaveLength(3);
			expect(run.outputs['Create Contacts'][1] ?? []).toHaveLength(0);
			expect(sim.table('Contact').collection.count()).toBe(3);
			expect(sim.log.count({ kind: 'collections.create' })).toBe(1);
		},
	);

	it('dropped every time: nothing is written and each item says the token request failed and the call was NOT sent', async () => {
		sim.faults.add({
			type: 'drop',
			when: 'afterBody',
			count: 1000,
			match: { path: '/services/oauth2/token' },
		});
		const run = await runWorkflow(createThree(), { credentials: passwordCredentials(contract) });
		expect(run.error).toBeUndefined();
		expect(run.json('Create Contacts', 0)).toHaveLength(0);
		const failed = run.json('Create Contacts', 1) as Array<{
			error: string;
			details?: { code?: string };
		}>;
		expect(failed).toHaveLength(3);
		for (const item of failed) {
			expect(item.error).toMatch(
				/Salesforce login: the token request failed \(ECONNRESET: the connection dropped before the token arrived\).* — the API call was NOT sent, nothing was written/,
			);
			expect(item.error).not.toMatch(/may have processed/);
			expect(JSON.stringify(item)).not.toMatch(/OUTCOME_UNKNOWN/);
		}
		expect(sim.table('Contact').collection.count()).toBe(0);
		expect(apiCalls(sim)).toBe(0);
	});

	/** OAuth2 credential data as n8n holds it after the consent flow (a token pair from the simulator). */
	async function oauth2Credentials(): Promise<Record<string, ICredentialDataDecryptedObject>> {
		const tokenResponse = await fetch(`${contract.loginUrl}/services/oauth2/token`, {
			method: 'POST',
			headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
			body: new URLSearchParams({
				grant_type: 'password',
				client_id: contract.clientId,
				client_secret: contract.clientSecret,
				username: contract.username,
				password: contract.password,
			}).toString(),
		});
		const tokens = (await tokenResponse.json()) as Record<string, string>;
		return {
			crmSalesforceOAuth2Api: {
				grantType: 'authorizationCode',
				environment: 'custom',
				customLoginUrl: contract.loginUrl,
				authUrl: `${contract.loginUrl}/services/oauth2/authorize`,
				accessTokenUrl: `${contract.loginUrl}/services/oauth2/token`,
				clientId: contract.clientId,
				clientSecret: contract.clientSecret,
				scope: 'api refresh_token',
				authQueryParameters: '',
				authentication: 'body',
				oauthTokenData: { ...tokens },
			},
		};
	}

	const createThreeOAuth2 = () => {
		const workflow = createThree();
		const node = workflow.nodes.find((n) => n.name === 'Create Contacts')!;
		node.parameters.authentication = 'oAuth2';
		node.credentials = { crmSalesforceOAuth2Api: { id: 'cred-oAuth2', name: 'oAuth2' } };
		return workflow;
	};

	it('OAuth2 (n8n refreshes after a 401): a refresh that keeps dropping leaves nothing written and says the call was NOT sent', async () => {
		const credentials = await oauth2Credentials();
		sim.faults.expireTokens();
		sim.faults.add({
			type: 'drop',
			when: 'afterBody',
			count: 1000,
			match: { path: '/services/oauth2/token' },
		});
		const run = await runWorkflow(createThreeOAuth2(), { credentials });
		expect(run.json('Create Contacts', 0)).toHaveLength(0);
		const failed = run.json('Create Contacts', 1) as Array<{ error: string }>;
		expect(failed).toHaveLength(3);
		for (const item of failed) {
			expect(item.error).toMatch(
				/the credential's token request \(made by n8n\): the token request failed \(ECONNRESET: .*\) \(POST http:\/\/127\.0\.0\.1:\d+\/services\/oauth2\/token\) — the API call was NOT sent, nothing was written/,
			);
			expect(item.error).not.toMatch(/may have processed/);
		}
		expect(sim.table('Contact').collection.count()).toBe(0);
	});

	it('OAuth2 with a revoked refresh token: every item says the credential must be reconnected, nothing is retried or written', async () => {
		const credentials = await oauth2Credentials();
		const tokenData = credentials.crmSalesforceOAuth2Api.oauthTokenData as Record<string, string>;
		expect(sim.oauth.revoke(tokenData.refresh_token)).toBe(true);
		sim.faults.expireTokens();
		const run = await runWorkflow(createThreeOAuth2(), { credentials });
		expect(run.json('Create Contacts', 0)).toHaveLength(0);
		const failed = run.json('Create Contacts', 1) as Array<{ error: string }>;
		expect(failed).toHaveLength(3);
		for (const item of failed) {
			expect(item.error).toMatch(
				/Salesforce refused to renew the access token .*the credential "oAuth2" must be reconnected/,
			);
			expect(item.error).not.toMatch(/ESTATUS|may have processed/);
		}
		expect(sim.table('Contact').collection.count()).toBe(0);
		// One refused API call and one refused refresh: a credential error is not retried.
		expect(sim.log.count({ kind: 'token' })).toBeLessThanOrEqual(2);
		expect(sim.log.entries().filter((e) => e.kind !== 'token').length).toBeLessThanOrEqual(2);
	});

	it('OAuth2 (n8n refreshes after a 401): a refresh dropped once is repeated and the records are written once', async () => {
		const credentials = await oauth2Credentials();
		sim.faults.expireTokens();
		sim.faults.add({ type: 'drop', when: 'afterBody', match: { path: '/services/oauth2/token' } });
		const run = await runWorkflow(createThreeOAuth2(), { credentials });
		expect(run.json('Create Contacts', 0)).toHaveLength(3);
		expect(run.outputs['Create Contacts'][1] ?? []).toHaveLength(0);
		expect(sim.table('Contact').collection.count()).toBe(3);
	});
});
