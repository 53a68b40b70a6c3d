/**
 * What one API says differently: the hooks a connector gives the HTTP layer so that the layer itself knows no
 * vendor. Without a dialect the layer reads what most APIs share: the HTTP status, `Retry-After`, the IETF
 * `RateLimit-*` and common `X-RateLimit-*` headers, and JSON `message` / `error` / `error_description` /
 * `{ error: { code, message } }` / `errors[]` bodies.
 */
import type { HttpResponse } from './types';

/** What an error body says: the API's own code and message, and what else it names. */
export interface ExtractedCrmError {
	code?: string;
	message?: string;
	/** Fields the API blamed for the error. */
	fields?: string[];
	/** A support reference the API returned (request or correlation id). */
	correlationId?: string;
	/** Number of further errors in the body beyond the first. */
	more?: number;
	/** The parsed body (unredacted here; redacted when put on a CrmError). */
	body?: unknown;
}

/** Where a server-requested delay came from, for reports and messages. */
export interface ServerDelay {
	delayMs: number;
	/** The header that asked for it, e.g. `Retry-After`. */
	source: string;
}

/** What a response's headers say about the remaining budget. All fields optional: APIs send different subsets. */
export interface RateLimitInfo {
	/** Requests left in the current window. */
	remaining?: number;
	/** Size of the window's allowance. */
	limit?: number;
	/** Milliseconds until the window resets (exact, or the window length as a worst case). */
	resetAfterMs?: number;
	/**
	 * `resetAfterMs` is the length of a ROLLING window (what the API's header gives), not the time to a reset: a slot
	 * frees as soon as the window's oldest request leaves it, which the budget bounds by its own requests.
	 */
	rolling?: boolean;
	/** Usage of a daily (or other long-window) allocation. */
	daily?: { used: number; limit: number };
	/** Requests left of a daily allocation. */
	dailyRemaining?: number;
	/** Who counts the daily allocation, for messages (e.g. the API's name); default none. */
	dailySource?: string;
	/** The header family that supplied `remaining`, e.g. `X-RateLimit`. */
	source?: string;
}

/**
 * Reads an API's own rate-limit headers (names are lower-case). What it returns wins over the generic reading;
 * `retryAfter` is an explicit wait the API asks for in a header of its own.
 */
export type RateHeaderReader = (
	headers: Record<string, string>,
	now: number,
) => (RateLimitInfo & { retryAfter?: ServerDelay }) | undefined;

/** The error-body and rate-limit conventions of one API. Every hook is optional. */
export interface HttpDialect {
	/** For messages, e.g. `Acme CRM`. */
	name: string;
	/** The code and message of an error body (already decoded from JSON); undefined: use the generic reading. */
	extractError?(body: unknown): ExtractedCrmError | undefined;
	/** Whether a response is a rate limit whatever its status (e.g. a 403 with the API's rate-limit code). */
	isRateLimited?(error: ExtractedCrmError, response: HttpResponse): boolean;
	/**
	 * For a rate-limited response: when it hit a long-window (e.g. daily) allocation that a retry within seconds
	 * cannot fix, the hint to give the user (the error is then not retried); undefined otherwise. `delay` is the
	 * wait the server asked for, if any.
	 */
	longWindowHint?(
		error: ExtractedCrmError,
		response: HttpResponse,
		delay: ServerDelay | undefined,
	): string | undefined;
	/** Reads the API's own rate-limit headers. */
	rateHeaders?: RateHeaderReader;
}
