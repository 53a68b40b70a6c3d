import { client } from '../helpers';
import { fetchToken, dvError, startDv, type StartedDv } from './helpers';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- records are arbitrary JSON navigated in assertions
type Json = any;

describe('Dataverse simulator: collections, paging, count, metadata, wire details', () => {
	let s: StartedDv;
	let token: string;

	beforeAll(async () => {
		s = await startDv({ seed: 7, records: { accounts: 20, contacts: 123 } });
		token = await fetchToken(s.contract);
	});
	afterAll(() => s.sim.stop());

	const raw = (headers: Record<string, string> = {}) =>
		client(`${s.contract.apiUrl}/`, {
			Authorization: `Bearer ${token}`,
			Accept: 'application/json',
			...headers,
		});

	it('pages with maxPageSize and nextLink: every row once, in stable primary-key order', async () => {
		s.sim.log.reset();
		const live = s.sim.collection('contact').count();
		const seen: string[] = [];
		let page = await s.api.retrieveMultiple({
			collection: 'contacts',
			select: ['fullname'],
			maxPageSize: 10,
		});
		seen.push(...page.value.map((r: Json) => r.contactid));
		let deletedMidway = false;
		while (page.oDataNextLink) {
			if (!deletedMidway) {
				// A row already served disappears between pages: the next page must neither skip nor repeat rows.
				s.sim.collection('contact').delete(seen[0]);
				deletedMidway = true;
			}
			expect(page.value).toHaveLength(10);
			page = await s.api.retrieveMultiple(
				{ collection: 'contacts', select: ['fullname'], maxPageSize: 10 },
				page.oDataNextLink,
			);
			seen.push(...page.value.map((r: Json) => r.contactid));
		}
		expect(new Set(seen).size).toBe(seen.length);
		expect(seen).toHaveLength(live);
		expect([...seen].sort()).toEqual(seen);
		expect(s.sim.log.count({ kind: 'records.list' })).toBe(Math.ceil(live / 10));
	});

	it('retrieveAll follows every nextLink', async () => {
		const all = await s.api.retrieveAll({
			collection: 'accounts',
			select: ['name'],
			maxPageSize: 7,
		});
		expect(all.value).toHaveLength(s.sim.collection('account').count());
	});

	it('counts: $count=true gives @odata.count, /$count a plain number', async () => {
		const live = s.sim.collection('contact').count();
		const page = await s.api.retrieveMultiple({
			collection: 'contacts',
			select: ['fullname'],
			count: true,
			maxPageSize: 5,
		});
		expect(page.oDataCount).toBe(live);
		expect(page.value).toHaveLength(5);
		expect(await s.api.count({ collection: 'contacts' })).toBe(live);
	});

	it('$top limits the rows and gives no nextLink', async () => {
		const page = await s.api.retrieveMultiple({
			collection: 'contacts',
			select: ['fullname'],
			top: 3,
		});
		expect(page.value).toHaveLength(3);
		expect(page.oDataNextLink).toBeUndefined();
	});

	it('metadata: EntityDefinitions with attributes, keys, lookups targets', async () => {
		const e: Json = await s.api.retrieveEntity({
			key: "LogicalName='contact'",
			select: ['LogicalName', 'EntitySetName', 'PrimaryIdAttribute', 'PrimaryNameAttribute'],
			expand: [
				{
					property: 'Attributes',
					select: [
						'LogicalName',
						'AttributeType',
						'AttributeTypeName',
						'IsValidForCreate',
						'IsValidForUpdate',
						'IsValidForRead',
						'RequiredLevel',
						'MaxLength',
						'Targets',
					],
				},
				{ property: 'Keys' },
			],
		});
		expect(e).toMatchObject({
			LogicalName: 'contact',
			EntitySetName: 'contacts',
			PrimaryIdAttribute: 'contactid',
			PrimaryNameAttribute: 'fullname',
		});
		expect(e.DisplayName).toBeUndefined();
		const a = (n: string) => e.Attributes.find((x: Json) => x.LogicalName === n);
		expect(a('firstname')).toMatchObject({
			AttributeType: 'String',
			AttributeTypeName: { Value: 'StringType' },
			MaxLength: 50,
			IsValidForCreate: true,
			IsValidForUpdate: true,
		});
		expect(a('lastname').RequiredLevel.Value).toBe('ApplicationRequired');
		expect(a('fullname')).toMatchObject({
			IsValidForCreate: false,
			IsValidForUpdate: false,
			IsValidForRead: true,
		});
		expect(a('parentcustomerid')).toMatchObject({
			AttributeType: 'Customer',
			Targets: ['account', 'contact'],
		});
		expect(a('gendercode').AttributeType).toBe('Picklist');
		expect(e.Keys).toEqual([
			expect.objectContaining({
				LogicalName: 'contact_emailaddress1',
				KeyAttributes: ['emailaddress1'],
			}),
		]);
		const custom: Json = await s.api.retrieveEntity({
			key: "LogicalName='new_project'",
			select: ['EntitySetName', 'IsCustomEntity'],
		});
		expect(custom).toMatchObject({ EntitySetName: 'new_projects', IsCustomEntity: true });
		expect((await dvError(s.api.retrieveEntity({ key: "LogicalName='nope'" }))).status).toBe(404);
	});

	it('metadata: option set values of a picklist through the derived type', async () => {
		const attr: Json = await s.api.retrieveAttribute({
			entityKey: "LogicalName='contact'",
			attributeKey: "LogicalName='gendercode'",
			castType: 'Microsoft.Dynamics.CRM.PicklistAttributeMetadata',
			select: ['LogicalName'],
			expand: [{ property: 'OptionSet' }],
		});
		expect(attr.LogicalName).toBe('gendercode');
		expect(
			attr.OptionSet.Options.map((o: Json) => [o.Value, o.Label.UserLocalizedLabel.Label]),
		).toEqual([
			[1, 'Male'],
			[2, 'Female'],
		]);
		const attrs = await s.api.retrieveAttributes({
			entityKey: "LogicalName='account'",
			select: ['LogicalName'],
		});
		expect(attrs.value.map((x: Json) => x.LogicalName)).toEqual(
			expect.arrayContaining(['accountid', 'industrycode', 'primarycontactid']),
		);
	});

	it('raw HTTP: create answers 204 with OData-EntityId and OData-Version', async () => {
		const res = await raw({ 'Content-Type': 'application/json' }).post('contacts', {
			lastname: 'Raw',
		});
		expect(res.status).toBe(204);
		expect(res.headers['odata-version']).toBe('4.0');
		const id = /contacts\(([0-9a-f-]{36})\)$/.exec(res.headers['odata-entityid'])?.[1];
		expect(id && s.sim.collection('contact').get(id)?.fields.lastname).toBe('Raw');
	});

	it('raw HTTP: Prefer odata.maxpagesize is acknowledged with Preference-Applied (capped at 5000)', async () => {
		const res = await raw({ Prefer: 'odata.maxpagesize=3' }).get('accounts?$select=name');
		expect(res.headers['preference-applied']).toBe('odata.maxpagesize=3');
		expect(res.data.value).toHaveLength(3);
		expect(res.data['@odata.context']).toBe(`${s.contract.apiUrl}/$metadata#accounts(name)`);
		expect(res.data['@odata.nextLink']).toContain('$skiptoken=%3Ccookie%20pagenumber=%222%22');
		const big = await raw({ Prefer: 'odata.maxpagesize=9000' }).get('accounts?$select=name');
		expect(big.headers['preference-applied']).toBe('odata.maxpagesize=5000');
	});

	it('raw HTTP: 401 without a token, and Dataverse error bodies for bad requests', async () => {
		const anon = await client(`${s.contract.apiUrl}/`).get('contacts');
		expect(anon.status).toBe(401);
		expect(anon.headers['www-authenticate']).toContain('Bearer authorization_uri=');
		const segment = await raw().get('Contacts');
		expect(segment.status).toBe(404);
		expect(segment.data).toEqual({
			error: { code: '0x8006088a', message: "Resource not found for the segment 'Contacts'." },
		});
		const prop = await raw().get('accounts?$select=Name');
		expect(prop.status).toBe(400);
		expect(prop.data.error.message).toBe(
			"Could not find a property named 'Name' on type 'Microsoft.Dynamics.CRM.account'.",
		);
		expect((await raw().get('accounts?$skip=5')).status).toBe(400);
		expect((await raw().get("contacts(emailaddress1='x@y.z',lastname='q')")).status).toBe(400);
	});

	it('$apply is not simulated: 501 in the Dataverse error shape', async () => {
		const res = await raw().get('contacts?$apply=groupby((lastname))');
		expect(res.status).toBe(501);
		expect(res.data.error.message).toContain('not simulated');
		expect(s.sim.log.count({ kind: 'records.list', status: 501 })).toBe(1);
	});

	it('the token endpoint refuses a wrong secret and a scope for another resource', async () => {
		const form = (over: Record<string, string>) =>
			new URLSearchParams({
				grant_type: 'client_credentials',
				client_id: s.contract.clientId,
				client_secret: s.contract.clientSecret,
				scope: s.contract.scope,
				...over,
			}).toString();
		const post = (body: string) =>
			client(s.contract.tokenUrl).post('', body, {
				headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
			});
		expect((await post(form({ client_secret: 'wrong' }))).status).toBe(401);
		expect((await post(form({ scope: 'https://other.example/.default' }))).data.error).toBe(
			'invalid_scope',
		);
		const ok = await post(form({}));
		expect(ok.data).toMatchObject({ token_type: 'Bearer', expires_in: 3599 });
	});
});
