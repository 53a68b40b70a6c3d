import { ManualClock } from '../../../sandbox/kit';
import { client } from '../helpers';
import { sfError, startSf, type StartedSf } from './helpers';

const T0 = Date.UTC(2024, 5, 1, 8, 0, 0);
const MIN = 60_000;

describe('Salesforce simulator: getUpdated / getDeleted and system timestamps (jsforce)', () => {
	const clock = new ManualClock(T0);
	let s: StartedSf;

	beforeAll(async () => {
		s = await startSf({ clock });
	});
	afterAll(() => s.sim.stop());

	it('reports ids updated and deleted in a window, with minute-granular latestDateCovered', async () => {
		const conn = s.conn();
		const a = (await conn.sobject('Account').create({ Name: 'A' })).id as string;
		clock.advance(2 * MIN);
		const b = (await conn.sobject('Account').create({ Name: 'B' })).id as string;
		clock.advance(2 * MIN);
		await conn.sobject('Account').update({ Id: a, Phone: '555' });
		clock.advance(2 * MIN);
		await conn.sobject('Account').destroy(b);
		clock.advance(2 * MIN + 30_000);

		const all = await conn
			.sobject('Account')
			.updated(new Date(T0).toISOString(), new Date(clock.now()).toISOString());
		expect(all.ids).toEqual([a]); // b is deleted now
		expect(all.latestDateCovered).toBe('2024-06-01T08:08:00.000+0000');
		const early = await conn
			.sobject('Account')
			.updated(new Date(T0).toISOString(), new Date(T0 + 3 * MIN).toISOString());
		expect(early.ids.sort()).toEqual([a]); // b was created at 08:02 but is deleted now
		const later = await conn
			.sobject('Account')
			.updated(new Date(T0 + 3 * MIN).toISOString(), new Date(T0 + 5 * MIN).toISOString());
		expect(later.ids).toEqual([a]);
		const none = await conn
			.sobject('Account')
			.updated(new Date(T0 + 5 * MIN).toISOString(), new Date(T0 + 6 * MIN).toISOString());
		expect(none.ids).toEqual([]);

		const deleted = await conn
			.sobject('Account')
			.deleted(new Date(T0).toISOString(), new Date(clock.now()).toISOString());
		expect(deleted.deletedRecords).toEqual([
			{ id: b, deletedDate: '2024-06-01T08:06:00.000+0000' },
		]);
		expect(deleted.latestDateCovered).toBe('2024-06-01T08:08:00.000+0000');
		expect(deleted.earliestDateAvailable).toBe('2024-06-01T08:06:00.000+0000');

		const old = await sfError(
			conn
				.sobject('Account')
				.updated(new Date(T0 - 40 * 86_400_000).toISOString(), new Date(T0).toISOString()),
		);
		expect(old.errorCode).toBe('INVALID_REPLICATION_DATE');
		const http = client(s.contract.instanceUrl, {
			Authorization: `Bearer ${s.sim.contract().accessToken}`,
		});
		const missing = await http.get('/services/data/v62.0/sobjects/Account/updated/');
		expect(missing.status).toBe(400);
		expect(missing.data[0].errorCode).toBe('MISSING_ARGUMENT');
	});

	it('maintains CreatedDate, LastModifiedDate and SystemModstamp (to the second, ties allowed)', async () => {
		const conn = s.conn();
		clock.set(T0 + 60 * MIN + 250);
		const [x, y] = (
			await conn.sobject('Contact').create([{ LastName: 'X' }, { LastName: 'Y' }])
		).map((r) => r.id as string);
		const rows = await conn.query<{ Id: string; SystemModstamp: string; CreatedDate: string }>(
			'SELECT Id, CreatedDate, SystemModstamp FROM Contact ORDER BY SystemModstamp, Id',
		);
		expect(rows.records.map((r) => r.SystemModstamp)).toEqual([
			'2024-06-01T09:00:00.000+0000',
			'2024-06-01T09:00:00.000+0000',
		]);
		expect(rows.records.map((r) => r.Id)).toEqual([x, y].sort());
		clock.advance(1500);
		await conn.sobject('Contact').update({ Id: y, Title: 'T' });
		const after = await conn.query<{ Id: string }>(
			'SELECT Id FROM Contact WHERE SystemModstamp > 2024-06-01T09:00:00Z',
		);
		expect(after.records.map((r) => r.Id)).toEqual([y]);
		const got = await conn.sobject('Contact').retrieve(y);
		expect(got).toMatchObject({
			CreatedDate: '2024-06-01T09:00:00.000+0000',
			LastModifiedDate: '2024-06-01T09:00:01.000+0000',
			SystemModstamp: '2024-06-01T09:00:01.000+0000',
		});
	});
});
