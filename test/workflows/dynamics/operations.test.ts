/**
 * The Dynamics 365 node's record round trip through n8n's engine against the Dataverse simulator: create, get (by id,
 * select), get many (OData filter, limit, return all over several pages), update by id, delete — checked in the
 * simulator's store, failures on the error output with Dataverse's message.
 */
import { clearRateBudgets } from '../../../core/http/rateLimiter';
import { DynamicsSimulator, type DynamicsSimContract } from '../../../sandbox/dynamics';
import { autoMap, defineBelow, run } from './helpers';

const sim = new DynamicsSimulator({ seed: 11 });
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

const contacts = () => sim.collection('contact');
const record = { resource: 'record', table: 'contacts' };

it('create → get → get many → update → delete', async () => {
	const created = await run(
		c,
		[
			{ lastname: 'Lovelace', firstname: 'Ada', emailaddress1: 'ada@example.com' },
			{ lastname: 'Hopper', firstname: 'Grace', emailaddress1: 'grace@example.com' },
		],
		{ ...record, operation: 'create', fields: autoMap() },
	);
	expect(created.failed).toEqual([]);
	const [ada, grace] = created.ok.map((r) => String(r.id));
	expect(contacts().get(ada)?.fields.firstname).toBe('Ada');

	// Get by id (with a select), a missing id fails alone.
	const missing = '00000000-0000-4000-8000-000000000099';
	const got = await run(c, [{ id: grace }, { id: missing }, { id: ada }], {
		...record,
		operation: 'get',
		recordId: '={{ $json.id }}',
		options: { select: ['firstname', 'emailaddress1'] },
	});
	expect(got.ok).toEqual([
		expect.objectContaining({ id: grace, firstname: 'Grace', emailaddress1: 'grace@example.com' }),
		expect.objectContaining({ id: ada, firstname: 'Ada' }),
	]);
	expect(got.ok[0]).not.toHaveProperty('lastname');
	expect(got.failedItems).toEqual([1]);
	expect(String(got.failed[0].error)).toContain(missing);

	// Get many with an OData filter.
	const filtered = await run(c, [{}], {
		...record,
		operation: 'getAll',
		returnAll: true,
		options: { filter: "emailaddress1 eq 'ada@example.com'" },
	});
	expect(filtered.ok).toEqual([expect.objectContaining({ id: ada, lastname: 'Lovelace' })]);

	// Update by id; an id that does not exist fails alone with Dataverse's answer (never created).
	const updated = await run(
		c,
		[
			{ contactid: ada, jobtitle: 'Analyst' },
			{ contactid: missing, jobtitle: 'Ghost' },
		],
		{ ...record, operation: 'update', fields: autoMap(['contactid']) },
	);
	expect(updated.ok).toEqual([expect.objectContaining({ id: ada, jobtitle: 'Analyst' })]);
	expect(updated.failedItems).toEqual([1]);
	expect(updated.failed[0]).toMatchObject({ details: expect.objectContaining({ status: 404 }) });
	expect(contacts().get(ada)?.fields.jobtitle).toBe('Analyst');
	expect(contacts().count()).toBe(2);

	// Delete: one row; a second delete of it fails alone.
	const deleted = await run(c, [{ id: grace }, { id: grace }], {
		...record,
		operation: 'delete',
		recordId: '={{ $json.id }}',
	});
	expect(deleted.ok).toEqual([{ id: grace, deleted: true }]);
	expect(deleted.failedItems).toEqual([1]);
	expect(contacts().get(grace)).toBeUndefined();
	expect(contacts().count()).toBe(1);
});

it('get many: Limit stops early; Return All follows every page (12,000 rows, 3 pages)', async () => {
	for (let i = 0; i < 12_000; i++) sim.createDirect('contact', { lastname: `Many ${i}` });
	const limited = await run(c, [{}], {
		...record,
		operation: 'getAll',
		returnAll: false,
		limit: 7,
		options: { select: ['lastname'] },
	});
	expect(limited.ok).toHaveLength(7);
	const pagesBefore = sim.log.count({ kind: 'records.list' });
	const all = await run(c, [{}], {
		...record,
		operation: 'getAll',
		returnAll: true,
		options: { select: ['lastname'] },
	});
	expect(all.ok).toHaveLength(12_000);
	expect(new Set(all.ok.map((r) => r.id)).size).toBe(12_000);
	expect(sim.log.count({ kind: 'records.list' }) - pagesBefore).toBe(3);
});

it('a define-below create with an invalid option value fails that item with Dataverse code', async () => {
	const res = await run(c, [{ g: 1 }, { g: 42 }], {
		...record,
		operation: 'create',
		fields: defineBelow({ lastname: 'Option', gendercode: '={{ $json.g }}' }),
	});
	expect(res.ok).toHaveLength(1);
	expect(res.failed[0]).toMatchObject({
		error: expect.stringMatching(/42/),
		details: expect.objectContaining({ code: '0x8004431a' }),
	});
});
