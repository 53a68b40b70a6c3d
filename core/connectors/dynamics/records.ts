/**
 * Dataverse rows as contract records, and `$select` lists from contract field names. A lookup is named by its logical
 * name (`parentcustomerid`) in the contract and read from `_parentcustomerid_value` on the wire; annotations
 * (`@odata.etag`, `…@OData.Community.Display.V1.FormattedValue`) stay in `raw` only.
 */
import { CrmError } from '../../http/errors';
import type { CrmRecord } from '../../records/types';
import type { DataverseSchema } from './schema';

/** The `source` of Dataverse records. */
export const DYNAMICS_SYSTEM = 'dynamics';

/** The name a field has on the wire (`_x_value` for lookups). */
export function wireField(schema: DataverseSchema, field: string): string {
	return schema.lookups.has(field) ? `_${field}_value` : field;
}

/**
 * The `$select` of a read: the given fields (every field of the table by default) plus the id and the
 * last-modified time. An unknown field is refused here, with the table's name, rather than by Dataverse's 400.
 */
export function selectList(schema: DataverseSchema, fields?: string[]): string {
	const known = new Set(schema.fields.map((f) => f.name));
	const wanted = fields ?? schema.fields.map((f) => f.name);
	const unknown = wanted.filter((f) => !known.has(f));
	if (unknown.length)
		throw new CrmError(
			`Dynamics 365: ${schema.name} has no field ${unknown.map((f) => `"${f}"`).join(', ')}`,
			{
				kind: 'validation',
				hint: 'Use the logical names of the columns (e.g. emailaddress1, parentcustomerid).',
			},
		);
	const names = new Set([schema.idField, schema.updatedAtField, ...wanted]);
	return [...names]
		.filter((f) => known.has(f))
		.map((f) => wireField(schema, f))
		.join(',');
}

/** A row read from the Web API as a contract record. */
export function dataverseRecord(schema: DataverseSchema, row: Record<string, unknown>): CrmRecord {
	const fields: Record<string, unknown> = {};
	for (const [key, value] of Object.entries(row)) {
		if (key.includes('@')) continue;
		const lookup = /^_(.+)_value$/.exec(key)?.[1];
		fields[lookup && schema.lookups.has(lookup) ? lookup : key] = value;
	}
	const updatedAt = row[schema.updatedAtField];
	return {
		id: typeof row[schema.idField] === 'string' ? (row[schema.idField] as string) : undefined,
		type: schema.name,
		fields,
		...(typeof updatedAt === 'string' ? { updatedAt } : {}),
		source: DYNAMICS_SYSTEM,
		raw: row,
	};
}
