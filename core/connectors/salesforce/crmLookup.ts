/**
 * `SalesforceCrm`'s look-ups: records by id or by the values of a key field, in batched SOQL `IN` queries
 * (`lookup.ts`: ≤200 values each, up to 4 in flight at once within the rate budget), every match per value, compared
 * as SOQL compares them.
 */
import { CrmError } from '../../http/errors';
import { soql, type SoqlFragment, type SoqlValue } from '../../query/soql';
import type { CrmRecord } from '../../records/types';
import { timestampMs } from './changes';
import type { FieldDescribe, SalesforceConnector, SalesforceRecord } from './connector';
import { apiName, validation } from './crmInput';
import { lookupRecords } from './lookup';
import { idProblem } from './records';
import { ID_FIELD, toSalesforceCrmRecord, UPDATED_AT_FIELD } from './schema';

const NUMERIC = new Set(['int', 'long', 'double', 'currency', 'percent']);
const TEXTUAL = new Set([
	'string',
	'email',
	'phone',
	'url',
	'picklist',
	'multipicklist',
	'textarea',
	'encryptedstring',
	'combobox',
]);

/** The comparison key of a value of `field`, as SOQL matches it (text case-insensitively, ids by their 15 case-sensitive characters). */
function matchKey(field: FieldDescribe, value: unknown): string {
	if (value === null || value === undefined) return '\u0000null';
	if (field.type === 'id' || field.type === 'reference') return String(value).slice(0, 15);
	if (NUMERIC.has(field.type)) return String(Number(value));
	if (field.type === 'boolean')
		return String(value === true || String(value).toLowerCase() === 'true');
	if (field.type === 'date') return String(value).slice(0, 10);
	if (field.type === 'datetime')
		return String(timestampMs(typeof value === 'string' ? value : String(value)));
	return TEXTUAL.has(field.type) ? String(value).toLowerCase() : String(value);
}

/** A key value as a SOQL literal of the field's type, or the reason it is none. */
function keyLiteral(
	field: FieldDescribe,
	value: string,
): { literal: SoqlValue | SoqlFragment } | { problem: string } {
	const shown = JSON.stringify(value);
	if (field.type === 'id' || field.type === 'reference') {
		const problem = idProblem(value, `${field.name} value`);
		return problem ? { problem } : { literal: value };
	}
	if (NUMERIC.has(field.type)) {
		const n = Number(value);
		return value.trim() !== '' && Number.isFinite(n)
			? { literal: n }
			: { problem: `${field.name} value ${shown} is not a number` };
	}
	if (field.type === 'boolean')
		return /^(true|false)$/i.test(value)
			? { literal: value.toLowerCase() === 'true' }
			: { problem: `${field.name} value ${shown} is not true or false` };
	if (field.type === 'date')
		return /^\d{4}-\d{2}-\d{2}$/.test(value)
			? { literal: soql.date(value) }
			: { problem: `${field.name} value ${shown} is not a date (YYYY-MM-DD)` };
	if (field.type === 'datetime')
		return Number.isNaN(Date.parse(value))
			? { problem: `${field.name} value ${shown} is not a date and time (ISO 8601)` }
			: { literal: new Date(value) };
	return { literal: value };
}

/** `SalesforceCrm.getByIds`: one record or undefined per id, in input order. */
export async function salesforceGetByIds(
	salesforce: SalesforceConnector,
	objectType: string,
	ids: string[],
	fields?: string[],
): Promise<Array<CrmRecord | undefined>> {
	const object = apiName(objectType, 'Object');
	ids.forEach((id, i) => {
		const problem = idProblem(id, `Id ${i + 1}`);
		if (problem) throw new CrmError(problem, { kind: 'validation', crmCode: 'MALFORMED_ID' });
	});
	const found = await lookup(salesforce, object, ID_FIELD, [...new Set(ids)], fields, (record) =>
		String(record.Id).slice(0, 15),
	);
	return ids.map((id) => found.get(id.slice(0, 15))?.[0]);
}

/** `SalesforceCrm.findByKeys`: every record per value of the key field, in input order. */
export async function salesforceFindByKeys(
	salesforce: SalesforceConnector,
	objectType: string,
	field: string,
	values: string[],
	fields?: string[],
): Promise<CrmRecord[][]> {
	const object = apiName(objectType, 'Object');
	const described = await salesforce.describe(object);
	const key = described.fields.find(
		(f) => f.name.toLowerCase() === apiName(field, 'Key field').toLowerCase(),
	);
	if (!key)
		throw validation(
			`${field} is not a field of ${described.name}`,
			'Use the API name of a field (describe lists them), e.g. Email or External_Id__c.',
		);
	if (key.filterable === false)
		throw validation(
			`${key.name} of ${described.name} cannot be filtered on in SOQL (type ${key.type}), so records cannot be found by it`,
			'Use a unique or external-ID field.',
		);
	const literals = new Map<string, SoqlValue | SoqlFragment>();
	values.forEach((value, i) => {
		if (value === '' || value === null || value === undefined) return; // no value matches nothing
		const bound = keyLiteral(key, String(value));
		if ('problem' in bound)
			throw validation(
				`Value ${i + 1}: ${bound.problem}`,
				`Pass values of the field's type (${key.type}).`,
			);
		const match = matchKey(key, value);
		if (!literals.has(match)) literals.set(match, bound.literal);
	});
	const found = await lookup(
		salesforce,
		described.name,
		key.name,
		[...literals.values()],
		fields,
		(record) => matchKey(key, record[key.name]),
	);
	return values.map((value) =>
		value === '' || value === null || value === undefined
			? []
			: [...(found.get(matchKey(key, value)) ?? [])],
	);
}

/** Records whose `field` is one of `values`, grouped by `keyOf` (every match kept, Salesforce's order). */
async function lookup(
	salesforce: SalesforceConnector,
	object: string,
	field: string,
	values: Array<SoqlValue | SoqlFragment>,
	fields: string[] | undefined,
	keyOf: (record: SalesforceRecord) => string,
): Promise<Map<string, CrmRecord[]>> {
	const found = new Map<string, CrmRecord[]>();
	if (values.length === 0) return found;
	const requested = fields?.length ? fields.map((f) => apiName(f, 'Field')) : undefined;
	const select = [
		ID_FIELD,
		...(requested ?? (await salesforce.selectableFields(object))),
		field,
		UPDATED_AT_FIELD,
	];
	const concurrency = salesforce.lookupConcurrency();
	for await (const record of lookupRecords(salesforce, {
		object,
		field,
		values,
		select,
		concurrency,
	})) {
		const key = keyOf(record);
		const list = found.get(key) ?? [];
		list.push(toSalesforceCrmRecord(object, record, requested));
		found.set(key, list);
	}
	return found;
}
