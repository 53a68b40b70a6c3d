/**
 * The n8n side of the Dynamics 365 connection: the node's credential → a `DataverseClient` whose every request goes
 * through n8n's `httpRequestWithAuthentication` (so n8n applies the credential — the client-credentials token it
 * obtained in `preAuthentication`, or the OAuth2 token it refreshes — and its proxy settings), with the core's retry
 * policy, the Dataverse dialect and a rate budget shared by every node using the same credential → `DynamicsCrm`.
 */
import type {
	IExecuteFunctions,
	IHttpRequestOptions,
	ILoadOptionsFunctions,
	IPollFunctions,
} from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { DataverseClient } from '../../../core/connectors/dynamics/client';
import { DynamicsCrm, type DynamicsCrmOptions } from '../../../core/connectors/dynamics/crm';
import type { AuthProvider } from '../../../core/http/auth/types';
import { registerSecret } from '../../../core/http/redact';
import { FunctionTransport, toN8nRequestOptions } from '../n8nTransport';
import { oauth2RenewalRefused } from '../oauth2Renewal';
import { DYNAMICS_CREDENTIAL_TYPES } from '../credentialTypes';

export { DYNAMICS_CREDENTIAL_TYPES };

export type DynamicsAuthentication = keyof typeof DYNAMICS_CREDENTIAL_TYPES;

type Context = IExecuteFunctions | ILoadOptionsFunctions | IPollFunctions;

/**
 * n8n applies the credential, so the client's own auth adds nothing; its `id` names the rate budget: one per n8n
 * credential, whichever node or execution uses it (Dataverse's service-protection limits are per user).
 */
function n8nCredentialAuth(key: string): AuthProvider {
	return { id: key, apply: async (request) => request };
}

/** The operation's Timeout option (Options → Timeout), in an execution only. */
function timeoutOf(ctx: Context): number | undefined {
	if (!('getInputData' in ctx)) return undefined;
	const value = Number((ctx as IExecuteFunctions).getNodeParameter('options.timeout', 0, 0));
	return Number.isFinite(value) && value > 0 ? value : undefined;
}

function readAuthentication(ctx: Context): DynamicsAuthentication {
	const value = ctx.getNode().parameters.authentication;
	return value === 'oAuth2' ? 'oAuth2' : 'clientCredentials';
}

/**
 * The connector of the node's credential. `authenticationChoice` overrides the node's `authentication` parameter
 * (a node whose parameter has another name). `crmOptions`: connector settings of the caller (the trigger's feed lag).
 */
export async function getDynamicsConnector(
	ctx: Context,
	authenticationChoice?: string,
	crmOptions: Pick<DynamicsCrmOptions, 'feedLagSeconds'> = {},
): Promise<DynamicsCrm> {
	const authentication = (authenticationChoice ||
		readAuthentication(ctx)) as DynamicsAuthentication;
	const type = DYNAMICS_CREDENTIAL_TYPES[authentication];
	if (!type)
		throw new NodeOperationError(ctx.getNode(), `Unknown authentication "${authentication}"`);
	const credentials = await ctx.getCredentials(type);
	for (const key of ['accessToken', 'clientSecret']) registerSecret(credentials[key]);
	const tokenData = (credentials.oauthTokenData ?? {}) as Record<string, unknown>;
	registerSecret(tokenData.access_token);
	registerSecret(tokenData.refresh_token);
	const environmentUrl = String(credentials.environmentUrl ?? '').trim();
	if (!/^https?:\/\//i.test(environmentUrl))
		throw new NodeOperationError(
			ctx.getNode(),
			`The Dynamics 365 credential has no valid Environment URL ("${environmentUrl}")`,
			{ description: 'Enter the environment URL, e.g. https://org.crm.dynamics.com' },
		);
	const node = ctx.getNode();
	const credentialRef = node.credentials?.[type];
	const credentialName = String(credentialRef?.name ?? 'Dynamics 365');
	const transport = new FunctionTransport(async (request) => {
		try {
			return (await ctx.helpers.httpRequestWithAuthentication.call(
				ctx,
				type,
				toN8nRequestOptions(request) as unknown as IHttpRequestOptions,
			)) as never;
		} catch (error) {
			// n8n renews OAuth2 tokens itself: a refused renewal means "reconnect", not the API call's failure.
			throw (
				(authentication === 'oAuth2'
					? oauth2RenewalRefused(error, 'Dynamics 365', credentialName)
					: undefined) ?? error
			);
		}
	});
	const client = new DataverseClient({
		environmentUrl,
		auth: n8nCredentialAuth(`n8n-credential:${credentialRef?.id ?? credentialName}`),
		transport,
		retry: { maxAttempts: 4, maxTotalWaitMs: 60_000 },
		timeoutMs: timeoutOf(ctx),
		// Retries (a 429 waited out, a 5xx tried again) in n8n's log, as the worker's own lines in queue mode.
		logger: ctx.logger,
		// Plain http only to loopback (the simulator): the core refuses it elsewhere.
	});
	// An execution writes and reads only: option sets (one request per option-set type) are for the field mapper.
	return new DynamicsCrm(client, { ...crmOptions, optionSets: !('getInputData' in ctx) });
}
