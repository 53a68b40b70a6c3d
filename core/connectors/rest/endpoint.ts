/**
 * Reading a profile's endpoints: one page after another in the profile's paging style (streamed, one page held),
 * paths with `{id}`-style placeholders, and the times a change feed sends and reads.
 */
import { CrmError, type HttpClient } from '../../http';
import { serverDate } from '../../http/serverClock';
import type { HttpRequest } from '../../http/types';
import { findLink } from '../../paging';
import { getPath } from '../../records/path';
import type { PagingProfile, ReadEndpoint, TimeFormat } from './profile';

type Query = NonNullable<HttpRequest['qs']>;

/** What the connector sends requests through: an `HttpClient`, or one wrapped to resolve URLs its own way. */
export type Requester = Pick<HttpClient, 'request'>;

/** One page: its records and the server's time (the answer's Date header, epoch ms). */
export interface RestPage {
	records: unknown[];
	serverTime?: number;
}

/** The value at a dotted path (empty path: the value itself). */
export function at(value: unknown, path: string | undefined): unknown {
	return path ? getPath(value, path) : value;
}

/** A path template with its placeholders filled (URL-encoded). */
export function fill(template: string, vars: Record<string, string>): string {
	return template.replace(/\{(\w+)\}/g, (whole, name: string) =>
		name in vars ? encodeURIComponent(vars[name]) : whole,
	);
}

/** The records of an answer, or an error naming the profile field to fix. */
export function recordsOf(body: unknown, path: string, where: string): unknown[] {
	const records = at(body, path);
	if (Array.isArray(records)) return records;
	if ((records === undefined || records === null) && path) return [];
	throw new CrmError(
		`${where}: the answer has no list of records at "${path || '(the body)'}" — set ${where}.recordsPath to where the records are`,
		{ kind: 'fatal' },
	);
}

const DEFAULT_PARAMS: Record<string, { param: string; size: string }> = {
	offset: { param: 'offset', size: 'limit' },
	page: { param: 'page', size: 'per_page' },
	cursor: { param: 'cursor', size: 'limit' },
	next: { param: 'cursor', size: 'limit' },
	link: { param: 'page', size: 'per_page' },
	none: { param: '', size: '' },
};

function nextToken(
	paging: PagingProfile,
	body: unknown,
	headers: Record<string, string>,
	url: string,
	count: number,
	token: number | string | undefined,
): number | string | undefined {
	if (count === 0 || paging.style === 'none') return undefined;
	if (paging.hasMorePath) {
		const more = at(body, paging.hasMorePath);
		if (more === false || more === 'false') return undefined;
	}
	switch (paging.style) {
		case 'offset': {
			const next = Number(token ?? 0) + count;
			const total = paging.totalPath ? Number(at(body, paging.totalPath)) : NaN;
			if (Number.isFinite(total) && next >= total) return undefined;
			return count < paging.size ? undefined : next;
		}
		case 'page': {
			const current = Number(token ?? 1);
			const pages = paging.totalPath ? Number(at(body, paging.totalPath)) : NaN;
			if (Number.isFinite(pages) && current >= pages) return undefined;
			return count < paging.size ? undefined : current + 1;
		}
		case 'cursor':
		case 'next': {
			const next = at(body, paging.nextPath);
			return typeof next === 'string' && next !== '' ? next : undefined;
		}
		case 'link':
			return findLink(headers.link, 'next', url);
	}
}

/**
 * Every page of a read endpoint with `query` added, one at a time. `where` names the endpoint in errors
 * (`objects.contacts.changes`). An API that hands back a token it gave before is an error, never a loop.
 */
export async function* readPages(
	client: Requester,
	endpoint: ReadEndpoint,
	query: Query,
	where: string,
	signal?: AbortSignal,
	maxPages = Infinity,
): AsyncGenerator<RestPage> {
	const paging = endpoint.paging;
	const names = DEFAULT_PARAMS[paging.style];
	const param = paging.param ?? names.param;
	const sizeParam = paging.sizeParam ?? names.size;
	const first: Query = { ...endpoint.query, ...query };
	if (sizeParam) first[sizeParam] = paging.size;
	let token: number | string | undefined;
	const seen = new Set<string>();
	for (;;) {
		const byUrl = token !== undefined && (paging.style === 'next' || paging.style === 'link');
		const qs: Query = byUrl ? {} : { ...first };
		if (token !== undefined && !byUrl) qs[param] = token;
		const response = await client.request({
			method: 'GET',
			url: byUrl ? String(token) : endpoint.path,
			qs,
			signal,
		});
		const records = recordsOf(response.body, endpoint.recordsPath, where);
		yield { records, serverTime: serverDate(response.headers) };
		if (--maxPages <= 0) return;
		const next = nextToken(
			paging,
			response.body,
			response.headers,
			response.url,
			records.length,
			token,
		);
		if (next === undefined) return;
		const key = String(next);
		if (seen.has(key))
			throw new CrmError(
				`${where}: the API handed back a ${paging.style} token it gave before (${key.slice(0, 60)}) — check ${where}.paging`,
				{ kind: 'fatal' },
			);
		seen.add(key);
		token = next;
	}
}

/** A time as the API's "since" parameter wants it. */
export function formatTime(ms: number, format: TimeFormat): string {
	if (format === 'epochMs') return String(Math.floor(ms));
	if (format === 'epochS') return String(Math.floor(ms / 1000));
	return new Date(ms).toISOString();
}

/** A record's time (ISO text, epoch ms or epoch seconds) in epoch ms, or undefined. */
export function parseTime(value: unknown): number | undefined {
	if (value instanceof Date) return value.getTime();
	const n = typeof value === 'number' ? value : typeof value === 'string' ? Number(value) : NaN;
	if (typeof value !== 'boolean' && Number.isFinite(n) && String(value).trim() !== '')
		return n < 1e11 ? n * 1000 : n;
	if (typeof value === 'string') {
		const t = Date.parse(value);
		return Number.isNaN(t) ? undefined : t;
	}
	return undefined;
}
