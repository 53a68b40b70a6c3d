/**
 * Look-ups by id and by field value, batched with Dataverse's `Microsoft.Dynamics.CRM.In` query function (the Web API
 * speaks OData 4.0, which has no `in` operator): one request per chunk of values (and more only when a chunk's
 * matches span pages), up to 4 chunks in flight at once (as a write's `$batch`es, within the rate budget).
 * Dataverse compares strings case-insensitively, so matches are grouped the same way.
 */
import { inOrder } from '../../batching/inOrder';
import { CrmError } from '../../http/errors';
import { odataGuid } from '../../query/odata';
import type { CrmRecord } from '../../records/types';
import { batchConcurrency } from './batchPool';
import type { DataverseClient } from './client';
import { dataverseRecord, selectList, wireField } from './records';
import type { DataverseSchema } from './schema';

/** Values per request: 100 GUIDs make a ~4 KB URL, well under Dataverse's 32 KB. */
export const DATAVERSE_LOOKUP_CHUNK = 100;
/** Longest `PropertyValues` list text per request (long values split a chunk further). */
const MAX_VALUES_CHARS = 8000;

/** `Microsoft.Dynamics.CRM.In(PropertyName='x',PropertyValues=["a","b"])`; values JSON-quoted as Dataverse reads them. */
export function inFilter(property: string, values: readonly string[]): string {
	if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(property))
		throw new CrmError(`Dynamics 365: "${property}" is not a column name`, { kind: 'validation' });
	return `Microsoft.Dynamics.CRM.In(PropertyName='${property}',PropertyValues=[${values.map((v) => JSON.stringify(v)).join(',')}])`;
}

/** Splits values into request-sized chunks (by count and by text length). */
export function chunkValues(values: readonly string[], size = DATAVERSE_LOOKUP_CHUNK): string[][] {
	const chunks: string[][] = [];
	let cur: string[] = [];
	let chars = 0;
	for (const v of values) {
		const len = JSON.stringify(v).length + 1;
		if (cur.length && (cur.length >= size || chars + len > MAX_VALUES_CHARS)) {
			chunks.push(cur);
			cur = [];
			chars = 0;
		}
		cur.push(v);
		chars += len;
	}
	if (cur.length) chunks.push(cur);
	return chunks;
}

/** How Dataverse compares strings (default collation: case-insensitive). */
export const matchKey = (value: unknown): string =>
	String(value ?? '')
		.normalize('NFC')
		.toLowerCase();

async function readWhereIn(
	client: DataverseClient,
	schema: DataverseSchema,
	wire: string,
	values: string[],
	fields: string[] | undefined,
	onRow: (row: Record<string, unknown>) => void,
	chunkSize?: number,
	concurrency?: number,
): Promise<void> {
	const select = selectList(schema, fields);
	const $select = select.split(',').includes(wire) ? select : `${select},${wire}`;
	const read = async (chunk: string[]) => {
		const rows: Array<Record<string, unknown>> = [];
		for await (const row of client.rows<Record<string, unknown>>(schema.name, {
			query: { $select, $filter: inFilter(wire, chunk) },
		}))
			rows.push(row);
		return rows;
	};
	// The chunks' requests run side by side (as many as a write's batches), their rows taken in chunk order.
	const chunks = chunkValues(values, chunkSize);
	for await (const rows of inOrder(chunks, batchConcurrency(client, concurrency), read))
		for (const row of rows) onRow(row);
}

/** The record of each id, in the order of `ids`; undefined where there is none (a non-GUID id has none). */
export async function dataverseGetByIds(
	client: DataverseClient,
	schema: DataverseSchema,
	ids: string[],
	fields?: string[],
	chunkSize?: number,
	concurrency?: number,
): Promise<Array<CrmRecord | undefined>> {
	const guid = (id: string) => {
		try {
			return odataGuid(id);
		} catch {
			return undefined;
		}
	};
	const wanted = [...new Set(ids.map(guid).filter((g): g is string => g !== undefined))];
	const found = new Map<string, CrmRecord>();
	await readWhereIn(
		client,
		schema,
		schema.idField,
		wanted,
		fields,
		(row) => {
			const rec = dataverseRecord(schema, row);
			if (rec.id) found.set(rec.id.toLowerCase(), rec);
		},
		chunkSize,
		concurrency,
	);
	return ids.map((id) => {
		const g = guid(id);
		return g === undefined ? undefined : found.get(g);
	});
}

/** Every record whose `field` equals each value (case-insensitively, as Dataverse compares), in the order of `values`. */
export async function dataverseFindByKeys(
	client: DataverseClient,
	schema: DataverseSchema,
	field: string,
	values: string[],
	fields?: string[],
	chunkSize?: number,
	concurrency?: number,
): Promise<CrmRecord[][]> {
	if (!schema.fields.some((f) => f.name === field)) selectList(schema, [field]); // throws the unknown-field error
	const wire = wireField(schema, field);
	const byKey = new Map<string, CrmRecord[]>();
	for (const v of values) byKey.set(matchKey(v), []);
	const distinct = [...new Map(values.map((v) => [matchKey(v), v])).values()];
	await readWhereIn(
		client,
		schema,
		wire,
		distinct,
		fields,
		(row) => {
			const list = byKey.get(matchKey(row[wire]));
			if (list) list.push(dataverseRecord(schema, row));
		},
		chunkSize,
		concurrency,
	);
	return values.map((v) => [...(byKey.get(matchKey(v)) ?? [])]);
}
