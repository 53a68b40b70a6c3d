import {
	applyQuery,
	matches,
	ODataQueryError,
	parseFilter,
	parseOrderBy,
	parseSelect,
	type EntitySchema,
	type Row,
} from '../../sandbox/dynamics/odata';

const ACME = '6f1c1a52-34cb-ed11-b596-0022481d68cd';
const FABRIKAM = '8a2b3c4d-34cb-ed11-b596-0022481d68cd';

const contact: EntitySchema = {
	entity: 'contact',
	primaryKey: 'contactid',
	attributes: [
		'contactid',
		'firstname',
		'lastname',
		'fullname',
		'emailaddress1',
		'numberofchildren',
		'creditlimit',
		'donotemail',
		'birthdate',
		'createdon',
		'modifiedon',
		'_parentcustomerid_value',
		'statecode',
	],
};

const rows: Row[] = [
	{
		contactid: '00000000-0000-0000-0000-000000000001',
		firstname: 'Ada',
		lastname: 'Lovelace',
		fullname: 'Ada Lovelace',
		emailaddress1: 'ada@acme.com',
		numberofchildren: 3,
		creditlimit: 1500.5,
		donotemail: false,
		birthdate: '1815-12-10',
		createdon: '2024-01-01T09:00:00Z',
		modifiedon: '2024-06-10T12:00:00Z',
		_parentcustomerid_value: ACME,
		statecode: 0,
	},
	{
		contactid: '00000000-0000-0000-0000-000000000002',
		firstname: 'alan',
		lastname: 'Turing',
		fullname: 'alan Turing',
		emailaddress1: null,
		numberofchildren: 0,
		creditlimit: null,
		donotemail: true,
		birthdate: '1912-06-23',
		createdon: '2024-01-01T10:00:00Z',
		modifiedon: '2024-06-14T08:00:00Z',
		_parentcustomerid_value: FABRIKAM,
		statecode: 1,
	},
	{
		contactid: '00000000-0000-0000-0000-000000000003',
		firstname: 'Grace',
		lastname: "O'Hopper",
		fullname: "Grace O'Hopper",
		emailaddress1: 'grace@navy.mil',
		numberofchildren: null,
		creditlimit: 99,
		donotemail: null,
		birthdate: null,
		createdon: '2023-12-31T23:59:59Z',
		modifiedon: null,
		_parentcustomerid_value: null,
		statecode: 0,
	},
	{
		contactid: '00000000-0000-0000-0000-000000000004',
		firstname: 'Ada',
		lastname: 'Smith',
		fullname: 'Ada Smith',
		emailaddress1: 'ADA.SMITH@ACME.COM',
		numberofchildren: 3,
		creditlimit: 2000,
		donotemail: false,
		birthdate: '1990-01-01',
		createdon: '2024-03-15T00:00:00Z',
		modifiedon: '2024-06-15T09:30:00Z',
		_parentcustomerid_value: ACME,
		statecode: 0,
	},
];

/** The ids (last digit) of the rows the filter keeps. */
function ids(filter: string, now?: number): number[] {
	const node = parseFilter(filter, contact);
	return rows
		.filter((r) => matches(node, r, { now }))
		.map((r) => Number(String(r.contactid).slice(-1)));
}

/** The error a query option throws, with its HTTP status and Dataverse body. */
function errorOf(fn: () => unknown): ODataQueryError {
	try {
		fn();
	} catch (e) {
		expect(e).toBeInstanceOf(ODataQueryError);
		return e as ODataQueryError;
	}
	throw new Error('expected an ODataQueryError');
}

describe('Dataverse $filter: comparison operators', () => {
	it.each([
		['numberofchildren eq 3', [1, 4]],
		['numberofchildren ne 3', [2]],
		['numberofchildren gt 0', [1, 4]],
		['numberofchildren ge 0', [1, 2, 4]],
		['numberofchildren lt 3', [2]],
		['numberofchildren le 3', [1, 2, 4]],
		['creditlimit gt 1500.25', [1, 4]],
		['creditlimit le 99', [3]],
		['creditlimit eq 1500.5', [1]],
		['creditlimit ge 1500.50m', [1, 4]],
		['numberofchildren eq -1', []],
		['donotemail eq true', [2]],
		['donotemail eq false', [1, 4]],
		['statecode eq 0', [1, 3, 4]],
	])('%s', (filter, expected) => {
		expect(ids(filter)).toEqual(expected);
	});

	it('compares two columns of the same row', () => {
		expect(ids('firstname eq lastname')).toEqual([]);
		expect(ids('fullname ne firstname')).toEqual([1, 2, 3, 4]);
		expect(ids('creditlimit gt numberofchildren')).toEqual([1, 4]);
	});

	it('accepts the literal on the left', () => {
		expect(ids('3 eq numberofchildren')).toEqual([1, 4]);
		expect(ids("'ADA' eq firstname")).toEqual([1, 4]);
	});
});

describe('Dataverse $filter: strings', () => {
	it('compares strings case-insensitively (default collation)', () => {
		expect(ids("firstname eq 'ada'")).toEqual([1, 4]);
		expect(ids("firstname eq 'ALAN'")).toEqual([2]);
		expect(ids("firstname ne 'ADA'")).toEqual([2, 3]);
		expect(ids("lastname gt 'smith'")).toEqual([2]);
		expect(ids("lastname lt 'Lz'")).toEqual([1]);
	});

	it("unescapes '' inside a string literal", () => {
		expect(ids("lastname eq 'O''Hopper'")).toEqual([3]);
		expect(ids("fullname eq 'Grace O''Hopper'")).toEqual([3]);
		expect(ids("lastname eq 'OHopper'")).toEqual([]);
	});

	it('evaluates contains, startswith and endswith case-insensitively', () => {
		expect(ids("contains(emailaddress1,'ACME')")).toEqual([1, 4]);
		expect(ids("startswith(fullname,'ada ')")).toEqual([1, 4]);
		expect(ids("startswith(fullname,'lovelace')")).toEqual([]);
		expect(ids("endswith(emailaddress1,'.MIL')")).toEqual([3]);
		expect(ids("endswith(emailaddress1,'navy')")).toEqual([]);
		expect(ids("contains(lastname,'''')")).toEqual([3]);
	});

	it('treats %, _ and [] in a function value as SQL LIKE wildcards', () => {
		expect(ids("startswith(fullname,'a%e')")).toEqual([1]);
		expect(ids("startswith(fullname,'a%th')")).toEqual([4]);
		expect(ids("startswith(emailaddress1,'a_a@')")).toEqual([1]);
		expect(ids("startswith(firstname,'[ag]')")).toEqual([1, 2, 3, 4]);
		expect(ids("startswith(firstname,'[^a]')")).toEqual([3]);
		expect(ids("contains(emailaddress1,'.')")).toEqual([1, 3, 4]);
		expect(ids("contains(emailaddress1,'[.]smith')")).toEqual([4]);
	});

	it('does not match a null column in a string function, not even under not', () => {
		expect(ids("contains(emailaddress1,'a')")).toEqual([1, 3, 4]);
		expect(ids("not contains(emailaddress1,'acme')")).toEqual([3]);
	});
});

describe('Dataverse $filter: null', () => {
	it('eq null and ne null are IS NULL and IS NOT NULL', () => {
		expect(ids('emailaddress1 eq null')).toEqual([2]);
		expect(ids('emailaddress1 ne null')).toEqual([1, 3, 4]);
		expect(ids('null eq creditlimit')).toEqual([2]);
		expect(ids('null ne emailaddress1')).toEqual([1, 3, 4]);
		expect(ids('modifiedon eq null and birthdate eq null')).toEqual([3]);
	});

	it('a comparison with a null column is unknown: neither it nor its negation matches', () => {
		expect(ids('numberofchildren ne 3')).toEqual([2]);
		expect(ids('not (numberofchildren eq 3)')).toEqual([2]);
		expect(ids('numberofchildren lt 100 or numberofchildren ge 100')).toEqual([1, 2, 4]);
		expect(ids('numberofchildren gt null')).toEqual([]);
	});

	it('uses three-valued logic in and / or', () => {
		// Row 3: donotemail is null, so `donotemail eq false` is unknown; `or true` is still true.
		expect(ids('donotemail eq false or statecode eq 0')).toEqual([1, 3, 4]);
		expect(ids('donotemail eq false and statecode eq 0')).toEqual([1, 4]);
		// Row 3: unknown and false is false, so its negation is true; unknown and true stays unknown.
		expect(ids('not (donotemail eq false and statecode eq 1)')).toEqual([1, 2, 3, 4]);
		expect(ids('not (donotemail eq false and statecode eq 0)')).toEqual([2]);
		expect(ids('not (donotemail eq false or statecode eq 1)')).toEqual([]);
	});
});

describe('Dataverse $filter: GUIDs, lookups and dates', () => {
	it('compares a lookup with an unquoted GUID, whatever its case', () => {
		expect(ids(`_parentcustomerid_value eq ${ACME}`)).toEqual([1, 4]);
		expect(ids(`_parentcustomerid_value eq ${ACME.toUpperCase()}`)).toEqual([1, 4]);
		expect(ids(`_parentcustomerid_value ne ${ACME}`)).toEqual([2]);
		expect(ids(`_parentcustomerid_value eq '${FABRIKAM}'`)).toEqual([2]);
		expect(ids('contactid eq 00000000-0000-0000-0000-000000000003')).toEqual([3]);
		expect(parseFilter(`x eq ${ACME.toUpperCase()}`)).toMatchObject({
			right: { kind: 'literal', type: 'guid', value: ACME },
		});
	});

	it('compares date-times with date-time and date literals', () => {
		expect(ids('createdon ge 2024-01-01')).toEqual([1, 2, 4]);
		expect(ids('createdon lt 2024-01-01T09:30:00Z')).toEqual([1, 3]);
		expect(ids('createdon eq 2024-01-01T10:00:00Z')).toEqual([2]);
		expect(ids('createdon gt 2024-01-01T11:00:00+02:00')).toEqual([2, 4]);
		expect(ids('createdon lt 2024-01-01T10:00:00.000Z')).toEqual([1, 3]);
		expect(ids('birthdate lt 1900-01-01')).toEqual([1]);
		expect(ids('birthdate eq 1990-01-01')).toEqual([4]);
	});
});

describe('Dataverse $filter: logical operators, precedence, parentheses', () => {
	it('and binds tighter than or', () => {
		// (firstname eq 'Grace') or (firstname eq 'Ada' and lastname eq 'Smith')
		expect(ids("firstname eq 'Grace' or firstname eq 'Ada' and lastname eq 'Smith'")).toEqual([
			3, 4,
		]);
		expect(ids("firstname eq 'Ada' and lastname eq 'Smith' or firstname eq 'Grace'")).toEqual([
			3, 4,
		]);
	});

	it('parentheses override precedence', () => {
		expect(ids("(firstname eq 'Grace' or firstname eq 'Ada') and lastname eq 'Smith'")).toEqual([
			4,
		]);
		expect(ids("((statecode eq 1)) or ((firstname eq 'grace'))")).toEqual([2, 3]);
		expect(ids("(contains(fullname,'a') or contains(fullname,'z')) and statecode eq 0")).toEqual([
			1, 3, 4,
		]);
	});

	it('not applies to the next primary expression only', () => {
		expect(ids("not startswith(firstname,'a') and statecode eq 0")).toEqual([3]);
		expect(ids("not (startswith(firstname,'a') and statecode eq 0)")).toEqual([2, 3]);
		expect(ids('not not (statecode eq 1)')).toEqual([2]);
		expect(ids('not (statecode eq 1) or not (statecode eq 0)')).toEqual([1, 2, 3, 4]);
	});

	it('chains several and / or left to right', () => {
		expect(ids('statecode eq 0 and numberofchildren eq 3 and creditlimit gt 1600')).toEqual([4]);
		expect(ids('statecode eq 1 or creditlimit eq 99 or creditlimit eq 2000')).toEqual([2, 3, 4]);
	});

	it('builds the expected tree', () => {
		// OData: `not` binds tighter than `eq`, so `not c eq null` is `(not c) eq null`, not a Boolean operand.
		expect(() => parseFilter('a eq 1 or not c eq null')).toThrow(
			'must evaluate to a single boolean value',
		);
		expect(parseFilter('not (c eq null)')).toEqual({
			kind: 'not',
			operand: {
				kind: 'compare',
				op: 'eq',
				left: { kind: 'property', name: 'c' },
				right: { kind: 'literal', type: 'null', value: null },
			},
		});
		expect(parseFilter('x eq 1 or y eq 2 and z eq 3')).toEqual({
			kind: 'or',
			left: {
				kind: 'compare',
				op: 'eq',
				left: { kind: 'property', name: 'x' },
				right: expect.anything(),
			},
			right: {
				kind: 'and',
				left: expect.objectContaining({ kind: 'compare' }),
				right: expect.anything(),
			},
		});
	});
});

describe('Dataverse query functions', () => {
	it('In / NotIn with single or double quoted values', () => {
		expect(
			ids("Microsoft.Dynamics.CRM.In(PropertyName='lastname',PropertyValues=['turing','SMITH'])"),
		).toEqual([2, 4]);
		expect(
			ids(`Microsoft.Dynamics.CRM.In(PropertyName='lastname',PropertyValues=["O'Hopper"])`),
		).toEqual([3]);
		expect(ids("Microsoft.Dynamics.CRM.In(PropertyName='statecode',PropertyValues=['1'])")).toEqual(
			[2],
		);
		expect(
			ids("Microsoft.Dynamics.CRM.NotIn(PropertyName='numberofchildren',PropertyValues=[3])"),
		).toEqual([2]);
	});

	it('Between / NotBetween are inclusive', () => {
		expect(
			ids(
				`Microsoft.Dynamics.CRM.Between(PropertyName='creditlimit',PropertyValues=["99","1500.5"])`,
			),
		).toEqual([1, 3]);
		expect(
			ids(
				`Microsoft.Dynamics.CRM.NotBetween(PropertyName='creditlimit',PropertyValues=[100,2000])`,
			),
		).toEqual([3]);
	});

	it('relative dates count from the given now (UTC)', () => {
		const now = Date.parse('2024-06-15T10:00:00Z');
		expect(
			ids("Microsoft.Dynamics.CRM.LastXDays(PropertyName='modifiedon',PropertyValue=1)", now),
		).toEqual([2, 4]);
		expect(
			ids("Microsoft.Dynamics.CRM.LastXDays(PropertyName='modifiedon',PropertyValue=5)", now),
		).toEqual([1, 2, 4]);
		expect(
			ids("Microsoft.Dynamics.CRM.LastXHours(PropertyName='modifiedon',PropertyValue=1)", now),
		).toEqual([4]);
		expect(ids("Microsoft.Dynamics.CRM.Today(PropertyName='modifiedon')", now)).toEqual([4]);
		expect(ids("Microsoft.Dynamics.CRM.Yesterday(PropertyName='modifiedon')", now)).toEqual([2]);
		expect(
			ids("Microsoft.Dynamics.CRM.OlderThanXDays(PropertyName='createdon',PropertyValue=100)", now),
		).toEqual([1, 2, 3]);
		expect(
			ids("Microsoft.Dynamics.CRM.NextXDays(PropertyName='modifiedon',PropertyValue=3)", now),
		).toEqual([]);
	});

	it('day functions cover whole UTC days, midnight included', () => {
		const midnight = [{ modifiedon: '2024-06-15T00:00:00Z' }];
		const at = (fn: string, now: string) =>
			applyQuery(
				midnight,
				{ filter: `Microsoft.Dynamics.CRM.${fn}(PropertyName='modifiedon')` },
				contact,
				Date.parse(now),
			).value.length;
		expect(at('Today', '2024-06-15T12:00:00Z')).toBe(1);
		expect(at('Yesterday', '2024-06-15T12:00:00Z')).toBe(0);
		expect(at('Yesterday', '2024-06-16T00:00:00Z')).toBe(1);
		expect(at('Tomorrow', '2024-06-14T23:59:59Z')).toBe(1);
		expect(at('Tomorrow', '2024-06-13T12:00:00Z')).toBe(0);
		expect(at('Today', '2024-06-14T23:59:59Z')).toBe(0);
	});

	it('combines with the other operators', () => {
		expect(
			ids(
				"not Microsoft.Dynamics.CRM.In(PropertyName='firstname',PropertyValues=['ada']) and statecode eq 0",
			),
		).toEqual([3]);
	});
});

describe('Dataverse $filter errors', () => {
	it('names an unknown attribute and the entity type (400, 0x80060888)', () => {
		const e = errorOf(() => parseFilter("FirstName eq 'x'", contact));
		expect(e.status).toBe(400);
		expect(e.body()).toEqual({
			error: {
				code: '0x80060888',
				message:
					"Could not find a property named 'FirstName' on type 'Microsoft.Dynamics.CRM.contact'.",
			},
		});
		expect(errorOf(() => parseFilter("contains(nosuch,'x')", contact)).message).toContain(
			"'nosuch'",
		);
		expect(
			errorOf(() => parseFilter('statecode eq 0 and parentcustomerid eq null', contact)).message,
		).toContain("named 'parentcustomerid' on type 'Microsoft.Dynamics.CRM.contact'");
		expect(
			errorOf(() =>
				parseFilter(
					"Microsoft.Dynamics.CRM.In(PropertyName='bogus',PropertyValues=['a'])",
					contact,
				),
			).message,
		).toContain("'bogus'");
	});

	it.each([
		[
			"lastname eq 'O'Hopper'",
			"There is an unterminated literal at position 22 in 'lastname eq 'O'Hopper''.",
		],
		["lastname eq 'abc", "There is an unterminated literal at position 16 in 'lastname eq 'abc'."],
		[
			'statecode eq 0 & lastname eq null',
			"Syntax error: character '&' is not valid at position 15 in 'statecode eq 0 & lastname eq null'.",
		],
		['statecode eq', "Expression expected at position 12 in 'statecode eq'."],
		['', "Expression expected at position 0 in ''."],
		['(statecode eq 0', "')' or operator expected at position 15 in '(statecode eq 0'."],
		["contains(lastname 'x')", "')' or ',' expected at position 18 in 'contains(lastname 'x')'."],
		['statecode eq 0 statecode', "Syntax error at position 15 in 'statecode eq 0 statecode'."],
		['statecode', 'The $filter expression must evaluate to a single boolean value.'],
		['statecode eq 0 and 1', 'The $filter expression must evaluate to a single boolean value.'],
		[
			"substringof('a',lastname)",
			"An unknown function with name 'substringof' was found. This may also be a function import or a key lookup on a navigation property, which is not allowed.",
		],
		[
			"Microsoft.Dynamics.CRM.Bogus(PropertyName='lastname')",
			"An unknown function with name 'Microsoft.Dynamics.CRM.Bogus' was found.",
		],
		[
			"Microsoft.Dynamics.CRM.LastXDays(PropertyName='createdon')",
			"needs a 'PropertyValue' parameter",
		],
		["Microsoft.Dynamics.CRM.In(PropertyValues=['a'])", "needs a 'PropertyName' parameter"],
		[
			"Microsoft.Dynamics.CRM.Between(PropertyName='creditlimit',PropertyValues=[1])",
			'exactly two values',
		],
		['statecode EQ 0', "Syntax error at position 10 in 'statecode EQ 0'."],
	])('%s', (filter, message) => {
		const e = errorOf(() => parseFilter(filter, contact));
		expect(e.status).toBe(400);
		expect(e.code).toBe('0x80060888');
		expect(e.message).toContain(message);
	});

	it('accepts any attribute name without a schema', () => {
		expect(matches(parseFilter("anything eq 'x'"), { anything: 'X' })).toBe(true);
		expect(matches(parseFilter("anything eq 'x'"), {})).toBe(false);
	});
});

describe('Dataverse $orderby', () => {
	const sorted = (orderby: string) =>
		rows
			.slice()
			.sort(parseOrderBy(orderby, contact))
			.map((r) => Number(String(r.contactid).slice(-1)));

	it('sorts ascending by default, nulls first', () => {
		expect(sorted('creditlimit')).toEqual([2, 3, 1, 4]);
		expect(sorted('creditlimit asc')).toEqual([2, 3, 1, 4]);
	});

	it('sorts descending with nulls last', () => {
		expect(sorted('creditlimit desc')).toEqual([4, 1, 3, 2]);
		expect(sorted('modifiedon desc')).toEqual([4, 2, 1, 3]);
	});

	it('compares strings case-insensitively and uses later keys for ties', () => {
		expect(sorted('firstname')).toEqual([1, 4, 2, 3]);
		expect(sorted('firstname,lastname desc')).toEqual([4, 1, 2, 3]);
		expect(sorted('firstname desc, numberofchildren asc')).toEqual([3, 2, 1, 4]);
		expect(sorted('numberofchildren desc,creditlimit desc')).toEqual([4, 1, 2, 3]);
	});

	it('rejects unknown attributes and bad syntax', () => {
		expect(errorOf(() => parseOrderBy('revenue desc', contact)).message).toBe(
			"Could not find a property named 'revenue' on type 'Microsoft.Dynamics.CRM.contact'.",
		);
		const e = errorOf(() => parseOrderBy('lastname down', contact));
		expect(e.status).toBe(400);
		expect(e.message).toMatch(/^Syntax error at position \d+ in 'lastname down'\.$/);
		expect(errorOf(() => parseOrderBy('lastname,', contact)).message).toMatch(/^Syntax error/);
	});
});

describe('Dataverse $select', () => {
	it('projects the selected columns plus the primary key, keeping their annotations', () => {
		const p = parseSelect('fullname, emailaddress1', contact);
		expect(p.columns).toEqual(['fullname', 'emailaddress1', 'contactid']);
		expect(
			p.project({ ...rows[1], '@odata.etag': 'W/"1"', 'fullname@x': 'y', 'lastname@x': 'z' }),
		).toEqual({
			'@odata.etag': 'W/"1"',
			'fullname@x': 'y',
			fullname: 'alan Turing',
			emailaddress1: null,
			contactid: '00000000-0000-0000-0000-000000000002',
		});
	});

	it('answers null for a selected column the row does not hold', () => {
		expect(parseSelect('fullname,creditlimit', contact).project({ contactid: 'x' })).toEqual({
			contactid: 'x',
			fullname: null,
			creditlimit: null,
		});
	});

	it('rejects an unknown column with the documented message', () => {
		const e = errorOf(() => parseSelect('fullname,Name', contact));
		expect(e.status).toBe(400);
		expect(e.body().error.message).toBe(
			"Could not find a property named 'Name' on type 'Microsoft.Dynamics.CRM.contact'.",
		);
		expect(errorOf(() => parseSelect('fullname,', contact)).message).toMatch(/^Syntax error/);
	});
});

describe('applyQuery', () => {
	it('filters, counts before $top, orders, takes $top and projects', () => {
		const r = applyQuery(
			rows,
			{
				filter: 'statecode eq 0',
				orderby: 'createdon desc',
				top: '2',
				select: 'fullname',
				count: 'true',
			},
			contact,
		);
		expect(r.count).toBe(3);
		expect(r.countLimitExceeded).toBe(false);
		expect(r.value).toEqual([
			{ fullname: 'Ada Smith', contactid: '00000000-0000-0000-0000-000000000004' },
			{ fullname: 'Ada Lovelace', contactid: '00000000-0000-0000-0000-000000000001' },
		]);
	});

	it('caps @odata.count at 5000 and does not modify its input', () => {
		const many = Array.from({ length: 5001 }, (_, i) => ({ contactid: String(i), statecode: 0 }));
		const r = applyQuery(many, { count: true, top: 1, orderby: 'contactid desc' }, contact);
		expect(r.count).toBe(5000);
		expect(r.countLimitExceeded).toBe(true);
		expect(r.value).toEqual([{ contactid: '999', statecode: 0 }]);
		expect(many[0].contactid).toBe('0');
		expect(applyQuery(rows, {}, contact).count).toBeUndefined();
	});

	it('refuses $skip and bad $top / $count before reading rows', () => {
		expect(errorOf(() => applyQuery(rows, { skip: '10' }, contact)).message).toBe(
			'The query parameter $skip is not supported',
		);
		const top = errorOf(() => applyQuery(rows, { top: '-1' }, contact));
		expect(top.status).toBe(400);
		expect(top.message).toContain("Invalid value '-1' for $top query option");
		expect(errorOf(() => applyQuery(rows, { count: 'yes' }, contact)).message).toContain("'yes'");
		expect(errorOf(() => applyQuery([], { filter: 'nosuch eq 1' }, contact)).message).toContain(
			"'nosuch'",
		);
	});

	it('passes now to the relative date functions', () => {
		const r = applyQuery(
			rows,
			{ filter: "Microsoft.Dynamics.CRM.Today(PropertyName='createdon')" },
			contact,
			Date.parse('2024-03-15T18:00:00Z'),
		);
		expect(r.value.map((x) => x.contactid)).toEqual(['00000000-0000-0000-0000-000000000004']);
	});
});
