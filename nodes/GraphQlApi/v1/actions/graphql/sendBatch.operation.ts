/**
 * Send Items as One Request: one mutation template, its variables mapped from each item; N items go out as aliased
 * copies of the mutation (Batch Size per request, the core's `mutateBatch`). Each item gets its own result: its copy's
 * data, or its own GraphQL error (message, field, path) on the error output; a request whose answer was lost leaves
 * its items "outcome unknown" (never sent again unless Safe to Repeat).
 */
import type {
	IDataObject,
	IExecuteFunctions,
	INodeExecutionData,
	INodeProperties,
} from 'n8n-workflow';

import { mutateBatch } from '../../../../../core/graphql/batch';
import { prepareOperation } from '../../../../../core/graphql/client';
import {
	collect,
	perItemRun,
	rejectItem,
	resultsToItems,
	writeSuccess,
} from '../../../../shared/items';
import { jsonParameter } from '../../../../shared/http/description';
import type { GraphqlConnection } from '../../connection';
import { optionsField } from './fields';

const show = { operation: ['sendBatch'] };

/** Most copies per request: the usual root-field limit of GraphQL servers (GitHub's, the simulator's). */
export const MAX_BATCH_SIZE = 100;

export const description: INodeProperties[] = [
	{
		displayName: 'Mutation',
		name: 'mutation',
		type: 'string',
		typeOptions: { rows: 8 },
		default: '',
		required: true,
		placeholder:
			'mutation($input: ContactInput!) { createContact(input: $input) { contact { email lastName } } }',
		description:
			'One mutation whose variables take each item’s values; it is copied once per item (aliases m0, m1, …) into each request',
		displayOptions: { show },
	},
	{
		displayName: 'Item Variables',
		name: 'itemVariables',
		type: 'json',
		default: '={{ { "input": $json } }}',
		description:
			"The mutation's variables for each item, as a JSON object (default: the input item as $input)",
		displayOptions: { show },
	},
	{
		displayName: 'Batch Size',
		name: 'batchSize',
		type: 'number',
		typeOptions: { minValue: 1, maxValue: MAX_BATCH_SIZE },
		default: 50,
		description: `Most items per request (at most ${MAX_BATCH_SIZE}; servers cap the root fields of a request)`,
		displayOptions: { show },
	},
	optionsField(show),
];

export async function execute(
	this: IExecuteFunctions,
	items: INodeExecutionData[],
	connection: GraphqlConnection,
): Promise<INodeExecutionData[]> {
	return await perItemRun(this, items.length, async (out) => {
		const mutation = String(this.getNodeParameter('mutation', 0, '')).trim();
		if (mutation === '') throw new Error('Mutation is empty: write the mutation to send per item');
		if (prepareOperation(mutation).operation !== 'mutation')
			throw new Error(
				'Send Items as One Request sends a mutation: write mutation(…) { … }, or use Execute a Query or Mutation for a query',
			);
		const batchSize = Number(this.getNodeParameter('batchSize', 0, 50));
		if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > MAX_BATCH_SIZE)
			throw new Error(
				`Batch Size must be a whole number from 1 to ${MAX_BATCH_SIZE}, got ${batchSize}`,
			);
		const idempotent = this.getNodeParameter('options.idempotent', 0, false) as boolean;

		const variables: Array<Record<string, unknown>> = [];
		const indexes: number[] = [];
		for (let i = 0; i < items.length; i++) {
			try {
				const value = jsonParameter(this, 'itemVariables', 'Item Variables', i);
				if (value === null || typeof value !== 'object' || Array.isArray(value))
					throw new Error(
						'Item Variables must be a JSON object of the mutation’s variables, e.g. {"input": {"email": "…"}}',
					);
				variables.push(value as Record<string, unknown>);
				indexes.push(i);
			} catch (error) {
				rejectItem(this, out, i, { message: (error as Error).message, code: 'INVALID_ITEM' });
			}
		}
		const { results } = await mutateBatch(connection.client, {
			mutation,
			items: variables,
			variables: (v) => v,
			batchSize,
			idempotent,
			concurrency: Number(this.getNodeParameter('options.maxConcurrent', 0, 1)) || 1,
		});
		collect(
			out,
			resultsToItems(this, results, indexes, (value) => writeSuccess(value as IDataObject)),
		);
	});
}
