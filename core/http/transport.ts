/**
 * Transports: `AxiosTransport` (standalone use, tests, benchmarks) and `FunctionTransport` (adapts any send
 * function — inside n8n, `this.helpers.httpRequestWithAuthentication`). Both return a response for every HTTP
 * status and throw only when no response was received, as a {@link CrmError} from `transportError`.
 */
import http from 'node:http';
import https from 'node:https';
import axios, { type AxiosInstance, type AxiosProxyConfig, type AxiosRequestConfig } from 'axios';
import { CrmError, isCrmError, tokenRequestError, transportError } from './errors';
import { redactUrl } from './redact';
import type { HttpMethod, HttpRequest, HttpResponse, RequestSummary, Transport } from './types';
import { assertSecureUrl, buildUrl, isLoopbackHost, resolveUrl } from './url';

/** Default User-Agent of requests sent by {@link AxiosTransport}. */
export const DEFAULT_USER_AGENT = 'n8n-nodes-crm-connectors';

/** Options of {@link AxiosTransport}. */
export interface AxiosTransportOptions {
	/** Base URL for relative request URLs. */
	baseUrl?: string;
	/** Headers sent with every request (a request's own headers win). */
	headers?: Record<string, string>;
	/** Timeout per request in ms (a request's `timeoutMs` wins). Default 60 000. */
	timeoutMs?: number;
	/** Maximum open sockets per host (keep-alive pool size). Default 50. */
	maxSockets?: number;
	/** Reuse connections. Default true. */
	keepAlive?: boolean;
	/** Allow plain http to non-loopback hosts (trusted internal networks only). Default false. */
	allowInsecure?: boolean;
	/** Redirects followed (each target must pass the https rule). Default 5. */
	maxRedirects?: number;
	/** Proxy; `false` ignores the `HTTP(S)_PROXY` environment variables. Default: axios' environment handling. */
	proxy?: AxiosProxyConfig | false;
	/** Maximum response size in bytes. Default unlimited. */
	maxContentLength?: number;
}

function hasHeader(headers: Record<string, string>, name: string): boolean {
	const lower = name.toLowerCase();
	return Object.keys(headers).some((k) => k.toLowerCase() === lower);
}

/** Lower-cases header names and joins multi-valued headers with `, `. */
export function normalizeHeaders(raw: unknown): Record<string, string> {
	const out: Record<string, string> = {};
	if (!raw || typeof raw !== 'object') return out;
	const source =
		typeof (raw as { toJSON?: unknown }).toJSON === 'function'
			? ((raw as { toJSON: () => unknown }).toJSON() as object)
			: raw;
	for (const [name, value] of Object.entries(source as Record<string, unknown>)) {
		if (value === undefined || value === null) continue;
		out[name.toLowerCase()] = Array.isArray(value) ? value.map(String).join(', ') : String(value);
	}
	return out;
}

/**
 * Decodes a raw response body by `responseType`: `buffer` keeps bytes, `text` decodes UTF-8, `json` (default)
 * parses when the content type says JSON (falling back to text when the body does not parse) and returns
 * `undefined` for an empty body.
 */
export function decodeResponseBody(
	data: Buffer,
	contentType: string | undefined,
	responseType: HttpRequest['responseType'],
): unknown {
	if (responseType === 'buffer') return data;
	const text = data.toString('utf8');
	if (responseType === 'text') return text;
	if (text.trim() === '') return undefined;
	const isJson = /[/+]json\b/i.test(contentType ?? '') || (!contentType && /^\s*[[{]/.test(text));
	if (!isJson) return text;
	try {
		return JSON.parse(text);
	} catch {
		return text;
	}
}

/** Serialises a request body; returns the data and the content type to add when none is set. */
export function encodeRequestBody(body: unknown): { data?: string | Buffer; contentType?: string } {
	if (body === undefined || body === null) return {};
	if (Buffer.isBuffer(body)) return { data: body, contentType: 'application/octet-stream' };
	if (typeof body === 'string') return { data: body, contentType: 'text/plain; charset=utf-8' };
	if (body instanceof URLSearchParams)
		return { data: body.toString(), contentType: 'application/x-www-form-urlencoded' };
	if (body instanceof Uint8Array)
		return { data: Buffer.from(body), contentType: 'application/octet-stream' };
	return { data: JSON.stringify(body), contentType: 'application/json' };
}

function summary(method: string, url: string): RequestSummary {
	return { method, url: redactUrl(url) };
}

/**
 * The standalone transport: one axios instance with a keep-alive connection pool. Never throws on an HTTP
 * status; refuses plain http except to loopback (or with `allowInsecure`); maps network failures through
 * `transportError` so they carry `reachedServer`.
 */
export class AxiosTransport implements Transport {
	private readonly axios: AxiosInstance;
	private readonly httpAgent: http.Agent;
	private readonly httpsAgent: https.Agent;
	private readonly options: Required<Pick<AxiosTransportOptions, 'timeoutMs' | 'allowInsecure'>> &
		AxiosTransportOptions;

	constructor(options: AxiosTransportOptions = {}) {
		this.options = { timeoutMs: 60_000, allowInsecure: false, ...options };
		const keepAlive = options.keepAlive ?? true;
		const maxSockets = options.maxSockets ?? 50;
		if (!Number.isInteger(maxSockets) || maxSockets < 1) {
			throw new CrmError(`Invalid maxSockets ${String(maxSockets)}: must be a positive integer`, {
				kind: 'fatal',
			});
		}
		this.httpAgent = new http.Agent({ keepAlive, maxSockets });
		this.httpsAgent = new https.Agent({ keepAlive, maxSockets });
		const allowInsecure = this.options.allowInsecure;
		const config: AxiosRequestConfig = {
			httpAgent: this.httpAgent,
			httpsAgent: this.httpsAgent,
			validateStatus: () => true,
			responseType: 'arraybuffer',
			transformResponse: [(data: unknown) => data],
			maxRedirects: options.maxRedirects ?? 5,
			maxContentLength: options.maxContentLength ?? -1,
			maxBodyLength: -1,
			decompress: true,
			transitional: {
				clarifyTimeoutError: true,
				silentJSONParsing: true,
				forcedJSONParsing: false,
			},
			beforeRedirect: (redirectOptions: Record<string, unknown>) => {
				const protocol = String(redirectOptions.protocol ?? '');
				const hostname = String(redirectOptions.hostname ?? redirectOptions.host ?? '');
				if (protocol === 'http:' && !allowInsecure && !isLoopbackHost(hostname)) {
					throw new CrmError(
						`Refusing to follow a redirect to plain http on ${hostname}: credentials would travel unencrypted`,
						{
							kind: 'fatal',
							hint: 'Point the connector at the https URL of the API.',
						},
					);
				}
			},
		};
		if (options.proxy !== undefined) config.proxy = options.proxy;
		this.axios = axios.create(config);
	}

	/** Sends one request; resolves for every HTTP status. */
	async send(request: HttpRequest): Promise<HttpResponse> {
		const method = request.method.toUpperCase() as HttpMethod;
		const url = buildUrl(resolveUrl(this.options.baseUrl, request.url), request.qs);
		assertSecureUrl(url, this.options.allowInsecure);
		const headers: Record<string, string> = { ...this.options.headers, ...request.headers };
		if (!hasHeader(headers, 'user-agent')) headers['User-Agent'] = DEFAULT_USER_AGENT;
		if (!hasHeader(headers, 'accept'))
			headers.Accept =
				request.responseType === 'buffer' ? '*/*' : 'application/json, text/plain;q=0.9, */*;q=0.8';
		const { data, contentType } = encodeRequestBody(request.body);
		if (data !== undefined && contentType && !hasHeader(headers, 'content-type'))
			headers['Content-Type'] = contentType;

		try {
			const res = await this.axios.request<unknown>({
				url,
				method,
				headers,
				data,
				timeout: request.timeoutMs ?? this.options.timeoutMs,
				signal: request.signal,
			});
			const responseHeaders = normalizeHeaders(res.headers);
			const raw = Buffer.isBuffer(res.data)
				? res.data
				: res.data instanceof ArrayBuffer
					? Buffer.from(res.data)
					: Buffer.from(
							typeof res.data === 'string'
								? res.data
								: res.data === undefined
									? ''
									: JSON.stringify(res.data),
						);
			const body =
				method === 'HEAD'
					? undefined
					: decodeResponseBody(raw, responseHeaders['content-type'], request.responseType);
			return { status: res.status, headers: responseHeaders, body, url };
		} catch (err) {
			const crm = findCrmError(err);
			if (crm) throw crm;
			throw transportError(err, summary(method, url));
		}
	}

	/** Closes pooled connections. The transport must not be used afterwards. */
	close(): void {
		this.httpAgent.destroy();
		this.httpsAgent.destroy();
	}
}

function findCrmError(err: unknown): CrmError | undefined {
	let cur: unknown = err;
	for (let i = 0; i < 5 && cur && typeof cur === 'object'; i++) {
		if (isCrmError(cur)) return cur;
		cur = (cur as { cause?: unknown }).cause;
	}
	return undefined;
}

/**
 * The request a network error belongs to when it is not the one sent (axios errors carry their request's
 * `config`): n8n's request helpers make token requests (OAuth2 refresh, token exchanges) inside the call, and
 * their failures surface as the call's error. Paths are compared, not origins: a credential may move a request
 * to another origin (an instance URL), never to another path.
 */
export function failedRequestElsewhere(err: unknown, sentUrl: string): RequestSummary | undefined {
	let cur: unknown = err;
	for (let i = 0; i < 5 && cur && typeof cur === 'object'; i++) {
		const config = (cur as { config?: { url?: unknown; baseURL?: unknown; method?: unknown } })
			.config;
		if (config && typeof config.url === 'string') {
			try {
				const failed = new URL(
					config.url,
					typeof config.baseURL === 'string' ? config.baseURL : sentUrl,
				);
				if (failed.pathname.replace(/\/+$/, '') === new URL(sentUrl).pathname.replace(/\/+$/, ''))
					return undefined;
				return summary(
					typeof config.method === 'string' ? config.method.toUpperCase() : 'POST',
					failed.toString(),
				);
			} catch {
				return undefined;
			}
		}
		cur = (cur as { cause?: unknown }).cause;
	}
	return undefined;
}

/**
 * A response in n8n's shape (`helpers.httpRequest(… { returnFullResponse: true })`) or this package's shape.
 */
export interface FullResponseLike {
	status?: number;
	statusCode?: number;
	headers?: unknown;
	body?: unknown;
	data?: unknown;
	url?: string;
}

/** The function a {@link FunctionTransport} wraps. It receives the request with an absolute `url`. */
export type SendFunction = (request: HttpRequest) => Promise<HttpResponse | FullResponseLike>;

/** Options of {@link FunctionTransport}. */
export interface FunctionTransportOptions {
	/** Base URL for relative request URLs. */
	baseUrl?: string;
	/** Headers sent with every request (a request's own headers win). */
	headers?: Record<string, string>;
	/** Allow plain http to non-loopback hosts. Default false. */
	allowInsecure?: boolean;
}

/** Converts an n8n full response or an {@link HttpResponse} to an {@link HttpResponse}. */
export function normalizeResponse(
	raw: HttpResponse | FullResponseLike,
	url: string,
	responseType?: HttpRequest['responseType'],
): HttpResponse {
	const r = raw as FullResponseLike;
	const status = typeof r.status === 'number' ? r.status : r.statusCode;
	if (typeof status !== 'number') {
		throw new CrmError(
			`The send function returned no HTTP status for ${redactUrl(url)}: return a full response (n8n: returnFullResponse: true)`,
			{ kind: 'fatal' },
		);
	}
	const headers = normalizeHeaders(r.headers);
	let body = 'body' in r ? r.body : r.data;
	if ((Buffer.isBuffer(body) || body instanceof ArrayBuffer) && responseType !== 'buffer') {
		body = decodeResponseBody(
			Buffer.isBuffer(body) ? body : Buffer.from(body),
			headers['content-type'],
			responseType,
		);
	} else if (typeof body === 'string' && responseType !== 'text') {
		body = decodeResponseBody(Buffer.from(body, 'utf8'), headers['content-type'], responseType);
	}
	return { status, headers, body, url: r.url ?? url };
}

/** Finds an HTTP response inside a thrown error (axios `error.response`, n8n `NodeApiError.cause.response`). */
export function responseFromError(err: unknown): FullResponseLike | undefined {
	let cur: unknown = err;
	for (let i = 0; i < 5 && cur && typeof cur === 'object'; i++) {
		const response = (cur as { response?: FullResponseLike }).response;
		if (
			response &&
			typeof response === 'object' &&
			(typeof response.status === 'number' || typeof response.statusCode === 'number')
		) {
			return response;
		}
		cur = (cur as { cause?: unknown }).cause;
	}
	return undefined;
}

/**
 * Adapts any send function to {@link Transport}. Inside an n8n node, plug in n8n's request helpers so that n8n
 * applies (and, for OAuth2 credentials, refreshes) the credential:
 *
 * ```ts
 * const transport = new FunctionTransport((req) =>
 *   this.helpers.httpRequestWithAuthentication.call(this, 'myCredentialType', toN8nRequestOptions(req)),
 *   { baseUrl: instanceUrl },
 * );
 * ```
 *
 * {@link toN8nRequestOptions} sets `returnFullResponse: true` (so status and headers come back) and
 * `ignoreHttpStatusErrors: { ignore: true, except: [401] }`: n8n then returns every status instead of
 * throwing, except 401, which it must see as an error to refresh an OAuth2 token and retry. When n8n still
 * throws an error that carries a response (a 401 after its refresh), this transport turns it back into a
 * response, so the client's error taxonomy applies to it as to any other status.
 */
export class FunctionTransport implements Transport {
	constructor(
		private readonly fn: SendFunction,
		private readonly options: FunctionTransportOptions = {},
	) {}

	/** Sends one request through the wrapped function; resolves for every HTTP status. */
	async send(request: HttpRequest): Promise<HttpResponse> {
		const method = request.method.toUpperCase() as HttpMethod;
		const url = resolveUrl(this.options.baseUrl, request.url);
		const fullUrl = buildUrl(url, request.qs);
		assertSecureUrl(fullUrl, this.options.allowInsecure ?? false);
		const headers = this.options.headers
			? { ...this.options.headers, ...request.headers }
			: request.headers;
		let raw: HttpResponse | FullResponseLike;
		try {
			raw = await this.fn({ ...request, method, url, headers });
		} catch (err) {
			const crm = findCrmError(err);
			if (crm) throw crm;
			const response = responseFromError(err);
			if (response) return normalizeResponse(response, fullUrl, request.responseType);
			const other = failedRequestElsewhere(err, fullUrl);
			// The connection of another request dropped: n8n's own token request (an OAuth2 refresh after a 401, a
			// token exchange): this request was not sent (or refused unprocessed), so a write is safe to resend.
			if (other)
				throw tokenRequestError(
					transportError(err, other),
					"the credential's token request (made by n8n)",
				);
			throw transportError(err, summary(method, fullUrl));
		}
		return normalizeResponse(raw, fullUrl, request.responseType);
	}
}

/**
 * The options object for n8n's `helpers.httpRequest` / `httpRequestWithAuthentication` (structurally
 * `IHttpRequestOptions`; declared here because the core does not import n8n).
 */
export interface N8nRequestOptionsLike {
	url: string;
	method: HttpMethod;
	qs?: Record<string, unknown>;
	headers?: Record<string, string>;
	body?: unknown;
	json?: boolean;
	timeout?: number;
	encoding?: 'arraybuffer' | 'text' | 'json';
	returnFullResponse: true;
	ignoreHttpStatusErrors: { ignore: true; except: number[] };
	arrayFormat: 'repeat';
	abortSignal?: AbortSignal;
}

/** Maps an {@link HttpRequest} (absolute URL) to n8n request options; see {@link FunctionTransport}. */
export function toN8nRequestOptions(request: HttpRequest): N8nRequestOptionsLike {
	const options: N8nRequestOptionsLike = {
		url: request.url,
		method: request.method,
		returnFullResponse: true,
		ignoreHttpStatusErrors: { ignore: true, except: [401] },
		arrayFormat: 'repeat',
	};
	if (request.qs) {
		const qs: Record<string, unknown> = {};
		for (const [k, v] of Object.entries(request.qs)) if (v !== undefined) qs[k] = v;
		options.qs = qs;
	}
	if (request.headers) options.headers = { ...request.headers };
	if (request.body !== undefined) {
		options.body = request.body;
		if (
			typeof request.body === 'object' &&
			request.body !== null &&
			!Buffer.isBuffer(request.body) &&
			!(request.body instanceof URLSearchParams)
		) {
			options.json = true;
		}
	}
	if (request.timeoutMs !== undefined) options.timeout = request.timeoutMs;
	options.encoding = request.responseType === 'buffer' ? 'arraybuffer' : 'text';
	if (request.signal) options.abortSignal = request.signal;
	return options;
}
