/**
 * Running a parsed FetchXML query over a table's rows, with Dataverse's paging:
 *
 * - `count` is the page size: default and maximum 5,000 (a larger `count` is served as 5,000);
 * - `top` returns the first rows and never pages (combining it with paging fails at parse time);
 * - the primary key is always the last sort key, so pages are stable;
 * - a `paging-cookie` issued for page n and sent with page n+1 resumes *after the cookie's `last`
 *   values* (keyset paging): rows inserted meanwhile before that point are not read again and deletions
 *   do not shift later rows. Without a cookie, or for a non-consecutive page, it is simple paging by
 *   offset — what Dataverse does too ("if you request nonconsecutive pages, the paging cookie value is
 *   ignored");
 * - on the last page there is neither `moreRecords` nor a cookie (the Web API omits both annotations).
 *
 * Pure: no clock, no store — the simulator passes rows, `now` and the table's primary key.
 */
import {
	buildPagingCookie,
	cookieGuid,
	formatPagingAnnotation,
	parsePagingCookie,
} from './fetchxmlCookie';
import type { CookieKey, PagingCookie } from './fetchxmlCookie';
import { compareToLiteral, matchesFilter, rowComparator, type Row } from './fetchxmlEval';
import { MAX_PAGE_SIZE, type FetchOrder, type FetchQuery } from './fetchxmlQuery';

export * from './fetchxmlQuery';
export * from './fetchxmlCookie';
export { compareStored, compareToLiteral, matchesCondition, matchesFilter } from './fetchxmlEval';
export type { Row } from './fetchxmlEval';
export { escapeXmlAttr } from './xml';

export interface RunFetchOptions {
	now: number | Date;
	/** The table's primary key column (`contactid`). */
	primaryKey: string;
}

export interface FetchResult {
	/** The page's rows, projected to the query's columns (plus the primary key); nulls left out. */
	rows: Row[];
	moreRecords: boolean;
	/** The `@Microsoft.Dynamics.CRM.fetchxmlpagingcookie` annotation value, when there is a next page. */
	pagingCookie?: string;
	/** With `returntotalrecordcount`: matching rows, capped at 5,000. */
	totalRecordCount?: number;
	totalRecordCountLimitExceeded?: boolean;
}

const GUID_RE = /^\{?[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\}?$/i;

/** The sort keys a cookie records: the ordered columns, then the primary key. */
function cookieOrders(orders: FetchOrder[], primaryKey: string): FetchOrder[] {
	const own = orders.filter((o) => o.attribute !== primaryKey);
	const pk = orders.find((o) => o.attribute === primaryKey) ?? {
		attribute: primaryKey,
		descending: false,
	};
	return [...own, pk];
}

function cookieValue(v: unknown, isKey: boolean): string | undefined {
	if (v === null || v === undefined) return undefined;
	if (v instanceof Date) return v.toISOString();
	if (typeof v === 'boolean') return v ? '1' : '0';
	const s = String(v);
	return isKey && GUID_RE.test(s) ? cookieGuid(s) : s;
}

function makeCookie(
	page: number,
	first: Row,
	last: Row,
	keys: FetchOrder[],
	pk: string,
): PagingCookie {
	const out: CookieKey[] = keys.map((k) => {
		const key: CookieKey = { attribute: k.attribute };
		const l = cookieValue(last[k.attribute], k.attribute === pk);
		const f = cookieValue(first[k.attribute], k.attribute === pk);
		if (l !== undefined) key.last = l;
		if (f !== undefined) key.first = f;
		return key;
	});
	return { page, keys: out };
}

/** Where a row stands relative to the cookie's `last` position (> 0 = after it). */
function compareToCookie(row: Row, cookie: PagingCookie, keys: FetchOrder[]): number {
	for (const k of keys) {
		const last = cookie.keys.find((c) => c.attribute === k.attribute)?.last;
		const v = row[k.attribute];
		const isNull = v === null || v === undefined;
		let d: number;
		if (last === undefined) d = isNull ? 0 : 1;
		else d = isNull ? -1 : Math.sign(compareToLiteral(v, last));
		if (d !== 0) return k.descending ? -d : d;
	}
	return 0;
}

function project(row: Row, q: FetchQuery, pk: string, withKey: boolean): Row {
	const out: Row = {};
	const cols =
		q.attributes === 'all' ? Object.keys(row) : withKey ? [...q.attributes, pk] : q.attributes;
	for (const c of cols) if (row[c] !== null && row[c] !== undefined) out[c] = row[c];
	return out;
}

export function runFetch(
	query: FetchQuery,
	rows: readonly Row[],
	opts: RunFetchOptions,
): FetchResult {
	const now = +opts.now;
	const pk = opts.primaryKey;
	const matched = query.filter
		? rows.filter((r) => matchesFilter(r, query.filter!, now))
		: [...rows];
	matched.sort(rowComparator(query.orders, pk));

	const result = (page: Row[], moreRecords: boolean): FetchResult => {
		const r: FetchResult = { rows: page, moreRecords };
		if (query.returnTotalRecordCount) {
			r.totalRecordCount = Math.min(matched.length, MAX_PAGE_SIZE);
			r.totalRecordCountLimitExceeded = matched.length > MAX_PAGE_SIZE;
		}
		return r;
	};

	if (query.top !== undefined)
		return result(
			matched.slice(0, query.top).map((r) => project(r, query, pk, !query.distinct)),
			false,
		);

	const size = Math.min(query.count ?? MAX_PAGE_SIZE, MAX_PAGE_SIZE);
	const page = query.page ?? 1;

	if (query.distinct) {
		// Distinct rows carry no primary key, so there is nothing to key a cookie on: offset paging.
		const seen = new Set<string>();
		const unique = matched
			.map((r) => project(r, query, pk, false))
			.filter((r) => {
				const k = JSON.stringify(r);
				return seen.has(k) ? false : (seen.add(k), true);
			});
		const start = (page - 1) * size;
		return result(unique.slice(start, start + size), start + size < unique.length);
	}

	const keys = cookieOrders(query.orders, pk);
	const cookie = query.pagingCookie ? parsePagingCookie(query.pagingCookie) : undefined;
	const usable =
		cookie !== undefined &&
		cookie.page === page - 1 &&
		keys.every((k) => cookie.keys.some((c) => c.attribute === k.attribute));
	let start: number;
	if (usable) {
		start = matched.findIndex((r) => compareToCookie(r, cookie, keys) > 0);
		if (start < 0) start = matched.length;
	} else start = (page - 1) * size;

	const slice = matched.slice(start, start + size);
	const more = start + size < matched.length;
	const out = result(
		slice.map((r) => project(r, query, pk, true)),
		more,
	);
	if (more && slice.length) {
		const cookieXml = buildPagingCookie(
			makeCookie(page, slice[0], slice[slice.length - 1], keys, pk),
		);
		out.pagingCookie = formatPagingAnnotation(page + 1, cookieXml);
	}
	return out;
}
