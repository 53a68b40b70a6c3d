/**
 * Parsing of rate-limit headers: `Retry-After` (and `Retry-After-Ms`), the common `X-RateLimit-*` and the IETF
 * `RateLimit-*` / `RateLimit` headers, plus whatever an API's own {@link RateHeaderReader} reads (its dialect).
 * Used by the error classifier, the retry policy and the rate budget, so all three read headers alike.
 */
import type { RateHeaderReader, RateLimitInfo, ServerDelay } from './dialect';

export type { RateHeaderReader, RateLimitInfo, ServerDelay } from './dialect';

/** Header lookup, case-insensitive (transports lower-case names, but callers may pass anything). */
export function getHeader(
	headers: Record<string, string> | undefined,
	name: string,
): string | undefined {
	if (!headers) return undefined;
	const direct = headers[name] ?? headers[name.toLowerCase()];
	if (direct !== undefined) return String(direct);
	const lower = name.toLowerCase();
	for (const [k, v] of Object.entries(headers)) if (k.toLowerCase() === lower) return String(v);
	return undefined;
}

function toNumber(value: string | undefined): number | undefined {
	if (value === undefined) return undefined;
	const trimmed = value.trim();
	if (!/^-?\d+(?:\.\d+)?$/.test(trimmed)) return undefined;
	return Number(trimmed);
}

/**
 * Parses a `Retry-After` value: delta-seconds (`"120"`, also fractional) or an HTTP-date.
 * Returns milliseconds from `now` (never negative), or undefined when absent/unparseable.
 */
export function parseRetryAfter(value: string | undefined, now: number): number | undefined {
	if (value === undefined || value.trim() === '') return undefined;
	const seconds = toNumber(value);
	if (seconds !== undefined) return Math.max(0, Math.ceil(seconds * 1000));
	const date = Date.parse(value);
	if (Number.isNaN(date)) return undefined;
	return Math.max(0, date - now);
}

/** The delay the server explicitly asks for with `Retry-After` (or `Retry-After-Ms`, or the dialect's own header). */
export function retryAfterFromHeaders(
	headers: Record<string, string> | undefined,
	now: number,
	reader?: RateHeaderReader,
): ServerDelay | undefined {
	const own = headers && reader ? reader(lowerCased(headers), now)?.retryAfter : undefined;
	if (own) return own;
	const ms = toNumber(getHeader(headers, 'retry-after-ms'));
	if (ms !== undefined && ms >= 0) return { delayMs: Math.ceil(ms), source: 'Retry-After-Ms' };
	const retryAfter = parseRetryAfter(getHeader(headers, 'retry-after'), now);
	if (retryAfter !== undefined) return { delayMs: retryAfter, source: 'Retry-After' };
	return undefined;
}

/**
 * Converts a reset header value to a delay: values that look like epoch seconds (or epoch milliseconds)
 * are taken as absolute times, smaller ones as delta seconds.
 */
export function parseResetValue(value: string | undefined, now: number): number | undefined {
	const n = toNumber(value);
	if (n === undefined || n < 0) return undefined;
	if (n > 1e12) return Math.max(0, Math.ceil(n - now)); // epoch milliseconds
	if (n > 1e9) return Math.max(0, Math.ceil(n * 1000 - now)); // epoch seconds
	return Math.ceil(n * 1000); // delta seconds
}

/** The headers with lower-case names (transports lower-case them already; callers may pass anything). */
function lowerCased(headers: Record<string, string>): Record<string, string> {
	if (Object.keys(headers).every((k) => k === k.toLowerCase())) return headers;
	const out: Record<string, string> = {};
	for (const [k, v] of Object.entries(headers)) out[k.toLowerCase()] = String(v);
	return out;
}

/** Reads a number from a header (undefined when absent or not a number); for {@link RateHeaderReader}s. */
export function numberHeader(
	headers: Record<string, string> | undefined,
	name: string,
): number | undefined {
	return toNumber(getHeader(headers, name));
}

function parseIetfRateLimit(
	value: string | undefined,
): { limit?: number; remaining?: number; reset?: number } | undefined {
	// draft-ietf-httpapi-ratelimit-headers: `RateLimit: limit=100, remaining=50, reset=5` (also `r=`, `t=`).
	if (!value) return undefined;
	const out: { limit?: number; remaining?: number; reset?: number } = {};
	for (const part of value.split(/[,;]/)) {
		const m = /^\s*([a-z]+)\s*=\s*(\d+(?:\.\d+)?)\s*$/i.exec(part);
		if (!m) continue;
		const key = m[1].toLowerCase();
		const n = Number(m[2]);
		if (key === 'limit' || key === 'l') out.limit = n;
		else if (key === 'remaining' || key === 'r') out.remaining = n;
		else if (key === 'reset' || key === 't') out.reset = n;
	}
	return out.remaining === undefined && out.reset === undefined ? undefined : out;
}

/**
 * Reads the rate-limit headers into one {@link RateLimitInfo}: the dialect's own headers first (what they say
 * wins), then the common `X-RateLimit-*`, `RateLimit-*` and IETF `RateLimit` headers.
 */
export function readRateLimitInfo(
	headers: Record<string, string> | undefined,
	now: number,
	reader?: RateHeaderReader,
): RateLimitInfo {
	const info: RateLimitInfo = {};
	if (!headers) return info;
	const own = reader?.(lowerCased(headers), now);
	if (own) {
		for (const [key, value] of Object.entries(own))
			if (key !== 'retryAfter' && value !== undefined) Object.assign(info, { [key]: value });
	}

	for (const [prefix, source] of [
		['x-ratelimit', 'X-RateLimit'],
		['ratelimit', 'RateLimit'],
	] as const) {
		if (info.remaining !== undefined) break;
		const remaining = toNumber(getHeader(headers, `${prefix}-remaining`));
		if (remaining === undefined) continue;
		info.remaining = remaining;
		info.limit = toNumber(getHeader(headers, `${prefix}-limit`));
		info.resetAfterMs = parseResetValue(getHeader(headers, `${prefix}-reset`), now);
		info.source = source;
	}
	if (info.remaining === undefined) {
		const ietf = parseIetfRateLimit(getHeader(headers, 'ratelimit'));
		if (ietf?.remaining !== undefined) {
			info.remaining = ietf.remaining;
			info.limit = ietf.limit;
			info.resetAfterMs = ietf.reset === undefined ? undefined : Math.ceil(ietf.reset * 1000);
			info.source = 'RateLimit';
		}
	}
	return info;
}

/**
 * The wait the server asks for before the next request: `Retry-After` when present; otherwise, when the
 * response is a 429 or says no requests remain, the time until the window resets. Undefined when the server
 * expressed no opinion.
 */
export function serverRequestedDelay(
	status: number | undefined,
	headers: Record<string, string> | undefined,
	now: number,
	reader?: RateHeaderReader,
): ServerDelay | undefined {
	const explicit = retryAfterFromHeaders(headers, now, reader);
	if (explicit) return explicit;
	const info = readRateLimitInfo(headers, now, reader);
	if ((status === 429 || info.remaining === 0) && info.resetAfterMs !== undefined) {
		return { delayMs: info.resetAfterMs, source: `${info.source ?? 'RateLimit'} reset` };
	}
	return undefined;
}
