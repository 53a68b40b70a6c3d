/** The pages of a SOQL read (`/query`, `/queryAll`), following `nextRecordsUrl` (see `SalesforceConnector.queryPages`). */
import { CrmError } from '../../http/errors';
import { type NextTokenContext, paginate } from '../../paging/paginate';
import type { QueryOptions, QueryPage, SalesforceRecord } from './connector';

/** Sends one GET (a URL relative to the API's base, or from `/services/`) and resolves with the body's text. */
export type GetText = (url: string, headers: Record<string, string>) => Promise<string>;

/**
 * The `nextRecordsUrl` of a page whose text starts as Salesforce writes it, `{"totalSize":n,"done":false,
 * "nextRecordsUrl":"…"` (before the records), else undefined. Anchored at the start, so a field value can never match.
 */
export function nextUrlAtHead(text: string): string | undefined {
	return /^\{\s*"totalSize"\s*:\s*\d+\s*,\s*"done"\s*:\s*false\s*,\s*"nextRecordsUrl"\s*:\s*"([^"\\]+)"/.exec(
		text.slice(0, 512),
	)?.[1];
}

/** A page's text as JSON; a body that is not a query page is an error naming the request (never an empty read). */
function parsePage(text: string, url: string): QueryPage {
	let page: unknown;
	try {
		page = JSON.parse(text);
	} catch {
		page = undefined;
	}
	if (page === null || typeof page !== 'object' || Array.isArray(page))
		throw new CrmError(
			`Salesforce answered a query page that is not JSON (GET ${url.split('?')[0]})`,
			{
				kind: 'fatal',
				details: text.slice(0, 500),
				hint: 'The API returned a truncated or malformed body; run the workflow again, and report it if it persists.',
			},
		);
	return page as QueryPage;
}

/**
 * Streams the pages of `query`; `readAhead` (given a page just arrived) says whether to request the next one while
 * the caller uses it. With `early` as well, the next page is requested as soon as this page's text arrives, before it
 * is parsed (its `nextRecordsUrl` read at the head of the text; a page whose parsed `nextRecordsUrl` differs is not
 * used: the right one is requested). Throws at once when the query is empty.
 */
export function soqlPages(
	get: GetText,
	query: string | { text: string },
	options: QueryOptions,
	readAhead: ((page: QueryPage, context: NextTokenContext) => boolean) | undefined,
	early = false,
): AsyncGenerator<SalesforceRecord[], void, undefined> {
	const text = typeof query === 'string' ? query : query.text;
	if (!text.trim())
		throw new CrmError('The SOQL query is empty', {
			kind: 'validation',
			hint: 'Write a query such as SELECT Id, Name FROM Account',
		});
	const headers: Record<string, string> = {};
	if (options.batchSize !== undefined)
		headers['Sforce-Query-Options'] =
			`batchSize=${Math.max(200, Math.min(2000, Math.floor(options.batchSize)))}`;
	const resource = options.includeDeleted ? 'queryAll' : 'query';
	/** The next page's text, requested before its predecessor was parsed. */
	let ahead: { url: string; text: Promise<string> } | undefined;
	const fetchText = async (url: string): Promise<string> => {
		const requested = ahead?.url === url ? ahead.text : undefined;
		ahead = undefined;
		return await (requested ?? get(url, headers));
	};
	return paginate<QueryPage, SalesforceRecord, string>({
		tokenLabel: 'nextRecordsUrl',
		signal: options.signal,
		fetchPage: async (token, { pageIndex }) => {
			const url = token ?? `/${resource}?q=${encodeURIComponent(text)}`;
			const body = await fetchText(url);
			const next = early ? nextUrlAtHead(body) : undefined;
			if (next) {
				ahead = { url: next, text: get(next, headers) };
				// Awaited when the page is asked for; one nobody asks for fails nothing.
				ahead.text.catch(() => undefined);
				// Let the request go out (its way to the socket is a chain of promises) before parsing blocks the thread.
				await new Promise<void>((resolve) => setImmediate(resolve));
			}
			const page = parsePage(body, url);
			options.onPage?.(page, pageIndex);
			return page;
		},
		items: (page) => page.records ?? [],
		next: (page) => (page.done || !page.nextRecordsUrl ? undefined : page.nextRecordsUrl),
		// A page whose successor is already on its way (early) needs no read-ahead: two pages held at most.
		readAhead: readAhead && ((page, context) => ahead === undefined && readAhead(page, context)),
	});
}

/**
 * The pages of `query` cut after `limit` records when given: no page is requested beyond the limit, not even ahead
 * (`options.readAhead` reads ahead only while fewer records than the limit have arrived; before a page is parsed only
 * without a limit).
 */
export async function* soqlRecordPages(
	get: GetText,
	query: string | { text: string },
	options: QueryOptions & { limit?: number },
): AsyncGenerator<SalesforceRecord[], void, undefined> {
	const limit = options.limit;
	if (limit !== undefined && limit <= 0) return;
	let fetched = 0;
	const readAhead = options.readAhead
		? (page: QueryPage) => {
				fetched += page.records?.length ?? 0;
				return limit === undefined || fetched < limit;
			}
		: undefined;
	const early = options.readAhead === true && limit === undefined;
	let count = 0;
	for await (const page of soqlPages(get, query, options, readAhead, early)) {
		if (limit !== undefined && count + page.length >= limit) {
			yield page.slice(0, limit - count);
			return;
		}
		count += page.length;
		yield page;
	}
}
