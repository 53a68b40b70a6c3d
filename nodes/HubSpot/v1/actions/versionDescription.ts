/** The node's parameters (v1). */
import type { INodeProperties } from 'n8n-workflow';

import { authentication } from '../../../shared/hubspot/descriptions';
import { objectTypeField } from './common';
import { OPERATIONS } from './router';

const resource: INodeProperties = {
	displayName: 'Resource',
	name: 'resource',
	type: 'options',
	noDataExpression: true,
	options: [
		{ name: 'Association', value: 'association', description: 'Links between records' },
		{ name: 'Form', value: 'form', description: 'Form submissions' },
		{ name: 'Property', value: 'property', description: 'Property definitions of an object' },
		{
			name: 'Record',
			value: 'record',
			description: 'Records of any CRM object, standard or custom',
		},
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
			action: 'Create records',
			description: 'Create records (100 per API call)',
		},
		{
			name: 'Create or Update',
			value: 'upsert',
			action: 'Create or update records',
			description: 'Create a new record, or update the current one if it already exists (upsert)',
		},
		{
			name: 'Delete',
			value: 'delete',
			action: 'Delete records',
			description: 'Archive records (100 per API call)',
		},
		{
			name: 'Get',
			value: 'get',
			action: 'Get records',
			description: 'Get records by ID or unique property (100 per API call)',
		},
		{
			name: 'Get Changes',
			value: 'getChanges',
			action: 'Get changed records',
			description: 'Records created or modified since a watermark, oldest first',
		},
		{
			name: 'Get Many',
			value: 'getAll',
			action: 'Get many records',
			description: 'List records of an object',
		},
		{
			name: 'Search',
			value: 'search',
			action: 'Search records',
			description: 'Search with filters; Return All goes past the 10,000-result limit',
		},
		{
			name: 'Update',
			value: 'update',
			action: 'Update records',
			description: 'Update records by ID or unique property (100 per API call)',
		},
	],
	default: 'upsert',
};

const associationOperation: INodeProperties = {
	displayName: 'Operation',
	name: 'operation',
	type: 'options',
	noDataExpression: true,
	displayOptions: { show: { resource: ['association'] } },
	options: [
		{
			name: 'Create',
			value: 'create',
			action: 'Associate records',
			description: 'Associate two records, with the default association or a label',
		},
		{
			name: 'Get Many',
			value: 'getAll',
			action: 'List associated records',
			description: 'List the records associated with a record',
		},
		{
			name: 'Remove',
			value: 'remove',
			action: 'Remove associations',
			description: 'Remove the associations between two records',
		},
	],
	default: 'create',
};

const propertyOperation: INodeProperties = {
	displayName: 'Operation',
	name: 'operation',
	type: 'options',
	noDataExpression: true,
	displayOptions: { show: { resource: ['property'] } },
	options: [
		{
			name: 'Create',
			value: 'create',
			action: 'Create a property',
			description: 'Create a property on an object',
		},
		{
			name: 'Get Many',
			value: 'getAll',
			action: 'Get many properties',
			description: 'List the properties of an object',
		},
		{
			name: 'Update',
			value: 'update',
			action: 'Update a property',
			description: 'Update a property definition',
		},
	],
	default: 'getAll',
};

const formOperation: INodeProperties = {
	displayName: 'Operation',
	name: 'operation',
	type: 'options',
	noDataExpression: true,
	displayOptions: { show: { resource: ['form'] } },
	options: [
		{
			name: 'Submit',
			value: 'submit',
			action: 'Submit a form',
			description: 'Submit data to a HubSpot form',
		},
	],
	default: 'submit',
};

/** All parameters, in display order. */
export const properties: INodeProperties[] = [
	authentication,
	resource,
	recordOperation,
	associationOperation,
	propertyOperation,
	formOperation,
	objectTypeField('record'),
	objectTypeField('property'),
	...Object.values(OPERATIONS).flatMap((ops) => Object.values(ops).flatMap((op) => op.description)),
];
