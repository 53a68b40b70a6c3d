/** What the HubSpot operations share: parameters and reading mapped fields (the per-item skeleton is nodes/shared/items.ts). */
import {
	mappedValues as sharedMappedValues,
	mapperSettings,
	type MapperSettings,
} from '../../../shared/resourceMapper';
import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

export { nameList, objectJson } from '../../../shared/hubspot/records';

/** The object picker (standard and custom objects of the account). */
export function objectTypeField(
	resource: string,
	operations?: string[],
	name = 'objectType',
	displayName = 'Object',
): INodeProperties {
	return {
		displayName,
		name,
		type: 'options',
		typeOptions: { loadOptionsMethod: 'getObjectTypes' },
		required: true,
		default: 'contacts',
		description:
			'The CRM object: a standard one or a custom object of the account. Choose from the list, or specify an ID using an <a href="https://docs.n8n.io/code/expressions/">expression</a>.',
		displayOptions: {
			show: { resource: [resource], ...(operations ? { operation: operations } : {}) },
		},
	};
}

/** A multi-select of the object's properties to return. */
export function propertiesOption(): INodeProperties {
	return {
		displayName: 'Property Names or IDs',
		name: 'properties',
		type: 'multiOptions',
		typeOptions: { loadOptionsMethod: 'getProperties', loadOptionsDependsOn: ['objectType'] },
		default: [],
		description:
			'Properties to return (default: HubSpot\'s default properties of the object). Choose from the list, or specify IDs using an <a href="https://docs.n8n.io/code/expressions/">expression</a>.',
	};
}

/** Converts values the resource mapper produced (Luxon dates, booleans) to what the connector sends. */
export function normaliseValue(value: unknown): unknown {
	if (
		value !== null &&
		typeof value === 'object' &&
		typeof (value as { toMillis?: unknown }).toMillis === 'function'
	) {
		return (value as { toMillis: () => number }).toMillis();
	}
	return value;
}

/** The mapped values of one item (nodes/shared/resourceMapper.ts), dates as epoch milliseconds. */
export const mappedValues = (
	ctx: IExecuteFunctions,
	itemIndex: number,
	item: INodeExecutionData,
	settings: MapperSettings,
) => sharedMappedValues(ctx, itemIndex, item, settings, normaliseValue);
export { mapperSettings, type MapperSettings };

/** The resource mapper parameter of a write operation. */
export function fieldsMapper(
	operation: string,
	mode: 'add' | 'update' | 'upsert',
): INodeProperties {
	return {
		displayName: 'Fields',
		name: 'fields',
		type: 'resourceMapper',
		noDataExpression: true,
		default: { mappingMode: 'defineBelow', value: null },
		required: true,
		typeOptions: {
			loadOptionsDependsOn: ['objectType'],
			resourceMapper: {
				resourceMapperMethod: 'getFields',
				mode,
				fieldWords: { singular: 'property', plural: 'properties' },
				addAllFields: true,
				multiKeyMatch: false,
				supportAutoMap: true,
			},
		},
		displayOptions: { show: { resource: ['record'], operation: [operation] } },
	};
}

/** Groups item indexes by a per-item string parameter (e.g. the object, which may be an expression). */
export function groupBy(
	ctx: IExecuteFunctions,
	count: number,
	parameter: string,
): Map<string, number[]> {
	const groups = new Map<string, number[]>();
	for (let i = 0; i < count; i++) {
		const key = String(ctx.getNodeParameter(parameter, i));
		const list = groups.get(key);
		if (list) list.push(i);
		else groups.set(key, [i]);
	}
	return groups;
}

const RERUN_NOTES: Record<string, string> = {
	create:
		"Re-running needs care: when HubSpot's answer is lost (dropped connection, timeout, server error), records with a unique property (a contact's email, a property with unique values) are looked up and reported as written or sent again; the others go to the error output with code OUTCOME_UNKNOWN — check those in HubSpot before re-running them. Other error-output items were not written and are safe to re-run.",
	update:
		'Safe to re-run: an update sets the given values, so running an item twice changes nothing more. A lost answer is retried.',
	upsert:
		'Safe to re-run: records are matched on the unique property, so running an item twice never creates a duplicate. A lost answer is retried.',
	delete:
		'Safe to re-run: archiving a record twice changes nothing more. A lost answer is retried.',
};

/** The node's help on whether a write operation's items can be run again (a notice above its fields). */
export function rerunNotice(operation: string): INodeProperties {
	return {
		displayName: RERUN_NOTES[operation],
		name: `${operation}RerunNotice`,
		type: 'notice',
		default: '',
		displayOptions: { show: { resource: ['record'], operation: [operation] } },
	};
}

export { writeOptions } from '../../../shared/descriptions';
