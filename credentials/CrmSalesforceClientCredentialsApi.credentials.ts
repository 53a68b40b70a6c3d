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

import { INSTANCE_URL_PLACEHOLDER, loginUrlFor } from '../core/connectors/salesforce/auth';
import { authenticateWithSession, exchangeToken, sessionProperties } from './salesforce/shared';

/**
 * Salesforce client credentials flow (server-to-server): a connected app with the flow enabled and a run-as user;
 * it needs the org's My Domain URL. The token exchange runs in `preAuthentication`; n8n stores the token and runs
 * it again when a request gets a 401.
 */
export class CrmSalesforceClientCredentialsApi implements ICredentialType {
	name = 'crmSalesforceClientCredentialsApi';

	displayName = 'Salesforce (CRM Connectors) Client Credentials API';

	icon: Icon = { light: 'file:salesforce.svg', dark: 'file:salesforce.dark.svg' };

	documentationUrl = 'https://github.com/n8n-nodes-crm-connectors/n8n-nodes-crm-connectors#salesforce-credentials';

	properties: INodeProperties[] = [
		{
			displayName: 'My Domain URL',
			name: 'myDomainUrl',
			type: 'string',
			default: '',
			required: true,
			placeholder: 'https://acme.my.salesforce.com',
			description: 'The My Domain URL of the org (the client credentials flow does not work with login.salesforce.com), or the URL of a Salesforce simulator',
		},
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
		...sessionProperties,
	];

	async preAuthentication(this: IHttpRequestHelper, credentials: ICredentialDataDecryptedObject): Promise<IDataObject> {
		return await exchangeToken(this, {
			kind: 'clientCredentials',
			loginUrl: loginUrlFor('custom', String(credentials.myDomainUrl ?? '')),
			clientId: String(credentials.clientId ?? ''),
			clientSecret: String(credentials.clientSecret ?? ''),
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
