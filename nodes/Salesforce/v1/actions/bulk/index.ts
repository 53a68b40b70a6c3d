import type { INodeProperties } from 'n8n-workflow';

import * as del from './delete.operation';
import * as hardDelete from './hardDelete.operation';
import * as insert from './insert.operation';
import * as query from './query.operation';
import * as update from './update.operation';
import * as upsert from './upsert.operation';

export { del as delete, hardDelete, insert, query, update, upsert };

export const description: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['bulk'] } },
		options: [
			{
				name: 'Create or Update',
				value: 'upsert',
				description: 'Create a new record, or update the current one if it already exists (upsert)',
				action: 'Bulk upsert records',
			},
			{
				name: 'Delete',
				value: 'delete',
				description: 'Delete records with a Bulk API 2.0 job (to the recycle bin)',
				action: 'Bulk delete records',
			},
			{
				name: 'Hard Delete',
				value: 'hardDelete',
				description: 'Delete records permanently with a Bulk API 2.0 job',
				action: 'Bulk hard delete records',
			},
			{
				name: 'Insert',
				value: 'insert',
				description: 'Insert many records with a Bulk API 2.0 job',
				action: 'Bulk insert records',
			},
			{
				name: 'Query',
				value: 'query',
				description: 'Extract records with a Bulk API 2.0 query job, page by page',
				action: 'Bulk query records',
			},
			{
				name: 'Update',
				value: 'update',
				description: 'Update many records by ID with a Bulk API 2.0 job',
				action: 'Bulk update records',
			},
		],
		default: 'insert',
	},
	...insert.description,
	...update.description,
	...upsert.description,
	...del.description,
	...hardDelete.description,
	...query.description,
];
