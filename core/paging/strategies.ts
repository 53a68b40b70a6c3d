/**
 * Ready-made paging strategies, in the spirit of singer-sdk's paginator classes: each is small,
 * stateless (so one instance can serve many reads), and relies on `paginate()` for loop detection.
 *
 * Values are read from a page with a path (`paging.next.after`, `body.nextRecordsUrl`) or a function.
 */

import { getPath } from '../records/path';
import { PagingResponseError } from './errors';
import { findLink } from './link-header';
import type { NextTokenContext, PagingStrategy } from './paginate';

/** Where to find a value in a page: a path (see `getPath`) or a function. */
export type PageValue<TPage> = string | ((page: TPage) => unknown);

function read<TPage>(page: TPage, getter: PageValue<TPage>): unknown {
	return typeof getter === 'function' ? getter(page) : getPath(page, getter);
}

/** `hasMore` says "no more pages" only when it is exactly `false` (or the string "false"). */
function saysNoMore<TPage>(page: TPage, hasMore: PageValue<TPage> | undefined): boolean {
	if (hasMore === undefined) return false;
	const value = read(page, hasMore);
	return value === false || value === 'false';
}

function readFiniteNumber<TPage>(
	page: TPage,
	getter: PageValue<TPage> | undefined,
	what: string,
	pageIndex: number,
): number | undefined {
	if (getter === undefined) return undefined;
	const value = read(page, getter);
	if (value === undefined || value === null || value === '') return undefined;
	const number = typeof value === 'string' ? Number(value) : value;
	if (typeof number !== 'number' || !Number.isFinite(number)) {
		throw new PagingResponseError(
			`page ${pageIndex + 1}: the ${what} is ${JSON.stringify(value)?.slice(0, 60)}, not a number — check the path given for the ${what}`,
			pageIndex,
		);
	}
	return number;
}

function readStringToken<TPage>(
	page: TPage,
	getter: PageValue<TPage>,
	what: string,
	pageIndex: number,
): string | undefined {
	const value = read(page, getter);
	if (value === undefined || value === null || value === '') return undefined;
	if (typeof value === 'string') return value;
	if (typeof value === 'number' || typeof value === 'bigint') return String(value);
	throw new PagingResponseError(
		`page ${pageIndex + 1}: the ${what} is a ${Array.isArray(value) ? 'list' : typeof value}, not a string — check the path given for the ${what}`,
		pageIndex,
	);
}

function positiveInteger(value: number | undefined, name: string, allowZero = false): void {
	if (value === undefined) return;
	if (!Number.isInteger(value) || value < (allowZero ? 0 : 1)) {
		throw new RangeError(
			`${name} must be a ${allowZero ? 'non-negative' : 'positive'} integer, got ${String(value)}`,
		);
	}
}

export interface CursorPagingOptions<TPage> {
	/** Where the next cursor is (e.g. HubSpot `paging.next.after`); missing/null/empty means "last page". */
	cursor: PageValue<TPage>;
	/** Optional "more pages" flag; exactly `false` ends the read even if a cursor is present. */
	hasMore?: PageValue<TPage>;
}

/** Opaque cursor in the body (HubSpot `paging.next.after`, Stripe-like `next_cursor`). */
export class CursorPaginator<TPage = unknown> implements PagingStrategy<TPage, string> {
	readonly tokenLabel = 'cursor';

	constructor(private readonly options: CursorPagingOptions<TPage>) {}

	next(page: TPage, _previous: string | undefined, context: NextTokenContext): string | undefined {
		if (saysNoMore(page, this.options.hasMore)) return undefined;
		return readStringToken(page, this.options.cursor, 'cursor', context.pageIndex);
	}
}

export interface NextUrlPagingOptions<TPage> {
	/** Where the next URL is (Salesforce `nextRecordsUrl`, OData `@odata.nextLink`). */
	nextUrl: PageValue<TPage>;
	/** Optional "more pages" flag; exactly `false` ends the read. (Salesforce: `(p) => !p.done`.) */
	hasMore?: PageValue<TPage>;
	/** Resolve relative next URLs (Salesforce returns a path) against this base, or a base read from the page. */
	baseUrl?: string | ((page: TPage) => string | undefined);
}

/** A full or relative URL of the next page in the body (Salesforce, OData/Dataverse). */
export class NextUrlPaginator<TPage = unknown> implements PagingStrategy<TPage, string> {
	readonly tokenLabel = 'next URL';

	constructor(private readonly options: NextUrlPagingOptions<TPage>) {}

	next(page: TPage, _previous: string | undefined, context: NextTokenContext): string | undefined {
		if (saysNoMore(page, this.options.hasMore)) return undefined;
		const url = readStringToken(page, this.options.nextUrl, 'next URL', context.pageIndex);
		if (url === undefined) return undefined;
		const base =
			typeof this.options.baseUrl === 'function'
				? this.options.baseUrl(page)
				: this.options.baseUrl;
		return base === undefined ? url : resolveUrl(url, base, context.pageIndex);
	}
}

function resolveUrl(url: string, base: string, pageIndex: number): string {
	let resolved: string | undefined;
	try {
		resolved = new URL(url, base).toString();
	} catch {
		resolved = undefined;
	}
	if (resolved === undefined) {
		throw new PagingResponseError(
			`page ${pageIndex + 1}: the next URL ${JSON.stringify(url).slice(0, 120)} cannot be resolved against "${base}"`,
			pageIndex,
		);
	}
	return resolved;
}

export interface LinkHeaderPagingOptions<TPage> {
	/** Reads the `Link` header from a page (default: `page.headers.link`, which fits `HttpResponse`). */
	header?: (page: TPage) => string | readonly string[] | undefined;
	/** Relation type to follow (default `next`). */
	rel?: string;
	/** Base for relative links (default: `page.url` when the page has one, as `HttpResponse` does). */
	baseUrl?: string | ((page: TPage) => string | undefined);
}

/** RFC 8288 `Link: <…>; rel="next"` headers (GitHub-style REST APIs). */
export class LinkHeaderPaginator<TPage = unknown> implements PagingStrategy<TPage, string> {
	readonly tokenLabel = 'Link header URL';

	constructor(private readonly options: LinkHeaderPagingOptions<TPage> = {}) {}

	next(page: TPage): string | undefined {
		const header = this.options.header ? this.options.header(page) : defaultLinkHeader(page);
		const base =
			typeof this.options.baseUrl === 'function'
				? this.options.baseUrl(page)
				: (this.options.baseUrl ??
					(typeof getPath(page, 'url') === 'string'
						? (getPath(page, 'url') as string)
						: undefined));
		return findLink(header, this.options.rel ?? 'next', base);
	}
}

function defaultLinkHeader(page: unknown): string | undefined {
	const headers = getPath(page, ['headers']);
	if (headers === null || typeof headers !== 'object') return undefined;
	for (const [name, value] of Object.entries(headers)) {
		if (name.toLowerCase() === 'link' && typeof value === 'string') return value;
	}
	return undefined;
}

export interface OffsetPagingOptions<TPage> {
	/** Requested page size (the caller sends it as `limit`/`$top`/`count`). */
	limit: number;
	/** First offset (default 0). */
	start?: number;
	/** Total number of records, when the API says (ends the read once reached). */
	total?: PageValue<TPage>;
	/** Optional "more pages" flag; exactly `false` ends the read. */
	hasMore?: PageValue<TPage>;
	/** A page shorter than `limit` is the last one (default true). Turn off for APIs that cap page size. */
	stopOnShortPage?: boolean;
}

/**
 * Offset + limit. The next offset is the current one plus the items actually returned (so a server
 * that caps the page size skips nothing). Stops on an empty page, a short page, `total` reached, or
 * `hasMore === false`. Detects an API that ignores the offset (the same page twice).
 */
export class OffsetPaginator<TPage = unknown> implements PagingStrategy<TPage, number> {
	readonly tokenLabel = 'offset';
	readonly detectRepeatedPages = true;
	readonly initialToken: number;

	constructor(private readonly options: OffsetPagingOptions<TPage>) {
		positiveInteger(options.limit, 'OffsetPaginator: limit');
		positiveInteger(options.start, 'OffsetPaginator: start', true);
		this.initialToken = options.start ?? 0;
	}

	next(page: TPage, previous: number | undefined, context: NextTokenContext): number | undefined {
		if (context.itemCount === 0 || saysNoMore(page, this.options.hasMore)) return undefined;
		const nextOffset = (previous ?? this.initialToken) + context.itemCount;
		const total = readFiniteNumber(page, this.options.total, 'total', context.pageIndex);
		if (total !== undefined && nextOffset >= total) return undefined;
		if ((this.options.stopOnShortPage ?? true) && context.itemCount < this.options.limit)
			return undefined;
		return nextOffset;
	}
}

export interface PageNumberPagingOptions<TPage> {
	/** Number of the first page (default 1; some APIs count from 0). */
	start?: number;
	/** Requested page size; when given, a shorter page is the last one. */
	pageSize?: number;
	/** Total number of pages, when the API says. */
	totalPages?: PageValue<TPage>;
	/** Optional "more pages" flag; exactly `false` ends the read. */
	hasMore?: PageValue<TPage>;
}

/**
 * Page numbers (`page=1,2,3…`). Stops on an empty page, a page shorter than `pageSize`, the last page
 * of `totalPages`, or `hasMore === false`. Detects an API that ignores the page number.
 */
export class PageNumberPaginator<TPage = unknown> implements PagingStrategy<TPage, number> {
	readonly tokenLabel = 'page number';
	readonly detectRepeatedPages = true;
	readonly initialToken: number;

	constructor(private readonly options: PageNumberPagingOptions<TPage> = {}) {
		positiveInteger(options.start, 'PageNumberPaginator: start', true);
		positiveInteger(options.pageSize, 'PageNumberPaginator: pageSize');
		this.initialToken = options.start ?? 1;
	}

	next(page: TPage, previous: number | undefined, context: NextTokenContext): number | undefined {
		if (context.itemCount === 0 || saysNoMore(page, this.options.hasMore)) return undefined;
		const current = previous ?? this.initialToken;
		const totalPages = readFiniteNumber(
			page,
			this.options.totalPages,
			'total page count',
			context.pageIndex,
		);
		if (totalPages !== undefined && current - this.initialToken + 1 >= totalPages) return undefined;
		if (this.options.pageSize !== undefined && context.itemCount < this.options.pageSize)
			return undefined;
		return current + 1;
	}
}
