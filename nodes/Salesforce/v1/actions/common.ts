/** Parameters and helpers shared by the Salesforce operations. */
import type {
	IExecuteFunctions,
	INodeExecutionData,
	INodeProperties,
	ResourceMapperTypeOptionsBase,
} from 'n8n-workflow';

import { NodeOperationError } from 'n8n-workflow';

import type { Show } from '../../../shared/descriptions';

import { soqlIdentifier } from '../../../../core/query/soql';
import { RESERVED_KEYS } from '../../../../core/connectors/salesforce/records';
import type { SoqlParameterValue } from '../../../../core/connectors/salesforce/params';
import { itemParameters } from '../../../shared/itemParameters';
import { SYNC_TICKET_KEY } from '../../../shared/syncTicket';

/** A `displayOptions.show` condition. */
export type { Show };

/** The object picker: from the org's list, by API name, or by expression. */
export function objectLocator(
	show: Show,
	description = 'The Salesforce object (standard or custom, e.g. Contact or Invoice__c)',
): INodeProperties {
	return {
		displayName: 'Object',
		name: 'object',
		type: 'resourceLocator',
		default: { mode: 'list', value: '' },
		required: true,
		description,
		modes: [
			{
				displayName: 'From List',
				name: 'list',
				type: 'list',
				typeOptions: { searchListMethod: 'searchObjects', searchable: true },
			},
			{
				displayName: 'By API Name',
				name: 'name',
				type: 'string',
				placeholder: 'e.g. Contact or Invoice__c',
				validation: [
					{
						type: 'regex',
						properties: {
							regex: '^[A-Za-z][A-Za-z0-9_]*$',
							errorMessage: 'Enter an API name such as Contact or Invoice__c',
						},
					},
				],
			},
		],
		displayOptions: { show },
	};
}

/**
 * The Fields resource mapper of a record write: `resourceMapperMethod` lists the fields the operation can set
 * (for the object picked above); `matchingFieldsLabels` names how an update/upsert finds the record.
 */
export function fieldsMapper(
	show: Show,
	resourceMapperMethod: string,
	mode: 'add' | 'update' | 'upsert',
	matchingFieldsLabels?: ResourceMapperTypeOptionsBase['matchingFieldsLabels'],
): INodeProperties {
	return {
		displayName: 'Fields',
		name: 'fields',
		type: 'resourceMapper',
		noDataExpression: true,
		default: { mappingMode: 'defineBelow', value: null },
		required: true,
		typeOptions: {
			loadOptionsDependsOn: ['object.value'],
			resourceMapper: {
				resourceMapperMethod,
				mode,
				fieldWords: { singular: 'field', plural: 'fields' },
				addAllFields: false,
				multiKeyMatch: false,
				supportAutoMap: true,
				...(matchingFieldsLabels ? { matchingFieldsLabels } : {}),
			},
		},
		displayOptions: { show },
	};
}

/** The object's API name for item `i`, validated. */
export function getObjectName(ctx: IExecuteFunctions, i: number): string {
	const value = itemParameters(ctx).get('object', i, undefined, { extractValue: true }) as string;
	try {
		return soqlIdentifier(String(value ?? '').trim());
	} catch (error) {
		throw new NodeOperationError(
			ctx.getNode(),
			`Invalid object name: ${(error as Error).message}`,
			{ itemIndex: i },
		);
	}
}

/** The ids of a mapper's schema fields not removed (once per schema: shared by items when only the values vary). */
const knownSets = new WeakMap<object, Set<string>>();
function knownFields(mapper: { schema?: Array<{ id: string; removed?: boolean }> }): Set<string> {
	const schema = mapper.schema ?? [];
	let known = knownSets.get(schema);
	if (!known) {
		known = new Set(schema.filter((f) => !f.removed).map((f) => f.id));
		knownSets.set(schema, known);
	}
	return known;
}

/** The fields of item `i` from a resource mapper parameter (auto-mapped item JSON or the fields defined). */
export function mappedFields(
	ctx: IExecuteFunctions,
	i: number,
	item: INodeExecutionData,
): Record<string, unknown> {
	const mapper = itemParameters(ctx).mapper('fields', i, { mappingMode: 'defineBelow', value: {} });
	if (mapper.mappingMode === 'autoMapInputData') {
		const known = knownFields(mapper);
		const out: Record<string, unknown> = {};
		for (const [k, v] of Object.entries(item.json)) {
			if (k === SYNC_TICKET_KEY) continue; // a Sync Plan item's ticket, not a field
			if (known.size === 0 || known.has(k) || RESERVED_KEYS.has(k)) setOwn(out, k, v);
		}
		return out;
	}
	const out: Record<string, unknown> = {};
	for (const [k, v] of Object.entries(mapper.value ?? {}))
		if (v !== undefined && v !== '') setOwn(out, k, v);
	return out;
}

/** `out[key] = value` that keeps `__proto__` as a key (plain assignment would change the prototype and lose it). */
function setOwn(out: Record<string, unknown>, key: string, value: unknown): void {
	Object.defineProperty(out, key, { value, enumerable: true, writable: true, configurable: true });
}

/** The matching column of an update/upsert resource mapper. */
export function matchingColumn(ctx: IExecuteFunctions, i: number, fallback: string): string {
	return itemParameters(ctx).matchingColumns('fields', i)[0] ?? fallback;
}

/** The Query Parameters collection (`:name` placeholders). */
export function queryParametersProperty(show: Show): INodeProperties {
	return {
		displayName: 'Query Parameters',
		name: 'parameters',
		type: 'fixedCollection',
		typeOptions: { multipleValues: true },
		placeholder: 'Add Parameter',
		default: {},
		description:
			'Values for :name placeholders in the query. They are bound as SOQL literals (quoted and escaped), so no value can change the query.',
		displayOptions: { show },
		options: [
			{
				displayName: 'Parameter',
				name: 'parameter',
				values: [
					{
						displayName: 'Name',
						name: 'name',
						type: 'string',
						default: '',
						placeholder: 'email',
						description: 'Used as :name in the query',
					},
					{
						displayName: 'Type',
						name: 'type',
						type: 'options',
						options: [
							{ name: 'Boolean', value: 'boolean' },
							{ name: 'Date-Time', value: 'dateTime' },
							{ name: 'List (for IN)', value: 'list' },
							{ name: 'Null', value: 'null' },
							{ name: 'Number', value: 'number' },
							{ name: 'Text', value: 'string' },
						],
						default: 'string',
					},
					{
						displayName: 'Value',
						name: 'value',
						type: 'string',
						default: '',
						description: 'For a list: a JSON array or comma-separated values',
					},
				],
			},
		],
	};
}

/** Reads the Query Parameters of item `i` as bindable values. */
export function readQueryParameters(
	ctx: IExecuteFunctions,
	i: number,
): Record<string, SoqlParameterValue> {
	const raw = ctx.getNodeParameter('parameters.parameter', i, []) as Array<{
		name: string;
		type: string;
		value: unknown;
	}>;
	const params: Record<string, SoqlParameterValue> = {};
	for (const p of raw) {
		const name = String(p.name ?? '')
			.trim()
			.replace(/^:/, '');
		if (!name) continue;
		const value = p.value;
		switch (p.type) {
			case 'number': {
				const n = typeof value === 'number' ? value : Number(String(value).trim());
				if (String(value).trim() === '' || !Number.isFinite(n)) {
					throw new NodeOperationError(
						ctx.getNode(),
						`Query parameter "${name}" must be a number, got "${String(value)}"`,
						{ itemIndex: i },
					);
				}
				params[name] = n;
				break;
			}
			case 'boolean':
				params[name] = value === true || String(value).trim().toLowerCase() === 'true';
				break;
			case 'dateTime': {
				const d = new Date(String(value));
				if (Number.isNaN(d.getTime()))
					throw new NodeOperationError(
						ctx.getNode(),
						`Query parameter "${name}" is not a date: "${String(value)}"`,
						{ itemIndex: i },
					);
				params[name] = d;
				break;
			}
			case 'list': {
				let list: unknown = value;
				if (typeof value === 'string') {
					const text = value.trim();
					list = text.startsWith('[')
						? JSON.parse(text)
						: text === ''
							? []
							: text.split(',').map((s) => s.trim());
				}
				if (!Array.isArray(list))
					throw new NodeOperationError(ctx.getNode(), `Query parameter "${name}" must be a list`, {
						itemIndex: i,
					});
				params[name] = list as SoqlParameterValue;
				break;
			}
			case 'null':
				params[name] = null;
				break;
			default:
				params[name] = value === undefined || value === null ? '' : String(value);
		}
	}
	return params;
}

export { limitProperties } from '../../../shared/descriptions';
export { fieldNamesProperty } from '../../../shared/salesforce/descriptions';
export { recordJson } from '../../../shared/salesforce/records';
