/**
 * Service protection under a burst, through n8n's engine against the Dataverse simulator. The simulator's limits are
 * set small (500 ms of execution time per 2 s sliding window, 300 ms charged per request, on the real clock) so a Create of 3,000 contacts (3 `$batch`es plus
 * the metadata reads) and a Get Many of them run into 429s with `Retry-After`. The node must wait them out: every
 * record stored exactly once, nothing on the error output, and the simulator's log shows the 429s it answered.
 * A second case (connector level, where the rate budget can be set) shows a budget under the limit avoids them.
 */
import { dataverseClientCredentials } from '../../../core/connectors/dynamics/auth';
import { DataverseClient } from '../../../core/connectors/dynamics/client';
import { DynamicsCrm } from '../../../core/connectors/dynamics/crm';
import { clearRateBudgets } from '../../../core/http/rateLimiter';
import { DynamicsSimulator, type DynamicsSimContract } from '../../../sandbox/dynamics';
import { autoMap, run } from './helpers';

// The execution-time limit made small (each request charged 300 ms on top of its time, 500 ms per 2 s window): about
// two requests per window pass, the rest get 429 0x80072321 with Retry-After. The time left a request sees on arrival
// is then 500 or ~200 ms, above the connector's pacing reserve (5/20 of the largest seen = 125 ms): under it, the
// pacer would hold the node's default budget for its 300 s interval, not this 2 s window. Not the request-count limit: its
// `x-ms-ratelimit-burst-remaining-xrm-requests: 0` header makes the node's default rate budget stall for its whole
// 300 s interval instead of the server's window (a core finding, left alone here; see the report).
const BURST = { executionMs: 500, costPerRequestMs: 300, windowMs: 2000 };
const sim = new DynamicsSimulator({ seed: 11, serviceProtection: BURST });
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
	sim.protection.set(BURST);
	clearRateBudgets();
});

const contacts = () => sim.collection('contact');
const count429 = () => sim.log.count({ status: 429 });

/** How many stored contacts carry each e-mail (the unique field of the burst). */
function storedPerEmail(): Map<string, number> {
	const per = new Map<string, number>();
	for (const r of contacts().list()) {
		const email = String(r.fields.emailaddress1);
		per.set(email, (per.get(email) ?? 0) + 1);
	}
	return per;
}

it('429s with Retry-After under a burst are waited out: 3,000 created once each, all read back', async () => {
	const N = 3000;
	const items = Array.from({ length: N }, (_, i) => ({
		lastname: `Burst ${i}`,
		emailaddress1: `burst-${i}@example.com`,
	}));
	const started = Date.now();
	const created = await run(c, items, {
		resource: 'record',
		operation: 'create',
		table: 'contacts',
		fields: autoMap(),
	});
	expect(created.failed).toEqual([]);
	expect(created.ok).toHaveLength(N);
	const per = storedPerEmail();
	expect(per.size).toBe(N);
	expect([...per.values()].every((n) => n === 1)).toBe(true);
	for (let i = 0; i < N; i += 997) expect(per.get(`burst-${i}@example.com`)).toBe(1);

	const read = await run(c, [{}], {
		resource: 'record',
		operation: 'getAll',
		table: 'contacts',
		returnAll: true,
		options: { filter: "startswith(lastname,'Burst ')" },
	});
	expect(read.failed).toEqual([]);
	expect(read.ok).toHaveLength(N);
	expect(new Set(read.ok.map((r) => String(r.emailaddress1))).size).toBe(N);

	// The simulator answered 429s (with Retry-After) and the node got through anyway: they were waited out.
	const limited = count429();
	const batches = sim.log.count({ kind: 'batch', status: 200 });
	console.log(
		`burst: ${limited} × 429 answered, ${batches} $batch admitted, ${((Date.now() - started) / 1000).toFixed(1)} s`,
	);
	expect(limited).toBeGreaterThan(0);
	expect(batches).toBe(3);
	expect(contacts().count()).toBe(N);
}, 30_000);

it('a rate budget under the limit avoids the 429s altogether (pacing alone)', async () => {
	sim.protection.set({ requests: 3, windowMs: 2000 });
	const client = new DataverseClient({
		environmentUrl: c.serverUrl,
		auth: dataverseClientCredentials({
			environmentUrl: c.serverUrl,
			tokenUrl: c.tokenUrl,
			clientId: c.clientId,
			clientSecret: c.clientSecret,
		}),
		// 2 per 2 s (the server allows 3): pacing with headroom for clock skew between the two windows.
		rateLimit: { maxRequests: 2, intervalMs: 2000, maxConcurrent: 1 },
		// One attempt: a 429 would fail the write instead of being retried, so success means no 429 was needed.
		retry: { maxAttempts: 1 },
	});
	const crm = new DynamicsCrm(client, { optionSets: false, writeOptions: { rateLimitRounds: 0 } });
	const N = 2000;
	const result = await crm.write(
		'create',
		'contacts',
		Array.from({ length: N }, (_, i) => ({
			fields: { lastname: `Paced ${i}`, emailaddress1: `paced-${i}@example.com` },
		})),
	);
	expect(result.filter((r) => !r.ok)).toEqual([]);
	expect(storedPerEmail().size).toBe(N);
	expect(contacts().count()).toBe(N);
	expect(count429()).toBe(0);
	expect(sim.log.count({ kind: 'batch', status: 200 })).toBe(2);
}, 30_000);
