/**
 * Get Many (Relay Pagination): every node of a Relay connection, page after page — the query is sent again with the
 * cursor variable set to `pageInfo.endCursor` while `pageInfo.hasNextPage` is true. Streamed: one page at a time is
 * in memory (only the records n8n outputs are kept); Max Records stops without requesting a further page.
 */
import type {
	IDataObject,
	IExecuteFunctions,
	INodeExecutionData,
	INodeProperties,
} from 'n8n-workflow';

import { paginateConnection } from '../../../../../core/graphql/connection';
import { vendor } from '../../../../../core/vendor';
import { forEachItem } from '../../../../shared/items';
import type { GraphqlConnection } from '../../connection';
import { describeGraphqlFailure, readOperation, type ItemOperation } from '../../results';
import { documentFields, optionsField } from './fields';

const show = { operation: ['getMany'] };

export const description: INodeProperties[] = [
	...documentFields(
		show,
		'query($first: Int, $after: String) { contacts(first: $first, after: $after) { edges { node { id email } } pageInfo { hasNextPage endCursor } } }',
		'Query',
		'A query with a cursor variable (e.g. $after) passed to the connection, selecting pageInfo { hasNextPage endCursor }',
	),
	{
		displayName: 'Connection Path',
		name: 'connectionPath',
		type: 'string',
		default: '',
		required: true,
		placeholder: 'contacts',
		description:
			'Where the connection is in the answer, e.g. contacts, data.contacts or viewer.repositories',
		displayOptions: { show },
	},
	{
		displayName: 'Nodes In',
		name: 'nodesPath',
		type: 'options',
		options: [
			{ name: 'Edges (Edges.node)', value: 'edges.node' },
			{ name: 'Nodes', value: 'nodes' },
		],
		default: 'edges.node',
		description: 'Whether the query selects edges { node { … } } or nodes { … }',
		displayOptions: { show },
	},
	{
		displayName: 'Cursor Variable',
		name: 'cursorVariable',
		type: 'string',
		default: 'after',
		description: "The query's variable that takes the previous page's endCursor",
		displayOptions: { show },
	},
	{
		displayName: 'Page Size Variable',
		name: 'pageSizeVariable',
		type: 'string',
		default: 'first',
		description: "The query's variable of the page size (empty: the query's own)",
		displayOptions: { show },
	},
	{
		displayName: 'Page Size',
		name: 'pageSize',
		type: 'number',
		typeOptions: { minValue: 1 },
		default: 100,
		description: 'Records per page (APIs cap it, often at 100)',
		displayOptions: { show },
	},
	{
		displayName: 'Max Records',
		name: 'maxRecords',
		type: 'number',
		typeOptions: { minValue: 0 },
		default: 0,
		description: 'Stop after this many records (0: no limit); no further page is requested',
		displayOptions: { show },
	},
	optionsField(show, false),
];

/** Checks that the operation is a query declaring the paging variables (else the read would not move). */
function checkPagingQuery(
	op: ItemOperation,
	cursorVariable: string,
	pageSizeVariable: string,
): void {
	const { getOperationAST, parse } = vendor.graphql();
	if (op.mutation)
		throw new Error('Get Many reads a query, not a mutation: use Execute a Query or Mutation');
	const declared = new Set(
		(getOperationAST(parse(op.query), op.operationName)?.variableDefinitions ?? []).map(
			(d) => d.variable.name.value,
		),
	);
	for (const [name, label] of [
		[cursorVariable, 'Cursor Variable'],
		[pageSizeVariable, 'Page Size Variable'],
	])
		if (name !== '' && !declared.has(name))
			throw new Error(
				`The query does not declare $${name} (the ${label}): add it, e.g. query($${name}: ${label === 'Cursor Variable' ? 'String' : 'Int'}), and pass it to the connection`,
			);
}

export async function execute(
	this: IExecuteFunctions,
	items: INodeExecutionData[],
	connection: GraphqlConnection,
): Promise<INodeExecutionData[]> {
	return await forEachItem(
		this,
		items,
		async (i, emit) => {
			const op = readOperation(this, i);
			const p = <T>(name: string, fallback: T): T => this.getNodeParameter(name, i, fallback) as T;
			const connectionPath = String(p('connectionPath', '')).trim();
			if (connectionPath === '')
				throw new Error('Connection Path is empty: give where the connection is, e.g. contacts');
			const cursorVariable = String(p('cursorVariable', 'after')).trim().replace(/^\$/, '');
			const pageSizeVariable = String(p('pageSizeVariable', 'first')).trim().replace(/^\$/, '');
			if (cursorVariable === '') throw new Error('Cursor Variable is empty: e.g. after');
			checkPagingQuery(op, cursorVariable, pageSizeVariable);
			const maxRecords = Number(p('maxRecords', 0));
			const nodes = paginateConnection<unknown>(connection.client, {
				query: op.query,
				variables: op.variables,
				operationName: op.operationName,
				connectionPath,
				nodesPath: p('nodesPath', 'edges.node'),
				cursorVariable,
				...(pageSizeVariable ? { pageSizeVariable, pageSize: Number(p('pageSize', 100)) } : {}),
				...(maxRecords > 0 ? { maxItems: maxRecords } : {}),
			});
			for await (const node of nodes)
				emit(
					node !== null && typeof node === 'object' && !Array.isArray(node)
						? (node as IDataObject)
						: { value: node as never },
				);
		},
		(error) => describeGraphqlFailure(error, false, true),
	);
}
