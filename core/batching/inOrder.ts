/**
 * Independent requests of one call (the chunks of a look-up) with up to `limit` in flight, their results handed out
 * in job order: a window over the jobs — the next job starts when the oldest running one is handed out, so at most
 * `limit` results are held. A job that fails is thrown at its turn (the jobs before it are handed out first, none
 * after it starts); when the consumer stops early, the jobs running are let settle (never an unhandled rejection,
 * nothing left running after the call returns).
 */
export async function* inOrder<J, R>(
	jobs: readonly J[],
	limit: number,
	task: (job: J, index: number) => Promise<R>,
): AsyncGenerator<R, void, undefined> {
	const width = Math.max(1, Math.floor(limit) || 1);
	const running: Array<Promise<R>> = [];
	let next = 0;
	const start = () => {
		const index = next++;
		const result = task(jobs[index], index);
		result.catch(() => undefined); // awaited at its turn; observed here so a failure while waiting is handled
		running.push(result);
	};
	try {
		while (next < jobs.length && running.length < width) start();
		while (running.length) {
			const value = await running[0];
			running.shift();
			if (next < jobs.length) start();
			yield value;
		}
	} finally {
		await Promise.allSettled(running);
	}
}
