/**
 * "Send Items as One Request" through n8n's engine against the REST simulator's batch endpoint: 500 items go out as
 * arrays of 100 (5 requests), each item gets its own result matched back by index, invalid items fail alone with the
 * HTTP status and the API's message; without per-item results, a request's failure applies to its items only; a lost
 * answer to a POST is "outcome unknown", never a silent retry.
 */
import type { IDataObject, INodeParameters } from 'n8n-workflow';

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
beforeEach(() => {
	sim.reset();
	sim.setBatchMode('per-item');
});

const INVALID = new Set([7, 123, 250, 251, 499]);

function contacts(count: number): IDataObject[] {
	return Array.from({ length: count }, (_, i) => ({
		email: INVALID.has(i) ? `not-an-email-${i}` : `person.${i}@example.com`,
		last_name: `Person ${i}`,
	}));
}

const batch = (extra: INodeParameters = {}): INodeParameters => ({
	operation: 'sendBatch',
	method: 'POST',
	path: '/contacts/batch',
	itemsPath: 'items',
	bodyTemplate: '{"operation": "create"}',
	batchSize: 100,
	resultsPath: 'results',
	matchBy: 'indexField',
	indexField: 'index',
	...extra,
});

it('500 items in 5 requests; each gets its own result; the 5 invalid ones fail alone with HTTP 400 and the reason', async () => {
	const { ok, failed, failedItems } = await run(contacts(500), batch(), {
		credentials: credentialsFor(contract),
	});
	expect(sim.log.count({ kind: 'batch.create' })).toBe(5);
	expect(failedItems).toEqual([...INVALID]);
	for (const f of failed) {
		expect(f.error).toBe('HTTP 400: email must be a valid email address');
		expect(f.details).toEqual(expect.objectContaining({ status: 400, code: 'validation_failed' }));
	}
	expect(ok).toHaveLength(495);
	// Each success is the result for that very item (its created record carries the item's e-mail).
	const emails = ok.map((r) => (r.data as IDataObject).email);
	expect(emails).toEqual(
		contacts(500)
			.filter((_, i) => !INVALID.has(i))
			.map((c) => c.email),
	);
	expect(ok[0]).toEqual(
		expect.objectContaining({ success: true, status: 201, id: expect.any(String) }),
	);
	expect(sim.collection('contacts').count()).toBe(495);
});

it('matched by position works the same when the results come in item order', async () => {
	const { ok, failedItems } = await run(contacts(150), batch({ matchBy: 'position' }), {
		credentials: credentialsFor(contract),
	});
	expect(failedItems).toEqual([7, 123]);
	expect(ok).toHaveLength(148);
	expect(sim.log.count({ kind: 'batch.create' })).toBe(2);
});

it('without per-item results, an all-or-nothing request that fails fails its own items only', async () => {
	sim.setBatchMode('atomic');
	const { ok, failed, failedItems } = await run(contacts(300), batch({ resultsPath: '' }), {
		credentials: credentialsFor(contract),
	});
	// Items 0-99 (7 invalid), 100-199 (123 invalid) and 200-299 (250, 251 invalid): every request is refused.
	expect(failedItems).toHaveLength(300);
	expect(ok).toEqual([]);
	expect(String(failed[0].error)).toMatch(
		/Item 7 is invalid: email must be a valid email address\. No items were written\./,
	);
	expect(String(failed[0].error)).toMatch(/HTTP 400/);
	expect(sim.collection('contacts').count()).toBe(0);

	sim.reset();
	const valid = contacts(300).map((c, i) =>
		INVALID.has(i) ? { ...c, email: `fixed.${i}@example.com` } : c,
	);
	valid[150].email = 'broken';
	const mixed = await run(valid, batch({ resultsPath: '' }), {
		credentials: credentialsFor(contract),
	});
	expect(mixed.failedItems).toEqual(Array.from({ length: 100 }, (_, k) => 100 + k));
	expect(mixed.ok).toHaveLength(200);
	expect(mixed.ok[0]).toEqual(expect.objectContaining({ success: true, status: 200 }));
	expect(sim.collection('contacts').count()).toBe(200);
});

it('a POST whose answer is lost is "outcome unknown" for its items, and is not sent again', async () => {
	sim.faults.add({ type: 'drop', when: 'afterHandler', count: 1, match: { kinds: ['batch'] } });
	const { ok, failed, failedItems } = await run(contacts(200), batch(), {
		credentials: credentialsFor(contract),
	});
	expect(failedItems.filter((i) => i < 100)).toEqual(Array.from({ length: 100 }, (_, k) => k));
	const unknown = failed.filter((f) => (f.details as IDataObject).code === 'OUTCOME_UNKNOWN');
	expect(unknown).toHaveLength(100);
	expect(String(unknown[0].error)).toMatch(
		/^outcome unknown: the POST request was sent but its answer was lost/,
	);
	expect(ok).toHaveLength(99); // the second request: 100 items, one invalid (123)
	// The first request was applied by the API (its 99 valid items) and never re-sent: 99 + 99 records, no duplicate.
	expect(sim.log.count({ kind: 'batch.create' })).toBe(2);
	expect(sim.collection('contacts').count()).toBe(99 + 99);
});
