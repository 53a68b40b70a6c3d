import type { INodeProperties } from 'n8n-workflow';

import * as bulk from './actions/bulk';
import * as changes from './actions/changes';
import * as metadata from './actions/metadata';
import * as query from './actions/query';
import * as record from './actions/record';

/** The credential choice (the keys of `CREDENTIAL_TYPES`), shared with the Salesforce Trigger. */
export const authenticationProperty: INodeProperties = {
	displayName: 'Authentication',
	name: 'authentication',
	type: 'options',
	options: [
		{ name: 'OAuth2 (Authorization Code)', value: 'oAuth2' },
		{ name: 'JWT Bearer (Server-to-Server)', value: 'jwt' },
		{ name: 'Client Credentials', value: 'clientCredentials' },
		{ name: 'Username and Password', value: 'password' },
	],
	default: 'oAuth2',
};

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
