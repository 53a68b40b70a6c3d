/**
 * OData v4 `$filter` values and names (Dataverse / Dynamics 365 Web API), bound safely.
 *
 * String literals are single-quoted with embedded quotes doubled (`O'Brien` → `'O''Brien'`); GUIDs,
 * numbers, booleans, null, dates and DateTimeOffsets are bare. The `odata` tagged template binds every
 * `${}` as a literal:
 *
 * ```ts
 * odata`emailaddress1 eq ${email} and modifiedon gt ${since}`
 * ```
 */

import { insideQuotes, isoDate, isoDateTime, plainNumber, QueryValueError, show } from './common';

/** A piece of `$filter` that is already safe (built by `odata```, `odata.id()`, `odata.guid()` …); bound verbatim. */
export class ODataFragment {
	constructor(readonly text: string) {}

	toString(): string {
		return this.text;
	}
}

/** A quoted OData string literal, single quotes doubled: `O'Brien` → `'O''Brien'`. */
export function odataString(value: string): string {
	if (typeof value !== 'string') {
		throw new QueryValueError(
			`odataString() expects text, got ${value === null ? 'null' : typeof value} ${show(value)} — use odataLiteral() for other types`,
		);
	}
	return `'${value.replace(/'/g, "''")}'`;
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A bare GUID literal (validated): `00000000-0000-0000-0000-000000000001`; braces are removed. */
export function odataGuid(value: string): string {
	const bare = typeof value === 'string' ? value.replace(/^\{(.*)\}$/, '$1') : value;
	if (typeof bare !== 'string' || !GUID.test(bare)) {
		throw new QueryValueError(
			`${show(value)} is not a GUID (8-4-4-4-12 hexadecimal digits) and cannot be used as an OData Guid value`,
		);
	}
	return bare.toLowerCase();
}

/** A bare `Edm.Date` literal: `2024-03-05` (a Date is taken in UTC). */
export function odataDate(value: Date | string): string {
	return isoDate(value, 'OData');
}

/** A bare `Edm.DateTimeOffset` literal in UTC: `2024-03-05T10:15:00Z` (milliseconds kept when non-zero). */
export function odataDateTimeOffset(value: Date | string): string {
	return isoDateTime(value, 'OData', true);
}

export type ODataValue = string | number | bigint | boolean | null | Date;

/**
 * An OData literal: strings quoted (quotes doubled); numbers plain; `true`/`false`; `null`; a Date as a
 * DateTimeOffset. (GUIDs and dates need `odataGuid` / `odataDate`, since a string is always a string.)
 *
 * @throws QueryValueError for NaN/Infinity, invalid Dates, undefined and other types.
 */
export function odataLiteral(value: ODataValue): string {
	if (value === null) return 'null';
	switch (typeof value) {
		case 'string':
			return odataString(value);
		case 'number':
		case 'bigint':
			return plainNumber(value, 'OData');
		case 'boolean':
			return value ? 'true' : 'false';
		default:
			if (value instanceof Date) return odataDateTimeOffset(value);
			throw new QueryValueError(
				`${value === undefined ? 'undefined' : `${typeof value} ${show(value)}`} cannot be used as an OData value — pass text, a number, a boolean, a Date or null`,
			);
	}
}

const PROPERTY = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * Validates a property path (`emailaddress1`, `_parentcustomerid_value`, `parentcustomerid_account/name`)
 * and returns it.
 *
 * @throws QueryValueError for anything else (spaces, quotes, operators, parentheses).
 */
export function odataIdentifier(name: string): string {
	if (
		typeof name !== 'string' ||
		name.length === 0 ||
		name.length > 255 ||
		!name.split('/').every((segment) => PROPERTY.test(segment))
	) {
		throw new QueryValueError(
			`${show(name)} is not a valid OData property name — use letters, digits and underscores, with "/" for navigation (e.g. emailaddress1, parentcustomerid_account/name)`,
		);
	}
	return name;
}

/**
 * Percent-encodes a whole `$filter` (or other query option) value for a URL you build by hand: spaces
 * `%20`, and `#`, `&`, `+`, `%`, `=`, `?`, `/` encoded; `'` `(` `)` stay as they are (RFC 3986 allows them,
 * and OData servers read them either way). Do not also pass the result through a query-string encoder.
 *
 * @throws QueryValueError when the text holds an unpaired UTF-16 surrogate, which has no URL encoding.
 */
export function encodeODataParam(value: string): string {
	if (/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(value)) {
		throw new QueryValueError(
			`${show(value)} contains an unpaired surrogate character and cannot be put into a URL — clean the text first`,
		);
	}
	return encodeURIComponent(value);
}

function bind(value: unknown, position: number, before: string): string {
	if (value instanceof ODataFragment) return value.text;
	if (Array.isArray(value)) {
		if (value.length === 0) {
			throw new QueryValueError(
				`odata: value ${position} (after "${before.slice(-40)}") is an empty list, and "in ()" is not valid — skip the condition when there are no values`,
			);
		}
		return `(${value
			.map((element, i) => {
				if (Array.isArray(element))
					throw new QueryValueError(
						`odata: element ${i + 1} of list value ${position} must be a plain value, not a list`,
					);
				return element instanceof ODataFragment
					? element.text
					: odataLiteral(element as ODataValue);
			})
			.join(',')})`;
	}
	return odataLiteral(value as ODataValue);
}

/**
 * Tagged template for `$filter` expressions: strings quoted (quotes doubled), numbers, booleans, null and
 * Dates (DateTimeOffset) as literals, arrays as `('a','b')` for `in`, fragments verbatim.
 *
 * @throws QueryValueError for values that cannot be bound, and for a `${}` inside quotes in the template.
 */
function odataTag(strings: TemplateStringsArray, ...values: unknown[]): ODataFragment {
	let text = strings[0];
	let trusted = strings[0];
	for (let i = 0; i < values.length; i++) {
		if (insideQuotes(trusted, false)) {
			throw new QueryValueError(
				`odata: value ${i + 1} is placed inside quotes in the filter text ("…${strings[i].slice(-30)}") — remove the quotes around \${…}; values are quoted for you`,
			);
		}
		text += bind(values[i], i + 1, text) + strings[i + 1];
		trusted += strings[i + 1];
	}
	return new ODataFragment(text);
}

/** The `odata` tagged template, with helpers that produce safe fragments. */
export const odata = Object.assign(odataTag, {
	/** A validated property path. */
	id: (name: string) => new ODataFragment(odataIdentifier(name)),
	/** A bare GUID. */
	guid: (value: string) => new ODataFragment(odataGuid(value)),
	/** A bare Edm.Date. */
	date: (value: Date | string) => new ODataFragment(odataDate(value)),
	/**
	 * `(prop eq 'a' or prop eq 'b')`: membership that works on servers without the 4.01 `in` operator.
	 * Values bind like template values (use `odata.guid()` elements for GUIDs).
	 */
	anyOf: (property: string, values: readonly unknown[]) => {
		const name = odataIdentifier(property);
		if (values.length === 0)
			throw new QueryValueError(
				`odata.anyOf(): the list of values for ${name} is empty — skip the condition when there are no values`,
			);
		return new ODataFragment(
			`(${values.map((v, i) => `${name} eq ${bind(v, i + 1, '')}`).join(' or ')})`,
		);
	},
	/** Joins fragments with a separator such as ' and '. */
	join: (parts: readonly ODataFragment[], separator: string) => {
		for (const part of parts) {
			if (!(part instanceof ODataFragment))
				throw new QueryValueError(
					'odata.join(): every part must be a fragment built with odata`…`',
				);
		}
		return new ODataFragment(parts.map((p) => p.text).join(separator));
	},
});
