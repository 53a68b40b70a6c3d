import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import type { SalesforceConnector } from '../../../../../core/connectors/salesforce/connector';
import { NodeOperationError } from 'n8n-workflow';

import { QueryValueError } from '../../../../../core/query/common';
import { soql, SoqlFragment, type SoqlValue } from '../../../../../core/query/soql';
import { getObjectName, limitProperties, objectLocator, recordJson } from '../common';
import { forEachItem } from '../../../../shared/items';

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
	isEmpty: 'IS EMPTY',
	isNotEmpty: 'IS NOT EMPTY',
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
		description:
			'Fields to return (ID when empty). Choose from the list, or specify IDs using an <a href="https://docs.n8n.io/code/expressions/">expression</a>.',
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
						description:
							'Choose from the list, or specify an ID using an <a href="https://docs.n8n.io/code/expressions/">expression</a>',
					},
					{
						displayName: 'Operator',
						name: 'operator',
						type: 'options',
						options: (Object.keys(OPERATORS) as OperatorKey[]).map((key) => ({
							name: OPERATORS[key],
							value: key,
						})),
						description:
							"IS EMPTY / IS NOT EMPTY compare with null (the Value is ignored); every other value is bound as the field's type, so a text field compares with text",
						default: 'equal',
					},
					{
						displayName: 'Value',
						name: 'value',
						type: 'string',
						default: '',
						description: 'For IN / NOT IN: comma-separated values or a JSON array',
					},
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
				description:
					'Choose from the list, or specify an ID using an <a href="https://docs.n8n.io/code/expressions/">expression</a>',
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
			{
				displayName: 'Include Deleted',
				name: 'includeDeleted',
				type: 'boolean',
				default: false,
				description: 'Whether to include deleted and archived records (queryAll)',
			},
		],
	},
];

const NUMBER_TYPES = new Set(['int', 'double', 'currency', 'percent', 'long']);

/**
 * A condition value bound as the field's type (from describe): numbers for number fields, true/false for checkboxes,
 * dates for date fields, and text for everything else — so "00123" stays text and "null" is the word null.
 */
function literal(
	value: unknown,
	fieldType: string | undefined,
	field: string,
): SoqlValue | SoqlFragment {
	const text = typeof value === 'string' ? value.trim() : String(value ?? '');
	const wrong = (expected: string) =>
		new QueryValueError(
			`Condition on ${field}: ${field} is a ${fieldType} field and expects ${expected}, got ${JSON.stringify(value)} — change the value (use IS EMPTY to match empty fields)`,
		);
	if (fieldType && NUMBER_TYPES.has(fieldType)) {
		if (typeof value === 'number' && Number.isFinite(value)) return value;
		if (!/^[-+]?(\d+\.?\d*|\.\d+)$/.test(text)) throw wrong('a number');
		return Number(text);
	}
	if (fieldType === 'boolean') {
		if (typeof value === 'boolean') return value;
		if (!/^(true|false)$/i.test(text)) throw wrong('true or false');
		return text.toLowerCase() === 'true';
	}
	if (fieldType === 'date') {
		if (!/^\d{4}-\d{2}-\d{2}$/.test(text)) throw wrong('a date (YYYY-MM-DD)');
		return soql.date(text);
	}
	if (fieldType === 'datetime') {
		const date = new Date(text);
		if (!/^\d{4}-\d{2}-\d{2}/.test(text) || Number.isNaN(date.getTime()))
			throw wrong('a date and time (e.g. 2024-03-05T10:15:00Z)');
		return date;
	}
	return typeof value === 'string' ? value : String(value ?? '');
}

/** Reads records of an object, streamed page by page, up to the limit or all. */
export async function execute(
	this: IExecuteFunctions,
	items: INodeExecutionData[],
	connector: SalesforceConnector,
): Promise<INodeExecutionData[]> {
	return await forEachItem(this, items, async (i, emit) => {
		const object = getObjectName(this, i);
		const fields = this.getNodeParameter('fieldNames', i, []) as string[];
		const returnAll = this.getNodeParameter('returnAll', i, false) as boolean;
		const limit = returnAll ? undefined : (this.getNodeParameter('limit', i, 50) as number);
		const options = this.getNodeParameter('options', i, {}) as {
			sortBy?: string;
			sortDirection?: string;
			includeDeleted?: boolean;
		};
		const conditions = this.getNodeParameter('conditions.condition', i, []) as Array<{
			field: string;
			operator: string;
			value: unknown;
		}>;
		const types = conditions.length
			? new Map(
					(await connector.describe(object)).fields.map((f) => [f.name.toLowerCase(), f.type]),
				)
			: new Map<string, string>();
		const parts: SoqlFragment[] = conditions.map((c) => {
			const operator = OPERATORS[c.operator as OperatorKey];
			if (!operator)
				throw new NodeOperationError(this.getNode(), `Unknown operator "${c.operator}"`, {
					itemIndex: i,
				});
			const field = soql.id(c.field);
			const type = types.get(String(c.field).toLowerCase());
			if (operator === 'IS EMPTY') return soql`${field} = ${null}`;
			if (operator === 'IS NOT EMPTY') return soql`${field} != ${null}`;
			if (operator === 'IN' || operator === 'NOT IN') {
				const raw = typeof c.value === 'string' ? c.value.trim() : c.value;
				const list = Array.isArray(raw)
					? raw
					: typeof raw === 'string' && raw.startsWith('[')
						? (JSON.parse(raw) as unknown[])
						: String(raw ?? '')
								.split(',')
								.map((s) => s.trim())
								.filter(Boolean);
				const values = list.map((v) => literal(v, type, c.field));
				if (values.some((v) => v instanceof SoqlFragment)) {
					const inner = soql.join(
						values.map((v) => (v instanceof SoqlFragment ? v : soql`${v}`)),
						',',
					);
					return new SoqlFragment(`${field.text} ${operator} (${inner.text})`);
				}
				return operator === 'IN' ? soql`${field} IN ${values}` : soql`${field} NOT IN ${values}`;
			}
			const value = operator === 'LIKE' ? String(c.value ?? '') : literal(c.value, type, c.field);
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
		const orderBy = options.sortBy
			? `${soql.id(options.sortBy).text} ${options.sortDirection === 'DESC' ? 'DESC' : 'ASC'}`
			: undefined;
		const query = connector.selectQuery(
			object,
			fields.length ? fields : await connector.selectableFields(object),
			where,
			orderBy,
		);
		for await (const record of connector.queryRecords(query, {
			limit,
			includeDeleted: options.includeDeleted,
		})) {
			emit(recordJson(record));
		}
	});
}
