/**
 * `$orderby`, `$select`, `$top`, `$count` and (refused) `$skip` for the Dataverse simulator, and
 * {@link applyQuery}, which runs them with `$filter` in Dataverse's order: filter, count, order, top, select.
 * Paging (`Prefer: odata.maxpagesize`, `$skiptoken`) is the simulator's job, not this module's.
 */
import {
	attributeSet,
	checkAttribute,
	ODataQueryError,
	syntaxError,
	type EntitySchema,
} from './odataErrors';
import { parseFilter } from './odataFilter';
import { compareValues, matches, type Row } from './odataMatch';

/** Dataverse counts matching rows up to this many (`@odata.count`). */
export const COUNT_LIMIT = 5000;

export interface OrderKey {
	attribute: string;
	descending: boolean;
}

export type Comparator = ((a: Row, b: Row) => number) & { keys: OrderKey[] };

/** Orders two values of one attribute: nulls first ascending (SQL Server's rule), then by value. */
function compareCell(a: unknown, b: unknown): number {
	const an = a === null || a === undefined;
	const bn = b === null || b === undefined;
	if (an || bn) return an === bn ? 0 : an ? -1 : 1;
	return compareValues(a, b) ?? String(a).localeCompare(String(b));
}

/**
 * Parses `$orderby` (`revenue asc,name desc`; the default direction is ascending) into a comparator for
 * `Array.prototype.sort` (stable, so ties keep the store's order). Descending puts nulls last.
 */
export function parseOrderBy(text: string, schema?: EntitySchema): Comparator {
	const known = schema ? attributeSet(schema) : undefined;
	const keys: OrderKey[] = [];
	let pos = 0;
	for (const part of text.split(',')) {
		const m = /^(\s*)([A-Za-z_][\w]*(?:\/[A-Za-z_][\w]*)*)(?:\s+(asc|desc))?\s*$/.exec(part);
		if (!m) {
			const lead = /^\s*[A-Za-z_][\w/]*\s*/.exec(part)?.[0].length ?? 0;
			throw syntaxError(pos + lead, text);
		}
		checkAttribute(m[2], schema, known);
		keys.push({ attribute: m[2], descending: m[3] === 'desc' });
		pos += part.length + 1;
	}
	const cmp = (a: Row, b: Row) => {
		for (const k of keys) {
			const c = compareCell(a[k.attribute], b[k.attribute]);
			if (c !== 0) return k.descending ? -c : c;
		}
		return 0;
	};
	return Object.assign(cmp, { keys });
}

export interface Projection {
	/** The selected attributes, in request order (plus the primary key, which Dataverse always returns). */
	columns: string[];
	/** The row with only those attributes (missing ones as `null`) and its `@odata.*` / `col@…` annotations. */
	project(row: Row): Row;
}

/** Parses `$select=firstname,lastname`; an unknown attribute is Dataverse's "Could not find a property…". */
export function parseSelect(text: string, schema?: EntitySchema): Projection {
	const known = schema ? attributeSet(schema) : undefined;
	const columns: string[] = [];
	let pos = 0;
	for (const part of text.split(',')) {
		const name = part.trim();
		if (!/^[A-Za-z_][\w]*$/.test(name)) throw syntaxError(pos + part.indexOf(name.charAt(0)), text);
		checkAttribute(name, schema, known);
		if (!columns.includes(name)) columns.push(name);
		pos += part.length + 1;
	}
	if (schema?.primaryKey && !columns.includes(schema.primaryKey)) columns.push(schema.primaryKey);
	const wanted = new Set(columns);
	return {
		columns,
		project(row) {
			const out: Row = {};
			for (const [k, v] of Object.entries(row)) {
				const at = k.indexOf('@');
				if (at === 0 || (at > 0 && wanted.has(k.slice(0, at)))) out[k] = v;
			}
			for (const c of columns) out[c] = row[c] ?? null;
			return out;
		},
	};
}

/** `$top`: a non-negative integer (ODL's message otherwise). */
export function parseTop(text: string): number {
	if (!/^\d+$/.test(text.trim()))
		throw new ODataQueryError(
			`Invalid value '${text}' for $top query option found. The $top query option requires a non-negative integer value.`,
		);
	return Number(text.trim());
}

/** `$count`: `true` or `false`. */
export function parseCount(text: string): boolean {
	if (text === 'true' || text === 'false') return text === 'true';
	throw new ODataQueryError(
		`'${text}' is not a valid count option. The $count query option only accepts 'true' or 'false'.`,
	);
}

/** Dataverse has no `$skip` (page with `@odata.nextLink` instead). */
export function skipNotSupported(): ODataQueryError {
	return new ODataQueryError('The query parameter $skip is not supported');
}

/** The system query options as they arrive in the URL (URL-decoded); all optional. */
export interface QueryOptions {
	filter?: string;
	orderby?: string;
	select?: string;
	top?: string | number;
	count?: string | boolean;
	skip?: string | number;
}

export interface QueryResult {
	value: Row[];
	/** `@odata.count` with `$count=true`: rows matching the filter (before `$top`), at most {@link COUNT_LIMIT}. */
	count?: number;
	/** `@Microsoft.Dynamics.CRM.totalrecordcountlimitexceeded`. */
	countLimitExceeded?: boolean;
}

/**
 * Runs the query options over `rows` (which it does not modify). Every option is parsed before any row is
 * read, so a bad option fails the request whatever the data.
 */
export function applyQuery(
	rows: readonly Row[],
	options: QueryOptions,
	schema?: EntitySchema,
	now?: number,
): QueryResult {
	if (options.skip !== undefined) throw skipNotSupported();
	const filter = options.filter !== undefined ? parseFilter(options.filter, schema) : undefined;
	const order = options.orderby !== undefined ? parseOrderBy(options.orderby, schema) : undefined;
	const select = options.select !== undefined ? parseSelect(options.select, schema) : undefined;
	const top =
		options.top === undefined
			? undefined
			: parseTop(typeof options.top === 'number' ? String(options.top) : options.top);
	const count =
		options.count === undefined
			? false
			: typeof options.count === 'boolean'
				? options.count
				: parseCount(options.count);

	let out = filter ? rows.filter((r) => matches(filter, r, { now })) : rows.slice();
	const result: QueryResult = { value: [] };
	if (count) {
		result.count = Math.min(out.length, COUNT_LIMIT);
		result.countLimitExceeded = out.length > COUNT_LIMIT;
	}
	if (order) out.sort(order);
	if (top !== undefined) out = out.slice(0, top);
	result.value = select ? out.map((r) => select.project(r)) : out.map((r) => ({ ...r }));
	return result;
}
