import type { Icon, ICredentialTestRequest, ICredentialType, INodeProperties } from 'n8n-workflow';

import { baseUrlProperty, rateLimitProperties, testRequest } from './hubspot/shared';

/** HubSpot's CRM scopes the node needs (objects, schemas, owners, associations through the objects scopes). */
const SCOPES = [
	'oauth',
	'crm.objects.contacts.read',
	'crm.objects.contacts.write',
	'crm.objects.companies.read',
	'crm.objects.companies.write',
	'crm.objects.deals.read',
	'crm.objects.deals.write',
	'crm.objects.custom.read',
	'crm.objects.custom.write',
	'crm.schemas.contacts.read',
	'crm.schemas.contacts.write',
	'crm.schemas.companies.read',
	'crm.schemas.companies.write',
	'crm.schemas.deals.read',
	'crm.schemas.deals.write',
	'crm.schemas.custom.read',
	'crm.objects.owners.read',
	'tickets',
	'e-commerce',
	'forms',
];

/**
 * HubSpot OAuth2 (authorization code), managed by n8n: n8n runs the consent flow, stores and refreshes the token.
 * Named `crm…` so it never collides with n8n's built-in `hubspotOAuth2Api`.
 */
export class CrmHubSpotOAuth2Api implements ICredentialType {
	name = 'crmHubSpotOAuth2Api';

	extends = ['oAuth2Api'];

	displayName = 'HubSpot (CRM Connectors) OAuth2 API';

	icon: Icon = {
		light: 'file:../nodes/HubSpot/hubspot.svg',
		dark: 'file:../nodes/HubSpot/hubspot.dark.svg',
	};

	documentationUrl = 'https://developers.hubspot.com/docs/api/oauth-quickstart-guide';

	properties: INodeProperties[] = [
		baseUrlProperty(
			'HubSpot API base URL (also serves the token endpoint). Change it only to point at a local HubSpot sandbox.',
		),
		...rateLimitProperties,
		{
			displayName: 'Grant Type',
			name: 'grantType',
			type: 'hidden',
			default: 'authorizationCode',
		},
		{
			displayName: 'Authorization URL',
			name: 'authUrl',
			type: 'hidden',
			default: 'https://app.hubspot.com/oauth/authorize',
			required: true,
		},
		{
			displayName: 'Access Token URL',
			name: 'accessTokenUrl',
			type: 'hidden',
			default: '={{$self["baseUrl"].replace(/\\/+$/, "")}}/oauth/v1/token',
			required: true,
		},
		{
			displayName: 'Scope',
			name: 'scope',
			type: 'hidden',
			default: SCOPES.join(' '),
		},
		{
			displayName: 'Auth URI Query Parameters',
			name: 'authQueryParameters',
			type: 'hidden',
			default: '',
		},
		{
			displayName: 'Authentication',
			name: 'authentication',
			type: 'hidden',
			default: 'body',
		},
	];

	test: ICredentialTestRequest = {
		request: testRequest,
	};
}
