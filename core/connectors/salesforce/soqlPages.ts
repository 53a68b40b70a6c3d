/** The pages of a SOQL read (`/query`, `/queryAll`), following `nextRecordsUrl` (see `SalesforceConnector.queryPages`). */
import { CrmError } from '../../http/errors';
import { paginate } from '../../paging/paginate';
import type { QueryOptions, QueryPage, SalesforceRecord } from './connector';

/** Sends one GET (a URL relative to the API's base) and resolves with the page. */
export type GetPage = (url: string, headers: Record<string, string>) => Promise<QueryPage>;

/**
 * Streams the pages of `query`; `readAhead` (given a page just arrived) says whether to request the next one while
 * the caller uses it. Throws at once when the query is empty.
 */
export function soqlPages(
	get: GetPage,
	query: string | { text: string },
	options: QueryOptions,
	readAhead: ((page: QueryPage) => boolean) | undefined,
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
	return paginate<QueryPage, SalesforceRecord, string>({
		tokenLabel: 'nextRecordsUrl',
		signal: options.signal,
		fetchPage: async (token, { pageIndex }) => {
			const page = await get(token ?? `/${resource}?q=${encodeURIComponent(text)}`, headers);
			options.onPage?.(page, pageIndex);
			return page;
		},
		items: (page) => page.records ?? [],
		next: (page) => (page.done || !page.nextRecordsUrl ? undefined : page.nextRecordsUrl),
		readAhead,
	});
}

/**
 * The pages of `query` cut after `limit` records when given: no page is requested beyond the limit, not even ahead
 * (`options.readAhead` reads ahead only while fewer records than the limit have arrived).
 */
export async function* soqlRecordPages(
	get: GetPage,
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
	let count = 0;
	for await (const page of soqlPages(get, query, options, readAhead)) {
		if (limit !== undefined && count + page.length >= limit) {
			yield page.slice(0, limit - count);
			return;
		}
		count += page.length;
		yield page;
	}
}
