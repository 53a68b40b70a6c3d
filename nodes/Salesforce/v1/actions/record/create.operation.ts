import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import { mappedFields, objectLocator } from '../common';
import { writeItems } from './write';

const show = { resource: ['record'], operation: ['create'] };

export const description: INodeProperties[] = [
	objectLocator(show),
	{
		displayName: 'Fields',
		name: 'fields',
		type: 'resourceMapper',
		noDataExpression: true,
		default: { mappingMode: 'defineBelow', value: null },
		required: true,
		typeOptions: {
			loadOptionsDependsOn: ['object.value'],
			resourceMapper: {
				resourceMapperMethod: 'getCreateFields',
				mode: 'add',
				fieldWords: { singular: 'field', plural: 'fields' },
				addAllFields: false,
				multiKeyMatch: false,
				supportAutoMap: true,
			},
		},
		displayOptions: { show },
	},
];

/** Creates one record per item, 200 per sObject Collections call. */
export async function execute(this: IExecuteFunctions, items: INodeExecutionData[]): Promise<INodeExecutionData[]> {
	return await writeItems(this, items, 'create', (i, item, object) => ({ itemIndex: i, object, fields: mappedFields(this, i, item) }), 'created');
}
