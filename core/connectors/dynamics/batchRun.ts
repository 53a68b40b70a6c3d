/**
 * Requests other than record writes (associate / disassociate `$ref`, functions, actions) sent as `$batch`es of up to
 * 1,000 (`batch.ts`: writes each in a change set of their own, GETs as top-level parts), one answer per request in
 * request order; up to `concurrency` batches in flight at once (`batchPool.ts`). As for writes (`write.ts`): a request answered 429 inside a batch is sent again after the longest
 * `Retry-After` of the round (a few times); a batch whose answer was lost is resent by the core only when every
 * request in it is harmless to repeat, else its requests are reported `OUTCOME_UNKNOWN`.
 */
import { BATCH_CODES } from '../../batching/types';
import { CrmError } from '../../http/errors';
import { batchConcurrency, eachInPool } from './batchPool';
import { type BatchAnswer, type BatchRequest, DATAVERSE_BATCH_MAX, sendBatch } from './batch';
import type { DataverseClient } from './client';
import { answerLost } from './write';

/** Options of {@link runRequests}. */
export interface RunRequestsOptions {
	/** Whether resending every request is harmless (GETs, DELETEs, PUTs). */
	idempotent: boolean;
	/** Requests per `$batch` (≤ 1,000). */
	batchSize?: number;
	/** `$batch`es in flight at once (default 4; capped by the rate budget's `maxConcurrent`). */
	concurrency?: number;
	/** Times a request answered 429 is sent again (default 5). */
	rateLimitRounds?: number;
	/** Longest `Retry-After` waited for (default 60 s). */
	maxRetryAfterMs?: number;
	sleep?: (ms: number) => Promise<void>;
	signal?: AbortSignal;
}

/** The answer of a request whose batch's answer was lost (it may or may not have run). */
function lost(error: unknown, idempotent: boolean): CrmError {
	const why = error instanceof Error ? error.message.split(' — ')[0] : String(error);
	return new CrmError(
		`outcome unknown: Dynamics 365's answer to this batch was lost (${why}) — it may or may not have been applied.${idempotent ? ' It is safe to repeat: re-run this item.' : ' Check in Dynamics 365 before re-running this item.'}`,
		{ kind: 'fatal', retryable: false, crmCode: BATCH_CODES.outcomeUnknown },
	);
}

/** Sends the requests (unique `contentId`s); one answer per request, in request order. Never throws but on abort. */
export async function runRequests(
	client: DataverseClient,
	requests: readonly BatchRequest[],
	options: RunRequestsOptions,
): Promise<BatchAnswer[]> {
	const answers = new Map<string, BatchAnswer>();
	const size = Math.max(1, Math.min(DATAVERSE_BATCH_MAX, options.batchSize ?? DATAVERSE_BATCH_MAX));
	const sleep = options.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
	const batches: BatchRequest[][] = [];
	for (let i = 0; i < requests.length; i += size) batches.push(requests.slice(i, i + size));
	await eachInPool(batches, batchConcurrency(client, options.concurrency), async (batch) => {
		let pending = batch;
		for (let round = 0; pending.length; round++) {
			options.signal?.throwIfAborted();
			let got: Map<string, BatchAnswer>;
			try {
				got = await sendBatch(client, pending, {
					idempotent: options.idempotent,
					signal: options.signal,
				});
			} catch (error) {
				const failure =
					answerLost(error) || !(error instanceof CrmError)
						? lost(error, options.idempotent)
						: error;
				for (const r of pending) answers.set(r.contentId, { ok: false, error: failure });
				break;
			}
			const again: BatchRequest[] = [];
			let wait = 0;
			for (const r of pending) {
				const a = got.get(r.contentId)!;
				const delay = a.ok ? 0 : (a.error.retryAfterMs ?? 1000);
				if (
					!a.ok &&
					a.error.kind === 'rateLimited' &&
					round < (options.rateLimitRounds ?? 5) &&
					delay <= (options.maxRetryAfterMs ?? 60_000)
				) {
					again.push(r);
					wait = Math.max(wait, delay);
				} else answers.set(r.contentId, a);
			}
			if (again.length) await sleep(wait);
			pending = again;
		}
	});
	return requests.map((r) => answers.get(r.contentId)!);
}
