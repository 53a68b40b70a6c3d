/**
 * "Send Items as One Request" through n8n's engine against the GraphQL simulator: 500 items as aliased copies of one
 * mutation, 50 per request (10 requests, counted in the simulator's log); the two invalid items fail alone with their
 * own GraphQL error naming the field, the 498 others are written (the store's count proves it); a request whose answer
 * is lost leaves its items "outcome unknown" and is not sent again.
 */
import type { IDataObject, INodeParameters } from 'n8n-workflow';

import { clearRateBudgets } from '../../../core/http/rateLimiter';
import { GraphqlSimulator } from '../../../sandbox/graphql';
import type { GraphqlSimContract } from '../../../sandbox/graphql/simulator';
import { CREATE, credentialsFor, run } from './helpers';

const sim = new GraphqlSimulator({ rateLimit: false });
let contract: GraphqlSimContract;

beforeAll(async () => {
	contract = await sim.start();
});
afterAll(async () => {
	clearRateBudgets();
	await sim.stop();
});
beforeEach(() => {
	sim.reset();
	sim.faults.clearFaults();
});

/** Item 17 has an invalid e-mail, item 333 a score above 100. */
function people(count: number, prefix = 'person'): IDataObject[] {
	return Array.from({ length: count }, (_, i) => ({
		mail: i === 17 ? 'not-an-email' : `${prefix}.${i}@example.com`,
		name: `Person ${i}`,
		score: i === 333 ? 500 : i % 100,
	}));
}

const batch = (extra: INodeParameters = {}): INodeParameters => ({
	operation: 'sendBatch',
	mutation: CREATE,
	itemVariables:
		'={{ { "input": { "email": $json.mail, "lastName": $json.name, "score": $json.score } } }}',
	batchSize: 50,
	...extra,
});

it('500 items in 10 requests; the two invalid ones fail alone naming their field, 498 are written', async () => {
	const { ok, failed, failedItems } = await run(people(500), batch(), {
		credentials: credentialsFor(contract),
	});
	expect(sim.log.count({ kind: 'mutation' })).toBe(10);
	expect(sim.log.count()).toBe(10);
	expect(failedItems).toEqual([17, 333]);
	expect(failed[0].error).toMatch(/email "not-an-email" is not a valid e-mail address/);
	expect(failed[0].details).toEqual(
		expect.objectContaining({ code: 'BAD_USER_INPUT', field: 'email', path: ['m17'] }),
	);
	expect(failed[1].error).toMatch(/score must be between 0 and 100 \(got 500\)/);
	expect(failed[1].details).toEqual(
		expect.objectContaining({ code: 'BAD_USER_INPUT', field: 'score' }),
	);
	expect(ok).toHaveLength(498);
	// Each success is the answer for that very item: its created contact carries the item's e-mail.
	const emails = ok.map((r) => ((r.createContact as IDataObject).contact as IDataObject).email);
	expect(emails).toEqual(
		people(500)
			.filter((_, i) => i !== 17 && i !== 333)
			.map((p) => p.mail),
	);
	expect(ok[0]).toEqual(expect.objectContaining({ success: true }));
	expect(sim.contacts.count()).toBe(498);
});

it('a lost answer leaves its items "outcome unknown", not sent again; the other requests go on', async () => {
	sim.faults.add({ type: 'drop', when: 'afterHandler', count: 1, match: { kinds: ['graphql'] } });
	const { ok, failed, failedItems } = await run(people(100, 'lost'), batch(), {
		credentials: credentialsFor(contract),
	});
	// The first request (items 0-49) was applied by the server but its answer dropped.
	expect(failedItems.filter((i) => i < 50)).toEqual(Array.from({ length: 50 }, (_, k) => k));
	const unknown = failed.filter((f) => (f.details as IDataObject).code === 'OUTCOME_UNKNOWN');
	expect(unknown).toHaveLength(50);
	expect(String(unknown[0].error)).toMatch(/outcome unknown/i);
	expect(ok).toHaveLength(50);
	// Never re-sent: 2 requests, 49 + 50 contacts written (item 17 invalid), no duplicate.
	expect(sim.log.count({ kind: 'mutation' }) + sim.log.count({ kind: 'graphql' })).toBe(2);
	expect(sim.contacts.count()).toBe(99);
});

it('Item Variables that are not an object fail their item only', async () => {
	const items = people(3, 'shape');
	const { ok, failed, failedItems } = await run(
		items,
		batch({
			itemVariables:
				'={{ $json.name === "Person 1" ? ["not", "an", "object"] : { "input": { "email": $json.mail } } }}',
		}),
		{ credentials: credentialsFor(contract) },
	);
	expect(failedItems).toEqual([1]);
	expect(String(failed[0].error)).toMatch(/Item Variables must be a JSON object/);
	expect(ok).toHaveLength(2);
	expect(sim.contacts.count()).toBe(2);
});
