/**
 * SOQL (Salesforce Object Query Language) values and names, bound safely.
 *
 * String literals use Salesforce's escape sequences (`\\ \' \" \n \r \t \b \f`, `\uXXXX` for other control
 * characters; `\%` and `\_` only inside LIKE patterns). The `soql` tagged template binds every `${}`
 * as a literal, so no value can change the query's structure:
 *
 * ```ts
 * soql`SELECT Id FROM Contact WHERE Email = ${email} AND CreatedDate > ${since} AND Id IN ${ids}`
 * ```
 */

import { insideQuotes, isoDate, isoDateTime, plainNumber, QueryValueError, show } from './common';

/** A piece of SOQL that is already safe (built by `soql```, `soql.id()`, `soql.date()` …); bound verbatim. */
export class SoqlFragment {
	constructor(readonly text: string) {}

	toString(): string {
		return this.text;
	}
}

const ESCAPES: Record<string, string> = {
	'\\': '\\\\',
	"'": "\\'",
	'"': '\\"',
	'\n': '\\n',
	'\r': '\\r',
	'\t': '\\t',
	'\b': '\\b',
	'\f': '\\f',
};

function escapeBody(value: string, like: boolean): string {
	// eslint-disable-next-line no-control-regex
	return value.replace(/[\\'"\n\r\t\b\f\u0000-\u001f\u007f%_]/g, (ch) => {
		if (ch === '%' || ch === '_') return like ? `\\${ch}` : ch;
		return ESCAPES[ch] ?? `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`;
	});
}

function requireString(value: unknown, fn: string): string {
	if (typeof value !== 'string') {
		throw new QueryValueError(
			`${fn}() expects text, got ${value === null ? 'null' : typeof value} ${show(value)} — use soqlLiteral() for numbers, booleans, dates and null`,
		);
	}
	return value;
}

/** A quoted SOQL string literal: `O'Brien` → `'O\'Brien'`. */
export function soqlString(value: string): string {
	return `'${escapeBody(requireString(value, 'soqlString'), false)}'`;
}

/** How a LIKE pattern matches. */
export type LikeMode = 'exact' | 'startsWith' | 'endsWith' | 'contains';

/**
 * A quoted LIKE pattern whose own `%` and `_` are escaped (`\%`, `\_`) so they match literally; the mode
 * adds the wildcards: `soqlLikePattern('50%_off', 'contains')` → `'%50\%\_off%'`.
 */
export function soqlLikePattern(value: string, mode: LikeMode = 'exact'): string {
	const body = escapeBody(requireString(value, 'soqlLikePattern'), true);
	const before = mode === 'endsWith' || mode === 'contains' ? '%' : '';
	const after = mode === 'startsWith' || mode === 'contains' ? '%' : '';
	return `'${before}${body}${after}'`;
}

/** A SOQL dateTime literal (no quotes): `2024-03-05T10:15:00Z` (UTC; SOQL has no milliseconds). */
export function soqlDateTime(value: Date | string): string {
	return isoDateTime(value, 'SOQL', false);
}

/** A SOQL date literal (no quotes): `2024-03-05` (a Date is taken in UTC). */
export function soqlDate(value: Date | string): string {
	return isoDate(value, 'SOQL');
}

/** A literal of any supported type; strings are quoted, Dates become dateTime literals. */
export type SoqlValue = string | number | bigint | boolean | null | Date;

/**
 * A SOQL literal: strings quoted and escaped; numbers plain (no exponent); `true`/`false`; `null`; a Date
 * as a dateTime (`2024-03-05T10:15:00Z`).
 *
 * @throws QueryValueError for NaN/Infinity, invalid Dates, undefined and other types.
 */
export function soqlLiteral(value: SoqlValue): string {
	if (value === null) return 'null';
	switch (typeof value) {
		case 'string':
			return soqlString(value);
		case 'number':
		case 'bigint':
			return plainNumber(value, 'SOQL');
		case 'boolean':
			return value ? 'true' : 'false';
		default:
			if (value instanceof Date) return soqlDateTime(value);
			throw new QueryValueError(
				`${value === undefined ? 'undefined' : `${typeof value} ${show(value)}`} cannot be used as a SOQL value — pass text, a number, a boolean, a Date or null`,
			);
	}
}

/** One segment of an API name: starts with a letter; letters, digits, single underscores; `__c`, `__r`, `ns__` allowed. */
const NAME_SEGMENT = /^[A-Za-z](?:[A-Za-z0-9]|_(?!_)|__(?=[A-Za-z0-9]))*$/;

/**
 * Validates a field or object API name (`Email`, `Account.Owner.Name`, `ns__Custom_Field__c`,
 * `Parent__r.Name`) and returns it.
 *
 * @throws QueryValueError when the name contains anything else (spaces, quotes, operators, `___`, a trailing `_`).
 */
export function soqlIdentifier(name: string): string {
	if (
		typeof name !== 'string' ||
		name.length === 0 ||
		name.length > 255 ||
		!name.split('.').every((segment) => NAME_SEGMENT.test(segment) && !segment.endsWith('_'))
	) {
		throw new QueryValueError(
			`${show(name)} is not a valid SOQL field or object name — API names contain only letters, digits and underscores, start with a letter, and use dots for relationships (e.g. Email, Account.Name, Custom_Field__c)`,
		);
	}
	return name;
}

const RELATIVE_DATES = new Set([
	'YESTERDAY',
	'TODAY',
	'TOMORROW',
	'LAST_WEEK',
	'THIS_WEEK',
	'NEXT_WEEK',
	'LAST_MONTH',
	'THIS_MONTH',
	'NEXT_MONTH',
	'LAST_90_DAYS',
	'NEXT_90_DAYS',
	'THIS_QUARTER',
	'LAST_QUARTER',
	'NEXT_QUARTER',
	'THIS_YEAR',
	'LAST_YEAR',
	'NEXT_YEAR',
	'THIS_FISCAL_QUARTER',
	'LAST_FISCAL_QUARTER',
	'NEXT_FISCAL_QUARTER',
	'THIS_FISCAL_YEAR',
	'LAST_FISCAL_YEAR',
	'NEXT_FISCAL_YEAR',
]);
const RELATIVE_N_DATES = new Set([
	'LAST_N_DAYS',
	'NEXT_N_DAYS',
	'N_DAYS_AGO',
	'LAST_N_WEEKS',
	'NEXT_N_WEEKS',
	'N_WEEKS_AGO',
	'LAST_N_MONTHS',
	'NEXT_N_MONTHS',
	'N_MONTHS_AGO',
	'LAST_N_QUARTERS',
	'NEXT_N_QUARTERS',
	'N_QUARTERS_AGO',
	'LAST_N_YEARS',
	'NEXT_N_YEARS',
	'N_YEARS_AGO',
	'LAST_N_FISCAL_QUARTERS',
	'NEXT_N_FISCAL_QUARTERS',
	'N_FISCAL_QUARTERS_AGO',
	'LAST_N_FISCAL_YEARS',
	'NEXT_N_FISCAL_YEARS',
	'N_FISCAL_YEARS_AGO',
]);

function bind(value: unknown, position: number, before: string): string {
	if (value instanceof SoqlFragment) return value.text;
	if (Array.isArray(value)) {
		if (value.length === 0) {
			throw new QueryValueError(
				`soql: value ${position} (after "${before.slice(-40)}") is an empty list, and "IN ()" is not valid SOQL — skip the condition (or the query) when there are no values`,
			);
		}
		return `(${value
			.map((element, i) => {
				if (Array.isArray(element) || element instanceof SoqlFragment) {
					throw new QueryValueError(
						`soql: element ${i + 1} of list value ${position} must be a plain value, not a list or fragment`,
					);
				}
				return soqlLiteral(element as SoqlValue);
			})
			.join(',')})`;
	}
	return soqlLiteral(value as SoqlValue);
}

/**
 * Tagged template that binds every interpolation safely: strings quoted and escaped, numbers, booleans,
 * null and Dates as literals, arrays as `('a','b')` for IN, fragments (`soql.id()`, nested `soql```) verbatim.
 *
 * @throws QueryValueError for values that cannot be bound (undefined, objects, NaN, empty lists), and when a
 *   `${}` sits inside quotes in the template (`'${x}'`), which would break the quoting — values are quoted for you.
 */
function soqlTag(strings: TemplateStringsArray, ...values: unknown[]): SoqlFragment {
	let text = strings[0];
	let trusted = strings[0];
	for (let i = 0; i < values.length; i++) {
		if (insideQuotes(trusted, true)) {
			throw new QueryValueError(
				`soql: value ${i + 1} is placed inside quotes in the query text ("…${strings[i].slice(-30)}") — remove the quotes around \${…}; values are quoted for you (use soql.like() for LIKE patterns)`,
			);
		}
		text += bind(values[i], i + 1, text) + strings[i + 1];
		trusted += strings[i + 1];
	}
	return new SoqlFragment(text);
}

/** The `soql` tagged template, with helpers that produce safe fragments. */
export const soql = Object.assign(soqlTag, {
	/** A validated field/object name: soql`SELECT ${soql.id(field)} FROM Contact`. */
	id: (name: string) => new SoqlFragment(soqlIdentifier(name)),
	/** Validated names joined by commas, for SELECT lists. */
	ids: (names: readonly string[]) => {
		if (names.length === 0)
			throw new QueryValueError(
				'soql.ids(): the field list is empty — select at least one field (e.g. Id)',
			);
		return new SoqlFragment(names.map(soqlIdentifier).join(', '));
	},
	/** A date-only literal (`2024-03-05`), where a Date would otherwise bind as a dateTime. */
	date: (value: Date | string) => new SoqlFragment(soqlDate(value)),
	/** A LIKE pattern with `%`/`_` in the value escaped and wildcards added per `mode`. */
	like: (value: string, mode: LikeMode = 'exact') => new SoqlFragment(soqlLikePattern(value, mode)),
	/** A relative date literal: `soql.relative('LAST_N_DAYS', 30)` → `LAST_N_DAYS:30`, `soql.relative('TODAY')`. */
	relative: (name: string, n?: number) => {
		const upper = name.toUpperCase();
		if (RELATIVE_DATES.has(upper) && n === undefined) return new SoqlFragment(upper);
		if (RELATIVE_N_DATES.has(upper)) {
			if (n === undefined || !Number.isInteger(n) || n < 0) {
				throw new QueryValueError(
					`soql.relative(): ${upper} needs a whole number of units (e.g. ${upper}:30), got ${String(n)}`,
				);
			}
			return new SoqlFragment(`${upper}:${n}`);
		}
		throw new QueryValueError(
			`soql.relative(): ${show(name)}${n === undefined ? '' : ` with ${n}`} is not a SOQL date literal (e.g. TODAY, LAST_N_DAYS with a number, THIS_FISCAL_YEAR)`,
		);
	},
	/** Joins fragments (e.g. optional conditions) with a separator such as ' AND '. */
	join: (parts: readonly SoqlFragment[], separator: string) => {
		for (const part of parts) {
			if (!(part instanceof SoqlFragment))
				throw new QueryValueError('soql.join(): every part must be a fragment built with soql`…`');
		}
		return new SoqlFragment(parts.map((p) => p.text).join(separator));
	},
});
