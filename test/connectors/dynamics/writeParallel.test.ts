/**
 * `DynamicsCrm.write` with several `$batch`es in flight (`batchPool.ts`), counted in the Dataverse simulator: how many
 * batches it saw at once, results in input order, and a batch whose answer is lost among parallel ones (only its own
 * items are OUTCOME_UNKNOWN).
 */
import { BATCH_CODES } from '../../../core/batching/types';
import { batchConcurrency } from '../../../core/connectors/dynamics/batchPool';
import { clearRateBudgets } from '../../../core/http/rateLimiter';
import { startDvWorld, type DvWorld } from './helpers';

const rows = (n: number, email = true) =>
	Array.from({ length: n }, (_, i) => ({
		fields: { lastname: `Par ${i}`, ...(email ? { emailaddress1: `par-${i}@example.com` } : {}) },
	}));

describe('DynamicsCrm.write: batches in flight at once', () => {
	let w: DvWorld;
	let inFlight = 0;
	let maxInFlight = 0;
	beforeAll(async () => {
		w = await startDvWorld({ seed: 11 });
		// Counts the `$batch` requests the simulator is handling at once; holds each a little so they overlap.
		w.sim.server.use(async (req, next) => {
			if (req.kind !== 'batch') return next();
			maxInFlight = Math.max(maxInFlight, ++inFlight);
			try {
				await new Promise((r) => setTimeout(r, 30));
				return await next();
			} finally {
				inFlight--;
			}
		});
	});
	afterAll(() => w.sim.stop());
	beforeEach(() => {
		w.sim.reset();
		maxInFlight = 0;
	});

	const contacts = () => w.sim.collection('contact');

	it('by default 4 of 9 batches run at once; results in input order, every row written once', async () => {
		const res = await w.crm({ batchSize: 100 }).write('create', 'contacts', rows(900));
		expect(w.count('batch')).toBe(9);
		expect(maxInFlight).toBe(4);
		expect(res.map((r) => r.index)).toEqual(rows(900).map((_, i) => i));
		res.forEach((r, i) => {
			if (!r.ok) throw new Error(`item ${i}: ${r.error.message}`);
			expect(contacts().get(r.value.id)?.fields.lastname).toBe(`Par ${i}`);
		});
		expect(contacts().count()).toBe(900);
	});

	it('concurrency 1 sends one batch at a time; concurrency 2 two', async () => {
		await w.crm({ batchSize: 50, concurrency: 1 }).write('create', 'contacts', rows(200));
		expect(maxInFlight).toBe(1);
		w.sim.reset();
		maxInFlight = 0;
		await w.crm({ batchSize: 50, concurrency: 2 }).write('create', 'contacts', rows(200));
		expect(maxInFlight).toBe(2);
		expect(contacts().count()).toBe(200);
	});

	it("a lost batch answer among parallel batches: only that batch's items are OUTCOME_UNKNOWN", async () => {
		w.sim.faults.add({ type: 'drop', when: 'afterHandler', count: 1, match: { kinds: ['batch'] } });
		const res = await w
			.crm({ batchSize: 25, writeOptions: { sleep: async () => {} } })
			.write('create', 'contacts', rows(200, false));
		expect(w.count('batch')).toBe(8); // creates are never resent blindly
		expect(maxInFlight).toBe(4);
		const unknown = res.filter((r) => !r.ok).map((r) => r.index);
		expect(unknown).toHaveLength(25);
		expect(unknown[0] % 25).toBe(0);
		expect(unknown).toEqual(Array.from({ length: 25 }, (_, i) => unknown[0] + i));
		for (const r of res)
			if (!r.ok) expect(r.error.code).toBe(BATCH_CODES.outcomeUnknown);
			else expect(contacts().get(r.value.id)?.fields.lastname).toBe(`Par ${r.index}`);
		expect(contacts().count()).toBe(200); // the dropped batch ran: its answer alone was lost
	});

	it("is capped by the rate budget's maxConcurrent", () => {
		try {
			const client = w.client({
				rateLimit: { maxConcurrent: 3, maxRequests: 100, intervalMs: 1000 },
			});
			expect(batchConcurrency(client, 10)).toBe(3);
			expect(batchConcurrency(client, undefined)).toBe(3);
			expect(batchConcurrency(client, 2)).toBe(2);
			expect(batchConcurrency(w.client(), 10)).toBe(10); // no budget, no cap
			expect(batchConcurrency(w.client(), 0)).toBe(1);
		} finally {
			clearRateBudgets();
		}
	});
});
