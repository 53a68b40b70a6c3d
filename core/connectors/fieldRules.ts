/**
 * What a write operation does with each field of an object, decided once over the common {@link FieldSchema} for
 * every CRM: whether a field picker (the nodes' resource mappers) offers it, whether its value can be written, whether
 * it must be given, and whether it can identify the record to update or upsert.
 */
import type { FieldSchema } from './contract';

/** The write operations that set field values. */
export type FieldOperation = 'create' | 'update' | 'upsert';

/** The role of one field in one write operation. */
export interface FieldRole {
	/** Offered at all: writable, or usable to find the record. */
	shown: boolean;
	/** The operation can set its value. */
	writable: boolean;
	/** Must be given (create only: required on create, and not a checkbox, which is false when left out). */
	required: boolean;
	/** Can identify the record: its id, or an upsert key (where the operation finds records by key). */
	matchable: boolean;
	/** Preselected as the field that identifies the record. */
	defaultMatch: boolean;
}

/** How a connector's operations find records. */
export interface FieldRoleOptions {
	/**
	 * How update finds the record: `id` (by its id only, e.g. Salesforce's sObject Collections) or `key` (by its id or
	 * any upsert key, e.g. HubSpot's `idProperty`). Default `id`.
	 */
	updateBy?: 'id' | 'key';
	/** The upsert key preselected (e.g. `email` of HubSpot contacts); none by default. */
	defaultUpsertKey?: string;
}

/** The role of `field` in `operation`. */
export function fieldRole(
	field: FieldSchema,
	operation: FieldOperation,
	options: FieldRoleOptions = {},
): FieldRole {
	const isId = field.type === 'id';
	const isKey = isId || field.externalId;
	const writable =
		!field.readOnly &&
		(operation === 'create'
			? field.createable
			: operation === 'update'
				? field.updateable
				: field.createable || field.updateable);
	const matchable =
		operation === 'upsert'
			? isKey
			: operation === 'update' && (options.updateBy === 'key' ? isKey : isId);
	const defaultMatch =
		matchable && (operation === 'update' ? isId : field.name === options.defaultUpsertKey);
	// A field the CRM hides from its own forms is offered only as a key.
	const hidden = field.hidden === true && !field.unique && !isKey;
	return {
		shown: !hidden && (writable || matchable),
		writable,
		required:
			operation === 'create' && writable && field.requiredOnCreate && field.type !== 'boolean',
		matchable,
		defaultMatch,
	};
}

/** The fields `operation` offers, each with its role, in describe's order. */
export function fieldRoles(
	fields: readonly FieldSchema[],
	operation: FieldOperation,
	options: FieldRoleOptions = {},
): Array<{ field: FieldSchema; role: FieldRole }> {
	return fields
		.map((field) => ({ field, role: fieldRole(field, operation, options) }))
		.filter(({ role }) => role.shown);
}
