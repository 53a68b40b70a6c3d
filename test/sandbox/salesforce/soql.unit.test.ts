import { ManualClock, Store } from '../../../sandbox/kit';
import { OrgData, SfApiError, compileSoql } from '../../../sandbox/salesforce';

const NOW = Date.UTC(2024, 6, 10, 15, 30, 0);

function org(): OrgData {
	const clock = new ManualClock(NOW);
	const o = new OrgData({ store: new Store({ clock, strictTimestamps: false }), clock });
	o.userId = '0055g0000000001AAA';
	const accounts = o.mustTable('Account');
	const add = (fields: Record<string, unknown>) => {
		const v = o.validate(accounts, fields, 'create', 'json');
		if (v.errors.length) throw new Error(JSON.stringify(v.errors));
		return accounts.insert(v.fields).id;
	};
	add({ Name: 'Alpha', NumberOfEmployees: 10, Industry: 'Banking' });
	add({ Name: 'beta', NumberOfEmployees: 20, Industry: 'Energy' });
	add({ Name: 'Gamma', NumberOfEmployees: null, Industry: 'Energy' });
	add({ Name: 'delta', NumberOfEmployees: 40 });
	return o;
}

function run(o: OrgData, soql: string): string[] {
	const q = compileSoql(o, soql, '62.0', NOW);
	return q.run({ includeDeleted: false }).records.map((r) => String(r.fields.Name));
}

function error(o: OrgData, soql: string): SfApiError {
	try {
		compileSoql(o, soql, '62.0', NOW);
	} catch (err) {
		if (err instanceof SfApiError) return err;
		throw err;
	}
	throw new Error('expected an error');
}

describe('SOQL engine (parser + evaluator)', () => {
	const o = org();

	it('gives NOT the tightest binding and honours nested parentheses', () => {
		expect(run(o, "SELECT Name FROM Account WHERE NOT Industry = 'Energy' ORDER BY Name")).toEqual([
			'Alpha',
			'delta',
		]);
		expect(
			run(o, "SELECT Name FROM Account WHERE NOT (Industry = 'Energy' OR Industry = 'Banking')"),
		).toEqual(['delta']);
		expect(
			run(
				o,
				"SELECT Name FROM Account WHERE ((Industry = 'Energy') AND (NumberOfEmployees > 5 OR NumberOfEmployees = null)) ORDER BY Name DESC",
			),
		).toEqual(['Gamma', 'beta']);
	});

	it('treats keywords case-insensitively, compares text case-insensitively and NOT IN includes nulls', () => {
		expect(run(o, "select name from account where name = 'ALPHA'")).toEqual(['Alpha']);
		expect(
			run(o, "SELECT Name FROM Account WHERE Industry NOT IN ('Banking') ORDER BY Name"),
		).toEqual(['beta', 'delta', 'Gamma']);
		expect(
			run(o, "SELECT Name FROM Account WHERE Industry IN ('Banking', null) ORDER BY Name"),
		).toEqual(['Alpha', 'delta']);
		expect(run(o, 'SELECT Name FROM Account ORDER BY NumberOfEmployees DESC NULLS FIRST')).toEqual([
			'Gamma',
			'delta',
			'beta',
			'Alpha',
		]);
	});

	it('expands FIELDS() and requires a LIMIT for FIELDS(ALL)', () => {
		const q = compileSoql(o, 'SELECT FIELDS(STANDARD) FROM Account', '62.0', NOW);
		expect(q.columns.map((c) => c.join('.'))).toContain('Name');
		expect(q.columns.map((c) => c.join('.'))).not.toContain('Legacy_Id__c');
		expect(error(o, 'SELECT FIELDS(ALL) FROM Account').message).toMatch(/LIMIT of at most 200/);
		expect(
			compileSoql(o, 'SELECT FIELDS(CUSTOM) FROM Account LIMIT 10', '62.0', NOW).columns,
		).toEqual([['Legacy_Id__c']]);
	});

	it('rejects unsupported constructs with MALFORMED_QUERY, never silently', () => {
		expect(error(o, 'SELECT Id, (SELECT Id FROM Contacts) FROM Account').errorCode).toBe(
			'MALFORMED_QUERY',
		);
		expect(error(o, 'SELECT Industry FROM Account GROUP BY Industry').errorCode).toBe(
			'MALFORMED_QUERY',
		);
		expect(error(o, "SELECT Id FROM Account WHERE Name = 'unterminated").errorCode).toBe(
			'MALFORMED_QUERY',
		);
		expect(error(o, 'SELECT Id, Id FROM Account').message).toMatch(/duplicate field selected: Id/);
		expect(error(o, 'SELECT Id FROM Account WHERE IsDeleted > true').errorCode).toBe(
			'INVALID_QUERY_FILTER_OPERATOR',
		);
		expect(error(o, 'SELECT Id FROM Account WHERE Name LIKE 5').message).toMatch(
			/must be of type string and should be enclosed in quotes/,
		);
		expect(error(o, 'SELECT Id FROM Account WHERE CreatedDate = 2024-07-10').message).toMatch(
			/must be of type dateTime and should not be enclosed in quotes/,
		);
	});

	it('decodes \\uXXXX and keeps LIKE wildcards literal when escaped', () => {
		expect(run(o, "SELECT Name FROM Account WHERE Name = '\\u0041lpha'")).toEqual(['Alpha']);
		expect(run(o, "SELECT Name FROM Account WHERE Name LIKE '_eta'")).toEqual(['beta']);
		expect(run(o, "SELECT Name FROM Account WHERE Name LIKE '\\_eta'")).toEqual([]);
	});
});

describe('Store.purgeMany (kit, used by hardDelete)', () => {
	it('removes many records in one pass and logs a purge per record', () => {
		const store = new Store({ clock: new ManualClock(NOW) });
		const c = store.collection('X');
		const ids = Array.from({ length: 5 }, (_, i) => c.create({ n: i }).id);
		expect(c.purgeMany([ids[1], ids[3], 'missing'])).toBe(2);
		expect(c.list().map((r) => r.fields.n)).toEqual([0, 2, 4]);
		expect(c.get(ids[1], { includeDeleted: true })).toBeUndefined();
		expect(store.changes({ kinds: ['purged'] }).map((e) => e.id)).toEqual([ids[1], ids[3]]);
		expect(c.purgeMany([])).toBe(0);
	});

	it('answers `field IN (…)` from an index kept in step with writes: same records, creation order, deletes left out', () => {
		const o2 = org();
		const accounts = o2.mustTable('Account');
		const names = (soql: string, includeDeleted = false) =>
			compileSoql(o2, soql, '62.0', NOW)
				.run({ includeDeleted })
				.records.map((r) => String(r.fields.Name));
		// Case-insensitive on text, creation order whatever the IN order, ANDed conditions still applied.
		expect(names("SELECT Name FROM Account WHERE Name IN ('DELTA', 'alpha', 'nobody')")).toEqual([
			'Alpha',
			'delta',
		]);
		expect(
			names("SELECT Name FROM Account WHERE Name IN ('alpha', 'beta') AND NumberOfEmployees > 15"),
		).toEqual(['beta']);
		// The index follows updates and deletes made after it was built.
		const alpha = accounts.collection.list().find((r) => r.fields.Name === 'Alpha')!;
		accounts.patch(alpha.id, { Name: 'Omega' });
		expect(names("SELECT Name FROM Account WHERE Name IN ('alpha', 'omega')")).toEqual(['Omega']);
		const beta = accounts.collection.list().find((r) => r.fields.Name === 'beta')!;
		accounts.remove(beta.id);
		expect(names("SELECT Name FROM Account WHERE Name IN ('beta')")).toEqual([]);
		expect(names("SELECT Name FROM Account WHERE Name IN ('beta')", true)).toEqual(['beta']);
		// By id too.
		expect(names(`SELECT Name FROM Account WHERE Id IN ('${alpha.id}')`)).toEqual(['Omega']);
	});
});
