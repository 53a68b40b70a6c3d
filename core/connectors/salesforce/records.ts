/**
 * Checks of Salesforce records before they are sent: record ids (they go into URL paths and query strings) and
 * each record's fields against the object's `describe` (unknown, read-only and mistyped fields fail the record
 * alone, before any call, instead of failing a whole sObject Collections request that would then be bisected).
 */
import type { BatchItemError } from '../../batching/types';
import { CrmError } from '../../http/errors';

/** Keys JavaScript treats specially: never a Salesforce field, and silently lost when copied into a plain object. */
export const RESERVED_KEYS: ReadonlySet<string> = new Set([
	'__proto__',
	'constructor',
	'prototype',
]);

/** What the checks need of a field's describe. */
export interface CheckedField {
	name: string;
	label?: string;
	type: string;
	createable: boolean;
	updateable: boolean;
	relationshipName?: string | null;
}

/** Whether `id` has the shape of a Salesforce record id: 15 (case-sensitive) or 18 letters and digits. */
export function isSalesforceId(id: unknown): id is string {
	return typeof id === 'string' && /^[A-Za-z0-9]{15}(?:[A-Za-z0-9]{3})?$/.test(id);
}

function shown(value: unknown): string {
	const text = typeof value === 'string' ? JSON.stringify(value) : String(value);
	return text.length > 60 ? `${text.slice(0, 57)}…` : text;
}

/** The reason an id is refused, or undefined when it is a Salesforce record id. */
export function idProblem(id: unknown, what = 'Record ID'): string | undefined {
	if (isSalesforceId(id)) return undefined;
	if (id === undefined || id === null || id === '')
		return `${what} is empty — map the record's Id (15 or 18 letters and digits, e.g. 0035g00000AbCdEAAV)`;
	return `${what} ${shown(id)} is not a Salesforce record ID (15 or 18 letters and digits, e.g. 0035g00000AbCdEAAV) — map the record's Id field, not a name or a URL`;
}

/** Throws a validation error unless `id` is a Salesforce record id (before it goes into a URL). */
export function assertSalesforceId(id: unknown, what = 'Record ID'): string {
	const problem = idProblem(id, what);
	if (problem)
		throw new CrmError(problem, {
			kind: 'validation',
			crmCode: 'MALFORMED_ID',
			hint: 'Use the Id of the record (Get Many or a query gives it).',
		});
	return id as string;
}

const NUMBER = /^\s*[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?\s*$/;
const INTEGER = /^\s*[-+]?\d+\s*$/;
const DATE = /^\d{4}-\d{2}-\d{2}/;

/** What `value` is wrong with for `field`, or undefined when Salesforce accepts its JSON type. */
function typeProblem(field: CheckedField, raw: unknown): string | undefined {
	// Dates and date-time objects (n8n's Luxon values) are sent as their JSON form: check that.
	const value =
		raw !== null &&
		typeof raw === 'object' &&
		typeof (raw as { toJSON?: unknown }).toJSON === 'function'
			? (raw as { toJSON(): unknown }).toJSON()
			: raw;
	if (value === null || value === undefined || value === '') return undefined;
	if (typeof value === 'object') {
		if (field.relationshipName) return undefined;
		return `expects a single value, got ${Array.isArray(value) ? 'a list' : 'an object'}`;
	}
	const text = String(value);
	switch (field.type) {
		case 'int':
			return (typeof value === 'number' ? Number.isInteger(value) : INTEGER.test(text))
				? undefined
				: `expects a whole number, got ${shown(value)}`;
		case 'double':
		case 'currency':
		case 'percent':
			return (typeof value === 'number' ? Number.isFinite(value) : NUMBER.test(text))
				? undefined
				: `expects a number, got ${shown(value)}`;
		case 'boolean':
			return typeof value === 'boolean' || /^(true|false)$/i.test(text)
				? undefined
				: `expects true or false, got ${shown(value)}`;
		case 'date':
			return typeof value === 'string' &&
				DATE.test(text) &&
				!Number.isNaN(Date.parse(text.slice(0, 10)))
				? undefined
				: `expects a date (YYYY-MM-DD), got ${shown(value)}`;
		case 'datetime':
			return typeof value === 'string' && DATE.test(text) && !Number.isNaN(Date.parse(text))
				? undefined
				: `expects a date and time (ISO 8601, e.g. 2024-03-05T10:15:00Z), got ${shown(value)}`;
		default:
			return undefined;
	}
}

interface FieldIndex {
	byName: ReadonlyMap<string, CheckedField>;
	byRelationship: ReadonlyMap<string, CheckedField>;
}

/** Lookup tables of a describe's fields, built once per fields list (a describe is cached, so once per object). */
const fieldIndexes = new WeakMap<readonly CheckedField[], FieldIndex>();

function fieldIndex(fields: readonly CheckedField[]): FieldIndex {
	let index = fieldIndexes.get(fields);
	if (!index) {
		const byName = new Map<string, CheckedField>();
		const byRelationship = new Map<string, CheckedField>();
		for (const f of fields) {
			byName.set(f.name.toLowerCase(), f);
			if (f.relationshipName) byRelationship.set(String(f.relationshipName).toLowerCase(), f);
		}
		index = { byName, byRelationship };
		fieldIndexes.set(fields, index);
	}
	return index;
}

/**
 * Checks one record before a Collections write: reserved keys, unknown fields, fields the operation cannot set,
 * values of the wrong type and malformed ids. Returns the item's failure (naming the field and the fix) or
 * undefined when the record may be sent. `fields` is the object's describe (undefined for delete).
 */
export function checkRecord(
	operation: 'create' | 'update' | 'upsert' | 'delete',
	object: string,
	record: Record<string, unknown>,
	fields: readonly CheckedField[] | undefined,
	externalIdField?: string,
): BatchItemError | undefined {
	const keys = Object.keys(record);
	const reserved = keys.filter((k) => RESERVED_KEYS.has(k));
	if (reserved.length > 0) {
		return {
			message: `"${reserved[0]}" is not a field of ${object}: it is a reserved JavaScript name and cannot be sent — rename or remove this key in the input (e.g. with an Edit Fields node)`,
			code: 'INVALID_FIELD',
			details: { fields: reserved },
		};
	}
	if (operation === 'delete' || operation === 'update') {
		const id = record.Id ?? record.id;
		const problem = idProblem(id);
		if (problem)
			return {
				message: `${problem} (${operation} needs the Id of an existing ${object})`,
				code: 'MALFORMED_ID',
				details: { fields: ['Id'] },
			};
		if (operation === 'delete') return undefined;
	}
	if (!fields) return undefined;
	const { byName, byRelationship } = fieldIndex(fields);
	const external = externalIdField?.toLowerCase();
	for (const key of keys) {
		if (key === 'attributes') continue;
		const value = record[key];
		const lower = key.toLowerCase();
		if (lower === 'id') {
			if (operation === 'create' && value !== undefined && value !== null && value !== '') {
				return {
					message: `Id cannot be set when creating a ${object} — remove the Id field, or use Update (or Create or Update) to change an existing record`,
					code: 'INVALID_FIELD_FOR_INSERT_UPDATE',
					details: { fields: ['Id'] },
				};
			}
			if (
				operation === 'upsert' &&
				external === 'id' &&
				value !== undefined &&
				value !== null &&
				value !== ''
			) {
				const problem = idProblem(value);
				if (problem) return { message: problem, code: 'MALFORMED_ID', details: { fields: ['Id'] } };
			}
			continue;
		}
		const field = byName.get(lower);
		if (!field) {
			if (
				byRelationship.has(lower) &&
				value !== null &&
				typeof value === 'object' &&
				!Array.isArray(value)
			)
				continue;
			return {
				message: `Field "${key}" does not exist on ${object} — check its API name (e.g. LastName, Custom_Field__c; names are not labels) or remove it from the input`,
				code: 'INVALID_FIELD',
				details: { fields: [key] },
			};
		}
		if (lower !== external) {
			const settable =
				operation === 'create'
					? field.createable
					: operation === 'update'
						? field.updateable
						: field.createable || field.updateable;
			if (!settable) {
				return {
					message: `Field ${field.name} of ${object} cannot be set on ${operation === 'create' ? 'create' : 'update'} (it is read-only or computed) — remove it from the input`,
					code: 'INVALID_FIELD_FOR_INSERT_UPDATE',
					details: { fields: [field.name] },
				};
			}
		}
		const problem = typeProblem(field, value);
		if (problem) {
			return {
				message: `Field ${field.name}${field.label && field.label !== field.name ? ` (${field.label})` : ''} of ${object} ${problem} — map a value of that type or convert it (e.g. with an expression) before this node`,
				code: 'INVALID_FIELD_VALUE',
				details: { fields: [field.name], type: field.type },
			};
		}
	}
	return undefined;
}

/** A Salesforce datetime (`2024-03-05T10:15:00.000+0000`) in epoch ms, or NaN. */
export function parseSalesforceDateTime(value: unknown): number {
	if (typeof value !== 'string') return Number.NaN;
	return Date.parse(value.replace(/([+-]\d\d)(\d\d)$/, '$1:$2'));
}
