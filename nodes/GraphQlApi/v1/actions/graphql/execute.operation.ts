/**
 * Execute a Query or Mutation: one operation per input item; the answer's `data` (or the records at the Records Path)
 * become items paired with it. GraphQL errors send the item to the error output with every message and path, the
 * partial data kept on it; a mutation whose answer was lost is "outcome unknown", never sent again.
 */
import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import { forEachItem } from '../../../../shared/items';
import type { GraphqlConnection } from '../../connection';
import {
	describeGraphqlFailure,
	GraphqlItemError,
	readOperation,
	selectRecords,
} from '../../results';
import { documentFields, optionsField } from './fields';

const show = { operation: ['execute'] };

export const description: INodeProperties[] = [
	...documentFields(show, 'query($first: Int) { contacts(first: $first) { nodes { id email } } }'),
	{
		displayName: 'Records Path',
		name: 'recordsPath',
		type: 'string',
		default: '',
		placeholder: 'data.contacts.nodes',
		description:
			'Dot path of the list of records in the answer (e.g. data.contacts.nodes): each record becomes an item. Empty: the whole data is one item.',
		displayOptions: { show },
	},
	optionsField(show),
];

export async function execute(
	this: IExecuteFunctions,
	items: INodeExecutionData[],
	connection: GraphqlConnection,
): Promise<INodeExecutionData[]> {
	let current = { mutation: false, safe: false };
	return await forEachItem(
		this,
		items,
		async (i, emit) => {
			current = { mutation: false, safe: false };
			const op = readOperation(this, i);
			current = { mutation: op.mutation, safe: op.safe };
			const recordsPath = String(this.getNodeParameter('recordsPath', i, '')).trim();
			const result = await connection.client.execute({
				query: op.query,
				variables: op.variables,
				operationName: op.operationName,
				...(op.safe ? { idempotent: true } : {}),
			});
			if (result.errors && result.errors.length > 0)
				throw new GraphqlItemError(result.errors, result.data);
			for (const record of selectRecords(result.data, recordsPath)) emit(record);
		},
		(error) => describeGraphqlFailure(error, current.mutation, current.safe),
	);
}
