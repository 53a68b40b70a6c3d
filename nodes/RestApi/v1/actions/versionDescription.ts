/** The node's parameters (v1). */
import type { INodeProperties } from 'n8n-workflow';

import { httpAuthentication } from '../../../shared/http/description';
import { OPERATIONS } from './router';

const baseUrl: INodeProperties = {
	displayName: 'Base URL',
	name: 'baseUrl',
	type: 'string',
	default: '',
	placeholder: 'https://api.example.com/v1',
	description:
		"The API's root URL. Empty: the credential's Base URL. With a credential, it must be on the credential's host.",
};

const resource: INodeProperties = {
	displayName: 'Resource',
	name: 'resource',
	type: 'hidden',
	noDataExpression: true,
	default: 'request',
};

const operation: INodeProperties = {
	displayName: 'Operation',
	name: 'operation',
	type: 'options',
	noDataExpression: true,
	options: [
		{
			name: 'Send a Request',
			value: 'send',
			action: 'Send a request',
			description:
				'One request per input item, or a paged read; the records of the answer become items',
		},
		{
			name: 'Send Items as One Request',
			value: 'sendBatch',
			action: 'Send items as one request',
			description:
				'Many input items sent as arrays in one request each (for APIs that take arrays), each item getting its own result',
		},
	],
	default: 'send',
};

/** All parameters, in display order. */
export const properties: INodeProperties[] = [
	httpAuthentication,
	baseUrl,
	resource,
	operation,
	...Object.values(OPERATIONS).flatMap((ops) => Object.values(ops).flatMap((op) => op.description)),
];
