import { client } from '../helpers';
import { fetchToken, startDv, type StartedDv } from './helpers';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- records are arbitrary JSON navigated in assertions
type Json = any;

describe('Dataverse simulator: lookup paths in $filter', () => {
	let s: StartedDv;
	let token: string;
	const id: Record<string, string> = {};

	beforeAll(async () => {
		s = await startDv({ seed: 9 });
		token = await fetchToken(s.contract);
		const mk = (key: string, table: string, fields: Json) =>
			(id[key] = s.sim.createDirect(table, fields).id);
		mk('contoso', 'account', { name: 'Contoso' });
		mk('fabrikam', 'account', { name: 'Fabrikam' });
		const parent = (k: string, logicalName = 'account') => ({ id: id[k], logicalName });
		mk('adams', 'contact', { lastname: 'Adams', parentcustomerid: parent('contoso') });
		mk('baker', 'contact', { lastname: 'Baker', parentcustomerid: parent('contoso') });
		mk('davis', 'contact', { lastname: 'Davis', parentcustomerid: parent('fabrikam') });
		mk('evans', 'contact', { lastname: 'Evans', parentcustomerid: parent('adams', 'contact') });
		mk('fox', 'contact', { lastname: 'Fox' });
	});
	afterAll(() => s.sim.stop());

	const names = async (filter: string, maxPageSize?: number) => {
		const res: Json = await s.api.retrieveAll({
			collection: 'contacts',
			select: ['lastname'],
			filter,
			maxPageSize,
		});
		return res.value.map((r: Json) => r.lastname).sort();
	};

	it('follows parentcustomerid_account / parentcustomerid_contact to the related row', async () => {
		expect(await names("parentcustomerid_account/name eq 'Contoso'")).toEqual(['Adams', 'Baker']);
		expect(await names("parentcustomerid_contact/lastname eq 'Adams'")).toEqual(['Evans']);
		expect(await names("startswith(parentcustomerid_account/name,'fab')")).toEqual(['Davis']);
		expect(await names("parentcustomerid_account/name ne 'Contoso' and lastname ne 'Fox'")).toEqual(
			['Davis'],
		);
		// Paging keeps the filter.
		expect(await names("parentcustomerid_account/name eq 'Contoso'", 1)).toEqual([
			'Adams',
			'Baker',
		]);
		// A rename of the account is seen at once (the path reads the current related row).
		s.sim.updateDirect('account', id.fabrikam, { name: 'Contoso' });
		expect(await names("parentcustomerid_account/name eq 'Contoso'")).toEqual([
			'Adams',
			'Baker',
			'Davis',
		]);
		s.sim.updateDirect('account', id.fabrikam, { name: 'Fabrikam' });
	});

	it('inside an expanded collection', async () => {
		const res: Json = await s.api.retrieve({
			collection: 'contacts',
			key: id.adams,
			select: ['lastname'],
			expand: [
				{
					property: 'contact_customer_contacts',
					select: ['lastname'],
					filter: "parentcustomerid_contact/lastname eq 'Adams'",
				},
			],
		});
		expect(res.contact_customer_contacts.map((c: Json) => c.lastname)).toEqual(['Evans']);
		const none = await client(`${s.contract.apiUrl}/`, { Authorization: `Bearer ${token}` }).get(
			`contacts(${id.adams})?$expand=contact_customer_contacts($filter=parentcustomerid_contact/lastname eq 'Baker')`,
		);
		expect(none.data.contact_customer_contacts).toEqual([]);
	});

	it('refuses unknown columns, collection paths and lookup paths in $orderby', async () => {
		const raw = client(`${s.contract.apiUrl}/`, { Authorization: `Bearer ${token}` });
		const unknown = await raw.get('contacts?$filter=parentcustomerid_account/nope eq 1');
		expect(unknown.status).toBe(400);
		expect(unknown.data.error.message).toBe(
			"Could not find a property named 'nope' on type 'Microsoft.Dynamics.CRM.account'.",
		);
		const many = await raw.get("contacts?$filter=contact_customer_contacts/lastname eq 'x'");
		expect(many.status).toBe(400);
		expect(many.data.error.message).toContain('is not a single value');
		expect((await raw.get('contacts?$orderby=parentcustomerid_account/name')).status).toBe(400);
		expect((await raw.get('contacts?$filter=parentcustomerid_account eq null')).status).toBe(400);
	});
});
