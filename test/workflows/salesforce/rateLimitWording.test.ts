/**
 * How a Salesforce rate-limit answer is worded on the node's outputs, through n8n's engine against the simulator:
 * a 429 with `Retry-After: 1` is a short-window limit (waited for and retried), never "the daily limit is used up";
 * only the org's daily allocation (403 REQUEST_LIMIT_EXCEEDED "TotalRequests Limit exceeded", no Retry-After) is.
 */
import type { SalesforceSimulator, SalesforceSimContract } from '../../../sandbox/salesforce';
import { runWorkflow } from '../../helpers/engine';
import {
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

const createTwo = () =>
	workflowWith(
		"return [1, 2].map((i) => ({ FirstName: 'Rate' + i, LastName: 'Limit' + i, Email: 'rate' + i + '@example.com' }));",
		salesforceNode(
			'Create Contacts',
			{
				resource: 'record',
				operation: 'create',
				object: object('Contact'),
				fields: { mappingMode: 'autoMapInputData', value: null, schema: [] },
			},
			{ onError: 'continueErrorOutput' },
		),
	);

describe('Salesforce rate-limit wording', () => {
	it('a 429 with Retry-After: 1 is waited for and retried: the records are written once', async () => {
		sim.faults.add({
			type: 'rateLimit',
			retryAfterSeconds: 1,
			match: { path: '/composite/sobjects' },
		});
		const run = await runWorkflow(createTwo(), { credentials: passwordCredentials(contract) });
		expect(run.json('Create Contacts', 0)).toHaveLength(2);
		expect(sim.table('Contact').collection.count()).toBe(2);
		expect(sim.log.count({ status: 429 })).toBe(1);
	});

	it('429s with Retry-After: 1 that outlast the retries are reported as a short-window limit, not the daily one', async () => {
		sim.faults.add({
			type: 'rateLimit',
			retryAfterSeconds: 1,
			count: 10,
			match: { path: '/composite/sobjects' },
		});
		const run = await runWorkflow(createTwo(), { credentials: passwordCredentials(contract) });
		expect(run.json('Create Contacts', 0)).toHaveLength(0);
		const failed = run.json('Create Contacts', 1) as Array<{
			error: string;
			details?: Record<string, unknown>;
		}>;
		expect(failed).toHaveLength(2);
		expect(sim.table('Contact').collection.count()).toBe(0);
		for (const item of failed) {
			const text = JSON.stringify(item);
			expect(text).not.toMatch(/daily API request limit is used up|rolling 24-hour/);
			expect(text).toMatch(/short-window API rate limit .*wait 1 s \(Retry-After\)/);
		}
	});

	it("a 403 REQUEST_LIMIT_EXCEEDED with Retry-After (the node's client reads Salesforce's dialect) is a rate limit: waited for, retried, written once", async () => {
		sim.faults.add({
			type: 'rateLimit',
			status: 403,
			retryAfterSeconds: 1,
			match: { path: '/composite/sobjects' },
		});
		const run = await runWorkflow(createTwo(), { credentials: passwordCredentials(contract) });
		expect(run.json('Create Contacts', 1)).toHaveLength(0);
		expect(run.json('Create Contacts', 0)).toHaveLength(2);
		expect(sim.table('Contact').collection.count()).toBe(2);
		expect(sim.log.count({ status: 403 })).toBe(1);
	});

	it('the daily allocation (403 TotalRequests Limit exceeded, no Retry-After) is worded as the daily limit', async () => {
		sim.setDailyRequestLimit(sim.apiUsage());
		const run = await runWorkflow(createTwo(), { credentials: passwordCredentials(contract) });
		const failed = run.json('Create Contacts', 1) as Array<{ error: string }>;
		expect(failed).toHaveLength(2);
		expect(failed[0].error).toMatch(/daily API request limit is used up .*rolling 24-hour window/);
		expect(sim.table('Contact').collection.count()).toBe(0);
	});
});
