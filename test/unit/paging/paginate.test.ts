import {
	CursorPaginator,
	type FetchPageContext,
	flatten,
	LinkHeaderPaginator,
	NextUrlPaginator,
	paginate,
	PagingLoopError,
	take,
	toArray,
} from '../../../core/paging';

interface CursorPage {
	results: number[];
	paging?: { next?: { after?: string } };
}

/** A fake HubSpot-style API: `pages[i]` is returned for cursor `c<i>` (first page: no cursor). */
function cursorApi(pages: number[][]) {
	const calls: Array<string | undefined> = [];
	const fetchPage = jest.fn<Promise<CursorPage>, [string | undefined, FetchPageContext?]>(
		async (token) => {
			calls.push(token);
			const index = token === undefined ? 0 : Number(token.slice(1));
			const results = pages[index];
			return index + 1 < pages.length
				? { results, paging: { next: { after: `c${index + 1}` } } }
				: { results };
		},
	);
	return { fetchPage, calls };
}

describe('paginate()', () => {
	it('streams every page in order, following the cursor, and stops when the cursor is absent', async () => {
		const api = cursorApi([[1, 2], [3, 4], [5]]);
		const pages = await toArray(
			paginate({
				fetchPage: api.fetchPage,
				items: (p) => p.results,
				strategy: new CursorPaginator<CursorPage>({ cursor: 'paging.next.after' }),
			}),
		);
		expect(pages).toEqual([[1, 2], [3, 4], [5]]);
		expect(api.calls).toEqual([undefined, 'c1', 'c2']);
	});

	it('does not fetch page k+1 until page k has been consumed', async () => {
		const api = cursorApi([[1], [2], [3]]);
		const iterator = paginate({
			fetchPage: api.fetchPage,
			items: (p) => p.results,
			strategy: new CursorPaginator<CursorPage>({ cursor: 'paging.next.after' }),
		});
		expect(api.fetchPage).toHaveBeenCalledTimes(0); // creating the stream fetches nothing
		expect((await iterator.next()).value).toEqual([1]);
		expect(api.fetchPage).toHaveBeenCalledTimes(1);
		// Give any eager prefetch a chance to run: it must not.
		await new Promise<void>((resolve) => setImmediate(resolve));
		expect(api.fetchPage).toHaveBeenCalledTimes(1);
		expect((await iterator.next()).value).toEqual([2]);
		expect(api.fetchPage).toHaveBeenCalledTimes(2);
		await iterator.return();
		expect(api.fetchPage).toHaveBeenCalledTimes(2);
	});

	it('take(n) stops fetching as soon as the limit is reached', async () => {
		const api = cursorApi([[1, 2, 3], [4, 5, 6], [7, 8, 9], [10]]);
		const pages = paginate({
			fetchPage: api.fetchPage,
			items: (p) => p.results,
			strategy: new CursorPaginator<CursorPage>({ cursor: 'paging.next.after' }),
		});
		expect(await toArray(take(flatten(pages), 4))).toEqual([1, 2, 3, 4]);
		expect(api.fetchPage).toHaveBeenCalledTimes(2);

		const api2 = cursorApi([
			[1, 2, 3],
			[4, 5, 6],
		]);
		const exact = paginate({
			fetchPage: api2.fetchPage,
			items: (p) => p.results,
			strategy: new CursorPaginator<CursorPage>({ cursor: 'paging.next.after' }),
		});
		expect(await toArray(take(flatten(exact), 3))).toEqual([1, 2, 3]);
		expect(api2.fetchPage).toHaveBeenCalledTimes(1); // the limit fell on a page boundary: no extra fetch

		const api3 = cursorApi([[1]]);
		const none = paginate({
			fetchPage: api3.fetchPage,
			items: (p) => p.results,
			strategy: new CursorPaginator<CursorPage>({ cursor: 'paging.next.after' }),
		});
		expect(await toArray(take(flatten(none), 0))).toEqual([]);
		expect(api3.fetchPage).not.toHaveBeenCalled();
	});

	it('stops with a PagingLoopError naming a repeated cursor, after yielding the last good page', async () => {
		const fetchPage = jest.fn(async (token: string | undefined): Promise<CursorPage> => {
			if (token === undefined) return { results: [1], paging: { next: { after: 'abc' } } };
			if (token === 'abc') return { results: [2], paging: { next: { after: 'def' } } };
			return { results: [3], paging: { next: { after: 'abc' } } }; // back to a cursor already used
		});
		const seen: number[][] = [];
		let error: unknown;
		try {
			for await (const page of paginate({
				fetchPage,
				items: (p) => p.results,
				strategy: new CursorPaginator<CursorPage>({ cursor: 'paging.next.after' }),
			})) {
				seen.push(page);
			}
		} catch (caught) {
			error = caught;
		}
		expect(seen).toEqual([[1], [2], [3]]);
		expect(error).toBeInstanceOf(PagingLoopError);
		const loop = error as PagingLoopError;
		expect(loop.message).toBe(
			'Paging loop detected: page 3 pointed to cursor "abc" for the next page, but that cursor already fetched page 2 — the API is repeating itself; stopped instead of looping forever.',
		);
		expect(loop).toMatchObject({
			token: 'abc',
			pageIndex: 2,
			firstSeenAt: 1,
			reason: 'repeatedToken',
			name: 'PagingLoopError',
		});
		expect(fetchPage).toHaveBeenCalledTimes(3);
	});

	it('detects a next URL that points back to itself (Salesforce nextRecordsUrl)', async () => {
		const url = '/services/data/v59.0/query/01gxx0000000001-2000';
		const fetchPage = jest.fn(async (token: string | undefined) => ({
			done: false,
			records: [token ?? 'first'],
			nextRecordsUrl: url,
		}));
		const pages = paginate({
			fetchPage,
			items: (p) => p.records,
			strategy: new NextUrlPaginator<{ done: boolean; nextRecordsUrl: string }>({
				nextUrl: 'nextRecordsUrl',
				hasMore: (p) => !p.done,
			}),
		});
		await expect(toArray(pages)).rejects.toThrow(
			`Paging loop detected: page 2 pointed to next URL "${url}" for the next page, but that next URL already fetched page 2 — the API is repeating itself; stopped instead of looping forever.`,
		);
		expect(fetchPage).toHaveBeenCalledTimes(2);
	});

	it('detects a repeated Link header URL, resolved against the response URL', async () => {
		const fetchPage = jest.fn(async (token: string | undefined) => ({
			url: token ?? 'https://api.example.com/items',
			headers: { link: '</items?page=2>; rel="next", </items?page=9>; rel="last"' },
			body: [token ?? 'first'],
		}));
		const pages = paginate({
			fetchPage,
			items: (p) => p.body,
			strategy: new LinkHeaderPaginator(),
		});
		const error = await toArray(pages).catch((e: unknown) => e);
		expect(error).toBeInstanceOf(PagingLoopError);
		expect((error as Error).message).toContain(
			'page 2 pointed to Link header URL "https://api.example.com/items?page=2" for the next page, but that Link header URL already fetched page 2',
		);
		expect(fetchPage.mock.calls.map((call) => call[0])).toEqual([
			undefined,
			'https://api.example.com/items?page=2',
		]);
	});

	it('truncates a huge repeated token in the message', async () => {
		const huge = 'x'.repeat(5000);
		const pages = paginate<{ results: number[] }, number, string>({
			fetchPage: async () => ({ results: [1] }),
			items: (p) => p.results,
			next: () => huge,
			startToken: huge,
		});
		const error = (await toArray(pages).catch((e: unknown) => e)) as Error;
		expect(error).toBeInstanceOf(PagingLoopError);
		expect(error.message.length).toBeLessThan(400);
		expect(error.message).toContain('…');
	});

	it('calls onPage after each consumed page with the token that resumes after it, and resumes from startToken', async () => {
		const api = cursorApi([[1], [2], [3]]);
		const checkpoints: Array<[number, string | undefined, boolean]> = [];
		const strategy = new CursorPaginator<CursorPage>({ cursor: 'paging.next.after' });
		const iterator = paginate({
			fetchPage: api.fetchPage,
			items: (p) => p.results,
			strategy,
			onPage: (index, next, info) => {
				checkpoints.push([index, next, info.done]);
			},
		});
		await iterator.next();
		expect(checkpoints).toEqual([]); // page 0 not yet finished by the consumer
		await iterator.next();
		expect(checkpoints).toEqual([[0, 'c1', false]]);
		await iterator.return(); // abandoned page 1: no checkpoint for it
		expect(checkpoints).toEqual([[0, 'c1', false]]);

		// Resume from the saved token: reads pages 1 and 2 only.
		const resumed = cursorApi([[1], [2], [3]]);
		const all: number[][] = [];
		for await (const page of paginate({
			fetchPage: resumed.fetchPage,
			items: (p) => p.results,
			strategy,
			startToken: 'c1',
			onPage: (index, next, info) => {
				checkpoints.push([index, next, info.done]);
			},
		})) {
			all.push(page);
		}
		expect(all).toEqual([[2], [3]]);
		expect(resumed.calls).toEqual(['c1', 'c2']);
		expect(checkpoints.slice(1)).toEqual([
			[0, 'c2', false],
			[1, undefined, true],
		]);
	});

	it('stops after maxPages without error, still checkpointing the resume token', async () => {
		const api = cursorApi([[1], [2], [3], [4]]);
		const tokens: Array<string | undefined> = [];
		const pages = await toArray(
			paginate({
				fetchPage: api.fetchPage,
				items: (p) => p.results,
				strategy: new CursorPaginator<CursorPage>({ cursor: 'paging.next.after' }),
				maxPages: 2,
				onPage: (_index, next) => {
					tokens.push(next);
				},
			}),
		);
		expect(pages).toEqual([[1], [2]]);
		expect(api.fetchPage).toHaveBeenCalledTimes(2);
		expect(tokens).toEqual(['c1', 'c2']);
	});

	it('follows empty pages without yielding them', async () => {
		const api = cursorApi([[1], [], [3]]);
		const pages = await toArray(
			paginate({
				fetchPage: api.fetchPage,
				items: (p) => p.results,
				strategy: new CursorPaginator<CursorPage>({ cursor: 'paging.next.after' }),
			}),
		);
		expect(pages).toEqual([[1], [3]]);
		expect(api.fetchPage).toHaveBeenCalledTimes(3);
	});

	it('aborts before the next fetch when the signal fires, and passes the signal to fetchPage', async () => {
		const controller = new AbortController();
		const api = cursorApi([[1], [2], [3]]);
		const iterator = paginate({
			fetchPage: api.fetchPage,
			items: (p) => p.results,
			strategy: new CursorPaginator<CursorPage>({ cursor: 'paging.next.after' }),
			signal: controller.signal,
		});
		await iterator.next();
		expect(api.fetchPage.mock.calls[0][1]).toEqual({ pageIndex: 0, signal: controller.signal });
		controller.abort(new Error('user cancelled'));
		await expect(iterator.next()).rejects.toThrow('user cancelled');
		expect(api.fetchPage).toHaveBeenCalledTimes(1);
	});

	it('rejects bad options clearly', () => {
		const fetchPage = async () => ({ results: [] as number[] });
		return Promise.all([
			expect(paginate({ fetchPage, items: (p) => p.results }).next()).rejects.toThrow(
				'a `strategy` or a `next` function is required',
			),
			expect(
				paginate({ fetchPage, items: (p) => p.results, next: () => undefined, maxPages: 0 }).next(),
			).rejects.toThrow('maxPages must be a positive integer, got 0'),
			expect(
				paginate({
					fetchPage,
					items: (p) => p.results,
					next: () => undefined,
					strategy: new CursorPaginator({ cursor: 'x' }),
				}).next(),
			).rejects.toThrow('either `strategy` or `next`, not both'),
		]);
	});
});
