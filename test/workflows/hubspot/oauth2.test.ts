/**
 * The OAuth2 credential (managed by n8n) through n8n's engine against the simulator's OAuth server: requests carry the
 * token n8n holds; when HubSpot answers 401 for an expired token, n8n refreshes it, persists it, and the run succeeds.
 */
import path from 'node:path';

import type { ICredentialDataDecryptedObject, INode } from 'n8n-workflow';

import { clearRateBudgets } from '../../../core/http/rateLimiter';
import { HubSpotSimulator, type HubSpotContract } from '../../../sandbox';
import { loadWorkflow, runWorkflow, type WorkflowJson } from '../../helpers/engine';

const sim = new HubSpotSimulator({ rateLimits: false });
let contract: HubSpotContract;

beforeAll(async () => {
	contract = await sim.start();
});
afterAll(async () => {
	clearRateBudgets();
	await sim.stop();
});

/** Runs HubSpot's authorization-code flow against the simulator, as n8n's OAuth callback would. */
async function authorize(): Promise<{ access_token: string; refresh_token: string }> {
	const redirect = 'http://localhost:5678/rest/oauth2-credential/callback';
	const url = new URL(contract.authorizeUrl);
	url.search = new URLSearchParams({
		client_id: contract.clientId,
		redirect_uri: redirect,
		scope: 'oauth crm.objects.contacts.write',
		state: 's',
		response_type: 'code',
	}).toString();
	const consent = await fetch(url, { redirect: 'manual' });
	const code = new URL(String(consent.headers.get('location'))).searchParams.get('code');
	expect(code).toBeTruthy();
	const token = await fetch(contract.tokenUrl, {
		method: 'POST',
		headers: { 'content-type': 'application/x-www-form-urlencoded' },
		body: new URLSearchParams({
			grant_type: 'authorization_code',
			code: String(code),
			client_id: contract.clientId,
			client_secret: contract.clientSecret,
			redirect_uri: redirect,
		}),
	});
	expect(token.status).toBe(200);
	return (await token.json()) as { access_token: string; refresh_token: string };
}

function workflow(): WorkflowJson {
	const wf = loadWorkflow(path.join(__dirname, 'fixtures', 'hubspot.upsertContacts.json'));
	(wf.nodes.find((n) => n.name === 'Sign-ups') as INode).parameters.jsCode =
		"return [{ email: 'oauth1@example.com', firstname: 'O' }, { email: 'oauth2@example.com', firstname: 'A' }];";
	const node = wf.nodes.find((n) => n.name === 'HubSpot CRM') as INode;
	node.parameters.authentication = 'oAuth2';
	node.credentials = { crmHubSpotOAuth2Api: { id: 'hubspot-oauth', name: 'HubSpot OAuth2' } };
	return wf;
}

it('uses the n8n-managed token and survives its expiry by n8n refreshing it', async () => {
	const tokens = await authorize();
	const credentials: Record<string, ICredentialDataDecryptedObject> = {
		crmHubSpotOAuth2Api: {
			baseUrl: contract.baseUrl,
			clientId: contract.clientId,
			clientSecret: contract.clientSecret,
			accessTokenUrl: contract.tokenUrl,
			authUrl: contract.authorizeUrl,
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
	const first = await runWorkflow(workflow(), { credentials });
	expect(first.error).toBeUndefined();
	expect(first.json('Upserted')).toHaveLength(2);
	expect(first.credentialUpdates).toHaveLength(0);

	expect(sim.faults.expireTokens()).toBeGreaterThan(0);
	const second = await runWorkflow(workflow(), { credentials: first.credentials });
	expect(second.error).toBeUndefined();
	expect(second.json('Upserted').map((c) => c.new)).toEqual([false, false]);
	expect(second.credentialUpdates.map((u) => u.kind)).toEqual(['updateCredentialsOauthTokenData']);
	const renewed = (
		second.credentials.crmHubSpotOAuth2Api.oauthTokenData as { access_token: string }
	).access_token;
	expect(renewed).not.toBe(tokens.access_token);
	expect(sim.log.count({ kind: 'oauth.token' })).toBeGreaterThanOrEqual(2);
	expect(sim.log.count({ status: 401 })).toBe(1);
});

it('a revoked refresh token ends at once with "the credential must be reconnected", not retried as a network error', async () => {
	const tokens = await authorize();
	const credentials: Record<string, ICredentialDataDecryptedObject> = {
		crmHubSpotOAuth2Api: {
			baseUrl: contract.baseUrl,
			clientId: contract.clientId,
			clientSecret: contract.clientSecret,
			accessTokenUrl: contract.tokenUrl,
			authUrl: contract.authorizeUrl,
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
	// The user uninstalled the app: HubSpot forgets the refresh token and the access token expires.
	expect(sim.oauth.revoke(tokens.refresh_token)).toBe(true);
	expect(sim.faults.expireTokens()).toBeGreaterThan(0);
	const wf = workflow();
	(wf.nodes.find((n) => n.name === 'Sign-ups') as INode).parameters.jsCode =
		'return Array.from({ length: 250 }, (_, i) => ({ email: `revoked${i}@example.com` }));';
	const tokenCalls = sim.log.count({ kind: 'oauth.token' });
	const upserts = sim.log.count({ kind: 'batch.upsert' });
	const run = await runWorkflow(wf, { credentials });
	expect(run.error).toBeUndefined();
	expect(run.items('HubSpot CRM', 0)).toHaveLength(0);
	const rejected = run.json('HubSpot CRM', 1);
	expect(rejected).toHaveLength(250);
	// HubSpot answers the refresh with 400 {status: "BAD_REFRESH_TOKEN"} (n8n's OAuth2 client: "ESTATUS: HTTP status 400").
	const [first] = rejected;
	expect(String(first.error)).toMatch(/BAD_REFRESH_TOKEN/);
	expect(String(first.error)).toMatch(/credential "HubSpot OAuth2" must be reconnected/);
	expect(String(first.error)).not.toMatch(/ESTATUS|gave up after/);
	for (const item of rejected) expect(String(item.error)).toMatch(/reconnect/i);
	// Each batch in flight tried once (401, one refresh attempt); nothing was retried, later batches were not sent.
	expect(sim.log.count({ kind: 'batch.upsert' }) - upserts).toBeLessThanOrEqual(3);
	expect(sim.log.count({ kind: 'oauth.token', status: 400 })).toBe(
		sim.log.count({ kind: 'oauth.token' }) - tokenCalls,
	);
	expect(sim.log.count({ kind: 'oauth.token' }) - tokenCalls).toBeLessThanOrEqual(3);
	expect(run.credentialUpdates).toHaveLength(0);
});
