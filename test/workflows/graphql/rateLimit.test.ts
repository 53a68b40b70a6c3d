/**
 * The GraphQL API node under the API's rate limit, through n8n's engine: a 429 with Retry-After is waited out and the
 * Relay read completes with every record; a mutation batch refused with 429 is sent again (a 429 is refused before
 * it runs), each item written once; Requests per Interval spaces the requests.
 */
import type { INodeParameters } from 'n8n-workflow';

import { clearRateBudgets } from '../../../core/http/rateLimiter';
import { GraphqlSimulator } from '../../../sandbox/graphql';
import type { GraphqlSimContract } from '../../../sandbox/graphql/simulator';
import { CONTACTS_QUERY, CREATE, credentialsFor, run } from './helpers';

const sim = new GraphqlSimulator({ records: { contacts: 600 }, rateLimit: false });
let contract: GraphqlSimContract;

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
	clearRateBudgets();
});

const read = (options: INodeParameters = {}) =>
	run(
		[{}],
		{
			operation: 'getMany',
			query: CONTACTS_QUERY,
			connectionPath: 'contacts',
			pageSize: 100,
			options,
		},
		{ credentials: credentialsFor(contract) },
	);

it('waits out a 429 with Retry-After and reads on: every record once', async () => {
	sim.faults.add({
		type: 'rateLimit',
		retryAfterSeconds: 1,
		count: 2,
		match: { kinds: ['graphql'] },
	});
	const { ok, failed } = await read();
	expect(failed).toEqual([]);
	expect(ok).toHaveLength(600);
	expect(new Set(ok.map((r) => r.id)).size).toBe(600);
	const entries = sim.log.entries();
	// The first page was refused twice, then all six pages were answered.
	expect(entries.map((e) => e.status)).toEqual([429, 429, 200, 200, 200, 200, 200, 200]);
	// Each retry came at least the Retry-After second after the 429 (server clock).
	const at = entries.map((e) => e.at);
	expect(at[1] - at[0]).toBeGreaterThanOrEqual(1000);
	expect(at[2] - at[1]).toBeGreaterThanOrEqual(1000);
});

it('a mutation batch refused with 429 is sent again after Retry-After; every item written once', async () => {
	sim.faults.add({
		type: 'rateLimit',
		retryAfterSeconds: 1,
		count: 1,
		match: { kinds: ['graphql'] },
	});
	const before = sim.contacts.count();
	const items = Array.from({ length: 60 }, (_, i) => ({ email: `limited.${i}@example.com` }));
	const { ok, failed } = await run(
		items,
		{
			operation: 'sendBatch',
			mutation: CREATE,
			batchSize: 30,
		},
		{ credentials: credentialsFor(contract) },
	);
	expect(failed).toEqual([]);
	expect(ok).toHaveLength(60);
	expect(sim.log.entries().map((e) => e.status)).toEqual([429, 200, 200]);
	expect(sim.contacts.count()).toBe(before + 60);
});

it('Requests per Interval spaces the requests: at most 2 start in any 500 ms', async () => {
	const { ok } = await read({ maxRequests: 2, intervalMs: 500 });
	expect(ok).toHaveLength(sim.contacts.count());
	const at = sim.log.entries({ kind: 'query' }).map((e) => e.at);
	expect(at).toHaveLength(Math.ceil(sim.contacts.count() / 100));
	for (let k = 0; k + 2 < at.length; k++) expect(at[k + 2] - at[k]).toBeGreaterThanOrEqual(450);
});
