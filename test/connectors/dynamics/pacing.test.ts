/**
 * The connector paces under Dataverse's execution-time limit (0x80072321) from
 * `x-ms-ratelimit-time-remaining-xrm-requests`, against the simulator on the real clock: batches whose operations
 * together cost more than one window allows are all written, none refused. The limits are scaled (50,000 ms of
 * execution time per 20 s window, 100 ms per operation, batches of 5 = 500 ms each: 100 batches per window), the rate
 * budget's interval matching the window as the default budget's 300 s matches Dataverse's. A client without pacing
 * runs into the limit with the same writes.
 */
import { DynamicsCrm } from '../../../core/connectors/dynamics/crm';
import { clearRateBudgets } from '../../../core/http/rateLimiter';
import { startDvWorld, type DvWorld } from './helpers';

const LIMITS = { executionMs: 50_000, windowMs: 20_000, costPerOperationMs: 100 };
const BATCHES = 150; // 75,000 ms of execution time: half as much again as one window allows
const PER_BATCH = 5;

let w: DvWorld;
beforeAll(async () => {
	w = await startDvWorld({ seed: 29, serviceProtection: LIMITS });
});
afterAll(async () => {
	clearRateBudgets();
	await w.sim.stop();
});
beforeEach(() => {
	w.sim.reset();
	w.sim.protection.set(LIMITS);
	clearRateBudgets();
});

const inputs = (tag: string) =>
	Array.from({ length: BATCHES * PER_BATCH }, (_, i) => ({
		fields: { lastname: `${tag} ${i}`, emailaddress1: `${tag}-${i}@example.com` },
	}));

/** A connector whose writes fail on the first 429 (one attempt, no resend of 429'd parts). */
function connector(
	rateLimit: false | { maxRequests: number; intervalMs: number; maxConcurrent: number },
) {
	const client = w.client({ rateLimit, retry: { maxAttempts: 1 } });
	return new DynamicsCrm(client, {
		optionSets: false,
		batchSize: PER_BATCH,
		writeOptions: { rateLimitRounds: 0 },
	});
}

it('holds while the execution time left is low: every batch admitted, no 429', async () => {
	const crm = connector({ maxRequests: 6000, intervalMs: LIMITS.windowMs, maxConcurrent: 1 });
	const result = await crm.write('create', 'contacts', inputs('Paced'));
	expect(result.filter((r) => !r.ok)).toEqual([]);
	expect(w.sim.collection('contact').count()).toBe(BATCHES * PER_BATCH);
	expect(w.sim.log.count({ status: 429 })).toBe(0);
	expect(w.sim.log.count({ kind: 'batch', status: 200 })).toBe(BATCHES);
}, 90_000);

it('holds in time with 4 batches in flight (their cost is not in the header yet): no 429', async () => {
	const crm = connector({ maxRequests: 6000, intervalMs: LIMITS.windowMs, maxConcurrent: 4 });
	const result = await crm.write('create', 'contacts', inputs('Parallel'));
	expect(result.filter((r) => !r.ok)).toEqual([]);
	expect(w.sim.collection('contact').count()).toBe(BATCHES * PER_BATCH);
	expect(w.sim.log.count({ status: 429 })).toBe(0);
	expect(w.sim.log.count({ kind: 'batch', status: 200 })).toBe(BATCHES);
}, 90_000);

it('without pacing the same writes run into 0x80072321', async () => {
	const crm = connector(false);
	const result = await crm.write('create', 'contacts', inputs('Unpaced'));
	expect(w.sim.log.count({ kind: 'batch', status: 429 })).toBeGreaterThan(0);
	const refused = result.filter((r) => !r.ok);
	expect(refused.length).toBeGreaterThan(0);
	expect(refused[0]).toMatchObject({ ok: false, error: { code: '0x80072321' } });
}, 90_000);
