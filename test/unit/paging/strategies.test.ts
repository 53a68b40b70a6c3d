import {
	CursorPaginator,
	findLink,
	LinkHeaderPaginator,
	NextUrlPaginator,
	OffsetPaginator,
	PageNumberPaginator,
	paginate,
	PagingLoopError,
	PagingResponseError,
	parseLinkHeader,
	toArray,
} from '../../../core/paging';

/** A list API over `data` that honours offset/limit, optionally reporting the total. */
function offsetApi(
	data: number[],
	limit: number,
	options: { reportTotal?: boolean; cap?: number } = {},
) {
	const offsets: number[] = [];
	const fetchPage = jest.fn(async (offset: number | undefined) => {
		const start = offset ?? 0;
		offsets.push(start);
		const size = Math.min(limit, options.cap ?? limit);
		return {
			items: data.slice(start, start + size),
			total: options.reportTotal ? data.length : undefined,
		};
	});
	return { fetchPage, offsets };
}

const range = (n: number) => Array.from({ length: n }, (_, i) => i + 1);

describe('OffsetPaginator', () => {
	it('advances by the items returned and stops on a short page', async () => {
		const api = offsetApi(range(25), 10);
		const pages = await toArray(
			paginate({
				fetchPage: api.fetchPage,
				items: (p) => p.items,
				strategy: new OffsetPaginator({ limit: 10 }),
			}),
		);
		expect(pages.map((p) => p.length)).toEqual([10, 10, 5]);
		expect(api.offsets).toEqual([0, 10, 20]);
	});

	it('stops when the total is reached, without fetching an empty page', async () => {
		const api = offsetApi(range(20), 10, { reportTotal: true });
		const pages = await toArray(
			paginate({
				fetchPage: api.fetchPage,
				items: (p) => p.items,
				strategy: new OffsetPaginator({ limit: 10, total: 'total' }),
			}),
		);
		expect(pages.flat()).toEqual(range(20));
		expect(api.offsets).toEqual([0, 10]);
	});

	it('without the total, a full last page costs one extra (empty) fetch, then stops', async () => {
		const api = offsetApi(range(20), 10);
		const pages = await toArray(
			paginate({
				fetchPage: api.fetchPage,
				items: (p) => p.items,
				strategy: new OffsetPaginator({ limit: 10 }),
			}),
		);
		expect(pages.flat()).toEqual(range(20));
		expect(api.offsets).toEqual([0, 10, 20]);
	});

	it('keeps going on short pages when the server caps the page size and stopOnShortPage is off', async () => {
		const api = offsetApi(range(12), 10, { cap: 5, reportTotal: true });
		const strategy = new OffsetPaginator({ limit: 10, total: 'total', stopOnShortPage: false });
		const pages = await toArray(
			paginate({ fetchPage: api.fetchPage, items: (p) => p.items, strategy }),
		);
		expect(pages.flat()).toEqual(range(12));
		expect(api.offsets).toEqual([0, 5, 10]);
	});

	it('starts at a custom offset', async () => {
		const api = offsetApi(range(30), 10);
		const pages = await toArray(
			paginate({
				fetchPage: api.fetchPage,
				items: (p) => p.items,
				strategy: new OffsetPaginator({ limit: 10, start: 20 }),
			}),
		);
		expect(pages.flat()).toEqual(range(30).slice(20));
	});

	it('detects an API that ignores the offset (same page again) and names the offset', async () => {
		const fetchPage = jest.fn(async () => ({ items: [1, 2, 3] }));
		const error = await toArray(
			paginate({ fetchPage, items: (p) => p.items, strategy: new OffsetPaginator({ limit: 3 }) }),
		).catch((e: unknown) => e);
		expect(error).toBeInstanceOf(PagingLoopError);
		expect((error as Error).message).toBe(
			'Paging loop detected: page 2 (offset 3) returned exactly the same 3 records as page 1 — the API seems to ignore the offset; stopped instead of reading the same page forever.',
		);
		expect(error).toMatchObject({ reason: 'repeatedPage', token: 3, pageIndex: 1 });
		expect(fetchPage).toHaveBeenCalledTimes(2);
	});

	it('reports a total that is not a number', async () => {
		const fetchPage = async () => ({ items: [1], total: 'many' });
		await expect(
			toArray(
				paginate({
					fetchPage,
					items: (p) => p.items,
					strategy: new OffsetPaginator({ limit: 1, total: 'total' }),
				}),
			),
		).rejects.toThrow(
			new PagingResponseError(
				'page 1: the total is "many", not a number — check the path given for the total',
				0,
			),
		);
	});

	it('validates its options', () => {
		expect(() => new OffsetPaginator({ limit: 0 })).toThrow(
			'OffsetPaginator: limit must be a positive integer, got 0',
		);
		expect(() => new OffsetPaginator({ limit: 10, start: -1 })).toThrow(
			'OffsetPaginator: start must be a non-negative integer, got -1',
		);
	});
});

describe('PageNumberPaginator', () => {
	const pagedApi = (data: number[], size: number, reportPages = false) => {
		const requested: number[] = [];
		const fetchPage = jest.fn(async (page: number | undefined) => {
			const p = page ?? 1;
			requested.push(p);
			return {
				data: data.slice((p - 1) * size, p * size),
				meta: reportPages ? { totalPages: Math.ceil(data.length / size) } : {},
			};
		});
		return { fetchPage, requested };
	};

	it('counts pages from 1 and stops on an empty page', async () => {
		const api = pagedApi(range(6), 3);
		const pages = await toArray(
			paginate({
				fetchPage: api.fetchPage,
				items: (p) => p.data,
				strategy: new PageNumberPaginator(),
			}),
		);
		expect(pages).toEqual([
			[1, 2, 3],
			[4, 5, 6],
		]);
		expect(api.requested).toEqual([1, 2, 3]);
	});

	it('stops on a short page when pageSize is known', async () => {
		const api = pagedApi(range(7), 3);
		await toArray(
			paginate({
				fetchPage: api.fetchPage,
				items: (p) => p.data,
				strategy: new PageNumberPaginator({ pageSize: 3 }),
			}),
		);
		expect(api.requested).toEqual([1, 2, 3]);
	});

	it('stops on the last page announced by totalPages', async () => {
		const api = pagedApi(range(6), 3, true);
		await toArray(
			paginate({
				fetchPage: api.fetchPage,
				items: (p) => p.data,
				strategy: new PageNumberPaginator({ totalPages: 'meta.totalPages' }),
			}),
		);
		expect(api.requested).toEqual([1, 2]);
	});

	it('supports zero-based page numbers with totalPages', async () => {
		const requested: number[] = [];
		const strategy = new PageNumberPaginator<{ rows: number[]; pages: number }>({
			start: 0,
			totalPages: 'pages',
		});
		await toArray(
			paginate({
				fetchPage: async (page: number | undefined) => {
					requested.push(page ?? -1);
					return { rows: [page ?? -1], pages: 3 };
				},
				items: (p) => p.rows,
				strategy,
			}),
		);
		expect(requested).toEqual([0, 1, 2]);
	});

	it('honours hasMore === false', async () => {
		const requested: number[] = [];
		await toArray(
			paginate({
				fetchPage: async (page: number | undefined) => {
					requested.push(page ?? 0);
					return { rows: [page], has_more: page !== 2 };
				},
				items: (p) => p.rows,
				strategy: new PageNumberPaginator({ hasMore: 'has_more' }),
			}),
		);
		expect(requested).toEqual([1, 2]);
	});
});

describe('CursorPaginator and NextUrlPaginator', () => {
	it('treats null, empty and missing cursors as the end, and numbers as cursors', () => {
		const strategy = new CursorPaginator({ cursor: 'paging.next.after' });
		const ctx = { pageIndex: 0, itemCount: 1 };
		expect(strategy.next({ paging: { next: { after: null } } }, undefined, ctx)).toBeUndefined();
		expect(strategy.next({ paging: { next: { after: '' } } }, undefined, ctx)).toBeUndefined();
		expect(strategy.next({}, undefined, ctx)).toBeUndefined();
		expect(strategy.next({ paging: { next: { after: 200 } } }, undefined, ctx)).toBe('200');
		expect(() =>
			strategy.next({ paging: { next: { after: { id: 1 } } } }, undefined, {
				pageIndex: 4,
				itemCount: 1,
			}),
		).toThrow('page 5: the cursor is a object, not a string — check the path given for the cursor');
	});

	it('reads OData @odata.nextLink (a key containing a dot) and resolves relative Salesforce URLs', () => {
		const odata = new NextUrlPaginator({ nextUrl: '@odata.nextLink' });
		const ctx = { pageIndex: 0, itemCount: 1 };
		expect(
			odata.next(
				{ '@odata.nextLink': 'https://org.crm.dynamics.com/api/data/v9.2/contacts?$skiptoken=x' },
				undefined,
				ctx,
			),
		).toBe('https://org.crm.dynamics.com/api/data/v9.2/contacts?$skiptoken=x');
		const salesforce = new NextUrlPaginator<{ done: boolean; nextRecordsUrl?: string }>({
			nextUrl: 'nextRecordsUrl',
			hasMore: (p) => !p.done,
			baseUrl: 'https://example.my.salesforce.com',
		});
		expect(
			salesforce.next(
				{ done: false, nextRecordsUrl: '/services/data/v59.0/query/01g-2000' },
				undefined,
				ctx,
			),
		).toBe('https://example.my.salesforce.com/services/data/v59.0/query/01g-2000');
		expect(
			salesforce.next(
				{ done: true, nextRecordsUrl: '/services/data/v59.0/query/01g-4000' },
				undefined,
				ctx,
			),
		).toBeUndefined();
	});
});

describe('Link header parsing (RFC 8288)', () => {
	it('parses several links with quoted and unquoted params', () => {
		const header =
			'<https://api.example.com/items?page=3&per_page=50>; rel="next", <https://api.example.com/items?page=10&per_page=50>; rel=last; title="Last, final; page"';
		expect(parseLinkHeader(header)).toEqual([
			{
				uri: 'https://api.example.com/items?page=3&per_page=50',
				rel: ['next'],
				params: { rel: 'next' },
			},
			{
				uri: 'https://api.example.com/items?page=10&per_page=50',
				rel: ['last'],
				params: { rel: 'last', title: 'Last, final; page' },
			},
		]);
	});

	it('handles commas and semicolons inside URIs, multiple rel values, case and escapes', () => {
		const header =
			'<https://x.test/a?ids=1,2;3>; REL="Prev Next"; title="say \\"hi\\"", <https://x.test/b>;rel=first';
		const links = parseLinkHeader(header);
		expect(links[0]).toEqual({
			uri: 'https://x.test/a?ids=1,2;3',
			rel: ['prev', 'next'],
			params: { rel: 'Prev Next', title: 'say "hi"' },
		});
		expect(links[1].rel).toEqual(['first']);
		expect(findLink(header)).toBe('https://x.test/a?ids=1,2;3');
		expect(findLink(header, 'first')).toBe('https://x.test/b');
		expect(findLink(header, 'last')).toBeUndefined();
	});

	it('uses the first rel when a link repeats it, skips malformed links and resolves relative URIs', () => {
		const header = 'garbage, <x>; rel="prev"; rel="next", </items?page=2>; rel="next"';
		expect(findLink(header, 'next', 'https://api.example.com/items?page=1')).toBe(
			'https://api.example.com/items?page=2',
		);
		expect(
			parseLinkHeader(['<https://a.test/1>; rel="next"', '<https://a.test/9>; rel="last"']).map(
				(l) => l.uri,
			),
		).toEqual(['https://a.test/1', 'https://a.test/9']);
		expect(parseLinkHeader(undefined)).toEqual([]);
		expect(parseLinkHeader('')).toEqual([]);
	});

	it('LinkHeaderPaginator follows rel=next from HttpResponse-shaped pages, and stops without it', async () => {
		const responses: Record<
			string,
			{ status: number; url: string; headers: Record<string, string>; body: number[] }
		> = {
			start: {
				status: 200,
				url: 'https://api.test/users',
				headers: { link: '<https://api.test/users?since=2>; rel="next"' },
				body: [1, 2],
			},
			'https://api.test/users?since=2': {
				status: 200,
				url: 'https://api.test/users?since=2',
				headers: { link: '<https://api.test/users>; rel="first"' },
				body: [3],
			},
		};
		const fetchPage = jest.fn(async (token: string | undefined) => responses[token ?? 'start']);
		const pages = await toArray(
			paginate({ fetchPage, items: (r) => r.body, strategy: new LinkHeaderPaginator() }),
		);
		expect(pages).toEqual([[1, 2], [3]]);
		expect(fetchPage).toHaveBeenCalledTimes(2);
	});
});
