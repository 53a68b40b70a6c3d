import type { Icon, ICredentialTestRequest, ICredentialType, INodeProperties } from 'n8n-workflow';

import { HTTP_CREDENTIAL_TYPES } from '../nodes/shared/http/auth';
import {
	baseUrlProperty,
	HTTP_DOCS_URL,
	httpIcon,
	testPathProperty,
	testRequest,
} from './http/shared';

/**
 * OAuth2 authorization code, managed by n8n (consent flow, token storage and refresh), for the REST API and GraphQL
 * nodes. Extends n8n's generic OAuth2 credential: its fields (authorization and token URLs, client ID and secret,
 * scope, PKCE) are n8n's own.
 */
export class CrmHttpOAuth2Api implements ICredentialType {
	name = HTTP_CREDENTIAL_TYPES.oAuth2;

	extends = ['oAuth2Api'];

	displayName = 'HTTP (CRM Connectors) OAuth2 API';

	icon: Icon = httpIcon;

	documentationUrl = HTTP_DOCS_URL;

	properties: INodeProperties[] = [baseUrlProperty, testPathProperty];

	test: ICredentialTestRequest = testRequest('connection (reconnect the credential)');
}
