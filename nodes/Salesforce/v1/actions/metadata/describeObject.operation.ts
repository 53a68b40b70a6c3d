import type {
	IDataObject,
	IExecuteFunctions,
	INodeExecutionData,
	INodeProperties,
} from 'n8n-workflow';
import type { SalesforceConnector } from '../../../../../core/connectors/salesforce/connector';

import { getObjectName, objectLocator } from '../common';
import { forEachItem } from '../../../../shared/items';

const show = { resource: ['metadata'], operation: ['describeObject'] };

export const description: INodeProperties[] = [
	objectLocator(show),
	{
		displayName: 'Output',
		name: 'output',
		type: 'options',
		options: [
			{
				name: 'Whole Description',
				value: 'object',
				description: 'One item with the full describe result',
			},
			{
				name: 'One Item per Field',
				value: 'fields',
				description: 'One item per field (name, type, label, createable, …)',
			},
		],
		default: 'object',
		displayOptions: { show },
	},
];

/** Describes an object per item. */
export async function execute(
	this: IExecuteFunctions,
	items: INodeExecutionData[],
	connector: SalesforceConnector,
): Promise<INodeExecutionData[]> {
	return await forEachItem(this, items, async (i, emit) => {
		const described = await connector.describe(getObjectName(this, i));
		if (this.getNodeParameter('output', i, 'object') === 'fields') {
			for (const field of described.fields) emit(field as IDataObject);
		} else {
			emit(described as IDataObject);
		}
	});
}
