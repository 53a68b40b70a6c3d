/**
 * The wire client: `@hubspot/api-client`. Its `apiRequest` (the official client's raw-call method) sends every
 * request, applying the private-app token, base path and User-Agent as the client does; the connector core on
 * top owns retries, pacing and error mapping.
 *
 * Why `apiRequest` rather than the typed `crm.*` APIs: the typed APIs turn a 4xx into an `ApiException` whose
 * body is re-serialised into the client's `Error` model (dropping `policyName`, HubSpot's per-input `context`),
 * turn timestamps into `Date` objects, and give no seam for the core's retry and rate budget. `apiRequest`
 * returns the fetch `Response` with status, headers and body untouched.
 *
 * The client is created with `numberOfApiCallRetries: 0` and no `limiterOptions`: its retry waits a fixed
 * 10 s × attempt and its Bottleneck limiter is process-wide; the core's `RetryPolicy` and `RateBudget` do both
 * jobs per credential instead. (The client's decorators are a process-wide singleton: another `Client` in the
 * same process created with `limiterOptions` would also pace these calls.)
 */
import type { Client } from '@hubspot/api-client';

import { CrmError, transportError } from '../../http/errors';
import { registerSecret } from '../../http/redact';
import { decodeResponseBody, encodeRequestBody } from '../../http/transport';
import type { HttpRequest, HttpResponse, Transport } from '../../http/types';
import { assertSecureUrl, buildUrl, resolveUrl } from '../../http/url';
import { vendor } from '../../vendor';

/** HubSpot's API host. */
export const HUBSPOT_API_URL = 'https://api.hubapi.com';

/** Options of {@link HubSpotApiClientTransport}. */
export interface HubSpotApiClientTransportOptions {
	/** Private-app token or OAuth access token. */
	accessToken: string;
	/** API base URL (default `https://api.hubapi.com`; the sandbox's URL in tests). */
	baseUrl?: string;
	/** Allow plain http to a non-loopback host. Default false. */
	allowInsecure?: boolean;
	/** Timeout per request (default 60 s). */
	timeoutMs?: number;
}

/** A core `Transport` that sends through `@hubspot/api-client`'s `Client.apiRequest`. */
export class HubSpotApiClientTransport implements Transport {
	/** The official client (created without its own retries and limiter). */
	readonly client: Client;
	private readonly baseUrl: string;

	constructor(private readonly options: HubSpotApiClientTransportOptions) {
		if (typeof options.accessToken !== 'string' || options.accessToken.trim() === '') {
			throw new CrmError('HubSpot: the access token is empty', {
				kind: 'authentication',
				hint: 'Paste the private app access token (Settings → Integrations → Private Apps) into the credential.',
			});
		}
		registerSecret(options.accessToken);
		this.baseUrl = (options.baseUrl ?? HUBSPOT_API_URL).replace(/\/+$/, '');
		this.client = new (vendor.hubspot().Client)({
			accessToken: options.accessToken,
			basePath: this.baseUrl,
			numberOfApiCallRetries: 0,
		});
	}

	/** Sends one request; resolves for every HTTP status, throws a `CrmError` only when no response came. */
	async send(request: HttpRequest): Promise<HttpResponse> {
		const url = buildUrl(resolveUrl(this.baseUrl, request.url), request.qs);
		assertSecureUrl(url, this.options.allowInsecure ?? false);
		const { data, contentType } = encodeRequestBody(request.body);
		const headers: Record<string, string> = { ...request.headers };
		if (contentType && !Object.keys(headers).some((h) => h.toLowerCase() === 'content-type'))
			headers['Content-Type'] = contentType;
		const timeoutMs = request.timeoutMs ?? this.options.timeoutMs ?? 60_000;
		let response: Response;
		try {
			// `overlapUrl` carries the full URL (query included); `defaultJson: false` sends the body as encoded above.
			// `apiRequest` takes no AbortSignal: a timeout or an abort stops the wait (the request may still complete).
			response = await abortable(
				this.client.apiRequest({
					method: request.method,
					overlapUrl: url,
					headers,
					body: data,
					defaultJson: false,
				}),
				timeoutMs,
				request.signal,
			);
		} catch (err) {
			throw transportError(err, { method: request.method, url });
		}
		const responseHeaders: Record<string, string> = {};
		response.headers.forEach((value, name) => {
			responseHeaders[name.toLowerCase()] = value;
		});
		let raw: Buffer;
		try {
			raw = Buffer.from(await response.arrayBuffer());
		} catch (err) {
			throw transportError(err, { method: request.method, url });
		}
		const body =
			request.method === 'HEAD'
				? undefined
				: decodeResponseBody(raw, responseHeaders['content-type'], request.responseType);
		return { status: response.status, headers: responseHeaders, body, url };
	}
}

/** Waits for `promise`, failing with an ETIMEDOUT-coded error after `timeoutMs` or an AbortError on `signal`. */
function abortable<T>(promise: Promise<T>, timeoutMs: number, signal?: AbortSignal): Promise<T> {
	return new Promise<T>((resolve, reject) => {
		if (signal?.aborted) {
			reject(Object.assign(new Error('The operation was aborted'), { name: 'AbortError' }));
			return;
		}
		const onAbort = () => {
			cleanup();
			reject(Object.assign(new Error('The operation was aborted'), { name: 'AbortError' }));
		};
		const timer = setTimeout(() => {
			cleanup();
			reject(
				Object.assign(new Error(`timeout of ${timeoutMs} ms exceeded`), { code: 'ETIMEDOUT' }),
			);
		}, timeoutMs);
		const cleanup = () => {
			clearTimeout(timer);
			signal?.removeEventListener('abort', onAbort);
		};
		signal?.addEventListener('abort', onAbort, { once: true });
		promise.then(
			(value) => {
				cleanup();
				resolve(value);
			},
			(err: unknown) => {
				cleanup();
				reject(err);
			},
		);
	});
}
