/**
 * Where a run's time goes, per stage: reading (change feeds, records by id), planning (links, partners, matching,
 * diff), writing (connector writes), committing (state store commits), and the rest (lock, describe, loading the
 * state, the engine's own work). A change feed read ahead (feed.ts) counts as reading only while the run waits for
 * its page. Measured with `performance.now()` around the calls: cheap, and cumulative over
 * the run, so a benchmark can give microseconds per record per stage. Stages never nest (a plan's reads count as
 * planning), so the parts add up to the run's wall time.
 */
import type { SyncStore } from './store/types';

export type Stage = 'read' | 'plan' | 'write' | 'commit';

/** Cumulative milliseconds per stage of one run (`otherMs`: the rest of `totalMs`, the run's wall time). */
export interface SyncTimings {
	readMs: number;
	planMs: number;
	writeMs: number;
	commitMs: number;
	otherMs: number;
	totalMs: number;
}

const round = (ms: number) => Math.round(ms * 1000) / 1000;

export class StageClock {
	private readonly started = performance.now();
	private readonly ms: Record<Stage, number> = { read: 0, plan: 0, write: 0, commit: 0 };
	/** The stage being timed: a stage inside another (not expected) is not counted twice. */
	private running?: Stage;

	/** Runs `fn`, its time added to `stage`. */
	async time<T>(stage: Stage, fn: () => Promise<T>): Promise<T> {
		if (this.running) return await fn();
		this.running = stage;
		const t0 = performance.now();
		try {
			return await fn();
		} finally {
			this.ms[stage] += performance.now() - t0;
			this.running = undefined;
		}
	}

	/** The pages of `source`, the wait for each one added to `stage` (the caller's work between pages is not). */
	async *pages<T>(source: AsyncIterable<T>, stage: Stage = 'read'): AsyncGenerator<T> {
		const it = source[Symbol.asyncIterator]();
		let done = false;
		try {
			for (;;) {
				const next = await this.time(stage, () => it.next());
				if (next.done) {
					done = true;
					return;
				}
				yield next.value;
			}
		} finally {
			if (!done) await it.return?.();
		}
	}

	/** `store` with its commits timed as `commit`. */
	timedStore(store: SyncStore): SyncStore {
		return new Proxy(store, {
			get: (target, prop, receiver) => {
				if (prop === 'commit')
					return (...args: Parameters<SyncStore['commit']>) =>
						this.time('commit', () => target.commit(...args));
				const value = Reflect.get(target, prop, receiver) as unknown;
				return typeof value === 'function' ? (value as () => unknown).bind(target) : value;
			},
		});
	}

	/** The totals so far (ms, to the microsecond). */
	totals(): SyncTimings {
		const totalMs = round(performance.now() - this.started);
		const readMs = round(this.ms.read);
		const planMs = round(this.ms.plan);
		const writeMs = round(this.ms.write);
		const commitMs = round(this.ms.commit);
		const otherMs = round(Math.max(0, totalMs - readMs - planMs - writeMs - commitMs));
		return { readMs, planMs, writeMs, commitMs, otherMs, totalMs };
	}
}
