/**
 * n8n renews an OAuth2 access token inside its request helper (after a 401), so a refused renewal surfaces as the
 * API call's own error: n8n's "needs to be reconnected" for `invalid_grant`, or its OAuth2 client's
 * `ESTATUS: HTTP status 400` carrying the token endpoint's body (HubSpot's `{status: "BAD_REFRESH_TOKEN"}`,
 * Salesforce's `{error: "invalid_grant"}`). Retrying cannot help and the API request was not sent: the user must
 * reconnect the credential. (A token request whose connection failed is recognised by FunctionTransport in nodes/shared/n8nTransport.ts:
 * it is reported as not sent and retried.)
 */
import { CrmError } from '../../core/http/errors';

type ErrorLike = {
	message?: unknown;
	code?: unknown;
	status?: unknown;
	body?: unknown;
	cause?: unknown;
	failure?: { cause?: unknown };
};

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
 * The error to throw instead of `error` when it is n8n's refused OAuth2 renewal: an authentication error saying the
 * credential `credentialName` of `vendor` must be reconnected, not retried. Undefined for anything else.
 */
export function oauth2RenewalRefused(
	error: unknown,
	vendor: string,
	credentialName: string,
): CrmError | undefined {
	const reconnect = (detail: string, code: string) =>
		new CrmError(
			`${vendor} OAuth2: ${vendor} refused to renew the access token (${detail}) — the credential "${credentialName}" must be reconnected: open it in n8n and click "Reconnect" (the app may have been uninstalled or its access revoked). Nothing was sent to ${vendor} with it.`,
			{
				kind: 'authentication',
				retryable: false,
				crmCode: code,
				reachedServer: false,
				hint: `Reconnect the ${vendor} OAuth2 credential in n8n.`,
			},
		);
	for (const e of chainOf(error)) {
		if (
			e.failure?.cause === 'credential-invalid' ||
			(typeof e.message === 'string' && /needs to be reconnected/i.test(e.message))
		)
			return reconnect('invalid_grant', 'invalid_grant');
		const code = typeof e.code === 'string' ? e.code : undefined;
		if ((code === 'ESTATUS' || code === 'EAUTH') && e.body !== undefined) {
			const httpStatus = typeof e.status === 'number' ? e.status : undefined;
			// A token endpoint failing (5xx) is not a refusal: leave it to the retry policy.
			if (httpStatus !== undefined && httpStatus >= 500) return undefined;
			const body = parseBody(e.body);
			const status =
				typeof body?.status === 'string'
					? body.status
					: typeof body?.error === 'string'
						? body.error
						: undefined;
			const message =
				typeof body?.message === 'string'
					? body.message
					: typeof body?.error_description === 'string'
						? body.error_description
						: undefined;
			return reconnect(
				[status, message].filter(Boolean).join(': ') ||
					String(e.message ?? 'token request refused'),
				status ?? 'TOKEN_REFUSED',
			);
		}
	}
	return undefined;
}
