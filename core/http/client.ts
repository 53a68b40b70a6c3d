/**
 * `HttpClient`: the one way the connector core calls an API. It composes a transport, an auth provider, the
 * retry policy and the per-credential rate budget, and turns every non-2xx outcome into a `CrmError`.
 */
import type { AuthProvider } from './auth/types';
import type { HttpDialect } from './dialect';
import { CrmError, classifyHttpError, isCrmError, toCrmError } from './errors';
import {
	getRateBudget,
	type RateBudget,
	type RateBudgetOptions,
	rateBudgetKey,
	type RateBudgetStats,
} from './rateLimiter';
import { redactString, redactUrl } from './redact';
import { RetryPolicy, type RetryOptions } from './retry';
import { AxiosTransport } from './transport';
import type { HttpRequest, HttpResponse, RequestSummary, RetryReport, Transport } from './types';
import { buildUrl, resolveUrl } from './url';

/** A logger; the client only ever passes it redacted text. */
export interface HttpLogger {
	debug(message: string): void;
	info(message: string): void;
	warn(message: string): void;
}

/**
 * Overrides the error classification of a response (e.g. a connector mapping its CRM's quirks). Return a
 * `CrmError` to use instead of `defaultError`, or undefined to keep the default.
 */
export type ClassifyHook = (
	response: HttpResponse,
	request: RequestSummary,
	defaultError: CrmError,
	/** The attempt that got this response (1-based), e.g. for a backoff that grows per retry. */
	context?: { attempt: number },
) => CrmError | undefined;

/** Options of {@link HttpClient}. */
export interface HttpClientOptions {
	/** Base URL for relative request URLs (e.g. an instance URL + an API version path). */
	baseUrl?: string;
	/** Default: a new {@link AxiosTransport}. Inside n8n: the nodes' `FunctionTransport` (nodes/shared/n8nTransport.ts) over n8n's helpers. */
	transport?: Transport;
	/** The credential. Default: none. */
	auth?: AuthProvider;
	/** Retry options or a policy instance. */
	retry?: RetryOptions | RetryPolicy;
	/**
	 * Rate budget: options for the shared budget of this credential and host (see `getRateBudget`), a budget
	 * instance, or `false` for none. Default: the shared budget with its current (or default) options.
	 */
	rateLimit?: RateBudgetOptions | RateBudget | false;
	/** Registry key of the shared budget. Default `<auth.id>@<host>`. */
	rateLimitKey?: string;
	/**
	 * The API's error-body and rate-limit-header conventions, used to classify errors, to read the waits the server
	 * asks for and to feed the rate budget. Default: the generic reading (status, `Retry-After`, `RateLimit-*`).
	 */
	dialect?: HttpDialect;
	/** Override of the error classification (runs after the dialect's). */
	classify?: ClassifyHook;
	/** Receives redacted text only. */
	logger?: HttpLogger;
	/** Headers sent with every request (a request's own headers win). */
	headers?: Record<string, string>;
	/** Timeout per attempt. Default: the transport's (60 s for AxiosTransport). */
	timeoutMs?: number;
	/** Allow plain http to non-loopback hosts with the default transport. Default false. */
	allowInsecure?: boolean;
	/** Non-2xx statuses to return instead of throwing (e.g. `[404]` for "find or nothing"). */
	okStatuses?: number[];
	/** Clock (epoch ms). Default `Date.now`. */
	now?: () => number;
}

/** A response plus what the retry policy did to obtain it. */
export type ClientResponse<T = unknown> = HttpResponse<T> & { retry: RetryReport };

/** Counters of a client. */
export interface HttpClientStats {
	/** Requests handed to the transport (every attempt counts; token requests do not). */
	requestsSent: number;
	/** Logical calls (`request`/`json`) started. */
	calls: number;
	/** Logical calls that ended in an error. */
	failures: number;
	/** Attempts beyond the first, over all calls. */
	retries: number;
}

const noop = () => undefined;

function safeLogger(logger: HttpLogger | undefined): HttpLogger {
	if (!logger) return { debug: noop, info: noop, warn: noop };
	return {
		debug: (m) => logger.debug(redactString(m)),
		info: (m) => logger.info(redactString(m)),
		warn: (m) => logger.warn(redactString(m)),
	};
}

/** Composes transport + auth + retry + rate budget. Safe for concurrent use. */
export class HttpClient {
	/** The retry policy in use. */
	readonly retryPolicy: RetryPolicy;
	private readonly transport: Transport;
	private readonly auth?: AuthProvider;
	private readonly log: HttpLogger;
	private readonly now: () => number;
	private readonly counters: HttpClientStats = {
		requestsSent: 0,
		calls: 0,
		failures: 0,
		retries: 0,
	};

	constructor(private readonly options: HttpClientOptions = {}) {
		this.transport =
			options.transport ?? new AxiosTransport({ allowInsecure: options.allowInsecure });
		this.auth = options.auth;
		this.log = safeLogger(options.logger);
		this.now = options.now ?? Date.now;
		if (options.retry instanceof RetryPolicy) {
			this.retryPolicy = options.retry;
		} else {
			const retryOptions = options.retry ?? {};
			this.retryPolicy = new RetryPolicy({
				now: this.now,
				rateHeaders: options.dialect?.rateHeaders,
				...retryOptions,
				onRetry: (event) => {
					this.log.warn(
						`${event.error.request?.method ?? ''} ${event.error.request?.url ?? ''}: ${event.reason}`.trim(),
					);
					retryOptions.onRetry?.(event);
				},
			});
		}
	}

	/** Requests handed to the transport so far (all attempts; for "API calls per record" figures). */
	get requestsSent(): number {
		return this.counters.requestsSent;
	}

	/** Counters of this client. */
	stats(): HttpClientStats {
		return { ...this.counters };
	}

	/** The rate budget used for `url` (undefined when rate limiting is off). */
	budgetFor(url: string): RateBudget | undefined {
		const rl = this.options.rateLimit;
		if (rl === false) return undefined;
		if (rl && typeof (rl as RateBudget).schedule === 'function') return rl as RateBudget;
		const key = this.options.rateLimitKey ?? rateBudgetKey(this.auth?.id ?? 'anonymous', url);
		return getRateBudget(key, rl as RateBudgetOptions | undefined);
	}

	/** Stats of the rate budget used for `url` (default: the base URL). */
	budgetStats(url = this.options.baseUrl ?? ''): RateBudgetStats | undefined {
		return this.budgetFor(url)?.stats();
	}

	/**
	 * Sends a request with auth, rate budget and retries. Resolves with the response (2xx or an `okStatuses`
	 * status) and its retry report; rejects with a `CrmError` otherwise (carrying `retry` and `attempts`).
	 */
	async request<T = unknown>(request: HttpRequest): Promise<ClientResponse<T>> {
		this.counters.calls++;
		const url = resolveUrl(this.options.baseUrl, request.url);
		const prepared: HttpRequest = {
			...request,
			url,
			headers: this.options.headers
				? { ...this.options.headers, ...request.headers }
				: request.headers,
			timeoutMs: request.timeoutMs ?? this.options.timeoutMs,
		};
		const summary: RequestSummary = {
			method: request.method,
			url: redactUrl(buildUrl(url, request.qs)),
		};
		const budget = this.budgetFor(url);
		let lastResponse: HttpResponse | undefined;
		let lastApplied: HttpRequest | undefined;

		const attempt = async (n: number): Promise<HttpResponse> => {
			let applied = prepared;
			if (this.auth) {
				try {
					applied = await this.auth.apply(prepared);
				} catch (err) {
					// A failed token request means this API request was never sent: resending it is always safe.
					if (
						isCrmError(err) &&
						(err.kind === 'transient' || err.kind === 'rateLimited') &&
						err.reachedServer !== false
					) {
						throw err.with({ reachedServer: false });
					}
					throw err;
				}
			}
			lastApplied = applied;
			const send = async (): Promise<HttpResponse> => {
				this.counters.requestsSent++;
				if (n > 1) this.counters.retries++;
				const started = this.now();
				this.log.debug(`→ ${summary.method} ${summary.url}${n > 1 ? ` (attempt ${n})` : ''}`);
				let res: HttpResponse;
				try {
					res = await this.transport.send(applied);
				} catch (err) {
					const crm = toCrmError(err, summary);
					this.log.debug(`✗ ${summary.method} ${summary.url}: ${crm.message}`);
					throw crm;
				}
				this.log.debug(
					`← ${res.status} ${summary.method} ${summary.url} (${this.now() - started} ms)`,
				);
				budget?.observe(res.headers, this.options.dialect?.rateHeaders);
				return res;
			};
			const res = budget ? await budget.schedule(send, { signal: request.signal }) : await send();
			if ((res.status >= 200 && res.status < 300) || this.options.okStatuses?.includes(res.status))
				return res;
			lastResponse = res;
			let error = classifyHttpError(res, summary, {
				now: this.now,
				dialect: this.options.dialect,
			});
			if (this.options.classify)
				error = this.options.classify(res, summary, error, { attempt: n }) ?? error;
			if (error.kind === 'rateLimited' && error.retryable !== false) {
				budget?.on429(this.retryPolicy.serverDelay(error)?.delayMs);
			}
			throw error;
		};

		try {
			const { value, report } = await this.retryPolicy.execute(prepared, attempt, {
				refreshAuth: async () => {
					if (!this.auth?.onUnauthorized || !lastResponse) return false;
					this.log.info(`${summary.method} ${summary.url}: HTTP 401, renewing the credential`);
					return this.auth.onUnauthorized(lastResponse, lastApplied);
				},
			});
			return { ...value, url: redactUrl(value.url), body: value.body as T, retry: report };
		} catch (err) {
			this.counters.failures++;
			if (isCrmError(err)) this.log.debug(`request failed: ${err.message}`);
			throw err;
		}
	}

	/** Like {@link request} but resolves with the parsed body. Rejects when a JSON response does not parse. */
	async json<T = unknown>(request: HttpRequest): Promise<T> {
		const res = await this.request<T>({ ...request, responseType: request.responseType ?? 'json' });
		const contentType = res.headers['content-type'] ?? '';
		if (typeof res.body === 'string' && /[/+]json\b/i.test(contentType)) {
			const method = request.method;
			throw new CrmError(
				`The response is not valid JSON although its content type is ${contentType} (HTTP ${res.status} ${method} ${res.url})`,
				{
					kind: 'fatal',
					status: res.status,
					request: { method, url: res.url },
					details: res.body.slice(0, 500),
					hint: 'The API returned a truncated or malformed body; retry the call, and report it to the API vendor if it persists.',
				},
			);
		}
		return res.body;
	}
}
