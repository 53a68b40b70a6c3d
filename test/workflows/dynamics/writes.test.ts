/**
 * The Dynamics 365 node's writes through n8n's engine against the Dataverse simulator, counted in its request log and
 * store: 5,000 creates in a handful of HTTP calls ($batch of 1,000 + token + metadata), an invalid row failing alone
 * with Dataverse's message on the error output, and upsert by alternate key run twice without duplicates.
 */
import { clearRateBudgets } from '../../../core/http/rateLimiter';
import { DynamicsSimulator, type DynamicsSimContract } from '../../../sandbox/dynamics';
import { autoMap, defineBelow, run } from './helpers';

const sim = new DynamicsSimulator({ seed: 7 });
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
	// Each run starts with a fresh budget, as a new n8n process would.
	clearRateBudgets();
});

const contacts = () => sim.collection('contact');

describe('Create', () => {
	it('5,000 contacts in ≤ 10 HTTP calls: 5 $batches of 1,000, one token, the metadata', async () => {
		const items = Array.from({ length: 5000 }, (_, i) => ({
			lastname: `Bulk ${i}`,
			emailaddress1: `bulk-${i}@example.com`,
		}));
		const before = sim.log.entries({}).length;
		const { ok, failed } = await run(c, items, {
			resource: 'record',
			operation: 'create',
			table: 'contacts',
			fields: autoMap(),
		});
		expect(failed).toEqual([]);
		expect(ok).toHaveLength(5000);
		expect(contacts().count()).toBe(5000);
		expect(ok[4321]).toMatchObject({ lastname: 'Bulk 4321', id: expect.any(String) });
		expect(contacts().get(String(ok[4321].id))?.fields.lastname).toBe('Bulk 4321');
		// HTTP requests on the wire (inner requests of a $batch are logged as records.create).
		const wire = sim.log
			.entries({})
			.slice(before)
			.filter((e) => e.kind !== 'records.create')
			.map((e) => String(e.kind));
		const byKind = wire.reduce<Record<string, number>>(
			(acc, k) => ({ ...acc, [k]: (acc[k] ?? 0) + 1 }),
			{},
		);
		console.log(`5,000 creates: ${wire.length} HTTP calls`, byKind);
		expect(byKind.batch).toBe(5);
		expect(byKind.token).toBe(1);
		expect(wire.length).toBeLessThanOrEqual(10);
	});

	it("an invalid row fails alone with Dataverse's message on the error output; the others are written", async () => {
		const items = Array.from({ length: 20 }, (_, i) => ({
			name: `Row ${i}`,
			gender: i === 7 ? 99 : 1,
		}));
		const { ok, failed, failedItems } = await run(c, items, {
			resource: 'record',
			operation: 'create',
			table: 'contacts',
			fields: defineBelow({ lastname: '={{ $json.name }}', gendercode: '={{ $json.gender }}' }),
		});
		expect(ok).toHaveLength(19);
		expect(failedItems).toEqual([7]);
		expect(failed[0]).toMatchObject({
			error: expect.stringMatching(/The value 99 of 'gendercode'.*outside the valid range/),
			details: expect.objectContaining({ code: '0x8004431a', category: 'validation' }),
		});
		expect(contacts().count()).toBe(19);
		expect(
			contacts()
				.list()
				.some((r) => r.fields.lastname === 'Row 7'),
		).toBe(false);
	});
});

describe('Create or Update', () => {
	it('by alternate key (emailaddress1), run twice: no duplicates, the second run updates', async () => {
		const items = (suffix: string) =>
			Array.from({ length: 30 }, (_, i) => ({
				emailaddress1: `key-${i}@example.com`,
				lastname: `Key ${i} ${suffix}`,
			}));
		const params = {
			resource: 'record',
			operation: 'upsert',
			table: 'contacts',
			fields: autoMap(['emailaddress1']),
		};
		const first = await run(c, items('one'), params);
		expect(first.failed).toEqual([]);
		expect(first.ok.every((r) => r.created === true)).toBe(true);
		expect(contacts().count()).toBe(30);

		const second = await run(c, items('two'), params);
		expect(second.failed).toEqual([]);
		expect(second.ok.every((r) => r.created === false)).toBe(true);
		expect(second.ok.map((r) => r.id)).toEqual(first.ok.map((r) => r.id));
		expect(contacts().count()).toBe(30);
		expect(
			new Set(
				contacts()
					.list()
					.map((r) => String(r.fields.emailaddress1)),
			).size,
		).toBe(30);
		expect(contacts().get(String(second.ok[5].id))?.fields.lastname).toBe('Key 5 two');
	});

	it('by row ID: updates the row; no match column set fails every item with the fix', async () => {
		const { id } = sim.createDirect('contact', { lastname: 'By Id' });
		const byId = await run(c, [{ contactid: id, lastname: 'By Id (changed)' }], {
			resource: 'record',
			operation: 'upsert',
			table: 'contacts',
			fields: autoMap(['contactid']),
		});
		expect(byId.ok).toEqual([expect.objectContaining({ id, created: false })]);
		expect(contacts().get(id)?.fields.lastname).toBe('By Id (changed)');

		const none = await run(c, [{ lastname: 'x' }], {
			resource: 'record',
			operation: 'upsert',
			table: 'contacts',
			fields: autoMap([]),
		});
		expect(none.ok).toEqual([]);
		expect(String(none.failed[0].error)).toMatch(/Columns to match on/);
		expect(contacts().count()).toBe(1);
	});
});
