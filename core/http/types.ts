/**
 * The transport contract. Everything above it (auth, retry, rate limiting, paging, batching, connectors)
 * talks to an HTTP API only through `Transport`, so the same core runs over axios (standalone, tests,
 * benchmarks) or over n8n's own request helpers (inside n8n, so n8n refreshes and stores OAuth2 tokens).
 */

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE' | 'HEAD';

export interface HttpRequest {
	method: HttpMethod;
	/** Absolute URL, or a path resolved against the client's base URL. */
	url: string;
	/** Query-string parameters (arrays repeat the key). */
	qs?: Record<string, string | number | boolean | Array<string | number | boolean> | undefined>;
	headers?: Record<string, string>;
	/** A JS value is sent as JSON; a string or Buffer is sent as-is (set content-type yourself). */
	body?: unknown;
	/** Per-request timeout in ms (overrides the client's). */
	timeoutMs?: number;
	/** `json` (default: parse JSON when the response says so, else text), `text`, or `buffer`. */
	responseType?: 'json' | 'text' | 'buffer';
	/**
	 * Whether repeating this request is harmless. Defaults: GET/HEAD/PUT/DELETE true, POST/PATCH false.
	 * Connectors set it true for writes that are safe to repeat (e.g. upsert by external key).
	 */
	idempotent?: boolean;
	/** Abort the request (and any retry wait). */
	signal?: AbortSignal;
}

export interface HttpResponse<T = unknown> {
	status: number;
	/** Header names lower-cased. */
	headers: Record<string, string>;
	body: T;
	/** The final URL requested (after base-URL resolution). */
	url: string;
}

/**
 * Sends one request and returns the response for *any* HTTP status (no throwing on 4xx/5xx: the client
 * layer maps statuses to the error taxonomy). Throws only when no response was received; such errors
 * carry `reachedServer: false` when the request provably never reached the server (DNS failure,
 * connection refused, TLS failure before sending), which makes even a non-idempotent write safe to retry.
 */
export interface Transport {
	send(request: HttpRequest): Promise<HttpResponse>;
}

/** The method and (redacted) URL of a request, as shown in errors and logs. */
export interface RequestSummary {
	method: string;
	url: string;
}

/** What the retry policy did for one logical request. Attached to every response and every thrown error. */
export interface RetryReport {
	/** Requests sent (1 = no retry). */
	attempts: number;
	/** Each wait before a retry, in ms, in order. */
	waitsMs: number[];
	/** Sum of `waitsMs`. */
	totalWaitMs: number;
	/** One line per retry or stop decision, e.g. `attempt 1: HTTP 429 rateLimited → retry in 2000 ms (Retry-After)`. */
	reasons: string[];
}
