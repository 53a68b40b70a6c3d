/** The node's parameters (v1). */
import type { INodeProperties } from 'n8n-workflow';

import { authenticationProperty } from '../../../shared/dynamics/descriptions';
import { tableField } from './common';
import { OPERATIONS } from './router';

// One definition with the sync nodes' Dynamics 365 authentication choice.
export const authentication: INodeProperties = authenticationProperty;

const resource: INodeProperties = {
	displayName: 'Resource',
	name: 'resource',
	type: 'options',
	noDataExpression: true,
	options: [
		{
			name: 'Action / Function',
			value: 'action',
			description: 'Call a Dataverse function or action (WhoAmI, QualifyLead, custom APIs)',
		},
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
			name: 'Associate',
			value: 'associate',
			action: 'Link rows',
			description: 'Link each row to a row of a related table, through a relationship (batched)',
		},
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
		{
			name: 'Disassociate',
			value: 'disassociate',
			action: 'Unlink rows',
			description: 'Remove the link between each row and a related row (batched)',
		},
		{ name: 'Get', value: 'get', action: 'Get rows', description: 'Get rows by ID' },
		{
			name: 'Get Changes',
			value: 'getChanges',
			action: 'Get changed rows',
			description:
				'Rows created, updated or deleted since a delta token (change tracking), with the next token',
		},
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
			description: 'Update rows by ID or alternate key, never creating one (batched)',
		},
	],
	default: 'upsert',
};

const actionOperation: INodeProperties = {
	displayName: 'Operation',
	name: 'operation',
	type: 'options',
	noDataExpression: true,
	displayOptions: { show: { resource: ['action'] } },
	options: [
		{
			name: 'Execute',
			value: 'execute',
			action: 'Execute a function or action',
			description: 'Call a function or action, unbound or bound to a row; its answer is the item',
		},
	],
	default: 'execute',
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
	actionOperation,
	fetchXmlOperation,
	tableField,
	...Object.values(OPERATIONS).flatMap((ops) => Object.values(ops).flatMap((op) => op.description)),
];
