/**
 * HubSpot's error bodies and rate-limit headers, for the core `HttpClient`: `{ status: 'error', message, category,
 * correlationId, errors: [{ context: { propertyName } }] }` bodies, the `RATE_LIMITS` category and the
 * `X-HubSpot-RateLimit-*` headers (remaining / max / interval of the rolling window, daily remaining).
 * Which 429 policy was hit and how long to wait for it is the classify hook's part (errors.ts).
 */
import type { ExtractedCrmError, HttpDialect, RateHeaderReader } from '../../http/dialect';
import { asString, isRecord } from '../../http/errors';
import { numberHeader } from '../../http/rateHeaders';

function extractError(body: unknown): ExtractedCrmError | undefined {
	if (!isRecord(body) || body.status !== 'error') return undefined;
	if (body.category === undefined && body.correlationId === undefined) return undefined;
	const errors = Array.isArray(body.errors) ? body.errors.filter(isRecord) : [];
	const fields = errors
		.map((e) =>
			isRecord(e.context) ? (e.context.propertyName ?? e.context.properties) : undefined,
		)
		.flat()
		.filter((f): f is string => typeof f === 'string');
	return {
		code: asString(body.category) ?? asString(body.subCategory),
		message: asString(body.message) ?? asString(errors[0]?.message),
		fields: fields.length ? [...new Set(fields)] : undefined,
		correlationId: asString(body.correlationId),
		body,
	};
}

/**
 * `X-HubSpot-RateLimit-Remaining` / `-Max` / `-Interval-Milliseconds` (the length of HubSpot's rolling window: the
 * worst-case time until a slot frees, which the budget shortens by its own oldest request) and
 * `X-HubSpot-RateLimit-Daily-Remaining`.
 */
export const hubspotRateHeaders: RateHeaderReader = (headers) => {
	const remaining = numberHeader(headers, 'x-hubspot-ratelimit-remaining');
	const dailyRemaining = numberHeader(headers, 'x-hubspot-ratelimit-daily-remaining');
	if (remaining === undefined && dailyRemaining === undefined) return undefined;
	return {
		...(remaining !== undefined
			? {
					remaining,
					limit: numberHeader(headers, 'x-hubspot-ratelimit-max'),
					resetAfterMs: numberHeader(headers, 'x-hubspot-ratelimit-interval-milliseconds'),
					rolling: true,
					source: 'HubSpot',
				}
			: {}),
		...(dailyRemaining !== undefined ? { dailyRemaining, dailySource: 'HubSpot' } : {}),
	};
};

/** HubSpot's conventions, to pass as `HttpClientOptions.dialect`. */
export const hubspotDialect: HttpDialect = {
	name: 'HubSpot',
	extractError,
	isRateLimited: (error) => error.code === 'RATE_LIMITS',
	rateHeaders: hubspotRateHeaders,
};
