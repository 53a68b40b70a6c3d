/**
 * One item read ahead: while the consumer works on item n, item n+1 is already being produced (never more — the
 * source is suspended at its next `yield` until the consumer asks again). The producer's failure is kept and
 * thrown where the consumer would have received that item, never lost and never an unhandled rejection; when the
 * consumer stops early (an error, an abort), `stop` cancels what the producer is waiting for, and the producer is
 * settled and closed before the consumer's error goes on — nothing of it runs after the caller returns.
 */

export interface ReadAheadOptions {
	/** Awaits the next item (e.g. to count the time the consumer waits for it). */
	wait?: <T>(next: Promise<T>) => Promise<T>;
	/** Called when the consumer stops before the source ended: cancel the producer's pending work. */
	stop?: () => void;
}

export async function* readAhead<T>(
	source: AsyncGenerator<T, void, undefined>,
	options: ReadAheadOptions = {},
): AsyncGenerator<T, void, undefined> {
	const wait = options.wait ?? (<U>(p: Promise<U>) => p);
	const ask = () => {
		const next = source.next();
		// Observed here so a failure while the consumer works is no unhandled rejection; awaited (and thrown) below.
		next.catch(() => undefined);
		return next;
	};
	let pending: Promise<IteratorResult<T, void>> | undefined = ask();
	try {
		for (;;) {
			const result: IteratorResult<T, void> = await wait(pending);
			if (result.done) {
				pending = undefined;
				return;
			}
			pending = ask();
			yield result.value;
		}
	} finally {
		if (pending) {
			// The consumer left (or the producer failed): cancel the read under way, let it settle, close the source.
			options.stop?.();
			await pending.catch(() => undefined);
			await source.return().catch(() => undefined);
		}
	}
}
