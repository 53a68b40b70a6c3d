/**
 * The paging styles of the generic REST simulator — one per style the connector core supports:
 *
 * - `cursor`: `?limit=&cursor=` → `{data, next_cursor, has_more}` (keyset: stable under inserts).
 * - `offset`: `?offset=&limit=` → `{data, offset, limit, total}`.
 * - `page`:   `?page=&per_page=` (1-based) → `{data, page, per_page, total, total_pages}`.
 * - `next`:   `?limit=` → `{data, next}` where `next` is the absolute URL of the next page or null.
 * - `link`:   `?page=&per_page=` → a bare JSON array, RFC 8288 `Link` header (`first`, `prev`, `next`,
 *             `last`) and `X-Total-Count`.
 */
import { HttpError, json, type Reply, type SandboxRequest } from '../kit';

/** A paging style. */
export type PagingStyle = 'cursor' | 'offset' | 'page' | 'next' | 'link';

/** All paging styles. */
export const PAGING_STYLES: readonly PagingStyle[] = ['cursor', 'offset', 'page', 'next', 'link'];

/** Page size settings. */
export interface PageSizeLimits {
	/** Used when the request names none (default 25). */
	defaultSize: number;
	/** Larger requests are clamped to this (default 100). */
	maxSize: number;
}

/** What to page over. */
export interface PageSource<T> {
	/** Items in their final order. */
	items: readonly T[];
	/** The sort key of an item (compared element-wise); must be unique per item. */
	keyOf: (item: T) => readonly number[];
	/** The JSON form of an item. */
	toJson: (item: T) => unknown;
	/** Sort name, embedded in cursors so a cursor from another sort is rejected. */
	sort: string;
}

function badParam(field: string, message: string): HttpError {
	return new HttpError(400, message, 'invalid_parameter', {
		errors: [{ field, code: 'invalid_value', message }],
	});
}

function intParam(req: SandboxRequest, name: string, fallback: number, min: number): number {
	const raw = req.query.get(name);
	if (raw === null || raw === '') return fallback;
	if (!/^-?\d+$/.test(raw)) throw badParam(name, `${name} must be an integer`);
	const n = Number(raw);
	if (n < min) throw badParam(name, `${name} must be at least ${min}`);
	return n;
}

function sizeParam(req: SandboxRequest, name: string, limits: PageSizeLimits): number {
	return Math.min(intParam(req, name, limits.defaultSize, 1), limits.maxSize);
}

function compareKeys(a: readonly number[], b: readonly number[]): number {
	for (let i = 0; i < Math.max(a.length, b.length); i++) {
		const d = (a[i] ?? 0) - (b[i] ?? 0);
		if (d !== 0) return d;
	}
	return 0;
}

/** Encodes an opaque cursor for the position after `key`. */
export function encodeCursor(sort: string, key: readonly number[]): string {
	return Buffer.from(JSON.stringify({ v: 1, s: sort, k: key })).toString('base64url');
}

/** Decodes a cursor; throws a 400 `HttpError` when it is malformed or from another sort. */
export function decodeCursor(cursor: string, sort: string): number[] {
	try {
		const parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as {
			v?: unknown;
			s?: unknown;
			k?: unknown;
		};
		if (
			parsed.v === 1 &&
			parsed.s === sort &&
			Array.isArray(parsed.k) &&
			parsed.k.every((x) => typeof x === 'number' && Number.isFinite(x))
		) {
			return parsed.k as number[];
		}
	} catch {
		// fall through
	}
	throw new HttpError(400, 'The cursor is invalid or belongs to another query', 'invalid_cursor', {
		errors: [{ field: 'cursor', code: 'invalid_value', message: 'invalid cursor' }],
	});
}

/** Items after a cursor position, up to `size`, and whether more follow. */
function afterCursor<T>(
	source: PageSource<T>,
	cursor: string | null,
	size: number,
): { page: T[]; more: boolean } {
	let start = 0;
	if (cursor !== null && cursor !== '') {
		const key = decodeCursor(cursor, source.sort);
		start = source.items.length;
		for (let i = 0; i < source.items.length; i++) {
			if (compareKeys(source.keyOf(source.items[i]), key) > 0) {
				start = i;
				break;
			}
		}
	}
	const page = source.items.slice(start, start + size);
	return { page, more: start + size < source.items.length };
}

/** The request URL with some query parameters replaced (absolute). */
function urlWith(req: SandboxRequest, changes: Record<string, string | null>): string {
	const u = new URL(req.url.toString());
	for (const [k, v] of Object.entries(changes)) {
		if (v === null) u.searchParams.delete(k);
		else u.searchParams.set(k, v);
	}
	return u.toString();
}

/** Answers one page of `source` in the given style. */
export function paginate<T>(
	style: PagingStyle,
	req: SandboxRequest,
	source: PageSource<T>,
	limits: PageSizeLimits,
): Reply {
	const total = source.items.length;
	switch (style) {
		case 'cursor':
		case 'next': {
			const size = sizeParam(req, 'limit', limits);
			const { page, more } = afterCursor(source, req.query.get('cursor'), size);
			const last = page[page.length - 1];
			const nextCursor =
				more && last !== undefined ? encodeCursor(source.sort, source.keyOf(last)) : null;
			const data = page.map(source.toJson);
			if (style === 'cursor')
				return json({ data, next_cursor: nextCursor, has_more: nextCursor !== null });
			return json({
				data,
				next: nextCursor !== null ? urlWith(req, { cursor: nextCursor }) : null,
			});
		}
		case 'offset': {
			const limit = sizeParam(req, 'limit', limits);
			const offset = intParam(req, 'offset', 0, 0);
			return json({
				data: source.items.slice(offset, offset + limit).map(source.toJson),
				offset,
				limit,
				total,
			});
		}
		case 'page':
		case 'link': {
			const perPage = sizeParam(req, 'per_page', limits);
			const page = intParam(req, 'page', 1, 1);
			const totalPages = Math.max(1, Math.ceil(total / perPage));
			const data = source.items.slice((page - 1) * perPage, page * perPage).map(source.toJson);
			if (style === 'page')
				return json({ data, page, per_page: perPage, total, total_pages: totalPages });
			const link = (p: number, rel: string) =>
				`<${urlWith(req, { page: String(p), per_page: String(perPage) })}>; rel="${rel}"`;
			const links = [link(1, 'first')];
			if (page > 1) links.push(link(Math.min(page - 1, totalPages), 'prev'));
			if (page < totalPages) links.push(link(page + 1, 'next'));
			links.push(link(totalPages, 'last'));
			return json(data, 200, { Link: links.join(', '), 'X-Total-Count': String(total) });
		}
		default:
			throw badParam('paging', `Unknown paging style ${String(style)}`);
	}
}

/** Parses a paging style name; throws a 400 `HttpError` for an unknown one. */
export function parsePagingStyle(value: string): PagingStyle {
	if ((PAGING_STYLES as readonly string[]).includes(value)) return value as PagingStyle;
	throw badParam('paging', `paging must be one of ${PAGING_STYLES.join(', ')}`);
}
