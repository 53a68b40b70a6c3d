/**
 * HubSpot-specific error classification, plugged into the core `HttpClient` as its `classify` hook:
 * 429s are told apart by `policyName` (the 10-second rolling limit, search's per-second limit, the daily limit),
 * and the wait before a retry is chosen per policy instead of the client's fixed 10 s.
 */
import type { ClassifyHook } from '../../http/client';
import type { CrmError } from '../../http/errors';
import { getHeader } from '../../http/rateHeaders';
import type { HttpResponse } from '../../http/types';
import type { HubSpotErrorBody } from './types';

/** Options of {@link hubspotClassifier}. */
export interface HubSpotClassifierOptions {
	/** First wait after a 10-second-window 429 (doubles per consecutive 429, capped by the window). Default 1000 ms. */
	rateLimitBackoffMs?: number;
	/** Wait after a per-second (search) 429. Default 1000 ms. */
	secondlyWaitMs?: number;
}

function parseBody(body: unknown): Partial<HubSpotErrorBody> | undefined {
	if (typeof body === 'string') {
		try {
			return JSON.parse(body) as Partial<HubSpotErrorBody>;
		} catch {
			return undefined;
		}
	}
	return body && typeof body === 'object' ? (body as Partial<HubSpotErrorBody>) : undefined;
}

/** Which HubSpot limit a 429 hit: `TEN_SECONDLY_ROLLING`, `SECONDLY`, `DAILY`, or undefined. */
export function hubspotRateLimitPolicy(
	response: Pick<HttpResponse, 'status' | 'body' | 'headers'>,
): string | undefined {
	if (response.status !== 429) return undefined;
	const body = parseBody(response.body);
	if (typeof body?.policyName === 'string') return body.policyName;
	if (typeof body?.message === 'string' && /secondly limit/i.test(body.message)) return 'SECONDLY';
	if (getHeader(response.headers, 'x-hubspot-ratelimit-daily-remaining') === '0') return 'DAILY';
	return undefined;
}

/**
 * A classify hook for HubSpot. A request's consecutive 429s of the 10-second window back off 1 s, 2 s, 4 s … (never more
 * than the window; HubSpot counts over a rolling window, so capacity returns gradually, and the shared budget
 * pauses every caller of the credential for that wait); a per-second 429 waits one second; the daily limit is not
 * retried (it resets at midnight in the account's time zone). `@hubspot/api-client` instead waits a fixed 10 s ×
 * attempt.
 */
export function hubspotClassifier(options: HubSpotClassifierOptions = {}): ClassifyHook {
	return (
		response: HttpResponse,
		_request,
		error: CrmError,
		context?: { attempt: number },
	): CrmError | undefined => {
		if (response.status !== 429) return undefined;
		const policy = hubspotRateLimitPolicy(response);
		if (policy === 'DAILY') {
			return error.with({
				retryable: false,
				hint: "The HubSpot account has used its daily API call limit; it resets at midnight in the account's time zone. Lower the volume or raise the limit (API add-on).",
			});
		}
		if (policy === 'SECONDLY') {
			return error.with({
				retryAfterMs: options.secondlyWaitMs ?? 1000,
				hint: "HubSpot's per-second limit (SECONDLY, e.g. 5 search requests per second) was reached — not the daily limit. The request waits a second and is sent again; lower the rate of searches if it keeps happening.",
			});
		}
		const interval =
			Number(getHeader(response.headers, 'x-hubspot-ratelimit-interval-milliseconds')) || 10_000;
		const base = options.rateLimitBackoffMs ?? 1000;
		const attempt = Math.max(1, context?.attempt ?? 1);
		return error.with({
			retryAfterMs: Math.min(interval, base * 2 ** Math.min(attempt - 1, 10)),
			hint: `HubSpot's rolling ${Math.round(interval / 1000)}-second limit${policy ? ` (${policy})` : ''} was reached — not the daily limit. Requests wait and are sent again; if it keeps happening, lower the batch size or run fewer workflows on this HubSpot account at once.`,
		});
	};
}
