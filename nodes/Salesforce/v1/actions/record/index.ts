import type { INodeProperties } from 'n8n-workflow';

import { timeoutOption } from '../../../../shared/descriptions';

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
			{
				name: 'Create',
				value: 'create',
				description:
					'Create records (200 per API call). Safe to re-run only where the records carry a unique or external-ID field (a lost answer is then settled by looking them up); otherwise re-run only the items that failed, never those marked OUTCOME_UNKNOWN.',
				action: 'Create records',
			},
			{
				name: 'Create or Update',
				value: 'upsert',
				description: 'Create a new record, or update the current one if it already exists (upsert)',
				action: 'Upsert records',
			},
			{
				name: 'Delete',
				value: 'delete',
				description:
					'Delete records (200 per API call). Safe to re-run: a record already deleted counts as deleted after a lost answer.',
				action: 'Delete records',
			},
			{ name: 'Get', value: 'get', description: 'Get a record by ID', action: 'Get a record' },
			{
				name: 'Get Many',
				value: 'getMany',
				description: 'Get records of an object, page by page',
				action: 'Get many records',
			},
			{
				name: 'Update',
				value: 'update',
				description:
					'Update records by ID (200 per API call). Safe to re-run: it sets the same values again.',
				action: 'Update records',
			},
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
		displayOptions: {
			show: { resource: ['record'], operation: ['create', 'update', 'upsert', 'delete'] },
		},
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
			timeoutOption,
			{
				displayName: 'Unique Field for Settling Lost Answers',
				name: 'settleField',
				type: 'string',
				default: '',
				placeholder: 'e.g. External_Id__c',
				displayOptions: { show: { '/operation': ['create'] } },
				description:
					'When the answer to a create is lost (connection dropped, timeout, server error), the records are looked up by this unique or external-ID field: those found are reported as created, the others are sent again. Empty: a unique or external-ID field the records carry is used; without one, such records are reported as OUTCOME_UNKNOWN.',
			},
		],
	},
];
