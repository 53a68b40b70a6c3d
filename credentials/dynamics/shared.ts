/**
 * What the Dynamics 365 credentials share: the environment URL and authority fields, the client-credentials token
 * request run in `preAuthentication` (through n8n's request helper, so n8n stores the token and runs the request
 * again when a call gets a 401), the bearer `authenticate`, and the Test button's `WhoAmI` request.
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
	AZURE_AD_AUTHORITY,
	dataverseScope,
	dataverseTokenUrl,
} from '../../core/connectors/dynamics/auth';
import { CrmError, isCrmError, tokenRequestError, transportError } from '../../core/http/errors';
import { redactString, registerSecret } from '../../core/http/redact';

/** The environment (organisation) URL: every API call and the token's resource. */
export const environmentUrlProperty: INodeProperties = {
	displayName: 'Environment URL',
	name: 'environmentUrl',
	type: 'string',
	default: '',
	required: true,
	placeholder: 'https://org.crm.dynamics.com',
	description:
		'The URL of the Dynamics 365 / Dataverse environment (Power Platform admin center → Environments → Environment URL), or the URL of a Dataverse simulator',
};

/** The Microsoft Entra ID authority (sovereign clouds have their own). */
export const authorityProperty: INodeProperties = {
	displayName: 'Authority',
	name: 'authority',
	type: 'string',
	default: AZURE_AD_AUTHORITY,
	description:
		'The Microsoft Entra ID sign-in host: https://login.microsoftonline.com for the public cloud, https://login.microsoftonline.us for US Government, https://login.chinacloudapi.cn for China',
};

/** The Test button's request: `WhoAmI` against the environment. */
export const whoAmITestRequest: ICredentialTestRequest = {
	request: {
		baseURL: '={{$credentials.environmentUrl.replace(/\\/+$/, "")}}/api/data/v9.2',
		url: '/WhoAmI',
		headers: { Accept: 'application/json', 'OData-MaxVersion': '4.0', 'OData-Version': '4.0' },
	},
	rules: [
		{
			type: 'responseCode',
			properties: {
				value: 401,
				message:
					'Dynamics 365 refused the token (HTTP 401): check that the Environment URL is the environment the app registration (or your account) has a user in',
			},
		},
		{
			type: 'responseCode',
			properties: {
				value: 403,
				message:
					'Dynamics 365 answered HTTP 403: the app (or your account) has no user with a security role in this environment',
			},
		},
	],
};

/** Entra ID's reason from a token error body (`{ error, error_description }`), secrets redacted. */
function tokenReason(body: unknown): string {
	let parsed: unknown = body;
	if (typeof body === 'string') {
		try {
			parsed = JSON.parse(body);
		} catch {
			return redactString(body.slice(0, 300));
		}
	}
	const b = (parsed ?? {}) as { error?: unknown; error_description?: unknown };
	const description =
		typeof b.error_description === 'string' ? b.error_description.split(/\r?\n/)[0] : '';
	return redactString([b.error, description].filter(Boolean).join(' — ') || 'no reason given');
}

/** Runs the client-credentials token request through n8n's helper; returns the hidden field to store. */
export async function clientCredentialsToken(
	helper: IHttpRequestHelper,
	credentials: ICredentialDataDecryptedObject,
): Promise<IDataObject> {
	const clientSecret = String(credentials.clientSecret ?? '');
	registerSecret(clientSecret);
	const url = dataverseTokenUrl({
		tokenUrl: String(credentials.tokenUrl ?? ''),
		authority: String(credentials.authority ?? ''),
		tenantId: String(credentials.tenantId ?? ''),
	});
	const body = new URLSearchParams({
		grant_type: 'client_credentials',
		client_id: String(credentials.clientId ?? ''),
		client_secret: clientSecret,
		scope: dataverseScope(String(credentials.environmentUrl ?? '')),
	}).toString();
	let response: { statusCode?: number; status?: number; body?: unknown };
	try {
		response = (await helper.helpers.httpRequest({
			method: 'POST',
			url,
			body,
			headers: { 'Content-Type': 'application/x-www-form-urlencoded', Accept: 'application/json' },
			returnFullResponse: true,
			ignoreHttpStatusErrors: true,
			json: false,
		})) as typeof response;
	} catch (err) {
		// No answer: the API call that needed the token was not sent; the connector's retry policy sends it again.
		throw tokenRequestError(
			isCrmError(err) ? err : transportError(err, { method: 'POST', url }),
			'Microsoft Entra ID sign-in',
		);
	}
	const status = response.statusCode ?? response.status;
	if (status === undefined || status < 200 || status >= 300) {
		const transient = status === undefined || status === 429 || status >= 500;
		// No `status` on a refusal: n8n would replace the message with a generic text for the status code.
		throw new CrmError(
			`Dynamics 365 sign-in failed (HTTP ${status ?? '?'}): ${tokenReason(response.body)}${transient ? ' — the API call was NOT sent, nothing was written' : ' (check the tenant ID, client ID and client secret of the app registration)'}`,
			{
				kind: transient ? 'transient' : 'authentication',
				...(transient ? { status } : {}),
				reachedServer: false,
				hint: transient
					? 'Microsoft Entra ID is busy or unreachable; the request is retried.'
					: 'Fix the credential and test it again.',
			},
		);
	}
	const parsed = (
		typeof response.body === 'string' ? JSON.parse(response.body) : response.body
	) as { access_token?: unknown };
	if (typeof parsed?.access_token !== 'string' || parsed.access_token === '')
		throw new CrmError('Dynamics 365 sign-in: the token answer carries no access_token', {
			kind: 'authentication',
		});
	registerSecret(parsed.access_token);
	return { accessToken: parsed.access_token };
}

/** `authenticate` of the client-credentials credential: the stored bearer token. */
export async function authenticateWithToken(
	credentials: ICredentialDataDecryptedObject,
	requestOptions: IHttpRequestOptions,
): Promise<IHttpRequestOptions> {
	const accessToken = String(credentials.accessToken ?? '');
	registerSecret(accessToken);
	return {
		...requestOptions,
		headers: { ...requestOptions.headers, Authorization: `Bearer ${accessToken}` },
	};
}
