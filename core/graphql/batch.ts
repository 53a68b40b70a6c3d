/**
 * Batched GraphQL writes: N items → one request holding N aliased copies of one mutation (see alias.ts), in chunks of
 * at most `batchSize` (servers cap root fields per request), each item getting exactly one result:
 * - an item whose alias has data and no error: success, its value the copy's answer under the template's keys;
 * - an error whose `path[0]` is an item's alias: that item fails with the server's message (code, field, path kept);
 *   the other items of the request keep their data (partial success);
 * - a request refused before running (400) because of variables that name items (`Variable "$input3" got invalid
 *   value …`): those items fail alone and the others are sent again at once;
 * - an error naming no item (no path), or a refused request: every item of that request fails with its message;
 * - an item with neither data nor error (another copy's error nulled all `data`): outcome unknown;
 * - an answer lost after sending (dropped connection, timeout, a 5xx to a mutation): every item of that request is
 *   "outcome unknown" (`OUTCOME_UNKNOWN`), never a failure and never silently resent — unless `settleLost` looks the
 *   items up: found → success, not found → sent again (settle.ts);
 * - revoked credentials or a missing permission stop the run: the remaining items are `NOT_SENT`.
 */
import { runBatches, type BatchRunResult } from '../batching/run-batches';
import { BATCH_CODES, type BatchItemError, type ItemOutcome } from '../batching/types';
import { answerLost, isCrmError } from '../http/errors';
import { buildAliasedRequest, parseAliasTemplate, type AliasedRequest } from './alias';
import { graphqlErrorsOf, type GraphqlClient } from './client';
import { lostOutcome, MAX_LOST_ROUNDS, settleLost, type LostItemSettlement } from './settle';
import {
	describeGraphqlError,
	errorsAt,
	graphqlErrorCode,
	graphqlErrorField,
	type GraphqlErrorEntry,
	type GraphqlResult,
} from './errors';

/** Options of {@link mutateBatch}. */
export interface BatchMutationOptions<TIn> {
	/** One operation whose root field(s) are repeated per item, e.g. `mutation($input: ContactInput!) { createContact(input: $input) { contact { id } } }`. */
	mutation: string;
	items: Iterable<TIn> | AsyncIterable<TIn>;
	/** The template's variable values for one item (default: the item itself). */
	variables?(item: TIn): Record<string, unknown>;
	/** Variables the copies share (sent once, not renamed), with their values. */
	sharedVariables?: Record<string, unknown>;
	/** Most items per request (default 50; keep it within the server's root-field limit). */
	batchSize?: number;
	/** Requests in flight at once (default 1). */
	concurrency?: number;
	/** Whether re-sending is harmless (updates to given values, upserts by key). Default false. */
	idempotent?: boolean;
	/**
	 * Looks up items whose answer was lost (see settle.ts), one answer per item in order: found (`written`, with the
	 * value to report), `notWritten` (sent again) or `unknown`. Without it, such items are outcome unknown.
	 */
	settleLost?(items: TIn[]): Promise<Array<LostItemSettlement<MutationValue>>>;
	signal?: AbortSignal;
}

/** One item's answer: the copy's data under the template's response keys (e.g. `{ createContact: { contact } }`). */
export type MutationValue = Record<string, unknown>;

/** The batch error class `runBatches` reads to stop the run (revoked credentials, missing permission). */
const FATAL = 'fatal';

function itemError(errors: GraphqlErrorEntry[]): BatchItemError {
	const first = errors[0];
	return {
		message: errors.map(describeGraphqlError).join('; '),
		code: graphqlErrorCode(first),
		details: {
			field: graphqlErrorField(first),
			path: first.path,
			extensions: first.extensions,
			...(errors.length > 1 ? { errors } : {}),
		},
	};
}

/** Maps a 2xx GraphQL answer to one outcome per copy. */
export function mapAliasedResult(
	request: AliasedRequest,
	result: GraphqlResult<Record<string, unknown>>,
): Array<ItemOutcome<MutationValue>> {
	const errors = result.errors ?? [];
	const aliases = new Set(request.aliases.flat().map((a) => a.alias));
	const unplaced = errors.filter(
		(e) => typeof e.path?.[0] !== 'string' || !aliases.has(e.path[0] as string),
	);
	return request.aliases.map((itemAliases) => {
		if (unplaced.length > 0) return { ok: false, error: itemError(unplaced) };
		const own = itemAliases.flatMap((a) => errorsAt(errors, a.alias));
		if (own.length > 0) return { ok: false, error: itemError(own) };
		const value: MutationValue = {};
		for (const { alias, responseKey } of itemAliases) {
			const v = result.data?.[alias];
			// No data and no error of its own: another copy's error nulled the whole answer (a non-null root field), or
			// the server said nothing about it. A mutation may have run either way: unknown, not failed.
			if (v === undefined || v === null)
				return {
					ok: false,
					error: {
						message: `outcome unknown: the answer has no data and no error for ${responseKey} (alias ${alias})${result.data ? '' : ' — the whole data was null because of another error in the request'}; this mutation may or may not have been applied. Check the record before re-running this item.`,
						code: BATCH_CODES.outcomeUnknown,
						details: { alias, otherErrors: errors.length },
					},
				};
			value[responseKey] = v;
		}
		return { ok: true, value };
	});
}

/** The copies a request-level error names through their renamed variables (`Variable "$input3" …`), if all do. */
function itemsNamedByVariables(
	request: AliasedRequest,
	errors: GraphqlErrorEntry[],
): Map<number, GraphqlErrorEntry[]> | undefined {
	const named = new Map<number, GraphqlErrorEntry[]>();
	for (const e of errors) {
		const m = /Variable "\$([_A-Za-z][_0-9A-Za-z]*)"/.exec(e.message);
		const owner = m ? request.variableOwner.get(m[1]) : undefined;
		if (owner === undefined) return undefined;
		named.set(owner, [...(named.get(owner) ?? []), e]);
	}
	return named.size > 0 ? named : undefined;
}

/** Sends the items as batched aliased mutations; one result per item, in input order. */
export async function mutateBatch<TIn>(
	client: GraphqlClient,
	options: BatchMutationOptions<TIn>,
): Promise<BatchRunResult<MutationValue>> {
	const template = parseAliasTemplate(options.mutation, Object.keys(options.sharedVariables ?? {}));
	const idempotent = options.idempotent ?? false;
	const variablesOf =
		options.variables ?? ((item: TIn) => item as unknown as Record<string, unknown>);

	const sendChunk = async (
		chunk: TIn[],
		signal?: AbortSignal,
	): Promise<Array<ItemOutcome<MutationValue>>> => {
		const outcomes: Array<ItemOutcome<MutationValue>> = new Array(chunk.length);
		let pending = chunk.map((_, i) => i);
		let lostRounds = 0;
		while (pending.length > 0) {
			const request = buildAliasedRequest(
				template,
				pending.map((i) => variablesOf(chunk[i])),
				options.sharedVariables,
			);
			let result: GraphqlResult<Record<string, unknown>>;
			try {
				result = await client.execute({
					query: request.query,
					variables: request.variables,
					idempotent,
					signal,
				});
			} catch (error) {
				if (!isCrmError(error)) throw error;
				if (error.kind === 'authentication' || error.kind === 'permission')
					throw Object.assign(error, { batchErrorClass: FATAL });
				const lost = answerLost(error);
				if (lost && options.settleLost && lostRounds <= MAX_LOST_ROUNDS) {
					lostRounds++;
					const resend = await settleLost(
						options.settleLost,
						pending,
						pending.map((i) => chunk[i]),
						outcomes,
						error,
						idempotent,
					);
					if (lostRounds <= MAX_LOST_ROUNDS) {
						pending = resend;
						continue;
					}
					// The look-up found nothing each time: not written (the caller's look-up vouches for it).
					for (const i of resend)
						outcomes[i] = {
							ok: false,
							error: {
								message: `not written: the answer was lost ${lostRounds} times (last: ${error.message.split(' — ')[0]}) and looking the item up found nothing each time — re-run this item`,
								code: BATCH_CODES.notSent,
							},
						};
					break;
				}
				const errors = graphqlErrorsOf(error) ?? [];
				const named =
					!lost && error.status === 400 ? itemsNamedByVariables(request, errors) : undefined;
				if (named) {
					const still: number[] = [];
					pending.forEach((original, copy) => {
						const own = named.get(copy);
						if (own) outcomes[original] = { ok: false, error: itemError(own) };
						else still.push(original);
					});
					pending = still;
					continue;
				}
				const failure: BatchItemError = lost
					? lostOutcome(error, pending.length, idempotent)
					: errors.length > 0
						? itemError(errors)
						: {
								message: error.message,
								code: error.crmCode ?? error.kind,
								details: { status: error.status },
							};
				for (const i of pending) outcomes[i] = { ok: false, error: failure };
				break;
			}
			mapAliasedResult(request, result).forEach((outcome, copy) => {
				outcomes[pending[copy]] = outcome;
			});
			break;
		}
		return outcomes;
	};

	return runBatches<TIn, MutationValue>({
		items: options.items,
		maxCount: options.batchSize ?? 50,
		concurrency: options.concurrency,
		send: (chunk, ctx) => sendChunk(chunk, ctx.signal),
		// Every failure is already an item outcome; only a fatal error is thrown.
		isolateOnBatchFailure: false,
		describeError: (error) =>
			isCrmError(error)
				? {
						message: error.message,
						code: error.crmCode ?? error.kind,
						details: { status: error.status },
					}
				: { message: String((error as Error)?.message ?? error) },
		signal: options.signal,
	});
}
