/**
 * The REST API node under the API's rate limit, through n8n's engine: a 429 with Retry-After is waited out and the
 * read completes with every record; a rate budget (Requests per Interval) spaces the requests.
 */
import type { INodeParameters } from 'n8n-workflow';

import { clearRateBudgets } from '../../../core/http/rateLimiter';
import { RestSimulator, type RestContract } from '../../../sandbox';
import { credentialsFor, run } from './helpers';

const sim = new RestSimulator({ records: { contacts: 600 }, rateLimit: false });
let contract: RestContract;

beforeAll(async () => {
	contract = await sim.start();
});
afterAll(async () => {
	clearRateBudgets();
	await sim.stop();
});
beforeEach(() => {
	sim.log.reset();
	sim.faults.clearFaults();
	sim.setRateLimit(false);
	clearRateBudgets();
});

const read = (options: INodeParameters = {}) =>
	run(
		[{}],
		{
			method: 'GET',
			path: '/contacts',
			queryParameters: { values: [{ name: 'paging', value: 'cursor' }] },
			recordsPath: 'data',
			pagination: 'cursor',
			cursorPath: 'next_cursor',
			cursorParam: 'cursor',
			pageSizeParam: 'limit',
			pageSize: 100,
			options,
		},
		{ credentials: credentialsFor(contract) },
	);

it('waits out a 429 with Retry-After and reads on: every record once', async () => {
	sim.faults.add({ type: 'rateLimit', retryAfterSeconds: 1, count: 2, match: { kinds: ['list'] } });
	const { ok, failed } = await read();
	expect(failed).toEqual([]);
	expect(ok).toHaveLength(600);
	expect(new Set(ok.map((r) => r.id)).size).toBe(600);
	const statuses = sim.log.entries({ kind: 'list' }).map((e) => e.status);
	// The first page was refused twice, then all six pages were answered.
	expect(statuses).toEqual([429, 429, 200, 200, 200, 200, 200, 200]);
	// Each retry came at least the Retry-After second after the 429 (server clock, not a wall-clock assert on us).
	const at = sim.log.entries({ kind: 'list' }).map((e) => e.at);
	expect(at[1] - at[0]).toBeGreaterThanOrEqual(1000);
	expect(at[2] - at[1]).toBeGreaterThanOrEqual(1000);
});

it("under the API's own limit (3 per second, announced in X-RateLimit headers) the read completes", async () => {
	sim.setRateLimit({ limit: 3, windowMs: 1000 });
	const { ok, failed } = await read();
	expect(failed).toEqual([]);
	expect(ok).toHaveLength(600);
	// Whatever the core's budget learnt from the headers, no page was lost and none read twice.
	expect(new Set(ok.map((r) => r.id)).size).toBe(600);
	expect(sim.log.count({ kind: 'list', status: 200 })).toBe(6);
});

it('Requests per Interval spaces the requests: at most 2 start in any 500 ms', async () => {
	const { ok } = await read({ maxRequests: 2, intervalMs: 500 });
	expect(ok).toHaveLength(600);
	const at = sim.log.entries({ kind: 'list' }).map((e) => e.at);
	expect(at).toHaveLength(6);
	// Arrival times at the server (a little network jitter allowed): request k+2 comes a window after request k.
	for (let k = 0; k + 2 < at.length; k++) expect(at[k + 2] - at[k]).toBeGreaterThanOrEqual(450);
});
