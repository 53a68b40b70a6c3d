/**
 * "Send a Request" writes through n8n's engine against the REST simulator: one request per item with a JSON body
 * built from the item, per-item errors with the HTTP status and the API's message, a raw body with its content type,
 * and a POST that times out after it was sent reported as "outcome unknown" (and not re-sent).
 */
import type { IDataObject } from 'n8n-workflow';

import { clearRateBudgets } from '../../../core/http/rateLimiter';
import { RestSimulator, type RestContract } from '../../../sandbox';
import { credentialsFor, run } from './helpers';

const sim = new RestSimulator({ rateLimit: false });
let contract: RestContract;

beforeAll(async () => {
	contract = await sim.start();
});
afterAll(async () => {
	clearRateBudgets();
	await sim.stop();
});
beforeEach(() => sim.reset());

const create = (extra: IDataObject = {}) => ({
	method: 'POST',
	path: '/contacts',
	bodyType: 'json',
	jsonBody: '={{ { email: $json.email, last_name: $json.name } }}',
	...extra,
});

it('one POST per item; an invalid item fails alone with HTTP 400 and the API message', async () => {
	const { ok, failed, failedItems } = await run(
		[
			{ email: 'ada@example.com', name: 'Lovelace' },
			{ email: 'nope', name: 'Broken' },
			{ email: 'grace@example.com', name: 'Hopper' },
		],
		create(),
		{ credentials: credentialsFor(contract) },
	);
	expect(ok.map((r) => r.email)).toEqual(['ada@example.com', 'grace@example.com']);
	expect(failedItems).toEqual([1]);
	expect(String(failed[0].error)).toMatch(/Validation failed: email must be a valid email address/);
	expect(String(failed[0].error)).toMatch(/HTTP 400/);
	expect(failed[0].details).toEqual(expect.objectContaining({ status: 400 }));
	expect(sim.log.count({ kind: 'create' })).toBe(3);
	expect(sim.collection('contacts').count()).toBe(2);
});

it('a raw body goes out with its content type (the API refuses text/plain with 415)', async () => {
	const { failed } = await run(
		[{}],
		{
			method: 'POST',
			path: '/contacts',
			bodyType: 'raw',
			rawContentType: 'text/plain',
			rawBody: 'hello',
		},
		{ credentials: credentialsFor(contract) },
	);
	expect(String(failed[0].error)).toMatch(/Content-Type must be application\/json/);
	expect(failed[0].details).toEqual(expect.objectContaining({ status: 415 }));
});

it('a POST that times out after it was sent is "outcome unknown", not retried; a GET that times out is retried', async () => {
	sim.faults.add({ type: 'slow', delayMs: 1500, count: 1, match: { kinds: ['create'] } });
	const { ok, failed } = await run(
		[{ email: 'slow@example.com', name: 'Slow' }],
		create({ options: { timeout: 300 } }),
		{
			credentials: credentialsFor(contract),
		},
	);
	expect(ok).toEqual([]);
	expect(failed[0].details).toEqual(expect.objectContaining({ code: 'OUTCOME_UNKNOWN' }));
	expect(String(failed[0].error)).toMatch(
		/^outcome unknown: the POST request was sent but its answer was lost/,
	);
	// The slow request is still asleep in the simulator (1,500 ms from its arrival): let it wake before the next fault,
	// which it would otherwise take (on a loaded machine the next run's request arrives after it woke). Timers fire in
	// order, so this one ends after the simulator's sleep has.
	await new Promise((resolve) => setTimeout(resolve, 1600));
	// The answer of a POST that the API applied is lost (connection dropped after handling): outcome unknown, and
	// the request is not sent again (no duplicate).
	sim.faults.add({ type: 'drop', when: 'afterHandler', count: 1, match: { kinds: ['create'] } });
	const dropped = await run([{ email: 'dropped@example.com', name: 'Dropped' }], create(), {
		credentials: credentialsFor(contract),
	});
	expect(dropped.failed[0].details).toEqual(expect.objectContaining({ code: 'OUTCOME_UNKNOWN' }));
	expect(sim.log.count({ kind: 'create', status: 0 })).toBe(1);
	expect(
		sim
			.collection('contacts')
			.list()
			.map((r) => r.fields.email),
	).toEqual(['dropped@example.com']);

	sim.faults.add({ type: 'slow', delayMs: 1500, count: 1, match: { kinds: ['list'] } });
	const read = await run(
		[{}],
		{ method: 'GET', path: '/contacts', recordsPath: 'data', options: { timeout: 300 } },
		{
			credentials: credentialsFor(contract),
		},
	);
	expect(read.failed).toEqual([]);
	expect(read.ok).toHaveLength(1);
});
