/**
 * Several `$batch`es of one write in flight at once. Dataverse runs a batch's operations one after another (about
 * 25 ms each, so ~25 s for 1,000 creates): one batch at a time would use about a quarter of the execution-time
 * allowance a window gives. The number in flight is the write's `concurrency` (default
 * {@link DEFAULT_WRITE_CONCURRENCY}) capped by the rate budget's `maxConcurrent`, so the budget never queues what the
 * pool started.
 */
import { boundedConcurrency } from '../../batching/concurrency';
import type { DataverseClient } from './client';

/** Batches of one write in flight at once, unless set otherwise. */
export const DEFAULT_WRITE_CONCURRENCY = 4;

/** The number of batches to keep in flight: `requested` (default 4), at least 1, at most the budget's `maxConcurrent`. */
export function batchConcurrency(client: DataverseClient, requested: number | undefined): number {
	return boundedConcurrency(
		requested,
		DEFAULT_WRITE_CONCURRENCY,
		client.http.budgetFor(client.apiUrl),
	);
}

/**
 * Runs `task` over `jobs` with at most `limit` running, each job once. After a task throws, no further job starts;
 * the running ones finish, then the first error is thrown.
 */
export async function eachInPool<T>(
	jobs: readonly T[],
	limit: number,
	task: (job: T) => Promise<void>,
): Promise<void> {
	let next = 0;
	let failure: { error: unknown } | undefined;
	const worker = async (): Promise<void> => {
		while (!failure && next < jobs.length) {
			const job = jobs[next++];
			try {
				await task(job);
			} catch (error) {
				failure ??= { error };
			}
		}
	};
	await Promise.all(Array.from({ length: Math.min(limit, jobs.length) }, worker));
	if (failure) throw failure.error;
}
