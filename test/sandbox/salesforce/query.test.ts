import { performance } from 'node:perf_hooks';
import { ManualClock } from '../../../sandbox/kit';
import { compileSoql } from '../../../sandbox/salesforce';
import { client } from '../helpers';
import { sfError, startSf, type StartedSf } from './helpers';

const T0 = Date.UTC(2024, 4, 15, 12, 0, 0);
const DAY = 86_400_000;

describe('Salesforce simulator: SOQL (jsforce)', () => {
	const clock = new ManualClock(T0 - 10 * DAY);
	let s: StartedSf;
	const ids: Record<string, string> = {};

	beforeAll(async () => {
		s = await startSf({ clock });
		const conn = s.conn();
		const accts = await conn.sobject('Account').create([
			{ Name: 'Acme', Industry: 'Technology', NumberOfEmployees: 500, AnnualRevenue: 1_000_000 },
			{ Name: 'Globex', Industry: 'Energy', NumberOfEmployees: 50 },
			{ Name: "O'Reilly & Sons", Industry: 'Retail' },
		]);
		[ids.acme, ids.globex, ids.oreilly] = accts.map((r) => r.id as string);
		const people = [
			{
				FirstName: 'Ada',
				LastName: 'Lovelace',
				Email: 'ada@acme.com',
				AccountId: ids.acme,
				Birthdate: '1815-12-10',
				Title: 'CTO',
			},
			{
				FirstName: 'Grace',
				LastName: 'Hopper',
				Email: 'grace@acme.com',
				AccountId: ids.acme,
				Birthdate: '1906-12-09',
			},
			{
				FirstName: 'Alan',
				LastName: 'Turing',
				Email: 'alan@globex.com',
				AccountId: ids.globex,
				Title: 'Researcher',
			},
			{ FirstName: null, LastName: 'Nobody', Email: null },
			{ FirstName: 'Percent', LastName: '100% sure_thing', Email: 'p@x.org' },
		];
		for (const [i, p] of people.entries()) {
			const r = await conn.sobject('Contact').create(p);
			ids[`c${i}`] = r.id as string;
			clock.advance(DAY); // one record per day: CreatedDate T0-10d … T0-6d
		}
		clock.set(T0);
	});
	afterAll(() => s.sim.stop());

	// eslint-disable-next-line @typescript-eslint/no-explicit-any -- query rows are untyped JSON navigated freely in assertions
	const q = async (soql: string) => (await s.conn().query<Record<string, any>>(soql)).records;
	const names = async (soql: string) => (await q(soql)).map((r) => r.LastName ?? r.Name);

	it('selects fields and parent relationship fields (null parent → null)', async () => {
		const rows = await q(
			'SELECT Id, Name, Email, Account.Name, Account.Owner.Name FROM Contact ORDER BY LastName',
		);
		expect(rows.map((r) => r.Name)).toEqual([
			'Percent 100% sure_thing',
			'Grace Hopper',
			'Ada Lovelace',
			'Nobody',
			'Alan Turing',
		]);
		expect(rows[1]).toEqual({
			attributes: { type: 'Contact', url: `/services/data/v62.0/sobjects/Contact/${ids.c1}` },
			Id: ids.c1,
			Name: 'Grace Hopper',
			Email: 'grace@acme.com',
			Account: {
				attributes: { type: 'Account', url: `/services/data/v62.0/sobjects/Account/${ids.acme}` },
				Name: 'Acme',
				Owner: {
					attributes: {
						type: 'User',
						url: `/services/data/v62.0/sobjects/User/${s.sim.org.userId}`,
					},
					Name: 'Integration User',
				},
			},
		});
		expect(rows.find((r) => r.Name === 'Nobody')!.Account).toBeNull();
		// field names come back in their canonical casing
		expect(Object.keys((await q('select id, lastname from contact limit 1'))[0])).toEqual([
			'attributes',
			'Id',
			'LastName',
		]);
	});

	it('filters with AND / OR / NOT, parentheses and comparison operators', async () => {
		expect(
			await names("SELECT LastName FROM Contact WHERE Account.Name = 'acme' AND Title = 'CTO'"),
		).toEqual(['Lovelace']);
		expect(
			await names(
				"SELECT LastName FROM Contact WHERE Title = 'CTO' OR Title = 'Researcher' ORDER BY LastName",
			),
		).toEqual(['Lovelace', 'Turing']);
		expect(
			await names(
				"SELECT LastName FROM Contact WHERE (Title = 'CTO' OR Title = 'Researcher') AND NOT Account.Name = 'Acme'",
			),
		).toEqual(['Turing']);
		expect(
			await names('SELECT Name FROM Account WHERE NumberOfEmployees > 50 ORDER BY Name'),
		).toEqual(['Acme']);
		expect(
			await names('SELECT Name FROM Account WHERE NumberOfEmployees >= 50 ORDER BY Name'),
		).toEqual(['Acme', 'Globex']);
		expect(
			await names('SELECT Name FROM Account WHERE NumberOfEmployees < 500 ORDER BY Name'),
		).toEqual(['Globex']);
		expect(
			await names(
				'SELECT Name FROM Account WHERE NumberOfEmployees <= 500 AND AnnualRevenue != null',
			),
		).toEqual(['Acme']);
		expect(
			await names("SELECT Name FROM Account WHERE Industry != 'Energy' ORDER BY Name"),
		).toEqual(['Acme', "O'Reilly & Sons"]);
		expect(await names('SELECT LastName FROM Contact WHERE Email = null')).toEqual(['Nobody']);
		expect(
			await names(
				'SELECT LastName FROM Contact WHERE Email != null AND FirstName != null ORDER BY LastName',
			),
		).toEqual(['100% sure_thing', 'Hopper', 'Lovelace', 'Turing']);
		expect(
			await names(
				`SELECT LastName FROM Contact WHERE AccountId IN ('${ids.globex}', '${ids.oreilly}')`,
			),
		).toEqual(['Turing']);
		expect(
			await names(
				`SELECT LastName FROM Contact WHERE AccountId NOT IN ('${ids.acme}') ORDER BY LastName`,
			),
		).toEqual(['100% sure_thing', 'Nobody', 'Turing']);
		expect(
			await names("SELECT LastName FROM Contact WHERE Id = '" + ids.c0.slice(0, 15) + "'"),
		).toEqual(['Lovelace']);
	});

	it('supports LIKE with wildcards and escapes, and string escapes that keep quotes inside the value', async () => {
		expect(
			await names("SELECT LastName FROM Contact WHERE Email LIKE '%@acme.com' ORDER BY LastName"),
		).toEqual(['Hopper', 'Lovelace']);
		expect(await names("SELECT LastName FROM Contact WHERE LastName LIKE 'tur_ng'")).toEqual([
			'Turing',
		]);
		expect(
			await names("SELECT LastName FROM Contact WHERE LastName LIKE '100\\% sure\\_%'"),
		).toEqual(['100% sure_thing']);
		expect(await names("SELECT LastName FROM Contact WHERE LastName LIKE '1000%'")).toEqual([]);
		expect(await names("SELECT Name FROM Account WHERE Name = 'O\\'Reilly & Sons'")).toEqual([
			"O'Reilly & Sons",
		]);
		// an escaped quote cannot end the literal: the whole value is compared, nothing else matches
		expect(await names("SELECT Name FROM Account WHERE Name = 'x\\' OR Name != \\'x'")).toEqual([]);
		expect(
			await names(
				"SELECT Name FROM Account WHERE Name IN ('Acme', 'Nope\\\\', 'Globex\\n') ORDER BY Name",
			),
		).toEqual(['Acme']);
	});

	it('compares dates, datetimes and date literals (TODAY, YESTERDAY, LAST_N_DAYS:n)', async () => {
		expect(await names('SELECT LastName FROM Contact WHERE Birthdate < 1900-01-01')).toEqual([
			'Lovelace',
		]);
		expect(await names('SELECT LastName FROM Contact WHERE Birthdate = 1906-12-09')).toEqual([
			'Hopper',
		]);
		// created one per day at 12:00 from T0-10d
		expect(
			await names(
				'SELECT LastName FROM Contact WHERE CreatedDate > 2024-05-07T00:00:00Z ORDER BY CreatedDate',
			),
		).toEqual(['Turing', 'Nobody', '100% sure_thing']);
		expect(
			await names('SELECT LastName FROM Contact WHERE CreatedDate <= 2024-05-05T12:00:00.000Z'),
		).toEqual(['Lovelace']);
		expect(
			await names(
				'SELECT LastName FROM Contact WHERE CreatedDate >= 2024-05-05T14:00:00+02:00 AND CreatedDate < 2024-05-06T12:00:00Z',
			),
		).toEqual(['Lovelace']);
		// LAST_N_DAYS:8 covers today and the 8 days before it: from 2024-05-07T00:00Z
		expect(
			await names(
				'SELECT LastName FROM Contact WHERE CreatedDate = LAST_N_DAYS:8 ORDER BY CreatedDate',
			),
		).toEqual(['Turing', 'Nobody', '100% sure_thing']);
		expect(
			await names(
				'SELECT LastName FROM Contact WHERE CreatedDate < LAST_N_DAYS:8 ORDER BY CreatedDate',
			),
		).toEqual(['Lovelace', 'Hopper']);
		expect(await names('SELECT LastName FROM Contact WHERE CreatedDate = TODAY')).toEqual([]);
		await s.conn().sobject('Contact').create({ LastName: 'Today' });
		expect(await names('SELECT LastName FROM Contact WHERE CreatedDate = TODAY')).toEqual([
			'Today',
		]);
		expect(await names('SELECT LastName FROM Contact WHERE CreatedDate = YESTERDAY')).toEqual([]);
		clock.advance(DAY);
		expect(await names('SELECT LastName FROM Contact WHERE CreatedDate = YESTERDAY')).toEqual([
			'Today',
		]);
		expect(await names('SELECT LastName FROM Contact WHERE CreatedDate > YESTERDAY')).toEqual([]);
		await s
			.conn()
			.sobject('Contact')
			.destroy((await q("SELECT Id FROM Contact WHERE LastName = 'Today'"))[0].Id);
		clock.set(T0);
	});

	it('orders by several keys with NULLS FIRST / LAST, and applies LIMIT and OFFSET', async () => {
		expect(
			await names(
				'SELECT FirstName, LastName FROM Contact ORDER BY FirstName NULLS LAST, LastName DESC',
			),
		).toEqual(['Lovelace', 'Turing', 'Hopper', '100% sure_thing', 'Nobody']);
		expect(
			await names('SELECT LastName FROM Contact ORDER BY FirstName ASC NULLS FIRST LIMIT 2'),
		).toEqual(['Nobody', 'Lovelace']);
		expect(await names('SELECT LastName FROM Contact ORDER BY FirstName DESC')).toEqual([
			'100% sure_thing',
			'Hopper',
			'Turing',
			'Lovelace',
			'Nobody',
		]);
		expect(await names('SELECT LastName FROM Contact ORDER BY LastName LIMIT 2 OFFSET 1')).toEqual([
			'Hopper',
			'Lovelace',
		]);
		const count = await s
			.conn()
			.query("SELECT COUNT() FROM Contact WHERE Account.Industry = 'Technology'");
		expect(count).toEqual({ totalSize: 2, done: true, records: [] });
	});

	it('answers malformed queries and unknown names with Salesforce-worded errors', async () => {
		const noColumn = await sfError(s.conn().query('SELECT Foo FROM Contact'));
		expect(noColumn.errorCode).toBe('INVALID_FIELD');
		expect(noColumn.message).toBe(
			"\nSELECT Foo FROM Contact\n       ^\nERROR at Row:1:Column:8\nNo such column 'Foo' on entity 'Contact'. If you are attempting to use a custom field, be sure to append the '__c' after the custom field name. Please reference your WSDL or the describe call for the appropriate names.",
		);
		const noObject = await sfError(s.conn().query('SELECT Id FROM Contacts'));
		expect(noObject.errorCode).toBe('INVALID_TYPE');
		expect(noObject.message).toMatch(
			/^\nSELECT Id FROM Contacts\n {15}\^\nERROR at Row:1:Column:16\nsObject type 'Contacts' is not supported\./,
		);
		const malformed = await sfError(s.conn().query('SELECT Id FROM Contact WHERE'));
		expect(malformed.errorCode).toBe('MALFORMED_QUERY');
		expect(malformed.message).toMatch(/unexpected token: <EOF>$/);
		const mixed = await sfError(
			s
				.conn()
				.query("SELECT Id FROM Contact WHERE LastName = 'a' AND FirstName = 'b' OR Title = 'c'"),
		);
		expect(mixed).toMatchObject({
			errorCode: 'MALFORMED_QUERY',
			message: expect.stringMatching(/unexpected token: OR$/),
		});
		const badRel = await sfError(s.conn().query('SELECT Acount.Name FROM Contact'));
		expect(badRel).toMatchObject({
			errorCode: 'INVALID_FIELD',
			message: expect.stringContaining("Didn't understand relationship 'Acount' in field path."),
		});
		const typeMismatch = await sfError(
			s.conn().query("SELECT Id FROM Account WHERE NumberOfEmployees = '5'"),
		);
		expect(typeMismatch).toMatchObject({
			errorCode: 'INVALID_FIELD',
			message: expect.stringContaining(
				"value of filter criterion for field 'NumberOfEmployees' must be of type integer and should not be enclosed in quotes",
			),
		});
		const badId = await sfError(s.conn().query("SELECT Id FROM Contact WHERE Id = 'nope'"));
		expect(badId).toMatchObject({
			errorCode: 'INVALID_QUERY_FILTER_OPERATOR',
			message: expect.stringContaining('invalid ID field: nope'),
		});
		const offset = await sfError(s.conn().query('SELECT Id FROM Contact LIMIT 1 OFFSET 2001'));
		expect(offset.errorCode).toBe('NUMBER_OUTSIDE_VALID_RANGE');
		const badEscape = await sfError(
			s.conn().query("SELECT Id FROM Contact WHERE LastName = 'a\\qb'"),
		);
		expect(badEscape.errorCode).toBe('MALFORMED_QUERY');
		const badDateTime = await sfError(
			s.conn().query('SELECT Id FROM Contact WHERE CreatedDate > 2024-01-01T00:00:00.000+0000'),
		);
		expect(badDateTime).toMatchObject({
			errorCode: 'MALFORMED_QUERY',
			message: expect.stringContaining('invalid datetime literal: 2024-01-01T00:00:00.000+0000'),
		});
		const textarea = await sfError(
			s.conn().query("SELECT Id FROM Account WHERE Description = 'x'"),
		);
		expect(textarea.message).toMatch(/field 'Description' can not be filtered in a query call$/);
		const multiLine = await sfError(s.conn().query('SELECT Id,\n  Nope__c\nFROM Contact'));
		expect(multiLine.message).toMatch(/^\n {2}Nope__c\n {2}\^\nERROR at Row:2:Column:3\n/);
	});

	it('supports a watermark with an Id tie-break (SystemModstamp ties, Id compared case-sensitively)', async () => {
		const conn = s.conn();
		clock.set(T0 + 5000);
		const created = await conn
			.sobject('Lead')
			.create(Array.from({ length: 5 }, (_, i) => ({ LastName: `W${i}`, Company: 'W' })));
		const leadIds = created.map((r) => r.id as string);
		const ordered = await q('SELECT Id, SystemModstamp FROM Lead ORDER BY SystemModstamp, Id');
		expect(ordered.map((r) => r.Id)).toEqual(leadIds);
		expect(new Set(ordered.map((r) => r.SystemModstamp)).size).toBe(1); // all in the same second
		const mark = ordered[1];
		const after = await q(
			`SELECT Id FROM Lead WHERE SystemModstamp > ${mark.SystemModstamp.replace('+0000', 'Z')} OR (SystemModstamp = ${mark.SystemModstamp.replace('+0000', 'Z')} AND Id > '${mark.Id}') ORDER BY SystemModstamp, Id`,
		);
		expect(after.map((r) => r.Id)).toEqual(leadIds.slice(2));
		const http = client(s.contract.instanceUrl, {
			Authorization: `Bearer ${s.sim.contract().accessToken}`,
		});
		const wrongMethod = await http.put(`/services/data/v62.0/sobjects/Lead/${leadIds[0]}`, {});
		expect(wrongMethod.status).toBe(405);
		expect(wrongMethod.data[0]).toMatchObject({
			errorCode: 'METHOD_NOT_ALLOWED',
			message: "HTTP Method 'PUT' not allowed. Allowed are GET,PATCH,DELETE",
		});
		clock.set(T0);
	});

	it('queryAll returns deleted rows with IsDeleted = true', async () => {
		const conn = s.conn();
		const gone = await conn.sobject('Account').create({ Name: 'Gone Inc' });
		await conn.sobject('Account').destroy(gone.id as string);
		expect(await names("SELECT Name FROM Account WHERE Name = 'Gone Inc'")).toEqual([]);
		const all = await conn.query<Record<string, unknown>>(
			"SELECT Name, IsDeleted FROM Account WHERE Name = 'Gone Inc'",
			{ scanAll: true },
		);
		expect(all.records).toEqual([expect.objectContaining({ Name: 'Gone Inc', IsDeleted: true })]);
		expect(s.sim.log.count({ kind: 'queryAll' })).toBeGreaterThanOrEqual(1);
		expect(
			(await conn.query('SELECT COUNT() FROM Account WHERE IsDeleted = true', { scanAll: true }))
				.totalSize,
		).toBe(1);
	});

	it('pages 5,000+ records through nextRecordsUrl (2,000 by default, batchSize via Sforce-Query-Options)', async () => {
		s.sim.seed({ accounts: 10, contacts: 5200 });
		const conn = s.conn();
		const http = client(s.contract.instanceUrl, {
			Authorization: `Bearer ${s.sim.contract().accessToken}`,
		});
		const first = await http.get('/services/data/v62.0/query', {
			params: { q: 'SELECT Id, Name, Account.Name FROM Contact ORDER BY CreatedDate, Id' },
		});
		expect(first.data.totalSize).toBe(5205);
		expect(first.data.done).toBe(false);
		expect(first.data.records).toHaveLength(2000);
		expect(first.data.nextRecordsUrl).toMatch(
			/^\/services\/data\/v62\.0\/query\/01g[0-9A-Za-z]{12}-2000$/,
		);
		const second = await http.get(first.data.nextRecordsUrl);
		expect(second.data.records).toHaveLength(2000);
		expect(second.data.records[0].Id).not.toBe(first.data.records[1999].Id);
		expect(second.data.nextRecordsUrl).toMatch(/-4000$/);

		const small = await http.get('/services/data/v62.0/query', {
			params: { q: 'SELECT Id FROM Contact' },
			headers: { 'Sforce-Query-Options': 'batchSize=500' },
		});
		expect(small.data.records).toHaveLength(500);
		expect(small.data.nextRecordsUrl).toMatch(/-500$/);
		const clamped = await http.get('/services/data/v62.0/query', {
			params: { q: 'SELECT Id FROM Contact' },
			headers: { 'Sforce-Query-Options': 'batchSize=10' },
		});
		expect(clamped.data.records).toHaveLength(200);

		s.sim.log.reset();
		const t = performance.now();
		const pages: number[] = [];
		const all = await conn
			.query<{ Id: string }>('SELECT Id, Email FROM Contact')
			.on('fetch', () => pages.push(1))
			.run({ autoFetch: true, maxFetch: 100_000 });
		const ms = performance.now() - t;
		expect(all.records ?? []).toHaveLength(5205);
		expect(new Set(all.records.map((r) => r.Id)).size).toBe(5205);
		expect(s.sim.log.count({ kind: 'query' })).toBe(1);
		expect(s.sim.log.count({ kind: 'queryMore' })).toBe(2);
		process.stdout.write(
			`[salesforce sandbox] query of 5,205 contacts: 3 pages, ${ms.toFixed(0)} ms\n`,
		);

		const invalid = await http.get('/services/data/v62.0/query/01g5g000000ZZZZ-2000');
		expect(invalid.status).toBe(400);
		expect(invalid.data[0].errorCode).toBe('INVALID_QUERY_LOCATOR');
	});

	it('evaluates 50,000-row filters quickly (compiled predicate, decorate-sort)', () => {
		s.sim.seed({ contacts: 45_000 });
		const t = performance.now();
		const compiled = compileSoql(
			s.sim.org,
			"SELECT Id, Account.Name FROM Contact WHERE Email LIKE '%example.com' AND (Title = 'CTO' OR Title = 'CEO') ORDER BY LastName, Id LIMIT 100",
			'62.0',
			clock.now(),
		);
		const { records } = compiled.run({ includeDeleted: false });
		const ms = performance.now() - t;
		expect(records).toHaveLength(100);
		process.stdout.write(
			`[salesforce sandbox] filter+sort over ${s.sim.table('Contact').collection.count()} contacts: ${ms.toFixed(0)} ms\n`,
		);
	});
});
