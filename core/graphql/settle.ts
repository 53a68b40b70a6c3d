/**
 * Settling items whose batched mutation lost its answer (connection dropped or timed out after sending, a 5xx): the
 * caller looks the items up (e.g. `contacts(filter: {email})` by a unique value) and says, per item, whether the
 * record is there. Found → success with what the look-up returned; not found → not written, sent again (at most
 * {@link MAX_LOST_ROUNDS} times: a unique value makes that safe, the server refuses a second record with it);
 * anything else → outcome unknown, with the reason.
 */
import { BATCH_CODES, type BatchItemError, type ItemOutcome } from '../batching/types';
import type { CrmError } from '../http/errors';

/** One answer-lost item's state, as the caller's look-up found it. */
export type LostItemSettlement<TValue> =
	| { state: 'written'; value: TValue }
	| { state: 'notWritten' }
	| { state: 'unknown'; reason: string };

/** Times the items of one chunk are sent again after a lost answer and a look-up that did not find them. */
export const MAX_LOST_ROUNDS = 2;

/** The "outcome unknown" result of an item whose answer was lost. */
export function lostOutcome(
	error: CrmError,
	count: number,
	idempotent: boolean,
	reason?: string,
): BatchItemError {
	const what = error.message.split(' — ')[0];
	const lookup = reason ? ` Looking it up did not settle it: ${reason}.` : '';
	return {
		message: `outcome unknown: the answer to the GraphQL request carrying this item (${count} mutation${count === 1 ? '' : 's'}) was lost (${what}) — it may or may not have been applied.${lookup} ${idempotent ? 'The mutation is safe to repeat: re-run this item.' : 'Check the record before re-running this item, or it may be written twice.'}`,
		code: BATCH_CODES.outcomeUnknown,
		details: { safeToRerun: idempotent, status: error.status, networkCode: error.networkCode },
	};
}

/**
 * Applies the look-up's answers to the lost items (`pending`: chunk positions, `items`: those items): writes the
 * outcomes of settled items into `outcomes` and returns the positions to send again. Never throws.
 */
export async function settleLost<TIn, TValue>(
	settle: (items: TIn[]) => Promise<Array<LostItemSettlement<TValue>>>,
	pending: number[],
	items: TIn[],
	outcomes: Array<ItemOutcome<TValue>>,
	cause: CrmError,
	idempotent: boolean,
): Promise<number[]> {
	let answers: Array<LostItemSettlement<TValue>> | undefined;
	let failure: string | undefined;
	try {
		answers = await settle(items);
	} catch (err) {
		failure = `the look-up failed (${err instanceof Error ? err.message : String(err)})`;
	}
	const resend: number[] = [];
	pending.forEach((position, j) => {
		const s = answers?.[j];
		if (s?.state === 'written') outcomes[position] = { ok: true, value: s.value };
		else if (s?.state === 'notWritten') resend.push(position);
		else {
			const reason =
				s?.state === 'unknown' ? s.reason : (failure ?? 'the look-up gave no answer for it');
			outcomes[position] = {
				ok: false,
				error: lostOutcome(cause, pending.length, idempotent, reason),
			};
		}
	});
	return resend;
}
