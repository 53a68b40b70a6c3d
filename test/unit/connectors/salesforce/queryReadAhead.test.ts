/** The Salesforce connector's paged reads with `readAhead` and a limit: no request beyond what the limit needs. */
import { nextUrlAtHead } from '../../../../core/connectors/salesforce/soqlPages';
import { toArray } from '../../../../core/paging/iterate';
import { BASE, fakeConnector } from './fake';

const page = (from: number, count: number, next?: string) => ({
	totalSize: 5000,
	done: next === undefined,
	...(next ? { nextRecordsUrl: next } : {}),
	records: Array.from({ length: count }, (_, i) => ({
		attributes: { type: 'Contact' },
		Id: `003${from + i}`,
	})),
});

/** Three pages of 2000, 2000 and 1000 records. */
const threePages = () =>
	fakeConnector((req) => {
		if (req.path.endsWith('/query')) return { body: page(0, 2000, `${BASE}/query/01gC-2000`) };
		if (req.path.endsWith('01gC-2000'))
			return { body: page(2000, 2000, `${BASE}/query/01gC-4000`) };
		return { body: page(4000, 1000) };
	});

describe('SalesforceConnector.queryRecordPages', () => {
	it('reads every page ahead of the consumer, in order, and yields them whole', async () => {
		const { connector, calls } = threePages();
		const pages = connector.queryRecordPages('SELECT Id FROM Contact', { readAhead: true });
		expect((await pages.next()).value).toHaveLength(2000);
		expect(calls.map((c) => c.path.split('/').pop())).toEqual(['query', '01gC-2000']);
		expect((await toArray(pages)).map((p) => p.length)).toEqual([2000, 1000]);
		expect(calls).toHaveLength(3);
	});

	it.each([
		[10, [10], 1],
		[2000, [2000], 1],
		[2001, [2000, 1], 2],
		[4500, [2000, 2000, 500], 3],
	])(
		'limit %i: pages %j from %i requests (none read ahead past the limit)',
		async (limit, sizes, requests) => {
			const { connector, calls } = threePages();
			const pages = await toArray(
				connector.queryRecordPages('SELECT Id FROM Contact', { limit, readAhead: true }),
			);
			expect(pages.map((p) => p.length)).toEqual(sizes);
			expect(pages.flat().map((r) => r.Id)).toEqual(
				Array.from({ length: limit }, (_, i) => `003${i}`),
			);
			expect(calls).toHaveLength(requests);
		},
	);

	it('queryRecords gives the same records one by one, stopping at the limit', async () => {
		const { connector, calls } = threePages();
		const records = await toArray(
			connector.queryRecords('SELECT Id FROM Contact', { limit: 2500 }),
		);
		expect(records.map((r) => r.Id)).toEqual(Array.from({ length: 2500 }, (_, i) => `003${i}`));
		expect(calls).toHaveLength(2);
	});
});

describe('a page requested before its predecessor is parsed', () => {
	it('reads nextRecordsUrl only where Salesforce writes it, at the head of the page', () => {
		const url = '/services/data/v62.0/query/01gC-2000';
		expect(nextUrlAtHead(JSON.stringify(page(0, 2, url)))).toBe(url);
		expect(nextUrlAtHead(JSON.stringify(page(0, 2)))).toBeUndefined(); // done
		expect(
			nextUrlAtHead(
				JSON.stringify({ done: false, nextRecordsUrl: url, totalSize: 1, records: [] }),
			),
		).toBeUndefined(); // another order: left to the parsed page
		const inValue = JSON.stringify({
			totalSize: 1,
			done: true,
			records: [{ Note: '{"totalSize":1,"done":false,"nextRecordsUrl":"/x"' }],
		});
		expect(nextUrlAtHead(inValue)).toBeUndefined();
	});

	it('uses the parsed nextRecordsUrl when the head said otherwise (the early page is dropped, records unchanged)', async () => {
		const first = JSON.stringify(page(0, 2000, `${BASE}/query/01gC-2000`)).replace(
			'"records":',
			`"nextRecordsUrl":"${BASE}/query/01gD-2000","records":`,
		);
		const { connector, calls } = fakeConnector((req) => {
			if (req.path.endsWith('/query'))
				return { body: first, headers: { 'content-type': 'application/json' } };
			if (req.path.endsWith('01gD-2000')) return { body: page(2000, 1000) };
			return { body: page(9000, 5) }; // 01gC-2000, asked for early: never read
		});
		const pages = await toArray(
			connector.queryRecordPages('SELECT Id FROM Contact', { readAhead: true }),
		);
		expect(pages.flat().map((r) => r.Id)).toEqual(
			Array.from({ length: 3000 }, (_, i) => `003${i}`),
		);
		expect(calls.map((c) => c.path.split('/').pop())).toEqual(['query', '01gC-2000', '01gD-2000']);
	});

	it('a page that is not JSON fails the read, naming the request (never an empty read)', async () => {
		const { connector } = fakeConnector(() => ({
			body: '{"totalSize":5,"done":false,"records":[{"Id"',
			headers: { 'content-type': 'application/json' },
		}));
		await expect(toArray(connector.queryRecords('SELECT Id FROM Contact'))).rejects.toMatchObject({
			name: 'CrmError',
			kind: 'fatal',
			message: expect.stringContaining('not JSON (GET /query'),
		});
	});
});
