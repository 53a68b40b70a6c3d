import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import type { SalesforceConnector } from '../../../../../core/connectors/salesforce/connector';
import { NodeOperationError } from 'n8n-workflow';

import { objectLocator } from '../common';
import { writeItems } from './write';

const show = { resource: ['record'], operation: ['delete'] };

export const description: INodeProperties[] = [
	objectLocator(show),
	{
		displayName: 'Record ID',
		name: 'recordId',
		type: 'string',
		default: '',
		required: true,
		placeholder: '003…',
		description: 'The ID of the record to delete',
		displayOptions: { show },
	},
];

/** Deletes one record per item, 200 per sObject Collections call. */
export async function execute(
	this: IExecuteFunctions,
	items: INodeExecutionData[],
	connector: SalesforceConnector,
): Promise<INodeExecutionData[]> {
	return await writeItems(
		this,
		connector,
		items,
		'delete',
		(i, _item, object) => {
			const id = String(this.getNodeParameter('recordId', i, '')).trim();
			if (!id)
				throw new NodeOperationError(this.getNode(), `Item ${i} has no record Id to delete`, {
					itemIndex: i,
				});
			return { itemIndex: i, object, fields: { Id: id } };
		},
		'deleted',
	);
}
