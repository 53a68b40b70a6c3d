/**
 * Records and schema of a profile's object: an API answer to a `CrmRecord`, and the object's fields in the common
 * schema (from the profile's `fields`, or guessed from a sample record when it gives none).
 */
import type { FieldSchema, FieldType, ObjectSchema } from '../contract';
import type { CrmRecord } from '../../records/types';
import { at, parseTime } from './endpoint';
import type { ObjectProfile, ProfileField } from './profile';

/** A record of the API as a `CrmRecord`; `fields` limits the fields (id and updated-at always stay). */
export function toRecord(
	o: ObjectProfile,
	type: string,
	source: string,
	raw: unknown,
	fields?: string[],
): CrmRecord {
	const body = (raw !== null && typeof raw === 'object' ? raw : {}) as Record<string, unknown>;
	const id = at(body, o.idPath);
	const time = parseTime(at(body, o.updatedAtPath));
	let values: Record<string, unknown> = { ...body };
	if (fields?.length) {
		values = {};
		for (const name of new Set([...fields, o.idPath, o.updatedAtPath]))
			if (at(body, name) !== undefined) values[name] = at(body, name);
	}
	return {
		id: id === undefined || id === null ? undefined : String(id),
		type,
		fields: values,
		updatedAt: time === undefined ? undefined : new Date(time).toISOString(),
		source,
		raw,
	};
}

/** A record's id, or an error naming the profile field. */
export function idOf(o: ObjectProfile, raw: unknown, where: string): string {
	const id = at(raw, o.idPath);
	if (typeof id === 'string' || typeof id === 'number') return String(id);
	throw new Error(
		`${where}: a record has no id at "${o.idPath}" — set idPath to where the id is in a record`,
	);
}

const TYPES: Record<ProfileField['type'], FieldType> = {
	string: 'string',
	number: 'number',
	integer: 'number',
	boolean: 'boolean',
	date: 'date',
	datetime: 'datetime',
	email: 'email',
	phone: 'phone',
	url: 'url',
	picklist: 'picklist',
	array: 'other',
	reference: 'reference',
};

function field(f: ProfileField): FieldSchema {
	return {
		name: f.name,
		label: f.label ?? f.name,
		type: TYPES[f.type],
		crmType: f.type,
		...(f.options ? { options: f.options.map((v) => ({ value: v, label: v })) } : {}),
		requiredOnCreate: f.required,
		readOnly: f.readOnly,
		createable: !f.readOnly,
		updateable: !f.readOnly,
		unique: f.unique,
		externalId: f.unique,
		...(f.maxLength ? { length: f.maxLength } : {}),
	};
}

function system(name: string, type: FieldType): FieldSchema {
	return {
		name,
		label: name,
		type,
		crmType: type,
		requiredOnCreate: false,
		readOnly: true,
		createable: false,
		updateable: false,
		unique: type === 'id',
		externalId: false,
	};
}

/** The type of a sample value. */
function guess(value: unknown): ProfileField['type'] {
	if (typeof value === 'number') return 'number';
	if (typeof value === 'boolean') return 'boolean';
	if (Array.isArray(value)) return 'array';
	if (typeof value === 'string' && /^\d{4}-\d{2}-\d{2}T/.test(value)) return 'datetime';
	if (typeof value === 'string' && /^[^\s@]+@[^\s@]+$/.test(value)) return 'email';
	return 'string';
}

/** The fields of a profile's `fields`, or guessed from a sample record (top-level values). */
export function profileFields(o: ObjectProfile, sample: unknown): ProfileField[] {
	if (o.fields) return o.fields;
	const body = (sample !== null && typeof sample === 'object' ? sample : {}) as Record<
		string,
		unknown
	>;
	return Object.entries(body)
		.filter(([name]) => name !== o.idPath && name !== o.updatedAtPath && name !== o.createdAtPath)
		.map(([name, value]) => ({
			name,
			type: guess(value),
			required: false,
			unique: false,
			caseInsensitive: false,
			readOnly: false,
		}));
}

/** The object's schema: id, updated-at (and created-at) as read-only system fields, then the profile's fields. */
export function objectSchema(name: string, o: ObjectProfile, fields: ProfileField[]): ObjectSchema {
	const own = fields.filter(
		(f) => f.name !== o.idPath && f.name !== o.updatedAtPath && f.name !== o.createdAtPath,
	);
	return {
		name,
		label: o.label ?? name,
		custom: false,
		idField: o.idPath,
		updatedAtField: o.updatedAtPath,
		fields: [
			system(o.idPath, 'id'),
			...own.map(field),
			system(o.updatedAtPath, 'datetime'),
			...(o.createdAtPath ? [system(o.createdAtPath, 'datetime')] : []),
		],
	};
}
