/**
 * Rate limits as a budget. A `RateBudget` paces requests per credential: at most `maxRequests` starts in any
 * rolling `intervalMs` window, at most `maxConcurrent` in flight, optional `minTimeMs` spacing; it reads the
 * API's remaining/reset headers to slow down *before* the limit is hit, and pauses everything on a 429.
 *
 * Implementation note: this is a sliding-window log, not `bottleneck`. Bottleneck runs fine under fake timers,
 * but its reservoir refills on a fixed interval, which admits up to twice the limit across a window boundary
 * (N starts just before a refill, N just after) — enough to trip APIs that count over a rolling window
 * ("per 10 seconds", "per 5 minutes"). Holding until a server-announced reset and
 * lowering the allowance from response headers also need control that a refill timer would fight.
 *
 * Across processes (n8n's queue mode): when Redis is configured (see `sharedConfig.ts`), `getRateBudget` gives
 * each budget a shared window (`sharedWindow.ts`) — the rolling window and 429 pauses are shared by every process
 * using the same key; concurrency (`maxConcurrent`) and header-based slowing stay per process.
 */
import { abortedError } from './errors';
import type { RateHeaderReader, RateLimitInfo } from './dialect';
import {
	dailyLabel,
	validateBudgetOptions,
	type RateBudgetOptions,
	type RateBudgetStats,
	type ScheduleOptions,
} from './rateBudgetOptions';
import { readRateLimitInfo } from './rateHeaders';
import { redactString } from './redact';
import {
	closeSharedRateBudgets,
	type RedisSharedWindow,
	type SharedGate,
	sharedWindowFor,
} from './sharedWindow';

export type {
	RateBudgetLogger,
	RateBudgetOptions,
	RateBudgetStats,
	ScheduleOptions,
} from './rateBudgetOptions';

interface Job {
	run: (slot?: { t: number; done: boolean }, member?: string) => void;
	reject: (err: unknown) => void;
	signal?: AbortSignal;
	onAbort?: () => void;
}

/** See `RateBudget.unknownResetMs`: when to probe again after "0 remaining" with no reset time and no own history. */
export const UNKNOWN_RESET_PROBE_MS = 1000;

/** A per-credential request budget. Share one per credential and API host via {@link getRateBudget}. */
export class RateBudget {
	private options: RateBudgetOptions;
	private readonly queue: Job[] = [];
	/**
	 * Requests counted against the rolling window. A slot counts from the request's start until `intervalMs`
	 * after it *finished*: the server stamps a request somewhere in between (its bytes leave after the event
	 * loop gets to them, and travel), so counting from the start alone lets the server's own window see more
	 * than `maxRequests` (measured: 54–58 per second at a budget of 50). The price is a pace lower by the
	 * request's latency, which is what pacing *before* the limit costs.
	 */
	private slots: Array<{ t: number; done: boolean }> = [];
	private running = 0;
	private lastStart = Number.NEGATIVE_INFINITY;
	private pausedUntil = 0;
	/**
	 * What the server last said remains, until when. `probeAfter`: the reset time was a guess (see
	 * {@link unknownResetMs}), so when it passes one request goes as a probe (`probing`) and the rest wait for what its
	 * answer says — releasing every waiting request at once would overshoot a window that freed one slot.
	 */
	private server?: { remaining: number; resetAt: number; probeAfter?: boolean; probing?: boolean };
	/** Observations so far: a probe whose answer carried no headers ends the probe state. */
	private observations = 0;
	private dailyMinTimeMs = 0;
	private daily?: { used: number; limit: number };
	private dailyLevel = 0;
	private timer?: ReturnType<typeof setTimeout>;
	private timerAt = Number.POSITIVE_INFINITY;
	private throttleSince?: number;
	/** The window shared with other processes, when configured (see {@link attachSharedWindow}). */
	private shared?: RedisSharedWindow;
	private counters = {
		scheduled: 0,
		started: 0,
		completed: 0,
		failed: 0,
		throttledMs: 0,
		pauses: 0,
	};

	constructor(options: RateBudgetOptions = {}) {
		validateBudgetOptions(options);
		this.options = { ...options };
	}

	private get now(): number {
		return (this.options.now ?? Date.now)();
	}

	private get intervalMs(): number {
		return this.options.intervalMs ?? 1000;
	}

	private get maxConcurrent(): number {
		return this.options.maxConcurrent ?? 10;
	}

	/** Shares this budget's rolling window and 429 pauses with other processes (done by `getRateBudget`). */
	attachSharedWindow(window: RedisSharedWindow | undefined): void {
		this.shared = window;
	}

	/** The current options. */
	get config(): Readonly<RateBudgetOptions> {
		return { ...this.options };
	}

	/** Changes limits; queued work is re-evaluated at once. */
	update(options: RateBudgetOptions): void {
		validateBudgetOptions(options);
		this.options = { ...this.options, ...options };
		this.pump();
	}

	/** Runs `fn` when the limits allow; resolves/rejects with its outcome. */
	schedule<T>(fn: () => Promise<T> | T, options: ScheduleOptions = {}): Promise<T> {
		this.counters.scheduled++;
		return new Promise<T>((resolve, reject) => {
			if (options.signal?.aborted) {
				reject(abortedError());
				return;
			}
			const job: Job = {
				signal: options.signal,
				reject,
				run: (slot, member) => {
					const observed = this.observations;
					Promise.resolve()
						.then(fn)
						.then(
							(value) => {
								this.counters.completed++;
								resolve(value);
							},
							(err: unknown) => {
								this.counters.failed++;
								reject(err);
							},
						)
						.finally(() => {
							this.running--;
							// A probe (or any request) answered without rate headers: nothing new to wait for.
							if (this.server?.probing && this.observations === observed) this.server = undefined;
							if (slot) {
								slot.t = this.now;
								slot.done = true;
							}
							if (member !== undefined) this.shared?.finish(member);
							this.pump();
						});
				},
			};
			if (options.signal) {
				job.onAbort = () => {
					const index = this.queue.indexOf(job);
					if (index >= 0) {
						this.queue.splice(index, 1);
						reject(abortedError());
						this.pump();
					}
				};
				options.signal.addEventListener('abort', job.onAbort, { once: true });
			}
			this.queue.push(job);
			this.pump();
		});
	}

	/**
	 * Adjusts the budget from a response's headers (call it from inside the scheduled function, as
	 * `HttpClient` does, so in-flight requests are discounted correctly). Reads `X-RateLimit-*`, `RateLimit-*`
	 * and what the API's own `reader` (its dialect's) reads.
	 */
	observe(headers: Record<string, string> | undefined, reader?: RateHeaderReader): void {
		if (!headers) return;
		const now = this.now;
		const info = readRateLimitInfo(headers, now, reader);
		if (info.daily) this.observeDaily(info.daily, info);
		if (info.dailyRemaining === 0)
			this.warnOnce(
				3,
				`${dailyLabel(info)} API limit exhausted (0 remaining): further requests will be refused until the daily reset`,
			);
		if (info.remaining === undefined) return;
		// Requests still in flight (other than the one reporting) were started after the server counted this one
		// or before; assume the worst: they all still draw from what the server says remains.
		const othersInFlight = Math.max(0, this.running - 1);
		const remaining = Math.max(0, Math.floor(info.remaining) - othersInFlight);
		// A rolling window's length is only the worst case: its oldest request may leave it much sooner (see
		// ownExpiryMs) — holding the whole window at every "0 remaining" would run a 190-per-10-s budget stop-and-go.
		const resetAfter =
			info.resetAfterMs === undefined
				? this.unknownResetMs(now)
				: info.rolling
					? Math.min(info.resetAfterMs, this.ownExpiryMs(now))
					: info.resetAfterMs;
		this.observations++;
		this.server = {
			remaining,
			resetAt: now + resetAfter,
			...(remaining === 0 && info.resetAfterMs === undefined ? { probeAfter: true } : {}),
		};
		if (remaining === 0) {
			this.options.logger?.debug?.(
				`rate budget: server reports 0 requests remaining (${info.source ?? 'headers'}); holding for ${resetAfter} ms`,
			);
		}
		this.pump();
	}

	/**
	 * How long to hold when the server reports what remains but not when it resets (a burst-remaining header alone). A
	 * sliding window frees a slot when its oldest request leaves it; the server's oldest is no later than our own
	 * oldest finished one (it may be another process's, older), so that bounds the wait. Without one of ours in the
	 * window, a probe after {@link UNKNOWN_RESET_PROBE_MS}: if it is refused, the 429's Retry-After gives the exact
	 * wait (holding a whole interval — minutes for a five-minute window — would stall for nothing).
	 */
	private unknownResetMs(now: number): number {
		const earliest = this.ownExpiryMs(now);
		return Math.min(this.intervalMs, Number.isFinite(earliest) ? earliest : UNKNOWN_RESET_PROBE_MS);
	}

	/**
	 * When our oldest finished request in the window leaves it (Infinity: none). A sliding window's oldest request is
	 * no later than it (the server counted ours on arrival, before they finished; another client's may be older), so
	 * a slot frees by then at the latest.
	 */
	private ownExpiryMs(now: number): number {
		let earliest = Number.POSITIVE_INFINITY;
		for (const slot of this.slots)
			if (slot.done && slot.t + this.intervalMs > now)
				earliest = Math.min(earliest, slot.t + this.intervalMs - now);
		return earliest;
	}

	/** Pauses the whole budget after a 429: nothing starts for `retryAfterMs` (default: one interval). */
	on429(retryAfterMs?: number): void {
		const now = this.now;
		const wait = retryAfterMs !== undefined && retryAfterMs >= 0 ? retryAfterMs : this.intervalMs;
		this.pausedUntil = Math.max(this.pausedUntil, now + wait);
		this.counters.pauses++;
		this.shared?.pause(wait);
		this.pump();
	}

	/** Counters and current state. */
	stats(): RateBudgetStats {
		const now = this.now;
		const ongoing = this.throttleSince !== undefined ? now - this.throttleSince : 0;
		const stats: RateBudgetStats = {
			scheduled: this.counters.scheduled,
			running: this.running,
			queued: this.queue.length,
			throttledMs: this.counters.throttledMs + ongoing,
			started: this.counters.started,
			completed: this.counters.completed,
			failed: this.counters.failed,
			pauses: this.counters.pauses,
		};
		if (this.server && this.server.resetAt > now) stats.serverRemaining = this.server.remaining;
		if (this.daily) stats.daily = { ...this.daily };
		if (this.shared) {
			const shared = this.shared.stats();
			stats.shared = shared.active;
			stats.sharedWaitMs = shared.waitedMs;
		}
		return stats;
	}

	/** Cancels the pending timer (queued jobs stay queued) and gives back unused shared slots. For tests and shutdown. */
	dispose(): void {
		this.shared?.idle();
		if (this.timer) clearTimeout(this.timer);
		this.timer = undefined;
		this.timerAt = Number.POSITIVE_INFINITY;
	}

	private observeDaily(daily: { used: number; limit: number }, info: RateLimitInfo): void {
		this.daily = daily;
		if (daily.limit <= 0) return;
		const ratio = daily.used / daily.limit;
		const warnRatio = this.options.dailyWarnRatio ?? 0.8;
		const slowRatio = this.options.dailySlowRatio ?? 0.95;
		const pct = Math.round(ratio * 1000) / 10;
		if (ratio >= slowRatio) {
			this.dailyMinTimeMs = this.options.dailySlowMinTimeMs ?? 1000;
			this.warnOnce(
				2,
				`${dailyLabel(info)} API usage at ${pct}% (${daily.used}/${daily.limit}): slowing to one request per ${this.dailyMinTimeMs} ms to leave room for other integrations`,
			);
		} else {
			this.dailyMinTimeMs = 0;
			if (ratio >= warnRatio)
				this.warnOnce(1, `${dailyLabel(info)} API usage at ${pct}% (${daily.used}/${daily.limit})`);
			else this.dailyLevel = 0;
		}
	}

	private warnOnce(level: number, message: string): void {
		if (this.dailyLevel >= level) return;
		this.dailyLevel = level;
		this.options.logger?.warn(redactString(message));
	}

	/** Milliseconds until the next start is allowed (0 = now). */
	private waitTime(now: number): number {
		let wait = 0;
		if (this.pausedUntil > now) wait = Math.max(wait, this.pausedUntil - now);
		const max = this.options.maxRequests;
		if (max !== undefined) {
			const windowStart = now - this.intervalMs;
			if (this.slots.some((slot) => slot.done && slot.t <= windowStart)) {
				this.slots = this.slots.filter((slot) => !slot.done || slot.t > windowStart);
			}
			const need = this.slots.length - max + 1;
			if (need > 0) {
				// The `need`-th earliest expiry among finished requests; in-flight ones expire only after they finish
				// (their completion pumps the queue again).
				const ends = this.slots.filter((slot) => slot.done).map((slot) => slot.t);
				if (ends.length < need) return Number.POSITIVE_INFINITY;
				const end = need === 1 ? Math.min(...ends) : ends.sort((a, b) => a - b)[need - 1];
				wait = Math.max(wait, end + this.intervalMs - now);
			}
		}
		const minTime = Math.max(this.options.minTimeMs ?? 0, this.dailyMinTimeMs);
		if (minTime > 0) wait = Math.max(wait, this.lastStart + minTime - now);
		if (this.server) {
			if (this.server.resetAt <= now)
				this.server = this.server.probeAfter
					? { remaining: 1, resetAt: Number.POSITIVE_INFINITY, probing: true }
					: undefined;
			else if (this.server.remaining <= 0) wait = Math.max(wait, this.server.resetAt - now);
		}
		return Math.max(0, Math.ceil(wait));
	}

	private pump(): void {
		for (;;) {
			const now = this.now;
			if (this.queue.length === 0) {
				this.endThrottle(now);
				this.shared?.idle();
				return;
			}
			if (this.running >= this.maxConcurrent) {
				this.endThrottle(now);
				return;
			}
			const wait = this.waitTime(now);
			if (wait > 0) {
				if (this.throttleSince === undefined) this.throttleSince = now;
				if (Number.isFinite(wait)) this.arm(now + wait);
				return;
			}
			const gate = this.sharedGate();
			if (gate.kind !== 'go') {
				if (this.throttleSince === undefined) this.throttleSince = now;
				if (gate.kind === 'wait') this.arm(now + gate.ms);
				return;
			}
			this.endThrottle(now);
			const job = this.queue.shift() as Job;
			if (job.signal && job.onAbort) job.signal.removeEventListener('abort', job.onAbort);
			this.running++;
			this.counters.started++;
			this.lastStart = now;
			let slot: { t: number; done: boolean } | undefined;
			if (this.options.maxRequests !== undefined) {
				slot = { t: now, done: false };
				this.slots.push(slot);
			}
			if (this.server) this.server.remaining--;
			job.run(slot, gate.member);
		}
	}

	/** The shared window's word on the next start (always "go" when there is none; only a shared pause without a request limit). */
	private sharedGate(): SharedGate {
		const max = this.options.maxRequests;
		if (!this.shared) return { kind: 'go' };
		if (max === undefined)
			return this.shared.poll(1, undefined, this.intervalMs, () => this.pump());
		// As many slots as could start at once here: slots granted but held back locally would idle in every process.
		let want = Math.min(
			this.queue.length,
			this.maxConcurrent - this.running,
			max - this.slots.length,
		);
		if (Math.max(this.options.minTimeMs ?? 0, this.dailyMinTimeMs) > 0) want = 1;
		if (this.server) want = Math.min(want, this.server.remaining);
		return this.shared.poll(Math.max(1, want), max, this.intervalMs, () => this.pump());
	}

	private endThrottle(now: number): void {
		if (this.throttleSince === undefined) return;
		this.counters.throttledMs += now - this.throttleSince;
		this.throttleSince = undefined;
	}

	private arm(at: number): void {
		if (this.timer && this.timerAt <= at) return;
		if (this.timer) clearTimeout(this.timer);
		this.timerAt = at;
		this.timer = setTimeout(
			() => {
				this.timer = undefined;
				this.timerAt = Number.POSITIVE_INFINITY;
				this.pump();
			},
			Math.max(0, at - this.now),
		);
	}
}

const registry = new Map<string, RateBudget>();

function sameOptions(a: RateBudgetOptions, b: RateBudgetOptions): boolean {
	const keys = new Set([...Object.keys(a), ...Object.keys(b)]) as Set<keyof RateBudgetOptions>;
	for (const k of keys) if (a[k] !== b[k]) return false;
	return true;
}

/**
 * The process-wide budget for `key` (see {@link rateBudgetKey}): every caller with the same key gets the same
 * instance, so all nodes using one credential against one host share its limits. When `options` differ from
 * the budget's current ones, the budget is updated (the latest configuration wins).
 */
export function getRateBudget(key: string, options?: RateBudgetOptions): RateBudget {
	const existing = registry.get(key);
	if (existing) {
		if (options) {
			const merged = { ...existing.config, ...options };
			if (!sameOptions(merged, existing.config)) existing.update(options);
		}
		return existing;
	}
	const budget = new RateBudget(options);
	budget.attachSharedWindow(sharedWindowFor(key, options?.logger));
	registry.set(key, budget);
	return budget;
}

/** The registry key for a credential fingerprint and an API URL: `<authId>@<host>`. */
export function rateBudgetKey(authId: string, url: string): string {
	let host = url;
	try {
		host = new URL(url).host;
	} catch {
		// not an absolute URL: use it as given
	}
	return `${authId}@${host.toLowerCase()}`;
}

/**
 * Removes budgets from the registry (one key, or all). Pending timers are cancelled; clearing all also closes the
 * shared-window connection (after its pending commands), which the next shared budget opens again.
 */
export function clearRateBudgets(key?: string): void {
	const keys = key === undefined ? [...registry.keys()] : [key];
	for (const k of keys) {
		registry.get(k)?.dispose();
		registry.delete(k);
	}
	if (key === undefined) void closeSharedRateBudgets();
}
