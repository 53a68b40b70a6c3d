/** One field of a write operation's resource mapper, from the common field schema and its role (core/connectors/fieldRules). */
import type {
	FieldType,
	IExecuteFunctions,
	INodeExecutionData,
	ResourceMapperField,
} from 'n8n-workflow';

import type { FieldSchema } from '../../core/connectors/contract';
import type { FieldRole } from '../../core/connectors/fieldRules';
import { SYNC_TICKET_KEY } from './syncTicket';

/** The mapper's field: `type` and `options` are the node's choice (how its CRM's values are best entered in n8n). */
export function mapperField(
	field: FieldSchema,
	role: FieldRole,
	type: FieldType,
	options?: ResourceMapperField['options'],
): ResourceMapperField {
	const mapped: ResourceMapperField = {
		id: field.name,
		displayName: `${field.label} (${field.name})`,
		required: role.required,
		defaultMatch: role.defaultMatch,
		canBeUsedToMatch: role.matchable,
		display: true,
		type,
	};
	if (options) mapped.options = options;
	return mapped;
}

/** How a write operation's resource mapper is set: read once (neither part can hold an expression). */
export interface MapperSettings {
	mode: string;
	matchingColumns: string[];
}

/** Reads the resource mapper's mode and matching columns (parameter `fields`). */
export function mapperSettings(ctx: IExecuteFunctions): MapperSettings {
	return {
		mode: ctx.getNodeParameter('fields.mappingMode', 0, 'defineBelow') as string,
		matchingColumns: (ctx.getNodeParameter('fields.matchingColumns', 0, []) as string[]) ?? [],
	};
}

/**
 * The mapped values of one item: `defineBelow` values, or the item's own fields when auto-mapping (without a Sync
 * Plan item's ticket, which is no field); each value through the node's `normalise` (e.g. Luxon dates as its CRM
 * takes them).
 */
export function mappedValues(
	ctx: IExecuteFunctions,
	itemIndex: number,
	item: INodeExecutionData,
	settings: MapperSettings,
	normalise: (value: unknown) => unknown,
): Record<string, unknown> {
	let raw: Record<string, unknown>;
	if (settings.mode === 'autoMapInputData') {
		raw = { ...item.json };
		delete raw[SYNC_TICKET_KEY];
	} else {
		raw =
			(ctx.getNodeParameter('fields.value', itemIndex, {}) as Record<string, unknown> | null) ?? {};
	}
	const values: Record<string, unknown> = {};
	for (const [key, value] of Object.entries(raw))
		if (value !== undefined) values[key] = normalise(value);
	return values;
}
