/**
 * Small helpers over async iterables of pages and items. All of them pull lazily, so a paginator
 * underneath fetches only what is consumed, and they close the source (`return()`) when they stop early.
 */

/** Iterates the items of a stream of pages, one by one. */
export async function* flatten<T>(
	pages: AsyncIterable<readonly T[]>,
): AsyncGenerator<T, void, undefined> {
	for await (const page of pages) {
		for (const item of page) yield item;
	}
}

/**
 * Yields at most `limit` values, then stops *without* pulling another value from the source (so no
 * further page is fetched) and closes it. `limit` 0 closes the source without reading anything.
 */
export async function* take<T>(
	source: AsyncIterable<T>,
	limit: number,
): AsyncGenerator<T, void, undefined> {
	if (!Number.isInteger(limit) || limit < 0)
		throw new RangeError(`take(): limit must be a non-negative integer, got ${String(limit)}`);
	if (limit === 0) return;
	let count = 0;
	for await (const value of source) {
		yield value;
		count++;
		if (count >= limit) return; // leaving the for-await calls source.return()
	}
}

/**
 * Collects a stream into an array. Meant for small, bounded results (tests, `take()`-limited reads):
 * for unbounded reads, iterate instead. With `limit`, stops reading after that many values.
 */
export async function toArray<T>(source: AsyncIterable<T>, limit?: number): Promise<T[]> {
	const out: T[] = [];
	for await (const value of limit === undefined ? source : take(source, limit)) out.push(value);
	return out;
}
