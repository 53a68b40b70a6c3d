/** Watermarks of the change feed: exact ordering on (timestamp, Id), closed seconds only. */
import { isAfter, readChanges, timestampMs } from '../../../../core/connectors/salesforce/changes';
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

	it('hands out only seconds that are over by the server clock, from the watermark\'s second on', async () => {
		const rec = (id: string, ts: string) => ({ attributes: { type: 'Contact' }, Id: id, SystemModstamp: ts, LastName: id });
		const { connector, calls } = fakeConnector(() => ({
			headers: { date: 'Tue, 05 Mar 2024 10:15:02 GMT' },
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
		}));
		const result = await readChanges(connector, { object: 'Contact', event: 'updated', fields: ['LastName'], since: { ts: '2024-03-05T10:15:00.000+0000', id: '003A' } });
		// 003A was handed out before; 003D is in the server's current second, which may still change.
		expect(result.records.map((r) => r.Id)).toEqual(['003C', '003B']);
		expect(result.watermark).toEqual({ ts: '2024-03-05T10:15:01.000+0000', id: '003B' });
		expect(result.more).toBe(true);
		expect(calls[0].search.get('q')).toBe(
			'SELECT LastName, Id, SystemModstamp FROM Contact WHERE SystemModstamp >= 2024-03-05T10:15:00Z ORDER BY SystemModstamp ASC, Id ASC',
		);
	});
});
