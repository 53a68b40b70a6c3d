/**
 * jsforce over the connector core. jsforce builds the Salesforce requests (URLs, bodies, describe/CRUD/query
 * helpers); every request it makes goes out through a core `HttpClient`, so the core's retry policy (Retry-After,
 * writes resent only when provably unprocessed), the per-credential rate budget, the error taxonomy and secret
 * redaction apply to all of them. jsforce's own transport (which retries only idempotent methods and ignores
 * Retry-After) is bypassed entirely, so no request is ever retried twice over.
 */
import { PassThrough } from 'node:stream';

import type { Connection } from 'jsforce';
import type JsforceTransport from 'jsforce/lib/transport';
import type {
	HttpRequest as JsforceRequest,
	HttpResponse as JsforceResponse,
} from 'jsforce/lib/types';
import type { StreamPromise } from 'jsforce/lib/util/promise';

import type { HttpClient } from '../../http/client';
import type { HttpMethod } from '../../http/types';
import { onFirstUse, vendor } from '../../vendor';

/** The Salesforce REST API version this connector speaks. */
export const SALESFORCE_API_VERSION = '62.0';

/** The transport under a connection made by {@link createJsforceConnection}. */
export interface CoreJsforceTransport extends JsforceTransport {
	/** The server's clock (HTTP `Date` header, epoch ms, whole seconds) of the latest response, if it sent one. */
	lastServerTime?: number;
}

/**
 * The class of {@link CoreJsforceTransport}, defined when jsforce is first needed (it extends jsforce's transport,
 * and jsforce loads on first use: `core/vendor.ts`).
 */
const coreTransportClass = onFirstUse(defineCoreTransport);

/** Sends jsforce's requests through a core `HttpClient` (auth, retries, rate budget, error mapping). */
function defineCoreTransport(): new (http: HttpClient) => CoreJsforceTransport {
	const { Transport, StreamPromise: JsforceStreamPromise } = vendor.jsforce();
	return class extends Transport implements CoreJsforceTransport {
		lastServerTime?: number;

		constructor(private readonly http: HttpClient) {
			super();
		}

		override httpRequest(req: JsforceRequest): StreamPromise<JsforceResponse> {
			return JsforceStreamPromise.create(() => {
				const stream = new PassThrough();
				const promise = this.send(req).then((res) => {
					stream.end(res.body);
					return res;
				});
				promise.catch(() => stream.destroy());
				return { stream, promise };
			});
		}

		private async send(req: JsforceRequest): Promise<JsforceResponse> {
			const headers: Record<string, string> = {};
			for (const [name, value] of Object.entries(req.headers ?? {})) {
				const lower = name.toLowerCase();
				// The credential is applied by the HttpClient's auth (or by n8n); content-length is recomputed.
				if (lower === 'authorization' || lower === 'content-length') continue;
				headers[name] = String(value);
			}
			const method = req.method.toUpperCase() as HttpMethod;
			let body: string | Buffer | undefined;
			if (typeof req.body === 'string' || Buffer.isBuffer(req.body)) body = req.body;
			else if (req.body !== undefined && req.body !== null) body = String(req.body);
			const res = await this.http.request<string>({
				method,
				url: req.url,
				headers,
				body,
				responseType: 'text',
				// Upsert by external ID and sObject Collections upserts are safe to repeat; jsforce only sends PATCH
				// for updates and upserts, both of which set the same values again.
				idempotent: method === 'PATCH' ? true : undefined,
			});
			const date = res.headers.date ? Date.parse(res.headers.date) : Number.NaN;
			if (!Number.isNaN(date)) this.lastServerTime = date;
			const text =
				typeof res.body === 'string'
					? res.body
					: res.body === undefined
						? ''
						: JSON.stringify(res.body);
			return { statusCode: res.status, headers: res.headers, body: text };
		}
	};
}

/** Options of {@link createJsforceConnection}. */
export interface JsforceConnectionOptions {
	/** The org's instance URL (from the token response's `instance_url`). */
	instanceUrl: string;
	/** The core client every request goes through. */
	http: HttpClient;
	/** API version. Default {@link SALESFORCE_API_VERSION}. */
	version?: string;
}

/** A jsforce `Connection` whose requests all go through the core `HttpClient`. */
export function createJsforceConnection(options: JsforceConnectionOptions): Connection {
	const conn = new (vendor.jsforce().Connection)({
		instanceUrl: options.instanceUrl.replace(/\/+$/, ''),
		version: options.version ?? SALESFORCE_API_VERSION,
	});
	const CoreTransport = coreTransportClass();
	(conn as unknown as { _transport: JsforceTransport })._transport = new CoreTransport(
		options.http,
	);
	return conn;
}

/** The core transport under a connection made by {@link createJsforceConnection}. */
export function coreTransportOf(conn: Connection): CoreJsforceTransport | undefined {
	const transport = (conn as unknown as { _transport?: unknown })._transport;
	return transport instanceof coreTransportClass() ? transport : undefined;
}
