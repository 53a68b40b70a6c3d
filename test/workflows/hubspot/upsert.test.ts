/**
 * HubSpot upsert through n8n's engine against the HubSpot simulator at HubSpot's real limit (190 requests per 10 s):
 * 10,000 contacts by e-mail in ≤100 API calls, twice without duplicates; invalid rows fail alone with HubSpot's
 * message; a 429 storm mid-run, on batch create as on batch upsert, applies each batch exactly once.
 */
import path from 'node:path';

import type { INode } from 'n8n-workflow';

import { clearRateBudgets } from '../../../core/http/rateLimiter';
import { HubSpotSimulator, type HubSpotContract } from '../../../sandbox';
import {
	loadWorkflow,
	runWorkflow,
	type WorkflowJson,
	type WorkflowRun,
} from '../../helpers/engine';

const FIXTURE = path.join(__dirname, 'fixtures', 'hubspot.upsertContacts.json');
const HUBSPOT = 'HubSpot CRM';

const sim = new HubSpotSimulator({ rateLimits: { tenSecondly: 190 } });
let contract: HubSpotContract;

beforeAll(async () => {
	contract = await sim.start();
});
afterAll(async () => {
	clearRateBudgets();
	await sim.stop();
});
beforeEach(() => {
	sim.reset();
	clearRateBudgets();
});

const credentials = () => ({
	crmHubSpotPrivateAppApi: {
		accessToken: contract.accessToken,
		baseUrl: contract.baseUrl,
		requestsPer10Seconds: 190,
	},
});

/** The fixture with the sign-ups Code node generating `jsCode`'s items. */
function workflow(jsCode?: string): WorkflowJson {
	const wf = loadWorkflow(FIXTURE);
	if (jsCode) (wf.nodes.find((n) => n.name === 'Sign-ups') as INode).parameters.jsCode = jsCode;
	return wf;
}

function contactCount(): number {
	return sim.collection('contacts').list().length;
}

it('upserts 10,000 contacts by e-mail in ≤100 API calls, and a second run creates no duplicate', async () => {
	const before = contactCount();
	const t0 = performance.now();
	const first = await runWorkflow(workflow(), { credentials: credentials() });
	const seconds = (performance.now() - t0) / 1000;
	expect(first.error).toBeUndefined();
	const calls = sim.log.count({ kind: 'batch.upsert' });
	const upserted = first.json('Upserted');
	expect(upserted).toHaveLength(10_000);
	expect(first.items('HubSpot CRM', 1)).toHaveLength(0);
	expect(calls).toBeLessThanOrEqual(100);
	expect(sim.log.count({})).toBe(calls);
	expect(contactCount() - before).toBe(10_000);
	expect(upserted.filter((c) => c.new === true)).toHaveLength(10_000);
	expect(upserted[4321]).toMatchObject({
		properties: { email: 'person4321@example.com', lastname: 'No 4321' },
	});
	expect(first.items('HubSpot CRM').map((i) => (i.pairedItem as { item: number }).item)).toEqual(
		Array.from({ length: 10_000 }, (_, i) => i),
	);
	console.log(
		`HubSpot upsert of 10,000 contacts through n8n's engine: ${calls} API calls, ${seconds.toFixed(2)} s (first run)`,
	);

	const t1 = performance.now();
	const second = await runWorkflow(workflow(), { credentials: credentials() });
	const seconds2 = (performance.now() - t1) / 1000;
	expect(second.error).toBeUndefined();
	expect(second.json('Upserted')).toHaveLength(10_000);
	expect(second.json('Upserted').every((c) => c.new === false)).toBe(true);
	expect(contactCount() - before).toBe(10_000);
	const calls2 = sim.log.count({ kind: 'batch.upsert' }) - calls;
	expect(calls2).toBeLessThanOrEqual(100);
	console.log(
		`HubSpot upsert of the same 10,000 contacts again: ${calls2} API calls, ${seconds2.toFixed(2)} s, 0 duplicates`,
	);
});

it("sends invalid rows to the error output alone, each with HubSpot's message; the valid ones are written", async () => {
	const jsCode = `return Array.from({ length: 250 }, (_, i) => ({
		email: i === 17 ? 'not-an-email' : \`row\${i}@example.com\`,
		firstname: 'Row',
		lifecyclestage: i === 140 ? 'NOT_A_STAGE' : 'lead',
	}));`;
	const before = contactCount();
	const run = await runWorkflow(workflow(jsCode), { credentials: credentials() });
	expect(run.error).toBeUndefined();
	const rejected = run.items(HUBSPOT, 1);
	expect(rejected.map((i) => (i.pairedItem as { item: number }).item)).toEqual([17, 140]);
	for (const item of rejected) {
		expect(typeof item.json.error).toBe('string');
		expect(String(item.json.error).length).toBeGreaterThan(10);
	}
	expect(String(rejected[0].json.error)).toBe('Email address not-an-email is invalid');
	expect(String(rejected[1].json.error)).toMatch(/NOT_A_STAGE/);
	expect(run.json('Upserted')).toHaveLength(248);
	expect(contactCount() - before).toBe(248);
	const calls = sim.log.count({ kind: 'batch.upsert' });
	// 3 batches of ≤100; HubSpot's 400 names the bad input (objectWriteTraceId), so each bad row costs one more call.
	expect(calls).toBe(5);
	expect(rejected[0].json.details).toMatchObject({ code: 'VALIDATION_ERROR' });
	console.log(
		`invalid rows (${calls} API calls for 250 rows): ${rejected.map((r) => `item ${(r.pairedItem as { item: number }).item}: ${String(r.json.error)}`).join(' | ')}`,
	);
});

/**
 * Runs 2,000 contacts through `operation` while a 429 storm hits its batch calls mid-run: after the 5th batch call that
 * reached the simulator, the next 9 batch calls are answered 429 TEN_SECONDLY_ROLLING (as HubSpot does, with
 * X-HubSpot-RateLimit-Remaining 0), so the storm hits writes in flight, for several rounds. Counts, in the simulator,
 * the batch calls its handler applied and the ones the storm answered.
 */
async function stormRun(operation: 'create' | 'upsert') {
	const kind = `batch.${operation}`;
	const jsCode = `return Array.from({ length: 2000 }, (_, i) => ({ email: \`${operation}-storm\${i}@example.com\`, firstname: 'Storm', lastname: \`${operation}-\${i}\` }));`;
	const wf = workflow(jsCode);
	(wf.nodes.find((n) => n.name === HUBSPOT) as INode).parameters.operation = operation;
	const before = contactCount();
	const log = sim.log;
	const record = log.record.bind(log);
	let batches = 0;
	log.record = (entry) => {
		const recorded = record(entry);
		if (entry.kind === kind && ++batches === 5)
			sim.faults.add({ type: 'rateLimit', count: 9, match: { kinds: [kind] } });
		return recorded;
	};
	const t0 = performance.now();
	let run: WorkflowRun;
	try {
		run = await runWorkflow(wf, { credentials: credentials() });
	} finally {
		log.record = record;
	}
	const seconds = (performance.now() - t0) / 1000;
	const calls = sim.log.entries({ kind });
	return {
		run,
		seconds,
		created: contactCount() - before,
		/** Batch calls the simulator's handler applied (answered 200 / 201 / 207). */
		applied: calls.filter((e) => e.status >= 200 && e.status < 300).length,
		/** Batch calls the storm answered 429 before the handler saw them. */
		throttled: calls.filter((e) => e.status === 429 && e.fault === 'rateLimit').length,
		/** Every call of the kind (nothing else answered: no 5xx, no dropped connection). */
		all: calls.length,
		/** Stored contacts of this run per lastname (a value only this run's inputs carry, not a unique key). */
		byLastname: (() => {
			const counts = new Map<string, number>();
			for (const r of sim.collection('contacts').list()) {
				const name = String(r.fields.lastname ?? '');
				if (name.startsWith(`${operation}-`)) counts.set(name, (counts.get(name) ?? 0) + 1);
			}
			return counts;
		})(),
	};
}

it.each(['create', 'upsert'] as const)(
	'batch %s through a 429 storm injected mid-run: each batch applied exactly once, every record written once',
	async (operation) => {
		const storm = await stormRun(operation);
		expect(storm.run.error).toBeUndefined();
		expect(storm.run.json('Upserted')).toHaveLength(2000);
		expect(storm.run.items(HUBSPOT, 1)).toHaveLength(0);
		// 2,000 inputs in batches of 100: 20 batches, each reaching the handler exactly once; the 9 answered 429 were not applied.
		expect(storm.throttled).toBe(9);
		expect(storm.applied).toBe(20);
		expect(storm.all).toBe(storm.applied + storm.throttled);
		// Records stored = inputs: 2,000 new contacts, one per input, no value twice (a repeated create batch would store 100 more).
		expect(storm.created).toBe(2000);
		expect(storm.byLastname.size).toBe(2000);
		expect([...storm.byLastname.values()].every((n) => n === 1)).toBe(true);
		const emails = sim
			.collection('contacts')
			.list()
			.map((r) => String(r.fields.email ?? ''))
			.filter((e) => e.startsWith(`${operation}-storm`));
		expect(new Set(emails).size).toBe(2000);
		expect(emails).toHaveLength(2000);
		// Each output item is its own input's record (paired by item index, with that input's values).
		const out = storm.run.items(HUBSPOT);
		out.forEach((item, i) => {
			expect((item.pairedItem as { item: number }).item).toBe(i);
			expect((item.json.properties as { lastname?: string }).lastname).toBe(`${operation}-${i}`);
		});
		console.log(
			`429 storm, batch ${operation}: ${storm.throttled} throttled calls, ${storm.applied} applied, 2,000 records written once, ${storm.seconds.toFixed(2)} s`,
		);
	},
);
