/**
 * What the Salesforce credentials share: the environment fields (also used by OAuth2), and for the
 * server-to-server ones the connected-app fields, the token exchange run in `preAuthentication` (through n8n's
 * request helper, so n8n stores the token and re-runs the exchange on a 401), `authenticate`, which adds the
 * bearer token and points requests at the instance URL, and the Test button's request.
 */
import type {
	ICredentialDataDecryptedObject,
	ICredentialTestRequest,
	IDataObject,
	IHttpRequestHelper,
	IHttpRequestOptions,
	INodeProperties,
} from 'n8n-workflow';

import {
	INSTANCE_URL_PLACEHOLDER,
	loginUrlFor,
	parseTokenResponse,
	resolveInstanceUrl,
	type SalesforceGrant,
	tokenErrorMessage,
	tokenRequest,
} from '../../core/connectors/salesforce/auth';
import { CrmError, isCrmError, tokenRequestError, transportError } from '../../core/http/errors';
import { registerSecret } from '../../core/http/redact';

/** Environment + custom login URL fields; `description` says who logs in there. */
export function environmentProperties(
	description = 'Where the credential logs in',
): INodeProperties[] {
	return [
		{
			displayName: 'Environment',
			name: 'environment',
			type: 'options',
			options: [
				{ name: 'Production (login.salesforce.com)', value: 'production' },
				{ name: 'Sandbox (test.salesforce.com)', value: 'sandbox' },
				{ name: 'Custom Domain (My Domain or Local Sandbox)', value: 'custom' },
			],
			default: 'production',
			description,
		},
		{
			displayName: 'Login URL',
			name: 'customLoginUrl',
			type: 'string',
			default: '',
			placeholder: 'https://acme.my.salesforce.com',
			description: 'Your My Domain URL (or the URL of a Salesforce simulator)',
			displayOptions: { show: { environment: ['custom'] } },
		},
	];
}

/** The connected app's consumer key. */
export const clientIdProperty: INodeProperties = {
	displayName: 'Consumer Key (Client ID)',
	name: 'clientId',
	type: 'string',
	default: '',
	required: true,
	description: 'The consumer key of the connected app',
};

/** The connected app's consumer secret. */
export const clientSecretProperty: INodeProperties = {
	displayName: 'Consumer Secret (Client Secret)',
	name: 'clientSecret',
	type: 'string',
	typeOptions: { password: true },
	default: '',
	required: true,
	description: 'The consumer secret of the connected app',
};

/** The hidden fields the token exchange fills: n8n re-runs it when they are empty or a request gets a 401. */
export const sessionProperties: INodeProperties[] = [
	{
		displayName: 'Access Token',
		name: 'accessToken',
		type: 'hidden',
		typeOptions: { expirable: true, password: true },
		default: '',
	},
	{
		displayName: 'Instance URL',
		name: 'instanceUrl',
		type: 'hidden',
		default: '',
	},
];

/** The login URL of a credential's data. */
export function credentialLoginUrl(credentials: ICredentialDataDecryptedObject): string {
	return loginUrlFor(credentials.environment as string, credentials.customLoginUrl as string);
}

/** Runs a token exchange through n8n's request helper and returns the hidden fields to store. */
export async function exchangeToken(
	helper: IHttpRequestHelper,
	grant: SalesforceGrant,
): Promise<IDataObject> {
	const request = tokenRequest(grant);
	let response: { statusCode?: number; status?: number; body?: unknown };
	try {
		response = (await helper.helpers.httpRequest({
			method: 'POST',
			url: request.url,
			body: request.body,
			headers: request.headers,
			returnFullResponse: true,
			ignoreHttpStatusErrors: true,
			json: false,
		})) as typeof response;
	} catch (err) {
		// No answer (connection dropped or refused, timeout): the API call that needed the token was not sent. A
		// CrmError survives n8n's wrapping (as the cause), so the connector reports a write as not sent (never as an
		// unknown outcome) and its retry policy sends the call again, which runs this exchange again.
		throw tokenRequestError(
			isCrmError(err) ? err : transportError(err, { method: 'POST', url: request.url }),
			'Salesforce login',
		);
	}
	const status = response.statusCode ?? response.status;
	if (status === undefined || status < 200 || status >= 300) {
		// A CrmError survives n8n's wrapping (as the cause), so the connector sees why and does not retry a refusal.
		const transient = status === undefined || status === 429 || status >= 500;
		// A refusal carries no `status`: n8n's NodeApiError would replace the message with a generic text for the
		// status code ("Bad request - please check your parameters"), which is all the credential test shows.
		// The message already names the HTTP status and Salesforce's reason.
		throw new CrmError(
			`${tokenErrorMessage(response.body, status)}${transient ? ' — the API call was NOT sent, nothing was written' : ''}`,
			{
				kind: transient ? 'transient' : 'authentication',
				...(transient ? { status } : {}),
				reachedServer: false,
				hint: transient
					? 'The Salesforce login service is busy or unreachable; the request is retried.'
					: 'Fix the credential and test it again.',
			},
		);
	}
	const session = parseTokenResponse(response.body);
	return { accessToken: session.accessToken, instanceUrl: session.instanceUrl };
}

/** `authenticate` of the server-to-server credentials: bearer token, placeholder origin → instance URL. */
export async function authenticateWithSession(
	credentials: ICredentialDataDecryptedObject,
	requestOptions: IHttpRequestOptions,
): Promise<IHttpRequestOptions> {
	const accessToken = String(credentials.accessToken ?? '');
	registerSecret(accessToken);
	const instanceUrl = String(credentials.instanceUrl ?? '');
	const options: IHttpRequestOptions = {
		...requestOptions,
		headers: { ...requestOptions.headers, Authorization: `Bearer ${accessToken}` },
	};
	if (typeof options.url === 'string') options.url = resolveInstanceUrl(options.url, instanceUrl);
	if (typeof options.baseURL === 'string')
		options.baseURL = resolveInstanceUrl(options.baseURL, instanceUrl);
	return options;
}

/**
 * The Test button's request of the server-to-server credentials. The instance URL comes with the token that
 * `preAuthentication` obtains (n8n always runs it when testing), after the request's expressions were resolved:
 * `authenticate` puts it in place of the placeholder.
 */
export const sessionTestRequest: ICredentialTestRequest = {
	request: {
		baseURL: INSTANCE_URL_PLACEHOLDER,
		url: '/services/data/v62.0/limits',
	},
};
