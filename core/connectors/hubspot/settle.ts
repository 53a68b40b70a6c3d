/**
 * Settling a batch create whose answer was lost (connection dropped or timed out after sending, a 5xx): HubSpot may or
 * may not have created the records. Inputs that carry a unique value (a contact's `email`, any property with
 * `hasUniqueValue`) are read back by that value (`/batch/read` with `idProperty`, HubSpot's database, not the search
 * index, so a record just created is visible): found → written, with its id; not found → not written, safe to send
 * again (HubSpot refuses a second record with the same unique value, so even a late-applied original cannot double
 * it). Inputs without a unique value cannot be settled: their outcome is unknown.
 *
 * A record found by its unique value may have existed before our request (then our create did not write it). That is
 * told by time without trusting the host clock: the read's `Date` header is HubSpot's time (floored to the second) when
 * it answered, and the local time elapsed since our request was sent is a duration (no skew); a record whose
 * `createdAt` is earlier than `Date − elapsed` was created before our request reached HubSpot.
 *
 * Companies' `domain` is not a unique property in HubSpot (`hasUniqueValue: false`: two companies may share a domain),
 * so it is never used to settle.
 *
 * Also here: what a lost answer means for each input (`settledOutcome`, `lostRepeatableOutcome`: an update, upsert or
 * archive is safe to repeat, so after the retry policy gave up its outcome is unknown but re-running is safe).
 */
import { BATCH_CODES, type ItemOutcome } from '../../batching/types';
import { type CrmError, isCrmError } from '../../http/errors';
import type { HubSpotObject } from './types';

/** What became of one input of a lost batch create. */
export type CreateSettlement =
	| { state: 'written'; record: HubSpotObject; property: string }
	| { state: 'preexisting'; record: HubSpotObject; property: string; value: string }
	| { state: 'notWritten'; property: string; value: string }
	| { state: 'unknown'; reason: string };

/** Options of {@link settleLostCreates}. */
export interface SettleOptions {
	/** Unique properties of the object type, in order of preference. */
	uniqueProperties: string[];
	/** Reads records by a unique property (≤100 values): the records found and HubSpot's `Date` header (epoch ms). */
	read(
		property: string,
		values: string[],
	): Promise<{ records: HubSpotObject[]; serverDateMs?: number }>;
	/** Local milliseconds elapsed since the lost request was first sent (measured after the read returns). */
	elapsedSinceSendMs(): number;
}

const norm = (v: unknown) =>
	String(v ?? '')
		.trim()
		.toLowerCase();

/** The unique property and value an input can be looked up by, if any. */
export function uniqueKeyOf(
	properties: Record<string, unknown>,
	uniqueProperties: readonly string[],
): { property: string; value: string } | undefined {
	for (const property of uniqueProperties) {
		const value = properties[property];
		if (value !== undefined && value !== null && String(value).trim() !== '')
			return { property, value: String(value).trim() };
	}
	return undefined;
}

/** Settles each input (its wire properties) of a lost batch create; one result per input, in order. Never throws. */
export async function settleLostCreates(
	inputs: Array<Record<string, unknown>>,
	options: SettleOptions,
): Promise<CreateSettlement[]> {
	const out: Array<CreateSettlement | undefined> = new Array(inputs.length).fill(undefined);
	const byProperty = new Map<string, Array<{ index: number; value: string }>>();
	inputs.forEach((properties, index) => {
		const key = uniqueKeyOf(properties, options.uniqueProperties);
		if (!key) {
			out[index] = {
				state: 'unknown',
				reason:
					"it has no unique property value (such as a contact's email) to look the record up by",
			};
			return;
		}
		const list = byProperty.get(key.property) ?? [];
		list.push({ index, value: key.value });
		byProperty.set(key.property, list);
	});
	for (const [property, entries] of byProperty) {
		const found = new Map<string, HubSpotObject>();
		let bound: number | undefined;
		try {
			const values = [...new Set(entries.map((e) => e.value))];
			for (let i = 0; i < values.length; i += 100) {
				const { records, serverDateMs } = await options.read(property, values.slice(i, i + 100));
				for (const record of records) {
					const value = record.properties?.[property];
					if (value !== undefined && value !== null) found.set(norm(value), record);
				}
				if (serverDateMs !== undefined && Number.isFinite(serverDateMs)) {
					const b = serverDateMs - options.elapsedSinceSendMs();
					bound = bound === undefined ? b : Math.min(bound, b);
				}
			}
		} catch (error) {
			const reason = `looking it up by ${property} failed (${error instanceof Error ? error.message : String(error)})`;
			for (const e of entries) out[e.index] = { state: 'unknown', reason };
			continue;
		}
		const claimed = new Set<string>();
		for (const e of entries) {
			const key = norm(e.value);
			const record = found.get(key);
			if (claimed.has(key)) {
				out[e.index] = {
					state: 'unknown',
					reason: `another input of the same batch has ${property} "${e.value}"`,
				};
				continue;
			}
			claimed.add(key);
			if (!record) {
				out[e.index] = { state: 'notWritten', property, value: e.value };
				continue;
			}
			const createdAt = Date.parse(String(record.createdAt ?? ''));
			if (bound !== undefined && Number.isFinite(createdAt) && createdAt < bound)
				out[e.index] = { state: 'preexisting', record, property, value: e.value };
			else out[e.index] = { state: 'written', record, property };
		}
	}
	return out.map((s) => s ?? { state: 'unknown', reason: 'not settled' });
}

/** Times a batch create is sent again after its answer was lost and the look-up did not find its records. */
export const MAX_LOST_CREATE_ROUNDS = 3;

/**
 * Whether a failed call's answer was lost after it may have been applied: connection dropped or timed out after
 * sending, a 5xx or 408, or an unreadable 2xx body. Not when the request provably never reached HubSpot.
 */
export function isAnswerLost(error: unknown): error is CrmError {
	if (!isCrmError(error) || error.reachedServer === false) return false;
	if (error.kind === 'transient') return true;
	return (
		error.kind === 'fatal' &&
		error.status !== undefined &&
		error.status >= 200 &&
		error.status < 300
	);
}

const OPERATION_NOUN: Record<'create' | 'update' | 'upsert' | 'archive' | 'read', string> = {
	create: 'create',
	update: 'update',
	upsert: 'create-or-update',
	archive: 'delete (archive)',
	read: 'read',
};

/** What happened to a lost answer, in one short clause (the error's first sentence, without retry notes). */
function lostSummary(cause: unknown): string {
	const message = cause instanceof Error ? cause.message : String(cause);
	return message.split(' — ')[0];
}

/** The result of an update / upsert / archive whose answer stayed lost after the retries: unknown, but safe to re-run. */
export function lostRepeatableOutcome(
	kind: 'update' | 'upsert' | 'archive',
	error: CrmError,
): ItemOutcome<HubSpotObject> {
	return {
		ok: false,
		error: {
			message: `outcome unknown: HubSpot's answer to this ${OPERATION_NOUN[kind]} was lost (${lostSummary(error)}) — it may or may not have been applied. A ${OPERATION_NOUN[kind]} is safe to repeat: re-run this item.`,
			code: BATCH_CODES.outcomeUnknown,
			details: { safeToRerun: true, networkCode: error.networkCode, status: error.status },
		},
	};
}

/** The result of one input of a lost batch create, once settled. */
export function settledOutcome(
	s: CreateSettlement,
	cause: unknown,
	rounds: number,
): ItemOutcome<HubSpotObject> {
	const lost = lostSummary(cause);
	switch (s.state) {
		case 'written':
			return { ok: true, value: s.record };
		case 'preexisting':
			return {
				ok: false,
				error: {
					message: `not created: a record with ${s.property} "${s.value}" already existed before this create (ID ${s.record.id}, created ${s.record.createdAt ?? 'earlier'}) — update it instead (Update, or Create or Update matching on ${s.property})`,
					code: 'CONFLICT',
					details: { existingId: s.record.id, property: s.property },
				},
			};
		case 'notWritten':
			return {
				ok: false,
				error: {
					message: `not written: HubSpot's answer was lost ${rounds} times (last: ${lost}); looking the record up by ${s.property} "${s.value}" found nothing, so it was not created — re-run this item (its ${s.property} makes that safe)`,
					code: BATCH_CODES.notSent,
					details: { property: s.property },
				},
			};
		default:
			return {
				ok: false,
				error: {
					message: `outcome unknown: HubSpot's answer to this create was lost (${lost}) and ${s.reason}, so the record may or may not have been created. Check in HubSpot (e.g. records of this object created in the last minutes with these values) before re-running this item: re-running it may create a duplicate. Give the records a unique property (e.g. email for contacts, or a custom property with unique values) to let the connector settle this itself.`,
					code: BATCH_CODES.outcomeUnknown,
					details: { safeToRerun: false },
				},
			};
	}
}
