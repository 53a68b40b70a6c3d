/** The simulator's users (record owners): added by tests or the seed endpoint, read with SOQL, gone after reset. */
import { sfError, startSf, type StartedSf } from './helpers';

describe('Salesforce simulator: users (jsforce)', () => {
	let s: StartedSf;
	beforeAll(async () => {
		s = await startSf();
	});
	afterAll(() => s.sim.stop());
	beforeEach(() => s.sim.reset());

	it('addUser: a User row with a computed Name, readable by SOQL and usable as a record owner', async () => {
		const id = s.sim.addUser({
			email: 'Pat.Owner@Example.com',
			firstName: 'Pat',
			lastName: 'Owner',
		});
		const off = s.sim.addUser({ email: 'gone@example.com', lastName: 'Gone', active: false });
		const conn = s.conn();
		const rows = await conn.query<{ Id: string; Email: string; Name: string; IsActive: boolean }>(
			'SELECT Id, Email, Name, IsActive FROM User ORDER BY Id',
		);
		expect(rows.records.map((r) => [r.Id, r.Email, r.Name, r.IsActive])).toEqual([
			[s.sim.org.userId, s.sim.username, 'Integration User', true],
			[id, 'Pat.Owner@Example.com', 'Pat Owner', true],
			[off, 'gone@example.com', 'Gone', false],
		]);
		const contact = await conn.sobject('Contact').create({ LastName: 'Owned', OwnerId: id });
		const read = await conn.sobject('Contact').retrieve(contact.id as string);
		expect(read.OwnerId).toBe(id);
		// User is not creatable through the API, as in Salesforce.
		expect((await sfError(conn.sobject('User').create({ LastName: 'X' }))).errorCode).toBeTruthy();
		expect(() => s.sim.addUser({ email: 'pat.owner@example.com', lastName: 'Twice' })).toThrow(
			/exists already/,
		);
	});

	it('the seed endpoint adds users (every fifth inactive); reset keeps only the integration user', async () => {
		const res = await fetch(`${s.contract.instanceUrl}/__sandbox/seed`, {
			method: 'POST',
			headers: { 'content-type': 'application/json' },
			body: JSON.stringify({ users: 10 }),
		});
		expect(res.status).toBe(201);
		const users = s.sim.table('User').collection.list();
		expect(users).toHaveLength(11);
		expect(users.filter((u) => u.fields.IsActive === false)).toHaveLength(2);
		expect(
			users.filter((u) => /^seed\.user\.\d+@example\.com$/.test(String(u.fields.Email))),
		).toHaveLength(10);
		s.sim.reset();
		expect(
			s.sim
				.table('User')
				.collection.list()
				.map((u) => u.id),
		).toEqual([s.sim.org.userId]);
	});
});
