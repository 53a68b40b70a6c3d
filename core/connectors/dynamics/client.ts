/**
 * A thin Dataverse Web API client over the core `HttpClient` (see README.md for why not `dynamics-web-api`): OData
 * headers on every request, `Prefer` assembled from its parts, errors through the Dataverse dialect (error bodies,
 * service-protection codes, `Retry-After` / `x-ms-retry-after-ms`), and collection reads as an async iterable of
 * pages that follows `@odata.nextLink` — one page in memory at a time.
 */
import type { AuthProvider } from '../../http/auth/types';
import { HttpClient, type HttpClientOptions } from '../../http/client';
import type { RateBudget, RateBudgetOptions } from '../../http/rateLimiter';
import type { RetryOptions } from '../../http/retry';
import type { HttpMethod, HttpRequest } from '../../http/types';
import { createDataverseDialect } from './dialect';

/** Dataverse's largest page (`odata.maxpagesize`). */
export const DATAVERSE_MAX_PAGE_SIZE = 5000;

/**
 * The default rate budget, under the service-protection limits per user and web server (6,000 requests and 52
 * concurrent requests per 5-minute sliding window): 5,400 starts per 300 s leaves headroom for other clients of the
 * same application user; 50 in flight stays under 52. The execution-time limit (1,200,000 ms per window) is paced
 * from `x-ms-ratelimit-time-remaining-xrm-requests` by the client's dialect (`dataverseExecutionPacer`).
 */
export const DATAVERSE_RATE_BUDGET: RateBudgetOptions = {
	maxRequests: 5400,
	intervalMs: 300_000,
	maxConcurrent: 50,
};

/** Options of {@link DataverseClient}. */
export interface DataverseClientOptions {
	/** The environment URL, e.g. `https://contoso.crm.dynamics.com`. */
	environmentUrl: string;
	auth: AuthProvider;
	/** Default `v9.2`. */
	apiVersion?: string;
	transport?: HttpClientOptions['transport'];
	retry?: RetryOptions;
	rateLimit?: RateBudgetOptions | RateBudget | false;
	logger?: HttpClientOptions['logger'];
	timeoutMs?: number;
	allowInsecure?: boolean;
	now?: () => number;
}

/** The parts of a `Prefer` header. */
export interface PreferOptions {
	/** `odata.maxpagesize=N` (capped at 5,000). */
	maxPageSize?: number;
	/** `odata.include-annotations="…"` (e.g. `*` or `OData.Community.Display.V1.FormattedValue`). */
	annotations?: string;
	/** `return=representation` on create / update. */
	representation?: boolean;
	/** `odata.continue-on-error` ($batch). */
	continueOnError?: boolean;
	/** `odata.track-changes` (change tracking). */
	trackChanges?: boolean;
}

/** The `Prefer` header value of `options`, or undefined when nothing is preferred. */
export function preferHeader(options: PreferOptions): string | undefined {
	const parts: string[] = [];
	if (options.maxPageSize !== undefined)
		parts.push(
			`odata.maxpagesize=${Math.max(1, Math.min(DATAVERSE_MAX_PAGE_SIZE, Math.floor(options.maxPageSize)))}`,
		);
	if (options.annotations) parts.push(`odata.include-annotations="${options.annotations}"`);
	if (options.representation) parts.push('return=representation');
	if (options.continueOnError) parts.push('odata.continue-on-error');
	if (options.trackChanges) parts.push('odata.track-changes');
	return parts.length ? parts.join(',') : undefined;
}

/** One call's options. */
export interface DataverseRequestOptions extends PreferOptions {
	/** Query options (`$select`, `$filter` …), encoded strictly (RFC 3986) by the core. */
	query?: Record<string, string | number | boolean | undefined>;
	headers?: Record<string, string>;
	body?: unknown;
	/** Whether resending is harmless (default: GET/DELETE yes, POST/PATCH no). */
	idempotent?: boolean;
	signal?: AbortSignal;
}

/** A collection page as Dataverse sends it. */
export interface ODataCollection<T> {
	value: T[];
	'@odata.nextLink'?: string;
	'@odata.deltaLink'?: string;
	'@odata.count'?: number;
}

/** The Web API of one environment. */
export class DataverseClient {
	readonly http: HttpClient;
	/** `{environmentUrl}/api/data/v9.2` (no trailing slash). */
	readonly apiUrl: string;

	constructor(options: DataverseClientOptions) {
		const origin = new URL(options.environmentUrl.trim()).origin;
		this.apiUrl = `${origin}/api/data/${options.apiVersion ?? 'v9.2'}`;
		this.http = new HttpClient({
			baseUrl: this.apiUrl,
			auth: options.auth,
			transport: options.transport,
			retry: options.retry,
			rateLimit: options.rateLimit ?? DATAVERSE_RATE_BUDGET,
			dialect: createDataverseDialect(),
			logger: options.logger,
			timeoutMs: options.timeoutMs,
			allowInsecure: options.allowInsecure,
			now: options.now,
			headers: {
				Accept: 'application/json',
				'OData-MaxVersion': '4.0',
				'OData-Version': '4.0',
			},
		});
	}

	/** Sends one request; resolves with the parsed body (undefined for 204) and the response headers. */
	async send<T = unknown>(
		method: HttpMethod,
		path: string,
		options: DataverseRequestOptions = {},
	): Promise<{ status: number; body: T; headers: Record<string, string> }> {
		const headers: Record<string, string> = { ...options.headers };
		const prefer = preferHeader(options);
		if (prefer) headers.Prefer = prefer;
		if (options.body !== undefined && typeof options.body !== 'string')
			headers['Content-Type'] ??= 'application/json; charset=utf-8';
		const request: HttpRequest = {
			method,
			url: path,
			qs: options.query,
			headers,
			body: options.body,
			signal: options.signal,
			...(options.idempotent !== undefined ? { idempotent: options.idempotent } : {}),
		};
		const res = await this.http.request<T>(request);
		return { status: res.status, body: res.body, headers: res.headers };
	}

	async get<T = unknown>(path: string, options: DataverseRequestOptions = {}): Promise<T> {
		return (await this.send<T>('GET', path, options)).body;
	}

	async post<T = unknown>(path: string, body: unknown, options: DataverseRequestOptions = {}) {
		return await this.send<T>('POST', path, { ...options, body });
	}

	async patch<T = unknown>(path: string, body: unknown, options: DataverseRequestOptions = {}) {
		return await this.send<T>('PATCH', path, { ...options, body });
	}

	async delete(path: string, options: DataverseRequestOptions = {}): Promise<void> {
		await this.send('DELETE', path, options);
	}

	/**
	 * The pages of a collection read (`GET {path}?{query}` with `odata.maxpagesize`, default 5,000), following
	 * `@odata.nextLink` (an absolute URL that carries every query option and the paging cookie) until there is none.
	 * Only the current page is held.
	 */
	async *pages<T = Record<string, unknown>>(
		path: string,
		options: DataverseRequestOptions = {},
	): AsyncIterable<ODataCollection<T>> {
		const pageOptions = { ...options, maxPageSize: options.maxPageSize ?? DATAVERSE_MAX_PAGE_SIZE };
		let page = await this.get<ODataCollection<T>>(path, pageOptions);
		for (;;) {
			yield page;
			const next = page['@odata.nextLink'];
			if (!next) return;
			options.signal?.throwIfAborted();
			page = await this.get<ODataCollection<T>>(next, { ...pageOptions, query: undefined });
		}
	}

	/** Every row of a collection read, page by page (see {@link pages}). */
	async *rows<T = Record<string, unknown>>(
		path: string,
		options: DataverseRequestOptions = {},
	): AsyncIterable<T> {
		for await (const page of this.pages<T>(path, options)) yield* page.value ?? [];
	}
}
