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
	authenticateWithSession,
	clientIdProperty,
	clientSecretProperty,
	credentialLoginUrl,
	environmentProperties,
	exchangeToken,
	sessionProperties,
	sessionTestRequest,
} from './salesforce/shared';

/**
 * Salesforce username-password flow: a connected app plus a user's password and security token. Prefer JWT
 * bearer or client credentials for production integrations. The token exchange runs in `preAuthentication`; n8n
 * stores the token and runs it again when a request gets a 401.
 */
export class CrmSalesforcePasswordApi implements ICredentialType {
	name = 'crmSalesforcePasswordApi';

	displayName = 'Salesforce (CRM Connectors) Username-Password API';

	icon: Icon = { light: 'file:salesforce.svg', dark: 'file:salesforce.dark.svg' };

	documentationUrl =
		'https://github.com/n8n-nodes-crm-connectors/n8n-nodes-crm-connectors#salesforce-credentials';

	properties: INodeProperties[] = [
		...environmentProperties(),
		clientIdProperty,
		clientSecretProperty,
		{
			displayName: 'Username',
			name: 'username',
			type: 'string',
			default: '',
			required: true,
			placeholder: 'integration@acme.com',
		},
		{
			displayName: 'Password',
			name: 'password',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			required: true,
		},
		{
			displayName: 'Security Token',
			name: 'securityToken',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			description:
				"Appended to the password. Not needed when the login IP range of the user allows n8n's address.",
		},
		...sessionProperties,
	];

	async preAuthentication(
		this: IHttpRequestHelper,
		credentials: ICredentialDataDecryptedObject,
	): Promise<IDataObject> {
		return await exchangeToken(this, {
			kind: 'password',
			loginUrl: credentialLoginUrl(credentials),
			clientId: String(credentials.clientId ?? ''),
			clientSecret: String(credentials.clientSecret ?? ''),
			username: String(credentials.username ?? ''),
			password: String(credentials.password ?? ''),
			securityToken: String(credentials.securityToken ?? ''),
		});
	}

	authenticate = authenticateWithSession;

	test: ICredentialTestRequest = sessionTestRequest;
}
