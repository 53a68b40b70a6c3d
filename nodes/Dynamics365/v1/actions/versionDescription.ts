/** The node's parameters (v1). */
import type { INodeProperties } from 'n8n-workflow';

import { tableField } from './common';
import { authentication } from '../../../shared/dynamics/descriptions';
import { OPERATIONS } from './router';

const resource: INodeProperties = {
	displayName: 'Resource',
	name: 'resource',
	type: 'options',
	noDataExpression: true,
	options: [
		{ name: 'FetchXML', value: 'fetchXml', description: 'Queries in FetchXML, every page' },
		{ name: 'Record', value: 'record', description: 'Rows of any Dataverse table' },
	],
	default: 'record',
};

const recordOperation: INodeProperties = {
	displayName: 'Operation',
	name: 'operation',
	type: 'options',
	noDataExpression: true,
	displayOptions: { show: { resource: ['record'] } },
	options: [
		{
			name: 'Create',
			value: 'create',
			action: 'Create rows',
			description: 'Create rows (up to 1,000 per $batch request)',
		},
		{
			name: 'Create or Update',
			value: 'upsert',
			action: 'Create or update rows',
			description: 'Create a new record, or update the current one if it already exists (upsert)',
		},
		{
			name: 'Delete',
			value: 'delete',
			action: 'Delete rows',
			description: 'Delete rows by ID (batched)',
		},
		{ name: 'Get', value: 'get', action: 'Get rows', description: 'Get rows by ID' },
		{
			name: 'Get Many',
			value: 'getAll',
			action: 'Get many rows',
			description: 'List rows, with an OData filter',
		},
		{
			name: 'Update',
			value: 'update',
			action: 'Update rows',
			description: 'Update rows by ID (batched)',
		},
	],
	default: 'upsert',
};

const fetchXmlOperation: INodeProperties = {
	displayName: 'Operation',
	name: 'operation',
	type: 'options',
	noDataExpression: true,
	displayOptions: { show: { resource: ['fetchXml'] } },
	options: [
		{
			name: 'Execute',
			value: 'execute',
			action: 'Execute a fetch xml query',
			description: 'Run a FetchXML query and return its rows, following the paging cookie',
		},
	],
	default: 'execute',
};

/** All parameters, in display order. */
export const properties: INodeProperties[] = [
	authentication,
	resource,
	recordOperation,
	fetchXmlOperation,
	tableField,
	...Object.values(OPERATIONS).flatMap((ops) => Object.values(ops).flatMap((op) => op.description)),
];
