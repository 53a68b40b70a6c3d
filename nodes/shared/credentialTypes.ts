/**
 * The credential type names of each system, by authentication choice. Kept apart from the transports that use
 * them (which load the connectors) so a description can name them without loading any connector: n8n loads every
 * node file at startup to read its description.
 */

/** Salesforce: the credential type of each authentication choice. */
export const CREDENTIAL_TYPES = {
	// A credential type name, not a secret.
	// eslint-disable-next-line @n8n/community-nodes/no-hardcoded-secrets
	oAuth2: 'crmSalesforceOAuth2Api',
	jwt: 'crmSalesforceJwtApi',
	clientCredentials: 'crmSalesforceClientCredentialsApi',
	password: 'crmSalesforcePasswordApi',
} as const;

/** HubSpot credential type names. */
export const PRIVATE_APP_TYPE_NAME = 'crmHubSpotPrivateAppApi';
// eslint-disable-next-line @n8n/community-nodes/no-hardcoded-secrets -- a credential type name, not a secret
export const OAUTH2_TYPE_NAME = 'crmHubSpotOAuth2Api';

/** Dynamics 365: the credential type of each authentication choice. */
export const DYNAMICS_CREDENTIAL_TYPES = {
	clientCredentials: 'crmDynamicsClientCredentialsApi',
	// A credential type name, not a secret.
	// eslint-disable-next-line @n8n/community-nodes/no-hardcoded-secrets
	oAuth2: 'crmDynamicsOAuth2Api',
} as const;

/** The generic HTTP nodes: the credential type of each Authentication choice (`none` needs none). */
export const HTTP_CREDENTIAL_TYPES = {
	basicAuth: 'crmHttpBasicAuthApi',
	bearerToken: 'crmHttpBearerTokenApi',
	apiKey: 'crmHttpApiKeyApi',
	clientCredentials: 'crmHttpClientCredentialsOAuth2Api',
	// eslint-disable-next-line @n8n/community-nodes/no-hardcoded-secrets -- a credential type name, not a secret
	oAuth2: 'crmHttpOAuth2Api',
} as const;
