/**
 * Relay cursor pagination as an async iterator over nodes: the same query is sent again with the cursor variable set
 * to the previous page's `pageInfo.endCursor` while `pageInfo.hasNextPage` is true. Built on the core's `paginate()`
 * (loop detection, page limit, abort, checkpoints) — a page is fetched only when the consumer asks for it.
 */
import { CursorPaginator } from '../paging/strategies';
import { paginate, type PageCheckpoint } from '../paging/paginate';
import { PagingResponseError } from '../paging/errors';
import { getPath } from '../records/path';
import type { GraphqlClient } from './client';

/** Options of {@link paginateConnection}. */
export interface ConnectionPagingOptions {
	/** A query with a cursor variable, e.g. `query($after: String) { contacts(first: 100, after: $after) { … } }`. */
	query: string;
	variables?: Record<string, unknown>;
	operationName?: string;
	/** Where the connection is in the response: `contacts`, `data.contacts`, `viewer.repositories`. */
	connectionPath: string;
	/**
	 * Where the nodes are in the connection: `edges.node` (default: the `edges` list, each edge's `node`) or `nodes`.
	 * The part before the first dot is the list, the rest the path inside each element.
	 */
	nodesPath?: string;
	/** Where `hasNextPage` and `endCursor` are in the connection (default `pageInfo`). */
	pageInfoPath?: string;
	/** The query's cursor variable (default `after`). */
	cursorVariable?: string;
	/** The page size variable and its value (e.g. `first`, 100); unset leaves the query's own. */
	pageSizeVariable?: string;
	pageSize?: number;
	/** Stop after this many nodes (no further page is fetched). */
	maxItems?: number;
	/** Stop after this many pages. */
	maxPages?: number;
	/** Resume after this cursor (saved from `onPage`). */
	startCursor?: string;
	/** Called when the consumer is done with a page, with the cursor that resumes after it. */
	onPage?(
		pageIndex: number,
		nextCursor: string | undefined,
		checkpoint: PageCheckpoint<string>,
	): void | Promise<void>;
	signal?: AbortSignal;
}

/** The nodes of a connection, with live counters. */
export interface ConnectionIterable<TNode> extends AsyncIterable<TNode> {
	/** Requests sent (pages fetched) so far. */
	readonly pages: number;
	/** Nodes yielded so far. */
	readonly items: number;
}

function splitNodesPath(path: string): { list: string; inner?: string } {
	const dot = path.indexOf('.');
	return dot < 0 ? { list: path } : { list: path.slice(0, dot), inner: path.slice(dot + 1) };
}

/** Reads every node of a connection, page by page. */
export function paginateConnection<TNode = Record<string, unknown>>(
	client: GraphqlClient,
	options: ConnectionPagingOptions,
): ConnectionIterable<TNode> {
	const connectionPath = options.connectionPath.replace(/^data\./, '');
	const { list, inner } = splitNodesPath(options.nodesPath ?? 'edges.node');
	const pageInfo = options.pageInfoPath ?? 'pageInfo';
	const cursorVariable = options.cursorVariable ?? 'after';
	const max = options.maxItems;
	if (max !== undefined && (!Number.isInteger(max) || max < 0))
		throw new RangeError(`maxItems must be a non-negative integer, got ${String(max)}`);
	const state = { pages: 0, items: 0 };

	const connectionOf = (data: unknown, pageIndex: number): Record<string, unknown> => {
		const c = getPath(data, connectionPath);
		if (c === null || typeof c !== 'object' || Array.isArray(c))
			throw new PagingResponseError(
				`page ${pageIndex + 1}: no connection at data.${connectionPath} (found ${c === undefined ? 'nothing' : JSON.stringify(c)?.slice(0, 60)}) — check the connection path`,
				pageIndex,
			);
		return c as Record<string, unknown>;
	};
	const nodesOf = (connection: Record<string, unknown>): TNode[] => {
		const elements = getPath(connection, list);
		if (!Array.isArray(elements))
			throw new PagingResponseError(
				`no list at ${connectionPath}.${list} — check the nodes path (edges.node or nodes)`,
				state.pages - 1,
			);
		return (inner ? elements.map((e) => getPath(e, inner)) : elements) as TNode[];
	};
	const strategy = new CursorPaginator<Record<string, unknown>>({
		cursor: `${pageInfo}.endCursor`,
		hasMore: `${pageInfo}.hasNextPage`,
	});

	async function* nodes(): AsyncGenerator<TNode, void, undefined> {
		if (max === 0) return;
		const pages = paginate<Record<string, unknown>, TNode, string>({
			fetchPage: async (cursor, { pageIndex, signal }) => {
				const variables: Record<string, unknown> = {
					...options.variables,
					[cursorVariable]: cursor ?? null,
				};
				if (options.pageSizeVariable && options.pageSize !== undefined)
					variables[options.pageSizeVariable] = options.pageSize;
				state.pages++;
				const data = await client.query({
					query: options.query,
					variables,
					operationName: options.operationName,
					signal,
				});
				const connection = connectionOf(data, pageIndex);
				if (getPath(connection, `${pageInfo}.hasNextPage`) === undefined)
					throw new PagingResponseError(
						`page ${pageIndex + 1}: ${connectionPath}.${pageInfo}.hasNextPage is missing — select pageInfo { hasNextPage endCursor } in the query`,
						pageIndex,
					);
				return connection;
			},
			items: nodesOf,
			strategy,
			startToken: options.startCursor,
			maxPages: options.maxPages,
			signal: options.signal,
			onPage: options.onPage,
		});
		for await (const page of pages) {
			for (const node of page) {
				state.items++;
				yield node;
				if (max !== undefined && state.items >= max) return;
			}
		}
	}

	return {
		[Symbol.asyncIterator]: () => nodes(),
		get pages() {
			return state.pages;
		},
		get items() {
			return state.items;
		},
	};
}
