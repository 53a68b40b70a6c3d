/** Bulk API 2.0 ingest for the Bulk resource: all items in as CSV, one result per item out. */
import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import type { BulkOperation } from '../../../../../core/connectors/salesforce/bulk';
import { soqlIdentifier } from '../../../../../core/query/soql';
import { getConnector } from '../../transport';
import { getObjectName, objectLocator, toNodeError, writeResultsToItems } from '../common';

/** The parameters of one bulk write operation. */
export function ingestDescription(operation: BulkOperation): INodeProperties[] {
	const show = { resource: ['bulk'], operation: [operation] };
	const props: INodeProperties[] = [objectLocator(show)];
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
		return props;
	}
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
		description: 'Comma-separated API names of the item fields to send. Empty: every field of the item (each must be a field of the object).' + (operation === 'update' ? ' Each item needs its Id.' : ''),
		displayOptions: { show },
	});
	return props;
}

/** Runs one bulk ingest over all input items and returns one result item per input item. */
export async function executeIngest(ctx: IExecuteFunctions, items: INodeExecutionData[], operation: BulkOperation): Promise<INodeExecutionData[]> {
	if (items.length === 0) return [];
	const object = getObjectName(ctx, 0);
	const externalIdField = operation === 'upsert' ? soqlIdentifier(String(ctx.getNodeParameter('externalIdField', 0, '')).trim()) : undefined;
	const deletes = operation === 'delete' || operation === 'hardDelete';
	const listed = deletes ? [] : String(ctx.getNodeParameter('fieldsToSend', 0, '')).split(',').map((s) => s.trim()).filter(Boolean).map(soqlIdentifier);
	const records: Array<Record<string, unknown>> = new Array(items.length);
	for (let i = 0; i < items.length; i++) {
		if (deletes) {
			const id = String(ctx.getNodeParameter('recordId', i, '') ?? '').trim();
			if (!id) throw new NodeOperationError(ctx.getNode(), `Item ${i} has no record Id to ${operation}`, { itemIndex: i });
			records[i] = { Id: id };
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
	const connector = await getConnector(ctx);
	let results;
	try {
		({ results } = await connector.bulk().ingest(records, { object, operation, externalIdField }));
	} catch (error) {
		throw toNodeError(ctx, error);
	}
	return writeResultsToItems(ctx, results, items.map((_, i) => i), ({ insert: 'inserted', update: 'updated', upsert: 'upserted', delete: 'deleted', hardDelete: 'hard-deleted' } as const)[operation]);
}
