/**
 * Dataverse (Dynamics 365 Web API, OData v4) error bodies and rate-limit headers, for the core `HttpClient`:
 * `{ error: { code, message, innererror } }` bodies (OData v3 puts the message in `{ lang, value }`), the
 * service-protection codes that mean "rate limited" whatever the status, and the
 * `x-ms-ratelimit-burst-remaining-xrm-requests` / `x-ms-retry-after-ms` headers.
 */
import type { ExtractedCrmError, HttpDialect, RateHeaderReader } from '../../http/dialect';
import { asString, isRecord } from '../../http/errors';
import { numberHeader } from '../../http/rateHeaders';

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

/** Dataverse's conventions, to pass as `HttpClientOptions.dialect`. */
export const dataverseDialect: HttpDialect = {
	name: 'Dataverse',
	extractError,
	isRateLimited: (error) => error.code !== undefined && DATAVERSE_RATE_LIMIT_CODES.has(error.code),
	rateHeaders: dataverseRateHeaders,
};
