import type {
	ICredentialDataDecryptedObject,
	ICredentialTestRequest,
	ICredentialType,
	IDataObject,
	IHttpRequestHelper,
	Icon,
	INodeProperties,
} from 'n8n-workflow';

import {
	authenticateWithToken,
	authorityProperty,
	clientCredentialsToken,
	environmentUrlProperty,
	whoAmITestRequest,
} from './dynamics/shared';

/**
 * Dynamics 365 / Dataverse as an application user (server-to-server): an app registration in Microsoft Entra ID with
 * a client secret, added to the environment as an application user. The token request (scope
 * `{environment}/.default`) runs in `preAuthentication`; n8n stores the token and runs it again on a 401. Named
 * `crm…` so it never collides with n8n's built-in Dynamics credentials.
 */
export class CrmDynamicsClientCredentialsApi implements ICredentialType {
	name = 'crmDynamicsClientCredentialsApi';

	displayName = 'Dynamics 365 (CRM Connectors) Client Credentials API';

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
			default: '',
			required: true,
			description: 'The Directory (tenant) ID of the app registration, or the tenant domain',
		},
		{
			displayName: 'Client ID',
			name: 'clientId',
			type: 'string',
			default: '',
			required: true,
			description: 'The Application (client) ID of the app registration',
		},
		{
			displayName: 'Client Secret',
			name: 'clientSecret',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			required: true,
			description: 'A client secret of the app registration (Certificates & secrets)',
		},
		authorityProperty,
		{
			displayName: 'Token URL',
			name: 'tokenUrl',
			type: 'string',
			default: '',
			placeholder: 'https://login.microsoftonline.com/{tenant}/oauth2/v2.0/token',
			description:
				'Optional: the full token endpoint, instead of Authority + Tenant ID (e.g. a Dataverse simulator)',
		},
		{
			displayName: 'Access Token',
			name: 'accessToken',
			type: 'hidden',
			typeOptions: { expirable: true, password: true },
			default: '',
		},
	];

	async preAuthentication(
		this: IHttpRequestHelper,
		credentials: ICredentialDataDecryptedObject,
	): Promise<IDataObject> {
		return await clientCredentialsToken(this, credentials);
	}

	authenticate = authenticateWithToken;

	test: ICredentialTestRequest = whoAmITestRequest;
}
