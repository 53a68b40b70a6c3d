/**
 * `HubSpotCrm`'s look-ups: batch read by id, or by a unique property (`idProperty`); any other property through
 * search `IN` (≤100 values per filter, every match per value). Search is served from HubSpot's search index, which
 * sees a write seconds late; reads by id or unique property are current.
 */
import { inOrder } from '../../batching/inOrder';
import type { BatchItemError } from '../../batching/types';
import { CrmError } from '../../http/errors';
import type { CrmRecord } from '../../records/types';
import type { FieldType, ObjectSchema } from '../contract';
import { type HubSpotConnector, recordIdProblem } from './connector';
import { hubspotRecord } from './crmSchema';
import type { HubSpotObject } from './types';

/** Values per search `IN` filter. HubSpot documents no figure (none found in its search guide); 100 matches its batch size. */
export const HUBSPOT_IN_VALUES_LIMIT = 100;

/** A batch read's failure for one input: not found (no record), or a real error. */
const isNotFound = (error: BatchItemError) => error.code === 'OBJECT_NOT_FOUND';

function lookupError(objectType: string, error: BatchItemError): CrmError {
	return new CrmError(`HubSpot: reading ${objectType} failed: ${error.message}`, {
		kind: 'fatal',
		crmCode: error.code,
		details: error.details,
	});
}

/** A value as trimmed text ('' for none). */
export const text = (v: unknown) => (v === undefined || v === null ? '' : String(v).trim());
const norm = (v: unknown) => text(v).toLowerCase();

/** Whether a record's value of a property equals a key as HubSpot's search compares them (text case-insensitively, numbers by value, multi-checkbox by any value). */
function valueMatches(type: FieldType, value: unknown, key: string): boolean {
	if (value === undefined || value === null) return false;
	if (type === 'number') return Number(value) === Number(key) && text(key) !== '';
	if (type === 'multipicklist')
		return String(value)
			.split(';')
			.some((v) => norm(v) === norm(key));
	return norm(value) === norm(key);
}

/** `HubSpotCrm.getByIds`: one record per id (undefined where there is none), in input order. */
export async function hubspotGetByIds(
	hubspot: HubSpotConnector,
	objectType: string,
	ids: string[],
	fields?: string[],
): Promise<Array<CrmRecord | undefined>> {
	const found = await readBy(hubspot, objectType, ids, undefined, fields);
	return found.map((o) => (o ? hubspotRecord(objectType, o) : undefined));
}

/** Batch read (100 per call) by id or a unique property; undefined where there is no record. An invalid id is no record (not sent). */
async function readBy(
	hubspot: HubSpotConnector,
	objectType: string,
	keys: string[],
	idProperty: string | undefined,
	fields?: string[],
): Promise<Array<HubSpotObject | undefined>> {
	const out: Array<HubSpotObject | undefined> = new Array(keys.length).fill(undefined);
	const sent = keys
		.map((_, i) => i)
		.filter((i) => recordIdProblem(keys[i], idProperty) === undefined);
	if (sent.length === 0) return out;
	const { results } = await hubspot.batchRead(
		objectType,
		sent.map((i) => text(keys[i])),
		{ idProperty, properties: fields },
	);
	results.forEach((r, j) => {
		if (r.ok) out[sent[j]] = r.value;
		else if (!isNotFound(r.error)) throw lookupError(objectType, r.error);
	});
	return out;
}

/** `HubSpotCrm.findByKeys`, given the object type's schema: every record per value of `field`, in input order. */
export async function hubspotFindByKeys(
	hubspot: HubSpotConnector,
	schema: ObjectSchema,
	objectType: string,
	field: string,
	values: string[],
	fields?: string[],
): Promise<CrmRecord[][]> {
	if (field === schema.idField)
		return (await hubspotGetByIds(hubspot, objectType, values, fields)).map((r) => (r ? [r] : []));
	const property = schema.fields.find((f) => f.name === field);
	if (!property) {
		throw new CrmError(
			`HubSpot: ${objectType} has no property "${field}" — use a property's internal name (see describe), e.g. email`,
			{ kind: 'validation' },
		);
	}
	if (property.externalId) {
		// A unique property: one record at most per value, read from HubSpot's database (current at once).
		const found = await readBy(hubspot, objectType, values, field, fields);
		return found.map((o) => (o ? [hubspotRecord(objectType, o)] : []));
	}
	// Any other property: search IN (≤100 values per filter), every match per value, in record id order; the chunks'
	// searches run side by side (`searchConcurrency`), their matches taken in chunk order.
	const out: CrmRecord[][] = values.map(() => []);
	const distinct = [
		...new Map(values.filter((v) => text(v) !== '').map((v) => [norm(v), text(v)])).values(),
	];
	const properties = [...new Set([...(fields ?? []), field])];
	const chunks: string[][] = [];
	for (let i = 0; i < distinct.length; i += HUBSPOT_IN_VALUES_LIMIT)
		chunks.push(distinct.slice(i, i + HUBSPOT_IN_VALUES_LIMIT));
	const search = async (chunk: string[]) => {
		const found: HubSpotObject[] = [];
		for await (const page of hubspot.searchAll(objectType, {
			filterGroups: [{ filters: [{ propertyName: field, operator: 'IN', values: chunk }] }],
			properties,
		}))
			found.push(...page);
		return found;
	};
	for await (const found of inOrder(chunks, hubspot.searchConcurrency, search))
		for (const o of found)
			values.forEach((v, k) => {
				if (text(v) !== '' && valueMatches(property.type, o.properties?.[field], v))
					out[k].push(hubspotRecord(objectType, o));
			});
	return out;
}
