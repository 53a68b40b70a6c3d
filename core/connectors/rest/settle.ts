/**
 * Settling creates whose answer was lost: when the profile can look records up (`find`), knows when a record was
 * created (`createdAtPath`) and every input has a value of one unique field, each input is looked up by it. A record
 * created after the request was sent (by the API's clock) is the one this create wrote; one created before it
 * already existed (the create cannot have written it: a conflict). Anything else stays `OUTCOME_UNKNOWN`: a record
 * the look-up does not find may still appear (an API can show new records late), so "not written" is never guessed.
 */
import type { ItemOutcome } from '../../batching/types';
import type { CrmError } from '../../http';
import type { WriteInput, WrittenRecord } from '../contract';
import { at, parseTime } from './endpoint';
import type { ObjectProfile } from './profile';
import type { CrmRecord } from '../../records/types';

type Outcome = ItemOutcome<WrittenRecord>;

/** Looks records up by a field: the matches per value and the API's time of the answer. */
export type Lookup = (
	field: string,
	values: string[],
) => Promise<{ matches: CrmRecord[][]; serverTime?: number }>;

/** Whether a value can be looked up. */
const present = (v: unknown) => v !== undefined && v !== null && v !== '';

/** The unique field every input has a value of, when the profile can settle lost creates at all. */
export function settleKey(o: ObjectProfile, inputs: WriteInput[]): string | undefined {
	if (!o.find || !o.createdAtPath) return undefined;
	return o.fields?.find((f) => f.unique && inputs.every((i) => present(i.fields[f.name])))?.name;
}

/**
 * The outcome of each input of a lost create. `elapsedMs` is the time since the request was sent (host monotonic
 * clock): the API's time of the look-up answer minus it is at or before the API's time of the send. As the HubSpot
 * connector does, a record created before that bound already existed, one created at or after it is this create's
 * (the Date header's whole seconds leave up to a second in which a record created just before the send by someone
 * else would count as this create's).
 */
export async function settleCreates(
	o: ObjectProfile,
	inputs: WriteInput[],
	cause: CrmError,
	lookup: Lookup,
	elapsedMs: () => number,
	unknown: (cause: unknown, why: string) => Outcome,
): Promise<Outcome[]> {
	const key = settleKey(o, inputs);
	if (!key || !o.createdAtPath)
		return inputs.map(() =>
			unknown(
				cause,
				'the profile cannot look the record up (it needs find, createdAtPath and a unique field)',
			),
		);
	let found: Awaited<ReturnType<Lookup>>;
	try {
		found = await lookup(
			key,
			inputs.map((i) => String(i.fields[key])),
		);
	} catch (error) {
		return inputs.map(() =>
			unknown(cause, `looking it up by ${key} failed too (${String(error)})`),
		);
	}
	const bound = found.serverTime === undefined ? undefined : found.serverTime - elapsedMs();
	return inputs.map((input, k): Outcome => {
		const value = String(input.fields[key]);
		const matches = found.matches[k];
		if (matches.length !== 1 || bound === undefined)
			return unknown(
				cause,
				matches.length === 0
					? `looking it up by ${key} "${value}" found nothing yet`
					: `looking it up by ${key} "${value}" found ${matches.length} records`,
			);
		const record = matches[0];
		const createdAt = parseTime(at(record.raw, o.createdAtPath as string));
		if (createdAt === undefined || record.id === undefined)
			return unknown(cause, `the record found by ${key} has no creation time`);
		if (createdAt >= bound) return { ok: true, value: { id: record.id, created: true } };
		return {
			ok: false,
			error: {
				code: 'CONFLICT',
				message: `not created: a record with ${key} "${value}" already existed before this create (id ${record.id}) — update it instead (Update, or Upsert by ${key})`,
				details: { existingId: record.id, field: key },
			},
		};
	});
}
