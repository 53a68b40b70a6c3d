/**
 * `SandboxServer`: the HTTP host every simulator runs on. Node's `http` module only; loopback only.
 *
 * Request pipeline for API requests (anything outside the admin prefix `/__sandbox`):
 * match route (sets params + log kind) → latency → fault injection → simulator middleware (auth,
 * rate limits, …) → handler (or a vendor-shaped 404/405) → response hooks (vendor headers) → write → log.
 * Admin requests skip latency, faults, middleware, response hooks and the log.
 */
import {
	IncomingMessage,
	createServer,
	type IncomingHttpHeaders,
	type Server,
	type ServerResponse,
} from 'node:http';
import { Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import { sleep as realSleep, systemClock, type Clock } from './clock';
import { FaultInjector, type FaultSpec } from './faults';
import {
	HttpError,
	SandboxRequest,
	empty,
	json,
	setHeader,
	type Handler,
	type Middleware,
	type Reply,
} from './http';
import { RequestLog, filterFromQuery, queryToObject } from './requestLog';
import { SeededRandom } from './rng';
import { Router, type RouteOptions } from './router';

/** Fixed latency in ms, or a uniformly random one between `minMs` and `maxMs` (seeded). */
export type LatencySetting = number | { minMs: number; maxMs: number };

/** Options for {@link SandboxServer}. */
export interface SandboxServerOptions {
	/** Name used in error messages (e.g. `rest`, `salesforce`). */
	name?: string;
	/** Port to listen on; 0 (default) picks a free one. Always binds 127.0.0.1. */
	port?: number;
	clock?: Clock;
	/** Seed for latency jitter and fault probabilities. */
	seed?: number;
	/** Default body size cap in bytes (default 10 MiB); larger bodies answer 413. */
	maxBodyBytes?: number;
	latency?: LatencySetting;
	/** Shapes error answers (thrown `HttpError`s, 404, 405, 413, malformed bodies) in the vendor's format. */
	errorReply?: (error: HttpError, req: SandboxRequest) => Reply;
	/** Delay function (default real timers). */
	sleep?: (ms: number) => Promise<void>;
	/** Admin path prefix (default `/__sandbox`). */
	adminPrefix?: string;
}

/** Where a started server listens. */
export interface ServerAddress {
	/** `http://127.0.0.1:<port>` (no trailing slash). */
	url: string;
	port: number;
}

/** A hook run on every API reply before it is written (e.g. to add `Sforce-Limit-Info`). */
export type ResponseHook = (req: SandboxRequest, reply: Reply) => void;

/** Generic JSON error body `{error, message, ...details}`. */
export function defaultErrorReply(error: HttpError): Reply {
	return json(
		{ error: error.code ?? 'error', message: error.message, ...error.details },
		error.status,
		{ ...error.headers },
	);
}

/** A request to run inside another one with {@link SandboxServer.dispatchInner}. */
export interface InnerRequestInit {
	method: string;
	/** Origin-form (`/path?query`) or absolute URL (only its path and query are used). */
	target: string;
	headers?: Record<string, string>;
	body?: string | Buffer;
	/** The base URL the inner request sees (default the server's own). */
	baseUrl?: string;
	/** Called with the inner request before it runs (e.g. to mark it in `req.locals` for a middleware). */
	prepare?: (req: SandboxRequest) => void;
}

/** Most records one admin `/seed` request may ask for, per kind. */
export const MAX_SEED_COUNT = 1_000_000;

/**
 * The record counts of an admin `/seed` body: each of `kinds` absent (0) or an integer 0..{@link MAX_SEED_COUNT};
 * anything else throws a 400 `HttpError` (`invalid_seed`) naming the kinds.
 */
export function seedCounts<K extends string>(
	body: Partial<Record<K, unknown>> | undefined,
	kinds: readonly K[],
): Record<K, number> {
	const counts = {} as Record<K, number>;
	for (const kind of kinds) {
		const v = body?.[kind];
		if (
			v !== undefined &&
			!(Number.isInteger(v) && (v as number) >= 0 && (v as number) <= MAX_SEED_COUNT)
		) {
			throw new HttpError(
				400,
				`${kinds.join('/')} must be integers 0..${MAX_SEED_COUNT}`,
				'invalid_seed',
			);
		}
		counts[kind] = v === undefined ? 0 : (v as number);
	}
	return counts;
}

/** An HTTP server with a router, middleware, latency, faults, a request log and admin endpoints. */
export class SandboxServer {
	readonly name: string;
	readonly router = new Router();
	readonly log = new RequestLog();
	readonly faults: FaultInjector;
	readonly clock: Clock;
	readonly adminPrefix: string;
	private readonly adminRouter = new Router();
	private readonly middlewares: Middleware[] = [];
	private readonly responseHooks: ResponseHook[] = [];
	private readonly sockets = new Set<Socket>();
	private readonly rng: SeededRandom;
	private readonly sleep: (ms: number) => Promise<void>;
	private readonly maxBodyBytes: number;
	private errorReply: (error: HttpError, req: SandboxRequest) => Reply;
	private latency: LatencySetting;
	private server?: Server;
	private address?: ServerAddress;
	private readonly requestedPort: number;

	constructor(options: SandboxServerOptions = {}) {
		this.name = options.name ?? 'sandbox';
		this.clock = options.clock ?? systemClock;
		this.rng = new SeededRandom((options.seed ?? 1) ^ 0x5eed);
		this.sleep = options.sleep ?? realSleep;
		this.faults = new FaultInjector({ clock: this.clock, seed: options.seed, sleep: this.sleep });
		this.maxBodyBytes = options.maxBodyBytes ?? 10 * 1024 * 1024;
		this.errorReply = options.errorReply ?? defaultErrorReply;
		this.latency = 0;
		this.setLatency(options.latency ?? 0);
		this.requestedPort = options.port ?? 0;
		this.adminPrefix = (options.adminPrefix ?? '/__sandbox').replace(/\/+$/, '');
		this.installAdminRoutes();
	}

	// ---- routing & hooks -------------------------------------------------------------------------

	/** Registers an API route. */
	route(
		method: string | string[],
		pattern: string | RegExp,
		handler: Handler,
		options?: RouteOptions,
	): this {
		this.router.add(method, pattern, handler, options);
		return this;
	}

	get(pattern: string | RegExp, handler: Handler, options?: RouteOptions): this {
		return this.route('GET', pattern, handler, options);
	}

	post(pattern: string | RegExp, handler: Handler, options?: RouteOptions): this {
		return this.route('POST', pattern, handler, options);
	}

	put(pattern: string | RegExp, handler: Handler, options?: RouteOptions): this {
		return this.route('PUT', pattern, handler, options);
	}

	patch(pattern: string | RegExp, handler: Handler, options?: RouteOptions): this {
		return this.route('PATCH', pattern, handler, options);
	}

	delete(pattern: string | RegExp, handler: Handler, options?: RouteOptions): this {
		return this.route('DELETE', pattern, handler, options);
	}

	/** Adds middleware run (in order) for API requests after latency and faults, before the handler. */
	use(middleware: Middleware): this {
		this.middlewares.push(middleware);
		return this;
	}

	/** Adds a hook run on every API reply (including errors and injected faults) before it is written. */
	onResponse(hook: ResponseHook): this {
		this.responseHooks.push(hook);
		return this;
	}

	/** Registers an admin route under the admin prefix (e.g. `admin('PUT', '/rate-limit', …)`). */
	admin(method: string | string[], subPath: string, handler: Handler): this {
		this.adminRouter.add(method, this.adminPrefix + subPath, handler);
		return this;
	}

	/** Replaces the vendor error shaper. */
	setErrorReply(shaper: (error: HttpError, req: SandboxRequest) => Reply): void {
		this.errorReply = shaper;
	}

	/** Sets per-request latency (0 = none). */
	setLatency(latency: LatencySetting): void {
		if (typeof latency === 'number') {
			if (!(latency >= 0)) throw new RangeError('latency must be >= 0');
		} else if (!(latency.minMs >= 0 && latency.maxMs >= latency.minMs)) {
			throw new RangeError('latency needs 0 <= minMs <= maxMs');
		}
		this.latency = latency;
	}

	getLatency(): LatencySetting {
		return this.latency;
	}

	// ---- lifecycle -------------------------------------------------------------------------------

	/** Starts listening on 127.0.0.1. Idempotent. */
	async start(): Promise<ServerAddress> {
		if (this.address) return this.address;
		const server = createServer((req, res) => {
			this.dispatch(req, res).catch((err: unknown) => {
				process.stderr.write(
					`[${this.name}] dispatch failed: ${err instanceof Error ? err.stack : String(err)}\n`,
				);
				if (!res.headersSent) res.writeHead(500).end();
				else res.destroy();
			});
		});
		server.keepAliveTimeout = 5000;
		server.on('connection', (socket: Socket) => {
			this.sockets.add(socket);
			socket.on('close', () => this.sockets.delete(socket));
		});
		await new Promise<void>((resolve, reject) => {
			server.once('error', reject);
			server.listen(this.requestedPort, '127.0.0.1', () => {
				server.off('error', reject);
				resolve();
			});
		});
		const addr = server.address();
		if (addr === null || typeof addr === 'string')
			throw new Error(`${this.name}: unexpected server address`);
		this.server = server;
		this.address = { url: `http://127.0.0.1:${addr.port}`, port: addr.port };
		return this.address;
	}

	/** Stops listening and destroys every open (including keep-alive) connection. Idempotent. */
	async stop(): Promise<void> {
		const server = this.server;
		if (!server) return;
		this.server = undefined;
		this.address = undefined;
		const closed = new Promise<void>((resolve) => server.close(() => resolve()));
		for (const socket of this.sockets) socket.destroy();
		this.sockets.clear();
		await closed;
	}

	/** The base URL once started. */
	get url(): string {
		if (!this.address) throw new Error(`${this.name}: server not started`);
		return this.address.url;
	}

	/** Whether the server is listening. */
	get listening(): boolean {
		return this.address !== undefined;
	}

	// ---- request handling ------------------------------------------------------------------------

	private async dispatch(raw: IncomingMessage, res: ServerResponse): Promise<void> {
		const started = performance.now();
		const baseUrl = this.address?.url ?? `http://${raw.headers.host ?? '127.0.0.1'}`;
		let req: SandboxRequest;
		try {
			req = new SandboxRequest({
				raw,
				baseUrl,
				startedAt: this.clock.now(),
				maxBodyBytes: this.maxBodyBytes,
			});
		} catch {
			res.writeHead(400, { 'Content-Type': 'text/plain' }).end('Bad request URL');
			return;
		}
		if (req.path === this.adminPrefix || req.path.startsWith(this.adminPrefix + '/')) {
			const reply = await this.runAdmin(req);
			this.write(res, req, reply);
			return;
		}
		const reply = await this.runApi(req);
		if (!reply.dropped && !req.dropped) {
			for (const hook of this.responseHooks) {
				try {
					hook(req, reply);
				} catch (err) {
					process.stderr.write(`[${this.name}] response hook failed: ${String(err)}\n`);
				}
			}
		}
		const record = () => {
			this.log.record({
				method: req.method,
				path: req.path,
				query: queryToObject(req.query),
				status: req.dropped || reply.dropped ? 0 : res.statusCode,
				durationMs: performance.now() - started,
				kind: req.kind,
				at: req.startedAt,
				...(req.fault !== undefined ? { fault: req.fault } : {}),
				...(req.dropped || reply.dropped ? { dropped: true } : {}),
			});
		};
		if (reply.dropped || req.dropped) {
			if (!req.dropped) req.destroyConnection();
			record();
			return;
		}
		let logged = false;
		const once = () => {
			if (!logged) {
				logged = true;
				record();
			}
		};
		res.once('finish', once);
		res.once('close', once);
		this.write(res, req, reply);
	}

	/**
	 * Runs a request that arrived inside another one (an OData `$batch` part, a composite sub-request) through the
	 * same pipeline as a top-level API request — route (and its log kind), faults, middleware, handler, response
	 * hooks — except the configured latency: an inner request is no network round-trip, so latency belongs to the
	 * outer HTTP request alone. It logs it with its own kind, but returns the reply instead of writing it. Auth middleware
	 * sees only the headers given: copy the outer request's `Authorization` to act with its credentials. A dropped
	 * reply (a `drop` fault) comes back with `dropped: true`; the caller decides what that means for the outer request.
	 */
	async dispatchInner(inner: InnerRequestInit): Promise<Reply> {
		const started = performance.now();
		// A synthetic IncomingMessage: SandboxRequest reads method, URL, headers and the body stream from it.
		const raw = new IncomingMessage(new Socket());
		raw.method = inner.method.toUpperCase();
		raw.url = inner.target;
		raw.headers = Object.fromEntries(
			Object.entries(inner.headers ?? {}).map(([k, v]) => [k.toLowerCase(), v]),
		) as IncomingHttpHeaders;
		const body = inner.body === undefined ? Buffer.alloc(0) : Buffer.from(inner.body);
		raw.headers['content-length'] = String(body.length);
		if (body.length > 0) raw.push(body);
		raw.push(null);
		const req = new SandboxRequest({
			raw,
			baseUrl: inner.baseUrl ?? this.address?.url ?? 'http://127.0.0.1',
			startedAt: this.clock.now(),
			maxBodyBytes: this.maxBodyBytes,
		});
		inner.prepare?.(req);
		const reply = await this.runApi(req, true);
		const dropped = reply.dropped === true || req.dropped;
		if (!dropped) {
			for (const hook of this.responseHooks) {
				try {
					hook(req, reply);
				} catch (err) {
					process.stderr.write(`[${this.name}] response hook failed: ${String(err)}\n`);
				}
			}
		}
		this.log.record({
			method: req.method,
			path: req.path,
			query: queryToObject(req.query),
			status: dropped ? 0 : reply.status,
			durationMs: performance.now() - started,
			kind: req.kind,
			at: req.startedAt,
			...(req.fault !== undefined ? { fault: req.fault } : {}),
			...(dropped ? { dropped: true } : {}),
		});
		return dropped ? { status: 0, headers: {}, dropped: true } : reply;
	}

	/** Runs the middleware chain and the route; `inner` requests (see {@link dispatchInner}) skip the latency. */
	private async runApi(req: SandboxRequest, inner = false): Promise<Reply> {
		let match: ReturnType<Router['match']>;
		try {
			match = this.router.match(req.method, req.path);
		} catch (err) {
			return this.toErrorReply(err, req);
		}
		if (match.type === 'found') {
			req.params = match.params;
			req.kind = match.route.options.kind;
			if (match.route.options.maxBodyBytes !== undefined)
				req.maxBodyBytes = match.route.options.maxBodyBytes;
		}
		const terminal = async (): Promise<Reply> => {
			if (match.type === 'found') return match.route.handler(req);
			if (match.type === 'methodNotAllowed') {
				throw new HttpError(
					405,
					`Method ${req.method} not allowed for ${req.path}`,
					'method_not_allowed',
					undefined,
					{
						Allow: match.allowed.join(', '),
					},
				);
			}
			throw new HttpError(404, `No route for ${req.method} ${req.path}`, 'not_found');
		};
		const chain: Middleware[] = [
			...(inner ? [] : [this.latencyMiddleware]),
			this.faults.middleware(),
			...this.middlewares,
		];
		const run = (i: number): Promise<Reply> => {
			// Handler errors become replies here, so every middleware (rate-limit headers, logging) sees a reply.
			if (i === chain.length)
				return terminal().catch((err: unknown) => this.toErrorReply(err, req));
			return chain[i](req, () => run(i + 1));
		};
		try {
			return await run(0);
		} catch (err) {
			return this.toErrorReply(err, req);
		}
	}

	private readonly latencyMiddleware: Middleware = async (_req, next) => {
		const l = this.latency;
		const ms = typeof l === 'number' ? l : l.minMs + this.rng.next() * (l.maxMs - l.minMs);
		if (ms > 0) await this.sleep(Math.round(ms));
		return next();
	};

	private toErrorReply(err: unknown, req: SandboxRequest): Reply {
		if (req.dropped) return { status: 0, headers: {}, dropped: true };
		const httpError =
			err instanceof HttpError
				? err
				: new HttpError(
						500,
						`Internal sandbox error: ${err instanceof Error ? err.message : String(err)}`,
						'internal_error',
					);
		if (!(err instanceof HttpError))
			process.stderr.write(
				`[${this.name}] handler error: ${err instanceof Error ? err.stack : String(err)}\n`,
			);
		try {
			const reply = this.errorReply(httpError, req);
			for (const [k, v] of Object.entries(httpError.headers)) setHeader(reply, k, v);
			return reply;
		} catch {
			return defaultErrorReply(httpError);
		}
	}

	private async runAdmin(req: SandboxRequest): Promise<Reply> {
		try {
			const match = this.adminRouter.match(req.method, req.path);
			if (match.type === 'found') {
				req.params = match.params;
				return await match.route.handler(req);
			}
			if (match.type === 'methodNotAllowed') {
				return json(
					{ error: 'method_not_allowed', message: `Allowed: ${match.allowed.join(', ')}` },
					405,
					{ Allow: match.allowed.join(', ') },
				);
			}
			return json({ error: 'not_found', message: `No admin route ${req.method} ${req.path}` }, 404);
		} catch (err) {
			if (err instanceof HttpError) return defaultErrorReply(err);
			return json(
				{ error: 'internal_error', message: err instanceof Error ? err.message : String(err) },
				500,
			);
		}
	}

	private write(res: ServerResponse, req: SandboxRequest, reply: Reply): void {
		if (res.destroyed || res.writableEnded) return;
		try {
			const body =
				reply.body === undefined
					? undefined
					: Buffer.isBuffer(reply.body)
						? reply.body
						: Buffer.from(reply.body, 'utf8');
			const headers = { ...reply.headers };
			if (
				body !== undefined &&
				!Object.keys(headers).some((k) => k.toLowerCase() === 'content-length')
			) {
				headers['Content-Length'] = body.length;
			}
			// A real server's Date header is its own clock: clients that read server time (watermarks) then
			// follow the simulator's clock, including a ManualClock in tests.
			if (!Object.keys(headers).some((k) => k.toLowerCase() === 'date'))
				headers.Date = new Date(this.clock.now()).toUTCString();
			res.writeHead(reply.status, headers);
			if (
				body !== undefined &&
				req.method !== 'HEAD' &&
				reply.status !== 204 &&
				reply.status !== 304
			)
				res.end(body);
			else res.end();
		} catch (err) {
			process.stderr.write(`[${this.name}] failed to write reply: ${String(err)}\n`);
			res.destroy();
		}
	}

	private installAdminRoutes(): void {
		this.admin('GET', '/health', () => json({ ok: true, name: this.name }));
		this.admin('GET', '/log', (req) => {
			const filter = filterFromQuery(req.query);
			const withEntries = req.query.get('entries') !== 'false';
			return json({
				count: this.log.count(filter),
				byKind: this.log.byKind(filter),
				...(withEntries ? { entries: this.log.entries(filter) } : {}),
			});
		});
		this.admin('DELETE', '/log', () => {
			this.log.reset();
			return empty();
		});
		this.admin('GET', '/faults', () => json({ faults: this.faults.list() }));
		this.admin('POST', '/faults', async (req) => {
			const body = await req.json<unknown>();
			if (
				typeof body === 'object' &&
				body !== null &&
				(body as { type?: unknown }).type === 'expireTokens'
			) {
				return json({ expired: this.faults.expireTokens() });
			}
			const id = this.faults.add(body as FaultSpec);
			return json({ id }, 201);
		});
		this.admin('DELETE', '/faults', () => {
			this.faults.clearFaults();
			return empty();
		});
		this.admin('DELETE', '/faults/:id', (req) =>
			this.faults.remove(req.params.id)
				? empty()
				: json({ error: 'not_found', message: `No fault ${req.params.id}` }, 404),
		);
		this.admin('GET', '/latency', () => json({ latency: this.latency }));
		this.admin('PUT', '/latency', async (req) => {
			const body = await req.json<{ ms?: unknown; minMs?: unknown; maxMs?: unknown }>();
			try {
				if (body && typeof body.ms === 'number') this.setLatency(body.ms);
				else if (body && typeof body.minMs === 'number' && typeof body.maxMs === 'number')
					this.setLatency({ minMs: body.minMs, maxMs: body.maxMs });
				else throw new RangeError('expected {ms} or {minMs, maxMs}');
			} catch (err) {
				throw new HttpError(400, (err as Error).message, 'invalid_latency');
			}
			return json({ latency: this.latency });
		});
	}
}
