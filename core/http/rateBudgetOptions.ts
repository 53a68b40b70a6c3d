/** The options and counters of a `RateBudget` (core/http/rateLimiter.ts), and the checks of its options. */
import { CrmError } from './errors';
import type { RateLimitInfo } from './dialect';

/** Where a budget writes its warnings (only redacted text is passed). */
export interface RateBudgetLogger {
	warn(message: string): void;
	debug?(message: string): void;
}

/** Options of {@link RateBudget}. All limits are optional; an empty budget only caps concurrency. */
export interface RateBudgetOptions {
	/** Starts allowed per rolling `intervalMs` window. Default: unlimited. */
	maxRequests?: number;
	/** Window length. Default 1000 ms. */
	intervalMs?: number;
	/** Requests in flight at once. Default 10. */
	maxConcurrent?: number;
	/** Minimum spacing between starts (smoothing). Default 0. */
	minTimeMs?: number;
	/** Daily usage ratio (from a dialect's `daily` header reading) that triggers a warning. Default 0.8. */
	dailyWarnRatio?: number;
	/** Daily usage ratio above which starts are spaced by `dailySlowMinTimeMs`. Default 0.95. */
	dailySlowRatio?: number;
	/** Spacing near the daily cap. Default 1000 ms. */
	dailySlowMinTimeMs?: number;
	/** Where warnings go. */
	logger?: RateBudgetLogger;
	/** Clock (epoch ms). Default `Date.now` (jest fake timers mock it). */
	now?: () => number;
}

/** Counters of a budget. */
export interface RateBudgetStats {
	/** Jobs ever handed to `schedule`. */
	scheduled: number;
	/** Jobs in flight now. */
	running: number;
	/** Jobs waiting now. */
	queued: number;
	/** Wall-clock ms during which queued work was held back by the rate limits or a pause (not by concurrency). */
	throttledMs: number;
	/** Jobs started / finished successfully / failed. */
	started: number;
	completed: number;
	failed: number;
	/** 429 pauses applied. */
	pauses: number;
	/** What the server last said remains (after discounting requests in flight), while its window lasts. */
	serverRemaining?: number;
	/** Daily usage, when the API's headers report it. */
	daily?: { used: number; limit: number };
	/**
	 * Present when the window is shared across processes through Redis: `true` while Redis answers, `false` while
	 * the budget paces per process after a Redis failure.
	 */
	shared?: boolean;
	/** Ms the next job waited for the shared window after the local limits allowed it (part of `throttledMs`). */
	sharedWaitMs?: number;
}

/** Options of {@link RateBudget.schedule}. */
export interface ScheduleOptions {
	/** Cancels the job while it waits in the queue. */
	signal?: AbortSignal;
}

/** `<API> daily`, or `Daily` when the headers did not say whose allocation it is. */
export function dailyLabel(info: RateLimitInfo): string {
	return info.dailySource ? `${info.dailySource} daily` : 'Daily';
}

export function validateBudgetOptions(options: RateBudgetOptions): void {
	const positive = (name: string, v: number | undefined, integer: boolean) => {
		if (v === undefined) return;
		if (!(v > 0) || (integer && Number.isFinite(v) && !Number.isInteger(v))) {
			throw new CrmError(
				`Invalid rate budget option ${name}=${v}: must be a positive ${integer ? 'integer' : 'number'}`,
				{ kind: 'fatal' },
			);
		}
	};
	positive('maxRequests', options.maxRequests, true);
	positive('intervalMs', options.intervalMs, false);
	positive('maxConcurrent', options.maxConcurrent, true);
	if (options.minTimeMs !== undefined && !(options.minTimeMs >= 0)) {
		throw new CrmError(`Invalid rate budget option minTimeMs=${options.minTimeMs}: must be ≥ 0`, {
			kind: 'fatal',
		});
	}
}
