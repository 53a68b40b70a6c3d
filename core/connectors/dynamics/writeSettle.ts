/**
 * Settling a `$batch` of creates whose answer was lost (connection dropped or timed out after sending, a 5xx): some,
 * all or none of its rows may exist. An input carrying a value of a one-column alternate key (describe's
 * `externalId` fields: `emailaddress1` on contacts) is looked up by that value (`Microsoft.Dynamics.CRM.In`, 100
 * values per read): found → written, with its id; not found → not written, safe to send again (Dataverse refuses a
 * second row with the same key value, so even a late-applied original cannot double it). An input without one cannot
 * be settled: `OUTCOME_UNKNOWN`. (The HubSpot connector's `settle.ts` does the same with unique properties.)
 *
 * A row found by its key may have existed before our batch (then our create failed as a duplicate). That is told by
 * Dataverse's own time, not the host clock: the read's `Date` header (whole seconds) minus the local time elapsed
 * since the batch was sent is a bound no later than the moment the batch was sent; a row whose `createdon` (whole
 * seconds) is at least a second before it was created before our batch.
 */
import { BATCH_CODES, type ItemOutcome } from '../../batching/types';
import type { WrittenRecord } from '../contract';
import { chunkValues, inFilter, matchKey } from './lookup';
import type { DataverseWriteContext } from './write';

/** Times a lost batch of creates is sent again after its rows were not found. */
export const MAX_LOST_CREATE_ROUNDS = 3;

/** What became of one input of a lost batch. */
export interface CreateSettlement {
	state: 'written' | 'preexisting' | 'notWritten' | 'unknown';
	result: ItemOutcome<WrittenRecord>;
}

const lostText = (cause: unknown) =>
	(cause instanceof Error ? cause.message : String(cause)).split(' — ')[0];

/** Settles each input (its fields) of a lost batch of creates; one result per input, in order. Never throws. */
export async function settleLostCreates(
	ctx: Pick<DataverseWriteContext, 'client' | 'schema' | 'now'>,
	inputs: Array<Record<string, unknown>>,
	cause: unknown,
	rounds: number,
	sentAt: number,
): Promise<CreateSettlement[]> {
	const { schema, client } = ctx;
	const now = ctx.now ?? Date.now;
	const keys = schema.fields.filter((f) => f.externalId).map((f) => f.name);
	const unknown = (reason: string): CreateSettlement => ({
		state: 'unknown',
		result: {
			ok: false,
			error: {
				message: `outcome unknown: Dynamics 365's answer to this create was lost (${lostText(cause)}) and ${reason}, so the row may or may not have been created. Check in Dynamics 365 before re-running this item: re-running it may create a duplicate. Give the table an alternate key (and the rows a value for it) to let the connector settle this itself.`,
				code: BATCH_CODES.outcomeUnknown,
				details: { safeToRerun: false },
			},
		},
	});
	const out: CreateSettlement[] = new Array(inputs.length);
	const byKey = new Map<string, Array<{ index: number; value: string }>>();
	inputs.forEach((fields, index) => {
		const key = keys.find(
			(k) => fields[k] !== undefined && fields[k] !== null && String(fields[k]).trim() !== '',
		);
		if (!key) {
			out[index] = unknown(
				`it has no alternate-key value (${keys.join(', ') || 'the table has no alternate key'}) to look the row up by`,
			);
			return;
		}
		const entry = { index, value: String(fields[key]) };
		const group = byKey.get(key);
		if (group) group.push(entry);
		else byKey.set(key, [entry]);
	});
	for (const [key, entries] of byKey) {
		const found = new Map<string, { id: string; createdon?: string }>();
		let bound: number | undefined;
		try {
			for (const chunk of chunkValues([...new Set(entries.map((e) => e.value))])) {
				const res = await client.send<{ value?: Array<Record<string, unknown>> }>(
					'GET',
					schema.name,
					{
						query: { $select: `${schema.idField},${key},createdon`, $filter: inFilter(key, chunk) },
					},
				);
				for (const row of res.body.value ?? [])
					found.set(matchKey(row[key]), {
						id: String(row[schema.idField]),
						createdon: typeof row.createdon === 'string' ? row.createdon : undefined,
					});
				const date = Date.parse(res.headers.date ?? '');
				if (Number.isFinite(date)) bound = Math.min(bound ?? Infinity, date - (now() - sentAt));
			}
		} catch (error) {
			for (const e of entries)
				out[e.index] = unknown(`looking it up by ${key} failed (${lostText(error)})`);
			continue;
		}
		const claimed = new Set<string>();
		for (const e of entries) {
			const k = matchKey(e.value);
			if (claimed.has(k)) {
				out[e.index] = unknown(`another input of the same batch has ${key} "${e.value}"`);
				continue;
			}
			claimed.add(k);
			const row = found.get(k);
			if (!row) {
				out[e.index] = {
					state: 'notWritten',
					result: {
						ok: false,
						error: {
							message: `not written: Dynamics 365's answer was lost ${rounds} times (last: ${lostText(cause)}); looking the row up by ${key} "${e.value}" found nothing, so it was not created — re-run this item (its ${key} makes that safe)`,
							code: BATCH_CODES.notSent,
						},
					},
				};
				continue;
			}
			const created = Date.parse(row.createdon ?? '');
			if (bound !== undefined && Number.isFinite(created) && created + 1000 <= bound)
				out[e.index] = {
					state: 'preexisting',
					result: {
						ok: false,
						error: {
							message: `not created: a row with ${key} "${e.value}" already existed before this create (ID ${row.id}, created ${row.createdon}) — update it instead (Update, or Upsert matching on ${key})`,
							code: 'DUPLICATE',
							details: { category: 'duplicate', existingId: row.id, key },
						},
					},
				};
			else out[e.index] = { state: 'written', result: { ok: true, value: { id: row.id } } };
		}
	}
	return out;
}
