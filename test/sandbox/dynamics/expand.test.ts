import { client } from '../helpers';
import { fetchToken, dvError, startDv, type StartedDv } from './helpers';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- records are arbitrary JSON navigated in assertions
type Json = any;

describe('Dataverse simulator: $expand', () => {
	let s: StartedDv;
	let token: string;
	let api: string;
	const id: Record<string, string> = {};
	const account = (i: string) => ({ id: id[i], logicalName: 'account' });

	beforeAll(async () => {
		s = await startDv({ seed: 3 });
		token = await fetchToken(s.contract);
		api = s.contract.apiUrl;
		const mk = (key: string, table: string, fields: Json) =>
			(id[key] = s.sim.createDirect(table, fields).id);
		mk('contoso', 'account', { name: 'Contoso' });
		mk('fabrikam', 'account', { name: 'Fabrikam' });
		mk('empty', 'account', { name: 'Empty' });
		mk('adams', 'contact', {
			firstname: 'Ann',
			lastname: 'Adams',
			parentcustomerid: account('contoso'),
		});
		mk('baker', 'contact', { lastname: 'Baker', parentcustomerid: account('contoso') });
		mk('clark', 'contact', {
			lastname: 'Clark',
			jobtitle: 'CEO',
			parentcustomerid: account('contoso'),
		});
		mk('davis', 'contact', { lastname: 'Davis', parentcustomerid: account('fabrikam') });
		mk('evans', 'contact', {
			lastname: 'Evans',
			parentcustomerid: { id: id.adams, logicalName: 'contact' },
		});
		mk('fox', 'contact', { lastname: 'Fox' });
		s.sim.updateDirect('account', id.contoso, {
			primarycontactid: { id: id.clark, logicalName: 'contact' },
		});
	});
	afterAll(() => s.sim.stop());

	const raw = (headers: Record<string, string> = {}) =>
		client(`${api}/`, { Authorization: `Bearer ${token}`, Accept: 'application/json', ...headers });
	const byId = (rows: Json[], key: string) =>
		rows.find((r) => r.contactid === id[key] || r.accountid === id[key]);

	it('expands the single-valued parentcustomerid_account / _contact of every contact (null when absent)', async () => {
		const res: Json = await s.api.retrieveMultiple({
			collection: 'contacts',
			select: ['fullname'],
			expand: [
				{ property: 'parentcustomerid_account', select: ['name'] },
				{ property: 'parentcustomerid_contact', select: ['fullname'] },
			],
		});
		expect(res.oDataContext).toBe(
			`${api}/$metadata#contacts(fullname,parentcustomerid_account(name),parentcustomerid_contact(fullname))`,
		);
		expect(res.value).toHaveLength(6);
		// In a list, Microsoft's example shows expanded single-valued rows without @odata.etag.
		expect(byId(res.value, 'adams').parentcustomerid_account).toEqual({
			name: 'Contoso',
			accountid: id.contoso,
		});
		expect(byId(res.value, 'adams').parentcustomerid_contact).toBeNull();
		expect(byId(res.value, 'davis').parentcustomerid_account.name).toBe('Fabrikam');
		expect(byId(res.value, 'evans').parentcustomerid_account).toBeNull();
		expect(byId(res.value, 'evans').parentcustomerid_contact).toEqual({
			fullname: 'Ann Adams',
			contactid: id.adams,
		});
		expect(byId(res.value, 'fox').parentcustomerid_account).toBeNull();
	});

	it('expands contact_customer_accounts with $select/$filter/$orderby/$top; its nextLink returns the same rows', async () => {
		const res: Json = await s.api.retrieveMultiple({
			collection: 'accounts',
			select: ['name'],
			expand: [
				{
					property: 'contact_customer_accounts',
					select: ['fullname'],
					filter: "jobtitle ne 'CEO' or jobtitle eq null",
					orderBy: ['lastname desc'],
					top: 1,
				},
			],
		});
		expect(res.oDataContext).toBe(
			`${api}/$metadata#accounts(name,contact_customer_accounts(fullname))`,
		);
		const contoso = byId(res.value, 'contoso');
		expect(contoso.contact_customer_accounts).toEqual([
			{
				'@odata.etag': expect.stringMatching(/^W\/"\d+"$/),
				fullname: 'Baker',
				contactid: id.baker,
				_parentcustomerid_value: id.contoso,
			},
		]);
		expect(byId(res.value, 'empty').contact_customer_accounts).toEqual([]);
		const link: string = contoso['contact_customer_accounts@odata.nextLink'];
		expect(
			link.startsWith(
				`${api}/accounts(${id.contoso})/contact_customer_accounts?$select=fullname&$filter=`,
			),
		).toBe(true);
		const again = await raw().get(link);
		expect(again.status).toBe(200);
		expect(again.data.value.map((r: Json) => r.contactid)).toEqual([id.baker]);
		expect(again.data.value[0].fullname).toBe('Baker');
	});

	it('a single row: expanded rows carry @odata.etag, collections no lookup and no nextLink', async () => {
		const r: Json = await s.api.retrieve({
			collection: 'accounts',
			key: id.contoso,
			select: ['name'],
			expand: [
				{ property: 'primarycontactid', select: ['fullname'] },
				{ property: 'contact_customer_accounts', select: ['fullname'], orderBy: ['lastname'] },
			],
		});
		expect(r.oDataContext).toBe(
			`${api}/$metadata#accounts(name,primarycontactid(fullname),contact_customer_accounts(fullname))/$entity`,
		);
		expect(r.primarycontactid).toMatchObject({ fullname: 'Clark', contactid: id.clark });
		expect(r.primarycontactid['@odata.etag']).toMatch(/^W\/"\d+"$/);
		expect(r.contact_customer_accounts.map((c: Json) => c.fullname)).toEqual([
			'Ann Adams',
			'Baker',
			'Clark',
		]);
		expect(r.contact_customer_accounts[0]._parentcustomerid_value).toBeUndefined();
		expect(r['contact_customer_accounts@odata.nextLink']).toBeUndefined();
	});

	it('pages the accounts only: each page row has its whole expanded collection; nextLink keeps $expand', async () => {
		s.sim.log.reset();
		const seen: Json[] = [];
		let page: Json = await s.api.retrieveMultiple({
			collection: 'accounts',
			select: ['name'],
			expand: [{ property: 'contact_customer_accounts', select: ['lastname'] }],
			maxPageSize: 1,
		});
		seen.push(...page.value);
		while (page.oDataNextLink) {
			expect(page.oDataNextLink).toContain('$expand=contact_customer_accounts($select=lastname)');
			page = await s.api.retrieveMultiple(
				{ collection: 'accounts', maxPageSize: 1 },
				page.oDataNextLink,
			);
			seen.push(...page.value);
		}
		expect(seen.map((a) => a.accountid).sort()).toEqual([id.contoso, id.fabrikam, id.empty].sort());
		expect(byId(seen, 'contoso').contact_customer_accounts).toHaveLength(3);
		expect(byId(seen, 'fabrikam').contact_customer_accounts.map((c: Json) => c.lastname)).toEqual([
			'Davis',
		]);
		expect(s.sim.log.count({ kind: 'records.list', status: 200 })).toBe(3);
	});

	it('nests single-valued expansions, filters a single-valued one, returns /$ref and the owner', async () => {
		const nested = await raw().get(
			'contacts?$select=lastname&$expand=parentcustomerid_account($select=name;$expand=primarycontactid($select=fullname))',
		);
		expect(nested.data['@odata.context']).toBe(
			`${api}/$metadata#contacts(lastname,parentcustomerid_account(name,primarycontactid(fullname)))`,
		);
		expect(byId(nested.data.value, 'baker').parentcustomerid_account.primarycontactid).toEqual({
			fullname: 'Clark',
			contactid: id.clark,
		});
		expect(byId(nested.data.value, 'davis').parentcustomerid_account.primarycontactid).toBeNull();

		const filtered = await raw().get(
			"contacts?$select=lastname&$expand=parentcustomerid_account($select=name;$filter=name eq 'Fabrikam')",
		);
		expect(byId(filtered.data.value, 'adams').parentcustomerid_account).toBeNull();
		expect(byId(filtered.data.value, 'davis').parentcustomerid_account.name).toBe('Fabrikam');

		const ref = await raw().get('accounts?$select=name&$expand=primarycontactid/$ref');
		expect(ref.data['@odata.context']).toBe(
			`${api}/$metadata#accounts(name,primarycontactid,primarycontactid/$ref())`,
		);
		expect(byId(ref.data.value, 'contoso')).toMatchObject({
			_primarycontactid_value: id.clark,
			primarycontactid: { '@odata.id': `${api}/contacts(${id.clark})` },
		});
		expect(byId(ref.data.value, 'empty').primarycontactid).toBeNull();

		const owner = await raw().get(
			`contacts(${id.fox})?$select=lastname&$expand=ownerid($select=fullname)`,
		);
		expect(owner.data.ownerid).toMatchObject({
			systemuserid: s.sim.userIds[0],
			ownerid: s.sim.userIds[0],
		});
	});

	it('expands the N:N accountleads_association alone; not together with other properties', async () => {
		const lead = (await s.api.create({
			collection: 'leads',
			data: { subject: 'Deal', lastname: 'Lee' },
		})) as string;
		await s.api.associate({
			collection: 'accounts',
			primaryKey: id.fabrikam,
			relationshipName: 'accountleads_association',
			relatedCollection: 'leads',
			relatedKey: lead,
		});
		const r: Json = await s.api.retrieve({
			collection: 'accounts',
			key: id.fabrikam,
			select: ['name'],
			expand: [{ property: 'accountleads_association', select: ['subject'] }],
		});
		expect(r.accountleads_association.map((l: Json) => [l.leadid, l.subject])).toEqual([
			[lead, 'Deal'],
		]);
		const both = await raw().get('accounts?$expand=accountleads_association,primarycontactid');
		expect(both.status).toBe(400);
	});

	it('answers Dataverse errors for unknown or wrong navigation properties and options', async () => {
		const cases: Array<[string, number, string]> = [
			[
				'contacts?$expand=parentcustomerid',
				400,
				"Could not find a property named 'parentcustomerid' on type 'Microsoft.Dynamics.CRM.contact'.",
			],
			[
				'contacts?$expand=fullname',
				400,
				"Property 'fullname' on type 'Microsoft.Dynamics.CRM.contact' is not a navigation property or complex property. Only navigation properties can be expanded.",
			],
			[
				'contacts?$expand=parentcustomerid_account($top=1)',
				400,
				'Only $select and $filter clause can be provided while doing $expand on many-to-one relationship or nested one-to-many relationship.',
			],
			[
				'accounts?$expand=contact_customer_accounts/$ref',
				400,
				'Expand with $ref is only supported on lookup type navigation property.',
			],
			[
				'accounts?$expand=contact_customer_accounts($select=nope)',
				400,
				"Could not find a property named 'nope' on type 'Microsoft.Dynamics.CRM.contact'.",
			],
			[
				'accounts?$expand=contact_customer_accounts($skip=1)',
				400,
				"The query option '$skip' is not supported inside $expand",
			],
			[
				'accounts?$expand=contact_customer_accounts($filter=nope eq 1)',
				400,
				"Could not find a property named 'nope'",
			],
			[
				'accounts?$expand=contact_customer_accounts($expand=parentcustomerid_contact)',
				501,
				'not simulated',
			],
			[
				'contacts?$expand=parentcustomerid_account($expand=contact_customer_accounts)',
				501,
				'not simulated',
			],
			[`contacts?$expand=${Array(16).fill('ownerid').join(',')}`, 400, 'at most 15'],
		];
		s.sim.log.reset();
		for (const [url, status, message] of cases) {
			const res = await raw().get(url);
			expect([url, res.status]).toEqual([url, status]);
			expect(res.data.error.message).toContain(message);
			if (status === 400) expect(res.data.error.code).toBe('0x80060888');
		}
		expect(s.sim.log.count({ kind: 'records.list' })).toBe(cases.length);
		const viaClient = await dvError(
			s.api.retrieve({ collection: 'accounts', key: id.contoso, expand: [{ property: 'nope' }] }),
		);
		expect(viaClient.status).toBe(400);
	});

	it('works in $batch inner GETs (same query code)', async () => {
		s.api.startBatch();
		s.api.retrieveMultiple({
			collection: 'contacts',
			select: ['lastname'],
			filter: "lastname eq 'Davis'",
			expand: [{ property: 'parentcustomerid_account', select: ['name'] }],
		});
		s.api.retrieve({
			collection: 'accounts',
			key: id.contoso,
			select: ['name'],
			expand: [
				{
					property: 'contact_customer_accounts',
					select: ['lastname'],
					orderBy: ['lastname'],
					top: 2,
				},
			],
		});
		const [list, one]: Json[] = await s.api.executeBatch();
		expect(list.value).toHaveLength(1);
		expect(list.value[0].parentcustomerid_account.name).toBe('Fabrikam');
		expect(one.contact_customer_accounts.map((c: Json) => c.lastname)).toEqual(['Adams', 'Baker']);
	});
});
