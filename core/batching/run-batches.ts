/**
 * Batched writes: chunk items by count and payload size, send chunks with bounded concurrency, isolate
 * bad records when the API fails a whole batch because of them, and give every input item exactly one
 * result. `runBatchesStream` does it over a (possibly async, possibly huge) input without reading it all
 * into memory; `runBatches` collects the results in input order.
 */

import { Semaphore } from './semaphore';
import {
	BATCH_CODES,
	type BatchErrorClass,
	type BatchItemError,
	type BatchItemResult,
	type BatchStats,
	type ItemOutcome,
	type SendContext,
} from './types';

export interface BatchOptions<TIn, TOut> {
	/** Most items per request (Salesforce collections 200, HubSpot batch 100, Dataverse $batch 1000). */
	maxCount: number;
	/** Most bytes per request payload (optional). */
	maxBytes?: number;
	/** Size of one item in bytes (default: UTF-8 length of its JSON). Only used with `maxBytes`. */
	sizeOf?(item: TIn): number;
	/** Bytes of the request around the items (default 2: the `[` `]` of a JSON array). */
	envelopeBytes?: number;
	/** Bytes between two items (default 1: the `,` of a JSON array). */
	separatorBytes?: number;
	/** Most `send()` calls in flight at once, splits and retries included (default 1). */
	concurrency?: number;
	/**
	 * Sends one chunk and reports one outcome per item, in chunk order (the API's partial success). Throw
	 * when the request as a whole failed; `classifyBatchError` decides what happens next.
	 */
	send(chunk: TIn[], context: SendContext): Promise<ReadonlyArray<ItemOutcome<TOut>>>;
	/** Split failed chunks to isolate bad records when the error is `splittable` (default true). */
	isolateOnBatchFailure?: boolean;
	/** Classifies an error thrown by `send()` (default: {@link defaultClassifyBatchError}). */
	classifyBatchError?(error: unknown, chunk: readonly TIn[]): BatchErrorClass;
	/** Turns an error thrown by `send()` into the items' failure reason (default: {@link describeBatchError}). */
	describeError?(error: unknown): BatchItemError;
	/** Re-sends of a chunk after `retryable` errors (default 2). */
	maxRetries?: number;
	/** Delay before retry number `retry` (1-based), in ms (default 1000 · 2^(retry-1)). */
	retryDelayMs?(retry: number): number;
	/** Waits `ms` (injectable for tests; default `setTimeout`, aborted by `signal`). */
	sleep?(ms: number, signal?: AbortSignal): Promise<void>;
	/** Stops sending new requests; the run throws the abort reason. */
	signal?: AbortSignal;
}

export interface RunBatchesOptions<TIn, TOut> extends BatchOptions<TIn, TOut> {
	items: Iterable<TIn> | AsyncIterable<TIn>;
}

/** A streaming run: iterate it once to get each chunk's results as they finish; `stats` is live. */
export interface BatchRun<TOut> extends AsyncIterable<Array<BatchItemResult<TOut>>> {
	readonly stats: Readonly<BatchStats>;
}

/**
 * Default classification of an error thrown by `send()`, by duck typing so it works with any error
 * class: an explicit `batchErrorClass` property wins; HTTP 400/413/422 → `splittable` (the payload,
 * i.e. some record or the size, is at fault); 401/403 → `fatal`; anything else → `failChunk` (the
 * transport has already retried 429/5xx, so the batch layer does not multiply retries by default).
 */
export function defaultClassifyBatchError(error: unknown): BatchErrorClass {
	if (error !== null && typeof error === 'object') {
		const explicit = (error as { batchErrorClass?: unknown }).batchErrorClass;
		if (
			explicit === 'splittable' ||
			explicit === 'failChunk' ||
			explicit === 'retryable' ||
			explicit === 'fatal'
		)
			return explicit;
		const status = statusOf(error);
		if (status === 400 || status === 413 || status === 422) return 'splittable';
		if (status === 401 || status === 403) return 'fatal';
	}
	return 'failChunk';
}

function statusOf(error: object): number | undefined {
	const e = error as { status?: unknown; statusCode?: unknown; response?: { status?: unknown } };
	for (const candidate of [e.status, e.statusCode, e.response?.status]) {
		if (typeof candidate === 'number') return candidate;
	}
	return undefined;
}

/** Default failure reason of a thrown error: its message, its string `code`, its `details`. */
export function describeBatchError(error: unknown): BatchItemError {
	if (
		error instanceof Error ||
		(error !== null && typeof error === 'object' && 'message' in error)
	) {
		const e = error as { message?: unknown; code?: unknown; details?: unknown };
		const described: BatchItemError = {
			message: typeof e.message === 'string' && e.message !== '' ? e.message : String(error),
		};
		if (typeof e.code === 'string' || typeof e.code === 'number') described.code = String(e.code);
		if (e.details !== undefined) described.details = e.details;
		return described;
	}
	return { message: typeof error === 'string' ? error : `batch request failed: ${String(error)}` };
}

function defaultSizeOf(item: unknown): number {
	const json = JSON.stringify(item);
	return Buffer.byteLength(json === undefined ? 'null' : json, 'utf8');
}

function defaultSleep(ms: number, signal?: AbortSignal): Promise<void> {
	return new Promise<void>((resolve, reject) => {
		if (signal?.aborted) {
			reject(signal.reason);
			return;
		}
		const onAbort = () => {
			clearTimeout(timer);
			reject(signal?.reason);
		};
		const timer = setTimeout(() => {
			signal?.removeEventListener('abort', onAbort);
			resolve();
		}, ms);
		signal?.addEventListener('abort', onAbort, { once: true });
	});
}

function checkPositiveInteger(value: number | undefined, name: string, allowZero = false): void {
	if (value === undefined) return;
	if (!Number.isInteger(value) || value < (allowZero ? 0 : 1)) {
		throw new RangeError(
			`runBatches(): ${name} must be a ${allowZero ? 'non-negative' : 'positive'} integer, got ${String(value)}`,
		);
	}
}

const formatBytes = (n: number) => n.toLocaleString('en-US');

interface Chunk<TIn> {
	items: TIn[];
	indexes: number[];
	bytes: number;
}

/**
 * Runs batched writes over a stream of items and yields each chunk's results as soon as the chunk is
 * settled (completion order; each array sorted by input index). Input is read only while fewer than
 * `concurrency` chunks are unsettled, so at most about `(concurrency + 1) · maxCount` items are held.
 * Every input item gets exactly one result; nothing is dropped silently.
 *
 * If the consumer stops early, requests already in flight still complete (pass `signal` to cancel them).
 */
export function runBatchesStream<TIn, TOut>(options: RunBatchesOptions<TIn, TOut>): BatchRun<TOut> {
	checkPositiveInteger(options.maxCount, 'maxCount');
	checkPositiveInteger(options.maxBytes, 'maxBytes');
	checkPositiveInteger(options.concurrency, 'concurrency');
	checkPositiveInteger(options.maxRetries, 'maxRetries', true);
	checkPositiveInteger(options.envelopeBytes, 'envelopeBytes', true);
	checkPositiveInteger(options.separatorBytes, 'separatorBytes', true);

	const stats: BatchStats = { chunks: 0, calls: 0, splits: 0, retries: 0, succeeded: 0, failed: 0 };
	let started = false;
	const generator = executeRun(options, stats);
	return {
		stats,
		[Symbol.asyncIterator]() {
			if (started) throw new Error('runBatchesStream(): a batch run can be iterated only once');
			started = true;
			return generator;
		},
	};
}

async function* executeRun<TIn, TOut>(
	options: RunBatchesOptions<TIn, TOut>,
	stats: BatchStats,
): AsyncGenerator<Array<BatchItemResult<TOut>>, void, undefined> {
	const { maxCount, maxBytes, signal } = options;
	const concurrency = options.concurrency ?? 1;
	const envelope = options.envelopeBytes ?? 2;
	const separator = options.separatorBytes ?? 1;
	const sizeOf = options.sizeOf ?? defaultSizeOf;
	const semaphore = new Semaphore(concurrency);
	const executor = new ChunkExecutor(options, stats, semaphore);

	type Pending = { promise: Promise<Pending>; results?: Array<BatchItemResult<TOut>> };
	const pending: Pending[] = [];
	const launch = (produce: () => Promise<Array<BatchItemResult<TOut>>>) => {
		const entry: Pending = { promise: undefined as unknown as Promise<Pending> };
		entry.promise = produce().then((results) => {
			entry.results = results;
			return entry;
		});
		pending.push(entry);
	};
	const launchChunk = (chunk: Chunk<TIn>) => {
		stats.chunks++;
		launch(() => executor.run(chunk.items, chunk.indexes));
	};
	const launchFailure = (index: number, error: BatchItemError) => {
		stats.failed++;
		launch(async () => [{ index, ok: false, error }]);
	};

	const iterator = toAsyncIterator(options.items);
	let exhausted = false;
	let index = 0;
	let chunk: Chunk<TIn> | undefined;
	try {
		for (;;) {
			signal?.throwIfAborted();
			while (!exhausted && pending.length < concurrency) {
				const step = await iterator.next();
				if (step.done) {
					exhausted = true;
					if (chunk) launchChunk(chunk);
					chunk = undefined;
					break;
				}
				const item = step.value;
				const itemIndex = index++;
				let size = 0;
				if (maxBytes !== undefined) {
					try {
						size = sizeOf(item);
					} catch (error) {
						launchFailure(itemIndex, {
							message: `item at index ${itemIndex} cannot be measured for the batch size limit: ${describeBatchError(error).message.split('\n')[0]} — make the record JSON-serializable (no circular references or BigInt)`,
							code: BATCH_CODES.itemNotSerializable,
						});
						continue;
					}
					if (envelope + size > maxBytes) {
						launchFailure(itemIndex, {
							message: `item at index ${itemIndex} is ${formatBytes(size)} bytes, more than the ${formatBytes(maxBytes - envelope)}-byte limit for one record in a ${formatBytes(maxBytes)}-byte batch request — it was not sent; shorten its largest fields (long text, attachments) or raise maxBytes`,
							code: BATCH_CODES.itemTooLarge,
							details: { size, maxBytes },
						});
						continue;
					}
				}
				if (
					chunk &&
					(chunk.items.length >= maxCount ||
						(maxBytes !== undefined && chunk.bytes + separator + size > maxBytes))
				) {
					launchChunk(chunk);
					chunk = undefined;
				}
				if (!chunk) chunk = { items: [item], indexes: [itemIndex], bytes: envelope + size };
				else {
					chunk.items.push(item);
					chunk.indexes.push(itemIndex);
					chunk.bytes += separator + size;
				}
				if (chunk.items.length >= maxCount) {
					launchChunk(chunk);
					chunk = undefined;
				}
			}
			if (pending.length === 0) {
				if (exhausted) return;
				continue;
			}
			const settled = await Promise.race(pending.map((entry) => entry.promise));
			pending.splice(pending.indexOf(settled), 1);
			signal?.throwIfAborted();
			yield settled.results ?? [];
		}
	} finally {
		if (!exhausted) await iterator.return?.();
	}
}

function toAsyncIterator<T>(items: Iterable<T> | AsyncIterable<T>): AsyncIterator<T> {
	if (Symbol.asyncIterator in items) return (items as AsyncIterable<T>)[Symbol.asyncIterator]();
	const sync = (items as Iterable<T>)[Symbol.iterator]();
	return {
		next: async () => sync.next(),
		return: async () => sync.return?.() ?? { done: true, value: undefined },
	};
}

/** Sends chunks, with retries, splitting and the fatal stop; never rejects (every failure becomes a result). */
class ChunkExecutor<TIn, TOut> {
	private fatal: BatchItemError | undefined;

	constructor(
		private readonly options: BatchOptions<TIn, TOut>,
		private readonly stats: BatchStats,
		private readonly semaphore: Semaphore,
	) {}

	async run(
		items: TIn[],
		indexes: number[],
		isolating = false,
	): Promise<Array<BatchItemResult<TOut>>> {
		const { options, stats } = this;
		const maxRetries = options.maxRetries ?? 2;
		for (let attempt = 1; ; attempt++) {
			if (this.fatal) return this.failAll(indexes, this.notSent());
			if (options.signal?.aborted) {
				return this.failAll(indexes, {
					message: 'not sent: the run was cancelled before this batch was sent',
					code: BATCH_CODES.aborted,
				});
			}
			let outcomes: ReadonlyArray<ItemOutcome<TOut>> | undefined;
			let failure: { error: unknown } | undefined;
			const release = await this.semaphore.acquire();
			try {
				if (this.fatal) return this.failAll(indexes, this.notSent());
				stats.calls++;
				outcomes = await options.send(items.slice(), {
					indexes: indexes.slice(),
					attempt,
					isolating,
					signal: options.signal,
				});
			} catch (error) {
				failure = { error };
			} finally {
				release();
			}

			if (!failure) return this.collect(outcomes, indexes);

			let described: BatchItemError;
			try {
				described = (options.describeError ?? describeBatchError)(failure.error);
			} catch {
				described = describeBatchError(failure.error);
			}
			let kind: BatchErrorClass;
			try {
				kind = (options.classifyBatchError ?? defaultClassifyBatchError)(failure.error, items);
			} catch {
				kind = 'failChunk';
			}
			switch (kind) {
				case 'retryable':
					if (attempt <= maxRetries) {
						stats.retries++;
						const delay = options.retryDelayMs
							? options.retryDelayMs(attempt)
							: 1000 * 2 ** (attempt - 1);
						try {
							await (options.sleep ?? defaultSleep)(delay, options.signal);
						} catch {
							// Aborted while waiting: the loop reports ABORTED.
						}
						continue;
					}
					return this.failAll(indexes, {
						...described,
						message: `${described.message} (gave up after ${attempt} attempt${attempt === 1 ? '' : 's'})`,
					});
				case 'splittable':
					if (items.length > 1 && (options.isolateOnBatchFailure ?? true)) {
						stats.splits++;
						const half = Math.ceil(items.length / 2);
						const [left, right] = await Promise.all([
							this.run(items.slice(0, half), indexes.slice(0, half), true),
							this.run(items.slice(half), indexes.slice(half), true),
						]);
						return left.concat(right);
					}
					return this.failAll(indexes, described);
				case 'fatal':
					this.fatal ??= described;
					return this.failAll(indexes, described);
				default:
					return this.failAll(indexes, described);
			}
		}
	}

	private notSent(): BatchItemError {
		return {
			message: `not sent: an earlier batch failed with an error that stops the run (${this.fatal?.message ?? 'unknown'}) — fix that and re-run these records`,
			code: BATCH_CODES.notSent,
			details: { cause: this.fatal },
		};
	}

	private collect(
		outcomes: ReadonlyArray<ItemOutcome<TOut>> | undefined,
		indexes: number[],
	): Array<BatchItemResult<TOut>> {
		if (!Array.isArray(outcomes) || outcomes.length !== indexes.length) {
			const got = Array.isArray(outcomes)
				? `${outcomes.length} results`
				: `a ${outcomes === null ? 'null' : typeof outcomes}`;
			return this.failAll(indexes, {
				message: `the connector's send() returned ${got} for a batch of ${indexes.length} records, so no record's outcome is known — this is a connector bug; the records may or may not have been written`,
				code: BATCH_CODES.badBatchResponse,
			});
		}
		return outcomes.map((outcome, i): BatchItemResult<TOut> => {
			const index = indexes[i];
			if (outcome && outcome.ok === true) {
				this.stats.succeeded++;
				return { index, ok: true, value: outcome.value };
			}
			this.stats.failed++;
			if (
				outcome &&
				outcome.ok === false &&
				outcome.error &&
				typeof outcome.error.message === 'string'
			) {
				return { index, ok: false, error: outcome.error };
			}
			return {
				index,
				ok: false,
				error: {
					message: `the connector's send() returned a malformed outcome for this record (${JSON.stringify(outcome)?.slice(0, 60)})`,
					code: BATCH_CODES.badBatchResponse,
				},
			};
		});
	}

	private failAll(indexes: readonly number[], error: BatchItemError): Array<BatchItemResult<TOut>> {
		this.stats.failed += indexes.length;
		return indexes.map((index) => ({ index, ok: false, error }));
	}
}

/** Result of {@link runBatches}: one result per input item, at its input position. */
export interface BatchRunResult<TOut> {
	results: Array<BatchItemResult<TOut>>;
	stats: BatchStats;
}

/**
 * Runs batched writes and returns one result per input item, **in input order**
 * (`results[i].index === i`), plus the run's counters. For very large or async inputs, prefer
 * {@link runBatchesStream}, which does not hold all results.
 */
export async function runBatches<TIn, TOut>(
	options: RunBatchesOptions<TIn, TOut>,
): Promise<BatchRunResult<TOut>> {
	const run = runBatchesStream(options);
	const results: Array<BatchItemResult<TOut>> = [];
	for await (const chunkResults of run) {
		for (const result of chunkResults) results[result.index] = result;
	}
	return { results, stats: { ...run.stats } };
}
