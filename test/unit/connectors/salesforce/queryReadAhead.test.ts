/** The Salesforce connector's paged reads with `readAhead` and a limit: no request beyond what the limit needs. */
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
