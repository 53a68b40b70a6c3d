/**
 * A quote in a value cannot change the query, through n8n's engine against the Dataverse simulator: upsert by the
 * alternate key `emailaddress1` with values holding quotes writes and finds exactly those rows (the other rows are
 * untouched), and Get by id with a non-GUID id holding a quote fails that item alone with a clear error.
 */
import { clearRateBudgets } from '../../../core/http/rateLimiter';
import { DynamicsSimulator, type DynamicsSimContract } from '../../../sandbox/dynamics';
import { autoMap, run } from './helpers';

const sim = new DynamicsSimulator({ seed: 13 });
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
const QUOTED = ["o'brien@example.com", "x' or lastname ne 'y"];

it('upsert by alternate key with quotes in the value: written and found exactly, nothing else matched', async () => {
	const others = ['a@example.com', 'b@example.com', 'y@example.com'].map(
		(email) => sim.createDirect('contact', { lastname: 'y', emailaddress1: email }).id,
	);
	const params = {
		resource: 'record',
		operation: 'upsert',
		table: 'contacts',
		fields: autoMap(['emailaddress1']),
	};
	const items = (suffix: string) =>
		QUOTED.map((emailaddress1, i) => ({ emailaddress1, lastname: `Quoted ${i} ${suffix}` }));

	const first = await run(c, items('one'), params);
	expect(first.failed).toEqual([]);
	expect(first.ok.map((r) => r.created)).toEqual([true, true]);
	expect(contacts().count()).toBe(5);

	const second = await run(c, items('two'), params);
	expect(second.failed).toEqual([]);
	expect(second.ok.map((r) => r.created)).toEqual([false, false]);
	expect(second.ok.map((r) => r.id)).toEqual(first.ok.map((r) => r.id));
	expect(contacts().count()).toBe(5);
	for (const [i, email] of QUOTED.entries()) {
		const row = contacts().get(String(second.ok[i].id));
		expect(row?.fields).toMatchObject({ emailaddress1: email, lastname: `Quoted ${i} two` });
	}
	// The rows a widened match would have hit keep their values.
	for (const id of others) expect(contacts().get(id)?.fields.lastname).toBe('y');
});

it('Get by id with a non-GUID id holding a quote fails alone with a clear error', async () => {
	const { id } = sim.createDirect('contact', {
		lastname: 'Real',
		emailaddress1: 'real@example.com',
	});
	const before = contacts().count();
	const bad = "abc' or contactid ne '";
	const got = await run(c, [{ id }, { id: bad }], {
		resource: 'record',
		operation: 'get',
		table: 'contacts',
		recordId: '={{ $json.id }}',
	});
	expect(got.ok).toEqual([expect.objectContaining({ id, lastname: 'Real' })]);
	expect(got.failedItems).toEqual([1]);
	// The id is named as given, not as a query it could have widened into.
	expect(String(got.failed[0].error)).toContain(`no row with ID "${bad}"`);
	expect(contacts().count()).toBe(before);
});
