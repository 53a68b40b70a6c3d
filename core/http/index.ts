/**
 * The HTTP layer of the connector core: transports, auth providers, retry policy, rate budget, error taxonomy
 * and secret redaction, composed by `HttpClient`.
 */
export type {
	HttpMethod,
	HttpRequest,
	HttpResponse,
	RequestSummary,
	RetryReport,
	Transport,
} from './types';
export type {
	ExtractedCrmError,
	HttpDialect,
	RateHeaderReader,
	RateLimitInfo,
	ServerDelay,
} from './dialect';
export {
	abortedError,
	classifyHttpError,
	type ClassifyOptions,
	CRM_ERROR_KINDS,
	CrmError,
	type CrmErrorInit,
	type CrmErrorKind,
	asString,
	extractCrmError,
	answerLost,
	isCrmError,
	isRecord,
	isShortWindow,
	kindForStatus,
	rateLimitHint,
	SHORT_WINDOW_MAX_MS,
	toCrmError,
	tokenRequestError,
	transportError,
} from './errors';
export {
	clearRegisteredSecrets,
	isSensitiveName,
	isSensitiveParamName,
	MIN_SECRET_LENGTH,
	REDACTED,
	redactHeaders,
	redactString,
	redactUrl,
	redactValue,
	type RedactValueOptions,
	registeredSecretCount,
	registerSecret,
} from './redact';
export {
	getHeader,
	numberHeader,
	parseResetValue,
	parseRetryAfter,
	readRateLimitInfo,
	retryAfterFromHeaders,
	serverRequestedDelay,
} from './rateHeaders';
export { assertSecureUrl, buildQueryString, buildUrl, isLoopbackHost, resolveUrl } from './url';
export {
	AxiosTransport,
	type AxiosTransportOptions,
	decodeResponseBody,
	DEFAULT_USER_AGENT,
	encodeRequestBody,
	normalizeHeaders,
} from './transport';
export * from './auth';
export {
	defaultSleep,
	emptyRetryReport,
	isIdempotent,
	type JitterMode,
	type RetryDecision,
	type RetryEvent,
	type RetryHooks,
	type RetryOptions,
	RetryPolicy,
	safeToResend,
	UNSAFE_WRITE_NOTE,
} from './retry';
export {
	clearRateBudgets,
	getRateBudget,
	RateBudget,
	type RateBudgetLogger,
	type RateBudgetOptions,
	type RateBudgetStats,
	rateBudgetKey,
	UNKNOWN_RESET_PROBE_MS,
	type ScheduleOptions,
} from './rateLimiter';
export {
	closeSharedRateBudgets,
	configureSharedRateBudgets,
	RedisSharedWindow,
	SHARED_PAUSE_CHECK_MS,
	type SharedGate,
	type SharedWindowStats,
} from './sharedWindow';
export {
	describeSharedConfig,
	parseRedisUrl,
	SHARED_INFLIGHT_ALLOWANCE_MS,
	SHARED_KEY_PREFIX,
	SHARED_RETRY_AFTER_MS,
	sharedConfigFromEnv,
	type SharedConfigReading,
	type SharedRateConfig,
	type SharedRateOptions,
} from './sharedConfig';
export { type AcquireReply, SharedRedis } from './sharedRedis';
export {
	type ClassifyHook,
	type ClientResponse,
	HttpClient,
	type HttpClientOptions,
	type HttpClientStats,
	type HttpLogger,
} from './client';
