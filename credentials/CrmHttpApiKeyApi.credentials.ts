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

/** An API key in a header or in the query string (name configurable), for the REST API and GraphQL nodes. */
export class CrmHttpApiKeyApi implements ICredentialType {
	name = HTTP_CREDENTIAL_TYPES.apiKey;

	displayName = 'HTTP (CRM Connectors) API Key API';

	icon: Icon = httpIcon;

	documentationUrl = HTTP_DOCS_URL;

	properties: INodeProperties[] = [
		baseUrlProperty,
		{
			displayName: 'API Key',
			name: 'apiKey',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			required: true,
		},
		{
			displayName: 'Send In',
			name: 'location',
			type: 'options',
			options: [
				{ name: 'Header', value: 'header' },
				{ name: 'Query Parameter', value: 'query' },
			],
			default: 'header',
		},
		{
			displayName: 'Header Name',
			name: 'name',
			type: 'string',
			default: 'X-API-Key',
			displayOptions: { show: { location: ['header'] } },
		},
		{
			displayName: 'Parameter Name',
			name: 'name',
			type: 'string',
			default: 'api_key',
			displayOptions: { show: { location: ['query'] } },
		},
		{
			displayName: 'Value Prefix',
			name: 'prefix',
			type: 'string',
			default: '',
			placeholder: 'Token ',
			description:
				'Text sent before the key in the header, e.g. "Token " or "Bearer " (mind the trailing space)',
			displayOptions: { show: { location: ['header'] } },
		},
		testPathProperty,
	];

	authenticate = authenticateWith(HTTP_CREDENTIAL_TYPES.apiKey);

	test: ICredentialTestRequest = testRequest('API key and where it is sent');
}
