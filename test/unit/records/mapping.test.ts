import { compileMapping, MappingSpecError } from '../../../core/records';
import type {
	FieldRule,
	MappingIssue,
	MappingResult,
	MappingSpec,
	Transform,
} from '../../../core/records';

/** Maps `value` through one rule reading `v` and returns the mapped `out` value (or the issues). */
function one(
	transforms: Transform[],
	value: unknown,
	extra: Partial<FieldRule> = {},
): MappingResult {
	return compileMapping({ rules: [{ target: 'out', source: 'v', transforms, ...extra }] }).map(
		{ v: value },
		'item 1',
	);
}

function valueOf(transforms: Transform[], value: unknown, extra: Partial<FieldRule> = {}): unknown {
	const result = one(transforms, value, extra);
	if (!result.ok)
		throw new Error(`expected success, got: ${result.issues.map((i) => i.message).join(' | ')}`);
	return result.value.out;
}

function issuesOf(result: MappingResult): MappingIssue[] {
	if (result.ok) throw new Error(`expected issues, got ${JSON.stringify(result.value)}`);
	return result.issues;
}

function specError(spec: unknown): MappingSpecError {
	try {
		compileMapping(spec as MappingSpec);
	} catch (error) {
		expect(error).toBeInstanceOf(MappingSpecError);
		return error as MappingSpecError;
	}
	throw new Error('expected compileMapping to throw');
}

describe('compileMapping: reading, defaults, constants, targets', () => {
	it('maps sources with dots and [n] indices into nested targets', () => {
		const mapping = compileMapping({
			rules: [
				{ target: 'FirstName', source: 'person.first' },
				{ target: 'Email', source: 'emails[1].address' },
				{ target: 'address.city', source: 'addr["city.name"]' },
				{ target: 'address.geo.lat', source: 'coords[0]' },
				{ target: 'etag', source: '@odata.etag' },
			],
		});
		const result = mapping.map({
			person: { first: 'Ada' },
			emails: [{ address: 'a@x.test' }, { address: 'ada@example.com' }],
			addr: { 'city.name': 'London' },
			coords: [51.5, -0.12],
			'@odata.etag': 'W/"123"',
		});
		expect(result).toEqual({
			ok: true,
			value: {
				FirstName: 'Ada',
				Email: 'ada@example.com',
				address: { city: 'London', geo: { lat: 51.5 } },
				etag: 'W/"123"',
			},
		});
	});

	it('uses constants, and defaults for missing, null and empty values (also when transforms empty a value)', () => {
		const mapping = compileMapping({
			rules: [
				{ target: 'LeadSource', constant: 'Web' },
				{ target: 'Cleared', constant: null },
				{ target: 'a', source: 'missing', default: 'n/a' },
				{ target: 'b', source: 'isNull', default: 'n/a' },
				{ target: 'c', source: 'isEmpty', default: 'n/a' },
				{ target: 'd', source: 'blank', default: 'Unknown', transforms: [{ type: 'trim' }] },
				{ target: 'e', source: 'flag', default: 'yes', transforms: [{ type: 'toBoolean' }] },
				{ target: 'f', source: 'zero', default: 99 },
			],
		});
		expect(mapping.map({ isNull: null, isEmpty: '', blank: '   ', zero: 0 })).toEqual({
			ok: true,
			value: {
				LeadSource: 'Web',
				Cleared: null,
				a: 'n/a',
				b: 'n/a',
				c: 'n/a',
				d: 'Unknown',
				e: true,
				f: 0,
			},
		});
	});

	it('drops undefined targets by default, keeps them when dropUndefined is false, and keeps null', () => {
		const rules: FieldRule[] = [
			{ target: 'a', source: 'missing' },
			{ target: 'b', source: 'nothing' },
		];
		expect(compileMapping({ rules }).map({ nothing: null })).toEqual({
			ok: true,
			value: { b: null },
		});
		const kept = compileMapping({ rules, dropUndefined: false }).map({});
		expect(kept.ok && Object.prototype.hasOwnProperty.call(kept.value, 'a')).toBe(true);
		expect(kept).toEqual({ ok: true, value: { a: undefined, b: undefined } });
	});

	it('keepUnmapped copies the fields no rule reads, without mutating the input', () => {
		const input = {
			first: 'Ada',
			last: 'Lovelace',
			address: { street: '1 Main St' },
			email: 'old@example.com',
			notes: 'x',
		};
		const mapping = compileMapping({
			keepUnmapped: true,
			rules: [
				{ target: 'FirstName', source: 'first' },
				{ target: 'address.city', constant: 'London' },
				{ target: 'email', source: 'newEmail' },
			],
		});
		const result = mapping.map(input);
		expect(result).toEqual({
			ok: true,
			value: {
				last: 'Lovelace',
				notes: 'x',
				address: { street: '1 Main St', city: 'London' },
				FirstName: 'Ada',
			},
		});
		expect(input.address).toEqual({ street: '1 Main St' }); // cloned before the nested write
		expect(
			compileMapping({ rules: [{ target: 'FirstName', source: 'first' }] }).map(input),
		).toEqual({ ok: true, value: { FirstName: 'Ada' } });
	});
});

describe('transforms', () => {
	it('trim, lowercase, uppercase, titlecase', () => {
		expect(valueOf([{ type: 'trim' }], '  Ada  ')).toBe('Ada');
		expect(valueOf([{ type: 'lowercase' }], 'ÄDA@X.COM')).toBe('äda@x.com');
		expect(valueOf([{ type: 'uppercase' }], 'straße')).toBe('STRASSE');
		expect(valueOf([{ type: 'titlecase' }], "jean-luc o'neil (ÉCOLE)")).toBe(
			"Jean-Luc O'neil (École)",
		);
		expect(valueOf([{ type: 'trim' }], 42)).toBe(42); // non-strings untouched
	});

	it('toNumber handles decimal and thousands separators, and says why it fails', () => {
		expect(valueOf([{ type: 'toNumber' }], '1,234.50')).toBe(1234.5);
		expect(valueOf([{ type: 'toNumber' }], '1.234,50')).toBe(1234.5);
		expect(valueOf([{ type: 'toNumber' }], '1 234,5')).toBe(1234.5);
		expect(valueOf([{ type: 'toNumber' }], "1'234.5")).toBe(1234.5);
		expect(valueOf([{ type: 'toNumber' }], '-0.5')).toBe(-0.5);
		expect(valueOf([{ type: 'toNumber' }], '2.5e3')).toBe(2500);
		expect(valueOf([{ type: 'toNumber' }], '3,5')).toBe(3.5);
		expect(valueOf([{ type: 'toNumber' }], '1,234,567')).toBe(1234567);
		expect(valueOf([{ type: 'toNumber', decimalSeparator: ',' }], '1.234')).toBe(1234);
		expect(valueOf([{ type: 'toNumber', decimalSeparator: '.' }], '1,234')).toBe(1234);
		expect(valueOf([{ type: 'toNumber', decimalSeparator: ',' }], '1,234')).toBe(1.234);
		expect(valueOf([{ type: 'toNumber' }], '')).toBeNull();
		expect(valueOf([{ type: 'toNumber' }], true)).toBe(1);

		expect(issuesOf(one([{ type: 'toNumber' }], '1,234'))[0].message).toBe(
			'item 1, field "out": "1,234" is ambiguous: "," could be a thousands or a decimal separator (transform 1, toNumber) — set the toNumber transform\'s decimalSeparator to "." or ","',
		);
		expect(issuesOf(one([{ type: 'toNumber' }], '$12'))[0].message).toBe(
			'item 1, field "out": "$12" cannot be converted to a number: it contains characters other than digits, a sign and separators (transform 1, toNumber) — correct the source value in "v", or add a replace transform before toNumber to remove other characters (currency symbols, units)',
		);
		expect(issuesOf(one([{ type: 'toNumber' }], '1,23,4.5'))[0].message).toContain(
			'the digit groups are not of three',
		);
	});

	it('toInteger requires whole numbers unless a rounding is chosen', () => {
		expect(issuesOf(one([{ type: 'toInteger' }], '1,200'))[0].code).toBe('transform');
		expect(valueOf([{ type: 'toInteger' }], '42')).toBe(42);
		expect(valueOf([{ type: 'toInteger', decimalSeparator: '.' }], '1,200')).toBe(1200);
		expect(issuesOf(one([{ type: 'toInteger' }], '12.7'))[0].message).toBe(
			'item 1, field "out": "12.7" is not a whole number (transform 1, toInteger) — set the toInteger transform\'s rounding to "round", "floor", "ceil" or "trunc", or correct the source value in "v"',
		);
		expect(valueOf([{ type: 'toInteger', rounding: 'round' }], '12.5')).toBe(13);
		expect(valueOf([{ type: 'toInteger', rounding: 'floor' }], -1.5)).toBe(-2);
		expect(valueOf([{ type: 'toInteger', rounding: 'trunc' }], -1.5)).toBe(-1);
		expect(valueOf([{ type: 'toInteger', rounding: 'ceil' }], '1.1')).toBe(2);
	});

	it('toBoolean uses yes/no, 1/0, true/false, on/off case-insensitively, or custom words', () => {
		for (const word of ['yes', 'YES', 'True', '1', 'on', ' On '])
			expect(valueOf([{ type: 'toBoolean' }], word)).toBe(true);
		for (const word of ['no', 'False', '0', 'OFF'])
			expect(valueOf([{ type: 'toBoolean' }], word)).toBe(false);
		expect(valueOf([{ type: 'toBoolean' }], 1)).toBe(true);
		expect(valueOf([{ type: 'toBoolean' }], false)).toBe(false);
		expect(valueOf([{ type: 'toBoolean' }], '')).toBeNull();
		expect(
			valueOf([{ type: 'toBoolean', trueValues: ['Ja', 'J'], falseValues: ['Nein', 'N'] }], 'j'),
		).toBe(true);
		expect(issuesOf(one([{ type: 'toBoolean' }], 'maybe'))[0].message).toBe(
			'item 1, field "out": "maybe" is not a recognised yes/no value (true: "true", "yes", "1", "on"; false: "false", "no", "0", "off") (transform 1, toBoolean) — add it to the toBoolean transform\'s trueValues or falseValues, or correct the source value in "v"',
		);
	});

	it('toDate parses ISO 8601, RFC 2822, epoch seconds and milliseconds, and Date objects', () => {
		const iso = (v: unknown) => valueOf([{ type: 'toDate' }], v);
		expect(iso('2024-03-05')).toBe('2024-03-05T00:00:00.000Z');
		expect(iso('2024-03-05T10:15:30Z')).toBe('2024-03-05T10:15:30.000Z');
		expect(iso('2024-03-05T10:15:30.123456+02:00')).toBe('2024-03-05T08:15:30.123Z');
		expect(iso('2024-03-05 10:15')).toBe('2024-03-05T10:15:00.000Z');
		expect(iso('2024-03-05T10:15:30-0530')).toBe('2024-03-05T15:45:30.000Z');
		expect(iso('Tue, 05 Mar 2024 10:15:00 +0100')).toBe('2024-03-05T09:15:00.000Z');
		expect(iso('5 Mar 2024 10:15 GMT')).toBe('2024-03-05T10:15:00.000Z');
		expect(iso('Tue, 05 Mar 2024 10:15:00 EST')).toBe('2024-03-05T15:15:00.000Z');
		expect(iso(1709633700)).toBe('2024-03-05T10:15:00.000Z');
		expect(iso(1709633700123)).toBe('2024-03-05T10:15:00.123Z');
		expect(iso('1709633700')).toBe('2024-03-05T10:15:00.000Z');
		expect(iso(new Date(Date.UTC(2024, 2, 5)))).toBe('2024-03-05T00:00:00.000Z');
		expect(iso('')).toBeNull();
	});

	it('toDate reads custom input formats and applies an IANA time zone when the input has no offset', () => {
		expect(
			valueOf([{ type: 'toDate', inputFormat: 'dd/MM/yyyy', output: 'date' }], '31/12/2024'),
		).toBe('2024-12-31');
		expect(
			valueOf([{ type: 'toDate', inputFormat: 'dd.MM.yyyy HH:mm:ss' }], '05.03.2024 10:15:30'),
		).toBe('2024-03-05T10:15:30.000Z');
		expect(
			valueOf([{ type: 'toDate', inputFormat: "yyyy-MM-dd'T'HH:mm" }], '2024-03-05T10:15'),
		).toBe('2024-03-05T10:15:00.000Z');
		expect(
			valueOf([{ type: 'toDate', inputFormat: 'MMM d, yyyy h:mm a' }], 'Mar 5, 2024 3:07 PM'),
		).toBe('2024-03-05T15:07:00.000Z');
		expect(valueOf([{ type: 'toDate', inputFormat: 'yyyyMMdd', output: 'date' }], 20240305)).toBe(
			'2024-03-05',
		);
		expect(valueOf([{ type: 'toDate', inputFormat: 'dd/MM/yy', output: 'date' }], '01/02/59')).toBe(
			'2059-02-01',
		);
		// Berlin is UTC+1 in winter, UTC+2 in summer (DST).
		expect(valueOf([{ type: 'toDate', timezone: 'Europe/Berlin' }], '2024-01-15 09:00')).toBe(
			'2024-01-15T08:00:00.000Z',
		);
		expect(valueOf([{ type: 'toDate', timezone: 'Europe/Berlin' }], '2024-07-15 09:00')).toBe(
			'2024-07-15T07:00:00.000Z',
		);
		expect(
			valueOf(
				[{ type: 'toDate', timezone: 'America/New_York', inputFormat: 'MM/dd/yyyy HH:mm' }],
				'11/03/2024 12:00',
			),
		).toBe('2024-11-03T17:00:00.000Z');
		// An explicit offset wins over the zone.
		expect(valueOf([{ type: 'toDate', timezone: 'Europe/Berlin' }], '2024-07-15T09:00:00Z')).toBe(
			'2024-07-15T09:00:00.000Z',
		);
		// output date in the zone; output epochMs.
		expect(
			valueOf(
				[{ type: 'toDate', timezone: 'America/Los_Angeles', output: 'date' }],
				'2024-03-06T03:00:00Z',
			),
		).toBe('2024-03-05');
		expect(
			valueOf([{ type: 'toDate', timezone: 'Asia/Tokyo', output: 'date' }], '2024-03-05'),
		).toBe('2024-03-05');
		expect(valueOf([{ type: 'toDate', output: 'epochMs' }], '2024-03-05T10:15:00Z')).toBe(
			1709633700000,
		);
	});

	it('toDate reports impossible dates and mismatched formats', () => {
		expect(
			issuesOf(one([{ type: 'toDate', inputFormat: 'dd/MM/yyyy' }], '31/02/2024'))[0].message,
		).toBe(
			'item 1, field "out": "31/02/2024" is not a valid date: day 31 does not exist in February 2024 (transform 1, toDate) — correct the source value in "v", or change the toDate transform\'s inputFormat ("dd/MM/yyyy") to match the data',
		);
		expect(
			issuesOf(one([{ type: 'toDate', inputFormat: 'dd/MM/yyyy' }], '2024-02-01'))[0].message,
		).toContain('it does not match the input format "dd/MM/yyyy"');
		expect(issuesOf(one([{ type: 'toDate' }], '2024-13-01'))[0].message).toContain(
			'month 13 does not exist',
		);
		expect(issuesOf(one([{ type: 'toDate' }], '20240305'))[0].message).toContain(
			'set an input format such as "yyyyMMdd"',
		);
		expect(issuesOf(one([{ type: 'toDate' }], 'next tuesday'))[0].message).toContain(
			'is not in ISO 8601',
		);
	});

	it('toString, split, join, element-wise transforms on lists', () => {
		expect(valueOf([{ type: 'toString' }], 12.5)).toBe('12.5');
		expect(valueOf([{ type: 'toString' }], false)).toBe('false');
		expect(valueOf([{ type: 'toString' }], { a: 1 })).toBe('{"a":1}');
		expect(
			valueOf(
				[{ type: 'split', separator: ';' }, { type: 'trim' }, { type: 'lowercase' }],
				' A ; b;C ',
			),
		).toEqual(['a', 'b', 'c']);
		expect(valueOf([{ type: 'split', separator: ',' }], '')).toEqual([]);
		expect(valueOf([{ type: 'split', separator: ',' }, { type: 'toNumber' }], '1,2,3')).toEqual([
			1, 2, 3,
		]);
		expect(valueOf([{ type: 'join', separator: '; ' }], ['a', null, 3])).toBe('a; ; 3');
		expect(
			valueOf(
				[{ type: 'split', separator: ',' }, { type: 'trim' }, { type: 'join', separator: ';' }],
				'x, y ,z',
			),
		).toBe('x;y;z');
		expect(
			issuesOf(one([{ type: 'split', separator: ',' }, { type: 'toNumber' }], '1,x,3'))[0].message,
		).toBe(
			'item 1, field "out": "x" (element 2 of 3) cannot be converted to a number: it contains characters other than digits, a sign and separators (transform 2, toNumber) — correct the source value in "v", or add a replace transform before toNumber to remove other characters (currency symbols, units)',
		);
	});

	it('lookup with fallback, strict and caseInsensitive', () => {
		const table = { DE: 'Germany', FR: 'France' };
		expect(valueOf([{ type: 'lookup', table }], 'DE')).toBe('Germany');
		expect(valueOf([{ type: 'lookup', table, fallback: 'Other' }], 'IT')).toBe('Other');
		expect(valueOf([{ type: 'lookup', table }], 'IT')).toBeUndefined();
		expect(valueOf([{ type: 'lookup', table, caseInsensitive: true }], 'fr')).toBe('France');
		expect(valueOf([{ type: 'lookup', table: { '1': 'Hot', '2': 'Cold' } }], 1)).toBe('Hot');
		expect(
			valueOf(
				[
					{ type: 'split', separator: ',' },
					{ type: 'lookup', table },
				],
				'DE,FR',
			),
		).toEqual(['Germany', 'France']);
		expect(issuesOf(one([{ type: 'lookup', table, strict: true }], 'de'))[0].message).toBe(
			'item 1, field "out": "de" is not in the lookup table (known values: "DE", "FR") (transform 1, lookup) — add it to the lookup table, give the lookup a fallback and turn off strict, or correct the source value in "v"',
		);
		// Inherited keys are not table entries.
		expect(valueOf([{ type: 'lookup', table, fallback: 'none' }], 'toString')).toBe('none');
	});

	it('replace (literal, regex with groups and flags), truncate, emptyToNull', () => {
		expect(valueOf([{ type: 'replace', pattern: '.', replacement: '$&' }], 'a.b.c')).toBe(
			'a$&b$&c',
		); // literal: no $ magic
		expect(
			valueOf(
				[{ type: 'replace', pattern: '(\\d{3})(\\d{4})', replacement: '$1-$2', regex: true }],
				'tel 5551234',
			),
		).toBe('tel 555-1234');
		expect(
			valueOf(
				[{ type: 'replace', pattern: 'mr\\.?\\s*', replacement: '', regex: true, flags: 'i' }],
				'MR. Smith',
			),
		).toBe('Smith');
		expect(
			valueOf(
				[{ type: 'replace', pattern: '[^0-9+]', replacement: '', regex: true }],
				'+44 (20) 7946-0018',
			),
		).toBe('+442079460018');
		expect(valueOf([{ type: 'truncate', length: 5 }], 'Lovelace')).toBe('Lovel');
		expect(valueOf([{ type: 'truncate', length: 3 }], '👍👍👍👍')).toBe('👍👍👍'); // by characters, not UTF-16 units
		expect(valueOf([{ type: 'emptyToNull' }], '')).toBeNull();
		expect(valueOf([{ type: 'split', separator: ',' }, { type: 'emptyToNull' }], '')).toBeNull();
		expect(valueOf([{ type: 'emptyToNull' }], 'x')).toBe('x');
	});
});

describe('validation and issues', () => {
	it('collects every issue of a record, each naming record, field, value and fix', () => {
		const mapping = compileMapping({
			rules: [
				{ target: 'email', source: 'emailAddress', type: 'email' },
				{ target: 'age', source: 'ageText', type: 'number' },
				{ target: 'LastName', source: 'last', required: true },
				{ target: 'zip', source: 'zip', pattern: '^\\d{5}$', maxLength: 5 },
				{ target: 'status', source: 'status', oneOf: ['open', 'closed'] },
				{ target: 'score', source: 'score', type: 'integer', min: 0, max: 100 },
				{ target: 'ok', source: 'fine' },
			],
		});
		const result = mapping.map(
			{
				emailAddress: 'bob@',
				ageText: '42',
				zip: '123456',
				status: 'pending',
				score: 120,
				fine: 'yes',
			},
			'item 3',
		);
		expect(result.ok).toBe(false);
		const issues = issuesOf(result);
		expect(issues.map((i) => [i.field, i.code])).toEqual([
			['email', 'type'],
			['age', 'type'],
			['LastName', 'required'],
			['zip', 'constraint'],
			['zip', 'constraint'],
			['status', 'constraint'],
			['score', 'constraint'],
		]);
		expect(issues.map((i) => i.message)).toEqual([
			'item 3, field "email": "bob@" is not a valid email address — correct the source value in "emailAddress" or change the field\'s type',
			'item 3, field "age": "42" is text, not a number — add a toNumber transform, or correct the source value in "ageText"',
			'item 3, field "LastName": is required but the source "last" is missing — fill "last" in the input, or give the rule a default',
			'item 3, field "zip": "123456" is 6 characters long, longer than the maximum of 5 — add a truncate transform (length 5), correct the source value in "zip", or raise the rule\'s maxLength',
			'item 3, field "zip": "123456" does not match the pattern /^\\d{5}$/ — correct the source value in "zip", or change the rule\'s pattern',
			'item 3, field "status": "pending" is not one of the allowed values ("open", "closed") — correct the source value in "status", add a lookup transform to translate it, or add it to the allowed values',
			'item 3, field "score": 120 is above the maximum of 100 — correct the source value in "score", or change the rule\'s max',
		]);
		expect(issues[0]).toMatchObject({ source: 'emailAddress', rule: 0 });
		// The fields that mapped cleanly are in `partial`.
		expect(result.ok === false && result.partial).toEqual({ ok: 'yes' });
	});

	it('checks every field type with zod', () => {
		const check = (type: FieldRule['type'], value: unknown) => one([], value, { type }).ok;
		expect(check('string', 'x')).toBe(true);
		expect(check('string', 1)).toBe(false);
		expect(check('number', 1.5)).toBe(true);
		expect(check('number', Number.NaN)).toBe(false);
		expect(check('integer', 2)).toBe(true);
		expect(check('integer', 2.5)).toBe(false);
		expect(check('boolean', false)).toBe(true);
		expect(check('boolean', 'false')).toBe(false);
		expect(check('date', '2024-02-29')).toBe(true);
		expect(check('date', '2023-02-29')).toBe(false);
		expect(check('date', '2024-02-29T00:00:00Z')).toBe(false);
		expect(check('datetime', '2024-02-29T10:00:00Z')).toBe(true);
		expect(check('datetime', '2024-02-29T10:00:00.123+01:00')).toBe(true);
		expect(check('datetime', '2024-02-29')).toBe(false);
		expect(check('email', 'ada@example.com')).toBe(true);
		expect(check('url', 'https://example.com/a?b=c')).toBe(true);
		expect(check('url', 'javascript:alert(1)')).toBe(false);
		expect(check('url', 'example.com')).toBe(false);
		expect(check('array', ['a'])).toBe(true);
		expect(check('array', 'a')).toBe(false);
		expect(check('number', null)).toBe(true); // null is "no value", not a type error (use required)
		expect(issuesOf(one([], 'a,b', { type: 'array' }))[0].message).toBe(
			'item 1, field "out": "a,b" is text, not a list — add a split transform, or correct the source value in "v"',
		);
		expect(issuesOf(one([], '2024/03/05', { type: 'date' }))[0].message).toBe(
			'item 1, field "out": "2024/03/05" is not a date in YYYY-MM-DD form — add a toDate transform with output "date", or correct the source value in "v"',
		);
	});

	it('reports required values emptied by transforms, and constants', () => {
		const result = compileMapping({
			rules: [
				{ target: 'name', source: 'name', transforms: [{ type: 'trim' }], required: true },
				{ target: 'fixed', constant: '', required: true },
			],
		}).map({ name: '   ' }, 'Contact 003xx');
		expect(issuesOf(result).map((i) => i.message)).toEqual([
			'Contact 003xx, field "name": is required but it is empty after the transforms (source "name" was "   ") — fill "name" in the input, or give the rule a default',
			'Contact 003xx, field "fixed": is required but the constant is empty — set the rule\'s constant',
		]);
	});

	it('blames the default when the default is at fault, and truncates long values', () => {
		const result = compileMapping({
			rules: [
				{ target: 'n', source: 'missing', default: 'lots', transforms: [{ type: 'toNumber' }] },
				{ target: 'email', source: 'e', type: 'email' },
			],
		}).map({ e: `${'x'.repeat(200)}@` });
		const [first, second] = issuesOf(result);
		expect(first.message).toBe(
			'Field "n": "lots" (the default) cannot be converted to a number: it contains characters other than digits, a sign and separators (transform 1, toNumber) — change the rule\'s default, or add a replace transform before toNumber to remove other characters (currency symbols, units)',
		);
		expect(second.message).toMatch(/^Field "email": "x{57}…" is not a valid email address/);
	});
});

describe('spec errors', () => {
	it('names the rule and the problem: both source and constant, neither, empty target', () => {
		expect(specError({ rules: [{ target: 'a', source: 'x', constant: 1 }] }).message).toBe(
			'rule 1 (target "a"): has both a source ("x") and a constant — keep one: a source to copy an input value, or a constant for a fixed value',
		);
		expect(specError({ rules: [{ target: 'a', source: 'x' }, { target: 'b' }] }).message).toBe(
			'rule 2 (target "b"): has neither a source nor a constant — set "source" to the input field to read (e.g. "emailAddress"), or "constant" to a fixed value',
		);
		expect(specError({ rules: [{ target: '  ', source: 'x' }] }).message).toBe(
			'rule 1: the target is empty — give the name of the field to write, e.g. "email" or "address.city"',
		);
	});

	it('reports unknown transforms, bad regexes, bad formats, bad zones and typos, all at once', () => {
		const error = specError({
			rules: [
				{ target: 'a', source: 'a', transforms: [{ type: 'lowercas' }] },
				{
					target: 'b',
					source: 'b',
					transforms: [{ type: 'replace', pattern: '(', replacement: '', regex: true }],
				},
				{
					target: 'c',
					source: 'c',
					transforms: [{ type: 'toDate', inputFormat: 'dd/MM/yyyy QQ' }],
				},
				{ target: 'd', source: 'd', transforms: [{ type: 'toDate', timezone: 'Mars/Olympus' }] },
				{ target: 'e', source: 'e', pattern: '[a-' },
				{ target: 'f', source: 'f', requird: true },
				{ target: 'g', source: 'g', transforms: [{ type: 'truncate', length: -1 }] },
				{ target: 'h', source: 'h', transforms: [{ type: 'split' }] },
				{ target: 'i', source: 'i', type: 'emial' },
			],
		});
		expect(error.problems.map((p) => p.ruleIndex)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8]);
		expect(error.problems.map((p) => p.message)).toEqual([
			'rule 1 (target "a"): transform 1: "lowercas" is not a known transform type — use one of trim, lowercase, uppercase, titlecase, toNumber, toInteger, toBoolean, toDate, toString, split, join, lookup, replace, truncate, emptyToNull',
			'rule 2 (target "b"): transform 1 (replace): pattern "(" is not a valid regular expression: Invalid regular expression: /(/g: Unterminated group',
			'rule 3 (target "c"): transform 1 (toDate): inputFormat "dd/MM/yyyy QQ" is not usable: "QQ" is not a supported token (use yyyy, yy, MM, M, MMM, MMMM, dd, d, HH, H, hh, h, a, mm, m, ss, s, SSS, Z, ZZ, ZZZ, X, x, EEE; quote literal letters like \'T\')',
			'rule 4 (target "d"): transform 1 (toDate): timezone "Mars/Olympus" is not an IANA time zone (e.g. "Europe/Berlin", "America/New_York", "UTC")',
			'rule 5 (target "e"): pattern "[a-" is not a valid regular expression: Invalid regular expression: /[a-/: Unterminated character class',
			'rule 6 (target "f"): unknown setting "requird" — check the spelling (allowed: target, source, constant, default, transforms, type, required, minLength, maxLength, min, max, pattern, oneOf)',
			'rule 7 (target "g"): transform 1 (truncate): "length" must be at least 0',
			'rule 8 (target "h"): transform 1 (split): "separator" is required',
			'rule 9 (target "i"): "type" is "emial"; use one of "any", "string", "number", "integer", "boolean", "date", "datetime", "email", "url", "array"',
		]);
		expect(
			error.message.startsWith('9 problems: (1) rule 1 (target "a"): transform 1: "lowercas"'),
		).toBe(true);
	});

	it('rejects duplicate and overlapping targets, bad paths and contradictory constraints', () => {
		const error = specError({
			rules: [
				{ target: 'email', source: 'a' },
				{ target: 'email', source: 'b' },
				{ target: 'address', source: 'addr' },
				{ target: 'address.city', source: 'city' },
				{ target: 'x', source: 'a..b' },
				{ target: '__proto__.polluted', constant: 1 },
				{ target: 'y', source: 'y', min: 5, max: 1, minLength: 3, maxLength: 2 },
			],
		});
		expect(error.problems.map((p) => p.message)).toEqual([
			'rule 2 (target "email"): the target "email" is also written by rule 1 — each target can be set by one rule only; remove or rename one',
			'rule 4 (target "address.city"): the target "address.city" is inside "address", which rule 3 sets as a whole — write either the object or its fields, not both',
			'rule 5 (target "x"): the source is an invalid path "a..b": empty key at position 2 — write a path such as "email", "address.city" or "emails[0]"',
			'rule 6 (target "__proto__.polluted"): the target is an invalid path "__proto__.polluted": "__proto__" is not allowed as a key — use field names separated by dots, e.g. "address.city"',
			'rule 7 (target "y"): minLength (3) is greater than maxLength (2) — no value could pass; swap or correct them',
			'rule 7 (target "y"): min (5) is greater than max (1) — no value could pass; swap or correct them',
		]);
	});

	it('rejects a spec that is not an object with rules', () => {
		expect(specError(null).message).toBe(
			'the mapping spec must be an object with a "rules" list, e.g. {"rules": [{"target": "email", "source": "emailAddress"}]}',
		);
		expect(specError({ rules: [] }).message).toContain('has no rules');
		expect(specError({ rules: [], keepUnmaped: true }).message).toContain(
			'unknown setting "keepUnmaped"',
		);
		expect(specError({ rules: ['email'] }).message).toBe(
			'rule 1: must be an object such as {"target": "email", "source": "emailAddress"}',
		);
		expect(
			specError({
				rules: [
					{
						target: 'a',
						source: 'a',
						transforms: [{ type: 'lookup', table: { A: 1, a: 2 }, caseInsensitive: true }],
					},
				],
			}).message,
		).toContain('keys that differ only in case');
	});
});
