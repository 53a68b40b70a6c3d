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

import { HubSpotConnector } from '../../../../core/connectors/hubspot/connector';
import { CrmError } from '../../../../core/http/errors';
import { FunctionTransport, toN8nRequestOptions } from '../../../../core/http/transport';

/** Credential type names. */
export const PRIVATE_APP_TYPE_NAME = 'crmHubSpotPrivateAppApi';
// eslint-disable-next-line @n8n/community-nodes/no-hardcoded-secrets -- a credential type name, not a secret
export const OAUTH2_TYPE_NAME = 'crmHubSpotOAuth2Api';

type Context = IExecuteFunctions | ILoadOptionsFunctions | IPollFunctions;

function readAuthentication(ctx: Context): string {
	const node = ctx.getNode();
	const value = node.parameters.authentication;
	if (typeof value === 'string' && value !== '') return value;
	return node.credentials?.[OAUTH2_TYPE_NAME] && !node.credentials?.[PRIVATE_APP_TYPE_NAME] ? 'oAuth2' : 'privateApp';
}

function limitsOf(credentials: ICredentialDataDecryptedObject): { requestsPer10Seconds?: number; searchPerSecond?: number } {
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

type ErrorLike = { message?: unknown; code?: unknown; status?: unknown; body?: unknown; cause?: unknown; config?: { url?: unknown }; failure?: { cause?: unknown } };

function chainOf(error: unknown): ErrorLike[] {
	const chain: ErrorLike[] = [];
	let cur: unknown = error;
	for (let i = 0; i < 6 && cur && typeof cur === 'object'; i++) {
		chain.push(cur as ErrorLike);
		cur = (cur as ErrorLike).cause;
	}
	return chain;
}

function parseBody(body: unknown): Record<string, unknown> | undefined {
	if (body && typeof body === 'object') return body as Record<string, unknown>;
	if (typeof body !== 'string') return undefined;
	try {
		const parsed: unknown = JSON.parse(body);
		return parsed && typeof parsed === 'object' ? (parsed as Record<string, unknown>) : undefined;
	} catch {
		return undefined;
	}
}

/**
 * n8n renews an OAuth2 token inside its request helper, so a failed renewal surfaces as the API call's error: HubSpot's
 * token endpoint refusing the refresh token (`{status: "BAD_REFRESH_TOKEN"}`, HTTP 400, which n8n's OAuth2 client throws
 * as `ESTATUS: HTTP status 400`; or n8n's own "needs to be reconnected" for `invalid_grant`), or the token request's
 * connection failing. The API request itself was not sent in either case. Returns the error to throw instead: the
 * credential must be reconnected (not retried), or a transient error that is safe to retry (never reached HubSpot).
 */
export function tokenRenewalError(error: unknown, tokenUrl: string, credentialName: string): CrmError | undefined {
	const chain = chainOf(error);
	const reconnect = (detail: string, code?: string) =>
		new CrmError(
			`HubSpot OAuth2: HubSpot refused to renew the access token (${detail}) — the credential "${credentialName}" must be reconnected: open it in n8n and click "Reconnect" (the HubSpot app may have been uninstalled or its access revoked). Nothing was sent to HubSpot with it.`,
			{ kind: 'authentication', retryable: false, crmCode: code ?? 'BAD_REFRESH_TOKEN', hint: 'Reconnect the HubSpot OAuth2 credential in n8n.' },
		);
	for (const e of chain) {
		if (e.failure?.cause === 'credential-invalid' || (typeof e.message === 'string' && /needs to be reconnected/i.test(e.message))) return reconnect('invalid_grant', 'invalid_grant');
		const code = typeof e.code === 'string' ? e.code : undefined;
		if ((code === 'ESTATUS' || code === 'EAUTH') && e.body !== undefined) {
			const body = parseBody(e.body);
			const status = typeof body?.status === 'string' ? body.status : typeof body?.error === 'string' ? body.error : undefined;
			const message = typeof body?.message === 'string' ? body.message : typeof body?.error_description === 'string' ? body.error_description : undefined;
			const httpStatus = typeof e.status === 'number' ? e.status : undefined;
			if (httpStatus !== undefined && httpStatus >= 500) break;
			return reconnect([status, message].filter(Boolean).join(': ') || String(e.message ?? 'token request refused'), status);
		}
	}
	const url = chain.map((e) => (typeof e.config?.url === 'string' ? e.config.url : undefined)).find(Boolean);
	if (url && tokenUrl && url.split('?')[0] === tokenUrl.split('?')[0]) {
		const code = chain.map((e) => (typeof e.code === 'string' ? e.code : undefined)).find(Boolean) ?? 'ECONNRESET';
		return new CrmError(`${code}: renewing the HubSpot OAuth2 access token failed (the token request got no answer) — the API request was not sent`, {
			kind: 'transient',
			reachedServer: false,
			networkCode: code,
			hint: 'A network problem on the way to HubSpot\'s token endpoint; retrying usually succeeds.',
		});
	}
	return undefined;
}

/** The connector for this node's credential (its rate budget shared with every node using the same credential). */
export async function getConnector(ctx: Context): Promise<HubSpotConnector> {
	const authentication = readAuthentication(ctx);
	const node = ctx.getNode();
	if (authentication === 'oAuth2') {
		const credentials: ICredentialDataDecryptedObject = await ctx.getCredentials(OAUTH2_TYPE_NAME);
		const baseUrl = String(credentials.baseUrl || 'https://api.hubapi.com');
		const tokenUrl = String(credentials.accessTokenUrl ?? '');
		const credentialName = String(node.credentials?.[OAUTH2_TYPE_NAME]?.name ?? 'HubSpot OAuth2');
		const transport = new FunctionTransport(async (request) => {
			try {
				return (await ctx.helpers.httpRequestWithAuthentication.call(ctx, OAUTH2_TYPE_NAME, toN8nRequestOptions(request) as unknown as IHttpRequestOptions)) as never;
			} catch (error) {
				throw tokenRenewalError(error, tokenUrl, credentialName) ?? error;
			}
		}, { baseUrl });
		return new HubSpotConnector({
			baseUrl,
			transport,
			credentialKey: `n8n-credential:${node.credentials?.[OAUTH2_TYPE_NAME]?.id ?? node.credentials?.[OAUTH2_TYPE_NAME]?.name ?? 'oauth2'}`,
			rateLimit: limitsOf(credentials),
			timeoutMs: timeoutOf(ctx),
		});
	}
	const credentials = await ctx.getCredentials(PRIVATE_APP_TYPE_NAME);
	return new HubSpotConnector({
		baseUrl: String(credentials.baseUrl || 'https://api.hubapi.com'),
		accessToken: String(credentials.accessToken ?? ''),
		rateLimit: limitsOf(credentials),
		timeoutMs: timeoutOf(ctx),
	});
}
