/**
 * The contract of batched writes: every input item gets exactly one result, in a shape a node can turn
 * into an output item (success) or an error-output item (failure, with the CRM's reason).
 */

/** Why one item failed. */
export interface BatchItemError {
	/** Human-readable reason (the CRM's own message when it gave one). */
	message: string;
	/** Machine code: the CRM's (e.g. `REQUIRED_FIELD_MISSING`) or ours (`ITEM_TOO_LARGE`, `NOT_SENT`, …). */
	code?: string;
	/** Anything else worth showing (field names, status, sizes). */
	details?: unknown;
}

/** What `send()` reports for one item of the chunk it was given (same position as in the chunk). */
export type ItemOutcome<TOut> = { ok: true; value: TOut } | { ok: false; error: BatchItemError };

/** The final result for one input item; `index` is its position in the input. */
export type BatchItemResult<TOut> =
	| { index: number; ok: true; value: TOut }
	| { index: number; ok: false; error: BatchItemError };

/**
 * How to react when `send()` throws for a whole chunk:
 * - `splittable`: the API rejected the whole request because of some record(s) in it (e.g. one invalid
 *   record fails an all-or-nothing batch, or the payload is too large): split the chunk in halves,
 *   recursively, to isolate the bad record(s) and let the good ones through;
 * - `failChunk`: every item of this chunk fails with this error; other chunks go on;
 * - `retryable`: transient; send the same chunk again after a delay (up to `maxRetries`), then `failChunk`;
 * - `fatal`: nothing else can succeed (revoked credentials, missing permission): this chunk fails and
 *   no further request is sent; every remaining item fails with `NOT_SENT`.
 */
export type BatchErrorClass = 'splittable' | 'failChunk' | 'retryable' | 'fatal';

/** Counters of one run. */
export interface BatchStats {
	/** Chunks formed from the input (before any split). */
	chunks: number;
	/** `send()` calls made, including retries and the extra calls of splitting. */
	calls: number;
	/** Chunks split in two to isolate bad records. */
	splits: number;
	/** Chunks re-sent after a `retryable` error. */
	retries: number;
	succeeded: number;
	failed: number;
}

/** What `send()` gets besides the chunk. */
export interface SendContext {
	/** Input positions of the chunk's items, in chunk order (for labelling errors). */
	indexes: readonly number[];
	/** 1 for the first attempt of this chunk, 2+ for retries. */
	attempt: number;
	/** True when this chunk is a half produced by splitting a failed chunk. */
	isolating: boolean;
	signal?: AbortSignal;
}

/** Failure codes produced by the batching layer itself. */
export const BATCH_CODES = {
	itemTooLarge: 'ITEM_TOO_LARGE',
	itemNotSerializable: 'ITEM_NOT_SERIALIZABLE',
	notSent: 'NOT_SENT',
	aborted: 'ABORTED',
	badBatchResponse: 'BAD_BATCH_RESPONSE',
	/**
	 * The request may or may not have been applied (its answer was lost: connection dropped or timed out after
	 * sending, or a 5xx to a non-idempotent write) and the connector could not settle it (no unique field to look
	 * the record up by). Not a failure: re-running the item may duplicate it. Always its own result.
	 */
	outcomeUnknown: 'OUTCOME_UNKNOWN',
} as const;
