import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import type { SalesforceConnector } from '../../../../../core/connectors/salesforce/connector';

import { fieldNamesProperty, getObjectName, objectLocator, recordJson } from '../common';
import { forEachItem } from '../../../../shared/items';

const show = { resource: ['record'], operation: ['get'] };

export const description: INodeProperties[] = [
	objectLocator(show),
	{
		displayName: 'Record ID',
		name: 'recordId',
		type: 'string',
		default: '',
		required: true,
		description: 'The ID of the record',
		displayOptions: { show },
	},
	fieldNamesProperty(show),
];

/** Reads one record per item. */
export async function execute(
	this: IExecuteFunctions,
	items: INodeExecutionData[],
	connector: SalesforceConnector,
): Promise<INodeExecutionData[]> {
	return await forEachItem(this, items, async (i, emit) => {
		const object = getObjectName(this, i);
		const id = String(this.getNodeParameter('recordId', i)).trim();
		const fields = this.getNodeParameter('fieldNames', i, []) as string[];
		const record = await connector.getRecord(object, id, fields);
		emit(recordJson(record));
	});
}
