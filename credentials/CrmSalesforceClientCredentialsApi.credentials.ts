import type {
	ICredentialDataDecryptedObject,
	ICredentialTestRequest,
	ICredentialType,
	IDataObject,
	IHttpRequestHelper,
	Icon,
	INodeProperties,
} from 'n8n-workflow';

import { loginUrlFor } from '../core/connectors/salesforce/auth';
import {
	authenticateWithSession,
	clientIdProperty,
	clientSecretProperty,
	exchangeToken,
	sessionProperties,
	sessionTestRequest,
} from './salesforce/shared';

/**
 * Salesforce client credentials flow (server-to-server): a connected app with the flow enabled and a run-as user;
 * it needs the org's My Domain URL. The token exchange runs in `preAuthentication`; n8n stores the token and runs
 * it again when a request gets a 401.
 */
export class CrmSalesforceClientCredentialsApi implements ICredentialType {
	name = 'crmSalesforceClientCredentialsApi';

	displayName = 'Salesforce (CRM Connectors) Client Credentials API';

	icon: Icon = { light: 'file:salesforce.svg', dark: 'file:salesforce.dark.svg' };

	documentationUrl =
		'https://github.com/n8n-nodes-crm-connectors/n8n-nodes-crm-connectors#salesforce-credentials';

	properties: INodeProperties[] = [
		{
			displayName: 'My Domain URL',
			name: 'myDomainUrl',
			type: 'string',
			default: '',
			required: true,
			placeholder: 'https://acme.my.salesforce.com',
			description:
				'The My Domain URL of the org (the client credentials flow does not work with login.salesforce.com), or the URL of a Salesforce simulator',
		},
		clientIdProperty,
		clientSecretProperty,
		...sessionProperties,
	];

	async preAuthentication(
		this: IHttpRequestHelper,
		credentials: ICredentialDataDecryptedObject,
	): Promise<IDataObject> {
		return await exchangeToken(this, {
			kind: 'clientCredentials',
			loginUrl: loginUrlFor('custom', String(credentials.myDomainUrl ?? '')),
			clientId: String(credentials.clientId ?? ''),
			clientSecret: String(credentials.clientSecret ?? ''),
		});
	}

	authenticate = authenticateWithSession;

	test: ICredentialTestRequest = sessionTestRequest;
}
