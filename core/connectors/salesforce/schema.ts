/**
 * Salesforce `describe` in the contract's common schema: field types, required-on-create, read-only, unique and
 * upsert keys — what a generic caller (the sync engine, the resource mappers) must know without asking "is this
 * Salesforce?" — and a Salesforce record as the contract's `CrmRecord`.
 */
import { toRecord } from '../../records/record';
import type { CrmRecord } from '../../records/types';
import type { FieldSchema, FieldType, ObjectSchema, ObjectTypeSummary } from '../contract';
import { timestampMs } from './changes';
import type { FieldDescribe, SalesforceRecord, SObjectDescribe, SObjectSummary } from './connector';

/** The field holding the record id. */
export const ID_FIELD = 'Id';
/** The field the change feed follows: it moves on every change, system ones and deletions included. */
export const UPDATED_AT_FIELD = 'SystemModstamp';

const TYPES: Record<string, FieldType> = {
	id: 'id',
	string: 'string',
	textarea: 'string',
	encryptedstring: 'string',
	int: 'number',
	long: 'number',
	double: 'number',
	currency: 'number',
	percent: 'number',
	boolean: 'boolean',
	date: 'date',
	datetime: 'datetime',
	picklist: 'picklist',
	multipicklist: 'multipicklist',
	reference: 'reference',
	email: 'email',
	phone: 'phone',
	url: 'url',
};

/** The common type of a Salesforce field type (`other` for address, location, base64, time, combobox, anyType …). */
export function fieldTypeOf(salesforceType: string): FieldType {
	return TYPES[salesforceType.toLowerCase()] ?? 'other';
}

/** Text types Salesforce compares case-insensitively in SOQL and in upsert matching (unless marked case-sensitive). */
const TEXT_TYPES = new Set([
	'string',
	'email',
	'phone',
	'url',
	'picklist',
	'textarea',
	'encryptedstring',
]);

/**
 * Whether a field can be an upsert key: an external ID (custom fields) or an `idLookup` field (standard ones, e.g.
 * `Username`) that can be set on create — the key value goes into a record that does not exist yet. `Id` is left
 * out: an upsert by Id can only update.
 */
export function isUpsertKey(field: FieldDescribe): boolean {
	return (
		(field.externalId === true || field.idLookup === true) &&
		field.type !== 'id' &&
		field.createable &&
		field.calculated !== true
	);
}

/** One field in the common schema. */
export function toFieldSchema(field: FieldDescribe): FieldSchema {
	const type = fieldTypeOf(field.type);
	const schema: FieldSchema = {
		name: field.name,
		label: field.label,
		type,
		crmType: field.type,
		requiredOnCreate: field.createable && !field.nillable && field.defaultedOnCreate !== true,
		readOnly: !field.createable && !field.updateable,
		createable: field.createable,
		updateable: field.updateable,
		// An id is unique by nature, though describe reports `unique: false` for it.
		unique: field.unique === true || field.type === 'id',
		externalId: isUpsertKey(field),
	};
	if (type === 'picklist' || type === 'multipicklist') {
		schema.options = (field.picklistValues ?? [])
			.filter((p) => p.active !== false)
			.map((p) => ({ value: p.value, label: p.label ?? p.value }));
	}
	if (type === 'reference') schema.referenceTo = [...(field.referenceTo ?? [])];
	if (typeof field.length === 'number' && field.length > 0 && TEXT_TYPES.has(field.type))
		schema.length = field.length;
	return schema;
}

/** An object of `describeGlobal` in the common schema. */
export function toObjectTypeSummary(
	object: Pick<SObjectSummary, 'name' | 'label' | 'custom'>,
): ObjectTypeSummary {
	return { name: object.name, label: object.label, custom: object.custom === true };
}

/** An object's `describe` in the common schema. */
export function toObjectSchema(described: SObjectDescribe): ObjectSchema {
	return {
		...toObjectTypeSummary(described),
		idField: ID_FIELD,
		updatedAtField: UPDATED_AT_FIELD,
		fields: described.fields.map(toFieldSchema),
	};
}

/** The upsert keys of an object, and those Salesforce matches case-insensitively. */
export function upsertKeysOf(described: SObjectDescribe): {
	upsertKeys: string[];
	caseInsensitiveKeys: string[];
} {
	const keys = described.fields.filter(isUpsertKey);
	return {
		upsertKeys: keys.map((f) => f.name),
		caseInsensitiveKeys: keys
			.filter((f) => TEXT_TYPES.has(f.type) && f.caseSensitive !== true)
			.map((f) => f.name),
	};
}

/** A Salesforce record as a `CrmRecord`: `fields` are the requested ones (all read when none were named) plus Id. */
export function toSalesforceCrmRecord(
	object: string,
	record: SalesforceRecord,
	requested?: string[],
): CrmRecord {
	const fields: Record<string, unknown> = {};
	const keep = requested
		? new Set([ID_FIELD, ...requested].map((f) => f.toLowerCase()))
		: undefined;
	for (const [name, value] of Object.entries(record)) {
		if (name === 'attributes' || (keep && !keep.has(name.toLowerCase()))) continue;
		fields[name] = value;
	}
	const stamp = record[UPDATED_AT_FIELD];
	const crm = toRecord(record.attributes?.type ?? object, 'salesforce', fields, {
		id: typeof record.Id === 'string' ? record.Id : undefined,
		updatedAt: typeof stamp === 'string' ? new Date(timestampMs(stamp)) : undefined,
		raw: record,
	});
	if (record.IsDeleted === true) crm.deleted = true;
	return crm;
}
