/**
 * `HubSpotCrm`'s writes: HubSpot's batch endpoints through the connector (100 per call; results matched to inputs by
 * trace id / key, never by position; lost answers settled or `OUTCOME_UNKNOWN`, see `settle.ts`).
 */
import type { BatchRunResult } from '../../batching/run-batches';
import type { BatchItemResult } from '../../batching/types';
import { CrmError } from '../../http/errors';
import type { ContractWriteOptions, WriteInput, WriteOperation, WrittenRecord } from '../contract';
import { type HubSpotConnector, recordIdProblem } from './connector';
import { text } from './crmLookup';
import type { HubSpotObject } from './types';

/**
 * `HubSpotCrm.write`: one result per input, in input order. `upsertKeys` names the properties an upsert may match on
 * (asked only for an upsert).
 */
export async function hubspotWrite(
	hubspot: HubSpotConnector,
	upsertKeys: () => Promise<string[]>,
	operation: WriteOperation,
	objectType: string,
	inputs: WriteInput[],
	options: ContractWriteOptions = {},
): Promise<Array<BatchItemResult<WrittenRecord>>> {
	if (inputs.length === 0) return [];
	const signal = options.signal;
	let run: BatchRunResult<HubSpotObject>;
	switch (operation) {
		case 'create':
			run = await hubspot.batchCreate(
				objectType,
				inputs.map((input) => ({ properties: input.fields ?? {} })),
				{ signal },
			);
			break;
		case 'update':
			return await byRecordId(inputs, (sent) =>
				hubspot.batchUpdate(
					objectType,
					sent.map((input) => ({ id: text(input.id), properties: input.fields ?? {} })),
					{ signal },
				),
			);
		case 'delete':
			return await byRecordId(inputs, (sent) =>
				hubspot.batchArchive(
					objectType,
					sent.map((input) => text(input.id)),
					{ signal },
				),
			);
		case 'upsert': {
			const key = options.key;
			const keys = await upsertKeys();
			if (!key || !keys.includes(key)) {
				throw new CrmError(
					`HubSpot upsert on ${objectType}: ${key ? `"${key}" is not a unique property` : 'no key property given'} — match on one of: ${keys.join(', ') || '(none: give a property unique values in HubSpot first)'}`,
					{ kind: 'validation' },
				);
			}
			run = await hubspot.batchUpsert(
				objectType,
				inputs.map((input) => ({
					id: text(input.fields?.[key]),
					properties: input.fields ?? {},
				})),
				{ idProperty: key, signal },
			);
			break;
		}
		default:
			throw new CrmError(
				`HubSpot: unknown write operation "${String(operation)}" — use create, update, upsert or delete`,
				{ kind: 'validation' },
			);
	}
	return written(run, operation);
}

/** Update / delete: inputs without a usable record id fail alone (not sent); the rest go in batches. */
async function byRecordId(
	inputs: WriteInput[],
	send: (sent: WriteInput[]) => Promise<BatchRunResult<HubSpotObject>>,
): Promise<Array<BatchItemResult<WrittenRecord>>> {
	const out: Array<BatchItemResult<WrittenRecord>> = new Array(inputs.length);
	const sent: number[] = [];
	inputs.forEach((input, index) => {
		const problem = recordIdProblem(input.id);
		if (problem)
			out[index] = {
				index,
				ok: false,
				error: { message: `not sent: ${problem}`, code: 'INVALID_ID' },
			};
		else sent.push(index);
	});
	if (sent.length > 0) {
		const results = written(await send(sent.map((i) => inputs[i])), 'update');
		results.forEach((r, j) => (out[sent[j]] = { ...r, index: sent[j] }));
	}
	return out;
}

/** Batch results as contract results (same order: `runBatches` returns input order). */
function written(
	run: BatchRunResult<HubSpotObject>,
	operation: WriteOperation,
): Array<BatchItemResult<WrittenRecord>> {
	return run.results.map((r, index): BatchItemResult<WrittenRecord> => {
		if (!r.ok) return { index, ok: false, error: r.error };
		const value: WrittenRecord = { id: String(r.value.id) };
		if (operation === 'upsert' && typeof r.value.new === 'boolean') value.created = r.value.new;
		return { index, ok: true, value };
	});
}
