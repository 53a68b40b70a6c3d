/** The request parameters both operations share: method, path, query, headers, body, options. */
import type { INodeProperties } from 'n8n-workflow';

import { timeoutOption } from '../../../../shared/descriptions';
import { rateBudgetOptions } from '../../../../shared/http/description';

type Show = { operation: string[] };

const pairs = (displayName: string, name: string, show: Show, what: string): INodeProperties => ({
	displayName,
	name,
	type: 'fixedCollection',
	typeOptions: { multipleValues: true },
	placeholder: `Add ${what}`,
	default: {},
	displayOptions: { show },
	options: [
		{
			displayName: what,
			name: 'values',
			values: [
				{ displayName: 'Name', name: 'name', type: 'string', default: '' },
				{ displayName: 'Value', name: 'value', type: 'string', default: '' },
			],
		},
	],
});

/** Method, Path, Query Parameters, Headers. */
export function requestFields(show: Show, defaultMethod: string): INodeProperties[] {
	return [
		{
			displayName: 'Method',
			name: 'method',
			type: 'options',
			options: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD'].map((m) => ({
				name: m,
				value: m,
			})),
			default: defaultMethod,
			displayOptions: { show },
		},
		{
			displayName: 'Path',
			name: 'path',
			type: 'string',
			default: '',
			placeholder: '/contacts',
			description:
				'Path relative to the Base URL (or an absolute URL on the same host as the credential)',
			displayOptions: { show },
		},
		pairs('Query Parameters', 'queryParameters', show, 'Parameter'),
		pairs('Headers', 'headers', show, 'Header'),
	];
}

/** Body Type and its fields (the single-request operation). */
export function bodyFields(show: Show): INodeProperties[] {
	const withBody = (type: string) => ({ show: { ...show, bodyType: [type] } });
	return [
		{
			displayName: 'Body',
			name: 'bodyType',
			type: 'options',
			options: [
				{ name: 'None', value: 'none' },
				{ name: 'JSON', value: 'json' },
				{ name: 'Form URL-Encoded', value: 'form' },
				{ name: 'Raw', value: 'raw' },
			],
			default: 'none',
			displayOptions: { show },
		},
		{
			displayName: 'JSON Body',
			name: 'jsonBody',
			type: 'json',
			default: '{}',
			displayOptions: withBody('json'),
		},
		{ ...pairs('Form Fields', 'formFields', show, 'Field'), displayOptions: withBody('form') },
		{
			displayName: 'Content Type',
			name: 'rawContentType',
			type: 'string',
			default: 'text/plain',
			displayOptions: withBody('raw'),
		},
		{
			displayName: 'Raw Body',
			name: 'rawBody',
			type: 'string',
			typeOptions: { rows: 4 },
			default: '',
			displayOptions: withBody('raw'),
		},
	];
}

/** The Options collection: rate budget, timeout, safe to repeat. */
export function optionsField(show: Show): INodeProperties {
	return {
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add option',
		default: {},
		displayOptions: { show },
		options: [
			...rateBudgetOptions,
			{
				displayName: 'Safe to Repeat',
				name: 'idempotent',
				type: 'boolean',
				default: false,
				description:
					'Whether sending this request twice does no harm (e.g. an upsert by key). GET, PUT and DELETE are always retried after a lost answer or a 5xx; a POST or PATCH only when this is on — else a lost answer is reported as "outcome unknown".',
			},
			timeoutOption,
		],
	};
}
