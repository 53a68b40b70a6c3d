/**
 * `DynamicsCrm.write`: the inputs as `$batch`es of up to `batchSize` requests (`batch.ts`: each request its own change
 * set with a `Content-ID`, `odata.continue-on-error`), one result per input in input order, answers matched by
 * `Content-ID`. Up to `concurrency` batches are in flight at once (`batchPool.ts`; default 4, capped by the rate
 * budget's `maxConcurrent`); each fills only its own items' results. Around each batch:
 * - a request answered 429 inside the batch (service protection) is sent again, alone with the other 429s of the batch,
 *   after the longest `Retry-After` they carry (up to `rateLimitRounds` times); a 429 of the whole batch is the core
 *   transport's (it resends a POST refused before processing);
 * - a lost answer of the whole batch (connection dropped, timeout, 5xx): updates, upserts and deletes were already
 *   resent by the core (the batch is idempotent); creates are settled by their alternate-key value (`writeSettle.ts`)
 *   or reported `OUTCOME_UNKNOWN`.
 */
import { BATCH_CODES, type BatchItemError, type BatchItemResult } from '../../batching/types';
import { answerLost, CrmError, isCrmError } from '../../http/errors';
import type { WriteInput, WriteOperation, WrittenRecord } from '../contract';
import { type BatchAnswer, type BatchRequest, DATAVERSE_BATCH_MAX, sendBatch } from './batch';
import { batchConcurrency, eachInPool } from './batchPool';
import type { DataverseClient } from './client';
import type { DataverseEntity, DataverseSchema } from './schema';
import { MAX_LOST_CREATE_ROUNDS, settleLostCreates } from './writeSettle';
import { prepareWrites } from './writeRequest';

/** Dataverse's codes for "a record with these key values already exists" (alternate key, `If-None-Match: *`). */
const DUPLICATE_CODES = new Set(['0x80060892', '0x80040237']);

/** What {@link dataverseWrite} needs. */
export interface DataverseWriteContext {
	client: DataverseClient;
	schema: DataverseSchema;
	entities: readonly DataverseEntity[];
	/** Requests per `$batch` (≤ 1,000). */
	batchSize: number;
	/** `$batch`es in flight at once (default 4; capped by the rate budget's `maxConcurrent`). */
	concurrency?: number;
	/** Times a request answered 429 inside a batch is sent again (default 5). */
	rateLimitRounds?: number;
	/** Longest wait for one `Retry-After` (default 60 s; longer waits fail the requests as rate limited). */
	maxRetryAfterMs?: number;
	sleep?: (ms: number) => Promise<void>;
	now?: () => number;
}

type Entry = { index: number; request: BatchRequest };
type Out = Array<BatchItemResult<WrittenRecord> | undefined>;

/** The error category of a failed request: Dataverse's duplicate-key codes are `duplicate`, else the error's kind. */
function category(error: CrmError): string {
	if (error.crmCode && DUPLICATE_CODES.has(error.crmCode)) return 'duplicate';
	if (error.kind === 'rateLimited') return 'rateLimit';
	return error.kind;
}

/** A failed request (or batch) as an item error: Dataverse's code and message, the category in `details`. */
export function itemError(error: unknown): BatchItemError {
	if (!isCrmError(error))
		return { message: error instanceof Error ? error.message : String(error), code: 'ERROR' };
	return {
		message: error.crmMessage ?? error.message,
		code: error.crmCode ?? error.kind,
		details: { category: category(error), kind: error.kind, status: error.status },
	};
}

export { answerLost };

/** The record id at the end of an `OData-EntityId` URL (`…/contacts(<guid>)`). */
function entityId(headers: Record<string, string>): string | undefined {
	const url = headers['odata-entityid'] ?? headers.location;
	return url ? /\(([0-9a-fA-F-]{36})\)\s*$/.exec(url)?.[1] : undefined;
}

/** A 2xx answer as the written record. */
function written(
	operation: WriteOperation,
	schema: DataverseSchema,
	input: WriteInput,
	answer: Extract<BatchAnswer, { ok: true }>,
): WrittenRecord | undefined {
	const { part } = answer;
	const body = part.body as Record<string, unknown> | undefined;
	const fromBody =
		typeof body?.[schema.idField] === 'string' ? (body[schema.idField] as string) : undefined;
	const id = fromBody ?? entityId(part.headers) ?? (operation !== 'create' ? input.id : undefined);
	if (!id) return undefined;
	const out: WrittenRecord = { id };
	// With `return=representation` Dataverse answers an upsert 201 when it created the row, 200 when it updated one.
	if (operation === 'upsert' && (part.status === 201 || part.status === 200))
		out.created = part.status === 201;
	return out;
}

/** Writes the inputs; one result per input, in input order. */
export async function dataverseWrite(
	ctx: DataverseWriteContext,
	operation: WriteOperation,
	inputs: WriteInput[],
	options: { key?: string; signal?: AbortSignal } = {},
): Promise<Array<BatchItemResult<WrittenRecord>>> {
	const out: Out = new Array(inputs.length);
	const prepared = prepareWrites(ctx.schema, ctx.entities, operation, inputs, options.key);
	const entries: Entry[] = [];
	prepared.forEach((p, index) => {
		if (p.ok) entries.push({ index, request: p.request });
		else out[index] = { index, ok: false, error: { message: p.message, code: p.code } };
	});
	const size = Math.max(1, Math.min(DATAVERSE_BATCH_MAX, Math.floor(ctx.batchSize)));
	const batches: Entry[][] = [];
	for (let i = 0; i < entries.length; i += size) batches.push(entries.slice(i, i + size));
	await eachInPool(batches, batchConcurrency(ctx.client, ctx.concurrency), async (batch) => {
		options.signal?.throwIfAborted();
		await runBatch(ctx, operation, inputs, batch, out, options.signal);
	});
	const byKey =
		operation === 'update' && options.key !== undefined && options.key !== ctx.schema.idField;
	return out.map((r, index) => {
		if (!r)
			return {
				index,
				ok: false,
				error: { message: 'not written (no result)', code: BATCH_CODES.notSent },
			};
		return byKey && !r.ok ? keyNotFound(ctx.schema.name, options.key!, inputs[index], r) : r;
	});
}

/** An update by alternate key answered 404: the item's error names the key, the value and the fix. */
function keyNotFound(
	set: string,
	key: string,
	input: WriteInput,
	r: Extract<BatchItemResult<WrittenRecord>, { ok: false }>,
): BatchItemResult<WrittenRecord> {
	const details = (r.error.details ?? {}) as Record<string, unknown>;
	if (details.status !== 404) return r;
	const value = JSON.stringify(input.fields?.[key] ?? null);
	return {
		...r,
		error: {
			message: `no row with ${key}=${value} in ${set} — Update never creates rows: check the value, or use Create or Update (upsert) on ${key} to create missing rows`,
			code: 'NOT_FOUND',
			details: { ...details, key, value: input.fields?.[key], dataverseMessage: r.error.message },
		},
	};
}

/** One batch: sent, its 429s sent again, a lost answer settled. Fills `out` for every entry. */
async function runBatch(
	ctx: DataverseWriteContext,
	operation: WriteOperation,
	inputs: WriteInput[],
	entries: Entry[],
	out: Out,
	signal: AbortSignal | undefined,
	lostRounds = 0,
	firstSentAt?: number,
): Promise<void> {
	const now = ctx.now ?? Date.now;
	const sleep = ctx.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
	const maxWait = ctx.maxRetryAfterMs ?? 60_000;
	let pending = entries;
	for (let round = 0; pending.length; round++) {
		let answers: Map<string, BatchAnswer>;
		const sentAt = firstSentAt ?? now();
		try {
			answers = await sendBatch(
				ctx.client,
				pending.map((e) => e.request),
				{ idempotent: operation !== 'create', signal },
			);
		} catch (error) {
			if (!answerLost(error)) {
				for (const e of pending)
					out[e.index] = { index: e.index, ok: false, error: itemError(error) };
				return;
			}
			if (operation !== 'create') {
				for (const e of pending)
					out[e.index] = { index: e.index, ok: false, error: lostRepeatable(error) };
				return;
			}
			await settle(ctx, inputs, pending, out, error, signal, lostRounds, sentAt);
			return;
		}
		const again: Entry[] = [];
		let wait = 0;
		for (const e of pending) {
			const a = answers.get(e.request.contentId);
			if (!a) continue;
			if (!a.ok) {
				const delay = a.error.retryAfterMs ?? 1000;
				if (
					a.error.kind === 'rateLimited' &&
					round < (ctx.rateLimitRounds ?? 5) &&
					delay <= maxWait
				) {
					again.push(e);
					wait = Math.max(wait, delay);
				} else out[e.index] = { index: e.index, ok: false, error: itemError(a.error) };
				continue;
			}
			const value = written(operation, ctx.schema, inputs[e.index], a);
			out[e.index] = value
				? { index: e.index, ok: true, value }
				: {
						index: e.index,
						ok: false,
						error: {
							message: `Dynamics 365 answered ${a.part.status} without the record's id (no OData-EntityId): it was probably written`,
							code: BATCH_CODES.badBatchResponse,
						},
					};
		}
		if (again.length) {
			signal?.throwIfAborted();
			await sleep(wait);
		}
		pending = again;
	}
}

/** The result of an update / upsert / delete whose answer stayed lost after the core's resends. */
function lostRepeatable(error: unknown): BatchItemError {
	const why = error instanceof Error ? error.message.split(' — ')[0] : String(error);
	return {
		message: `outcome unknown: Dynamics 365's answer to this batch was lost (${why}) — it may or may not have been applied. It is safe to repeat: re-run this item.`,
		code: BATCH_CODES.outcomeUnknown,
		details: { safeToRerun: true },
	};
}

/** A lost batch of creates: found by alternate key → written; not found → sent again (a few times); else unknown. */
async function settle(
	ctx: DataverseWriteContext,
	inputs: WriteInput[],
	pending: Entry[],
	out: Out,
	cause: unknown,
	signal: AbortSignal | undefined,
	lostRounds: number,
	sentAt: number,
): Promise<void> {
	const settled = await settleLostCreates(
		ctx,
		pending.map((e) => inputs[e.index].fields ?? {}),
		cause,
		lostRounds + 1,
		sentAt,
	);
	const resend: Entry[] = [];
	pending.forEach((e, j) => {
		const s = settled[j];
		if (s.state === 'notWritten' && lostRounds + 1 < MAX_LOST_CREATE_ROUNDS) resend.push(e);
		else out[e.index] = { index: e.index, ...s.result };
	});
	// Dataverse refuses a second row with the same alternate-key value, so sending these again cannot double them.
	if (resend.length)
		await runBatch(ctx, 'create', inputs, resend, out, signal, lostRounds + 1, sentAt);
}
