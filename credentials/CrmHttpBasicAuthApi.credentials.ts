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

/** HTTP Basic authentication (RFC 7617) for the REST API and GraphQL nodes, bound to one API's base URL. */
export class CrmHttpBasicAuthApi implements ICredentialType {
	name = HTTP_CREDENTIAL_TYPES.basicAuth;

	displayName = 'HTTP (CRM Connectors) Basic Auth API';

	icon: Icon = httpIcon;

	documentationUrl = HTTP_DOCS_URL;

	properties: INodeProperties[] = [
		baseUrlProperty,
		{
			displayName: 'User',
			name: 'user',
			type: 'string',
			default: '',
			required: true,
		},
		{
			displayName: 'Password',
			name: 'password',
			type: 'string',
			typeOptions: { password: true },
			default: '',
		},
		testPathProperty,
	];

	authenticate = authenticateWith(HTTP_CREDENTIAL_TYPES.basicAuth);

	test: ICredentialTestRequest = testRequest('user and password');
}
