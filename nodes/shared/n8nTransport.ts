/**
 * The n8n side of the transport: `FunctionTransport` adapts a send function — inside a node,
 * `this.helpers.httpRequestWithAuthentication` with {@link toN8nRequestOptions} — to the core's generic
 * {@link Transport}. What only n8n needs lives here: its request options, its full-response and thrown-error shapes,
 * and recognising the failure of the token request n8n makes inside a call (an OAuth2 refresh). No n8n import: the
 * options are declared structurally, so unit tests can use it with any send function.
 */
import { CrmError, tokenRequestError, transportError } from '../../core/http/errors';
import { redactUrl } from '../../core/http/redact';
import {
	decodeResponseBody,
	findCrmError,
	normalizeHeaders,
	summary,
} from '../../core/http/transport';
import type {
	HttpMethod,
	HttpRequest,
	HttpResponse,
	RequestSummary,
	Transport,
} from '../../core/http/types';
import { assertSecureUrl, buildUrl, resolveUrl } from '../../core/http/url';

/**
 * The request a network error belongs to when it is not the one sent (axios errors carry their request's
 * `config`): n8n's request helpers make token requests (OAuth2 refresh, token exchanges) inside the call, and
 * their failures surface as the call's error. Paths are compared, not origins: a credential may move a request
 * to another origin (a Salesforce instance URL), never to another path.
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
 *   this.helpers.httpRequestWithAuthentication.call(this, 'crmSalesforceOAuth2Api', toN8nRequestOptions(req)),
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
