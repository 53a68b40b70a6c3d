import type { Icon, ICredentialTestRequest, ICredentialType, INodeProperties } from 'n8n-workflow';

import { authorityProperty, environmentUrlProperty, whoAmITestRequest } from './dynamics/shared';

/**
 * Dynamics 365 / Dataverse as a signed-in user (authorization code), managed by n8n: n8n runs the consent flow at
 * Microsoft Entra ID, stores and refreshes the token. The scope is the environment's delegated
 * `user_impersonation` plus `offline_access` (for the refresh token), as Microsoft documents for the Web API. Named
 * `crm…` so it never collides with n8n's built-in `microsoftDynamicsOAuth2Api`.
 */
export class CrmDynamicsOAuth2Api implements ICredentialType {
	name = 'crmDynamicsOAuth2Api';

	extends = ['oAuth2Api'];

	displayName = 'Dynamics 365 (CRM Connectors) OAuth2 API';

	icon: Icon = {
		light: 'file:../nodes/Dynamics365/dynamics365.svg',
		dark: 'file:../nodes/Dynamics365/dynamics365.dark.svg',
	};

	documentationUrl =
		'https://github.com/n8n-nodes-crm-connectors/n8n-nodes-crm-connectors#dynamics-365-credentials';

	properties: INodeProperties[] = [
		environmentUrlProperty,
		{
			displayName: 'Tenant ID',
			name: 'tenantId',
			type: 'string',
			default: 'organizations',
			description:
				'The Directory (tenant) ID or domain; "organizations" lets any work account sign in (multi-tenant app registrations)',
		},
		authorityProperty,
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
			default:
				'={{$self["authority"].replace(/\\/+$/, "")}}/{{$self["tenantId"] || "organizations"}}/oauth2/v2.0/authorize',
			required: true,
		},
		{
			displayName: 'Access Token URL',
			name: 'accessTokenUrl',
			type: 'hidden',
			default:
				'={{$self["authority"].replace(/\\/+$/, "")}}/{{$self["tenantId"] || "organizations"}}/oauth2/v2.0/token',
			required: true,
		},
		{
			displayName: 'Scope',
			name: 'scope',
			type: 'hidden',
			default:
				'={{$self["environmentUrl"].replace(/\\/+$/, "")}}/user_impersonation offline_access',
		},
		{
			displayName: 'Auth URI Query Parameters',
			name: 'authQueryParameters',
			type: 'hidden',
			default: 'prompt=select_account',
		},
		{
			displayName: 'Authentication',
			name: 'authentication',
			type: 'hidden',
			default: 'body',
		},
	];

	test: ICredentialTestRequest = whoAmITestRequest;
}
