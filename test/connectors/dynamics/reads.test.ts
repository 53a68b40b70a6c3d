/**
 * DynamicsCrm's reads against the Dataverse simulator: describe (types, option sets, lookup targets, alternate keys,
 * required / read-only), getByIds (order, missing, batching), findByKeys (every match, case-insensitive), and paging
 * over `@odata.nextLink` — every figure counted in the simulator's request log.
 */
import { dataverseFieldSchema, dataverseFieldType } from '../../../core/connectors/dynamics/schema';
import { isCrmError } from '../../../core/http/errors';
import { client as raw } from '../../sandbox/helpers';
import { fetchToken } from '../../sandbox/dynamics/helpers';
import { startDvWorld, type DvWorld } from './helpers';

describe('DynamicsCrm reads', () => {
	let w: DvWorld;
	beforeAll(async () => {
		w = await startDvWorld({ seed: 5 });
	});
	afterAll(() => w.sim.stop());
	beforeEach(() => w.sim.reset());

	/** Creates contacts through the Web API (as another client would); their ids in order. */
	async function createContacts(rows: Array<Record<string, unknown>>): Promise<string[]> {
		const token = await fetchToken(w.contract);
		const api = raw(`${w.contract.apiUrl}/`, { Authorization: `Bearer ${token}` });
		const ids: string[] = [];
		for (const row of rows) {
			const res = await api.post('contacts', row, { headers: { Prefer: 'return=representation' } });
			if (res.status !== 201) throw new Error(`create answered ${res.status}`);
			ids.push((res.data as { contactid: string }).contactid);
		}
		return ids;
	}

	it('lists tables by entity set name and describes contact in the common schema', async () => {
		const crm = w.crm();
		const types = await crm.listObjectTypes();
		expect(types).toContainEqual({ name: 'contacts', label: 'Contact', custom: false });
		expect(types.find((t) => t.name === 'new_projects')?.custom).toBe(true);
		const schema = await crm.describe('contacts');
		expect(await crm.describe('contact')).toMatchObject({ name: 'contacts' }); // the logical name works too
		expect(schema).toMatchObject({ idField: 'contactid', updatedAtField: 'modifiedon' });
		const f = new Map(schema.fields.map((x) => [x.name, x]));
		expect(f.get('contactid')).toMatchObject({ type: 'id', readOnly: true, createable: false });
		expect(f.get('lastname')).toMatchObject({
			type: 'string',
			length: 50,
			requiredOnCreate: true,
			createable: true,
			updateable: true,
		});
		expect(f.get('firstname')).toMatchObject({ requiredOnCreate: false });
		expect(f.get('emailaddress1')).toMatchObject({ unique: true, externalId: true, length: 100 });
		expect(f.get('fullname')).toMatchObject({
			readOnly: true,
			createable: false,
			updateable: false,
		});
		expect(f.get('modifiedon')).toMatchObject({ type: 'datetime', readOnly: true });
		expect(f.get('birthdate')).toMatchObject({ type: 'date' });
		expect(f.get('gendercode')).toMatchObject({
			type: 'picklist',
			crmType: 'Picklist',
			options: [
				{ value: '1', label: 'Male' },
				{ value: '2', label: 'Female' },
			],
		});
		expect(f.get('statecode')?.options?.map((o) => o.label)).toEqual(['Active', 'Inactive']);
		expect(f.get('statecode')?.requiredOnCreate).toBe(false); // SystemRequired, but defaulted
		expect(f.get('parentcustomerid')).toMatchObject({
			type: 'reference',
			referenceTo: ['account', 'contact'],
		});
		expect(f.get('ownerid')).toMatchObject({ type: 'reference', requiredOnCreate: false });
		expect(f.get('versionnumber')).toMatchObject({ type: 'number' });
		const caps = await crm.capabilities('contacts');
		expect(caps).toMatchObject({
			batchSize: 1000,
			upsertKeys: ['emailaddress1'],
			caseInsensitiveKeys: ['emailaddress1'],
			deletesInChangeFeed: true,
			timestampPrecisionMs: 1000,
		});
		// Read once per instance: one entity list, one definition, option sets by type (+ per attribute where the
		// type-wide read came without them).
		expect(w.count('metadata.entities')).toBe(1);
		expect(w.count('metadata.entity')).toBe(1);
	});

	it('maps string formats, booleans, numbers and multi-select option sets (Dataverse metadata shapes)', () => {
		const attr = (extra: Record<string, unknown>) => ({
			LogicalName: 'x',
			IsValidForCreate: true,
			IsValidForUpdate: true,
			RequiredLevel: { Value: 'None' },
			...extra,
		});
		expect(
			dataverseFieldType(attr({ AttributeType: 'String', FormatName: { Value: 'Email' } })),
		).toBe('email');
		expect(dataverseFieldType(attr({ AttributeType: 'String', Format: 'Phone' }))).toBe('phone');
		expect(
			dataverseFieldType(attr({ AttributeType: 'String', FormatName: { Value: 'Url' } })),
		).toBe('url');
		expect(
			dataverseFieldType(attr({ AttributeType: 'String', FormatName: { Value: 'Text' } })),
		).toBe('string');
		expect(dataverseFieldType(attr({ AttributeType: 'Boolean' }))).toBe('boolean');
		expect(dataverseFieldType(attr({ AttributeType: 'Decimal' }))).toBe('number');
		expect(dataverseFieldType(attr({ AttributeType: 'EntityName' }))).toBe('other');
		const multi = dataverseFieldSchema(
			attr({
				AttributeType: 'Virtual',
				AttributeTypeName: { Value: 'MultiSelectPicklistType' },
				OptionSet: { Options: [{ Value: 7, Label: { UserLocalizedLabel: { Label: 'Seven' } } }] },
			}),
			new Set(),
		);
		expect(multi).toMatchObject({
			type: 'multipicklist',
			options: [{ value: '7', label: 'Seven' }],
		});
	});

	it('getByIds: records in the order of the ids, undefined for missing ones, 100 ids per request', async () => {
		const ids = await createContacts(
			Array.from({ length: 3 }, (_, i) => ({
				lastname: `Id ${i}`,
				emailaddress1: `id${i}@x.test`,
			})),
		);
		const crm = w.crm({ lookupChunk: 2 });
		await crm.describe('contacts');
		const missing = '00000000-0000-4000-8000-000000000000';
		const before = w.count('records.list');
		const got = await crm.getByIds(
			'contacts',
			[ids[2], missing, ids[0].toUpperCase(), 'not-a-guid', ids[1], ids[2]],
			['lastname'],
		);
		expect(got.map((r) => r?.fields.lastname)).toEqual([
			'Id 2',
			undefined,
			'Id 0',
			undefined,
			'Id 1',
			'Id 2',
		]);
		expect(got[0]).toMatchObject({ id: ids[2], type: 'contacts', source: 'dynamics' });
		expect(got[0]?.updatedAt).toMatch(/^\d{4}-\d{2}-\d{2}T/);
		// Four distinct GUIDs in chunks of two: two requests.
		expect(w.count('records.list') - before).toBe(2);
		const q = w.sim.log.entries({ kind: 'records.list' }).at(-1)?.query;
		expect(q?.$filter).toMatch(/^Microsoft\.Dynamics\.CRM\.In\(PropertyName='contactid'/);
		expect(q?.$select).toBe('contactid,modifiedon,lastname');
	});

	it('findByKeys: every match per value in the order of the values, compared case-insensitively', async () => {
		const ids = await createContacts([
			{ lastname: "O'Brien", jobtitle: 'Buyer', emailaddress1: 'ada@x.test' },
			{ lastname: 'Other', jobtitle: 'buyer', emailaddress1: 'bob@x.test' },
			{ lastname: 'Third', jobtitle: 'CTO', emailaddress1: 'cy@x.test' },
		]);
		const crm = w.crm();
		const byTitle = await crm.findByKeys(
			'contacts',
			'jobtitle',
			['CTO', 'BUYER', 'Nobody'],
			['lastname'],
		);
		expect(byTitle.map((m) => m.map((r) => r.id).sort())).toEqual([
			[ids[2]],
			[ids[0], ids[1]].sort(),
			[],
		]);
		const byMail = await crm.findByKeys('contacts', 'emailaddress1', ['BOB@X.test', 'ada@x.test']);
		expect(byMail.map((m) => m.map((r) => r.id))).toEqual([[ids[1]], [ids[0]]]);
		const quoted = await crm.findByKeys('contacts', 'lastname', ["o'brien", 'a"b']);
		expect(quoted.map((m) => m.map((r) => r.id))).toEqual([[ids[0]], []]);
		// Two rows with one key value (written behind the API's back: the alternate key forbids it there).
		const dup = w.sim
			.collection('contact')
			.create({ lastname: 'Dup', emailaddress1: 'ADA@x.test' });
		const twice = await crm.findByKeys('contacts', 'emailaddress1', ['ada@x.test']);
		expect(twice[0].map((r) => r.id).sort()).toEqual([ids[0], dup.id].sort());
		const err = await crm.findByKeys('contacts', 'nosuchfield', ['x']).catch((e: unknown) => e);
		expect(isCrmError(err) && err.kind).toBe('validation');
	});

	it('lookup values are named by the lookup (not _x_value) and can be matched on', async () => {
		const token = await fetchToken(w.contract);
		const api = raw(`${w.contract.apiUrl}/`, { Authorization: `Bearer ${token}` });
		const acc = await api.post(
			'accounts',
			{ name: 'Acme' },
			{ headers: { Prefer: 'return=representation' } },
		);
		const accountId = (acc.data as { accountid: string }).accountid;
		const [id] = await createContacts([
			{ lastname: 'Child', 'parentcustomerid_account@odata.bind': `/accounts(${accountId})` },
		]);
		const crm = w.crm();
		const [rec] = await crm.getByIds('contacts', [id], ['parentcustomerid']);
		expect(rec?.fields.parentcustomerid).toBe(accountId);
		const found = await crm.findByKeys('contacts', 'parentcustomerid', [accountId]);
		expect(found[0].map((r) => r.id)).toEqual([id]);
	});

	it('pages over @odata.nextLink: more than 5,000 rows, one request per page, nothing repeated', async () => {
		w.sim.seed({ contacts: 5200 });
		const stored = w.sim.collection('contact').count();
		expect(stored).toBeGreaterThan(5000);
		const client = w.client();
		const before = w.count('records.list');
		const seen = new Set<string>();
		let pages = 0;
		for await (const page of client.pages<{ contactid: string }>('contacts', {
			query: { $select: 'contactid' },
		})) {
			pages++;
			expect(page.value.length).toBeLessThanOrEqual(5000);
			for (const r of page.value) seen.add(r.contactid);
		}
		expect(pages).toBe(2);
		expect(w.count('records.list') - before).toBe(2);
		expect(seen.size).toBe(stored);
		expect(w.sim.log.entries({ kind: 'records.list' }).at(-1)?.query.$skiptoken).toBeDefined();
		// A smaller page (Prefer: odata.maxpagesize) means more requests, still every row once.
		const small = new Set<string>();
		const mark = w.count('records.list');
		for await (const row of client.rows<{ contactid: string }>('contacts', {
			query: { $select: 'contactid' },
			maxPageSize: 2000,
		}))
			small.add(row.contactid);
		expect(w.count('records.list') - mark).toBe(Math.ceil(stored / 2000));
		expect(small).toEqual(seen);
	});
});
