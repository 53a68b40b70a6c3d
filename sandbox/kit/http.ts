/**
 * Request / reply primitives shared by the sandbox server, its middleware and every simulator.
 * Handlers receive a {@link SandboxRequest} and return a {@link Reply} value (status, headers, body),
 * which keeps handlers easy to test and lets middleware add headers before anything is written.
 */
import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import { parseCsv, stringifyCsv } from './csv';

/** Outgoing headers. Names keep the casing given (wire-faithful, e.g. `Sforce-Limit-Info`). */
export type ReplyHeaders = Record<string, string | number | string[]>;

/** What a handler answers. `dropped` means the connection was destroyed and nothing is written. */
export interface Reply {
	status: number;
	headers: ReplyHeaders;
	body?: string | Buffer;
	dropped?: boolean;
}

/** A request handler. */
export type Handler = (req: SandboxRequest) => Reply | Promise<Reply>;

/** Koa-style middleware: call `next()` to continue, or return a reply to short-circuit. */
export type Middleware = (req: SandboxRequest, next: () => Promise<Reply>) => Promise<Reply>;

/** An error a handler or middleware throws to answer with a status; the server shapes its body. */
export class HttpError extends Error {
	constructor(
		readonly status: number,
		message: string,
		/** A machine-readable code (e.g. `malformed_json`, `NOT_FOUND`); the vendor error shaper may use it. */
		readonly code?: string,
		/** Extra fields for the error body (e.g. `{ fields: ['Email'] }`). */
		readonly details?: Record<string, unknown>,
		readonly headers: ReplyHeaders = {},
	) {
		super(message);
		this.name = 'HttpError';
	}
}

/** A body parsed according to its `Content-Type`. */
export type ParsedBody =
	| { kind: 'empty' }
	| { kind: 'json'; value: unknown }
	| { kind: 'form'; value: URLSearchParams }
	| { kind: 'csv'; value: string[][]; text: string }
	| { kind: 'text'; value: string }
	| { kind: 'raw'; value: Buffer; contentType: string };

/** Options the server passes when it builds a request. */
export interface SandboxRequestInit {
	raw: IncomingMessage;
	baseUrl: string;
	startedAt: number;
	maxBodyBytes: number;
}

/** One incoming request, with lazy, size-capped, cached body reading. */
export class SandboxRequest {
	readonly raw: IncomingMessage;
	/** Upper-case method. */
	readonly method: string;
	/** The full URL, absolute against the server's base URL. */
	readonly url: URL;
	/** The path (still percent-encoded, as on the wire). */
	readonly path: string;
	/** The query string; repeated keys are kept (`getAll`). */
	readonly query: URLSearchParams;
	readonly headers: IncomingHttpHeaders;
	/** `http://127.0.0.1:<port>` of the server that received the request. */
	readonly baseUrl: string;
	/** Clock time at arrival. */
	readonly startedAt: number;
	/** Route parameters (decoded), set when a route matched. */
	params: Record<string, string> = {};
	/** A label for the request log (`query`, `batch.create`, `token`, …); routes set it, handlers may refine it. */
	kind?: string;
	/** The fault applied to this request, if any (for the request log). */
	fault?: string;
	/** Per-request scratch space for middleware (e.g. the authenticated principal). */
	readonly locals = new Map<string, unknown>();
	/** Body size cap in bytes; a larger body answers 413. Routes may change it before the body is read. */
	maxBodyBytes: number;
	private bodyPromise?: Promise<Buffer>;
	private droppedFlag = false;

	constructor(init: SandboxRequestInit) {
		this.raw = init.raw;
		this.method = (init.raw.method ?? 'GET').toUpperCase();
		this.url = requestUrl(init.raw.url ?? '/', init.baseUrl);
		this.path = this.url.pathname;
		this.query = this.url.searchParams;
		this.headers = init.raw.headers;
		this.baseUrl = init.baseUrl;
		this.startedAt = init.startedAt;
		this.maxBodyBytes = init.maxBodyBytes;
	}

	/** The first value of a header (case-insensitive name). */
	header(name: string): string | undefined {
		const v = this.headers[name.toLowerCase()];
		return Array.isArray(v) ? v[0] : v;
	}

	/** The media type of the body, lower-case, without parameters (`application/json`). */
	get contentType(): string {
		return (this.header('content-type') ?? '').split(';')[0].trim().toLowerCase();
	}

	/** Whether the body has been (or is being) read. */
	get bodyRead(): boolean {
		return this.bodyPromise !== undefined;
	}

	/** Whether the connection was destroyed on purpose. */
	get dropped(): boolean {
		return this.droppedFlag;
	}

	/** Reads the whole body (once; later calls share the result). Rejects with a 413 `HttpError` past the cap. */
	readBody(): Promise<Buffer> {
		if (!this.bodyPromise) this.bodyPromise = this.collect();
		return this.bodyPromise;
	}

	private collect(): Promise<Buffer> {
		const cap = this.maxBodyBytes;
		const declared = Number(this.header('content-length'));
		if (Number.isFinite(declared) && declared > cap) {
			this.raw.resume();
			return Promise.reject(tooLarge(cap));
		}
		return new Promise<Buffer>((resolve, reject) => {
			const chunks: Buffer[] = [];
			let size = 0;
			let failed = false;
			this.raw.on('data', (chunk: Buffer) => {
				if (failed) return;
				size += chunk.length;
				if (size > cap) {
					failed = true;
					chunks.length = 0;
					reject(tooLarge(cap));
					return;
				}
				chunks.push(chunk);
			});
			this.raw.on('end', () => {
				if (!failed) resolve(Buffer.concat(chunks));
			});
			this.raw.on('error', (err) => {
				if (!failed) {
					failed = true;
					reject(err);
				}
			});
		});
	}

	/** The body as UTF-8 text. */
	async text(): Promise<string> {
		return (await this.readBody()).toString('utf8');
	}

	/** The body parsed as JSON (`undefined` when empty); a malformed body throws a 400 `HttpError`. */
	async json<T = unknown>(): Promise<T> {
		const text = await this.text();
		if (text.trim() === '') return undefined as T;
		try {
			return JSON.parse(text) as T;
		} catch (err) {
			throw new HttpError(400, `Malformed JSON body: ${(err as Error).message}`, 'malformed_json');
		}
	}

	/** The body parsed as `application/x-www-form-urlencoded`. */
	async form(): Promise<URLSearchParams> {
		return new URLSearchParams(await this.text());
	}

	/** The body parsed as CSV rows; malformed CSV throws a 400 `HttpError`. */
	async csv(delimiter = ','): Promise<string[][]> {
		try {
			return parseCsv(await this.text(), delimiter);
		} catch (err) {
			throw new HttpError(400, (err as Error).message, 'malformed_csv');
		}
	}

	/** The body parsed according to its `Content-Type` (JSON also for `+json` types; unknown types stay raw). */
	async body(): Promise<ParsedBody> {
		const buf = await this.readBody();
		if (buf.length === 0) return { kind: 'empty' };
		const type = this.contentType;
		if (type === 'application/json' || type.endsWith('+json'))
			return { kind: 'json', value: await this.json() };
		if (type === 'application/x-www-form-urlencoded')
			return { kind: 'form', value: await this.form() };
		if (type === 'text/csv') {
			const text = buf.toString('utf8');
			return { kind: 'csv', value: await this.csv(), text };
		}
		if (type.startsWith('text/')) return { kind: 'text', value: buf.toString('utf8') };
		return { kind: 'raw', value: buf, contentType: type };
	}

	/** Destroys the connection without answering (the client sees a reset / "socket hang up"). */
	destroyConnection(): Reply {
		this.droppedFlag = true;
		this.raw.socket.destroy();
		return droppedReply();
	}
}

/**
 * Resolves a request target against the server's own base URL. Origin-form targets (`/path?q`) are
 * appended rather than resolved, so `//host/x` stays a path; absolute-form targets keep only their path.
 */
function requestUrl(target: string, baseUrl: string): URL {
	if (/^https?:\/\//i.test(target)) {
		const abs = new URL(target);
		return new URL(abs.pathname + abs.search, baseUrl);
	}
	return new URL(baseUrl + (target.startsWith('/') ? target : `/${target}`));
}

function tooLarge(cap: number): HttpError {
	return new HttpError(413, `Request body exceeds ${cap} bytes`, 'payload_too_large', undefined, {
		Connection: 'close',
	});
}

/** A JSON reply. */
export function json(body: unknown, status = 200, headers: ReplyHeaders = {}): Reply {
	return {
		status,
		headers: { 'Content-Type': 'application/json;charset=UTF-8', ...headers },
		body: JSON.stringify(body),
	};
}

/** A text reply (default `text/plain`). */
export function text(
	body: string,
	status = 200,
	headers: ReplyHeaders = {},
	contentType = 'text/plain; charset=utf-8',
): Reply {
	return { status, headers: { 'Content-Type': contentType, ...headers }, body };
}

/** A CSV reply from rows or ready-made CSV text. */
export function csv(
	rows: string | ReadonlyArray<ReadonlyArray<string | number | boolean | null | undefined>>,
	status = 200,
	headers: ReplyHeaders = {},
): Reply {
	const body = typeof rows === 'string' ? rows : stringifyCsv(rows);
	return text(body, status, headers, 'text/csv; charset=UTF-8');
}

/** A reply without a body (default 204). */
export function empty(status = 204, headers: ReplyHeaders = {}): Reply {
	return { status, headers: { ...headers } };
}

/** A redirect (default 302 Found). */
export function redirect(location: string, status = 302, headers: ReplyHeaders = {}): Reply {
	return { status, headers: { Location: location, ...headers } };
}

/** The marker reply for a destroyed connection. */
export function droppedReply(): Reply {
	return { status: 0, headers: {}, dropped: true };
}

/** Sets a header on a reply, replacing any existing header of the same name in any casing. */
export function setHeader(reply: Reply, name: string, value: string | number | string[]): Reply {
	const lower = name.toLowerCase();
	for (const key of Object.keys(reply.headers)) {
		if (key.toLowerCase() === lower) delete reply.headers[key];
	}
	reply.headers[name] = value;
	return reply;
}

/** Reads a reply header case-insensitively. */
export function getHeader(reply: Reply, name: string): string | number | string[] | undefined {
	const lower = name.toLowerCase();
	for (const [key, value] of Object.entries(reply.headers)) {
		if (key.toLowerCase() === lower) return value;
	}
	return undefined;
}
