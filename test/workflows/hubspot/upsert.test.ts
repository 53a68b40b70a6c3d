/**
 * HubSpot upsert through n8n's engine against the HubSpot simulator at HubSpot's real limit (190 requests per 10 s):
 * 10,000 contacts by e-mail in ≤100 API calls, twice without duplicates; invalid rows fail alone with HubSpot's
 * message; a 429 storm mid-run still writes every record once.
 */
import path from 'node:path';

import type { INode } from 'n8n-workflow';

import { clearRateBudgets } from '../../../core/http/rateLimiter';
import { HubSpotSimulator, type HubSpotContract } from '../../../sandbox';
import { loadWorkflow, runWorkflow, type WorkflowJson } from '../../helpers/engine';

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
	crmHubSpotPrivateAppApi: { accessToken: contract.accessToken, baseUrl: contract.baseUrl, requestsPer10Seconds: 190 },
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
	expect(upserted[4321]).toMatchObject({ properties: { email: 'person4321@example.com', lastname: 'No 4321' } });
	expect(first.items('HubSpot CRM').map((i) => (i.pairedItem as { item: number }).item)).toEqual(Array.from({ length: 10_000 }, (_, i) => i));
	console.log(`HubSpot upsert of 10,000 contacts through n8n's engine: ${calls} API calls, ${seconds.toFixed(2)} s (first run)`);

	const t1 = performance.now();
	const second = await runWorkflow(workflow(), { credentials: credentials() });
	const seconds2 = (performance.now() - t1) / 1000;
	expect(second.error).toBeUndefined();
	expect(second.json('Upserted')).toHaveLength(10_000);
	expect(second.json('Upserted').every((c) => c.new === false)).toBe(true);
	expect(contactCount() - before).toBe(10_000);
	const calls2 = sim.log.count({ kind: 'batch.upsert' }) - calls;
	expect(calls2).toBeLessThanOrEqual(100);
	console.log(`HubSpot upsert of the same 10,000 contacts again: ${calls2} API calls, ${seconds2.toFixed(2)} s, 0 duplicates`);
});

it('sends invalid rows to the error output alone, each with HubSpot\'s message; the valid ones are written', async () => {
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
	console.log(`invalid rows (${calls} API calls for 250 rows): ${rejected.map((r) => `item ${(r.pairedItem as { item: number }).item}: ${String(r.json.error)}`).join(' | ')}`);
});

it('completes through a 429 storm injected mid-run, writing every record exactly once', async () => {
	const jsCode = `return Array.from({ length: 2000 }, (_, i) => ({ email: \`storm\${i}@example.com\`, firstname: 'Storm', lastname: String(i) }));`;
	const before = contactCount();
	// After the 5th batch call of the run, the next 9 batch calls are answered 429 TEN_SECONDLY_ROLLING (as HubSpot
	// does, with X-HubSpot-RateLimit-Remaining 0), so the storm hits writes in flight, mid-run, for several rounds.
	const log = sim.log;
	const record = log.record.bind(log);
	let batches = 0;
	log.record = (entry) => {
		const recorded = record(entry);
		if (entry.kind === 'batch.upsert' && ++batches === 5) sim.faults.add({ type: 'rateLimit', count: 9, match: { kinds: ['batch.upsert'] } });
		return recorded;
	};
	const t0 = performance.now();
	const run = await runWorkflow(workflow(jsCode), { credentials: credentials() });
	const seconds = (performance.now() - t0) / 1000;
	expect(run.error).toBeUndefined();
	expect(run.json('Upserted')).toHaveLength(2000);
	expect(run.items(HUBSPOT, 1)).toHaveLength(0);
	expect(contactCount() - before).toBe(2000);
	log.record = record;
	const emails = new Set(sim.collection('contacts').list().map((r) => String(r.fields.email ?? '')));
	for (let i = 0; i < 2000; i++) expect(emails.has(`storm${i}@example.com`)).toBe(true);
	const throttled = sim.log.count({ kind: 'batch.upsert', status: 429 });
	expect(throttled).toBe(9);
	console.log(`429 storm: ${throttled} throttled calls, ${sim.log.count({ kind: 'batch.upsert' })} batch calls in all, 2,000 records written once, ${seconds.toFixed(2)} s`);
});
