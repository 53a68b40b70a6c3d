/**
 * The error taxonomy of the connector core. Every failure of an HTTP call — a non-2xx response, a network
 * failure, a token-endpoint refusal — becomes one `CrmError` with a `kind` that tells callers what to do
 * (retry, refresh credentials, fix input, give up) and a message that names the CRM's own code and text.
 * All text and data on a `CrmError` are redacted on construction and again on serialisation.
 */
import { inspect } from 'node:util';
import { redactHeaders, redactString, redactUrl, redactValue } from './redact';
import type { ExtractedCrmError, HttpDialect, ServerDelay } from './dialect';
import { serverRequestedDelay } from './rateHeaders';
import type { HttpResponse, RequestSummary, RetryReport } from './types';

export type { ExtractedCrmError } from './dialect';

/** What went wrong, as far as the caller's next step is concerned. */
export type CrmErrorKind =
	| 'authentication'
	| 'permission'
	| 'notFound'
	| 'validation'
	| 'conflict'
	| 'rateLimited'
	| 'transient'
	| 'fatal';

/** Every kind, for iteration and validation. */
export const CRM_ERROR_KINDS: readonly CrmErrorKind[] = [
	'authentication',
	'permission',
	'notFound',
	'validation',
	'conflict',
	'rateLimited',
	'transient',
	'fatal',
];

/** Fields of a {@link CrmError}; all optional except `kind`. */
export interface CrmErrorInit {
	kind: CrmErrorKind;
	/** HTTP status, when a response was received. */
	status?: number;
	/** The CRM's own error code (e.g. `INVALID_FIELD`, `VALIDATION_ERROR`, `invalid_grant`). */
	crmCode?: string;
	/** The CRM's own error text. */
	crmMessage?: string;
	/** How long the server asked the caller to wait, in ms. */
	retryAfterMs?: number;
	/** Structured extra data (e.g. the parsed error body); redacted. */
	details?: unknown;
	/** The request that failed (URL redacted). */
	request?: RequestSummary;
	/** Requests sent for this logical call (set by the retry policy). */
	attempts?: number;
	/**
	 * For network failures: `false` when the request provably never reached the server (safe to resend even a
	 * non-idempotent write), `true` when it may have been processed. Undefined for HTTP responses.
	 */
	reachedServer?: boolean;
	/** Explicit retry verdict overriding the kind-based default (e.g. a daily quota that a retry cannot fix). */
	retryable?: boolean;
	/** Response headers (redacted), so retry/backoff logic can read rate-limit headers. */
	responseHeaders?: Record<string, string>;
	/** Node/axios network error code (`ECONNREFUSED`, `ETIMEDOUT`, …). */
	networkCode?: string;
	/** What the retry policy did before giving up. */
	retry?: RetryReport;
	/** A short, actionable suggestion for the user. */
	hint?: string;
}

/** The single error type thrown by the HTTP layer. Its text never contains a secret. */
export class CrmError extends Error {
	readonly kind: CrmErrorKind;
	readonly status?: number;
	readonly crmCode?: string;
	readonly crmMessage?: string;
	readonly retryAfterMs?: number;
	readonly details?: unknown;
	readonly request?: RequestSummary;
	attempts?: number;
	readonly reachedServer?: boolean;
	readonly retryable?: boolean;
	readonly responseHeaders?: Record<string, string>;
	readonly networkCode?: string;
	retry?: RetryReport;
	readonly hint?: string;

	constructor(message: string, init: CrmErrorInit) {
		super(redactString(message));
		Object.defineProperty(this, 'name', {
			value: 'CrmError',
			enumerable: false,
			configurable: true,
			writable: true,
		});
		this.kind = init.kind;
		if (init.status !== undefined) this.status = init.status;
		if (init.crmCode !== undefined) this.crmCode = redactString(init.crmCode);
		if (init.crmMessage !== undefined) this.crmMessage = redactString(init.crmMessage);
		if (init.retryAfterMs !== undefined) this.retryAfterMs = init.retryAfterMs;
		if (init.details !== undefined)
			this.details = redactValue(init.details, { maxStringLength: 4000 });
		if (init.request)
			this.request = { method: init.request.method, url: redactUrl(init.request.url) };
		if (init.attempts !== undefined) this.attempts = init.attempts;
		if (init.reachedServer !== undefined) this.reachedServer = init.reachedServer;
		if (init.retryable !== undefined) this.retryable = init.retryable;
		if (init.responseHeaders) this.responseHeaders = redactHeaders(init.responseHeaders);
		if (init.networkCode !== undefined) this.networkCode = init.networkCode;
		if (init.retry) this.retry = cloneReport(init.retry);
		if (init.hint !== undefined) this.hint = redactString(init.hint);
	}

	/** Appends a note to the message (and the stack's first line), e.g. why a retry was not attempted. */
	addNote(note: string): this {
		const clean = redactString(note);
		const old = this.message;
		const header = `${this.name}: ${old}`;
		// Read the stack before changing the message: V8 formats it lazily, from the current message.
		const stack = this.stack;
		this.message = `${old} — ${clean}`;
		if (stack?.startsWith(header))
			this.stack = `${this.name}: ${this.message}${stack.slice(header.length)}`;
		return this;
	}

	/** A copy with some fields changed; the message is kept unless `changes.message` is given. */
	with(changes: Partial<CrmErrorInit> & { message?: string }): CrmError {
		const { message, ...init } = changes;
		const copy = new CrmError(message ?? this.message, {
			kind: this.kind,
			status: this.status,
			crmCode: this.crmCode,
			crmMessage: this.crmMessage,
			retryAfterMs: this.retryAfterMs,
			details: this.details,
			request: this.request,
			attempts: this.attempts,
			reachedServer: this.reachedServer,
			retryable: this.retryable,
			responseHeaders: this.responseHeaders,
			networkCode: this.networkCode,
			retry: this.retry,
			hint: this.hint,
			...init,
		});
		return copy;
	}

	/** Plain, redacted data: safe to log, to put into an n8n item or to send anywhere. */
	toJSON(): Record<string, unknown> {
		const out: Record<string, unknown> = {
			name: this.name,
			kind: this.kind,
			message: this.message,
		};
		const optional: Array<Exclude<keyof CrmErrorInit, 'kind' | 'responseHeaders'>> = [
			'status',
			'crmCode',
			'crmMessage',
			'hint',
			'retryAfterMs',
			'request',
			'attempts',
			'reachedServer',
			'retryable',
			'networkCode',
			'retry',
			'details',
		];
		for (const key of optional) if (this[key] !== undefined) out[key] = this[key];
		// Redact again: a secret registered after this error was built is masked too.
		return redactValue(out, { maxStringLength: 4000 });
	}

	/** `util.inspect` / `console.log` view: the redacted stack plus the redacted fields. */
	[inspect.custom](_depth: number, options: object): string {
		const fields: Record<string, unknown> = this.toJSON();
		delete fields.name;
		delete fields.message;
		return redactString(
			`${this.stack ?? `${this.name}: ${this.message}`} ${inspect(fields, options)}`,
		);
	}

	override toString(): string {
		return redactString(`${this.name}: ${this.message}`);
	}
}

/** Whether a value is a {@link CrmError} (also across module copies). */
export function isCrmError(value: unknown): value is CrmError {
	return (
		value instanceof CrmError ||
		(value instanceof Error && value.name === 'CrmError' && 'kind' in value)
	);
}

/**
 * Whether a failed request's answer was lost after it may have been applied: a transient failure that may have
 * reached the server (timeout, connection lost, gateway error), or a success status whose body could not be read. A
 * refusal by the API, or a request that provably never left, was not applied.
 */
export function answerLost(e: unknown): boolean {
	if (!isCrmError(e) || e.reachedServer === false) return false;
	if (e.kind === 'transient') return true;
	return e.kind === 'fatal' && e.status !== undefined && e.status >= 200 && e.status < 300;
}

function cloneReport(r: RetryReport): RetryReport {
	return {
		attempts: r.attempts,
		waitsMs: [...r.waitsMs],
		totalWaitMs: r.totalWaitMs,
		reasons: r.reasons.map(redactString),
	};
}

const STATUS_TEXT: Record<number, string> = {
	400: 'Bad Request',
	401: 'Unauthorized',
	403: 'Forbidden',
	404: 'Not Found',
	405: 'Method Not Allowed',
	406: 'Not Acceptable',
	408: 'Request Timeout',
	409: 'Conflict',
	410: 'Gone',
	412: 'Precondition Failed',
	413: 'Payload Too Large',
	414: 'URI Too Long',
	415: 'Unsupported Media Type',
	422: 'Unprocessable Entity',
	423: 'Locked',
	429: 'Too Many Requests',
	500: 'Internal Server Error',
	501: 'Not Implemented',
	502: 'Bad Gateway',
	503: 'Service Unavailable',
	504: 'Gateway Timeout',
};

/** The kind a bare HTTP status maps to (before looking at the body). */
export function kindForStatus(status: number): CrmErrorKind {
	if (status === 401) return 'authentication';
	if (status === 403) return 'permission';
	if (status === 404 || status === 410) return 'notFound';
	if (
		status === 400 ||
		status === 422 ||
		status === 405 ||
		status === 406 ||
		status === 413 ||
		status === 414 ||
		status === 415
	)
		return 'validation';
	if (status === 409 || status === 412 || status === 423) return 'conflict';
	if (status === 429) return 'rateLimited';
	if (status === 408 || status >= 500) return 'transient';
	return 'fatal';
}

const HINTS: Partial<Record<CrmErrorKind, string>> = {
	authentication:
		'Check the credential (expired or revoked token, wrong client secret or password) and reconnect it.',
	permission:
		'The credential is valid but lacks access: grant the user/app the needed permission or scope.',
	notFound: 'Check the record ID, object name and API path/version.',
	rateLimited:
		'The API rate limit was reached: lower the request rate or batch size, or wait for the limit window to reset.',
	transient: 'A temporary server or network problem: retrying later usually succeeds.',
};

/** A non-empty string (or a number as text) from a body field; for dialects. */
export function asString(v: unknown): string | undefined {
	if (typeof v === 'string') return v.trim() || undefined;
	if (typeof v === 'number') return String(v);
	return undefined;
}

/** Whether a body value is a JSON object; for dialects. */
export function isRecord(v: unknown): v is Record<string, unknown> {
	return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function decodeBody(body: unknown): unknown {
	if (Buffer.isBuffer(body)) body = body.toString('utf8');
	else if (body instanceof ArrayBuffer) body = Buffer.from(body).toString('utf8');
	if (typeof body === 'string') {
		const trimmed = body.trim();
		if (
			(trimmed.startsWith('{') && trimmed.endsWith('}')) ||
			(trimmed.startsWith('[') && trimmed.endsWith(']'))
		) {
			try {
				return JSON.parse(trimmed);
			} catch {
				return trimmed;
			}
		}
		return trimmed;
	}
	return body;
}

function textFromHtml(html: string): string {
	const title = /<title[^>]*>([\s\S]*?)<\/title>/i.exec(html)?.[1];
	const text = (
		title ?? html.replace(/<(script|style)[\s\S]*?<\/\1>/gi, ' ').replace(/<[^>]+>/g, ' ')
	)
		.replace(/&nbsp;/g, ' ')
		.replace(/&amp;/g, '&')
		.replace(/&lt;/g, '<')
		.replace(/&gt;/g, '>')
		.replace(/\s+/g, ' ')
		.trim();
	return text;
}

function truncate(s: string, max: number): string {
	return s.length > max ? `${s.slice(0, max)}…` : s;
}

/**
 * Finds the API's error code and message in a response body: the dialect's reading first, then the generic
 * shapes — `{ error: { code, message } }`, OAuth 2.0, GraphQL `errors[]`, RFC 7807, `{ code?, message }`, an
 * array of such objects, HTML error pages and plain text.
 */
export function extractCrmError(rawBody: unknown, dialect?: HttpDialect): ExtractedCrmError {
	const body = decodeBody(rawBody);
	if (body === undefined || body === null || body === '') return {};
	const own = dialect?.extractError?.(body);
	if (own) return own;

	if (typeof body === 'string') {
		const text = /^\s*</.test(body) ? textFromHtml(body) : body;
		return { message: truncate(text, 500) || undefined, body: truncate(body, 2000) };
	}

	// An array of error objects: the first one, and how many more.
	if (Array.isArray(body)) {
		const first = body.find(isRecord);
		if (!first) return { body };
		const one = extractCrmError(first);
		return {
			code: one.code,
			message: one.message,
			more: body.length > 1 ? body.length - 1 : undefined,
			body,
		};
	}
	if (!isRecord(body)) return { message: String(body), body };

	// A nested error object, as many JSON APIs send it: { error: { code, message } }
	if (isRecord(body.error)) {
		const e = body.error;
		return {
			code: asString(e.code) ?? asString(e.status),
			message: asString(e.message),
			correlationId: asString(e['request-id']) ?? asString(e.requestId),
			body,
		};
	}

	// OAuth 2.0: { error, error_description }
	if (
		typeof body.error === 'string' &&
		(body.error_description !== undefined || /^[a-z_]+$/.test(body.error))
	) {
		return {
			code: body.error,
			message: asString(body.error_description) ?? asString(body.message),
			body,
		};
	}

	// GraphQL and similar: { errors: [{ message, extensions: { code } }] }
	if (Array.isArray(body.errors) && body.errors.length && body.message === undefined) {
		const first = body.errors.find(isRecord);
		if (first) {
			const ext = isRecord(first.extensions) ? first.extensions : undefined;
			return {
				code: asString(ext?.code) ?? asString(first.code) ?? asString(first.errorCode),
				message: asString(first.message),
				more: body.errors.length > 1 ? body.errors.length - 1 : undefined,
				body,
			};
		}
	}

	// Generic: { code?, message } / { error: '...' } / RFC 7807 { title, detail } / { errorMessage }
	const code =
		asString(body.errorCode) ??
		asString(body.error_code) ??
		asString(body.code) ??
		(typeof body.error === 'string' &&
		/^[A-Za-z0-9_.-]+$/.test(body.error) &&
		body.message !== undefined
			? body.error
			: undefined);
	const message =
		asString(body.message) ??
		asString(body.detail) ??
		asString(body.error_description) ??
		asString(body.errorMessage) ??
		asString(body.error_message) ??
		asString(body.error) ??
		asString(body.title) ??
		(isRecord(body.fault) ? asString(body.fault.faultstring) : undefined);
	return {
		code: code === message ? undefined : code,
		message,
		correlationId: asString(body.correlationId),
		body,
	};
}

/** Codes that mean "rate limited" whatever the status, in any API; a dialect adds its own. */
const RATE_LIMIT_CODES = new Set(['TooManyRequests']);

/**
 * Waits up to this long mean a short-window rate limit (per second, per 10 s, per minute, per 5 minutes …);
 * longer ones, or none at all, a daily or other long-window allocation.
 */
export const SHORT_WINDOW_MAX_MS = 15 * 60_000;

/** Whether a server-requested wait is that of a short-window limit (undefined: the server did not say). */
export function isShortWindow(delayMs: number | undefined): boolean {
	return delayMs !== undefined && delayMs <= SHORT_WINDOW_MAX_MS;
}

/** The hint of a rate-limited response, naming the wait the server asked for (and so the kind of limit). */
export function rateLimitHint(delay: { delayMs: number; source: string } | undefined): string {
	if (!delay) return HINTS.rateLimited as string;
	const wait =
		delay.delayMs < 1000 ? `${delay.delayMs} ms` : `${Math.round(delay.delayMs / 100) / 10} s`;
	if (isShortWindow(delay.delayMs)) {
		return `A short-window API rate limit was reached: the server asked to wait ${wait} (${delay.source}) — not the daily limit. Wait and send again; if it keeps happening, lower the request rate or the batch size.`;
	}
	return `The API rate limit was reached and the server asked to wait ${wait} (${delay.source}), a long-window (e.g. daily) limit: try again after that, or lower the volume.`;
}

/** Options of {@link classifyHttpError}. */
export interface ClassifyOptions {
	/** Clock for HTTP-date `Retry-After` values. */
	now?: () => number;
	/** The API's error-body and rate-limit conventions. Default: the generic reading only. */
	dialect?: HttpDialect;
}

/**
 * Maps a non-2xx response to a {@link CrmError}: status → kind (with body-based refinements from the dialect,
 * e.g. a 403 whose code means "rate limited"), the API's code and message from the body, the wait the server
 * asked for. Message format: `<CRM code>: <CRM message> (HTTP 400 POST https://host/path)`.
 */
export function classifyHttpError(
	response: HttpResponse,
	request: RequestSummary,
	options: ClassifyOptions = {},
): CrmError {
	const now = options.now ?? Date.now;
	const status = response.status;
	const dialect = options.dialect;
	const extracted = extractCrmError(response.body, dialect);
	let kind = kindForStatus(status);
	let retryable: boolean | undefined;

	const code = extracted.code;
	const rateLimitedByCode =
		(code !== undefined && RATE_LIMIT_CODES.has(code)) ||
		dialect?.isRateLimited?.(extracted, response) === true;
	if (rateLimitedByCode && kind !== 'rateLimited') kind = 'rateLimited';

	const delay: ServerDelay | undefined = serverRequestedDelay(
		status,
		response.headers,
		now(),
		dialect?.rateHeaders,
	);
	// A long-window (e.g. daily) allocation used up: retrying within seconds cannot succeed.
	const longWindowHint =
		kind === 'rateLimited' ? dialect?.longWindowHint?.(extracted, response, delay) : undefined;
	if (longWindowHint !== undefined) retryable = false;
	const method = request.method.toUpperCase();
	const url = redactUrl(request.url);
	const statusText = STATUS_TEXT[status] ?? (status >= 500 ? 'Server Error' : 'HTTP Error');
	const crmMessage = extracted.message;
	const parts: string[] = [];
	parts.push(code ? `${code}: ${crmMessage ?? statusText}` : (crmMessage ?? statusText));
	if (extracted.fields?.length) parts.push(`[fields: ${extracted.fields.join(', ')}]`);
	if (extracted.more) parts.push(`(+${extracted.more} more error${extracted.more > 1 ? 's' : ''})`);
	if (extracted.correlationId) parts.push(`[correlationId: ${extracted.correlationId}]`);
	parts.push(`(HTTP ${status} ${method} ${url})`);

	let hint = HINTS[kind];
	if (kind === 'rateLimited') hint = rateLimitHint(delay);
	if (longWindowHint !== undefined) hint = longWindowHint;

	return new CrmError(parts.join(' '), {
		kind,
		status,
		crmCode: code,
		crmMessage,
		retryAfterMs: delay?.delayMs,
		details: extracted.body,
		request: { method, url },
		responseHeaders: response.headers,
		retryable,
		hint,
	});
}

interface ErrorLike {
	code?: unknown;
	errno?: unknown;
	syscall?: unknown;
	message?: unknown;
	name?: unknown;
	cause?: unknown;
	reason?: unknown;
}

const NEVER_SENT = new Set([
	'ECONNREFUSED',
	'ENOTFOUND',
	'EAI_AGAIN',
	'EAI_FAIL',
	'EAI_NONAME',
	'EHOSTUNREACH',
	'ENETUNREACH',
	'ENETDOWN',
	'EHOSTDOWN',
	'EADDRNOTAVAIL',
]);
const MAYBE_PROCESSED = new Set([
	'ECONNRESET',
	'EPIPE',
	'ECONNABORTED',
	'ETIMEDOUT',
	'ESOCKETTIMEDOUT',
	'ERR_STREAM_PREMATURE_CLOSE',
	'UND_ERR_SOCKET',
	'ERR_BAD_RESPONSE',
	'HPE_INVALID_CONSTANT',
	'ERR_NETWORK',
]);
const TLS_CODE =
	/^(?:CERT_|ERR_TLS_|ERR_SSL_|UNABLE_TO_|DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN|HOSTNAME_MISMATCH|ERR_OSSL)/;

function errorChain(err: unknown): ErrorLike[] {
	const chain: ErrorLike[] = [];
	let cur: unknown = err;
	for (let i = 0; i < 5 && cur && typeof cur === 'object'; i++) {
		chain.push(cur as ErrorLike);
		cur = (cur as ErrorLike).cause;
	}
	return chain;
}

/**
 * Maps a failure to get any response (DNS, connect, TLS, reset, timeout, abort) to a {@link CrmError}.
 * `reachedServer: false` when the request provably never left (connection refused, DNS failure, TLS
 * rejection), `true` when it may have been processed (reset or timeout after sending).
 */
export function transportError(err: unknown, request: RequestSummary): CrmError {
	if (isCrmError(err)) return err;
	const chain = errorChain(err);
	const codes = chain
		.map((e) => (typeof e.code === 'string' ? e.code : undefined))
		.filter((c): c is string => !!c);
	const syscall = chain
		.map((e) => (typeof e.syscall === 'string' ? e.syscall : undefined))
		.find(Boolean);
	const names = chain.map((e) => (typeof e.name === 'string' ? e.name : ''));
	const specific =
		codes.find((c) => NEVER_SENT.has(c) || TLS_CODE.test(c)) ??
		codes.find((c) => MAYBE_PROCESSED.has(c)) ??
		codes[0];
	const source = chain.find(
		(e) => e.code === specific && typeof e.message === 'string' && e.message,
	);
	const rawMessage =
		(source?.message as string | undefined) ??
		chain.map((e) => (typeof e.message === 'string' ? e.message : '')).find(Boolean) ??
		String(err);
	const method = request.method.toUpperCase();
	const url = redactUrl(request.url);
	const where = `(${method} ${url})`;
	const base = { request: { method, url }, networkCode: specific };

	if (
		codes.includes('ERR_CANCELED') ||
		names.includes('AbortError') ||
		names.includes('CanceledError')
	) {
		return abortedError({ method, url });
	}
	if (specific && TLS_CODE.test(specific)) {
		return new CrmError(`${specific}: TLS connection rejected: ${rawMessage} ${where}`, {
			...base,
			kind: 'fatal',
			reachedServer: false,
			hint: 'The server certificate could not be verified (expired, self-signed or wrong host name). Fix the certificate or the URL; retrying will not help.',
		});
	}
	const connectTimeout =
		(specific === 'ETIMEDOUT' && syscall === 'connect') || /connect ETIMEDOUT/.test(rawMessage);
	if ((specific && NEVER_SENT.has(specific)) || connectTimeout) {
		const dns = specific === 'ENOTFOUND' || specific?.startsWith('EAI_');
		return new CrmError(
			`${specific ?? 'ETIMEDOUT'}: ${rawMessage} ${where} — the request never reached the server`,
			{
				...base,
				kind: 'transient',
				reachedServer: false,
				hint: dns
					? 'The host name could not be resolved: check the URL / instance name and DNS.'
					: 'The server could not be reached: check the URL, the network and that the service is up.',
			},
		);
	}
	const timeout =
		specific === 'ECONNABORTED' ||
		specific === 'ETIMEDOUT' ||
		specific === 'ESOCKETTIMEDOUT' ||
		/timeout/i.test(rawMessage);
	if (
		timeout ||
		(specific && MAYBE_PROCESSED.has(specific)) ||
		/socket hang up|aborted|other side closed/i.test(rawMessage)
	) {
		const what = timeout
			? 'no response before the timeout'
			: 'connection lost after the request was sent';
		return new CrmError(
			`${specific ?? (timeout ? 'ETIMEDOUT' : 'ECONNRESET')}: ${rawMessage} ${where} — ${what}; the server may have processed it`,
			{
				...base,
				networkCode: specific ?? (timeout ? 'ETIMEDOUT' : 'ECONNRESET'),
				kind: 'transient',
				reachedServer: true,
				hint: timeout ? 'Increase the timeout or reduce the batch size.' : HINTS.transient,
			},
		);
	}
	return new CrmError(`${specific ? `${specific}: ` : ''}${rawMessage} ${where}`, {
		...base,
		kind: 'transient',
		hint: HINTS.transient,
	});
}

/**
 * The error for a token request that got no usable answer (connection dropped or refused, timeout, 5xx, 429). A
 * token request writes nothing, and the API call that needed the token was never sent: the error says so and
 * carries `reachedServer: false`, so a write is reported as not sent (never as an unknown outcome) and may be
 * sent again. `cause` is the token request's own error; its kind (transient, rate limited, fatal) is kept.
 */
export function tokenRequestError(cause: CrmError, provider: string): CrmError {
	let what: string;
	if (cause.status !== undefined) {
		what = `HTTP ${cause.status}${cause.crmCode ? ` ${cause.crmCode}` : ''}${cause.crmMessage ? `: ${cause.crmMessage}` : ''}`;
	} else {
		const code = cause.networkCode ?? 'network error';
		if (cause.reachedServer === false) what = `${code}: the token endpoint could not be reached`;
		else if (/TIMEDOUT|ECONNABORTED/.test(code)) what = `${code}: no answer before the timeout`;
		else what = `${code}: the connection dropped before the token arrived`;
	}
	const attempts =
		cause.attempts !== undefined && cause.attempts > 1 ? ` after ${cause.attempts} attempts` : '';
	const where = cause.request ? ` (${cause.request.method} ${cause.request.url})` : '';
	return cause.with({
		message: `${provider}: the token request failed${attempts} (${what})${where} — the API call was NOT sent, nothing was written; sending it again is safe`,
		reachedServer: false,
		hint:
			cause.kind === 'fatal'
				? cause.hint
				: 'The login/token service did not answer. Nothing was sent to the API: run the items again (or let the retry do it) once the service answers.',
	});
}

/**
 * Whether a failed write provably changed nothing: refused before processing (validation, credential, permission)
 * or never sent. Otherwise it may have been applied.
 */
export function failedBeforeProcessing(error: CrmError): boolean {
	return (
		error.kind === 'validation' ||
		error.kind === 'authentication' ||
		error.kind === 'permission' ||
		error.reachedServer === false
	);
}

/** The error for a request (or a wait) cancelled through its `AbortSignal`. Not retried. */
export function abortedError(request?: RequestSummary): CrmError {
	return new CrmError(
		`ABORTED: the request was cancelled${request ? ` (${request.method} ${redactUrl(request.url)})` : ''}`,
		{
			kind: 'fatal',
			networkCode: 'ABORTED',
			retryable: false,
			request,
		},
	);
}

/** Returns `err` if it is a {@link CrmError}, else maps it with {@link transportError}. */
export function toCrmError(err: unknown, request: RequestSummary): CrmError {
	return isCrmError(err) ? err : transportError(err, request);
}
