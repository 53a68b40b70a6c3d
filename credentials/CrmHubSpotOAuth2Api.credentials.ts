import type { Icon, ICredentialTestRequest, ICredentialType, INodeProperties } from 'n8n-workflow';

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

	icon: Icon = { light: 'file:../nodes/HubSpot/hubspot.svg', dark: 'file:../nodes/HubSpot/hubspot.dark.svg' };

	documentationUrl = 'https://developers.hubspot.com/docs/api/oauth-quickstart-guide';

	properties: INodeProperties[] = [
		{
			displayName: 'Base URL',
			name: 'baseUrl',
			type: 'string',
			default: 'https://api.hubapi.com',
			description: 'HubSpot API base URL (also serves the token endpoint). Change it only to point at a local HubSpot sandbox.',
		},
		{
			displayName: 'API Limit',
			name: 'requestsPer10Seconds',
			type: 'options',
			options: [
				{ name: '190 Requests per 10 Seconds (Professional, Enterprise)', value: 190 },
				{ name: '100 Requests per 10 Seconds (Free, Starter)', value: 100 },
			],
			default: 190,
			description: 'The burst limit of the HubSpot subscription. Every node using this credential shares this budget.',
		},
		{
			displayName: 'Search Requests per Second',
			name: 'searchRequestsPerSecond',
			type: 'number',
			typeOptions: { minValue: 1 },
			default: 5,
			description: 'HubSpot\'s limit for the search endpoints (5 per second per account unless raised)',
		},
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
		request: {
			baseURL: '={{$credentials.baseUrl.replace(/\\/+$/, "")}}',
			url: '/crm/v3/objects/contacts',
			qs: { limit: 1 },
		},
	};
}
