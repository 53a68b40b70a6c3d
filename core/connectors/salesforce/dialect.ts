/**
 * Salesforce's error bodies and rate-limit headers, for the core `HttpClient`: `[{ message, errorCode, fields }]`
 * bodies, `REQUEST_LIMIT_EXCEEDED` (a 403 that is a rate limit), the rolling 24-hour org allocation
 * ("TotalRequests Limit exceeded", sent without `Retry-After`) and `Sforce-Limit-Info: api-usage=used/limit`.
 */
import type { ExtractedCrmError, HttpDialect, RateHeaderReader } from '../../http/dialect';
import { asString, isRecord, isShortWindow } from '../../http/errors';
import { getHeader } from '../../http/rateHeaders';

/** The code Salesforce uses when a request limit (daily allocation or concurrency) is hit. */
const REQUEST_LIMIT = 'REQUEST_LIMIT_EXCEEDED';

/** `[{ message, errorCode, fields }]`: the first error, the fields it blames, how many more. */
function extractError(body: unknown): ExtractedCrmError | undefined {
	if (!Array.isArray(body)) return undefined;
	const first = body.find(isRecord);
	if (!first) return undefined;
	return {
		code: asString(first.errorCode) ?? asString(first.code),
		message: asString(first.message),
		fields: Array.isArray(first.fields) ? first.fields.map(String) : undefined,
		more: body.length > 1 ? body.length - 1 : undefined,
		body,
	};
}

function bodyText(body: unknown): string {
	return typeof body === 'string' ? body : '';
}

/** `Sforce-Limit-Info: api-usage=12500/15000`: the org's daily usage. */
export const salesforceRateHeaders: RateHeaderReader = (headers) => {
	const value = getHeader(headers, 'sforce-limit-info');
	const m = value ? /api-usage\s*=\s*(\d+)\s*\/\s*(\d+)/i.exec(value) : null;
	return m
		? { daily: { used: Number(m[1]), limit: Number(m[2]) }, dailySource: 'Salesforce' }
		: undefined;
};

/** Salesforce's conventions, to pass as `HttpClientOptions.dialect`. */
export const salesforceDialect: HttpDialect = {
	name: 'Salesforce',
	extractError,
	isRateLimited: (error, response) =>
		error.code === REQUEST_LIMIT || bodyText(response.body).includes(REQUEST_LIMIT),
	// The rolling 24-hour org limit: retrying within seconds cannot succeed. When the server asks for a short wait,
	// it says the limit is a short-window one, whatever the text: the wait is honoured, the daily limit not claimed.
	longWindowHint: (error, response, delay) =>
		/TotalRequests Limit exceeded/i.test(error.message ?? bodyText(response.body)) &&
		!isShortWindow(delay?.delayMs)
			? 'The daily API request limit of the org is used up; it frees up over the rolling 24-hour window.'
			: undefined,
	rateHeaders: salesforceRateHeaders,
};
