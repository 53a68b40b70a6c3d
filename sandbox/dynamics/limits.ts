/**
 * Dataverse's service protection limits, per user (the token's subject): in a sliding window (300 s) at most
 * 6,000 requests (`0x80072322`) and 1,200,000 ms of combined execution time (`0x80072321`), and at most 52 requests
 * in flight (`0x80072326`). A limited request is answered at once with 429, `Retry-After` (whole seconds until the
 * window frees) and the OData error body; admitted answers carry `x-ms-ratelimit-burst-remaining-xrm-requests` and
 * `x-ms-ratelimit-time-remaining-xrm-requests`. Requests dispatched inside the simulator (the inner requests of a
 * `$batch`) are marked with {@link markInternalRequest} and not counted again.
 */
import {
	ConcurrencyLimiter,
	HttpError,
	WindowLimiter,
	getHeader,
	json,
	principalOf,
	type Clock,
	type LatencySetting,
	type Middleware,
	type Reply,
	type SandboxRequest,
	type SandboxServer,
} from '../kit';
import { DEFAULT_SERVICE_PROTECTION, type ServiceProtectionLimits } from './protectionLimits';
import { errorReply } from './wire';

export { DEFAULT_SERVICE_PROTECTION, type ServiceProtectionLimits };

const INTERNAL = 'dynamics.internalRequest';

/** Marks a request dispatched by the simulator itself (e.g. a `$batch` part): service protection skips it. */
export function markInternalRequest(req: SandboxRequest): void {
	req.locals.set(INTERNAL, true);
}

export function isInternalRequest(req: SandboxRequest): boolean {
	return req.locals.get(INTERNAL) === true;
}

const OPERATIONS = 'dynamics.operations';
const WRITE_METHODS = new Set(['POST', 'PATCH', 'PUT', 'DELETE']);

/** Counts one operation run on behalf of `req` (a `$batch` calls it per inner request it runs). */
export function countOperation(req: SandboxRequest): void {
	req.locals.set(OPERATIONS, ((req.locals.get(OPERATIONS) as number | undefined) ?? 0) + 1);
}

/** The operations a request is charged for: those counted for it (a `$batch`), else 1 for a write, 0 for a read. */
function operationsOf(req: SandboxRequest): number {
	const counted = req.locals.get(OPERATIONS) as number | undefined;
	if (counted !== undefined) return counted;
	return req.kind !== 'batch' && WRITE_METHODS.has(req.method.toUpperCase()) ? 1 : 0;
}

/** `1,200,000` — Dataverse writes the millisecond limit with thousands separators. */
const grouped = (n: number, decimals = 0) =>
	n.toLocaleString('en-US', { minimumFractionDigits: decimals, maximumFractionDigits: decimals });

/** Execution time (completion time, ms charged) per user, in a sliding window. */
class ExecutionWindow {
	private readonly log = new Map<string, Array<{ at: number; ms: number }>>();

	constructor(private windowMs: number) {}

	private pruned(now: number, key: string) {
		const entries = (this.log.get(key) ?? []).filter((e) => e.at > now - this.windowMs);
		this.log.set(key, entries);
		return entries;
	}

	used(now: number, key: string): number {
		return this.pruned(now, key).reduce((sum, e) => sum + e.ms, 0);
	}

	add(now: number, key: string, ms: number): void {
		this.pruned(now, key).push({ at: now, ms });
	}

	/** When enough entries have left the window for the total to fall below `limit`. */
	freeAt(now: number, key: string, limit: number): number {
		let total = this.used(now, key);
		for (const e of this.pruned(now, key)) {
			if (total < limit) break;
			total -= e.ms;
			if (total < limit) return e.at + this.windowMs;
		}
		return now;
	}

	reset(): void {
		this.log.clear();
	}
}

/** The service protection state of the simulator. */
export class ServiceProtection {
	private limits: ServiceProtectionLimits | false = false;
	private requests?: WindowLimiter;
	private execution?: ExecutionWindow;
	private concurrency?: ConcurrencyLimiter;

	constructor(
		private readonly clock: Clock,
		/** The server's configured latency (charged as execution time when the clock did not move, see README). */
		private readonly latency: () => LatencySetting,
	) {}

	/** Sets the limits (counts restart), or turns them off with `false`. */
	set(limits: Partial<ServiceProtectionLimits> | false): void {
		if (limits === false) {
			this.limits = false;
			this.requests = this.execution = this.concurrency = undefined;
			return;
		}
		const l = { ...DEFAULT_SERVICE_PROTECTION, ...limits };
		for (const k of ['requests', 'executionMs', 'concurrent', 'windowMs'] as const)
			if (!Number.isInteger(l[k]) || l[k] < 1)
				throw new HttpError(400, `${k} must be a positive integer`, 'invalid_rate_limit');
		for (const k of ['costPerRequestMs', 'costPerOperationMs'] as const)
			if (!(typeof l[k] === 'number' && l[k] >= 0))
				throw new HttpError(400, `${k} must be >= 0`, 'invalid_rate_limit');
		this.limits = l;
		this.requests = new WindowLimiter({ limit: l.requests, windowMs: l.windowMs, mode: 'sliding' });
		this.execution = new ExecutionWindow(l.windowMs);
		this.concurrency = new ConcurrencyLimiter(l.concurrent);
	}

	get(): ServiceProtectionLimits | false {
		return this.limits === false ? false : { ...this.limits };
	}

	/** Forgets all counts (limits stay). */
	reset(): void {
		this.requests?.reset();
		this.execution?.reset();
		this.concurrency?.reset();
	}

	/** What a user has used in the current window — for tests and the admin endpoint. */
	usage(user: string): { requests: number; executionMs: number; inFlight: number } {
		const now = this.clock.now();
		const l = this.limits;
		if (l === false || !this.requests || !this.execution || !this.concurrency)
			return { requests: 0, executionMs: 0, inFlight: 0 };
		return {
			requests: l.requests - this.requests.peek(now, user).remaining,
			executionMs: this.execution.used(now, user),
			inFlight: this.concurrency.current(user),
		};
	}

	/** The configured latency in ms (a range counts its midpoint). */
	private latencyMs(): number {
		const l = this.latency();
		return typeof l === 'number' ? l : (l.minMs + l.maxMs) / 2;
	}

	private tooMany(code: string, message: string, retryAfterMs: number): Reply {
		const reply = errorReply(new HttpError(429, message, code));
		reply.headers['Retry-After'] = String(Math.max(1, Math.ceil(retryAfterMs / 1000)));
		return reply;
	}

	/** Runs after authentication: counts the caller's request, or answers 429 at once. */
	middleware(): Middleware {
		return async (req, next) => {
			const l = this.limits;
			const principal = principalOf(req);
			if (l === false || !principal || isInternalRequest(req) || req.kind === 'token')
				return next();
			const requests = this.requests!;
			const execution = this.execution!;
			const concurrency = this.concurrency!;
			const user = principal.subject;
			const now = this.clock.now();
			const window = `over time window of ${l.windowMs / 1000} seconds`;
			const r = requests.peek(now, user);
			if (!r.allowed)
				return this.tooMany(
					'0x80072322',
					`Number of requests exceeded the limit of ${l.requests} ${window}.`,
					r.retryAfterMs,
				);
			const used = execution.used(now, user);
			if (used >= l.executionMs)
				return this.tooMany(
					'0x80072321',
					`Combined execution time of incoming requests exceeded limit of ${grouped(l.executionMs)} milliseconds ${window}. Decrease number of concurrent requests or reduce the duration of requests and try again later.`,
					execution.freeAt(now, user, l.executionMs) - now,
				);
			if (!concurrency.peek(now, user).allowed)
				return this.tooMany(
					'0x80072326',
					`Number of concurrent requests exceeded the limit of ${l.concurrent}.`,
					1000,
				);
			const counted = requests.consume(now, user);
			concurrency.consume(now, user);
			let reply: Reply | undefined;
			try {
				reply = await next();
				return reply;
			} finally {
				concurrency.release(user);
				const end = this.clock.now();
				// Handling time on the injected clock from arrival (before the latency wait), at least the configured
				// latency (a ManualClock does not move while the server sleeps), plus the configured per-request cost and
				// the per-operation cost of each write (or inner request of a `$batch`) it ran.
				const ms =
					Math.max(end - req.startedAt, this.latencyMs()) +
					(l.costPerRequestMs ?? 0) +
					operationsOf(req) * (l.costPerOperationMs ?? 0);
				execution.add(end, user, ms);
				if (reply) {
					const set = (k: string, v: string) => {
						if (getHeader(reply!, k) === undefined) reply!.headers[k] = v;
					};
					set('x-ms-ratelimit-burst-remaining-xrm-requests', String(counted.remaining));
					set(
						'x-ms-ratelimit-time-remaining-xrm-requests',
						grouped(Math.max(0, l.executionMs - used), 2),
					);
				}
			}
		};
	}

	/** `GET|PUT /__sandbox/rate-limit` (body: the limits, or `{enabled:false}`); `GET` also shows a user's usage. */
	installAdmin(s: SandboxServer, defaultUser: () => string): void {
		s.admin('GET', '/rate-limit', (req) =>
			json({
				serviceProtection: this.get(),
				usage: this.usage(req.query.get('user') ?? defaultUser()),
			}),
		);
		s.admin('PUT', '/rate-limit', async (req) => {
			const body = (await req.json<Record<string, unknown>>()) ?? {};
			if (body.enabled === false) this.set(false);
			else {
				const rest = { ...body };
				delete rest.enabled;
				this.set({ ...(this.get() || {}), ...(rest as Partial<ServiceProtectionLimits>) });
			}
			return json({ serviceProtection: this.get() });
		});
		s.admin('DELETE', '/rate-limit/usage', () => {
			this.reset();
			return json({ serviceProtection: this.get() });
		});
	}
}
