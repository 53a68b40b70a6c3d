/**
 * Lookups in `DynamicsCrm.write` against the Dataverse simulator, checked in its stored rows: the custom lookup
 * `new_accountid` of `new_projects` is bound through the navigation property its many-to-one relationship names
 * (`new_AccountId`, the schema name — the simulator, like Dataverse, refuses `new_accountid@odata.bind`), read with
 * the table's definition in one metadata request; null clears a lookup, a multi-target one (`parentcustomerid`)
 * whichever table it points at.
 */
import type { BatchItemResult } from '../../../core/batching/types';
import type { WrittenRecord } from '../../../core/connectors/contract';
import { startDvWorld, type DvWorld } from './helpers';

const ok = (r: BatchItemResult<WrittenRecord>) => {
	if (!r.ok) throw new Error(`item ${r.index} failed: ${r.error.code} ${r.error.message}`);
	return r.value;
};

describe('DynamicsCrm.write: lookups through their navigation properties', () => {
	let w: DvWorld;
	beforeAll(async () => {
		w = await startDvWorld({ seed: 8 });
	});
	afterAll(() => w.sim.stop());
	beforeEach(() => w.sim.reset());

	const lookupOf = (table: string, id: string, field: string) =>
		w.sim.collection(table).get(id)?.fields[field] as
			| { id: string; logicalName: string }
			| null
			| undefined;

	it('describe reads the lookups navigation properties with the definition (one request)', async () => {
		const crm = w.crm();
		const before = w.count('metadata.entity');
		const schema = await crm.describe('new_projects');
		expect(w.count('metadata.entity') - before).toBe(1);
		expect(w.count('metadata.relationships')).toBe(0);
		expect(schema.navigations).toEqual({ new_accountid: { account: 'new_AccountId' } });
		const contacts = await crm.describe('contacts');
		expect(contacts.navigations?.parentcustomerid).toEqual({
			account: 'parentcustomerid_account',
			contact: 'parentcustomerid_contact',
		});
	});

	it('create, update, upsert and clear the custom lookup new_accountid (bound as new_AccountId)', async () => {
		const crm = w.crm();
		const [a1, a2, a3] = ['A1', 'A2', 'A3'].map(
			(name) => w.sim.collection('account').create({ name }).id,
		);
		const created = await crm.write('create', 'new_projects', [
			{ fields: { new_name: 'P1', new_accountid: a1 } },
			{ fields: { new_name: 'P2', new_accountid: `accounts(${a2})` } },
		]);
		const [p1, p2] = created.map((r) => ok(r).id);
		expect(lookupOf('new_project', p1, 'new_accountid')).toEqual({
			id: a1,
			logicalName: 'account',
		});
		expect(lookupOf('new_project', p2, 'new_accountid')).toMatchObject({ id: a2 });

		const updated = await crm.write('update', 'new_projects', [
			{ id: p1, fields: { new_accountid: a3 } },
			{ id: p2, fields: { new_accountid: null } },
		]);
		updated.forEach(ok);
		expect(lookupOf('new_project', p1, 'new_accountid')).toMatchObject({ id: a3 });
		expect(lookupOf('new_project', p2, 'new_accountid')).toBeNull();

		const fresh = '5b0c7a1e-0000-4000-8000-00000000f001';
		const up1 = await crm.write('upsert', 'new_projects', [
			{ id: fresh, fields: { new_name: 'P3', new_accountid: a1 } },
		]);
		expect(ok(up1[0])).toMatchObject({ id: fresh, created: true });
		const up2 = await crm.write('upsert', 'new_projects', [
			{ id: fresh, fields: { new_accountid: a2 } },
		]);
		expect(ok(up2[0])).toMatchObject({ id: fresh, created: false });
		expect(lookupOf('new_project', fresh, 'new_accountid')).toMatchObject({ id: a2 });
		expect(w.sim.collection('new_project').count()).toBe(3);
	});

	it('a null clears a multi-target lookup whichever table it points at', async () => {
		const crm = w.crm();
		const account = w.sim.collection('account').create({ name: 'Acme' }).id;
		const boss = w.sim.collection('contact').create({ lastname: 'Boss' }).id;
		const res = await crm.write('create', 'contacts', [
			{ fields: { lastname: 'A', parentcustomerid: `accounts(${account})` } },
			{ fields: { lastname: 'B', parentcustomerid: `contacts(${boss})` } },
		]);
		const [a, b] = res.map((r) => ok(r).id);
		expect(lookupOf('contact', b, 'parentcustomerid')).toEqual({
			id: boss,
			logicalName: 'contact',
		});
		const cleared = await crm.write('update', 'contacts', [
			{ id: a, fields: { parentcustomerid: null } },
			{ id: b, fields: { parentcustomerid: null, jobtitle: 'Free' } },
		]);
		cleared.forEach(ok);
		expect(lookupOf('contact', a, 'parentcustomerid')).toBeNull();
		expect(lookupOf('contact', b, 'parentcustomerid')).toBeNull();
		expect(w.sim.collection('contact').get(b)?.fields.jobtitle).toBe('Free');
	});
});
