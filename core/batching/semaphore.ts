/** A counting semaphore: at most `limit` holders at once, waiters served first come, first served. */
export class Semaphore {
	private active = 0;
	private readonly waiters: Array<() => void> = [];

	constructor(readonly limit: number) {
		if (!Number.isInteger(limit) || limit < 1)
			throw new RangeError(`concurrency must be a positive integer, got ${String(limit)}`);
	}

	/** Number of current holders. */
	get inUse(): number {
		return this.active;
	}

	/** Waits for a slot; call the returned function exactly once to free it. */
	async acquire(): Promise<() => void> {
		if (this.active < this.limit) {
			this.active++;
		} else {
			// The releasing holder hands its slot over directly, so `active` stays the same.
			await new Promise<void>((resolve) => this.waiters.push(resolve));
		}
		let released = false;
		return () => {
			if (released) return;
			released = true;
			const next = this.waiters.shift();
			if (next) next();
			else this.active--;
		};
	}

	/** Runs `task` while holding a slot. */
	async run<T>(task: () => Promise<T>): Promise<T> {
		const release = await this.acquire();
		try {
			return await task();
		} finally {
			release();
		}
	}
}
