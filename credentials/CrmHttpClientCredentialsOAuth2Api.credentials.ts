import type { Icon, ICredentialTestRequest, ICredentialType, INodeProperties } from 'n8n-workflow';

import { HTTP_CREDENTIAL_TYPES } from '../nodes/shared/http/auth';
import {
	authenticateWith,
	baseUrlProperty,
	HTTP_DOCS_URL,
	httpIcon,
	testPathProperty,
	testRequest,
} from './http/shared';

/**
 * OAuth2 client credentials (server-to-server) for the REST API and GraphQL nodes. The token is requested, cached
 * until it expires and renewed (also after a 401) by the connector core, not stored by n8n.
 */
export class CrmHttpClientCredentialsOAuth2Api implements ICredentialType {
	name = HTTP_CREDENTIAL_TYPES.clientCredentials;

	displayName = 'HTTP (CRM Connectors) OAuth2 Client Credentials API';

	icon: Icon = httpIcon;

	documentationUrl = HTTP_DOCS_URL;

	properties: INodeProperties[] = [
		baseUrlProperty,
		{
			displayName: 'Access Token URL',
			name: 'tokenUrl',
			type: 'string',
			default: '',
			required: true,
			placeholder: 'https://auth.example.com/oauth/token',
		},
		{
			displayName: 'Client ID',
			name: 'clientId',
			type: 'string',
			default: '',
			required: true,
		},
		{
			displayName: 'Client Secret',
			name: 'clientSecret',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			required: true,
		},
		{
			displayName: 'Scope',
			name: 'scope',
			type: 'string',
			default: '',
			description: 'Space-separated scopes to request (empty: none)',
		},
		{
			displayName: 'Audience',
			name: 'audience',
			type: 'string',
			default: '',
			description: 'The audience parameter some identity providers require (empty: none)',
		},
		{
			displayName: 'Client Authentication',
			name: 'clientAuthentication',
			type: 'options',
			options: [
				{ name: 'Send Client Credentials in Body', value: 'body' },
				{ name: 'Send as Basic Auth Header', value: 'basic' },
			],
			default: 'body',
		},
		testPathProperty,
	];

	authenticate = authenticateWith(HTTP_CREDENTIAL_TYPES.clientCredentials);

	test: ICredentialTestRequest = testRequest('token URL, client ID, client secret and scope');
}
