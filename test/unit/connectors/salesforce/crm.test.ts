/** Salesforce behind the connector contract, without a network: describe → common schema, look-up chunks, whole-write failures. */
import { SalesforceCrm, wholeWriteFailure } from '../../../../core/connectors/salesforce/crm';
import type {
	FieldDescribe,
	SObjectDescribe,
} from '../../../../core/connectors/salesforce/connector';
import {
	LOOKUP_MAX_VALUES,
	LOOKUP_URL_BUDGET,
	lookupQueries,
} from '../../../../core/connectors/salesforce/lookup';
import {
	fieldTypeOf,
	toFieldSchema,
	toObjectSchema,
	upsertKeysOf,
} from '../../../../core/connectors/salesforce/schema';
import { CrmError } from '../../../../core/http/errors';
import { soql } from '../../../../core/query/soql';
import { fakeConnector } from './fake';

const field = (name: string, type: string, extra: Partial<FieldDescribe> = {}): FieldDescribe => ({
	name,
	label: `${name} label`,
	type,
	createable: true,
	updateable: true,
	nillable: true,
	...extra,
});

describe('Salesforce describe in the common schema', () => {
	it('maps every Salesforce type, keeping its own name in crmType', () => {
		const expected: Record<string, string> = {
			id: 'id',
			string: 'string',
			textarea: 'string',
			encryptedstring: 'string',
			int: 'number',
			double: 'number',
			currency: 'number',
			percent: 'number',
			boolean: 'boolean',
			date: 'date',
			datetime: 'datetime',
			picklist: 'picklist',
			multipicklist: 'multipicklist',
			reference: 'reference',
			email: 'email',
			phone: 'phone',
			url: 'url',
			address: 'other',
			location: 'other',
			base64: 'other',
			time: 'other',
			combobox: 'other',
			anyType: 'other',
		};
		for (const [sf, common] of Object.entries(expected)) {
			expect([sf, fieldTypeOf(sf)]).toEqual([sf, common]);
			expect(toFieldSchema(field('F', sf)).crmType).toBe(sf);
		}
	});

	it('is required on create only when createable, not nillable and not defaulted', () => {
		expect(toFieldSchema(field('LastName', 'string', { nillable: false })).requiredOnCreate).toBe(
			true,
		);
		expect(
			toFieldSchema(field('OwnerId', 'reference', { nillable: false, defaultedOnCreate: true }))
				.requiredOnCreate,
		).toBe(false);
		expect(
			toFieldSchema(
				field('HasOptedOutOfEmail', 'boolean', { nillable: false, defaultedOnCreate: true }),
			).requiredOnCreate,
		).toBe(false);
		expect(
			toFieldSchema(
				field('Name', 'string', { nillable: false, createable: false, updateable: false }),
			).requiredOnCreate,
		).toBe(false);
		expect(toFieldSchema(field('Title', 'string')).requiredOnCreate).toBe(false);
	});

	it('marks read-only, createable and updateable as describe says', () => {
		expect(
			toFieldSchema(field('CreatedDate', 'datetime', { createable: false, updateable: false })),
		).toMatchObject({ readOnly: true, createable: false, updateable: false });
		expect(toFieldSchema(field('AccountId', 'reference', { updateable: false }))).toMatchObject({
			readOnly: false,
			createable: true,
			updateable: false,
		});
		expect(toFieldSchema(field('Title', 'string'))).toMatchObject({
			readOnly: false,
			createable: true,
			updateable: true,
		});
	});

	it('gives picklists their active options, references their targets, text fields their length', () => {
		const status = toFieldSchema(
			field('Status', 'picklist', {
				picklistValues: [
					{ value: 'New', label: 'New', active: true },
					{ value: 'Old', label: 'Retired', active: false },
					{ value: 'Won', label: 'Closed Won', active: true },
				],
			}),
		);
		expect(status).toMatchObject({
			type: 'picklist',
			options: [
				{ value: 'New', label: 'New' },
				{ value: 'Won', label: 'Closed Won' },
			],
		});
		expect(
			toFieldSchema(field('Tags__c', 'multipicklist', { picklistValues: [] })).options,
		).toEqual([]);
		expect(
			toFieldSchema(field('WhoId', 'reference', { referenceTo: ['Contact', 'Lead'] })),
		).toMatchObject({ type: 'reference', referenceTo: ['Contact', 'Lead'] });
		expect(toFieldSchema(field('Email', 'email', { length: 80 })).length).toBe(80);
		expect(toFieldSchema(field('Amount', 'currency', { length: 0 })).length).toBeUndefined();
		expect(toFieldSchema(field('Title', 'string')).options).toBeUndefined();
	});

	it('unique from describe (an id is unique by nature); external id = usable as an upsert key', () => {
		expect(
			toFieldSchema(
				field('Id', 'id', { createable: false, updateable: false, idLookup: true, unique: false }),
			),
		).toMatchObject({ unique: true, externalId: false });
		expect(
			toFieldSchema(
				field('External_Id__c', 'string', { externalId: true, unique: true, idLookup: true }),
			),
		).toMatchObject({ unique: true, externalId: true });
		expect(
			toFieldSchema(field('Legacy_Id__c', 'string', { externalId: true, unique: false })),
		).toMatchObject({ unique: false, externalId: true });
		expect(
			toFieldSchema(field('Username', 'string', { idLookup: true, unique: true })),
		).toMatchObject({ unique: true, externalId: true });
		// idLookup, but computed: it cannot be set on create, so an upsert could not insert with it.
		expect(
			toFieldSchema(
				field('CaseNumber', 'string', {
					idLookup: true,
					createable: false,
					updateable: false,
					calculated: true,
				}),
			).externalId,
		).toBe(false);
		expect(toFieldSchema(field('Email', 'email')).externalId).toBe(false);
	});

	it('describes an object with Id and SystemModstamp, and lists its upsert keys (case-insensitive unless marked case-sensitive)', () => {
		const described: SObjectDescribe = {
			name: 'Contact',
			label: 'Contact',
			custom: false,
			createable: true,
			updateable: true,
			deletable: true,
			queryable: true,
			fields: [
				field('Id', 'id', { createable: false, updateable: false, idLookup: true }),
				field('External_Id__c', 'string', { externalId: true, unique: true }),
				field('Code__c', 'string', { externalId: true, caseSensitive: true }),
				field('Number__c', 'double', { externalId: true }),
				field('LastName', 'string', { nillable: false }),
			],
		};
		const schema = toObjectSchema(described);
		expect(schema).toMatchObject({
			name: 'Contact',
			label: 'Contact',
			custom: false,
			idField: 'Id',
			updatedAtField: 'SystemModstamp',
		});
		expect(schema.fields.map((f) => f.name)).toEqual([
			'Id',
			'External_Id__c',
			'Code__c',
			'Number__c',
			'LastName',
		]);
		expect(upsertKeysOf(described)).toEqual({
			upsertKeys: ['External_Id__c', 'Code__c', 'Number__c'],
			caseInsensitiveKeys: ['External_Id__c'],
		});
	});
});

describe('look-up queries (SOQL IN within the URL limit)', () => {
	const url = (text: string) =>
		`https://na1.my.salesforce.com/services/data/v62.0/query?q=${encodeURIComponent(text)}`;

	it('puts every value in exactly one query, at most 200 per query', () => {
		const ids = Array.from({ length: 450 }, (_, i) => `0035g0000${String(i).padStart(6, '0')}AAA`);
		const queries = lookupQueries({
			object: 'Contact',
			field: 'Id',
			values: ids,
			select: ['Id', 'LastName', 'id'],
		});
		expect(queries.map((q) => (q.text.match(/'/g) ?? []).length / 2)).toEqual([200, 200, 50]);
		expect(
			queries[0].text.startsWith(
				"SELECT Id, LastName FROM Contact WHERE Id IN ('0035g0000000000AAA','0035g0000000001AAA',",
			),
		).toBe(true);
		const bound = queries.flatMap((q) => [...q.text.matchAll(/'([^']+)'/g)].map((m) => m[1]));
		expect(bound).toEqual(ids);
		expect(LOOKUP_MAX_VALUES).toBe(200);
	});

	it('splits long values so that each query URL stays within the budget, and binds quotes safely', () => {
		const values = Array.from({ length: 120 }, (_, i) => `Ünïcödé ${"O'Brien ".repeat(25)} #${i}`);
		const queries = lookupQueries({
			object: 'Contact',
			field: 'External_Id__c',
			values,
			select: ['Id'],
		});
		expect(queries.length).toBeGreaterThan(4);
		for (const q of queries) expect(url(q.text).length).toBeLessThanOrEqual(LOOKUP_URL_BUDGET);
		expect(queries.reduce((n, q) => n + (q.text.match(/\\'/g) ?? []).length, 0)).toBe(120 * 25);
		expect(queries.map((q) => q.text).join('\n')).not.toMatch(/[^\\]'Brien/);
	});

	it("binds numbers and date literals of the field's type", () => {
		const [q] = lookupQueries({
			object: 'Account',
			field: 'NumberOfEmployees',
			values: [10, 2.5],
			select: ['Id'],
		});
		expect(q.text).toBe('SELECT Id FROM Account WHERE NumberOfEmployees IN (10,2.5)');
		const [d] = lookupQueries({
			object: 'Contact',
			field: 'Birthdate',
			values: [soql.date('2024-03-05')],
			select: ['Id'],
		});
		expect(d.text).toBe('SELECT Id FROM Contact WHERE Birthdate IN (2024-03-05)');
	});
});

describe('SalesforceCrm without a network', () => {
	const rec = (id: string, extra: Record<string, unknown> = {}) => ({
		attributes: { type: 'Contact' },
		Id: id,
		LastName: `L ${id}`,
		SystemModstamp: '2024-03-05T10:15:00.000+0000',
		...extra,
	});

	it('getByIds aligns results to the input (15- or 18-character ids, repeats, misses) from one query', async () => {
		const { connector, calls } = fakeConnector(() => ({
			body: {
				totalSize: 2,
				done: true,
				records: [rec('0035g00000000BBAAA'), rec('0035g00000000AAAAA')],
			},
		}));
		const crm = new SalesforceCrm(connector);
		const got = await crm.getByIds(
			'Contact',
			['0035g00000000AA', '0035g00000000CCAAA', '0035g00000000BBAAA', '0035g00000000AAAAA'],
			['LastName'],
		);
		expect(got.map((r) => r?.id)).toEqual([
			'0035g00000000AAAAA',
			undefined,
			'0035g00000000BBAAA',
			'0035g00000000AAAAA',
		]);
		expect(got[0]).toEqual({
			id: '0035g00000000AAAAA',
			type: 'Contact',
			source: 'salesforce',
			fields: { Id: '0035g00000000AAAAA', LastName: 'L 0035g00000000AAAAA' },
			updatedAt: '2024-03-05T10:15:00.000Z',
			raw: rec('0035g00000000AAAAA'),
		});
		expect(calls).toHaveLength(1);
		expect(calls[0].search.get('q')).toBe(
			"SELECT Id, LastName, SystemModstamp FROM Contact WHERE Id IN ('0035g00000000AA','0035g00000000CCAAA','0035g00000000BBAAA','0035g00000000AAAAA')",
		);
	});

	it('refuses a malformed id before any call, naming it', async () => {
		const { connector, calls } = fakeConnector(() => ({
			body: { totalSize: 0, done: true, records: [] },
		}));
		const crm = new SalesforceCrm(connector);
		await expect(
			crm.getByIds('Contact', ['0035g00000000AAAAA', "x' OR Name != '"]),
		).rejects.toThrow(/Id 2 "x' OR Name != '" is not a Salesforce record ID/);
		expect(calls).toHaveLength(0);
	});

	it('findByKeys keeps every match, matches text case-insensitively as SOQL does, and gives empty values no match', async () => {
		const { connector, calls } = fakeConnector(() => ({
			body: {
				totalSize: 3,
				done: true,
				records: [
					rec('0035g00000000AAAAA', { External_Id__c: 'K-1' }),
					rec('0035g00000000BBAAA', { External_Id__c: 'k-2' }),
					rec('0035g00000000CCAAA', { External_Id__c: 'K-2' }),
				],
			},
		}));
		const crm = new SalesforceCrm(connector);
		const found = await crm.findByKeys(
			'Contact',
			'external_id__c',
			['k-2', '', 'k-1', 'K-1', 'none'],
			['LastName'],
		);
		expect(found.map((m) => m.map((r) => r.id))).toEqual([
			['0035g00000000BBAAA', '0035g00000000CCAAA'],
			[],
			['0035g00000000AAAAA'],
			['0035g00000000AAAAA'],
			[],
		]);
		expect(calls).toHaveLength(1);
		expect(calls[0].search.get('q')).toBe(
			"SELECT Id, LastName, External_Id__c, SystemModstamp FROM Contact WHERE External_Id__c IN ('k-2','k-1','none')",
		);
	});

	it("findByKeys refuses an unknown field and values not of the field's type, before any call", async () => {
		const { connector, calls } = fakeConnector(() => ({
			body: { totalSize: 0, done: true, records: [] },
		}));
		const crm = new SalesforceCrm(connector);
		await expect(crm.findByKeys('Contact', 'Nope__c', ['a'])).rejects.toThrow(
			/Nope__c is not a field of Contact/,
		);
		await expect(crm.findByKeys('Contact', 'NumberOfEmployees', ['12', 'twelve'])).rejects.toThrow(
			/Value 2: NumberOfEmployees value "twelve" is not a number/,
		);
		expect(calls).toHaveLength(0);
	});

	it('upsert needs a key that can be one: refused before any call otherwise', async () => {
		const { connector, calls } = fakeConnector(() => ({ body: [] }));
		const crm = new SalesforceCrm(connector);
		await expect(crm.write('upsert', 'Contact', [{ fields: { LastName: 'A' } }])).rejects.toThrow(
			/Upsert needs a key/,
		);
		await expect(
			crm.write('upsert', 'Contact', [{ fields: { LastName: 'A' } }], { key: 'LastName' }),
		).rejects.toThrow(/LastName cannot be an upsert key of Contact: it is not an external ID/);
		expect(calls).toHaveLength(0);
	});

	it('a whole-write failure is "not written" when it never reached Salesforce, else OUTCOME_UNKNOWN', () => {
		expect(
			wholeWriteFailure(
				new CrmError('Session expired', { kind: 'authentication', crmCode: 'INVALID_SESSION_ID' }),
				'create',
			),
		).toEqual({ message: 'not created: Session expired', code: 'INVALID_SESSION_ID' });
		expect(
			wholeWriteFailure(new CrmError('socket hang up', { kind: 'transient' }), 'update'),
		).toMatchObject({
			code: 'OUTCOME_UNKNOWN',
			message: expect.stringMatching(
				/^outcome unknown: .*socket hang up.*whether this record was updated/,
			),
		});
		expect(wholeWriteFailure(new Error('boom'), 'delete')).toMatchObject({
			code: 'OUTCOME_UNKNOWN',
		});
	});
});
