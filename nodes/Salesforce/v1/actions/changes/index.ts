import type { INodeProperties } from 'n8n-workflow';

import * as get from './get.operation';

export { get };

export const description: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['changes'] } },
		options: [
			{
				name: 'Get Since Watermark',
				value: 'get',
				description: 'Records created, updated or deleted since a watermark',
				action: 'Get changes since a watermark',
			},
		],
		default: 'get',
	},
	...get.description,
];
