/**
 * `HubSpotCrm`'s schema mapping: HubSpot properties in the common field schema (`hs_object_id` → id, enumeration
 * select/radio → picklist, checkbox → multi-picklist, phone numbers, contacts' `email`; calculated and
 * HubSpot-maintained values read-only; unique = `hasUniqueValue` or contacts' `email`, which are also the upsert keys),
 * an object type's schema, and HubSpot objects as `CrmRecord`s.
 */
import type { CrmRecord } from '../../records/types';
import type { FieldSchema, FieldType, ObjectSchema } from '../contract';
import { lastModifiedProperty, toEpochMs } from './changes';
import { type HubSpotConnector, isUniqueProperty, STANDARD_OBJECT_TYPES } from './connector';
import type { HubSpotObject, HubSpotProperty } from './types';

/** Whether the object type is contacts (by name, id or singular). */
export const isContacts = (objectType: string) =>
	objectType === 'contacts' || objectType === '0-1' || objectType === 'contact';

/** The common type of a HubSpot property. */
export function hubspotFieldType(
	objectType: string,
	p: Pick<HubSpotProperty, 'name' | 'type' | 'fieldType' | 'referencedObjectType'>,
): FieldType {
	if (p.name === 'hs_object_id') return 'id';
	if (p.referencedObjectType) return 'reference';
	switch (p.type) {
		case 'string':
			if (p.fieldType === 'phonenumber') return 'phone';
			if (isContacts(objectType) && p.name === 'email') return 'email';
			return 'string';
		case 'phone_number':
			return 'phone';
		case 'number':
			return 'number';
		case 'bool':
			return 'boolean';
		case 'date':
			return 'date';
		case 'datetime':
			return 'datetime';
		case 'enumeration':
			if (p.fieldType === 'checkbox') return 'multipicklist';
			if (p.fieldType === 'booleancheckbox') return 'boolean';
			return 'picklist';
		default:
			return 'other';
	}
}

/** A HubSpot property in the common field schema. `required`: the object's required properties (custom objects). */
export function hubspotFieldSchema(
	objectType: string,
	p: HubSpotProperty,
	required: ReadonlySet<string> = new Set(),
): FieldSchema {
	const type = hubspotFieldType(objectType, p);
	const readOnly =
		p.name === 'hs_object_id' ||
		p.calculated === true ||
		p.modificationMetadata?.readOnlyValue === true;
	const unique = isUniqueProperty(objectType, p);
	const field: FieldSchema = {
		name: p.name,
		label: p.label,
		type,
		crmType: p.type,
		requiredOnCreate: !readOnly && required.has(p.name),
		readOnly,
		createable: !readOnly,
		updateable: !readOnly,
		unique,
		// What `idProperty` accepts (batch read / update / upsert): contacts' email and properties with unique values.
		externalId: unique && p.name !== 'hs_object_id',
	};
	if (
		(type === 'picklist' || type === 'multipicklist' || type === 'reference') &&
		p.options?.length
	) {
		field.options = p.options.map((o) => ({ value: o.value, label: o.label }));
	}
	if (p.referencedObjectType) field.referenceTo = [p.referencedObjectType];
	if (p.hidden === true) field.hidden = true;
	return field;
}

/** An object type's schema: its properties (archived ones left out), label, and whether it is custom. */
export async function readHubSpotSchema(
	hubspot: HubSpotConnector,
	objectType: string,
): Promise<ObjectSchema> {
	const standard = STANDARD_OBJECT_TYPES.find(
		(t) => t.name === objectType || t.objectTypeId === objectType || t.name === `${objectType}s`,
	);
	const [properties, info] = await Promise.all([
		hubspot.getProperties(objectType),
		standard
			? Promise.resolve({ label: standard.label, custom: false, required: [] as string[] })
			: hubspot.getSchema(objectType).then((s) => ({
					label: s.labels?.plural ?? s.labels?.singular ?? s.name,
					custom: true,
					required: s.requiredProperties ?? [],
				})),
	]);
	const required = new Set(info.required);
	return {
		name: objectType,
		label: info.label,
		custom: info.custom,
		idField: 'hs_object_id',
		updatedAtField: lastModifiedProperty(objectType),
		fields: properties
			.filter((p) => !p.archived)
			.map((p) => hubspotFieldSchema(objectType, p, required)),
	};
}

/** An ISO time from HubSpot's ISO or epoch-ms text (undefined when it is neither). */
export function isoTime(value: unknown): string | undefined {
	if (value === undefined || value === null || value === '') return undefined;
	try {
		return new Date(toEpochMs(value as string, 'time')).toISOString();
	} catch {
		return undefined;
	}
}

/** A HubSpot object as a CrmRecord (a deletion when `deleted`: `updatedAt` is then its `archivedAt`). */
export function hubspotRecord(objectType: string, o: HubSpotObject, deleted = false): CrmRecord {
	const updatedAt = deleted
		? isoTime(o.archivedAt)
		: isoTime(o.properties?.[lastModifiedProperty(objectType)] ?? o.updatedAt);
	return {
		id: String(o.id),
		type: objectType,
		fields: { ...(o.properties ?? {}) },
		...(updatedAt !== undefined ? { updatedAt } : {}),
		source: 'hubspot',
		raw: o,
		...(deleted ? { deleted: true } : {}),
	};
}
