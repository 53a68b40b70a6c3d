import type { INodeProperties } from 'n8n-workflow';

import * as execute from './execute.operation';

export { execute };

export const description: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['query'] } },
		options: [
			{
				name: 'Execute SOQL',
				value: 'execute',
				description: 'Run a SOQL query, all pages streamed',
				action: 'Execute a SOQL query',
			},
		],
		default: 'execute',
	},
	...execute.description,
];
