/** The node's parameters (v1). */
import type { INodeProperties } from 'n8n-workflow';

import { httpAuthentication } from '../../../shared/http/description';
import { OPERATIONS } from './router';

const endpoint: INodeProperties = {
	displayName: 'Endpoint URL',
	name: 'endpoint',
	type: 'string',
	default: '',
	placeholder: 'https://api.example.com/graphql',
	description:
		"The GraphQL endpoint: a full URL (with a credential, on the credential's host), a path relative to the credential's Base URL (e.g. /graphql), or empty to use the credential's Base URL itself",
};

const resource: INodeProperties = {
	displayName: 'Resource',
	name: 'resource',
	type: 'hidden',
	noDataExpression: true,
	default: 'graphql',
};

const operation: INodeProperties = {
	displayName: 'Operation',
	name: 'operation',
	type: 'options',
	noDataExpression: true,
	options: [
		{
			name: 'Execute a Query or Mutation',
			value: 'execute',
			action: 'Execute a query or mutation',
			description:
				'One operation per input item; the data of the answer (or the records at a path) become items',
		},
		{
			name: 'Get Many (Relay Pagination)',
			value: 'getMany',
			action: 'Get many records through relay pagination',
			description:
				'Read every node of a Relay connection, page after page (cursor and hasNextPage)',
		},
		{
			name: 'Send Items as One Request',
			value: 'sendBatch',
			action: 'Send items as one request',
			description:
				'Many input items as aliased copies of one mutation per request, each item getting its own result',
		},
	],
	default: 'execute',
};

/** All parameters, in display order. */
export const properties: INodeProperties[] = [
	httpAuthentication,
	endpoint,
	resource,
	operation,
	...Object.values(OPERATIONS).flatMap((ops) => Object.values(ops).flatMap((op) => op.description)),
];
