import type { ICredentialTestRequest, ICredentialType, Icon, INodeProperties } from 'n8n-workflow';

import { environmentProperties } from './salesforce/shared';

/**
 * Salesforce OAuth2 (authorization code), managed by n8n: n8n runs the consent flow, stores the tokens and
 * refreshes the access token on a 401 without user action. The instance URL comes with the token
 * (`oauthTokenData.instance_url`).
 */
export class CrmSalesforceOAuth2Api implements ICredentialType {
	name = 'crmSalesforceOAuth2Api';

	extends = ['oAuth2Api'];

	displayName = 'Salesforce (CRM Connectors) OAuth2 API';

	icon: Icon = { light: 'file:salesforce.svg', dark: 'file:salesforce.dark.svg' };

	documentationUrl =
		'https://github.com/n8n-nodes-crm-connectors/n8n-nodes-crm-connectors#salesforce-credentials';

	properties: INodeProperties[] = [
		{
			displayName: 'Grant Type',
			name: 'grantType',
			type: 'hidden',
			default: 'authorizationCode',
		},
		...environmentProperties('Where users log in to approve the connection'),
		{
			displayName: 'Authorization URL',
			name: 'authUrl',
			type: 'hidden',
			default:
				'={{ ($self["environment"] === "sandbox" ? "https://test.salesforce.com" : $self["environment"] === "custom" ? String($self["customLoginUrl"]).replace(/\\/+$/, "") : "https://login.salesforce.com") + "/services/oauth2/authorize" }}',
		},
		{
			displayName: 'Access Token URL',
			name: 'accessTokenUrl',
			type: 'hidden',
			default:
				'={{ ($self["environment"] === "sandbox" ? "https://test.salesforce.com" : $self["environment"] === "custom" ? String($self["customLoginUrl"]).replace(/\\/+$/, "") : "https://login.salesforce.com") + "/services/oauth2/token" }}',
		},
		{
			displayName: 'Scope',
			name: 'scope',
			type: 'hidden',
			default: 'api refresh_token',
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
			baseURL: '={{$credentials.oauthTokenData.instance_url}}',
			url: '/services/data/v62.0/limits',
		},
	};
}
