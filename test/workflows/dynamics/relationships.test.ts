/**
 * Record › Associate and Disassociate through n8n's engine against the Dataverse simulator, checked in its stored
 * links: a one-to-many collection (`contact_customer_accounts`: POST `$ref`, the contact's lookup set), a many-to-many
 * one (`accountleads_association`: the intersect rows) and a single-valued lookup (`parentcustomerid_account`: PUT /
 * DELETE `$ref`), all in one `$batch` per table; a bad relationship or a missing row fails alone with Dataverse's
 * message.
 */
import { clearRateBudgets } from '../../../core/http/rateLimiter';
import { DynamicsSimulator, type DynamicsSimContract } from '../../../sandbox/dynamics';
import { run } from './helpers';

const sim = new DynamicsSimulator({ seed: 23 });
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

const params = (operation: string) => ({
	resource: 'record',
	operation,
	table: '={{ $json.table }}',
	recordId: '={{ $json.id }}',
	relationship: '={{ $json.nav }}',
	relatedTable: '={{ $json.relatedTable }}',
	relatedId: '={{ $json.relatedId }}',
});
const lookupOf = (table: string, id: string, field: string) =>
	(sim.collection(table).get(id)?.fields[field] as { id?: string } | null | undefined)?.id ?? null;
const newBatches = (before: number) =>
	sim.log
		.entries({})
		.slice(before)
		.filter((e) => e.kind === 'batch').length;

it('associates 1:N, N:N and a lookup in one $batch per table; failures stay alone; disassociate undoes each', async () => {
	const account = sim.createDirect('account', { name: 'Contoso' }).id;
	const [c1, c2] = ['One', 'Two'].map((n) => sim.createDirect('contact', { lastname: n }).id);
	const [l1, l2] = ['L1', 'L2'].map((n) => sim.createDirect('lead', { lastname: n }).id);
	const missingLead = '00000000-0000-4000-8000-0000000000aa';
	const links = [
		{
			table: 'accounts',
			id: account,
			nav: 'contact_customer_accounts',
			relatedTable: 'contacts',
			relatedId: c1,
		},
		{
			table: 'accounts',
			id: account,
			nav: 'accountleads_association',
			relatedTable: 'leads',
			relatedId: l1,
		},
		{
			table: 'accounts',
			id: account,
			nav: 'no_such_relationship',
			relatedTable: 'leads',
			relatedId: l2,
		},
		{
			table: 'accounts',
			id: account,
			nav: 'accountleads_association',
			relatedTable: 'leads',
			relatedId: missingLead,
		},
		{
			table: 'accounts',
			id: account,
			nav: 'accountleads_association',
			relatedTable: 'leads',
			relatedId: l2,
		},
		{
			table: 'contacts',
			id: c2,
			nav: 'parentcustomerid_account',
			relatedTable: 'accounts',
			relatedId: account,
		},
	];
	const before = sim.log.entries({}).length;
	const assoc = await run(c, links, params('associate'));
	expect(assoc.failedItems).toEqual([2, 3]);
	expect(String(assoc.failed[0].error)).toContain(
		"Resource not found for the segment 'no_such_relationship'",
	);
	expect(assoc.failed[1]).toMatchObject({
		error: expect.stringContaining(`lead With Id = ${missingLead} Does Not Exist`),
		details: expect.objectContaining({ code: '0x80040217', status: 404 }),
	});
	expect(assoc.ok).toHaveLength(4);
	expect(assoc.ok[0]).toMatchObject({
		associated: true,
		id: account,
		relatedId: c1,
		singleValued: false,
	});
	expect(assoc.ok[3]).toMatchObject({
		associated: true,
		id: c2,
		relatedTable: 'accounts',
		singleValued: true,
	});
	// In the store: the contact's lookup (1:N), the intersect rows (N:N), the other contact's lookup (single-valued).
	expect(lookupOf('contact', c1, 'parentcustomerid')).toBe(account);
	expect(sim.associations.linked('accountleads_association', account).sort()).toEqual(
		[l1, l2].sort(),
	);
	expect(lookupOf('contact', c2, 'parentcustomerid')).toBe(account);
	// One $batch per table (accounts, contacts).
	expect(newBatches(before)).toBe(2);
	const puts = sim.log
		.entries({})
		.slice(before)
		.filter((e) => e.method === 'PUT');
	expect(puts.map((e) => e.path)).toEqual([
		`/api/data/v9.2/contacts(${c2})/parentcustomerid_account/$ref`,
	]);

	// The same N:N link again fails alone (duplicate), the rest stays.
	const again = await run(c, [links[1]], params('associate'));
	expect(again.failedItems).toEqual([0]);
	expect(String(again.failed[0].error)).toMatch(/duplicate key/i);
	expect(sim.associations.linked('accountleads_association', account)).toHaveLength(2);

	const unlink = [
		{ table: 'accounts', id: account, nav: 'contact_customer_accounts', relatedId: c1 },
		{ table: 'accounts', id: account, nav: 'accountleads_association', relatedId: l1 },
		{ table: 'accounts', id: account, nav: 'accountleads_association', relatedId: 'not-a-guid' },
		{ table: 'accounts', id: missingLead, nav: 'accountleads_association', relatedId: l2 },
		{ table: 'contacts', id: c2, nav: 'parentcustomerid_account', relatedId: '' },
	];
	const mark = sim.log.entries({}).length;
	const dis = await run(c, unlink, params('disassociate'));
	expect(dis.failedItems).toEqual([2, 3]);
	expect(String(dis.failed[0].error)).toMatch(/related row ID "not-a-guid" is not a GUID/);
	expect(dis.failed[1]).toMatchObject({
		error: `account With Id = ${missingLead} Does Not Exist`,
		details: expect.objectContaining({ code: '0x80040217', status: 404 }),
	});
	expect(dis.ok).toHaveLength(3);
	expect(dis.ok.every((r) => r.disassociated === true)).toBe(true);
	expect(lookupOf('contact', c1, 'parentcustomerid')).toBeNull();
	expect(sim.associations.linked('accountleads_association', account)).toEqual([l2]);
	expect(lookupOf('contact', c2, 'parentcustomerid')).toBeNull();
	expect(newBatches(mark)).toBe(2);
	const deletes = sim.log
		.entries({})
		.slice(mark)
		.filter((e) => e.method === 'DELETE' && e.status === 204);
	expect(deletes.map((e) => e.path).sort()).toEqual(
		[
			`/api/data/v9.2/accounts(${account})/contact_customer_accounts(${c1})/$ref`,
			`/api/data/v9.2/accounts(${account})/accountleads_association(${l1})/$ref`,
			`/api/data/v9.2/contacts(${c2})/parentcustomerid_account/$ref`,
		].sort(),
	);
});
