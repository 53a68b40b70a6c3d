/**
 * A SOQL WHERE clause from simple conditions (field, operator, value), each value bound as its field's type from
 * describe: numbers unquoted, `true`/`false`, dates and date-times as SOQL date literals (or relative ones such as
 * `LAST_N_DAYS:30`), record ids checked, everything else as escaped text — so `00123` stays text, `null` is the
 * word null, and no value can change the query's structure. A value that does not fit its field is refused with
 * a message naming the field and the fix.
 */
import type { FieldSchema } from '../contract';
import { QueryValueError, show } from '../../query/common';
import { soql, SoqlFragment, type SoqlValue } from '../../query/soql';

/** The operators, by the word a saved condition stores (a value starting with "=" would read as an n8n expression). */
export const SOQL_OPERATORS = {
	equal: '=',
	notEqual: '!=',
	less: '<',
	lessOrEqual: '<=',
	greater: '>',
	greaterOrEqual: '>=',
	like: 'LIKE',
	in: 'IN',
	notIn: 'NOT IN',
	isEmpty: 'IS EMPTY',
	isNotEmpty: 'IS NOT EMPTY',
} as const;

/** An operator's stored word. */
export type SoqlOperator = keyof typeof SOQL_OPERATORS;

/** One condition: `field operator value` (the value is ignored by `isEmpty` / `isNotEmpty`). */
export interface SoqlCondition {
	field: string;
	operator: string;
	value?: unknown;
}

/** A 15- or 18-character Salesforce record id. */
const RECORD_ID = /^[a-zA-Z0-9]{15}(?:[a-zA-Z0-9]{3})?$/;
const NUMBER = /^[-+]?(?:\d+\.?\d*|\.\d+)(?:e[-+]?\d+)?$/i;
const RELATIVE_DATE = /^([A-Z_]+)(?::(\d+))?$/i;

/** Text of a value as the user typed it (a Date or a Luxon DateTime as ISO). */
function textOf(value: unknown): string {
	if (typeof value === 'string') return value.trim();
	if (value instanceof Date)
		return Number.isNaN(value.getTime()) ? 'Invalid Date' : value.toISOString();
	const toISO = (value as { toISO?: unknown } | null)?.toISO;
	if (typeof toISO === 'function') return String(toISO.call(value));
	return value === null || value === undefined ? '' : String(value);
}

/** A relative date literal (`TODAY`, `LAST_N_DAYS:30`), or undefined when the text is not one. */
function relativeDate(text: string): SoqlFragment | undefined {
	const m = RELATIVE_DATE.exec(text);
	if (!m) return undefined;
	try {
		return soql.relative(m[1], m[2] === undefined ? undefined : Number(m[2]));
	} catch {
		return undefined;
	}
}

/**
 * A condition value bound as its field's type: a number for number fields, `true`/`false` for checkboxes, a date
 * or date-time literal for date fields, a record id for id and reference fields, and text for everything else (and
 * for a field describe does not list, e.g. a relationship path such as `Account.Name`).
 *
 * @throws QueryValueError naming the field, the type it expects and how to fix the value.
 */
export function soqlFieldValue(
	value: unknown,
	field: FieldSchema | undefined,
	fieldName: string = field?.name ?? '',
): SoqlValue | SoqlFragment {
	const text = textOf(value);
	const type = field?.crmType ?? field?.type ?? 'text';
	const wrong = (expected: string, example: string) =>
		new QueryValueError(
			`Condition on ${fieldName}: ${fieldName} is ${/^[aeiou]/i.test(type) ? 'an' : 'a'} ${type} field and expects ${expected}, got ${show(value)} — change the value to ${example} (use IS EMPTY to match empty fields)`,
		);
	switch (field?.type) {
		case 'number':
			if (typeof value === 'number' && Number.isFinite(value)) return value;
			if (!NUMBER.test(text) || !Number.isFinite(Number(text)))
				throw wrong('a number', 'a plain number such as 42 or -3.5');
			return Number(text);
		case 'boolean':
			if (typeof value === 'boolean') return value;
			if (!/^(true|false)$/i.test(text)) throw wrong('true or false', 'true or false');
			return text.toLowerCase() === 'true';
		case 'date': {
			const relative = relativeDate(text);
			if (relative) return relative;
			// A date-time (e.g. from a date picker) counts by its own calendar day.
			const day =
				/^\d{4}-\d{2}-\d{2}$/.test(text) ||
				(/^\d{4}-\d{2}-\d{2}T/.test(text) && !Number.isNaN(new Date(text).getTime()))
					? text.slice(0, 10)
					: '';
			try {
				return soql.date(day);
			} catch {
				throw wrong('a date', 'YYYY-MM-DD (e.g. 2024-03-05) or a date literal such as TODAY');
			}
		}
		case 'datetime': {
			const relative = relativeDate(text);
			if (relative) return relative;
			const date = new Date(text);
			if (!/^\d{4}-\d{2}-\d{2}/.test(text) || Number.isNaN(date.getTime()))
				throw wrong(
					'a date and time',
					'an ISO date-time (e.g. 2024-03-05T10:15:00Z) or a date literal such as LAST_N_DAYS:30',
				);
			return date;
		}
		case 'id':
		case 'reference':
			if (!RECORD_ID.test(text))
				throw wrong('a record ID', 'a 15- or 18-character Salesforce ID (e.g. 003000000000001AAA)');
			return text;
		default:
			return typeof value === 'string' ? value : textOf(value);
	}
}

/** The values of an IN / NOT IN condition: an array, a JSON array in text, or comma-separated text. */
function listOf(value: unknown, fieldName: string): unknown[] {
	if (Array.isArray(value)) return value;
	const text = textOf(value);
	if (text.startsWith('[')) {
		let parsed: unknown;
		try {
			parsed = JSON.parse(text);
		} catch {
			parsed = undefined;
		}
		if (!Array.isArray(parsed))
			throw new QueryValueError(
				`Condition on ${fieldName}: the value starts with "[" but is not a JSON array, got ${show(value)} — write a JSON array (e.g. ["a", "b"]) or comma-separated values (a, b)`,
			);
		return parsed;
	}
	return text
		.split(',')
		.map((s) => s.trim())
		.filter(Boolean);
}

/**
 * One condition as SOQL, its field name validated and its value bound as the field's type (`field` from describe;
 * undefined binds the value as text).
 *
 * @throws QueryValueError for an unknown operator, an invalid field name, an empty IN list or a value that does not
 *   fit the field.
 */
export function soqlCondition(condition: SoqlCondition, field?: FieldSchema): SoqlFragment {
	const name = String(condition.field ?? '').trim();
	const operator = Object.prototype.hasOwnProperty.call(SOQL_OPERATORS, condition.operator)
		? SOQL_OPERATORS[condition.operator as SoqlOperator]
		: undefined;
	if (!operator)
		throw new QueryValueError(
			`Condition on ${name}: unknown operator ${show(condition.operator)} — use one of ${Object.keys(SOQL_OPERATORS).join(', ')}`,
		);
	if (name === '')
		throw new QueryValueError('A condition has no field — choose the field to compare');
	const id = soql.id(name);
	switch (operator) {
		case 'IS EMPTY':
			return soql`${id} = ${null}`;
		case 'IS NOT EMPTY':
			return soql`${id} != ${null}`;
		case 'LIKE':
			return soql`${id} LIKE ${textOf(condition.value)}`;
		case 'IN':
		case 'NOT IN': {
			const values = listOf(condition.value, name).map((v) => soqlFieldValue(v, field, name));
			if (values.length === 0)
				throw new QueryValueError(
					`Condition on ${name}: ${operator} needs at least one value — give comma-separated values or a JSON array, or remove the condition`,
				);
			const list = soql.join(
				values.map((v) => (v instanceof SoqlFragment ? v : soql`${v}`)),
				',',
			);
			return new SoqlFragment(`${id.text} ${operator} (${list.text})`);
		}
		default: {
			const value = soqlFieldValue(condition.value, field, name);
			return new SoqlFragment(`${id.text} ${operator} ${soql`${value}`.text}`);
		}
	}
}

/**
 * A WHERE clause (without the keyword) matching all conditions, each value typed by its field in `fields` (the
 * object's describe; names compared case-insensitively as Salesforce does), or undefined when there are none.
 */
export function soqlWhere(
	conditions: readonly SoqlCondition[],
	fields: readonly FieldSchema[],
): SoqlFragment | undefined {
	if (conditions.length === 0) return undefined;
	const byName = new Map(fields.map((f) => [f.name.toLowerCase(), f]));
	return soql.join(
		conditions.map((c) =>
			soqlCondition(
				c,
				byName.get(
					String(c.field ?? '')
						.trim()
						.toLowerCase(),
				),
			),
		),
		' AND ',
	);
}

/** An ORDER BY clause (without the keywords): the validated field and ASC or DESC; undefined without a field. */
export function soqlOrderBy(field: string | undefined, direction?: string): string | undefined {
	if (!field) return undefined;
	return `${soql.id(field).text} ${direction?.toUpperCase() === 'DESC' ? 'DESC' : 'ASC'}`;
}
