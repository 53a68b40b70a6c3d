/**
 * Record › Update matched on an alternate key through n8n's engine against the Dataverse simulator: 200 rows updated
 * in one `$batch`, a key value with no row failing alone with the key named (nothing created: `If-Match: *`), and
 * update by row ID still working as before.
 */
import { clearRateBudgets } from '../../../core/http/rateLimiter';
import { DynamicsSimulator, type DynamicsSimContract } from '../../../sandbox/dynamics';
import { autoMap, defineBelow, run } from './helpers';

const sim = new DynamicsSimulator({ seed: 21 });
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
const byKey = { resource: 'record', operation: 'update', table: 'contacts' };

it('200 rows by emailaddress1 in one $batch; a missing key fails alone, nothing is created', async () => {
	const ids = Array.from(
		{ length: 200 },
		(_, i) =>
			sim.createDirect('contact', { lastname: `Old ${i}`, emailaddress1: `k${i}@example.com` }).id,
	);
	const items = ids.map((_, i) => ({
		emailaddress1: i === 57 ? 'nobody@example.com' : `K${i}@example.com`,
		lastname: `New ${i}`,
	}));
	const before = sim.log.entries({}).length;
	const { ok, failed, failedItems } = await run(c, items, {
		...byKey,
		fields: autoMap(['emailaddress1']),
	});
	expect(failedItems).toEqual([57]);
	expect(failed[0]).toMatchObject({
		error: expect.stringMatching(
			/no row with emailaddress1="nobody@example\.com" in contacts — Update never creates rows/,
		),
		details: expect.objectContaining({ code: 'NOT_FOUND', key: 'emailaddress1', status: 404 }),
	});
	expect(ok).toHaveLength(199);
	expect(ok[0]).toMatchObject({ id: ids[0], lastname: 'New 0' });
	// Written in place, found case-insensitively; the key itself is not rewritten; nothing created.
	expect(contacts().count()).toBe(200);
	expect(contacts().get(ids[199])?.fields).toMatchObject({
		lastname: 'New 199',
		emailaddress1: 'k199@example.com',
	});
	expect(contacts().get(ids[57])?.fields.lastname).toBe('Old 57');
	const wire = sim.log
		.entries({})
		.slice(before)
		.filter((e) => !String(e.kind).startsWith('records.'));
	expect(wire.filter((e) => e.kind === 'batch')).toHaveLength(1);
	expect(wire.length).toBeLessThanOrEqual(4);
	// Every inner request was an update-only PATCH by key.
	const inner = sim.log
		.entries({})
		.slice(before)
		.filter((e) => e.method === 'PATCH');
	expect(inner).toHaveLength(200);
	expect(inner.every((e) => e.path.includes('(emailaddress1='))).toBe(true);
});

it("an invalid value fails alone with Dataverse's message; by row ID still works", async () => {
	const a = sim.createDirect('contact', { lastname: 'A', emailaddress1: 'a@example.com' }).id;
	const b = sim.createDirect('contact', { lastname: 'B', emailaddress1: 'b@example.com' }).id;
	const bad = await run(
		c,
		[
			{ email: 'a@example.com', gender: 1 },
			{ email: 'b@example.com', gender: 99 },
		],
		{
			...byKey,
			fields: defineBelow(
				{ emailaddress1: '={{ $json.email }}', gendercode: '={{ $json.gender }}' },
				['emailaddress1'],
			),
		},
	);
	expect(bad.ok).toEqual([expect.objectContaining({ id: a, gendercode: 1 })]);
	expect(bad.failedItems).toEqual([1]);
	expect(String(bad.failed[0].error)).toMatch(/The value 99 of 'gendercode'/);
	expect(contacts().get(b)?.fields.gendercode ?? null).toBeNull();

	const byId = await run(c, [{ contactid: b, lastname: 'B2' }], {
		...byKey,
		fields: autoMap(['contactid']),
	});
	expect(byId.failed).toEqual([]);
	expect(contacts().get(b)?.fields.lastname).toBe('B2');

	const empty = await run(c, [{ lastname: 'no key' }], {
		...byKey,
		fields: autoMap(['emailaddress1']),
	});
	expect(String(empty.failed[0].error)).toMatch(/match column "emailaddress1" is empty/);
	expect(contacts().count()).toBe(2);
});
