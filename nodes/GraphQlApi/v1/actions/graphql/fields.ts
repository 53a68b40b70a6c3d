/** The parameters the operations share: the document, its variables and operation name, the Options. */
import type { INodeProperties } from 'n8n-workflow';

import { timeoutOption } from '../../../../shared/descriptions';
import { rateBudgetOptions } from '../../../../shared/http/description';

type Show = { operation: string[] };

/** Query, Variables, Operation Name. */
export function documentFields(
	show: Show,
	placeholder: string,
	label = 'Query',
	description = 'The GraphQL document (a query or a mutation); use variables ($name) for values that change per item',
): INodeProperties[] {
	return [
		{
			displayName: label,
			name: 'query',
			type: 'string',
			typeOptions: { rows: 8 },
			default: '',
			required: true,
			placeholder,
			description,
			displayOptions: { show },
		},
		{
			displayName: 'Variables',
			name: 'variables',
			type: 'json',
			default: '{}',
			description:
				'The variables as a JSON object, read per item: an expression may take them from the item',
			displayOptions: { show },
		},
		{
			displayName: 'Operation Name',
			name: 'operationName',
			type: 'string',
			default: '',
			description: 'Which operation to run when the document holds several (empty: its only one)',
			displayOptions: { show },
		},
	];
}

/** The Options collection: rate budget, Safe to Repeat (operations that may send mutations), timeout. */
export function optionsField(show: Show, mutations = true): INodeProperties {
	return {
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add option',
		default: {},
		displayOptions: { show },
		options: [...rateBudgetOptions, ...safeToRepeat(mutations), timeoutOption],
	};
}

function safeToRepeat(mutations: boolean): INodeProperties[] {
	if (!mutations) return [];
	return [
		{
			displayName: 'Safe to Repeat',
			name: 'idempotent',
			type: 'boolean',
			default: false,
			description:
				'Whether running the mutation twice does no harm (e.g. an upsert by key). Queries are always retried after a lost answer or a 5xx; a mutation only when this is on — else a lost answer is reported as "outcome unknown".',
		},
	];
}
