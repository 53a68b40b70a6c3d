/** What the Dynamics 365 record operations share: the table picker, the field mapper, reading mapped values, record JSON. */
import {
	mappedValues as sharedMappedValues,
	mapperSettings,
	type MapperSettings,
} from '../../../shared/resourceMapper';
import type {
	IDataObject,
	IExecuteFunctions,
	INodeExecutionData,
	INodeProperties,
} from 'n8n-workflow';

import type { DynamicsCrm } from '../../../../core/connectors/dynamics/crm';
import type {
	WriteInput,
	WriteOperation,
	WrittenRecord,
} from '../../../../core/connectors/contract';
import type { CrmRecord } from '../../../../core/records/types';
import { collect, resultsToItems } from '../../../shared/items';

/** The table picker (every table with an entity set, from the environment's metadata). */
export const tableField: INodeProperties = {
	displayName: 'Table Name or ID',
	name: 'table',
	type: 'options',
	typeOptions: { loadOptionsMethod: 'getTables' },
	required: true,
	default: 'contacts',
	description:
		'The Dataverse table, by its entity set name (contacts, accounts, a custom table\'s set). Choose from the list, or specify an ID using an <a href="https://docs.n8n.io/code/expressions/">expression</a>.',
	displayOptions: { show: { resource: ['record'] } },
};

/** The resource mapper of a write operation (fields from describe: option sets as options, lookups as ids). */
export function fieldsMapper(
	operation: string,
	mode: 'add' | 'update' | 'upsert',
): INodeProperties {
	return {
		displayName: 'Columns',
		name: 'fields',
		type: 'resourceMapper',
		noDataExpression: true,
		default: { mappingMode: 'defineBelow', value: null },
		required: true,
		typeOptions: {
			loadOptionsDependsOn: ['table'],
			resourceMapper: {
				resourceMapperMethod: 'getFields',
				mode,
				fieldWords: { singular: 'column', plural: 'columns' },
				addAllFields: true,
				multiKeyMatch: false,
				supportAutoMap: true,
			},
		},
		displayOptions: { show: { resource: ['record'], operation: [operation] } },
	};
}

export { writeOptions } from '../../../shared/descriptions';

/** The multi-select of columns to return. */
export const selectOption: INodeProperties = {
	displayName: 'Column Names or IDs',
	name: 'select',
	type: 'multiOptions',
	typeOptions: { loadOptionsMethod: 'getColumns', loadOptionsDependsOn: ['table'] },
	default: [],
	description:
		'Columns to return (default: every column). Choose from the list, or specify IDs using an <a href="https://docs.n8n.io/code/expressions/">expression</a>.',
};

/** Luxon dates from the mapper's dateTime fields: Dataverse takes ISO 8601. */
const isoDates = (value: unknown): unknown =>
	value !== null &&
	typeof value === 'object' &&
	typeof (value as { toISO?: unknown }).toISO === 'function'
		? (value as { toISO: () => string }).toISO()
		: value;

/** The mapped values of one item (nodes/shared/resourceMapper.ts), dates as ISO 8601. */
export const mappedValues = (
	ctx: IExecuteFunctions,
	itemIndex: number,
	item: INodeExecutionData,
	settings: MapperSettings,
) => sharedMappedValues(ctx, itemIndex, item, settings, isoDates);
export { mapperSettings, type MapperSettings };

/** Item indexes grouped by their table (the parameter may be an expression). */
export function groupByTable(ctx: IExecuteFunctions, count: number): Map<string, number[]> {
	const groups = new Map<string, number[]>();
	for (let i = 0; i < count; i++) {
		const table = String(ctx.getNodeParameter('table', i));
		// Appended in place: copying the list per item made 50,000 items cost minutes (quadratic).
		const group = groups.get(table);
		if (group) group.push(i);
		else groups.set(table, [i]);
	}
	return groups;
}

/** A record as an item's JSON: its columns (lookups by logical name), with `id` first. */
export function recordJson(record: CrmRecord): IDataObject {
	return { id: record.id ?? null, ...(record.fields as IDataObject) };
}

/** One table's prepared inputs: `sent[k]` is the item index of `inputs[k]`. */
export interface TableWrites {
	table: string;
	inputs: WriteInput[];
	sent: number[];
	/** The values shown on each success item (what was written). */
	values: Array<Record<string, unknown>>;
}

/**
 * Writes each table's inputs through `DynamicsCrm.write` ($batch, one result per input) and puts one output item per
 * item into `out`: success `{ id, created?, …values }`, or an error item with Dataverse's message.
 */
export async function writeTables(
	ctx: IExecuteFunctions,
	connector: DynamicsCrm,
	operation: WriteOperation,
	groups: TableWrites[],
	out: Map<number, INodeExecutionData[]>,
	key?: string,
): Promise<void> {
	for (const { table, inputs, sent, values } of groups) {
		if (inputs.length === 0) continue;
		const results = await connector.write(operation, table, inputs, key ? { key } : {});
		const valuesOf = new Map(sent.map((itemIndex, k) => [itemIndex, values[k]]));
		collect(
			out,
			resultsToItems(ctx, results, sent, (value: WrittenRecord, itemIndex: number) => {
				const json: IDataObject = { id: value.id };
				if (value.created !== undefined) json.created = value.created;
				if (operation === 'delete') json.deleted = true;
				else Object.assign(json, valuesOf.get(itemIndex) as IDataObject);
				return json;
			}),
		);
	}
}

/** A list-of-names parameter given as an array or a comma-separated string. */
export function nameList(value: unknown): string[] {
	const list = Array.isArray(value)
		? value.map(String)
		: typeof value === 'string'
			? value.split(',')
			: [];
	return list.map((s) => s.trim()).filter(Boolean);
}
