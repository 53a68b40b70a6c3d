/**
 * Time sources for the sandbox. Every component that reads "now" (store timestamps, token expiry,
 * rate-limit windows, timed faults) takes a {@link Clock}, so tests can drive time by hand instead of
 * waiting on the wall clock.
 */

/** A source of the current time in epoch milliseconds. */
export interface Clock {
	now(): number;
}

/** The real wall clock. */
export const systemClock: Clock = { now: () => Date.now() };

/** A clock that only moves when told to; for deterministic tests of expiry, windows and watermarks. */
export class ManualClock implements Clock {
	private current: number;

	/** @param start epoch ms to start at (default 2024-01-01T00:00:00.000Z). */
	constructor(start: number | Date = Date.UTC(2024, 0, 1)) {
		this.current = typeof start === 'number' ? start : start.getTime();
	}

	now(): number {
		return this.current;
	}

	/** Moves time forward by `ms` (must be ≥ 0) and returns the new time. */
	advance(ms: number): number {
		if (!(ms >= 0)) throw new RangeError(`ManualClock.advance: ms must be >= 0, got ${ms}`);
		this.current += ms;
		return this.current;
	}

	/** Jumps to an absolute time (forward or backward). */
	set(to: number | Date): void {
		this.current = typeof to === 'number' ? to : to.getTime();
	}
}

/** Resolves after `ms` milliseconds of real time (timer based, so jest fake timers can drive it). */
export function sleep(ms: number): Promise<void> {
	if (ms <= 0) return Promise.resolve();
	return new Promise((resolve) => setTimeout(resolve, ms));
}
