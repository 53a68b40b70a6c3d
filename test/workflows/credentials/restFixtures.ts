/**
 * Valid data of the generic HTTP credential types (REST API / GraphQL nodes) against the REST simulator, as a user
 * enters it; the n8n-managed OAuth2 credential gets a token as n8n would have stored it after the consent flow.
 */
import type { ICredentialDataDecryptedObject } from 'n8n-workflow';

import type { RestContract } from '../../../sandbox';

/** A client-credentials token of the simulator (the stored token of the n8n-managed OAuth2 credential). */
export async function restTokens(c: RestContract): Promise<Record<string, string>> {
	const response = await fetch(c.tokenUrl, {
		method: 'POST',
		headers: { 'content-type': 'application/x-www-form-urlencoded' },
		body: new URLSearchParams({
			grant_type: 'client_credentials',
			client_id: c.clientId,
			client_secret: c.clientSecret,
		}),
	});
	if (response.status !== 200) throw new Error(`token request failed: HTTP ${response.status}`);
	return (await response.json()) as Record<string, string>;
}

/** Per credential type, a function giving valid data (the contract is read when called). */
export function restFixtures(
	contract: () => RestContract,
): Record<string, () => Promise<ICredentialDataDecryptedObject>> {
	return {
		crmHttpBasicAuthApi: async () => ({
			baseUrl: contract().baseUrl,
			user: contract().username,
			password: contract().password,
			testPath: '/me',
		}),
		crmHttpBearerTokenApi: async () => ({
			baseUrl: contract().baseUrl,
			token: contract().bearerToken,
			testPath: '/me',
		}),
		crmHttpApiKeyApi: async () => ({
			baseUrl: contract().baseUrl,
			apiKey: contract().apiKey,
			location: 'query',
			name: 'api_key',
			testPath: 'me',
		}),
		crmHttpClientCredentialsOAuth2Api: async () => ({
			baseUrl: contract().baseUrl,
			tokenUrl: contract().tokenUrl,
			clientId: contract().clientId,
			clientSecret: contract().clientSecret,
			clientAuthentication: 'basic',
			testPath: '/me',
		}),
		crmHttpOAuth2Api: async () => ({
			baseUrl: contract().baseUrl,
			testPath: '/me',
			clientId: contract().clientId,
			clientSecret: contract().clientSecret,
			accessTokenUrl: contract().tokenUrl,
			authUrl: `${contract().baseUrl}/authorize`,
			grantType: 'authorizationCode',
			authentication: 'body',
			scope: '',
			oauthTokenData: await restTokens(contract()),
		}),
	};
}
