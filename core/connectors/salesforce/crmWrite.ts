/**
 * `SalesforceCrm`'s writes: through the connector's Collections or Bulk API 2.0 path, one result per input in input
 * order; a record that cannot be sent fails alone, a write that fails as a whole is reported per record.
 */
import { BATCH_CODES, type BatchItemError, type BatchItemResult } from '../../batching/types';
import { failedBeforeProcessing, isCrmError } from '../../http/errors';
import type { ContractWriteOptions, WriteInput, WriteOperation, WrittenRecord } from '../contract';
import type { SalesforceConnector, WriteResult } from './connector';
import { apiName, validation } from './crmInput';
import { upsertKeysOf } from './schema';

/** The write settings of a `SalesforceCrm` (its options, defaults applied). */
export interface WriteSettings {
	/** From this many records on, one Bulk API 2.0 job instead of Collections calls. */
	bulkThreshold: number;
	/** Collections requests in flight at once. */
	concurrency: number;
}

/** The failure of every record of a write that failed as a whole: not written when it never reached Salesforce, else outcome unknown. */
export function wholeWriteFailure(error: unknown, operation: WriteOperation): BatchItemError {
	const what =
		operation === 'delete'
			? 'deleted'
			: operation === 'create'
				? 'created'
				: operation === 'update'
					? 'updated'
					: 'upserted';
	if (isCrmError(error)) {
		const message = `${error.message}${error.hint ? ` — ${error.hint}` : ''}`;
		if (failedBeforeProcessing(error))
			return { message: `not ${what}: ${message}`, code: error.crmCode ?? error.kind };
		return {
			message: `outcome unknown: the write failed as a whole (${message}); check in Salesforce whether this record was ${what} before re-running it`,
			code: BATCH_CODES.outcomeUnknown,
			details: { cause: error.crmCode ?? error.kind },
		};
	}
	const message = error instanceof Error ? error.message : String(error);
	return {
		message: `outcome unknown: the write failed as a whole (${message}); check in Salesforce whether this record was ${what} before re-running it`,
		code: BATCH_CODES.outcomeUnknown,
	};
}

/**
 * `SalesforceCrm.write`: through the connector's Collections (≤ 200 per call) or, from `bulkThreshold` records on,
 * Bulk API 2.0 path: one result per input, in input order. A record that cannot be sent (an id missing for update or
 * delete, an id given for create) fails alone before any call.
 */
export async function salesforceWrite(
	salesforce: SalesforceConnector,
	settings: WriteSettings,
	operation: WriteOperation,
	objectType: string,
	inputs: WriteInput[],
	options: ContractWriteOptions = {},
): Promise<Array<BatchItemResult<WrittenRecord>>> {
	const object = apiName(objectType, 'Object');
	let key: string | undefined;
	if (operation === 'upsert') key = await upsertKey(salesforce, object, options.key);
	const results: Array<BatchItemResult<WrittenRecord>> = new Array<BatchItemResult<WrittenRecord>>(
		inputs.length,
	);
	const records: Array<Record<string, unknown>> = [];
	const positions: number[] = [];
	inputs.forEach((input, i) => {
		const built = recordOf(operation, object, input);
		if ('error' in built) results[i] = { index: i, ok: false, error: built.error };
		else {
			records.push(built.record);
			positions.push(i);
		}
	});
	if (records.length > 0) {
		let written: Array<BatchItemResult<WriteResult>>;
		try {
			({ results: written } = await salesforce.writeAuto(operation, object, records, {
				externalIdField: key,
				bulkThreshold: settings.bulkThreshold,
				concurrency: settings.concurrency,
				signal: options.signal,
			}));
		} catch (error) {
			if (options.signal?.aborted) throw error;
			const reason = wholeWriteFailure(error, operation);
			written = records.map((_, k) => ({ index: k, ok: false as const, error: reason }));
		}
		for (const r of written) {
			const index = positions[r.index];
			results[index] = r.ok
				? {
						index,
						ok: true,
						value: {
							id: r.value.id,
							...(r.value.created !== undefined
								? { created: r.value.created }
								: operation === 'create'
									? { created: true }
									: {}),
						},
					}
				: { index, ok: false, error: r.error };
		}
	}
	// Never a hole: a record the write path gave no result for is reported, not dropped.
	for (let i = 0; i < results.length; i++) {
		results[i] ??= {
			index: i,
			ok: false,
			error: {
				message: `outcome unknown: Salesforce's answer had no result for this record; check in Salesforce before re-running it`,
				code: BATCH_CODES.outcomeUnknown,
			},
		};
	}
	return results;
}

/** The upsert key, checked against describe before anything is sent. */
async function upsertKey(
	salesforce: SalesforceConnector,
	object: string,
	key: string | undefined,
): Promise<string> {
	if (!key)
		throw validation(
			`Upsert needs a key: the unique or external-ID field to match ${object} records on`,
			'Pass options.key (capabilities().upsertKeys lists them).',
		);
	const described = await salesforce.describe(object);
	const { upsertKeys } = upsertKeysOf(described);
	const match = upsertKeys.find((k) => k.toLowerCase() === key.trim().toLowerCase());
	if (!match) {
		throw validation(
			`${key} cannot be an upsert key of ${described.name}: it is ${described.fields.some((f) => f.name.toLowerCase() === key.trim().toLowerCase()) ? 'not an external ID or id-lookup field that can be set on create' : 'not a field'}`,
			upsertKeys.length
				? `Use one of: ${upsertKeys.join(', ')}.`
				: `${described.name} has no external-ID field: create one in Setup, or match with findByKeys and update.`,
		);
	}
	return match;
}

/** The Collections record of one input, or why it cannot be sent. */
function recordOf(
	operation: WriteOperation,
	object: string,
	input: WriteInput,
): { record: Record<string, unknown> } | { error: BatchItemError } {
	const fields = input.fields ?? {};
	const givenId = Object.entries(fields).find(([k]) => k.toLowerCase() === 'id')?.[1];
	if (operation === 'create') {
		if (input.id !== undefined && input.id !== '') {
			return {
				error: {
					message: `An id cannot be given when creating a ${object} — leave it out, or update (or upsert) the existing record`,
					code: 'INVALID_FIELD_FOR_INSERT_UPDATE',
					details: { fields: ['Id'] },
				},
			};
		}
		return { record: { ...fields } };
	}
	if (operation === 'upsert') return { record: { ...fields } };
	const id = input.id ?? givenId;
	if (
		input.id !== undefined &&
		givenId !== undefined &&
		givenId !== null &&
		givenId !== '' &&
		String(givenId) !== input.id
	) {
		return {
			error: {
				message: `The input's id ${input.id} and its Id field ${String(givenId)} differ — give one of them`,
				code: 'INVALID_INPUT',
				details: { fields: ['Id'] },
			},
		};
	}
	const rest = Object.fromEntries(Object.entries(fields).filter(([k]) => k.toLowerCase() !== 'id'));
	return { record: operation === 'delete' ? { Id: id } : { ...rest, Id: id } };
}
