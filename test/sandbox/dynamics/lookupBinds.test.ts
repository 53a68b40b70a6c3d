/**
 * Lookups written through their single-valued navigation properties (Dataverse Web API "Associate and disassociate
 * table rows" › "Disassociate tables on update"): the custom lookup `new_accountid` binds as `new_AccountId` (its
 * schema name; names are case-sensitive, `new_accountid@odata.bind` is refused), and a PATCH clears a lookup with
 * `{nav}@odata.bind: null` or `{nav}: null`.
 */
import { dvError, startDv, type StartedDv } from './helpers';

describe('Dataverse simulator: lookup binds', () => {
	let s: StartedDv;
	beforeAll(async () => {
		s = await startDv({ records: { accounts: 0, contacts: 0 } });
	});
	afterAll(() => s.sim.stop());

	const lookupOf = (table: string, id: string, field: string) =>
		s.sim.collection(table).get(id)?.fields[field];

	it('binds the custom lookup through new_AccountId only; the logical name is an undeclared property', async () => {
		const account = s.sim.createDirect('account', { name: 'Acme' }).id;
		const id = (await s.api.create({
			collection: 'new_projects',
			data: { new_name: 'P', 'new_AccountId@odata.bind': `/accounts(${account})` },
		})) as string;
		expect(lookupOf('new_project', id, 'new_accountid')).toEqual({
			id: account,
			logicalName: 'account',
		});
		const wrongCase = await dvError(
			s.api.create({
				collection: 'new_projects',
				data: { new_name: 'Q', 'new_accountid@odata.bind': `/accounts(${account})` },
			}),
		);
		expect(wrongCase).toMatchObject({ status: 400, code: '0x80060888' });
		expect(s.sim.collection('new_project').count()).toBe(1);
	});

	it('clears lookups on update with {nav}@odata.bind: null or {nav}: null, whichever target they hold', async () => {
		const account = s.sim.createDirect('account', { name: 'Acme' }).id;
		const boss = s.sim.createDirect('contact', { lastname: 'Boss' }).id;
		const toAccount = { id: account, logicalName: 'account' };
		const a = s.sim.createDirect('contact', { lastname: 'A', parentcustomerid: toAccount }).id;
		const b = s.sim.createDirect('contact', {
			lastname: 'B',
			parentcustomerid: { id: boss, logicalName: 'contact' },
		}).id;
		const p = s.sim.createDirect('account', {
			name: 'P',
			primarycontactid: { id: boss, logicalName: 'contact' },
		}).id;
		await s.api.update({
			collection: 'contacts',
			key: a,
			data: { 'parentcustomerid_account@odata.bind': null },
		});
		await s.api.update({
			collection: 'contacts',
			key: b,
			data: {
				'parentcustomerid_account@odata.bind': null,
				'parentcustomerid_contact@odata.bind': null,
			},
		});
		await s.api.update({ collection: 'accounts', key: p, data: { primarycontactid: null } });
		expect(lookupOf('contact', a, 'parentcustomerid')).toBeNull();
		expect(lookupOf('contact', b, 'parentcustomerid')).toBeNull();
		expect(lookupOf('account', p, 'primarycontactid')).toBeNull();
		const owner = await dvError(
			s.api.update({ collection: 'accounts', key: p, data: { 'ownerid@odata.bind': null } }),
		);
		expect(owner).toMatchObject({ status: 400 });
	});
});
