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
 * A static bearer token (personal access token, private app token) sent as `Authorization: Bearer …`, for the REST
 * API and GraphQL nodes, bound to one API's base URL.
 */
export class CrmHttpBearerTokenApi implements ICredentialType {
	name = HTTP_CREDENTIAL_TYPES.bearerToken;

	displayName = 'HTTP (CRM Connectors) Bearer Token API';

	icon: Icon = httpIcon;

	documentationUrl = HTTP_DOCS_URL;

	properties: INodeProperties[] = [
		baseUrlProperty,
		{
			displayName: 'Token',
			name: 'token',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			required: true,
			description: 'The access token, without the word Bearer',
		},
		testPathProperty,
	];

	authenticate = authenticateWith(HTTP_CREDENTIAL_TYPES.bearerToken);

	test: ICredentialTestRequest = testRequest('token');
}
