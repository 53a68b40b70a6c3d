import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { soql, type SoqlFragment, type SoqlValue } from '../../../../../core/query/soql';
import { getConnector } from '../../transport';
import { forEachItem, getObjectName, limitProperties, objectLocator, recordJson } from '../common';

const show = { resource: ['record'], operation: ['getMany'] };

/** Operator values are words: a parameter value starting with "=" would be read by n8n as an expression. */
const OPERATORS = {
	equal: '=',
	notEqual: '!=',
	less: '<',
	lessOrEqual: '<=',
	greater: '>',
	greaterOrEqual: '>=',
	like: 'LIKE',
	in: 'IN',
	notIn: 'NOT IN',
} as const;
type OperatorKey = keyof typeof OPERATORS;

export const description: INodeProperties[] = [
	objectLocator(show),
	...limitProperties(show),
	{
		displayName: 'Field Names or IDs',
		name: 'fieldNames',
		type: 'multiOptions',
		typeOptions: { loadOptionsMethod: 'getFields', loadOptionsDependsOn: ['object.value'] },
		default: [],
		description: 'Fields to return (ID when empty). Choose from the list, or specify IDs using an <a href="https://docs.n8n.io/code/expressions/">expression</a>.',
		displayOptions: { show },
	},
	{
		displayName: 'Conditions',
		name: 'conditions',
		type: 'fixedCollection',
		typeOptions: { multipleValues: true },
		placeholder: 'Add Condition',
		default: {},
		description: 'All conditions must match. Values are bound safely as SOQL literals.',
		displayOptions: { show },
		options: [
			{
				displayName: 'Condition',
				name: 'condition',
				values: [
					{
						displayName: 'Field Name or ID',
						name: 'field',
						type: 'options',
						typeOptions: { loadOptionsMethod: 'getFields', loadOptionsDependsOn: ['object.value'] },
						default: '',
						description: 'Choose from the list, or specify an ID using an <a href="https://docs.n8n.io/code/expressions/">expression</a>',
					},
					{
						displayName: 'Operator',
						name: 'operator',
						type: 'options',
						options: (Object.keys(OPERATORS) as OperatorKey[]).map((key) => ({ name: OPERATORS[key], value: key })),
						default: 'equal',
					},
					{ displayName: 'Value', name: 'value', type: 'string', default: '', description: 'For IN / NOT IN: comma-separated values or a JSON array' },
				],
			},
		],
	},
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		displayOptions: { show },
		options: [
			{
				displayName: 'Sort By Field Name or ID',
				name: 'sortBy',
				type: 'options',
				typeOptions: { loadOptionsMethod: 'getFields', loadOptionsDependsOn: ['object.value'] },
				default: '',
				description: 'Choose from the list, or specify an ID using an <a href="https://docs.n8n.io/code/expressions/">expression</a>',
			},
			{
				displayName: 'Sort Direction',
				name: 'sortDirection',
				type: 'options',
				options: [
					{ name: 'Ascending', value: 'ASC' },
					{ name: 'Descending', value: 'DESC' },
				],
				default: 'ASC',
			},
			{ displayName: 'Include Deleted', name: 'includeDeleted', type: 'boolean', default: false, description: 'Whether to include deleted and archived records (queryAll)' },
		],
	},
];

function literal(value: unknown): SoqlValue {
	if (typeof value === 'number' || typeof value === 'boolean' || value === null) return value;
	const text = String(value ?? '');
	if (text === 'null') return null;
	if (/^-?\d+(\.\d+)?$/.test(text)) return Number(text);
	if (text === 'true' || text === 'false') return text === 'true';
	return text;
}

/** Reads records of an object, streamed page by page, up to the limit or all. */
export async function execute(this: IExecuteFunctions, items: INodeExecutionData[]): Promise<INodeExecutionData[]> {
	const connector = await getConnector(this);
	return await forEachItem(this, items, async (i, emit) => {
		const object = getObjectName(this, i);
		const fields = this.getNodeParameter('fieldNames', i, []) as string[];
		const returnAll = this.getNodeParameter('returnAll', i, false) as boolean;
		const limit = returnAll ? undefined : (this.getNodeParameter('limit', i, 50) as number);
		const options = this.getNodeParameter('options', i, {}) as { sortBy?: string; sortDirection?: string; includeDeleted?: boolean };
		const conditions = this.getNodeParameter('conditions.condition', i, []) as Array<{ field: string; operator: string; value: unknown }>;
		const parts: SoqlFragment[] = conditions.map((c) => {
			const operator = OPERATORS[c.operator as OperatorKey];
			if (!operator) throw new NodeOperationError(this.getNode(), `Unknown operator "${c.operator}"`, { itemIndex: i });
			const field = soql.id(c.field);
			if (operator === 'IN' || operator === 'NOT IN') {
				const raw = typeof c.value === 'string' ? c.value.trim() : c.value;
				const list = Array.isArray(raw) ? raw : typeof raw === 'string' && raw.startsWith('[') ? (JSON.parse(raw) as unknown[]) : String(raw ?? '').split(',').map((s) => s.trim()).filter(Boolean);
				const values = list.map(literal);
				return operator === 'IN' ? soql`${field} IN ${values}` : soql`${field} NOT IN ${values}`;
			}
			const value = operator === 'LIKE' ? String(c.value ?? '') : literal(c.value);
			switch (operator) {
				case '=':
					return soql`${field} = ${value}`;
				case '!=':
					return soql`${field} != ${value}`;
				case '<':
					return soql`${field} < ${value}`;
				case '<=':
					return soql`${field} <= ${value}`;
				case '>':
					return soql`${field} > ${value}`;
				case '>=':
					return soql`${field} >= ${value}`;
				default:
					return soql`${field} LIKE ${value}`;
			}
		});
		const where = parts.length ? soql.join(parts, ' AND ') : undefined;
		const orderBy = options.sortBy ? `${soql.id(options.sortBy).text} ${options.sortDirection === 'DESC' ? 'DESC' : 'ASC'}` : undefined;
		const query = connector.selectQuery(object, fields.length ? fields : await connector.selectableFields(object), where, orderBy);
		for await (const record of connector.queryRecords(query, { limit, includeDeleted: options.includeDeleted })) {
			emit(recordJson(record));
		}
	});
}
