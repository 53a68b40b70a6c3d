/**
 * Lookups in the Dynamics 365 node's writes through n8n's engine against the Dataverse simulator, checked in its
 * stored rows: the custom table's lookup `new_accountid` (navigation property `new_AccountId`, its schema name: the
 * simulator refuses `new_accountid@odata.bind` as Dataverse does) on Create, Update and Create or Update; null clears
 * it, and clears the multi-target `parentcustomerid` of contacts whichever table it points at.
 */
import { clearRateBudgets } from '../../../core/http/rateLimiter';
import { DynamicsSimulator, type DynamicsSimContract } from '../../../sandbox/dynamics';
import { autoMap, run } from './helpers';

const sim = new DynamicsSimulator({ seed: 29 });
let c: DynamicsSimContract;

beforeAll(async () => {
	c = await sim.start();
});
afterAll(async () => {
	clearRateBudgets();
	await sim.stop();
});
beforeEach(() => {
	sim.reset();
	clearRateBudgets();
});

const lookupOf = (table: string, id: string, field: string) =>
	sim.collection(table).get(id)?.fields[field] as
		| { id: string; logicalName: string }
		| null
		| undefined;
const write = (operation: string, table: string, match: string[] = []) => ({
	resource: 'record',
	operation,
	table,
	fields: autoMap(match),
});

it('Create, Update and Create or Update set the custom lookup new_accountid; null clears it', async () => {
	const [a1, a2, a3] = ['A1', 'A2', 'A3'].map((name) => sim.createDirect('account', { name }).id);
	const created = await run(
		c,
		[
			{ new_name: 'P1', new_accountid: a1 },
			{ new_name: 'P2', new_accountid: `accounts(${a2})` },
		],
		write('create', 'new_projects'),
	);
	expect(created.failed).toEqual([]);
	const [p1, p2] = created.ok.map((r) => String(r.id));
	expect(lookupOf('new_project', p1, 'new_accountid')).toEqual({
		id: a1,
		logicalName: 'account',
	});
	expect(lookupOf('new_project', p2, 'new_accountid')).toMatchObject({ id: a2 });

	const updated = await run(
		c,
		[
			{ new_projectid: p1, new_accountid: a3 },
			{ new_projectid: p2, new_accountid: null },
		],
		write('update', 'new_projects', ['new_projectid']),
	);
	expect(updated.failed).toEqual([]);
	expect(updated.ok).toHaveLength(2);
	expect(lookupOf('new_project', p1, 'new_accountid')).toMatchObject({ id: a3 });
	expect(lookupOf('new_project', p2, 'new_accountid')).toBeNull();

	const fresh = '5b0c7a1e-0000-4000-8000-00000000f002';
	const upsert = write('upsert', 'new_projects', ['new_projectid']);
	const first = await run(c, [{ new_projectid: fresh, new_name: 'P3', new_accountid: a1 }], upsert);
	expect(first.ok).toEqual([expect.objectContaining({ id: fresh, created: true })]);
	const second = await run(c, [{ new_projectid: fresh, new_accountid: a2 }], upsert);
	expect(second.ok).toEqual([expect.objectContaining({ id: fresh, created: false })]);
	expect(lookupOf('new_project', fresh, 'new_accountid')).toMatchObject({ id: a2 });
	expect(sim.collection('new_project').count()).toBe(3);
});

it('null clears the multi-target parentcustomerid pointing at an account or at a contact', async () => {
	const account = sim.createDirect('account', { name: 'Acme' }).id;
	const boss = sim.createDirect('contact', { lastname: 'Boss' }).id;
	const created = await run(
		c,
		[
			{ lastname: 'A', parentcustomerid: `accounts(${account})` },
			{ lastname: 'B', parentcustomerid: `contacts(${boss})` },
		],
		write('create', 'contacts'),
	);
	expect(created.failed).toEqual([]);
	const [a, b] = created.ok.map((r) => String(r.id));
	expect(lookupOf('contact', a, 'parentcustomerid')).toMatchObject({ logicalName: 'account' });
	expect(lookupOf('contact', b, 'parentcustomerid')).toMatchObject({ logicalName: 'contact' });
	const cleared = await run(
		c,
		[
			{ contactid: a, parentcustomerid: null },
			{ contactid: b, parentcustomerid: null },
		],
		write('update', 'contacts', ['contactid']),
	);
	expect(cleared.failed).toEqual([]);
	expect(lookupOf('contact', a, 'parentcustomerid')).toBeNull();
	expect(lookupOf('contact', b, 'parentcustomerid')).toBeNull();
});
