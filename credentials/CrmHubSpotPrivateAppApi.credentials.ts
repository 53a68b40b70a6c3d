import type { IAuthenticateGeneric, Icon, ICredentialTestRequest, ICredentialType, INodeProperties } from 'n8n-workflow';

/**
 * HubSpot private app access token (Settings → Integrations → Private Apps). Named `crm…` so it never collides
 * with n8n's built-in `hubspotAppToken`.
 */
export class CrmHubSpotPrivateAppApi implements ICredentialType {
	name = 'crmHubSpotPrivateAppApi';

	displayName = 'HubSpot (CRM Connectors) Private App API';

	icon: Icon = { light: 'file:../nodes/HubSpot/hubspot.svg', dark: 'file:../nodes/HubSpot/hubspot.dark.svg' };

	documentationUrl = 'https://developers.hubspot.com/docs/api/private-apps';

	properties: INodeProperties[] = [
		{
			displayName: 'Access Token',
			name: 'accessToken',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			required: true,
			description: 'The private app access token (starts with pat-). Scopes needed: crm.objects.*.read/write and crm.schemas.*.read for the objects you use.',
		},
		{
			displayName: 'Base URL',
			name: 'baseUrl',
			type: 'string',
			default: 'https://api.hubapi.com',
			description: 'HubSpot API base URL. Change it only to point at a local HubSpot sandbox (http is allowed for loopback only).',
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
	];

	authenticate: IAuthenticateGeneric = {
		type: 'generic',
		properties: {
			headers: {
				Authorization: '=Bearer {{$credentials.accessToken}}',
			},
		},
	};

	test: ICredentialTestRequest = {
		request: {
			baseURL: '={{$credentials.baseUrl.replace(/\\/+$/, "")}}',
			url: '/crm/v3/objects/contacts',
			qs: { limit: 1 },
		},
		rules: [
			{
				type: 'responseCode',
				properties: {
					value: 401,
					message: 'HubSpot rejected the access token (HTTP 401): it is wrong or the private app was deleted. Copy the token again from Settings → Integrations → Private Apps.',
				},
			},
		],
	};
}
