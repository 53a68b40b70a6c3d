/**
 * The outcome of a write that did not succeed: the API's refusal (its code and message), or an answer lost after the
 * request may have been applied (`OUTCOME_UNKNOWN`, saying whether re-running is safe).
 */
import { BATCH_CODES, type ItemOutcome } from '../../batching/types';
import { answerLost, isCrmError } from '../../http';

export { answerLost };
import type { WriteOperation, WrittenRecord } from '../contract';

export type Outcome = ItemOutcome<WrittenRecord>;

export function failure(code: string, message: string, details?: unknown): Outcome {
	return { ok: false, error: { code, message, ...(details ? { details } : {}) } };
}

export function errorOutcome(op: WriteOperation, e: unknown, why?: string): Outcome {
	if (isCrmError(e) && answerLost(e)) {
		const repeatable = op !== 'create';
		return failure(
			BATCH_CODES.outcomeUnknown,
			`outcome unknown: the answer to this ${op} was lost (${e.message.split(' — ')[0]})${why ? ` and ${why}` : ''} — it may or may not have been applied. ${repeatable ? `A ${op} is safe to repeat: re-run this item.` : 'Check in the API whether the record exists before re-running this item: re-running it may create a duplicate.'}`,
			{ safeToRerun: repeatable, status: e.status, networkCode: e.networkCode },
		);
	}
	if (isCrmError(e))
		return failure(e.crmCode ?? e.kind, e.message, { status: e.status, kind: e.kind });
	return failure('ERROR', e instanceof Error ? e.message : String(e));
}
