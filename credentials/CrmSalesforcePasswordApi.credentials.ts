import type {
	ICredentialDataDecryptedObject,
	ICredentialTestRequest,
	ICredentialType,
	IDataObject,
	IHttpRequestHelper,
	IHttpRequestOptions,
	Icon,
	INodeProperties,
} from 'n8n-workflow';

import { INSTANCE_URL_PLACEHOLDER } from '../core/connectors/salesforce/auth';
import { authenticateWithSession, credentialLoginUrl, environmentProperties, exchangeToken, sessionProperties } from './salesforce/shared';

/**
 * Salesforce username-password flow: a connected app plus a user's password and security token. Prefer JWT
 * bearer or client credentials for production integrations. The token exchange runs in `preAuthentication`; n8n
 * stores the token and runs it again when a request gets a 401.
 */
export class CrmSalesforcePasswordApi implements ICredentialType {
	name = 'crmSalesforcePasswordApi';

	displayName = 'Salesforce (CRM Connectors) Username-Password API';

	icon: Icon = { light: 'file:salesforce.svg', dark: 'file:salesforce.dark.svg' };

	documentationUrl = 'https://github.com/n8n-nodes-crm-connectors/n8n-nodes-crm-connectors#salesforce-credentials';

	properties: INodeProperties[] = [
		...environmentProperties,
		{
			displayName: 'Consumer Key (Client ID)',
			name: 'clientId',
			type: 'string',
			default: '',
			required: true,
			description: 'The consumer key of the connected app',
		},
		{
			displayName: 'Consumer Secret (Client Secret)',
			name: 'clientSecret',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			required: true,
			description: 'The consumer secret of the connected app',
		},
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
			description: 'Appended to the password. Not needed when the login IP range of the user allows n8n\'s address.',
		},
		...sessionProperties,
	];

	async preAuthentication(this: IHttpRequestHelper, credentials: ICredentialDataDecryptedObject): Promise<IDataObject> {
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

	authenticate = async (credentials: ICredentialDataDecryptedObject, requestOptions: IHttpRequestOptions): Promise<IHttpRequestOptions> =>
		await authenticateWithSession(credentials, requestOptions);

	// The instance URL comes with the token that `preAuthentication` obtains (n8n always runs it when testing),
	// after the request's expressions were resolved: `authenticate` puts it in place of the placeholder.
	test: ICredentialTestRequest = {
		request: {
			baseURL: INSTANCE_URL_PLACEHOLDER,
			url: '/services/data/v62.0/limits',
		},
	};
}
