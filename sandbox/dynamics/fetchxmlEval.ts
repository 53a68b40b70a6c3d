/**
 * Evaluating FetchXML conditions and ordering rows the way Dataverse's SQL does: string comparisons are
 * case-insensitive (the default collation), NULL satisfies no comparison (`ne` and `not-in` included),
 * NULL sorts first in ascending order, GUIDs compare without braces and case.
 * Date operators work on UTC calendar days (Dataverse uses the caller's time zone; the sandbox's user is UTC).
 */
import type { FetchCondition, FetchFilter, FetchOrder } from './fetchxmlQuery';

export type Row = Record<string, unknown>;

const GUID_RE = /^\{?[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\}?$/i;
const DATE_RE = /^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/;
const DAY_MS = 86_400_000;

const isNull = (v: unknown) => v === null || v === undefined;

/** Normalises a string for comparison: lower case, GUID braces dropped. */
function norm(s: string): string {
	const t = s.trim();
	return GUID_RE.test(t) ? t.replace(/[{}]/g, '').toLowerCase() : s.toLowerCase();
}

/** Milliseconds of a date-ish value, or NaN. */
export function timeOf(v: unknown): number {
	if (v instanceof Date) return v.getTime();
	if (typeof v === 'string' && DATE_RE.test(v.trim())) {
		const s = v.trim();
		// A bare date or a time without zone is read as UTC (the sandbox user's zone).
		return Date.parse(/T|\s/.test(s) && !/(Z|[+-]\d{2}:?\d{2})$/.test(s) ? s + 'Z' : s);
	}
	return NaN;
}

/**
 * Compares a stored value with a FetchXML literal (or a cookie's value), typed by the stored value:
 * numbers numerically, booleans as 0/1, dates by instant, everything else as case-insensitive text.
 */
export function compareToLiteral(stored: unknown, literal: string): number {
	if (typeof stored === 'number') return stored - Number(literal);
	if (typeof stored === 'boolean') return Number(stored) - (/^(1|true)$/i.test(literal) ? 1 : 0);
	const a = timeOf(stored);
	const b = timeOf(literal);
	if (!Number.isNaN(a) && !Number.isNaN(b)) return a - b;
	const x = norm(String(stored));
	const y = norm(literal);
	return x < y ? -1 : x > y ? 1 : 0;
}

/** Compares two stored values (for ordering); NULL first. */
export function compareStored(a: unknown, b: unknown): number {
	if (isNull(a) || isNull(b)) return isNull(a) ? (isNull(b) ? 0 : -1) : 1;
	if (typeof a === 'number' && typeof b === 'number') return a - b;
	if (typeof a === 'boolean' && typeof b === 'boolean') return Number(a) - Number(b);
	const ta = timeOf(a);
	const tb = timeOf(b);
	if (!Number.isNaN(ta) && !Number.isNaN(tb)) return ta - tb;
	const x = norm(String(a));
	const y = norm(String(b));
	return x < y ? -1 : x > y ? 1 : 0;
}

/** SQL LIKE: `%` any run, `_` one character, `[c]` the literal c; case-insensitive. */
function like(stored: unknown, pattern: string): boolean {
	let body = '';
	for (let i = 0; i < pattern.length; i++) {
		const c = pattern[i];
		if (c === '[' && pattern[i + 2] === ']') {
			body += pattern[i + 1].replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
			i += 2;
		} else if (c === '%') body += '.*';
		else if (c === '_') body += '.';
		else body += c.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
	}
	return new RegExp(`^${body}$`, 'is').test(String(stored));
}

/** begins-with / ends-with take the value literally: wildcards in it are escaped. */
const escapeLike = (s: string) => s.replace(/[%_[]/g, (c) => `[${c}]`);

function utcDayStart(ms: number): number {
	return Math.floor(ms / DAY_MS) * DAY_MS;
}

export function matchesCondition(row: Row, c: FetchCondition, now: number): boolean {
	const v = row[c.attribute];
	const lit = c.value ?? '';
	switch (c.operator) {
		case 'null':
			return isNull(v);
		case 'not-null':
			return !isNull(v);
	}
	if (isNull(v)) return false;
	switch (c.operator) {
		case 'eq':
			return compareToLiteral(v, lit) === 0;
		case 'ne':
		case 'neq':
			return compareToLiteral(v, lit) !== 0;
		case 'gt':
			return compareToLiteral(v, lit) > 0;
		case 'ge':
			return compareToLiteral(v, lit) >= 0;
		case 'lt':
			return compareToLiteral(v, lit) < 0;
		case 'le':
			return compareToLiteral(v, lit) <= 0;
		case 'like':
			return like(v, lit);
		case 'not-like':
			return !like(v, lit);
		case 'begins-with':
			return like(v, escapeLike(lit) + '%');
		case 'not-begin-with':
			return !like(v, escapeLike(lit) + '%');
		case 'ends-with':
			return like(v, '%' + escapeLike(lit));
		case 'not-end-with':
			return !like(v, '%' + escapeLike(lit));
		case 'in':
		case 'not-in': {
			const list = c.values.length ? c.values : [lit];
			const hit = list.some((x) => compareToLiteral(v, x) === 0);
			return c.operator === 'in' ? hit : !hit;
		}
	}
	// Date operators.
	const t = timeOf(v);
	if (Number.isNaN(t)) return false;
	switch (c.operator) {
		case 'on':
			return utcDayStart(t) === utcDayStart(timeOf(lit));
		case 'on-or-after':
			return t >= utcDayStart(timeOf(lit));
		case 'on-or-before':
			return t < utcDayStart(timeOf(lit)) + DAY_MS;
		case 'last-x-days':
			// From midnight X days ago up to now (future values are not "in the last X days").
			return t >= utcDayStart(now) - Number(lit) * DAY_MS && t <= now;
	}
	return false;
}

export function matchesFilter(row: Row, f: FetchFilter, now: number): boolean {
	const test = (c: FetchFilter['children'][number]) =>
		c.kind === 'filter' ? matchesFilter(row, c, now) : matchesCondition(row, c, now);
	if (!f.children.length) return true;
	return f.type === 'and' ? f.children.every(test) : f.children.some(test);
}

/** Row comparator for the query's orders followed by the primary key (ascending unless ordered). */
export function rowComparator(
	orders: FetchOrder[],
	primaryKey: string,
): (a: Row, b: Row) => number {
	const keys = orders.some((o) => o.attribute === primaryKey)
		? orders
		: [...orders, { attribute: primaryKey, descending: false }];
	return (a, b) => {
		for (const k of keys) {
			const d = compareStored(a[k.attribute], b[k.attribute]);
			if (d !== 0) return k.descending ? -d : d;
		}
		return 0;
	};
}
