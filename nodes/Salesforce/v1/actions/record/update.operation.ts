import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import type { SalesforceConnector } from '../../../../../core/connectors/salesforce/connector';
import { NodeOperationError } from 'n8n-workflow';

import { fieldsMapper, mappedFields, objectLocator } from '../common';
import { writeItems } from './write';

const show = { resource: ['record'], operation: ['update'] };

export const description: INodeProperties[] = [
	objectLocator(show),
	fieldsMapper(show, 'getUpdateFields', 'update', {
		title: 'Record to Update',
		description: 'The record is found by its Id',
		hint: 'Map the record Id',
	}),
];

/** Updates one record per item (found by `Id`), 200 per sObject Collections call. */
export async function execute(
	this: IExecuteFunctions,
	items: INodeExecutionData[],
	connector: SalesforceConnector,
): Promise<INodeExecutionData[]> {
	return await writeItems(
		this,
		connector,
		items,
		'update',
		(i, item, object) => {
			const fields = mappedFields(this, i, item);
			const id = fields.Id ?? fields.id;
			if (typeof id !== 'string' || id.trim() === '') {
				throw new NodeOperationError(this.getNode(), `Item ${i} has no record Id to update`, {
					itemIndex: i,
					description: 'Map the Id field (the record to update).',
				});
			}
			delete fields.id;
			fields.Id = id.trim();
			return { itemIndex: i, object, fields };
		},
		'updated',
	);
}
