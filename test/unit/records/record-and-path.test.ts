import {
	crmRecordSchema,
	describeValue,
	getPath,
	isCrmRecord,
	parseCrmRecord,
	parsePath,
	RecordError,
	setPath,
	toRecord,
} from '../../../core/records';

describe('paths', () => {
	it('parses dots, indices and quoted keys', () => {
		expect(parsePath('a.b[0].c')).toEqual(['a', 'b', 0, 'c']);
		expect(parsePath('[2]')).toEqual([2]);
		expect(parsePath('attrs["a.b"][\'c]d\']')).toEqual(['attrs', 'a.b', 'c]d']);
		expect(parsePath('x["say \\"hi\\""]')).toEqual(['x', 'say "hi"']);
	});

	it('rejects malformed paths and prototype keys with the position', () => {
		expect(() => parsePath('a..b')).toThrow('invalid path "a..b": empty key at position 2');
		expect(() => parsePath('a.')).toThrow('the path ends with "."');
		expect(() => parsePath('a[x]')).toThrow(
			'"[x]" is not an array index (use a number, or quotes for a key: ["x"])',
		);
		expect(() => parsePath('a[0')).toThrow('unterminated "[" at position 1');
		expect(() => parsePath('constructor.prototype')).toThrow(
			'"constructor" is not allowed as a key',
		);
		expect(() => parsePath('')).toThrow('the path is empty');
	});

	it('reads own properties only and returns undefined for missing steps', () => {
		const value = { a: { list: [{ n: 1 }] }, plain: 'x' };
		expect(getPath(value, 'a.list[0].n')).toBe(1);
		expect(getPath(value, 'a.list[5].n')).toBeUndefined();
		expect(getPath(value, 'plain.length')).toBeUndefined();
		expect(getPath({}, 'toString')).toBeUndefined();
	});

	it('writes nested values and refuses to overwrite a scalar', () => {
		const target: Record<string, unknown> = {};
		setPath(target, 'address.city', 'London');
		setPath(target, ['lines', 0, 'sku'], 'A1');
		expect(target).toEqual({ address: { city: 'London' }, lines: [{ sku: 'A1' }] });
		expect(() => setPath({ a: 'x' }, 'a.b', 1)).toThrow(
			'cannot set "a.b": "a" already holds a string, not an object',
		);
		expect(({} as Record<string, unknown>).polluted).toBeUndefined();
	});

	it('describeValue keeps messages short', () => {
		expect(describeValue('bob@')).toBe('"bob@"');
		expect(describeValue(undefined)).toBe('(missing)');
		expect(describeValue({ a: 'x'.repeat(100) })).toHaveLength(60);
		expect(describeValue('é'.repeat(100))).toBe(`"${'é'.repeat(57)}…"`);
	});
});

describe('records', () => {
	it('toRecord normalises id and updatedAt', () => {
		const raw = { Id: '003xx', LastModifiedDate: '2024-03-05T10:15:00.000+0000' };
		const record = toRecord(
			'Contact',
			'salesforce',
			{ LastName: 'Lovelace' },
			{ id: '003xx', updatedAt: '2024-03-05T10:15:00+01:00', raw },
		);
		expect(record).toEqual({
			id: '003xx',
			type: 'Contact',
			source: 'salesforce',
			fields: { LastName: 'Lovelace' },
			updatedAt: '2024-03-05T09:15:00.000Z',
			raw,
		});
		expect(toRecord('contacts', 'hubspot', {}, { id: 501, updatedAt: 1709633700000 })).toEqual({
			id: '501',
			type: 'contacts',
			source: 'hubspot',
			fields: {},
			updatedAt: '2024-03-05T10:15:00.000Z',
		});
		expect(toRecord('contact', 'dynamics', {}, { id: '' })).toEqual({
			type: 'contact',
			source: 'dynamics',
			fields: {},
		});
		expect(isCrmRecord(record)).toBe(true);
	});

	it('toRecord names the record and the problem', () => {
		expect(() =>
			toRecord('Contact', 'salesforce', {}, { id: '003xx', updatedAt: 'last tuesday' }),
		).toThrow(
			new RecordError(
				'Contact 003xx: updatedAt "last tuesday" is not a valid date (it is not in ISO 8601 (2024-03-05T10:15:00Z), RFC 2822 or epoch form) — pass an ISO 8601 timestamp',
			),
		);
		expect(() => toRecord('', 'salesforce', {})).toThrow(
			'record: the record type is empty — pass the object name (e.g. "Contact")',
		);
		expect(() =>
			toRecord('Contact', 'salesforce', [] as unknown as Record<string, unknown>),
		).toThrow('Contact: fields must be an object of field values, got []');
	});

	it('parseCrmRecord validates with the zod schema', () => {
		expect(parseCrmRecord({ type: 'Lead', source: 'rest', fields: { a: 1 } })).toEqual({
			type: 'Lead',
			source: 'rest',
			fields: { a: 1 },
		});
		expect(() => parseCrmRecord({ type: 'Lead', fields: [], updatedAt: 'yesterday' })).toThrow(
			/^not a valid CRM record — fields: .*; updatedAt: Invalid datetime; source: Required$/,
		);
		expect(
			crmRecordSchema.safeParse({ type: 'Lead', source: 'x', fields: {}, extra: 1 }).success,
		).toBe(false);
	});
});
