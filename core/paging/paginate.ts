/**
 * Streaming pagination. `paginate()` fetches one page at a time, only when the consumer asks for it,
 * and never holds more than the current page (with `readAhead`: the current page and the next one, whose
 * request goes out while the consumer uses the current page). Strategies (cursor, offset, page number, next URL, Link
 * header) decide the next token; `paginate()` adds what every strategy needs: loop detection, a page
 * limit, cancellation, resume (`startToken`) and checkpoints (`onPage`).
 */

import { createHash } from 'node:crypto';

import { describeToken, PagingLoopError } from './errors';

/** What `fetchPage` gets besides the token. */
export interface FetchPageContext {
	/** Zero-based index of the page being fetched (in this run; a resumed run starts at 0). */
	pageIndex: number;
	/** The caller's abort signal, to pass on to the HTTP request. */
	signal?: AbortSignal;
}

/** What a strategy's `next` gets besides the page and the token that fetched it. */
export interface NextTokenContext {
	/** Zero-based index of the page just fetched. */
	pageIndex: number;
	/** Number of items on that page (as returned by `items(page)`). */
	itemCount: number;
}

/** Decides the token of the following page from a fetched page; `undefined` means "that was the last page". */
export type NextTokenFn<TPage, TToken> = (
	page: TPage,
	previousToken: TToken | undefined,
	context: NextTokenContext,
) => TToken | undefined;

/** A reusable, stateless paging strategy (see `strategies.ts`). */
export interface PagingStrategy<TPage, TToken> {
	/** What the token is called in messages: `cursor`, `offset`, `page number`, `next URL`. */
	readonly tokenLabel: string;
	/** Token of the first page when no `startToken` is given (e.g. offset 0, page 1). */
	readonly initialToken?: TToken;
	/**
	 * Whether two consecutive identical pages mean the API ignores the paging parameter (offset and
	 * page-number strategies, whose tokens never repeat by construction).
	 */
	readonly detectRepeatedPages?: boolean;
	next: NextTokenFn<TPage, TToken>;
}

/** Information passed to `onPage` with the resume token. */
export interface PageCheckpoint<TToken> {
	/** The token that fetched this page. */
	token: TToken | undefined;
	/** Items on this page. */
	itemCount: number;
	/** True when there is no further page (`nextToken` is undefined). */
	done: boolean;
}

export interface PaginateOptions<TPage, TItem, TToken> {
	/** Fetches one page. `token` is undefined for the very first page of an unresumed cursor-style read. */
	fetchPage(token: TToken | undefined, context: FetchPageContext): Promise<TPage>;
	/** The records on a page. */
	items(page: TPage): readonly TItem[];
	/** A ready-made strategy ... */
	strategy?: PagingStrategy<TPage, TToken>;
	/** ... or a bare next-token function (exactly one of `strategy` / `next`). */
	next?: NextTokenFn<TPage, TToken>;
	/** Resume from a token saved by `onPage` in an earlier run (overrides the strategy's initial token). */
	startToken?: TToken;
	/** Stop (without error) after this many pages; `onPage` still receives the token to resume from. */
	maxPages?: number;
	/** Aborts before the next fetch (and is passed to `fetchPage`). */
	signal?: AbortSignal;
	/**
	 * Checkpoint hook, called once the consumer has finished with page `pageIndex` (i.e. asked for the
	 * next page, or ended the loop normally after the last one) with the token that resumes *after* that
	 * page (`undefined` when the read is complete). Persisting it gives "redo at most one page" on a crash,
	 * never "skip a page". Not called for a page the consumer abandoned (`break`, `take()` mid-page).
	 */
	onPage?(
		pageIndex: number,
		nextToken: TToken | undefined,
		checkpoint: PageCheckpoint<TToken>,
	): void | Promise<void>;
	/** Override the strategy's repeated-page detection. */
	detectRepeatedPages?: boolean;
	/** How tokens are compared for loop detection (default: the string itself, or its JSON). */
	tokenKey?(token: TToken): string;
	/** What the token is called in messages (default: the strategy's label, else `paging token`). */
	tokenLabel?: string;
	/**
	 * Whether to request the next page as soon as `page` has arrived, before yielding it: the consumer's work on a
	 * page then overlaps the next request's round trip. Pages are still fetched one after another, each with the token
	 * the previous page gave (a server-side cursor is followed in order), and at most two pages are held. A page
	 * fetched ahead is one request more when the consumer stops early (`break`): answer false once the consumer
	 * will not want it (e.g. a limit reached). Not asked after the last page, the page limit or a loop. Default: never.
	 */
	readAhead?(page: TPage, context: NextTokenContext): boolean;
}

/** Tokens longer than this are remembered by hash, so loop detection stays small on long reads. */
const MAX_KEY_LENGTH = 128;

function defaultTokenKey(token: unknown): string {
	return typeof token === 'string' ? token : (JSON.stringify(token) ?? String(token));
}

function compactKey(key: string): string {
	return key.length > MAX_KEY_LENGTH
		? `#${createHash('sha256').update(key).digest('base64')}`
		: key;
}

function fingerprint(items: readonly unknown[]): string | undefined {
	try {
		return createHash('sha256').update(JSON.stringify(items)).digest('base64');
	} catch {
		return undefined; // circular or BigInt values: no repeated-page detection for this page
	}
}

/**
 * Streams the pages of a paginated API as arrays of items. Page k+1 is fetched only when the consumer
 * asks for it (after it has finished with page k), so memory stays at one page. Empty pages are
 * followed but not yielded.
 *
 * @throws PagingLoopError when the API hands back a token it already handed out (or, for offset/page
 *   strategies, the same page twice), instead of looping forever. The page fetched before the repeated
 *   token is still yielded; its checkpoint is not written.
 */
export async function* paginate<TPage, TItem, TToken = string>(
	options: PaginateOptions<TPage, TItem, TToken>,
): AsyncGenerator<TItem[], void, undefined> {
	const { fetchPage, items, strategy, signal, onPage, readAhead } = options;
	if (strategy && options.next)
		throw new TypeError('paginate(): pass either `strategy` or `next`, not both');
	const next = strategy ? strategy.next.bind(strategy) : options.next;
	if (!next) throw new TypeError('paginate(): a `strategy` or a `next` function is required');
	const maxPages = options.maxPages;
	if (maxPages !== undefined && (!Number.isInteger(maxPages) || maxPages < 1)) {
		throw new RangeError(
			`paginate(): maxPages must be a positive integer, got ${String(maxPages)}`,
		);
	}
	const label = options.tokenLabel ?? strategy?.tokenLabel ?? 'paging token';
	const tokenKey = options.tokenKey ?? defaultTokenKey;
	const detectRepeatedPages = options.detectRepeatedPages ?? strategy?.detectRepeatedPages ?? false;

	/** Token key → index of the page it fetched. */
	const seen = new Map<string, number>();
	let token: TToken | undefined =
		options.startToken !== undefined ? options.startToken : strategy?.initialToken;
	if (token !== undefined) seen.set(compactKey(tokenKey(token)), 0);
	let previousFingerprint: string | undefined;
	/** The next page, requested ahead (`readAhead`). */
	let ahead: Promise<TPage> | undefined;

	for (let pageIndex = 0; ; pageIndex++) {
		signal?.throwIfAborted();
		const page = await (ahead ?? fetchPage(token, { pageIndex, signal }));
		ahead = undefined;
		const pageItems = items(page);
		if (!Array.isArray(pageItems)) {
			throw new TypeError(
				`paginate(): items(page) must return an array, got ${typeof pageItems} for page ${pageIndex + 1}`,
			);
		}

		if (detectRepeatedPages && pageItems.length > 0) {
			const print = fingerprint(pageItems);
			if (print !== undefined && print === previousFingerprint) {
				throw new PagingLoopError(
					`Paging loop detected: page ${pageIndex + 1} (${label} ${describeToken(token)}) returned exactly the same ` +
						`${pageItems.length} records as page ${pageIndex} — the API seems to ignore the ${label}; stopped instead of reading the same page forever.`,
					token,
					pageIndex,
					pageIndex - 1,
					'repeatedPage',
				);
			}
			previousFingerprint = print;
		}

		const nextToken = next(page, token, { pageIndex, itemCount: pageItems.length });
		let loopError: PagingLoopError | undefined;
		if (nextToken !== undefined) {
			const key = compactKey(tokenKey(nextToken));
			const firstSeenAt = seen.get(key);
			if (firstSeenAt !== undefined) {
				loopError = new PagingLoopError(
					`Paging loop detected: page ${pageIndex + 1} pointed to ${label} ${describeToken(nextToken)} for the next page, but that ` +
						`${label} already fetched page ${firstSeenAt + 1} — the API is repeating itself; stopped instead of looping forever.`,
					nextToken,
					pageIndex,
					firstSeenAt,
					'repeatedToken',
				);
			} else {
				seen.set(key, pageIndex + 1);
			}
		}

		const lastByLimit = maxPages !== undefined && pageIndex + 1 >= maxPages;
		if (
			readAhead &&
			nextToken !== undefined &&
			!loopError &&
			!lastByLimit &&
			readAhead(page, { pageIndex, itemCount: pageItems.length })
		) {
			ahead = fetchPage(nextToken, { pageIndex: pageIndex + 1, signal });
			// Awaited on the next turn; a consumer that stopped before it never sees its failure.
			ahead.catch(() => undefined);
		}

		if (pageItems.length > 0) yield pageItems.slice();
		if (loopError) throw loopError;

		if (onPage)
			await onPage(pageIndex, nextToken, {
				token,
				itemCount: pageItems.length,
				done: nextToken === undefined,
			});
		if (nextToken === undefined || lastByLimit) return;
		token = nextToken;
	}
}
