import type { INodeProperties } from 'n8n-workflow';

import { authenticationProperty } from '../../shared/salesforce/descriptions';
import * as bulk from './actions/bulk';
import * as changes from './actions/changes';
import * as metadata from './actions/metadata';
import * as query from './actions/query';
import * as record from './actions/record';

/** Every parameter of Salesforce v1. */
export const salesforceProperties: INodeProperties[] = [
	authenticationProperty,
	{
		displayName: 'Resource',
		name: 'resource',
		type: 'options',
		noDataExpression: true,
		options: [
			{ name: 'Bulk (API 2.0)', value: 'bulk' },
			{ name: 'Change', value: 'changes' },
			{ name: 'Metadata', value: 'metadata' },
			{ name: 'Query', value: 'query' },
			{ name: 'Record', value: 'record' },
		],
		default: 'record',
	},
	...record.description,
	...query.description,
	...bulk.description,
	...changes.description,
	...metadata.description,
];
