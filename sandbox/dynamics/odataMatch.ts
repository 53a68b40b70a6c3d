/**
 * Evaluates a parsed `$filter` against one row the way Dataverse's SQL does: three-valued logic (a comparison
 * with a null operand is unknown, `not unknown` is unknown, and only rows where the whole expression is true are
 * returned), strings compared case-insensitively (the default collation), `contains` / `startswith` /
 * `endswith` as SQL `LIKE` (so `%`, `_`, `[...]` and `[^...]` in the value are wildcards, as documented).
 */
import type { CompareOp, FilterNode, Operand } from './odataFilter';

export type Row = Record<string, unknown>;

/** Three-valued truth: `null` is SQL's unknown. */
type Truth = boolean | null;

/** The default Dataverse collation is case-insensitive; accents still count. */
const collator = new Intl.Collator('en', { sensitivity: 'accent' });

/** Compares two strings as the database collation does (0 when they differ only in case). */
export function collate(a: string, b: string): number {
	return collator.compare(a, b);
}

export interface MatchOptions {
	/** Epoch ms that relative date functions (`LastXDays`, `Today`, …) count from; defaults to `Date.now()`. */
	now?: number;
}

interface Resolved {
	value: unknown;
	/** The literal's type when the operand is a literal, so dates and GUIDs compare as such. */
	literal?: string;
}

function resolve(operand: Operand, row: Row): Resolved {
	if (operand.kind === 'property') return { value: row[operand.name] };
	return { value: operand.value, literal: operand.type };
}

function isNullish(v: unknown): boolean {
	return v === null || v === undefined;
}

function toTime(v: unknown): number | null {
	if (v instanceof Date) return v.getTime();
	if (typeof v !== 'string') return null;
	const t = Date.parse(/^\d{4}-\d{2}-\d{2}$/.test(v) ? `${v}T00:00:00Z` : v);
	return Number.isNaN(t) ? null : t;
}

/**
 * Orders two non-null values; `null` when they cannot be compared (a type mismatch, which Dataverse would have
 * refused when binding the query — here the row simply does not match).
 */
export function compareValues(a: unknown, b: unknown, hint?: string): number | null {
	if (hint === 'date' || hint === 'datetime' || a instanceof Date || b instanceof Date) {
		const x = toTime(a);
		const y = toTime(b);
		return x === null || y === null ? null : x - y;
	}
	if (typeof a === 'number' && typeof b === 'number') return a - b;
	if (typeof a === 'number' && typeof b === 'string' && b.trim() !== '' && !Number.isNaN(Number(b)))
		return a - Number(b);
	if (typeof a === 'string' && typeof b === 'number' && a.trim() !== '' && !Number.isNaN(Number(a)))
		return Number(a) - b;
	if (typeof a === 'boolean' && typeof b === 'boolean') return Number(a) - Number(b);
	if (typeof a === 'string' && typeof b === 'string') return collate(a, b);
	return null;
}

function applyOp(op: CompareOp, c: number): boolean {
	switch (op) {
		case 'eq':
			return c === 0;
		case 'ne':
			return c !== 0;
		case 'gt':
			return c > 0;
		case 'ge':
			return c >= 0;
		case 'lt':
			return c < 0;
		case 'le':
			return c <= 0;
	}
}

function compare(op: CompareOp, left: Resolved, right: Resolved): Truth {
	const ln = isNullish(left.value);
	const rn = isNullish(right.value);
	// `x eq null` / `x ne null` are SQL's IS NULL / IS NOT NULL; any other comparison with null is unknown.
	if (left.literal === 'null' || right.literal === 'null') {
		if (op === 'eq') return ln && rn;
		if (op === 'ne') return ln !== rn;
		return null;
	}
	if (ln || rn) return null;
	const c = compareValues(left.value, right.value, left.literal ?? right.literal);
	return c === null ? null : applyOp(op, c);
}

/** SQL `LIKE` (case-insensitive) as a regular expression. */
function likeRegExp(pattern: string, anchorStart: boolean, anchorEnd: boolean): RegExp {
	let src = '';
	for (let i = 0; i < pattern.length; i++) {
		const c = pattern[i];
		if (c === '%') src += '.*';
		else if (c === '_') src += '.';
		else if (c === '[' && pattern.indexOf(']', i + 2) > i) {
			const end = pattern.indexOf(']', i + 2);
			let body = pattern.slice(i + 1, end);
			const negate = body.startsWith('^');
			if (negate) body = body.slice(1);
			src += `[${negate ? '^' : ''}${body.replace(/[\\\]]/g, '\\$&')}]`;
			i = end;
		} else src += c.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
	}
	return new RegExp(`${anchorStart ? '^' : ''}${src}${anchorEnd ? '$' : ''}`, 'is');
}

function stringFunction(fn: string, subject: unknown, pattern: unknown): Truth {
	if (isNullish(subject) || isNullish(pattern)) return null;
	if (typeof subject !== 'string' || typeof pattern !== 'string') return null;
	return likeRegExp(pattern, fn === 'startswith', fn === 'endswith').test(subject);
}

const DAY = 86_400_000;
const HOUR = 3_600_000;

function startOfDay(t: number): number {
	return Math.floor(t / DAY) * DAY;
}

/** The simulator evaluates the relative date functions in UTC (Dataverse uses the caller's time zone). */
function crmFunction(node: Extract<FilterNode, { kind: 'crm' }>, row: Row, now: number): Truth {
	const value = row[node.property];
	if (isNullish(value)) return null;
	const n = typeof node.values[0] === 'number' ? node.values[0] : 0;
	const eq = (v: unknown) => compareValues(value, v) === 0;
	const t = () => toTime(value);
	const within = (from: number, to: number): Truth => {
		const x = t();
		return x === null ? null : x >= from && x <= to;
	};
	switch (node.fn) {
		case 'In':
			return node.values.some(eq);
		case 'NotIn':
			return !node.values.some(eq);
		case 'Between':
		case 'NotBetween': {
			const lo = compareValues(value, node.values[0]);
			const hi = compareValues(value, node.values[1]);
			if (lo === null || hi === null) return null;
			const inside = lo >= 0 && hi <= 0;
			return node.fn === 'Between' ? inside : !inside;
		}
		case 'LastXDays':
			return within(startOfDay(now) - n * DAY, now);
		case 'NextXDays':
			return within(now, startOfDay(now) + (n + 1) * DAY - 1);
		case 'LastXHours':
			return within(now - n * HOUR, now);
		case 'NextXHours':
			return within(now, now + n * HOUR);
		case 'OlderThanXDays':
			return within(Number.NEGATIVE_INFINITY, now - n * DAY - 1);
		case 'Today':
			return within(startOfDay(now), startOfDay(now) + DAY - 1);
		case 'Yesterday':
			return within(startOfDay(now) - DAY, startOfDay(now) - 1);
		case 'Tomorrow':
			return within(startOfDay(now) + DAY, startOfDay(now) + 2 * DAY - 1);
		default:
			return null;
	}
}

function evaluate(node: FilterNode, row: Row, now: number): Truth {
	switch (node.kind) {
		case 'compare':
			return compare(node.op, resolve(node.left, row), resolve(node.right, row));
		case 'and': {
			const l = evaluate(node.left, row, now);
			if (l === false) return false;
			const r = evaluate(node.right, row, now);
			if (r === false) return false;
			return l === null || r === null ? null : true;
		}
		case 'or': {
			const l = evaluate(node.left, row, now);
			if (l === true) return true;
			const r = evaluate(node.right, row, now);
			if (r === true) return true;
			return l === null || r === null ? null : false;
		}
		case 'not': {
			const v = evaluate(node.operand, row, now);
			return v === null ? null : !v;
		}
		case 'string':
			return stringFunction(
				node.fn,
				resolve(node.args[0], row).value,
				resolve(node.args[1], row).value,
			);
		case 'crm':
			return crmFunction(node, row, now);
	}
}

/** Whether Dataverse would return the row: the filter must be true (false and unknown both exclude it). */
export function matches(node: FilterNode, row: Row, options: MatchOptions = {}): boolean {
	return evaluate(node, row, options.now ?? Date.now()) === true;
}
