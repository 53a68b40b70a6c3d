/**
 * Record operations through n8n's engine against the Salesforce simulator: batched creates (sObject
 * Collections of 200, failures alone on the error output) and upserts by external ID.
 */
import type { SalesforceSimulator, SalesforceSimContract } from '../../../sandbox/salesforce';
import { runWorkflow } from '../../helpers/engine';
import {
	apiCalls,
	object,
	passwordCredentials,
	salesforceNode,
	startSimulator,
	workflowWith,
} from './helpers';

let sim: SalesforceSimulator;
let contract: SalesforceSimContract;

beforeAll(async () => {
	({ sim, contract } = await startSimulator());
});
afterAll(async () => {
	await sim.stop();
});
beforeEach(() => sim.reset());

const createContacts = (count: number, invalid: number[]) => `
const bad = new Set(${JSON.stringify(invalid)});
return Array.from({ length: ${count} }, (_, i) => bad.has(i)
	? { FirstName: 'Bad', Email: 'bad' + i + '@example.com' }
	: { FirstName: 'First' + i, LastName: 'Last' + i, Email: 'contact' + i + '@example.com' });`;

describe('Salesforce Record: create', () => {
	it("creates 1,000 contacts in at most 6 API calls (1 describe + 5 Collections); 3 invalid ones fail alone on the error output with Salesforce's message", async () => {
		// An importable n8n workflow: Manual Trigger → Code (1,000 sign-ups, 3 without a last name) → Salesforce → two No-Ops.
		const started = Date.now();
		const result = await runWorkflow('salesforce.createContacts.json', {
			credentials: passwordCredentials(contract),
		});
		const seconds = (Date.now() - started) / 1000;
		expect(result.error).toBeUndefined();
		const ok = result.json('Create Contacts', 0);
		const failed = result.items('Create Contacts', 1);
		expect(result.json('Created')).toHaveLength(997);
		expect(result.json('Rejected')).toHaveLength(3);
		expect(ok).toHaveLength(997);
		expect(failed).toHaveLength(3);
		expect(failed.map((f) => (f.pairedItem as { item: number }).item)).toEqual([17, 555, 998]);
		for (const f of failed) {
			expect(f.json.error).toMatch(
				/REQUIRED_FIELD_MISSING: Required fields are missing: \[LastName\]/,
			);
			expect((f.json.details as { code: string }).code).toBe('REQUIRED_FIELD_MISSING');
		}
		expect(
			ok.every(
				(o) => o.success === true && typeof o.id === 'string' && /^003/.test(o.id as string),
			),
		).toBe(true);
		expect(sim.table('Contact').collection.count()).toBe(997);

		const calls = apiCalls(sim);
		const collections = sim.log.count({ kind: 'collections.create' });
		expect(collections).toBe(5);
		// One describe checks every record before sending (a mistyped value fails alone, no bisection).
		expect(sim.log.count({ kind: 'describe' })).toBe(1);
		expect(calls).toBeLessThanOrEqual(6);
		console.log(
			`Salesforce create 1,000 contacts: ${calls} API calls (${collections} sObject Collections), ${seconds.toFixed(2)} s`,
		);
	});
});

describe('Salesforce Record: upsert by external ID', () => {
	it('run twice gives no duplicates: the first run creates, the second updates the same records', async () => {
		const node = salesforceNode(
			'Upsert Contacts',
			{
				resource: 'record',
				operation: 'upsert',
				object: object('Contact'),
				fields: {
					mappingMode: 'autoMapInputData',
					value: null,
					matchingColumns: ['External_Id__c'],
					schema: [],
				},
			},
			{ onError: 'continueErrorOutput' },
		);
		const input = (suffix: string) =>
			`return Array.from({ length: 250 }, (_, i) => ({ External_Id__c: 'ext-' + i, LastName: 'Upsert ${suffix} ' + i }));`;
		const first = await runWorkflow(workflowWith(input('one'), node), {
			credentials: passwordCredentials(contract),
		});
		expect(first.items('Upsert Contacts', 1)).toHaveLength(0);
		const created = first.json('Upsert Contacts');
		expect(created).toHaveLength(250);
		expect(created.every((r) => r.created === true)).toBe(true);

		const second = await runWorkflow(workflowWith(input('two'), node), {
			credentials: passwordCredentials(contract),
		});
		const updated = second.json('Upsert Contacts');
		expect(updated).toHaveLength(250);
		expect(updated.every((r) => r.created === false)).toBe(true);
		expect(updated.map((r) => r.id)).toEqual(created.map((r) => r.id));
		expect(sim.table('Contact').collection.count()).toBe(250);
		// 250 records = 2 Collections calls per run.
		expect(sim.log.count({ kind: 'collections.upsert' })).toBe(4);
	});
});

describe('Salesforce Record: switching to Bulk API 2.0 for large inputs', () => {
	it('writes through one bulk job from the threshold on, with the same per-item results', async () => {
		const node = salesforceNode(
			'Create Contacts',
			{
				resource: 'record',
				operation: 'create',
				object: object('Contact'),
				fields: { mappingMode: 'autoMapInputData', value: null, schema: [] },
				options: { bulkThreshold: 500 },
			},
			{ onError: 'continueErrorOutput' },
		);
		const result = await runWorkflow(workflowWith(createContacts(600, [42]), node), {
			credentials: passwordCredentials(contract),
		});
		expect(result.json('Create Contacts')).toHaveLength(599);
		const [bad] = result.items('Create Contacts', 1);
		expect((bad.pairedItem as { item: number }).item).toBe(42);
		expect(bad.json.error).toMatch(/^REQUIRED_FIELD_MISSING/);
		expect(sim.log.count({ kind: 'collections.create' })).toBe(0);
		expect(sim.log.count({ kind: 'bulk.ingest.upload' })).toBe(1);
	});
});

describe('Salesforce Record: daily API limit', () => {
	it('stops when the daily limit is used up, reports every unwritten record on the error output and loses nothing', async () => {
		const node = salesforceNode(
			'Create Contacts',
			{
				resource: 'record',
				operation: 'create',
				object: object('Contact'),
				fields: { mappingMode: 'autoMapInputData', value: null, schema: [] },
			},
			{ onError: 'continueErrorOutput' },
		);
		// Room for exactly 4 more API requests today (1 describe + 3 Collections): 600 records go in, then the org refuses.
		sim.setDailyRequestLimit(sim.apiUsage() + 4);
		const result = await runWorkflow(workflowWith(createContacts(1000, []), node), {
			credentials: passwordCredentials(contract),
		});
		expect(result.error).toBeUndefined();
		const written = result.json('Create Contacts', 0);
		const notWritten = result.items('Create Contacts', 1);
		expect(written).toHaveLength(600);
		expect(notWritten).toHaveLength(400);
		expect(notWritten.map((i) => (i.pairedItem as { item: number }).item)).toEqual(
			Array.from({ length: 400 }, (_, k) => 600 + k),
		);
		const first = notWritten[0].json as { error: string; details: { code: string } };
		expect(first.details.code).toBe('REQUEST_LIMIT_EXCEEDED');
		expect(first.error).toMatch(/daily API request limit is used up.*Nothing was lost/);
		// Collections requests go 4 at a time: a request already in flight when the limit was hit is refused too; the
		// ones not yet sent are not sent.
		const codes = notWritten.map((i) => (i.json as { details: { code: string } }).details.code);
		const refused = codes.filter((c) => c === 'REQUEST_LIMIT_EXCEEDED').length;
		expect(codes.filter((c) => c === 'NOT_SENT')).toHaveLength(400 - refused);
		const later = notWritten.find((i) => codes[notWritten.indexOf(i)] === 'NOT_SENT')?.json as
			| { error: string }
			| undefined;
		if (later)
			expect(later.error).toMatch(/not sent: an earlier batch failed.*daily API request limit/);
		// Exactly the records reported as written are in Salesforce: nothing lost, nothing unaccounted for.
		expect(sim.table('Contact').collection.count()).toBe(600);
		// Each refused request was sent once, not retried (a daily limit does not clear in seconds).
		expect(sim.log.count({ kind: 'collections.create', status: 403 }) * 200).toBe(refused);
	});

	it('without an error output, fails with one clear message saying what was written and what not', async () => {
		const node = salesforceNode('Create Contacts', {
			resource: 'record',
			operation: 'create',
			object: object('Contact'),
			fields: { mappingMode: 'autoMapInputData', value: null, schema: [] },
		});
		sim.setDailyRequestLimit(sim.apiUsage() + 3);
		const result = await runWorkflow(workflowWith(createContacts(500, []), node), {
			credentials: passwordCredentials(contract),
		});
		expect(result.error?.message).toMatch(
			/^Item 400: not written: the Salesforce org's daily API request limit is used up \(REQUEST_LIMIT_EXCEEDED/,
		);
		expect((result.error as { description?: string }).description).toMatch(
			/400 of 500 records were created; 100 failed \(items 400, 401/,
		);
		expect(sim.table('Contact').collection.count()).toBe(400);
	});
});
