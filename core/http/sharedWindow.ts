/**
 * One rate window per budget key shared by every process that uses the same Redis (n8n's queue mode: a main
 * process and workers, possibly on several hosts), so that all of them together start at most `maxRequests` in
 * any `intervalMs` window, and a 429 seen by one pauses all. The Redis side (and why a Lua script rather than
 * `rate-limiter-flexible`) is in `sharedRedis.ts`; where the settings come from is in `sharedConfig.ts`.
 *
 * A `RateBudget` with a shared window first passes its own, per-process checks (its local slots stay counted, so
 * the local view still holds when Redis fails), then asks its window for a slot: {@link RedisSharedWindow.poll}
 * answers at once from slots already granted, or starts one acquire (at most one in flight per budget; it asks
 * for as many slots as jobs could start) and wakes the budget when the answer comes. Concurrency
 * (`maxConcurrent`) stays per process.
 */
import { redactString } from './redact';
import {
	sharedConfigFromEnv,
	sharedConfigFromOptions,
	type SharedRateConfig,
	type SharedRateOptions,
} from './sharedConfig';
import { processWarning, SharedRedis, type SharedLogger } from './sharedRedis';

/** What a budget may do now: start (with a shared slot id, or none when sharing is unavailable), wait, or hold on. */
export type SharedGate =
	| { kind: 'go'; member?: string }
	| { kind: 'wait'; ms: number }
	| { kind: 'pending' };

/** Counters of a shared window. */
export interface SharedWindowStats {
	/** True while Redis answers; false while the budget paces per process after a failure. */
	active: boolean;
	/** Ms during which the budget's next job waited for the shared window (after its local checks passed). */
	waitedMs: number;
}

/**
 * A budget without a request limit shares only 429 pauses: it asks Redis whether one holds at most this often (so a
 * pause set by another process reaches it within this delay, at a cost of a few calls per second at most).
 */
export const SHARED_PAUSE_CHECK_MS = 250;

/** A budget's view of its shared window. */
export class RedisSharedWindow {
	private granted: string[] = [];
	private pending = false;
	private notBefore = 0;
	private pauseCheckedAt = Number.NEGATIVE_INFINITY;
	private waitingSince?: number;
	private waitedMs = 0;

	constructor(
		readonly key: string,
		private readonly redis: () => SharedRedis | undefined,
		private readonly logger: SharedLogger,
	) {}

	/**
	 * Whether the next job may start. `want`: how many could start now (slots are asked for in one call); `max`
	 * undefined: no request limit, only a shared pause holds jobs back; `wake` is called when a pending answer
	 * arrives.
	 */
	poll(want: number, max: number | undefined, intervalMs: number, wake: () => void): SharedGate {
		const now = Date.now();
		const granted = this.granted.shift();
		if (granted !== undefined) return this.go(now, granted);
		const redis = this.redis();
		if (!redis?.available) return this.go(now);
		if (
			max === undefined &&
			now >= this.notBefore &&
			now - this.pauseCheckedAt < SHARED_PAUSE_CHECK_MS
		)
			return this.go(now);
		this.waitingSince ??= now;
		if (this.pending) return { kind: 'pending' };
		if (now < this.notBefore) return { kind: 'wait', ms: this.notBefore - now };
		this.pending = true;
		redis
			.acquire(this.key, want, max ?? 0, intervalMs, this.logger)
			.then(
				(reply) => {
					this.granted.push(...reply.members);
					if (reply.waitMs > 0) this.notBefore = Date.now() + reply.waitMs;
					else if (max === undefined) this.pauseCheckedAt = Date.now();
				},
				() => undefined, // Redis is marked down (and warned about): the next poll goes per process.
			)
			.finally(() => {
				this.pending = false;
				wake();
			});
		return { kind: 'pending' };
	}

	/** A job that held `member` finished: its slot counts one more interval from now. */
	finish(member: string): void {
		this.redis()
			?.finish(this.key, [member], this.logger)
			.catch(() => undefined);
	}

	/** After a 429: nothing starts anywhere for `ms`. */
	pause(ms: number): void {
		this.redis()
			?.pause(this.key, ms, this.logger)
			.catch(() => undefined);
	}

	/** Nothing waits any more: slots granted but unused go back. */
	idle(): void {
		this.endWait(Date.now());
		if (this.granted.length === 0) return;
		const members = this.granted.splice(0);
		this.redis()
			?.release(this.key, members, this.logger)
			.catch(() => undefined);
	}

	/** Counters and state. */
	stats(): SharedWindowStats {
		const now = Date.now();
		const ongoing = this.waitingSince !== undefined ? now - this.waitingSince : 0;
		return { active: this.redis()?.available ?? false, waitedMs: this.waitedMs + ongoing };
	}

	private go(now: number, member?: string): SharedGate {
		this.endWait(now);
		return member === undefined ? { kind: 'go' } : { kind: 'go', member };
	}

	private endWait(now: number): void {
		if (this.waitingSince === undefined) return;
		this.waitedMs += now - this.waitingSince;
		this.waitingSince = undefined;
	}
}

/** undefined: not read yet; null: off. */
let configured: SharedRateConfig | null | undefined;
let connection: SharedRedis | undefined;

function currentRedis(): SharedRedis | undefined {
	if (!configured) return undefined;
	connection ??= new SharedRedis(configured);
	return connection;
}

/**
 * The shared window for a budget key, or undefined when sharing is not configured. The configuration is read
 * from the environment once per process, on the first call (see `sharedConfig.ts`).
 */
export function sharedWindowFor(key: string, logger?: SharedLogger): RedisSharedWindow | undefined {
	const log = logger ?? processWarning;
	if (configured === undefined) {
		const reading = sharedConfigFromEnv();
		if (reading.warning) log.warn(redactString(reading.warning));
		configured = reading.config ?? null;
	}
	return configured ? new RedisSharedWindow(key, currentRedis, log) : undefined;
}

/**
 * Sets where budgets share their windows, instead of the environment: `{ url }` (a `redis://` URL), `false` (no
 * sharing), or `undefined` (read the environment again on the next budget). Budgets created before keep their
 * windows but use the new connection; call it before creating budgets (or after `clearRateBudgets()`).
 */
export function configureSharedRateBudgets(options: SharedRateOptions | false | undefined): void {
	const next =
		options === undefined ? undefined : options === false ? null : sharedConfigFromOptions(options);
	void closeSharedRateBudgets();
	configured = next;
}

/** Closes the shared connection once pending commands are answered (the next use opens a new one). */
export async function closeSharedRateBudgets(): Promise<void> {
	const current = connection;
	connection = undefined;
	await current?.close();
}
