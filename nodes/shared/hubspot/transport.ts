/**
 * Builds the core's HubSpot connector from the node's credential: a private-app token goes through
 * `@hubspot/api-client`; OAuth2 goes through n8n's request helper, which applies and refreshes the token n8n manages.
 */
import type {
	ICredentialDataDecryptedObject,
	IExecuteFunctions,
	IHttpRequestOptions,
	ILoadOptionsFunctions,
	IPollFunctions,
} from 'n8n-workflow';

import { HubSpotConnector } from '../../../core/connectors/hubspot/connector';
import { FunctionTransport, toN8nRequestOptions } from '../n8nTransport';
import { oauth2RenewalRefused } from '../oauth2Renewal';
import { OAUTH2_TYPE_NAME, PRIVATE_APP_TYPE_NAME } from '../credentialTypes';

export { OAUTH2_TYPE_NAME, PRIVATE_APP_TYPE_NAME };

type Context = IExecuteFunctions | ILoadOptionsFunctions | IPollFunctions;

function readAuthentication(ctx: Context): string {
	const node = ctx.getNode();
	const value = node.parameters.authentication;
	if (typeof value === 'string' && value !== '') return value;
	return node.credentials?.[OAUTH2_TYPE_NAME] && !node.credentials?.[PRIVATE_APP_TYPE_NAME]
		? 'oAuth2'
		: 'privateApp';
}

function limitsOf(credentials: ICredentialDataDecryptedObject): {
	requestsPer10Seconds?: number;
	searchPerSecond?: number;
} {
	return {
		requestsPer10Seconds: Number(credentials.requestsPer10Seconds) || undefined,
		searchPerSecond: Number(credentials.searchRequestsPerSecond) || undefined,
	};
}

/** The operation's Timeout option (Options → Timeout), in an execution only. */
function timeoutOf(ctx: Context): number | undefined {
	if (!('getInputData' in ctx)) return undefined;
	const value = Number((ctx as IExecuteFunctions).getNodeParameter('options.timeout', 0, 0));
	return Number.isFinite(value) && value > 0 ? value : undefined;
}

/**
 * The connector for this node's credential (its rate budget shared with every node using the same credential).
 * `authenticationChoice` overrides the node's `authentication` parameter (e.g. the CRM Sync's per-system choice).
 */
export async function getConnector(
	ctx: Context,
	authenticationChoice?: string,
): Promise<HubSpotConnector> {
	const authentication = authenticationChoice || readAuthentication(ctx);
	const node = ctx.getNode();
	if (authentication === 'oAuth2') {
		const credentials: ICredentialDataDecryptedObject = await ctx.getCredentials(OAUTH2_TYPE_NAME);
		const baseUrl = String(credentials.baseUrl || 'https://api.hubapi.com');
		const credentialName = String(node.credentials?.[OAUTH2_TYPE_NAME]?.name ?? 'HubSpot OAuth2');
		const transport = new FunctionTransport(
			async (request) => {
				try {
					return (await ctx.helpers.httpRequestWithAuthentication.call(
						ctx,
						OAUTH2_TYPE_NAME,
						toN8nRequestOptions(request) as unknown as IHttpRequestOptions,
					)) as never;
				} catch (error) {
					throw oauth2RenewalRefused(error, 'HubSpot', credentialName) ?? error;
				}
			},
			{ baseUrl },
		);
		return new HubSpotConnector({
			baseUrl,
			transport,
			credentialKey: `n8n-credential:${node.credentials?.[OAUTH2_TYPE_NAME]?.id ?? node.credentials?.[OAUTH2_TYPE_NAME]?.name ?? 'oauth2'}`,
			rateLimit: limitsOf(credentials),
			timeoutMs: timeoutOf(ctx),
			logger: ctx.logger,
		});
	}
	const credentials = await ctx.getCredentials(PRIVATE_APP_TYPE_NAME);
	return new HubSpotConnector({
		baseUrl: String(credentials.baseUrl || 'https://api.hubapi.com'),
		accessToken: String(credentials.accessToken ?? ''),
		rateLimit: limitsOf(credentials),
		timeoutMs: timeoutOf(ctx),
		logger: ctx.logger,
	});
}
