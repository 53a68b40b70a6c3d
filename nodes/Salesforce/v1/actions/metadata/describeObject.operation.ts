import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import { getConnector } from '../../transport';
import { getObjectName, objectLocator, toNodeError } from '../common';

const show = { resource: ['metadata'], operation: ['describeObject'] };

export const description: INodeProperties[] = [
	objectLocator(show),
	{
		displayName: 'Output',
		name: 'output',
		type: 'options',
		options: [
			{ name: 'Whole Description', value: 'object', description: 'One item with the full describe result' },
			{ name: 'One Item per Field', value: 'fields', description: 'One item per field (name, type, label, createable, …)' },
		],
		default: 'object',
		displayOptions: { show },
	},
];

/** Describes an object per item. */
export async function execute(this: IExecuteFunctions, items: INodeExecutionData[]): Promise<INodeExecutionData[]> {
	const connector = await getConnector(this);
	const out: INodeExecutionData[] = [];
	for (let i = 0; i < items.length; i++) {
		try {
			const described = await connector.describe(getObjectName(this, i));
			if (this.getNodeParameter('output', i, 'object') === 'fields') {
				for (const field of described.fields) out.push({ json: field as IDataObject, pairedItem: { item: i } });
			} else {
				out.push({ json: described as IDataObject, pairedItem: { item: i } });
			}
		} catch (error) {
			const nodeError = toNodeError(this, error, i);
			if (!this.continueOnFail()) throw nodeError;
			out.push({ json: { error: nodeError.message, details: { itemIndex: i } }, pairedItem: { item: i } });
		}
	}
	return out;
}
