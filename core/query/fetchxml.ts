/**
 * FetchXML (Dataverse / Dynamics 365) values, attribute names and conditions, built safely.
 *
 * Values are XML-escaped (`& < > " '`), line breaks and tabs become character references so attribute
 * normalisation cannot alter them, and characters XML 1.0 cannot carry are refused. Conditions check the
 * operator against FetchXML's list and the number of values each operator takes.
 */

import { isoDateTime, plainNumber, QueryValueError, show } from './common';

/** Characters XML 1.0 cannot represent at all, even escaped (C0 controls other than tab/LF/CR, U+FFFE/U+FFFF, lone surrogates). */
const INVALID_XML =
	// eslint-disable-next-line no-control-regex
	/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

const XML_ESCAPES: Record<string, string> = {
	'&': '&amp;',
	'<': '&lt;',
	'>': '&gt;',
	'"': '&quot;',
	"'": '&apos;',
	'\t': '&#x9;',
	'\n': '&#xA;',
	'\r': '&#xD;',
};

export type FetchXmlScalar = string | number | bigint | boolean | Date;

/**
 * A value as XML text, safe in attributes and element content: strings escaped; numbers plain; booleans
 * `1`/`0` (FetchXML's two-option values); Dates as ISO 8601 UTC (`2024-03-05T10:15:00Z`).
 *
 * @throws QueryValueError for characters XML cannot carry, NaN/Infinity, invalid Dates, null/undefined
 *   (use the `null` / `not-null` operators) and other types.
 */
export function fetchXmlValue(value: FetchXmlScalar): string {
	let text: string;
	if (typeof value === 'string') text = value;
	else if (typeof value === 'number' || typeof value === 'bigint')
		text = plainNumber(value, 'FetchXML');
	else if (typeof value === 'boolean') text = value ? '1' : '0';
	else if (value instanceof Date) text = isoDateTime(value, 'FetchXML', true);
	else {
		throw new QueryValueError(
			`${value === null ? 'null' : value === undefined ? 'undefined' : `${typeof value} ${show(value)}`} cannot be used as a FetchXML value — use the "null" / "not-null" operators to test for empty values`,
		);
	}
	const invalid = INVALID_XML.exec(text);
	if (invalid) {
		const code = invalid[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, '0');
		throw new QueryValueError(
			`${show(text)} contains the character U+${code}, which XML cannot carry — remove it from the value`,
		);
	}
	return text.replace(/[&<>"'\t\n\r]/g, (ch) => XML_ESCAPES[ch]);
}

const LOGICAL_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * Validates an attribute or entity logical name (`emailaddress1`, `new_customfield`) and returns it.
 *
 * @throws QueryValueError otherwise.
 */
export function fetchXmlName(name: string): string {
	if (
		typeof name !== 'string' ||
		name.length === 0 ||
		name.length > 128 ||
		!LOGICAL_NAME.test(name)
	) {
		throw new QueryValueError(
			`${show(name)} is not a valid FetchXML attribute or entity name — logical names contain only letters, digits and underscores (e.g. emailaddress1, new_customfield)`,
		);
	}
	return name;
}

/** Operators that take no value. */
const NO_VALUE = [
	'null',
	'not-null',
	'yesterday',
	'today',
	'tomorrow',
	'last-seven-days',
	'next-seven-days',
	'last-week',
	'this-week',
	'next-week',
	'last-month',
	'this-month',
	'next-month',
	'last-year',
	'this-year',
	'next-year',
	'eq-userid',
	'ne-userid',
	'eq-userteams',
	'eq-useroruserteams',
	'eq-useroruserhierarchy',
	'eq-useroruserhierarchyandteams',
	'eq-businessid',
	'ne-businessid',
	'eq-userlanguage',
	'this-fiscal-year',
	'this-fiscal-period',
	'next-fiscal-year',
	'next-fiscal-period',
	'last-fiscal-year',
	'last-fiscal-period',
] as const;

/** Operators that take one whole number (a count of units, a fiscal year or period). */
const COUNT_VALUE = [
	'last-x-hours',
	'next-x-hours',
	'last-x-days',
	'next-x-days',
	'last-x-weeks',
	'next-x-weeks',
	'last-x-months',
	'next-x-months',
	'last-x-years',
	'next-x-years',
	'olderthan-x-minutes',
	'olderthan-x-hours',
	'olderthan-x-days',
	'olderthan-x-weeks',
	'olderthan-x-months',
	'olderthan-x-years',
	'last-x-fiscal-years',
	'last-x-fiscal-periods',
	'next-x-fiscal-years',
	'next-x-fiscal-periods',
	'in-fiscal-year',
	'in-fiscal-period',
] as const;

/** Operators that take exactly two values. */
const TWO_VALUES = [
	'between',
	'not-between',
	'in-fiscal-period-and-year',
	'in-or-before-fiscal-period-and-year',
	'in-or-after-fiscal-period-and-year',
] as const;

/** Operators that take a list of one or more values. */
const LIST_VALUES = ['in', 'not-in', 'contain-values', 'not-contain-values'] as const;

/** Operators that take one value. */
const ONE_VALUE = [
	'eq',
	'ne',
	'neq',
	'lt',
	'le',
	'gt',
	'ge',
	'like',
	'not-like',
	'begins-with',
	'not-begin-with',
	'ends-with',
	'not-end-with',
	'on',
	'on-or-before',
	'on-or-after',
	'under',
	'eq-or-under',
	'not-under',
	'above',
	'eq-or-above',
] as const;

/** Every FetchXML condition operator. */
export type FetchOperator =
	| (typeof NO_VALUE)[number]
	| (typeof COUNT_VALUE)[number]
	| (typeof TWO_VALUES)[number]
	| (typeof LIST_VALUES)[number]
	| (typeof ONE_VALUE)[number];

export const FETCH_OPERATORS: readonly FetchOperator[] = [
	...ONE_VALUE,
	...LIST_VALUES,
	...TWO_VALUES,
	...COUNT_VALUE,
	...NO_VALUE,
];

const arity = new Map<string, 'none' | 'count' | 'two' | 'list' | 'one'>([
	...NO_VALUE.map((op) => [op, 'none'] as const),
	...COUNT_VALUE.map((op) => [op, 'count'] as const),
	...TWO_VALUES.map((op) => [op, 'two'] as const),
	...LIST_VALUES.map((op) => [op, 'list'] as const),
	...ONE_VALUE.map((op) => [op, 'one'] as const),
]);

export interface FetchConditionOptions {
	/** Alias of a linked entity the attribute belongs to (`entityname="..."`). */
	entityName?: string;
}

/**
 * Builds one `<condition>` element: `fetchCondition('emailaddress1', 'eq', email)` →
 * `<condition attribute="emailaddress1" operator="eq" value="…" />`; list and two-value operators get
 * `<value>` children; no-value operators (`null`, `today`, `eq-userid` …) take no value.
 *
 * @throws QueryValueError naming the attribute/operator for an invalid name, an unknown operator, or the
 *   wrong number or kind of values for the operator.
 */
export function fetchCondition(
	attribute: string,
	operator: FetchOperator,
	value?: FetchXmlScalar | readonly FetchXmlScalar[],
	options: FetchConditionOptions = {},
): string {
	const name = fetchXmlName(attribute);
	const kind = arity.get(operator);
	if (!kind) {
		throw new QueryValueError(
			`condition on "${name}": ${show(operator)} is not a FetchXML operator — use one of ${FETCH_OPERATORS.join(', ')}`,
		);
	}
	const entity =
		options.entityName === undefined ? '' : ` entityname="${fetchXmlName(options.entityName)}"`;
	const head = `<condition${entity} attribute="${name}" operator="${operator}"`;
	const where = `condition "${name} ${operator}"`;
	const list = Array.isArray(value) ? (value as readonly FetchXmlScalar[]) : undefined;
	switch (kind) {
		case 'none':
			if (value !== undefined && !(list && list.length === 0))
				throw new QueryValueError(`${where} takes no value, got ${show(value)} — remove the value`);
			return `${head} />`;
		case 'one':
		case 'count': {
			if (value === undefined || value === null || list) {
				throw new QueryValueError(
					`${where} takes exactly one value, got ${value === undefined ? 'none' : show(value)}`,
				);
			}
			if (
				kind === 'count' &&
				!(typeof value === 'number' && Number.isInteger(value) && value >= 0) &&
				!(typeof value === 'string' && /^\d+$/.test(value))
			) {
				throw new QueryValueError(`${where} takes a whole number (e.g. 30), got ${show(value)}`);
			}
			return `${head} value="${fetchXmlValue(value as FetchXmlScalar)}" />`;
		}
		case 'two':
		case 'list': {
			if (!list)
				throw new QueryValueError(
					`${where} takes a list of values, got ${value === undefined ? 'none' : show(value)}`,
				);
			if (kind === 'two' && list.length !== 2)
				throw new QueryValueError(`${where} takes exactly two values, got ${list.length}`);
			if (list.length === 0)
				throw new QueryValueError(
					`${where} needs at least one value — skip the condition when there are none`,
				);
			return `${head}>${list.map((v) => `<value>${fetchXmlValue(v)}</value>`).join('')}</condition>`;
		}
	}
}

/**
 * Escapes FetchXML `like` wildcards in a value (`%` → `[%]`, `_` → `[_]`, `[` → `[[]`) and adds
 * wildcards per `mode`; pass the result as the value of a `like` / `not-like` condition.
 */
export function fetchLikePattern(
	value: string,
	mode: 'exact' | 'startsWith' | 'endsWith' | 'contains' = 'contains',
): string {
	if (typeof value !== 'string')
		throw new QueryValueError(`fetchLikePattern() expects text, got ${show(value)}`);
	const body = value.replace(/[%_[]/g, (ch) => `[${ch}]`);
	return `${mode === 'endsWith' || mode === 'contains' ? '%' : ''}${body}${mode === 'startsWith' || mode === 'contains' ? '%' : ''}`;
}

/** Wraps conditions (or nested filters) built by these helpers in `<filter type="and|or">`. */
export function fetchFilter(type: 'and' | 'or', children: readonly string[]): string {
	if (type !== 'and' && type !== 'or')
		throw new QueryValueError(`fetchFilter(): type must be "and" or "or", got ${show(type)}`);
	if (children.length === 0)
		throw new QueryValueError('fetchFilter(): a filter needs at least one condition');
	return `<filter type="${type}">${children.join('')}</filter>`;
}
