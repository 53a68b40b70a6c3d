import type { INodeProperties } from 'n8n-workflow';

import * as create from './create.operation';
import * as del from './delete.operation';
import * as get from './get.operation';
import * as getMany from './getMany.operation';
import * as update from './update.operation';
import * as upsert from './upsert.operation';

export { create, del as delete, get, getMany, update, upsert };

export const description: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['record'] } },
		options: [
			{ name: 'Create', value: 'create', description: 'Create records (200 per API call)', action: 'Create records' },
			{ name: 'Create or Update', value: 'upsert', description: 'Create a new record, or update the current one if it already exists (upsert)', action: 'Upsert records' },
			{ name: 'Delete', value: 'delete', description: 'Delete records (200 per API call)', action: 'Delete records' },
			{ name: 'Get', value: 'get', description: 'Get a record by ID', action: 'Get a record' },
			{ name: 'Get Many', value: 'getMany', description: 'Get records of an object, page by page', action: 'Get many records' },
			{ name: 'Update', value: 'update', description: 'Update records by ID (200 per API call)', action: 'Update records' },
		],
		default: 'create',
	},
	...create.description,
	...update.description,
	...upsert.description,
	...del.description,
	...get.description,
	...getMany.description,
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		displayOptions: { show: { resource: ['record'], operation: ['create', 'update', 'upsert', 'delete'] } },
		options: [
			{
				displayName: 'Batch Size',
				name: 'batchSize',
				type: 'number',
				typeOptions: { minValue: 1, maxValue: 200 },
				default: 200,
				description: 'Records per sObject Collections call (at most 200)',
			},
			{
				displayName: 'Use Bulk API From (Records)',
				name: 'bulkThreshold',
				type: 'number',
				typeOptions: { minValue: 0 },
				default: 0,
				description:
					'When the node receives at least this many items, write them with one Bulk API 2.0 job instead of Collections calls (0 = never). Bulk jobs are asynchronous: worth it from several thousand records.',
			},
		],
	},
];
