/**
 * `npm run demo`: what the package does so far, with no credentials and no network beyond loopback.
 *
 * 1. Starts the sandboxes in-process (`startSandboxes()`).
 * 2. Runs `demo/workflows/signups-to-contacts.json` through n8n-core's `WorkflowExecute` (the engine n8n
 *    runs): Manual Trigger → Code (raw sign-up rows) → Field Mapper, whose error output takes invalid rows.
 * 3. Writes the mapped contacts to the REST sandbox with the connector core (HttpClient + API key + rate
 *    budget, runBatches with split-to-isolate against the sandbox's atomic batch mode), reads them back
 *    page by page (paginate + CursorPaginator), and prints the sandbox's request log.
 *
 * Exits 0 when every step did what it should, 1 with the reason otherwise.
 */
import path from 'node:path';
import { performance } from 'node:perf_hooks';

import { AxiosTransport, ApiKeyAuth, HttpClient, RateBudget } from '../core/http';
import { type RestSimulator, startSandboxes } from '../sandbox';
import { loadWorkflow, PACKAGE_ROOT, runWorkflow } from '../test/helpers/engine';
import { cell, plural, table, wrap } from './format';
import { API_CONTACT_FIELDS, readAllContacts, writeContacts } from './restContacts';

const WORKFLOW_FILE = path.join(PACKAGE_ROOT, 'demo', 'workflows', 'signups-to-contacts.json');
const MAPPER = 'Field Mapper';
const BATCH_SIZE = 5;
const PAGE_SIZE = 100;
/** Longest line the demo prints. */
const WIDTH = 112;
/** The client's own budget: well under the sandbox's 100 requests/s, so the client paces itself. */
const BUDGET = { maxRequests: 10, intervalMs: 1000, maxConcurrent: 2 };
/** A contact the CRM already has; one sign-up uses the same e-mail, so the API rejects that record. */
const EXISTING = { email: 'grace.hopper@navy.mil', first_name: 'Grace', last_name: 'Hopper', lifecycle_stage: 'customer' };

class DemoFailure extends Error {}

function expect(condition: boolean, message: string): void {
	if (!condition) throw new DemoFailure(message);
}

async function main(): Promise<void> {
	const started = performance.now();
	const log = (line = '') => console.log(line);
	log('n8n-nodes-crm-connectors demo: sandboxes on 127.0.0.1, workflows run by n8n-core\'s WorkflowExecute');

	const sandboxes = await startSandboxes();
	const transport = new AxiosTransport();
	const budget = new RateBudget(BUDGET);
	try {
		const api = sandboxes.contract.rest;
		const rest = sandboxes.instances.rest as RestSimulator | undefined;
		expect(api !== undefined && rest !== undefined, 'the REST sandbox did not start');
		const seeded = rest!.collection('contacts').count();
		const existing = rest!.collection('contacts').create(EXISTING);
		log(`Sandboxes: ${Object.keys(sandboxes.contract).join(', ')} · REST API ${api!.baseUrl} (API key), ${seeded} seeded contacts`);

		// ---- 1. the workflow ---------------------------------------------------------------------------
		log();
		log(`1. Workflow ${path.relative(PACKAGE_ROOT, WORKFLOW_FILE)} in n8n's engine`);
		log('   Manual Trigger → Code "Sign-ups" → Field Mapper (On Error: continue using error output)');
		const workflow = loadWorkflow(WORKFLOW_FILE);
		const run = await runWorkflow(workflow);
		expect(run.error === undefined, `the workflow failed: ${run.error?.message ?? ''}`);
		const raw = run.json('Sign-ups');
		const contacts = run.json(MAPPER, 0);
		const rejected = run.items(MAPPER, 1);
		const example = Object.entries(raw[0]).map(([k, v]) => `${k}: ${JSON.stringify(v)}`).join(', ');
		for (const line of wrap(`${raw.length} raw rows, e.g. {${example}}`, WIDTH, '   ', '     ')) log(line);
		log(`   output 0 "contacts": ${plural(contacts.length, 'item')}`);
		const columns = ['email', 'first_name', 'last_name', 'country', 'lifetime_value', 'signed_up', 'tags', 'subscribed'];
		for (const line of table(columns, contacts.map((c) => columns.map((name) => c[name])))) log(line);
		log(`   (every contact also has lifecycle_stage "${cell(contacts[0]?.lifecycle_stage)}", a fixed value)`);
		log(`   output 1 "errors": ${plural(rejected.length, 'item')}`);
		for (const item of rejected) for (const line of wrap(String(item.json.error), WIDTH, '   - ', '     ')) log(line);
		expect(contacts.length === 10 && rejected.length === 2, `expected 10 mapped contacts and 2 errors, got ${contacts.length} and ${rejected.length}`);

		// ---- 2. batched writes ---------------------------------------------------------------------------
		log();
		log(`2. Write the ${contacts.length} contacts with the core: HttpClient (ApiKeyAuth, rate budget ${BUDGET.maxRequests} req/s) + runBatches`);
		rest!.setBatchMode('atomic');
		log(`   sandbox in atomic batch mode (one bad record → whole call 400); ${EXISTING.email} already exists (id ${existing.id})`);
		const mappedFields = [...new Set(contacts.flatMap((c) => Object.keys(c)))];
		const isApiField = (f: string) => (API_CONTACT_FIELDS as readonly string[]).includes(f);
		const sent = `sent: ${mappedFields.filter(isApiField).join(', ')}; not in the API's contact schema: ${mappedFields.filter((f) => !isApiField(f)).join(', ')}`;
		for (const line of wrap(sent, WIDTH, '   ', '     ')) log(line);
		const client = new HttpClient({
			baseUrl: api!.baseUrl,
			transport,
			auth: new ApiKeyAuth({ key: api!.apiKey, name: 'X-API-Key' }),
			rateLimit: budget,
		});
		const written = await writeContacts(client, contacts, BATCH_SIZE);
		const { stats } = written;
		const calls = written.calls.map((c) => `${c.size}→${c.status}`).join('  ');
		log(`   POST /contacts/batch, ${BATCH_SIZE} per call: ${calls}`);
		log(`   calls ${stats.calls}, splits ${stats.splits}, succeeded ${stats.succeeded}, failed ${stats.failed}`);
		const failures = written.results.filter((r) => !r.ok);
		for (const failure of failures) {
			if (failure.ok) continue;
			log(`   failed: ${cell(contacts[failure.index].email)}: ${failure.error.code ?? 'error'}: ${failure.error.message}`);
		}
		expect(
			stats.succeeded === contacts.length - 1 && failures.length === 1 && cell(contacts[failures[0].index].email) === EXISTING.email,
			`expected every contact but ${EXISTING.email} to be written, got ${stats.succeeded} written and ${failures.length} failed`,
		);
		expect(stats.splits > 0, 'expected the rejected batch to be split to isolate the bad record');

		// ---- 3. paged read -------------------------------------------------------------------------------
		log();
		log(`3. Read all contacts back: paginate() + CursorPaginator (limit ${PAGE_SIZE}, next_cursor / has_more)`);
		const read = await readAllContacts(client, PAGE_SIZE);
		const emails = new Set(read.contacts.map((c) => c.email));
		const writtenEmails = written.results.filter((r) => r.ok).map((r) => cell(contacts[r.index].email));
		const found = writtenEmails.filter((e) => emails.has(e)).length;
		const expectedTotal = seeded + 1 + stats.succeeded;
		log(`   ${plural(read.pageSizes.length, 'page')} (${read.pageSizes.join(' + ')}) = ${read.contacts.length} contacts; ${found} of ${writtenEmails.length} written contacts found`);
		expect(read.contacts.length === expectedTotal, `expected ${expectedTotal} contacts, read ${read.contacts.length}`);
		expect(found === writtenEmails.length, `${writtenEmails.length - found} written contacts were not read back`);

		// ---- 4. what it cost -----------------------------------------------------------------------------
		log();
		log('4. Sandbox request log (server.log.byKind())');
		for (const [kind, count] of Object.entries(rest!.log.byKind())) {
			const statuses = new Map<number, number>();
			for (const e of rest!.log.entries({ kind })) statuses.set(e.status, (statuses.get(e.status) ?? 0) + 1);
			const byStatus = [...statuses].map(([status, n]) => `${n} × ${status}`).join(', ');
			log(`   ${kind.padEnd(13)} ${String(count).padStart(3)}  (${byStatus})`);
		}
		const writeCalls = written.calls.length;
		log(
			`   API calls per record written: ${writeCalls} / ${stats.succeeded} = ${(writeCalls / stats.succeeded).toFixed(2)}` +
				` (one POST per record: ${contacts.length}; without the bad record: ${Math.ceil(contacts.length / BATCH_SIZE)})`,
		);
		const b = budget.stats();
		const server = read.rateLimit ? `; server says X-RateLimit-Remaining ${read.rateLimit.remaining}/${read.rateLimit.limit}` : '';
		log(`   rate budget: ${b.started} requests, held back ${Math.round(b.throttledMs)} ms to stay within ${BUDGET.maxRequests}/s${server}`);
		expect(rest!.log.count() === client.requestsSent, `the sandbox logged ${rest!.log.count()} requests, the client sent ${client.requestsSent}`);

		log();
		log(`Done in ${((performance.now() - started) / 1000).toFixed(1)} s.`);
	} finally {
		budget.dispose();
		transport.close();
		await sandboxes.stop();
	}
}

main().then(
	() => process.exit(0),
	(error: unknown) => {
		const message = error instanceof DemoFailure ? error.message : error instanceof Error ? (error.stack ?? error.message) : String(error);
		console.error(`\nDemo FAILED: ${message}`);
		process.exit(1);
	},
);
