/**
 * The figures of Dataverse's service protection, apart from the simulator's code (`limits.ts` enforces them): the
 * benchmarks' ceilings read them without loading the simulator.
 */

/** The limits in force (per user). */
export interface ServiceProtectionLimits {
	/** Requests per window (6,000). */
	requests: number;
	/** Combined execution time per window, ms (1,200,000). */
	executionMs: number;
	/** Requests in flight at once (52). */
	concurrent: number;
	/** The sliding window, ms (300,000). */
	windowMs: number;
	/** Execution time charged to every request on top of its measured time (default 0; for tests with a ManualClock). */
	costPerRequestMs?: number;
	/**
	 * Execution time charged per operation on top of the request's own: per write (POST / PATCH / PUT / DELETE) sent
	 * alone, and per inner request of a `$batch` (Dataverse runs them one after another, so a batch costs the sum).
	 * Default {@link DEFAULT_COST_PER_OPERATION_MS}; the simulator answers without waiting for it.
	 */
	costPerOperationMs?: number;
}

/**
 * Server time of one operation (a create / update / delete of a standard-table row, no custom plug-ins): 25 ms. Our
 * assumption — Microsoft publishes no per-operation time (see README, "Service protection").
 */
export const DEFAULT_COST_PER_OPERATION_MS = 25;

/** Microsoft's documented limits. */
export const DEFAULT_SERVICE_PROTECTION: ServiceProtectionLimits = {
	requests: 6000,
	executionMs: 1_200_000,
	concurrent: 52,
	windowMs: 300_000,
	costPerRequestMs: 0,
	costPerOperationMs: DEFAULT_COST_PER_OPERATION_MS,
};
