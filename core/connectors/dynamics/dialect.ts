/**
 * Dataverse (Dynamics 365 Web API, OData v4) error bodies and rate-limit headers, for the core `HttpClient`:
 * `{ error: { code, message, innererror } }` bodies (OData v3 puts the message in `{ lang, value }`), the
 * service-protection codes that mean "rate limited" whatever the status, and the
 * `x-ms-ratelimit-burst-remaining-xrm-requests` / `x-ms-ratelimit-time-remaining-xrm-requests` /
 * `x-ms-retry-after-ms` headers. {@link createDataverseDialect} gives each client a reader that also paces under the
 * execution-time limit.
 */
import type { ExtractedCrmError, HttpDialect, RateHeaderReader } from '../../http/dialect';
import { asString, isRecord } from '../../http/errors';
import { numberHeader } from '../../http/rateHeaders';
import { DEFAULT_WRITE_CONCURRENCY } from './batchPool';

/** Service-protection limits: requests, execution time, concurrent requests (per 5-minute window). */
export const DATAVERSE_RATE_LIMIT_CODES: ReadonlySet<string> = new Set([
	'0x80072322',
	'0x80072321',
	'0x80072326',
]);

/** OData v3 puts the message in `{lang, value}`. */
function odataMessage(v: unknown): string | undefined {
	if (isRecord(v)) return asString(v.value);
	return asString(v);
}

function extractError(body: unknown): ExtractedCrmError | undefined {
	if (!isRecord(body) || !isRecord(body.error)) return undefined;
	const e = body.error;
	const inner = isRecord(e.innererror) ? e.innererror : undefined;
	return {
		code: asString(e.code) ?? asString(e.status),
		message: odataMessage(e.message) ?? asString(inner?.message),
		correlationId: asString(e['request-id']) ?? asString(e.requestId),
		body,
	};
}

/** The burst allowance left (`x-ms-ratelimit-burst-remaining-xrm-requests`) and `x-ms-retry-after-ms`. */
export const dataverseRateHeaders: RateHeaderReader = (headers) => {
	const burst = numberHeader(headers, 'x-ms-ratelimit-burst-remaining-xrm-requests');
	const retryMs = numberHeader(headers, 'x-ms-retry-after-ms');
	if (burst === undefined && (retryMs === undefined || retryMs < 0)) return undefined;
	return {
		...(burst !== undefined ? { remaining: burst, source: 'Dataverse' } : {}),
		...(retryMs !== undefined && retryMs >= 0
			? { retryAfter: { delayMs: Math.ceil(retryMs), source: 'Retry-After-Ms' } }
			: {}),
	};
};

/** `x-ms-ratelimit-time-remaining-xrm-requests` in ms: Dataverse writes it grouped, `1,199,600.00`. */
export function executionTimeRemaining(headers: Record<string, string>): number | undefined {
	const raw = headers['x-ms-ratelimit-time-remaining-xrm-requests'];
	if (raw === undefined) return undefined;
	const text = String(raw).trim().replace(/,/g, '');
	return /^\d+(\.\d+)?$/.test(text) ? Number(text) : undefined;
}

/**
 * Share of the execution-time allowance one request is assumed to use: 1/20 (60 s of Dataverse's 1,200 s per 5
 * minutes, i.e. a `$batch` of 1,000 operations at 60 ms each). The header gives the time left when the request
 * *arrived*, before its own cost, so the reader holds once less than a share is left.
 */
export const DATAVERSE_EXECUTION_SHARES = 20;

/**
 * Shares the pacer keeps in reserve: one per `$batch` a write keeps in flight ({@link DEFAULT_WRITE_CONCURRENCY}) —
 * Dataverse books a request's execution time when it completes, so the header does not show what the batches still
 * running will use — plus one for the request being sent. With fewer, the batches in flight at the turn of the window
 * overshoot the limit and are refused with a `Retry-After` of minutes.
 */
export const DATAVERSE_PACER_RESERVE_SHARES = DEFAULT_WRITE_CONCURRENCY + 1;

/**
 * A reader of Dataverse's headers that also paces under the execution-time limit (`0x80072321`): when
 * `x-ms-ratelimit-time-remaining-xrm-requests` falls below {@link DATAVERSE_PACER_RESERVE_SHARES} shares (of
 * {@link DATAVERSE_EXECUTION_SHARES}) of the largest value it has seen (the window's allowance, as far as this client knows), it reports 0 requests remaining.
 * The rate budget then holds until its own oldest request leaves the sliding window — the execution time that request
 * used frees with it — instead of sending batches into 429s whose `Retry-After` can last minutes. Stateful (the
 * largest value seen): one per client, from {@link createDataverseDialect}.
 */
export function dataverseExecutionPacer(): RateHeaderReader {
	let allowance = 0;
	return (headers, now) => {
		const read = dataverseRateHeaders(headers, now);
		const left = executionTimeRemaining(headers);
		if (left === undefined) return read;
		allowance = Math.max(allowance, left);
		if (left >= (allowance * DATAVERSE_PACER_RESERVE_SHARES) / DATAVERSE_EXECUTION_SHARES)
			return read;
		return { ...read, remaining: 0, source: 'Dataverse execution time' };
	};
}

/** Dataverse's conventions with a reader of its own that paces under the execution-time limit (one per client). */
export function createDataverseDialect(): HttpDialect {
	return { ...dataverseDialect, rateHeaders: dataverseExecutionPacer() };
}

/** Dataverse's conventions, to pass as `HttpClientOptions.dialect`. */
export const dataverseDialect: HttpDialect = {
	name: 'Dataverse',
	extractError,
	isRateLimited: (error) => error.code !== undefined && DATAVERSE_RATE_LIMIT_CODES.has(error.code),
	rateHeaders: dataverseRateHeaders,
};
