import type {
	IAuthenticateGeneric,
	Icon,
	ICredentialTestRequest,
	ICredentialType,
	INodeProperties,
} from 'n8n-workflow';

import { baseUrlProperty, rateLimitProperties, testRequest } from './hubspot/shared';

/**
 * HubSpot private app access token (Settings → Integrations → Private Apps). Named `crm…` so it never collides
 * with n8n's built-in `hubspotAppToken`.
 */
export class CrmHubSpotPrivateAppApi implements ICredentialType {
	name = 'crmHubSpotPrivateAppApi';

	displayName = 'HubSpot (CRM Connectors) Private App API';

	icon: Icon = {
		light: 'file:../nodes/HubSpot/hubspot.svg',
		dark: 'file:../nodes/HubSpot/hubspot.dark.svg',
	};

	documentationUrl = 'https://developers.hubspot.com/docs/api/private-apps';

	properties: INodeProperties[] = [
		{
			displayName: 'Access Token',
			name: 'accessToken',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			required: true,
			description:
				'The private app access token (starts with pat-). Scopes needed: crm.objects.*.read/write and crm.schemas.*.read for the objects you use.',
		},
		baseUrlProperty(
			'HubSpot API base URL. Change it only to point at a local HubSpot sandbox (http is allowed for loopback only).',
		),
		...rateLimitProperties,
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
		request: testRequest,
		rules: [
			{
				type: 'responseCode',
				properties: {
					value: 401,
					message:
						'HubSpot rejected the access token (HTTP 401): it is wrong or the private app was deleted. Copy the token again from Settings → Integrations → Private Apps.',
				},
			},
		],
	};
}
