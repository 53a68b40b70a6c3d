import { ManualClock } from '../../../sandbox/kit';
import { dvError, fetchToken, startDv, type StartedDv } from './helpers';

const T0 = Date.UTC(2024, 4, 1, 9, 0, 0);

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- records are arbitrary JSON navigated in assertions
type Json = any;

describe('Dataverse simulator: associate / disassociate, actions and functions', () => {
	const clock = new ManualClock(T0);
	let s: StartedDv;
	let token: string;
	const raw = async (method: string, path: string, body?: unknown) => {
		const res = await fetch(`${s.contract.apiUrl}${path}`, {
			method,
			headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
			body: body === undefined ? undefined : JSON.stringify(body),
		});
		const text = await res.text();
		return { status: res.status, body: (text ? JSON.parse(text) : undefined) as Json };
	};
	const create = async (collection: string, data: Json) =>
		(await s.api.create({ collection, data })) as string;

	beforeAll(async () => {
		s = await startDv({ clock });
		token = await fetchToken(s.contract);
	});
	afterAll(() => s.sim.stop());

	it('associates a contact with an account through contact_customer_accounts and disassociates it', async () => {
		const a = await create('accounts', { name: 'Contoso' });
		const c = await create('contacts', { lastname: 'Adams' });
		await s.api.associate({
			collection: 'accounts',
			primaryKey: a,
			relationshipName: 'contact_customer_accounts',
			relatedCollection: 'contacts',
			relatedKey: c,
		});
		expect(s.sim.log.count({ kind: 'records.associate', status: 204 })).toBe(1);
		const r: Json = await s.api.retrieve({
			collection: 'contacts',
			key: c,
			select: ['_parentcustomerid_value'],
		});
		expect(r._parentcustomerid_value).toBe(a);
		const list = await raw('GET', `/accounts(${a})/contact_customer_accounts`);
		expect(list.status).toBe(200);
		expect(list.body.value.map((x: Json) => x.contactid)).toEqual([c]);
		await s.api.disassociate({
			collection: 'accounts',
			primaryKey: a,
			relationshipName: 'contact_customer_accounts',
			relatedKey: c,
		});
		expect(s.sim.collection('contact').get(c)!.fields.parentcustomerid).toBeNull();
		expect((await raw('GET', `/accounts(${a})/contact_customer_accounts`)).body.value).toEqual([]);
	});

	it('sets and clears a single-valued navigation property with PUT / DELETE $ref', async () => {
		const a = await create('accounts', { name: 'Fabrikam' });
		const c = await create('contacts', { lastname: 'Baker' });
		await s.api.associateSingleValued({
			collection: 'contacts',
			primaryKey: c,
			navigationProperty: 'parentcustomerid_account',
			relatedCollection: 'accounts',
			relatedKey: a,
		});
		let r: Json = await s.api.retrieve({
			collection: 'contacts',
			key: c,
			select: ['_parentcustomerid_value'],
		});
		expect(r._parentcustomerid_value).toBe(a);
		await s.api.disassociateSingleValued({
			collection: 'contacts',
			primaryKey: c,
			navigationProperty: 'parentcustomerid_account',
		});
		r = await s.api.retrieve({
			collection: 'contacts',
			key: c,
			select: ['_parentcustomerid_value'],
		});
		expect(r._parentcustomerid_value).toBeNull();
	});

	it('links accounts and leads through the N:N accountleads_association', async () => {
		const a = await create('accounts', { name: 'Litware' });
		const l = await create('leads', { subject: 'Interest', lastname: 'Cole' });
		const api = s.contract.apiUrl;
		const add = await raw('POST', `/accounts(${a})/accountleads_association/$ref`, {
			'@odata.id': `${api}/leads(${l})`,
		});
		expect(add.status).toBe(204);
		expect(s.sim.associations.linked('accountleads_association', a)).toEqual([l]);
		const fromLead = await raw('GET', `/leads(${l})/accountleads_association`);
		expect(fromLead.body.value.map((x: Json) => x.accountid)).toEqual([a]);
		const again = await raw('POST', `/accounts(${a})/accountleads_association/$ref`, {
			'@odata.id': `/leads(${l})`,
		});
		expect(again.status).toBe(412);
		expect(again.body.error.code).toBe('0x80040237');
		await s.api.disassociate({
			collection: 'leads',
			primaryKey: l,
			relationshipName: 'accountleads_association',
			relatedKey: a,
		});
		expect(s.sim.associations.linked('accountleads_association', a)).toEqual([]);
	});

	it('answers Dataverse errors: unknown navigation property, missing rows, wrong target type', async () => {
		const a = await create('accounts', { name: 'Errors Inc' });
		const c = await create('contacts', { lastname: 'Doe' });
		const nav = await dvError(
			s.api.associate({
				collection: 'accounts',
				primaryKey: a,
				relationshipName: 'nope',
				relatedCollection: 'contacts',
				relatedKey: c,
			}),
		);
		expect(nav).toMatchObject({
			status: 404,
			code: '0x8006088a',
			message: "Resource not found for the segment 'nope'.",
		});
		const missing = '00000000-0000-0000-0000-000000000001';
		const row = await raw('POST', `/accounts(${missing})/contact_customer_accounts/$ref`, {
			'@odata.id': `/contacts(${c})`,
		});
		expect(row.status).toBe(404);
		expect(row.body.error).toEqual({
			code: '0x80040217',
			message: `account With Id = ${missing} Does Not Exist`,
		});
		const related = await raw('POST', `/accounts(${a})/contact_customer_accounts/$ref`, {
			'@odata.id': `/contacts(${missing})`,
		});
		expect(related.body.error.message).toBe(`contact With Id = ${missing} Does Not Exist`);
		const wrongType = await raw('POST', `/accounts(${a})/contact_customer_accounts/$ref`, {
			'@odata.id': `/accounts(${a})`,
		});
		expect(wrongType.status).toBe(400);
		expect(s.sim.collection('contact').get(c)!.fields.parentcustomerid).toBeUndefined();
	});

	it('calls the unbound function RetrieveVersion', async () => {
		const r: Json = await s.api.callFunction({ name: 'RetrieveVersion' });
		expect(r.Version).toMatch(/^9\.2\.\d+\.\d+$/);
		expect(s.sim.log.count({ kind: 'functions.RetrieveVersion', status: 200 })).toBe(1);
	});

	it('qualifies a lead with the bound action QualifyLead', async () => {
		const l = await create('leads', {
			subject: 'Big deal',
			firstname: 'Eve',
			lastname: 'Stone',
			companyname: 'Stone Ltd',
		});
		const r: Json = await s.api.callAction({
			actionName: 'Microsoft.Dynamics.CRM.QualifyLead',
			collection: 'leads',
			key: l,
			action: { CreateAccount: true, CreateContact: true, CreateOpportunity: true, Status: 3 },
		});
		expect(r.value.map((x: Json) => x['@odata.type'])).toEqual([
			'#Microsoft.Dynamics.CRM.account',
			'#Microsoft.Dynamics.CRM.contact',
			'#Microsoft.Dynamics.CRM.opportunity',
		]);
		const [acc, con, opp] = r.value;
		expect(s.sim.collection('account').get(acc.accountid)!.fields.name).toBe('Stone Ltd');
		expect(s.sim.collection('contact').get(con.contactid)!.fields.parentcustomerid).toEqual({
			id: acc.accountid,
			logicalName: 'account',
		});
		expect(s.sim.collection('opportunity').get(opp.opportunityid)!.fields).toMatchObject({
			name: 'Big deal',
			customerid: { id: acc.accountid, logicalName: 'account' },
		});
		expect(s.sim.collection('lead').get(l)!.fields).toMatchObject({ statecode: 1, statuscode: 3 });
		const twice = await dvError(
			s.api.callAction({
				actionName: 'Microsoft.Dynamics.CRM.QualifyLead',
				collection: 'leads',
				key: l,
				action: { CreateAccount: false, CreateContact: false, CreateOpportunity: false, Status: 3 },
			}),
		);
		expect(twice.status).toBe(400);
		const unknown = await dvError(
			s.api.callAction({
				actionName: 'Microsoft.Dynamics.CRM.Frobnicate',
				collection: 'leads',
				key: l,
			}),
		);
		expect(unknown).toMatchObject({ status: 404, code: '0x8006088a' });
	});
});
