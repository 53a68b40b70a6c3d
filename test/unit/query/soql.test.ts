import {
	QueryValueError,
	soql,
	soqlDate,
	soqlDateTime,
	soqlIdentifier,
	soqlLikePattern,
	soqlLiteral,
	soqlString,
} from '../../../core/query';

describe('SOQL literals', () => {
	it('escapes quotes, backslashes and control characters with Salesforce escape sequences', () => {
		expect(soqlString("O'Brien")).toBe("'O\\'Brien'");
		expect(soqlString('say "hi"')).toBe(`'say \\"hi\\"'`);
		expect(soqlString('C:\\temp\\new')).toBe("'C:\\\\temp\\\\new'");
		expect(soqlString('line1\nline2\r\ttab\b\f')).toBe("'line1\\nline2\\r\\ttab\\b\\f'");
		expect(soqlString('nul\u0000 esc\u001b')).toBe("'nul\\u0000 esc\\u001b'");
		expect(soqlString('Zoë 日本 👍')).toBe("'Zoë 日本 👍'");
		expect(soqlString('100%_sure')).toBe("'100%_sure'"); // % and _ are only escaped in LIKE
		expect(soqlString('')).toBe("''");
	});

	it('keeps an injection attempt a single literal', () => {
		expect(soqlString("O'Brien' OR Name != '")).toBe("'O\\'Brien\\' OR Name != \\''");
		// A backslash before the quote cannot un-escape it.
		expect(soqlString("\\' OR Id != null OR Name = '")).toBe(
			"'\\\\\\' OR Id != null OR Name = \\''",
		);
	});

	it('escapes LIKE wildcards in LIKE patterns and adds the requested ones', () => {
		expect(soqlLikePattern('50%_off')).toBe("'50\\%\\_off'");
		expect(soqlLikePattern("Bob's", 'startsWith')).toBe("'Bob\\'s%'");
		expect(soqlLikePattern('_x', 'endsWith')).toBe("'%\\_x'");
		expect(soqlLikePattern('a%b', 'contains')).toBe("'%a\\%b%'");
	});

	it('formats numbers, booleans, null and dates exactly, and refuses NaN/Infinity', () => {
		expect(soqlLiteral(42)).toBe('42');
		expect(soqlLiteral(-0.5)).toBe('-0.5');
		expect(soqlLiteral(-0)).toBe('0');
		expect(soqlLiteral(1e21)).toBe('1000000000000000000000');
		expect(soqlLiteral(1.5e-7)).toBe('0.00000015');
		expect(soqlLiteral(12345678901234567890n)).toBe('12345678901234567890');
		expect(soqlLiteral(true)).toBe('true');
		expect(soqlLiteral(null)).toBe('null');
		expect(soqlLiteral(new Date('2024-03-05T10:15:30.789Z'))).toBe('2024-03-05T10:15:30Z');
		expect(soqlDateTime('2024-03-05T11:15:30+01:00')).toBe('2024-03-05T10:15:30Z');
		expect(soqlDate(new Date('2024-03-05T23:59:59Z'))).toBe('2024-03-05');
		expect(soqlDate('2024-02-29')).toBe('2024-02-29');
		expect(() => soqlDate('2023-02-29')).toThrow(
			'"2023-02-29" is not a date in YYYY-MM-DD form and cannot be used as a date in SOQL',
		);
		expect(() => soqlLiteral(Number.NaN)).toThrow(
			new QueryValueError(
				'NaN cannot be used in SOQL: it is not a finite number — check the value before querying',
			),
		);
		expect(() => soqlLiteral(Infinity)).toThrow('Infinity cannot be used in SOQL');
		expect(() => soqlLiteral(new Date('nope'))).toThrow('an invalid Date cannot be used in SOQL');
		expect(() => soqlLiteral(undefined as unknown as null)).toThrow(
			'undefined cannot be used as a SOQL value',
		);
		expect(() => soqlString(5 as unknown as string)).toThrow(
			'soqlString() expects text, got number 5',
		);
	});

	it('validates API names', () => {
		for (const ok of [
			'Id',
			'Email',
			'Account.Owner.Name',
			'Custom_Field__c',
			'ns__Field__c',
			'Parent__r.Name',
			'Location__Latitude__s',
			'Event__e',
		]) {
			expect(soqlIdentifier(ok)).toBe(ok);
		}
		for (const bad of [
			'',
			'Name; DELETE',
			"Name'",
			'Name OR Id',
			'1Field',
			'Field_',
			'A___b',
			'_x',
			'Account..Name',
			'Name)',
			'Email,Phone',
		]) {
			expect(() => soqlIdentifier(bad)).toThrow(QueryValueError);
		}
		expect(() => soqlIdentifier('Name OR Id != null')).toThrow(
			'"Name OR Id != null" is not a valid SOQL field or object name — API names contain only letters, digits and underscores, start with a letter, and use dots for relationships (e.g. Email, Account.Name, Custom_Field__c)',
		);
	});
});

describe('soql tagged template', () => {
	it('binds strings, numbers, dates, booleans, null and lists safely', () => {
		const email = "o'brien@example.com";
		const since = new Date('2024-03-05T10:15:00Z');
		const q = soql`SELECT Id FROM Contact WHERE Email = ${email} AND CreatedDate > ${since} AND Score__c >= ${7.5} AND IsDeleted = ${false} AND Phone != ${null} AND Id IN ${['003A', "003B'"]}`;
		expect(q.text).toBe(
			"SELECT Id FROM Contact WHERE Email = 'o\\'brien@example.com' AND CreatedDate > 2024-03-05T10:15:00Z AND Score__c >= 7.5 AND IsDeleted = false AND Phone != null AND Id IN ('003A','003B\\'')",
		);
		expect(String(q)).toBe(q.text);
	});

	it('keeps injection attempts single literals', () => {
		const name = "O'Brien' OR Name != '";
		expect(soql`SELECT Id FROM Account WHERE Name = ${name}`.text).toBe(
			"SELECT Id FROM Account WHERE Name = 'O\\'Brien\\' OR Name != \\''",
		);
		const multiline = "x'\nUNION SELECT Id FROM User WHERE Name='";
		expect(soql`SELECT Id FROM Lead WHERE Company = ${multiline}`.text).toBe(
			"SELECT Id FROM Lead WHERE Company = 'x\\'\\nUNION SELECT Id FROM User WHERE Name=\\''",
		);
	});

	it('supports identifiers, date-only values, LIKE patterns, relative dates and composition', () => {
		const conditions = [
			soql`Name LIKE ${soql.like('50%', 'startsWith')}`,
			soql`Birthdate = ${soql.date('1990-01-31')}`,
			soql`CreatedDate = ${soql.relative('LAST_N_DAYS', 30)}`,
		];
		const q = soql`SELECT ${soql.ids(['Id', 'Account.Name'])} FROM ${soql.id('Contact')} WHERE ${soql.join(conditions, ' AND ')}`;
		expect(q.text).toBe(
			"SELECT Id, Account.Name FROM Contact WHERE Name LIKE '50\\%%' AND Birthdate = 1990-01-31 AND CreatedDate = LAST_N_DAYS:30",
		);
		expect(soql`x = ${soql.relative('today')}`.text).toBe('x = TODAY');
		expect(() => soql.relative('LAST_N_DAYS')).toThrow('LAST_N_DAYS needs a whole number of units');
		expect(() => soql.relative('SOMEDAY')).toThrow('is not a SOQL date literal');
		expect(() => soql.id('Name FROM User --')).toThrow(QueryValueError);
	});

	it('refuses values that cannot be bound and quotes written around ${}', () => {
		expect(() => soql`SELECT Id FROM Contact WHERE Id IN ${[]}`).toThrow(
			'soql: value 1 (after "SELECT Id FROM Contact WHERE Id IN ") is an empty list, and "IN ()" is not valid SOQL — skip the condition (or the query) when there are no values',
		);
		expect(() => soql`SELECT Id FROM Contact WHERE Name = '${'x'}'`).toThrow(
			'soql: value 1 is placed inside quotes in the query text ("…Id FROM Contact WHERE Name = \'") — remove the quotes around ${…}; values are quoted for you (use soql.like() for LIKE patterns)',
		);
		expect(() => soql`WHERE Name = ${{ a: 1 }}`).toThrow(
			'object {"a":1} cannot be used as a SOQL value',
		);
		expect(() => soql`WHERE Name = ${undefined}`).toThrow(
			'undefined cannot be used as a SOQL value',
		);
		expect(() => soql`WHERE Amount = ${Number.NaN}`).toThrow('NaN cannot be used in SOQL');
		// Quotes in the trusted text that are balanced do not trip the check.
		expect(soql`WHERE Type = 'Partner' AND Name = ${'x'}`.text).toBe(
			"WHERE Type = 'Partner' AND Name = 'x'",
		);
		expect(soql`WHERE Type = 'It\\'s' AND Name = ${'x'}`.text).toBe(
			"WHERE Type = 'It\\'s' AND Name = 'x'",
		);
	});
});
