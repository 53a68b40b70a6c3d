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
	credentialLoginUrl,
	environmentProperties,
	exchangeToken,
	sessionProperties,
	sessionTestRequest,
} from './salesforce/shared';

/**
 * Salesforce JWT bearer flow (server-to-server): a connected app with a certificate, a pre-authorized user. The
 * token exchange runs in `preAuthentication`; n8n stores the token and runs it again when a request gets a 401.
 */
export class CrmSalesforceJwtApi implements ICredentialType {
	name = 'crmSalesforceJwtApi';

	displayName = 'Salesforce (CRM Connectors) JWT Bearer API';

	icon: Icon = { light: 'file:salesforce.svg', dark: 'file:salesforce.dark.svg' };

	documentationUrl =
		'https://github.com/n8n-nodes-crm-connectors/n8n-nodes-crm-connectors#salesforce-credentials';

	properties: INodeProperties[] = [
		...environmentProperties(),
		clientIdProperty,
		{
			displayName: 'Username',
			name: 'username',
			type: 'string',
			default: '',
			required: true,
			placeholder: 'integration@acme.com',
			description: 'The Salesforce user the app acts as (pre-authorized for the connected app)',
		},
		{
			displayName: 'Private Key',
			name: 'privateKey',
			type: 'string',
			typeOptions: { password: true, rows: 4 },
			default: '',
			required: true,
			description: 'The PEM private key of the certificate uploaded to the connected app',
		},
		{
			displayName: 'Audience',
			name: 'audience',
			type: 'string',
			default: '',
			placeholder: 'https://login.salesforce.com',
			description:
				'The JWT audience. Leave empty for https://login.salesforce.com (https://test.salesforce.com for sandboxes, also behind a My Domain).',
		},
		...sessionProperties,
	];

	async preAuthentication(
		this: IHttpRequestHelper,
		credentials: ICredentialDataDecryptedObject,
	): Promise<IDataObject> {
		return await exchangeToken(this, {
			kind: 'jwt',
			loginUrl: credentialLoginUrl(credentials),
			clientId: String(credentials.clientId ?? ''),
			username: String(credentials.username ?? ''),
			privateKey: String(credentials.privateKey ?? ''),
			audience: String(credentials.audience ?? ''),
		});
	}

	authenticate = authenticateWithSession;

	test: ICredentialTestRequest = sessionTestRequest;
}
