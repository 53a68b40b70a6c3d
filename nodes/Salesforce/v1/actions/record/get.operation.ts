import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import { getConnector } from '../../transport';
import { getObjectName, objectLocator, recordJson, toNodeError } from '../common';

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
	{
		displayName: 'Field Names or IDs',
		name: 'fieldNames',
		type: 'multiOptions',
		typeOptions: { loadOptionsMethod: 'getFields', loadOptionsDependsOn: ['object.value'] },
		default: [],
		description: 'Fields to return (all when empty). Choose from the list, or specify IDs using an <a href="https://docs.n8n.io/code/expressions/">expression</a>.',
		displayOptions: { show },
	},
];

/** Reads one record per item. */
export async function execute(this: IExecuteFunctions, items: INodeExecutionData[]): Promise<INodeExecutionData[]> {
	const connector = await getConnector(this);
	const out: INodeExecutionData[] = [];
	for (let i = 0; i < items.length; i++) {
		try {
			const object = getObjectName(this, i);
			const id = String(this.getNodeParameter('recordId', i)).trim();
			const fields = this.getNodeParameter('fieldNames', i, []) as string[];
			const record = await connector.getRecord(object, id, fields);
			out.push({ json: recordJson(record), pairedItem: { item: i } });
		} catch (error) {
			const nodeError = toNodeError(this, error, i);
			if (!this.continueOnFail()) throw nodeError;
			out.push({ json: { error: nodeError.message, details: { itemIndex: i } }, pairedItem: { item: i } });
		}
	}
	return out;
}
