/**
 * The n8n side of the Salesforce connection: builds a `SalesforceConnector` whose every request goes through
 * n8n's `httpRequestWithAuthentication` (so n8n applies the credential, refreshes OAuth2 tokens and re-runs
 * token exchanges on a 401), with the core's retry policy and a rate budget shared per credential.
 */
import type { IExecuteFunctions, ILoadOptionsFunctions, IPollFunctions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { INSTANCE_URL_PLACEHOLDER } from '../../../core/connectors/salesforce/auth';
import { SalesforceConnector } from '../../../core/connectors/salesforce/connector';
import { salesforceDialect } from '../../../core/connectors/salesforce/dialect';
import { HttpClient } from '../../../core/http/client';
import { registerSecret } from '../../../core/http/redact';
import { FunctionTransport, toN8nRequestOptions } from '../n8nTransport';
import { oauth2RenewalRefused } from '../oauth2Renewal';
import { CREDENTIAL_TYPES } from '../credentialTypes';

export { CREDENTIAL_TYPES };

export type AuthenticationChoice = keyof typeof CREDENTIAL_TYPES;

type Context = IExecuteFunctions | ILoadOptionsFunctions | IPollFunctions;

/**
 * A connector for the node's credential. `authenticationChoice` overrides the node's `authentication` parameter
 * (a node whose parameter has another name, e.g. the CRM Sync's per-system choice).
 */
export async function getConnector(
	context: Context,
	authenticationChoice?: string,
): Promise<SalesforceConnector> {
	// execute() reads parameters per item; load-options and poll contexts have no item index.
	const raw =
		authenticationChoice ??
		('getInputData' in context
			? (context as IExecuteFunctions).getNodeParameter('authentication', 0, 'oAuth2')
			: (context as ILoadOptionsFunctions | IPollFunctions).getNodeParameter(
					'authentication',
					'oAuth2',
				));
	const authentication = ((raw as string) || 'oAuth2') as AuthenticationChoice;
	const type = CREDENTIAL_TYPES[authentication];
	if (!type)
		throw new NodeOperationError(context.getNode(), `Unknown authentication "${authentication}"`);
	const credentials = await context.getCredentials(type);
	let instanceUrl: string;
	if (type === CREDENTIAL_TYPES.oAuth2) {
		const tokenData = (credentials.oauthTokenData ?? {}) as {
			instance_url?: string;
			access_token?: string;
			refresh_token?: string;
		};
		// n8n applies and refreshes these; registering them keeps them out of any error text or log line.
		registerSecret(tokenData.access_token);
		registerSecret(tokenData.refresh_token);
		registerSecret(credentials.clientSecret);
		instanceUrl = tokenData.instance_url ?? '';
		if (!instanceUrl) {
			throw new NodeOperationError(
				context.getNode(),
				'The Salesforce OAuth2 credential is not connected: it has no instance URL',
				{
					description: 'Open the credential and click "Connect my account" (or "Reconnect").',
				},
			);
		}
	} else {
		// Known once the credential has logged in; before that, the credential's authenticate fills it in.
		instanceUrl = (credentials.instanceUrl as string) || INSTANCE_URL_PLACEHOLDER;
		for (const key of ['accessToken', 'clientSecret', 'password', 'securityToken', 'privateKey'])
			registerSecret(credentials[key]);
	}
	const credentialId = context.getNode().credentials?.[type]?.id ?? type;
	const helpers = context.helpers;
	const credentialName = context.getNode().credentials?.[type]?.name ?? 'Salesforce';
	const transport = new FunctionTransport(async (request) => {
		try {
			return await helpers.httpRequestWithAuthentication.call(
				context,
				type,
				toN8nRequestOptions(request) as never,
			);
		} catch (error) {
			// n8n renews OAuth2 tokens itself: a refused renewal means "reconnect", not the API call's failure.
			throw (
				(type === CREDENTIAL_TYPES.oAuth2
					? oauth2RenewalRefused(error, 'Salesforce', credentialName)
					: undefined) ?? error
			);
		}
	});
	// The Timeout option of the operation's Options collection, when it has one (execute() only).
	const timeoutMs =
		'getInputData' in context
			? Number((context as IExecuteFunctions).getNodeParameter('options.timeout', 0, 0)) ||
				undefined
			: undefined;
	const http = new HttpClient({
		transport,
		dialect: salesforceDialect,
		...(timeoutMs ? { timeoutMs } : {}),
		rateLimitKey: `salesforce:${credentialId}`,
		// Salesforce allows 25 long-running requests per org; stay well below.
		rateLimit: { maxConcurrent: 10 },
		retry: { maxAttempts: 4, maxTotalWaitMs: 60_000 },
		logger: context.logger,
	});
	return new SalesforceConnector({ instanceUrl, http, connectionKey: `${type}:${credentialId}` });
}
