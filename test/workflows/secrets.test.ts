/**
 * Secrets never appear in what n8n keeps of a run — checked on the whole execution data (`test/helpers/secrets.ts`:
 * every output's items incl. the error output, item and task errors, `resultData.error`, in full with their causes),
 * not only on a message. Writes that fail under "On Error → Continue (using error output)" — rejected records, a lost
 * answer settled or reported OUTCOME_UNKNOWN, an expired token renewed mid-run, a credential that cannot log in —
 * for Salesforce (password, consumer secret, access tokens) and HubSpot (private-app token, OAuth2 client secret,
 * access and refresh tokens).
 */
import type { ICredentialDataDecryptedObject, IDataObject, INode, IRun } from 'n8n-workflow';

import { clearRateBudgets } from '../../core/http/rateLimiter';
import { HubSpotSimulator, type HubSpotContract } from '../../sandbox';
import type { SalesforceSimulator, SalesforceSimContract } from '../../sandbox/salesforce';
import { nodeTypeName, runWorkflow, type WorkflowJson, type WorkflowRun } from '../helpers/engine';
import { executionText, expectNoSecretsInRun } from '../helpers/secrets';
import {
	object,
	passwordCredentials,
	salesforceNode,
	startSimulator,
	workflowWith,
} from './salesforce/helpers';

let sf: { sim: SalesforceSimulator; contract: SalesforceSimContract };
const hubspot = new HubSpotSimulator({ rateLimits: false });
let hs: HubSpotContract;

beforeAll(async () => {
	sf = await startSimulator();
	hs = await hubspot.start();
});
afterAll(async () => {
	clearRateBudgets();
	await sf.sim.stop();
	await hubspot.stop();
});
beforeEach(() => {
	sf.sim.reset();
	hubspot.reset();
	clearRateBudgets();
});

/** Items on the node's success and error outputs. */
function outputs(run: WorkflowRun, node: string): { ok: IDataObject[]; failed: IDataObject[] } {
	return { ok: run.json(node, 0), failed: run.outputs[node]?.[1]?.map((i) => i.json) ?? [] };
}

describe('the whole-run check itself', () => {
	it('finds a secret in an output item, in an error item, in the run error and in an error cause', async () => {
		const secret = 'sk-planted-secret-0123456789';
		const leakItem = workflowWith(`return [{ note: 'token ${secret}' }];`, {
			id: 'noop',
			name: 'Next',
			type: 'n8n-nodes-base.noOp',
			typeVersion: 1,
			position: [600, 0],
			parameters: {},
		} as INode);
		const run1 = await runWorkflow(leakItem);
		expect(() => expectNoSecretsInRun(run1, { planted: secret })).toThrow(
			/planted found in the execution data/,
		);

		const throwing = workflowWith(`throw new Error('login with ${secret} failed');`, {
			id: 'noop',
			name: 'Next',
			type: 'n8n-nodes-base.noOp',
			typeVersion: 1,
			position: [600, 0],
			parameters: {},
		} as INode);
		const run2 = await runWorkflow(throwing);
		expect(run2.error?.message).toContain(secret);
		expect(() => expectNoSecretsInRun(run2, { planted: secret })).toThrow(/planted found/);

		const continued = structuredClone(throwing);
		(continued.nodes.find((n) => n.name === 'Input') as INode).onError = 'continueErrorOutput';
		const run3 = await runWorkflow(continued);
		expect(run3.error).toBeUndefined();
		expect(() => expectNoSecretsInRun(run3, { planted: secret })).toThrow(/planted found/);

		// An error whose cause (not persisted by toJSON) kept a request header; URL-encoded and base64 forms.
		const cause = Object.assign(new Error('request failed'), {
			config: { headers: { Authorization: `Bearer ${secret}` } },
		});
		const fake = {
			data: { resultData: { runData: {}, error: new Error('outer', { cause }) } },
		} as unknown as IRun;
		expect(() => expectNoSecretsInRun(fake, { planted: secret })).toThrow(/planted found/);
		const spaced = 'secret with/slash+plus';
		const encoded = {
			data: {
				resultData: { runData: {}, lastNodeExecuted: `?token=${encodeURIComponent(spaced)}` },
			},
		} as unknown as IRun;
		expect(() => expectNoSecretsInRun(encoded, { spaced })).toThrow(/URL-encoded/);
		const basic = {
			data: {
				resultData: {
					runData: {},
					lastNodeExecuted: `Basic ${Buffer.from(spaced).toString('base64')}`,
				},
			},
		} as unknown as IRun;
		expect(() => expectNoSecretsInRun(basic, { spaced })).toThrow(/base64/);
		expect(() => expectNoSecretsInRun(run1, { short: 'abc' })).toThrow(/vacuous/);
		const pem =
			'-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n-----END PRIVATE KEY-----\n';
		const multiline = {
			data: { resultData: { runData: {}, lastNodeExecuted: `key: ${pem}` } },
		} as unknown as IRun;
		expect(() => expectNoSecretsInRun(multiline, { pem })).toThrow(/pem found/);
		// A clean run passes, and the text covers both outputs' items.
		expect(expectNoSecretsInRun(run3, { other: 'not-in-this-run-42' })).toBeGreaterThan(100);
		expect(executionText(run3)).toContain('login with');
	});
});

describe('Salesforce: failing writes under "Continue (using error output)" leak no secret', () => {
	const CREATE = 'Create Contacts';
	const createNode = () =>
		salesforceNode(
			CREATE,
			{
				resource: 'record',
				operation: 'create',
				object: object('Contact'),
				fields: { mappingMode: 'autoMapInputData', value: null, schema: [] },
			},
			{ onError: 'continueErrorOutput' },
		);
	// Item 1 lacks the required LastName, item 2 has an unknown field: both rejected; items 0 and 3 are written.
	const items = `return [
		{ FirstName: 'Ada', LastName: 'Lovelace', Email: 'ada@example.com' },
		{ FirstName: 'NoLast', Email: 'nolast@example.com' },
		{ FirstName: 'Bad', LastName: 'Field', Not_A_Field__c: 'x' },
		{ FirstName: 'Grace', LastName: 'Hopper', Email: 'grace@example.com' },
	];`;

	it('username-password: rejected records, then an expired session renewed mid-run and a create whose answer is lost', async () => {
		const credentials = passwordCredentials(sf.contract);
		const first = await runWorkflow(workflowWith(items, createNode()), { credentials });
		expect(first.error).toBeUndefined();
		const a = outputs(first, CREATE);
		expect(a.ok).toHaveLength(2);
		expect(a.failed).toHaveLength(2);
		const token1 = String(first.credentials.crmSalesforcePasswordApi.accessToken);
		expect(token1.length).toBeGreaterThanOrEqual(16);

		// The session expires; the connector's 401 makes n8n re-run the token exchange; the create's answer is then lost.
		sf.sim.faults.expireTokens();
		sf.sim.faults.add({
			type: 'drop',
			when: 'afterHandler',
			match: { path: '/composite/sobjects', methods: ['POST'] },
		});
		const second = await runWorkflow(
			workflowWith(items.replace(/example\.com/g, 'example.org'), createNode()),
			{ credentials: first.credentials },
		);
		expect(second.error).toBeUndefined();
		const b = outputs(second, CREATE);
		expect(b.ok.length + b.failed.length).toBe(4);
		expect(b.failed.length).toBeGreaterThanOrEqual(2);
		const token2 = String(second.credentials.crmSalesforcePasswordApi.accessToken);
		expect(token2).not.toBe(token1);
		expect(sf.sim.log.count({ kind: 'token' })).toBe(2);

		const secrets = {
			password: sf.contract.password,
			clientSecret: sf.contract.clientSecret,
			accessToken: token1,
			renewedAccessToken: token2,
		};
		for (const run of [first, second]) expectNoSecretsInRun(run, secrets);
	});

	it('username-password: a wrong password puts every item on the error output, with no secret anywhere in the run', async () => {
		const credentials = passwordCredentials(sf.contract);
		credentials.crmSalesforcePasswordApi.password = 'wrong-password-value-7';
		const run = await runWorkflow(workflowWith(items, createNode()), { credentials });
		expect(run.error).toBeUndefined();
		const { ok, failed } = outputs(run, CREATE);
		expect(ok).toHaveLength(0);
		expect(failed).toHaveLength(4);
		expect(String(failed[0].error)).toMatch(/Salesforce login failed/);
		expectNoSecretsInRun(run, {
			wrongPassword: 'wrong-password-value-7',
			password: sf.contract.password,
			clientSecret: sf.contract.clientSecret,
		});
	});
});

describe('HubSpot: failing writes under "Continue (using error output)" leak no secret', () => {
	const CREATE = 'Create Contacts';
	function createFlow(jsCode: string, authentication: 'privateApp' | 'oAuth2'): WorkflowJson {
		const credentialType =
			authentication === 'oAuth2' ? 'crmHubSpotOAuth2Api' : 'crmHubSpotPrivateAppApi';
		return workflowWith(jsCode, {
			id: 'hubspot',
			name: CREATE,
			type: nodeTypeName('hubSpot'),
			typeVersion: 1,
			position: [600, 0],
			parameters: {
				authentication,
				resource: 'record',
				operation: 'create',
				objectType: 'contacts',
				fields: { mappingMode: 'autoMapInputData', value: {}, matchingColumns: [], schema: [] },
			},
			credentials: {
				[credentialType]: { id: `hubspot-${authentication}`, name: `HubSpot ${authentication}` },
			},
			onError: 'continueErrorOutput',
		} as INode);
	}
	// Item 1 has an invalid e-mail, item 2 an invalid lifecycle stage: HubSpot rejects both.
	const items = (domain: string) => `return [
		{ email: 'one@${domain}', firstname: 'One' },
		{ email: 'not-an-email', firstname: 'Two' },
		{ email: 'three@${domain}', lifecyclestage: 'NOT_A_STAGE' },
		{ email: 'four@${domain}', firstname: 'Four' },
	];`;

	it('private app: rejected records, a create whose answer is lost (settled by e-mail), and a revoked token', async () => {
		const credentials = {
			crmHubSpotPrivateAppApi: { accessToken: hs.accessToken, baseUrl: hs.baseUrl },
		};
		const first = await runWorkflow(createFlow(items('example.com'), 'privateApp'), {
			credentials,
		});
		expect(first.error).toBeUndefined();
		expect(outputs(first, CREATE).failed).toHaveLength(2);

		hubspot.faults.add({ type: 'drop', when: 'afterHandler', match: { kinds: ['batch.create'] } });
		const lost = await runWorkflow(createFlow(items('example.org'), 'privateApp'), { credentials });
		expect(lost.error).toBeUndefined();
		const l = outputs(lost, CREATE);
		expect(l.ok.length + l.failed.length).toBe(4);

		const revoked = await runWorkflow(createFlow(items('example.net'), 'privateApp'), {
			credentials: {
				crmHubSpotPrivateAppApi: { accessToken: 'pat-na1-revoked-token-0000', baseUrl: hs.baseUrl },
			},
		});
		expect(revoked.error).toBeUndefined();
		expect(outputs(revoked, CREATE).failed).toHaveLength(4);

		for (const run of [first, lost]) expectNoSecretsInRun(run, { privateAppToken: hs.accessToken });
		expectNoSecretsInRun(revoked, {
			revokedToken: 'pat-na1-revoked-token-0000',
			privateAppToken: hs.accessToken,
		});
	});

	/** HubSpot's authorization-code flow against the simulator, as n8n's OAuth callback runs it. */
	async function oauth2Credentials(): Promise<Record<string, ICredentialDataDecryptedObject>> {
		const redirect = 'http://localhost:5678/rest/oauth2-credential/callback';
		const url = new URL(hs.authorizeUrl);
		url.search = new URLSearchParams({
			client_id: hs.clientId,
			redirect_uri: redirect,
			scope: 'oauth crm.objects.contacts.write',
			state: 's',
			response_type: 'code',
		}).toString();
		const consent = await fetch(url, { redirect: 'manual' });
		const code = String(new URL(String(consent.headers.get('location'))).searchParams.get('code'));
		const token = await fetch(hs.tokenUrl, {
			method: 'POST',
			headers: { 'content-type': 'application/x-www-form-urlencoded' },
			body: new URLSearchParams({
				grant_type: 'authorization_code',
				code,
				client_id: hs.clientId,
				client_secret: hs.clientSecret,
				redirect_uri: redirect,
			}),
		});
		const tokens = (await token.json()) as { access_token: string; refresh_token: string };
		return {
			crmHubSpotOAuth2Api: {
				baseUrl: hs.baseUrl,
				clientId: hs.clientId,
				clientSecret: hs.clientSecret,
				accessTokenUrl: hs.tokenUrl,
				authUrl: hs.authorizeUrl,
				grantType: 'authorizationCode',
				authentication: 'body',
				scope: 'oauth crm.objects.contacts.write',
				oauthTokenData: {
					access_token: tokens.access_token,
					refresh_token: tokens.refresh_token,
					token_type: 'bearer',
				},
			},
		};
	}
	const tokensOf = (credentials: Record<string, ICredentialDataDecryptedObject>) =>
		credentials.crmHubSpotOAuth2Api.oauthTokenData as {
			access_token: string;
			refresh_token: string;
		};

	it('OAuth2: rejected records after n8n renewed an expired token, then a revoked refresh token', async () => {
		const credentials = await oauth2Credentials();
		const before = tokensOf(credentials);
		expect(hubspot.faults.expireTokens()).toBeGreaterThan(0);
		const renewedRun = await runWorkflow(createFlow(items('example.com'), 'oAuth2'), {
			credentials,
		});
		expect(renewedRun.error).toBeUndefined();
		expect(outputs(renewedRun, CREATE).failed).toHaveLength(2);
		expect(renewedRun.credentialUpdates.map((u) => u.kind)).toEqual([
			'updateCredentialsOauthTokenData',
		]);
		const after = tokensOf(renewedRun.credentials);
		expect(after.access_token).not.toBe(before.access_token);

		// The app is uninstalled: the refresh token is revoked, the access token expires; every item fails.
		expect(hubspot.oauth.revoke(after.refresh_token)).toBe(true);
		hubspot.faults.expireTokens();
		const refused = await runWorkflow(createFlow(items('example.org'), 'oAuth2'), {
			credentials: renewedRun.credentials,
		});
		expect(refused.error).toBeUndefined();
		const r = outputs(refused, CREATE);
		expect(r.ok).toHaveLength(0);
		expect(r.failed).toHaveLength(4);
		expect(String(r.failed[0].error)).toMatch(/reconnect/i);

		const secrets = {
			clientSecret: hs.clientSecret,
			accessToken: before.access_token,
			refreshToken: before.refresh_token,
			renewedAccessToken: after.access_token,
			renewedRefreshToken: after.refresh_token,
		};
		for (const run of [renewedRun, refused]) expectNoSecretsInRun(run, secrets);
	});
});
