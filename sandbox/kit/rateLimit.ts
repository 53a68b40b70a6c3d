/**
 * Rate limits that answer as the vendor does. A {@link RateLimitRule} pairs a limiter (fixed or sliding
 * window, daily counter, concurrency cap) with the vendor's "reject" answer and the headers it sends on
 * success. {@link RateLimiter} applies a list of rules as server middleware, on the injectable clock.
 * A request is counted only when every applicable rule admits it.
 */
import { systemClock, type Clock } from './clock';
import {
	json,
	getHeader,
	type Middleware,
	type Reply,
	type ReplyHeaders,
	type SandboxRequest,
} from './http';

/** A limiter's view of one key at one moment. */
export interface LimitState {
	/** Whether one more request is admitted now. */
	allowed: boolean;
	limit: number;
	/** Requests (or concurrent slots) left after this one is counted (or now, when rejected). */
	remaining: number;
	/** Epoch ms when the window resets (fixed) or the oldest counted request leaves it (sliding); `now` for concurrency. */
	resetAt: number;
	/** How long until a request would be admitted (0 when allowed). */
	retryAfterMs: number;
	/** Window length in ms (0 for concurrency). */
	windowMs: number;
}

/** Counts requests per key. */
export interface Limiter {
	/** Reports whether a request is admitted, without counting it. */
	peek(now: number, key: string): LimitState;
	/** Counts one request (call only after `peek` admitted it). Returns the state after counting. */
	consume(now: number, key: string): LimitState;
	/** Gives back a concurrency slot (no-op for windows). */
	release(key: string): void;
	/** Forgets all counts. */
	reset(): void;
}

/** Window settings. */
export interface WindowOptions {
	limit: number;
	windowMs: number;
	/** `fixed` windows are aligned to multiples of `windowMs` since the epoch (+ `alignOffsetMs`). */
	mode: 'fixed' | 'sliding';
	/** Shifts fixed-window boundaries (e.g. a daily limit resetting at midnight in a time zone). */
	alignOffsetMs?: number;
}

/** A fixed or sliding window counter. Sliding windows keep one timestamp per counted request (≤ limit per key). */
export class WindowLimiter implements Limiter {
	private options: WindowOptions;
	private readonly fixed = new Map<string, { start: number; count: number }>();
	private readonly sliding = new Map<string, number[]>();

	constructor(options: WindowOptions) {
		validateWindow(options);
		this.options = { ...options };
	}

	/** Current settings. */
	get settings(): Readonly<WindowOptions> {
		return this.options;
	}

	/** Changes limit / window at runtime (counts are kept). */
	configure(changes: Partial<WindowOptions>): void {
		const next = { ...this.options, ...changes };
		validateWindow(next);
		if (next.mode !== this.options.mode || next.windowMs !== this.options.windowMs) this.reset();
		this.options = next;
	}

	peek(now: number, key: string): LimitState {
		return this.state(now, key);
	}

	consume(now: number, key: string): LimitState {
		const { mode } = this.options;
		if (mode === 'fixed') {
			const start = this.windowStart(now);
			const w = this.fixed.get(key);
			if (!w || w.start !== start) this.fixed.set(key, { start, count: 1 });
			else w.count++;
		} else {
			const log = this.prunedLog(now, key);
			log.push(now);
			this.sliding.set(key, log);
		}
		return this.state(now, key);
	}

	release(): void {}

	reset(): void {
		this.fixed.clear();
		this.sliding.clear();
	}

	private windowStart(now: number): number {
		const { windowMs, alignOffsetMs = 0 } = this.options;
		return Math.floor((now - alignOffsetMs) / windowMs) * windowMs + alignOffsetMs;
	}

	private prunedLog(now: number, key: string): number[] {
		const log = this.sliding.get(key) ?? [];
		const cutoff = now - this.options.windowMs;
		let drop = 0;
		while (drop < log.length && log[drop] <= cutoff) drop++;
		if (drop > 0) log.splice(0, drop);
		return log;
	}

	private state(now: number, key: string): LimitState {
		const { limit, windowMs, mode } = this.options;
		if (mode === 'fixed') {
			const start = this.windowStart(now);
			const w = this.fixed.get(key);
			const used = w && w.start === start ? w.count : 0;
			const resetAt = start + windowMs;
			const allowed = used < limit;
			return {
				allowed,
				limit,
				remaining: Math.max(0, limit - used),
				resetAt,
				retryAfterMs: allowed ? 0 : resetAt - now,
				windowMs,
			};
		}
		const log = this.prunedLog(now, key);
		const used = log.length;
		const allowed = used < limit;
		// The slot that frees first: the request that was counted `limit` requests ago.
		const oldestBlocking = used >= limit ? log[used - limit] : log[0];
		const resetAt = oldestBlocking !== undefined ? oldestBlocking + windowMs : now + windowMs;
		return {
			allowed,
			limit,
			remaining: Math.max(0, limit - used),
			resetAt,
			retryAfterMs: allowed ? 0 : Math.max(0, resetAt - now),
			windowMs,
		};
	}
}

function validateWindow(o: WindowOptions): void {
	if (!(Number.isInteger(o.limit) && o.limit >= 0))
		throw new RangeError(`limit must be a non-negative integer: ${o.limit}`);
	if (!(Number.isInteger(o.windowMs) && o.windowMs > 0))
		throw new RangeError(`windowMs must be a positive integer: ${o.windowMs}`);
	if (o.mode !== 'fixed' && o.mode !== 'sliding')
		throw new RangeError(`mode must be fixed or sliding: ${String(o.mode)}`);
}

/** At most `max` requests in flight per key. */
export class ConcurrencyLimiter implements Limiter {
	private readonly inFlight = new Map<string, number>();

	constructor(public max: number) {
		if (!(Number.isInteger(max) && max > 0))
			throw new RangeError(`max must be a positive integer: ${max}`);
	}

	peek(now: number, key: string): LimitState {
		const used = this.inFlight.get(key) ?? 0;
		const allowed = used < this.max;
		return {
			allowed,
			limit: this.max,
			remaining: Math.max(0, this.max - used),
			resetAt: now,
			retryAfterMs: allowed ? 0 : 1000,
			windowMs: 0,
		};
	}

	consume(now: number, key: string): LimitState {
		this.inFlight.set(key, (this.inFlight.get(key) ?? 0) + 1);
		return this.peek(now, key);
	}

	release(key: string): void {
		const n = (this.inFlight.get(key) ?? 0) - 1;
		if (n <= 0) this.inFlight.delete(key);
		else this.inFlight.set(key, n);
	}

	/** Requests currently in flight for a key. */
	current(key = GLOBAL_KEY): number {
		return this.inFlight.get(key) ?? 0;
	}

	reset(): void {
		this.inFlight.clear();
	}
}

/** The key used when a rule has no `key` function. */
export const GLOBAL_KEY = 'global';

/** A limit and how the vendor answers about it. */
export interface RateLimitRule {
	/** Unique name (e.g. `TEN_SECONDLY_ROLLING`, `search`, `daily`). */
	name: string;
	limiter: Limiter;
	/** Which requests count against this rule (default all). */
	appliesTo?: (req: SandboxRequest) => boolean;
	/** Which bucket a request counts in (default one global bucket), e.g. per token or per user. */
	key?: (req: SandboxRequest) => string;
	/** The vendor's answer when the limit is exceeded. */
	reject: (req: SandboxRequest, state: LimitState, rule: RateLimitRule) => Reply;
	/** Headers added to admitted requests' answers (handler-set headers win). */
	successHeaders?: (req: SandboxRequest, state: LimitState, rule: RateLimitRule) => ReplyHeaders;
}

/** Applies rate-limit rules in order. */
export class RateLimiter {
	private rules: RateLimitRule[];
	private readonly clock: Clock;

	constructor(options: { clock?: Clock; rules?: RateLimitRule[] } = {}) {
		this.clock = options.clock ?? systemClock;
		this.rules = [...(options.rules ?? [])];
	}

	/** Adds (or replaces, by name) a rule. */
	setRule(rule: RateLimitRule): void {
		const i = this.rules.findIndex((r) => r.name === rule.name);
		if (i >= 0) this.rules[i] = rule;
		else this.rules.push(rule);
	}

	/** Removes a rule by name. */
	removeRule(name: string): boolean {
		const before = this.rules.length;
		this.rules = this.rules.filter((r) => r.name !== name);
		return this.rules.length < before;
	}

	/** A rule by name. */
	getRule(name: string): RateLimitRule | undefined {
		return this.rules.find((r) => r.name === name);
	}

	/** All rules. */
	list(): readonly RateLimitRule[] {
		return this.rules;
	}

	/** Forgets all counts. */
	reset(): void {
		for (const r of this.rules) r.limiter.reset();
	}

	/**
	 * Checks a request against every applicable rule: returns the rejecting rule's answer, or counts the
	 * request everywhere and returns the success headers plus a `release` for concurrency slots.
	 */
	check(req: SandboxRequest): { rejected: Reply } | { headers: ReplyHeaders; release: () => void } {
		const now = this.clock.now();
		const applicable = this.rules
			.filter((r) => !r.appliesTo || r.appliesTo(req))
			.map((rule) => ({ rule, key: rule.key ? rule.key(req) : GLOBAL_KEY }));
		for (const { rule, key } of applicable) {
			const state = rule.limiter.peek(now, key);
			if (!state.allowed) return { rejected: rule.reject(req, state, rule) };
		}
		const headers: ReplyHeaders = {};
		for (const { rule, key } of applicable) {
			const state = rule.limiter.consume(now, key);
			if (rule.successHeaders) Object.assign(headers, rule.successHeaders(req, state, rule));
		}
		let released = false;
		const release = () => {
			if (released) return;
			released = true;
			for (const { rule, key } of applicable) rule.limiter.release(key);
		};
		return { headers, release };
	}

	/** Server middleware applying {@link check}. */
	middleware(): Middleware {
		return async (req, next) => {
			const result = this.check(req);
			if ('rejected' in result) return result.rejected;
			try {
				const reply = await next();
				for (const [k, v] of Object.entries(result.headers)) {
					if (getHeader(reply, k) === undefined) reply.headers[k] = v;
				}
				return reply;
			} finally {
				result.release();
			}
		};
	}
}

// ---- generic presets ----------------------------------------------------------------------------

/** Whole seconds until `resetAt`, at least 1 (for `Retry-After`). */
export function retryAfterSeconds(state: LimitState, now: number): number {
	return Math.max(1, Math.ceil((state.resetAt - now) / 1000));
}

/** How `X-RateLimit-Reset` is expressed. */
export type ResetStyle = 'epoch-seconds' | 'delta-seconds';

/**
 * `X-RateLimit-Limit`, `X-RateLimit-Remaining`, `X-RateLimit-Reset` (epoch seconds, GitHub style, or
 * seconds from now).
 */
export function xRateLimitHeaders(
	state: LimitState,
	now: number,
	resetStyle: ResetStyle = 'epoch-seconds',
): ReplyHeaders {
	return {
		'X-RateLimit-Limit': String(state.limit),
		'X-RateLimit-Remaining': String(state.remaining),
		'X-RateLimit-Reset': String(
			resetStyle === 'epoch-seconds'
				? Math.ceil(state.resetAt / 1000)
				: Math.max(0, Math.ceil((state.resetAt - now) / 1000)),
		),
	};
}

/** IETF draft `RateLimit-Limit/-Remaining/-Reset` (seconds from now) and `RateLimit-Policy`. */
export function ietfRateLimitHeaders(state: LimitState, now: number): ReplyHeaders {
	return {
		'RateLimit-Limit': String(state.limit),
		'RateLimit-Remaining': String(state.remaining),
		'RateLimit-Reset': String(Math.max(0, Math.ceil((state.resetAt - now) / 1000))),
		'RateLimit-Policy': `${state.limit};w=${Math.round(state.windowMs / 1000)}`,
	};
}

/** Options for {@link windowRule}. */
export interface WindowRuleOptions extends WindowOptions {
	name: string;
	clock?: Clock;
	appliesTo?: RateLimitRule['appliesTo'];
	key?: RateLimitRule['key'];
	/** Header style on success and rejection (default `x-ratelimit`). */
	headers?: 'x-ratelimit' | 'ietf' | 'none';
	resetStyle?: ResetStyle;
	/** Answer status (default 429). */
	status?: number;
	/** Body of the rejection (default `{error:'rate_limited', message}`). */
	body?: (state: LimitState) => unknown;
}

/**
 * A generic window rule: rejects with 429 + `Retry-After` + the chosen rate-limit headers and a JSON body;
 * admitted answers carry the same headers.
 */
export function windowRule(options: WindowRuleOptions): RateLimitRule & { limiter: WindowLimiter } {
	const clock = options.clock ?? systemClock;
	const limiter = new WindowLimiter(options);
	const headersFor = (state: LimitState): ReplyHeaders => {
		const now = clock.now();
		if (options.headers === 'none') return {};
		return options.headers === 'ietf'
			? ietfRateLimitHeaders(state, now)
			: xRateLimitHeaders(state, now, options.resetStyle);
	};
	return {
		name: options.name,
		limiter,
		appliesTo: options.appliesTo,
		key: options.key,
		successHeaders: (_req, state) => headersFor(state),
		reject: (_req, state) => {
			const retry = retryAfterSeconds(state, clock.now());
			const body = options.body
				? options.body(state)
				: {
						error: 'rate_limited',
						message: `Rate limit of ${state.limit} requests per ${state.windowMs / 1000} s exceeded; retry in ${retry} s`,
					};
			return json(body, options.status ?? 429, {
				...headersFor(state),
				'Retry-After': String(retry),
			});
		},
	};
}

/** A daily counter resetting at UTC midnight (shift with `alignOffsetMs`). */
export function dailyRule(
	options: Omit<WindowRuleOptions, 'windowMs' | 'mode'>,
): RateLimitRule & { limiter: WindowLimiter } {
	return windowRule({ ...options, windowMs: 86_400_000, mode: 'fixed' });
}

/** A concurrency cap answering 429 + `Retry-After: 1` (or a custom reply). */
export function concurrencyRule(options: {
	name: string;
	max: number;
	appliesTo?: RateLimitRule['appliesTo'];
	key?: RateLimitRule['key'];
	reject?: RateLimitRule['reject'];
}): RateLimitRule & { limiter: ConcurrencyLimiter } {
	return {
		name: options.name,
		limiter: new ConcurrencyLimiter(options.max),
		appliesTo: options.appliesTo,
		key: options.key,
		reject:
			options.reject ??
			((_req, state) =>
				json(
					{
						error: 'too_many_concurrent_requests',
						message: `At most ${state.limit} concurrent requests`,
					},
					429,
					{ 'Retry-After': '1' },
				)),
	};
}
