/** Bulk API 2.0 ingest for the Bulk resource: all items in as CSV, one result per item out. */
import type {
	IDataObject,
	IExecuteFunctions,
	INodeExecutionData,
	INodeProperties,
} from 'n8n-workflow';
import type { SalesforceConnector } from '../../../../../core/connectors/salesforce/connector';

import type { BulkOperation } from '../../../../../core/connectors/salesforce/bulk';
import { BATCH_CODES } from '../../../../../core/batching/types';
import { soqlIdentifier } from '../../../../../core/query/soql';
import { timeoutOption } from '../../../../shared/descriptions';
import { getObjectName, objectLocator } from '../common';
import { errorItem, resultsToItems, toNodeError, writeSuccess } from '../../../../shared/items';

/** What each operation says about re-running the items of its error output. */
const RERUN_NOTE: Record<BulkOperation, string> = {
	insert:
		'Each item ends on the success output (written, with its ID) or the error output (with the reason). Items with code OUTCOME_UNKNOWN, NO_RESULT, BULK_DUPLICATE_RESULT or BULK_RESULT_MISMATCH may have been written: check them in Salesforce before re-running them, or re-running may create duplicates. Every other error item was not written and is safe to re-run.',
	update:
		'Each item ends on the success output (updated) or the error output (with the reason). Re-running error items is safe: an update sets the same values again.',
	upsert:
		'Each item ends on the success output (written, with its ID) or the error output (with the reason). Re-running error items is safe: an upsert by external ID never creates a second record.',
	delete:
		'Each item ends on the success output (deleted) or the error output (with the reason). Re-running error items is safe.',
	hardDelete:
		'Each item ends on the success output (deleted) or the error output (with the reason). Re-running error items is safe.',
};

/** The parameters of one bulk write operation. */
export function ingestDescription(operation: BulkOperation): INodeProperties[] {
	const show = { resource: ['bulk'], operation: [operation] };
	const props: INodeProperties[] = [
		{
			displayName: RERUN_NOTE[operation],
			name: 'rerunNotice',
			type: 'notice',
			default: '',
			displayOptions: { show },
		},
		objectLocator(show),
	];
	if (operation === 'delete' || operation === 'hardDelete') {
		props.push({
			displayName: 'Record ID',
			name: 'recordId',
			type: 'string',
			default: '={{ $json.Id }}',
			required: true,
			description: 'The ID of the record to delete',
			displayOptions: { show },
		});
	} else {
		if (operation === 'upsert') {
			props.push({
				displayName: 'External ID Field',
				name: 'externalIdField',
				type: 'string',
				default: '',
				required: true,
				placeholder: 'External_Id__c',
				description: 'The external ID field that identifies records (or the record ID)',
				displayOptions: { show },
			});
		}
		props.push({
			displayName: 'Fields to Send',
			name: 'fieldsToSend',
			type: 'string',
			default: '',
			placeholder: 'FirstName, LastName, Email',
			description:
				'Comma-separated API names of the item fields to send. Empty: every field of the item (an item with a key the object has no settable field for fails alone, on the error output).' +
				(operation === 'update' ? ' Each item needs its Id.' : ''),
			displayOptions: { show },
		});
	}
	props.push({
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		displayOptions: { show },
		options: [timeoutOption],
	});
	return props;
}

/**
 * Runs one bulk ingest over all input items and returns one result item per input item. Never throws once
 * anything may have been written; with "Continue (using error output)" a failure of the whole run (bad settings,
 * job creation refused, credential revoked, daily limit) becomes one NOT_SENT error item per input item.
 */
export async function executeIngest(
	ctx: IExecuteFunctions,
	connector: SalesforceConnector,
	items: INodeExecutionData[],
	operation: BulkOperation,
): Promise<INodeExecutionData[]> {
	if (items.length === 0) return [];
	const what = (
		{
			insert: 'inserted',
			update: 'updated',
			upsert: 'upserted',
			delete: 'deleted',
			hardDelete: 'hard-deleted',
		} as const
	)[operation];
	let results;
	try {
		const object = getObjectName(ctx, 0);
		const externalIdField =
			operation === 'upsert'
				? soqlIdentifier(String(ctx.getNodeParameter('externalIdField', 0, '')).trim())
				: undefined;
		const deletes = operation === 'delete' || operation === 'hardDelete';
		const listed = deletes
			? []
			: String(ctx.getNodeParameter('fieldsToSend', 0, ''))
					.split(',')
					.map((s) => s.trim())
					.filter(Boolean)
					.map(soqlIdentifier);
		const records: Array<Record<string, unknown>> = new Array(items.length);
		for (let i = 0; i < items.length; i++) {
			if (deletes) {
				records[i] = { Id: String(ctx.getNodeParameter('recordId', i, '') ?? '').trim() };
				continue;
			}
			const json = items[i].json as IDataObject;
			if (listed.length === 0) {
				records[i] = json;
			} else {
				const record: Record<string, unknown> = {};
				for (const f of listed) if (json[f] !== undefined) record[f] = json[f];
				records[i] = record;
			}
		}
		({ results } = await connector
			.bulk({ describe: async (name) => await connector.describe(name) })
			.ingest(records, { object, operation, externalIdField }));
	} catch (error) {
		// Nothing was sent: the ingest itself reports every later failure per row instead of throwing.
		const nodeError = toNodeError(ctx, error);
		if (!ctx.continueOnFail()) throw nodeError;
		return items.map((_, i) =>
			errorItem({ message: `not sent: ${nodeError.message}`, code: BATCH_CODES.notSent }, i),
		);
	}
	return resultsToItems(
		ctx,
		results,
		items.map((_, i) => i),
		writeSuccess,
		what,
	);
}
