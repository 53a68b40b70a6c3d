import type { INodeProperties } from 'n8n-workflow';

import * as describeObject from './describeObject.operation';
import * as listObjects from './listObjects.operation';

export { describeObject, listObjects };

export const description: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['metadata'] } },
		options: [
			{
				name: 'Describe Object',
				value: 'describeObject',
				description: 'Get the fields and properties of an object',
				action: 'Describe an object',
			},
			{
				name: 'List Objects',
				value: 'listObjects',
				description: 'List the objects of the org',
				action: 'List objects',
			},
		],
		default: 'listObjects',
	},
	...listObjects.description,
	...describeObject.description,
];
