/**
 * The paged read of the single-request operation, on the core's streaming `paginate`: one page in memory at a time
 * (only the records n8n outputs are kept), a stop condition checked on every page, and a maximum of records and pages.
 */
import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';

import type { ClientResponse } from '../../../core/http/client';
import type { HttpRequest } from '../../../core/http/types';
import { paginate, type NextTokenFn, type PagingStrategy } from '../../../core/paging/paginate';
import {
	CursorPaginator,
	LinkHeaderPaginator,
	NextUrlPaginator,
	OffsetPaginator,
	PageNumberPaginator,
} from '../../../core/paging/strategies';
import { getPath } from '../../../core/records/path';
import type { HttpConnection } from '../../shared/http/connection';
import { selectRecords } from './request';

/** The Pagination settings of one item. */
export interface PagingSettings {
	mode: string;
	pageSizeParam: string;
	pageSize: number;
	offsetParam: string;
	pageParam: string;
	firstPage: number;
	cursorParam: string;
	cursorPath: string;
	nextUrlPath: string;
	stopWhen: string;
	stopPath: string;
	maxRecords: number;
	maxPages: number;
}

/** Reads the Pagination settings of item `i`. */
export function readPaging(ctx: IExecuteFunctions, i: number): PagingSettings {
	const p = <T>(name: string, fallback: T): T => ctx.getNodeParameter(name, i, fallback) as T;
	return {
		mode: p('pagination', 'none'),
		pageSizeParam: p('pageSizeParam', '').trim(),
		pageSize: p('pageSize', 100),
		offsetParam: p('offsetParam', 'offset'),
		pageParam: p('pageParam', 'page'),
		firstPage: p('firstPage', 1),
		cursorParam: p('cursorParam', 'cursor'),
		cursorPath: p('cursorPath', 'next_cursor'),
		nextUrlPath: p('nextUrlPath', 'next'),
		stopWhen: p('stopWhen', 'auto'),
		stopPath: p('stopPath', '').trim(),
		maxRecords: p('maxRecords', 0),
		maxPages: p('maxPages', 0),
	};
}

type Page = ClientResponse;

type Token = string | number;

/** The strategy of a paging mode (token types differ per strategy; each only ever sees its own tokens). */
function strategyOf(s: PagingSettings): PagingStrategy<Page, Token> {
	return strategyOfMode(s) as unknown as PagingStrategy<Page, Token>;
}

function strategyOfMode(s: PagingSettings): unknown {
	const body = (path: string) => (page: Page) => getPath(page.body, path);
	switch (s.mode) {
		case 'offset':
			return new OffsetPaginator<Page>({ limit: s.pageSize, stopOnShortPage: false });
		case 'page':
			return new PageNumberPaginator<Page>({ start: s.firstPage });
		case 'cursor':
			return new CursorPaginator<Page>({ cursor: body(s.cursorPath) });
		case 'nextUrl':
			return new NextUrlPaginator<Page>({ nextUrl: body(s.nextUrlPath), baseUrl: (p) => p.url });
		case 'linkHeader':
			return new LinkHeaderPaginator<Page>();
		default:
			throw new Error(`Unknown pagination "${s.mode}"`);
	}
}

/** Whether the stop condition says this page was the last. */
function stopsAt(s: PagingSettings, page: Page, itemCount: number): boolean {
	if (s.stopWhen === 'shortPage') return itemCount < s.pageSize;
	if (!s.stopPath) return false;
	const value = getPath(page.body, s.stopPath);
	if (s.stopWhen === 'pathFalse') return value === false || value === 'false';
	if (s.stopWhen === 'pathTrue') return value === true || value === 'true';
	if (s.stopWhen === 'pathEmpty')
		return (
			value === undefined ||
			value === null ||
			value === '' ||
			(Array.isArray(value) && value.length === 0)
		);
	return false;
}

/**
 * Streams the records of a paged read, page by page. `request` is the first page's request (URL resolved);
 * `onPage` counts pages (e.g. for the output's page count).
 */
export async function* readPages(
	connection: HttpConnection,
	request: HttpRequest,
	recordsPath: string,
	s: PagingSettings,
	signal?: AbortSignal,
): AsyncGenerator<IDataObject[]> {
	const strategy = strategyOf(s);
	const sizeQs = s.pageSizeParam ? { [s.pageSizeParam]: s.pageSize } : {};
	const next: NextTokenFn<Page, string | number> = (page, previous, context) =>
		stopsAt(s, page, context.itemCount) ? undefined : strategy.next(page, previous, context);
	const fetchPage = async (token: string | number | undefined): Promise<Page> => {
		let pageRequest: HttpRequest;
		if (s.mode === 'nextUrl' || s.mode === 'linkHeader') {
			pageRequest =
				token === undefined
					? { ...request, qs: { ...request.qs, ...sizeQs } }
					: {
							...request,
							url: connection.resolve(String(token), 'The next-page URL'),
							qs: undefined,
						};
		} else {
			const tokenQs =
				s.mode === 'offset'
					? { [s.offsetParam]: token }
					: s.mode === 'page'
						? { [s.pageParam]: token }
						: token !== undefined
							? { [s.cursorParam]: token }
							: {};
			pageRequest = {
				...request,
				qs: { ...request.qs, ...sizeQs, ...tokenQs } as HttpRequest['qs'],
			};
		}
		return await connection.client.request({ ...pageRequest, signal });
	};
	let emitted = 0;
	for await (const records of paginate<Page, IDataObject, string | number>({
		fetchPage,
		items: (page) => selectRecords(page.body, recordsPath),
		next,
		startToken: strategy.initialToken,
		tokenLabel: strategy.tokenLabel,
		detectRepeatedPages: strategy.detectRepeatedPages,
		maxPages: s.maxPages > 0 ? s.maxPages : undefined,
		signal,
	})) {
		const room = s.maxRecords > 0 ? s.maxRecords - emitted : records.length;
		const batch = room < records.length ? records.slice(0, room) : records;
		emitted += batch.length;
		if (batch.length > 0) yield batch;
		if (s.maxRecords > 0 && emitted >= s.maxRecords) return;
	}
}
