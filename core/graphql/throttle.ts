/**
 * Rate limits that arrive inside a 2xx GraphQL answer rather than as HTTP 429: an error coded `RATE_LIMITED` (GitHub
 * puts it in `type`) or `THROTTLED` (Shopify) and no data. The server refused the whole request before running it,
 * so sending it again is safe, even for a mutation. How long to wait, in order: `Retry-After`, the rate-limit reset
 * headers (`X-RateLimit-Reset`, `RateLimit-Reset`), `extensions.retryAfter` (seconds) on the error, the cost budget
 * of `extensions.cost.throttleStatus` (points missing ÷ restore rate), else undefined (the caller backs off).
 */
import { serverRequestedDelay } from '../http/rateHeaders';
import { graphqlErrorCode, type GraphqlResult } from './errors';

const THROTTLE_CODES = new Set(['RATE_LIMITED', 'THROTTLED']);

/** A throttled answer: the server's message and the wait it asked for, if any. */
export interface GraphqlThrottle {
	message: string;
	code: string;
	delayMs?: number;
	/** Where the wait came from (`Retry-After`, `X-RateLimit reset`, `extensions.retryAfter`, `throttleStatus`). */
	source?: string;
}

function num(value: unknown): number | undefined {
	return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

/** The throttle a 2xx GraphQL answer reports, or undefined when it is not one. */
export function graphqlThrottle(
	body: GraphqlResult<unknown>,
	headers: Record<string, string>,
	now: number,
): GraphqlThrottle | undefined {
	const hit = (body.errors ?? []).find((e) => THROTTLE_CODES.has(graphqlErrorCode(e) ?? ''));
	if (!hit) return undefined;
	// Some data came back: the request ran (a field-level error), it was not refused as a whole.
	const data = body.data as Record<string, unknown> | null | undefined;
	if (data && Object.values(data).some((v) => v !== null && v !== undefined)) return undefined;
	const out: GraphqlThrottle = { message: hit.message, code: graphqlErrorCode(hit) as string };
	const fromHeaders = serverRequestedDelay(429, headers, now);
	if (fromHeaders) return { ...out, delayMs: fromHeaders.delayMs, source: fromHeaders.source };
	const retryAfter = num(hit.extensions?.retryAfter);
	if (retryAfter !== undefined)
		return { ...out, delayMs: Math.ceil(retryAfter * 1000), source: 'extensions.retryAfter' };
	const cost = body.extensions?.cost as
		| {
				requestedQueryCost?: unknown;
				throttleStatus?: { currentlyAvailable?: unknown; restoreRate?: unknown };
		  }
		| undefined;
	const requested = num(cost?.requestedQueryCost);
	const available = num(cost?.throttleStatus?.currentlyAvailable);
	const restore = num(cost?.throttleStatus?.restoreRate);
	if (requested !== undefined && available !== undefined && restore !== undefined && restore > 0) {
		const seconds = Math.max(0, requested - available) / restore;
		return { ...out, delayMs: Math.ceil(seconds * 1000), source: 'throttleStatus' };
	}
	return out;
}
