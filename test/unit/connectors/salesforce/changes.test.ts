/** Watermarks of the change feed: exact ordering on (timestamp, Id), closed seconds only, by Salesforce's clock. */
import {
	isAfter,
	openSecond,
	readChanges,
	timestampMs,
} from '../../../../core/connectors/salesforce/changes';
import { fakeConnector } from './fake';

describe('change watermarks', () => {
	it('reads Salesforce timestamps with a +0000 offset', () => {
		expect(timestampMs('2024-03-05T10:15:00.000+0000')).toBe(Date.UTC(2024, 2, 5, 10, 15));
		expect(timestampMs('2024-03-05T10:15:00Z')).toBe(Date.UTC(2024, 2, 5, 10, 15));
	});

	it('orders on (timestamp, Id)', () => {
		const mark = { ts: '2024-03-05T10:15:00.000+0000', id: '003B' };
		const t = Date.UTC(2024, 2, 5, 10, 15);
		expect(isAfter(t, '003A', mark)).toBe(false);
		expect(isAfter(t, '003B', mark)).toBe(false);
		expect(isAfter(t, '003C', mark)).toBe(true);
		expect(isAfter(t + 1000, '003A', mark)).toBe(true);
	});

	it("ends the window at the clock call's second minus the lag", () => {
		const now = Date.UTC(2024, 2, 5, 10, 15, 2, 700);
		expect(openSecond(now, 0)).toBe(Date.UTC(2024, 2, 5, 10, 15, 2));
		expect(openSecond(now, 60)).toBe(Date.UTC(2024, 2, 5, 10, 14, 2));
		expect(openSecond(now)).toBe(Date.UTC(2024, 2, 5, 10, 14, 2));
	});

	const rec = (id: string, ts: string) => ({
		attributes: { type: 'Contact' },
		Id: id,
		SystemModstamp: ts,
		LastName: id,
	});

	it("hands out only seconds that are over by Salesforce's clock (read before the query), from the watermark's second on", async () => {
		const { connector, calls } = fakeConnector((req) =>
			req.path === '/services/data'
				? { headers: { date: 'Tue, 05 Mar 2024 10:15:02 GMT' }, body: [] }
				: {
						// The query is answered a second later: an edit committed meanwhile may be missing from its snapshot.
						headers: { date: 'Tue, 05 Mar 2024 10:15:03 GMT' },
						body: {
							totalSize: 4,
							done: true,
							records: [
								rec('003A', '2024-03-05T10:15:00.000+0000'),
								rec('003C', '2024-03-05T10:15:00.000+0000'),
								rec('003B', '2024-03-05T10:15:01.000+0000'),
								rec('003D', '2024-03-05T10:15:02.000+0000'),
							],
						},
					},
		);
		const result = await readChanges(connector, {
			object: 'Contact',
			event: 'updated',
			fields: ['LastName'],
			since: { ts: '2024-03-05T10:15:00.000+0000', id: '003A' },
			safetyLagSeconds: 0,
		});
		// 003A was handed out before; 003D is in the second of the clock call, which may still change — and so may
		// 10:15:02 in general, even though the query's own answer is dated 10:15:03.
		expect(result.records.map((r) => r.Id)).toEqual(['003C', '003B']);
		expect(result.watermark).toEqual({ ts: '2024-03-05T10:15:01.000+0000', id: '003B' });
		expect(result.more).toBe(true);
		expect(calls.map((c) => c.path)).toEqual(['/services/data', '/services/data/v62.0/query']);
		// Inside the watermark's second the query itself resumes after its Id; a page takes at most the limit.
		expect(calls[1].search.get('q')).toBe(
			"SELECT LastName, Id, SystemModstamp FROM Contact WHERE (SystemModstamp > 2024-03-05T10:15:00Z OR (SystemModstamp = 2024-03-05T10:15:00Z AND Id > '003A')) ORDER BY SystemModstamp ASC, Id ASC LIMIT 10000",
		);
	});

	it('holds back the default safety lag (60 s), whatever the host clock says', async () => {
		// The host clock a year ahead: the window still ends by Salesforce's clock.
		const spy = jest.spyOn(Date, 'now').mockImplementation(() => Date.UTC(2025, 2, 5, 10, 16));
		try {
			const { connector } = fakeConnector((req) =>
				req.path === '/services/data'
					? { headers: { date: 'Tue, 05 Mar 2024 10:16:00 GMT' }, body: [] }
					: {
							body: {
								totalSize: 2,
								done: true,
								records: [
									rec('003A', '2024-03-05T10:14:59.000+0000'),
									rec('003B', '2024-03-05T10:15:00.000+0000'),
								],
							},
						},
			);
			const result = await readChanges(connector, {
				object: 'Contact',
				event: 'updated',
				fields: ['LastName'],
				since: { ts: '2024-03-05T10:00:00.000+0000', id: '' },
			});
			expect(result.records.map((r) => r.Id)).toEqual(['003A']);
			expect(result.more).toBe(true);
		} finally {
			spy.mockRestore();
		}
	});

	it('fails with the fix when Salesforce sends no Date header', async () => {
		const { connector } = fakeConnector(() => ({
			body: { totalSize: 0, done: true, records: [] },
		}));
		await expect(
			readChanges(connector, {
				object: 'Contact',
				event: 'updated',
				fields: ['LastName'],
				since: { ts: '2024-03-05T10:00:00.000+0000', id: '' },
			}),
		).rejects.toThrow(/Salesforce sent no readable Date header/);
	});
});
