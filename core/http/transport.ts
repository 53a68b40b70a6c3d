/**
 * The standalone transport `AxiosTransport` (standalone use, tests, benchmarks) and the body/header helpers any
 * {@link Transport} can use. A transport returns a response for every HTTP status and throws only when no response
 * was received, as a {@link CrmError} from `transportError`. Inside n8n the nodes plug in their own transport over
 * n8n's request helpers (nodes/shared/n8nTransport.ts).
 */
import http from 'node:http';
import https from 'node:https';
import type { AxiosInstance, AxiosProxyConfig, AxiosRequestConfig } from 'axios';
import { CrmError, isCrmError, transportError } from './errors';
import { redactUrl } from './redact';
import type { HttpMethod, HttpRequest, HttpResponse, RequestSummary, Transport } from './types';
import { assertSecureUrl, buildUrl, isLoopbackHost, resolveUrl } from './url';
import { vendor } from '../vendor';

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

/** A request as errors show it (the URL redacted). */
export function summary(method: string, url: string): RequestSummary {
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
		this.axios = vendor.axios().create(config);
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

/** The `CrmError` inside a thrown error (itself or a `cause`, up to five deep). */
export function findCrmError(err: unknown): CrmError | undefined {
	let cur: unknown = err;
	for (let i = 0; i < 5 && cur && typeof cur === 'object'; i++) {
		if (isCrmError(cur)) return cur;
		cur = (cur as { cause?: unknown }).cause;
	}
	return undefined;
}
