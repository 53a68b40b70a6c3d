/**
 * `npm run demo`: what the package does so far, with no credentials and no network beyond loopback.
 *
 * 1. Starts the sandboxes in-process (`startSandboxes()`): Salesforce, HubSpot and REST simulators.
 * 2. Runs workflow JSON from `demo/workflows/` through n8n-core's `WorkflowExecute` (the engine n8n runs), printed
 *    as steps 1–4:
 *    - `signups-to-contacts.json`: Manual Trigger → Code (raw sign-up rows) → Field Mapper (error output for
 *      invalid rows);
 *    - `contacts-to-salesforce.json`: the mapped contacts → Salesforce node, Record → Create on Contact (one
 *      contact already exists, so Salesforce rejects it and it goes to the error output);
 *    - `contacts-to-hubspot.json`, run twice: the mapped contacts → HubSpot node, Record → Upsert by e-mail (the
 *      second run updates the same records: no duplicates);
 *    - `salesforce-changes.json`, run twice: Salesforce node, Changes → Get since a watermark (what a sync picks
 *      up).
 *    The mapped contacts are handed to the later workflows as pinned data of their "Contacts" node.
 * 3. Step 5: writes the contacts to the REST sandbox with the connector core alone (HttpClient + runBatches with
 *    split-to-isolate, paginate + CursorPaginator), as a REST connector will.
 * 4. Step 6, the two-way sync (`demo/sync.ts`): `two-way-sync.json`, Manual Trigger → CRM Sync, Salesforce
 *    Contact ↔ HubSpot contacts by e-mail, state in a SQLite file in a temporary folder, run three times over what
 *    the steps before left in both CRMs: the backfill (shared contacts linked, one-sided ones created on the other
 *    side), edits made on each side plus a conflict, then a run with no edits (zero writes). The simulators run on
 *    a clock the demo moves past the CRMs' change-feed safety lags instead of waiting.
 * For each step it prints the items on the node's outputs (for the sync: its Report) and the API calls from the
 * simulators' request logs.
 *
 * Exits 0 when every step did what it should, 1 with the reason otherwise.
 */
import path from 'node:path';
import { performance } from 'node:perf_hooks';

import type { ICredentialDataDecryptedObject, IDataObject } from 'n8n-workflow';

import { AxiosTransport, ApiKeyAuth, HttpClient, RateBudget, clearRateBudgets } from '../core/http';
import {
	type HubSpotSimulator,
	type RestSimulator,
	type SalesforceSimulator,
	startSandboxes,
} from '../sandbox';
import { loadWorkflow, PACKAGE_ROOT, runWorkflow, type WorkflowJson } from '../test/helpers/engine';
import { byKind, DemoFailure, expect, log, mark, requestsSince, say } from './common';
import { cell, plural, table } from './format';
import { API_CONTACT_FIELDS, readAllContacts, writeContacts } from './restContacts';
import { ShiftedClock, twoWaySync } from './sync';

const WORKFLOWS = path.join(PACKAGE_ROOT, 'demo', 'workflows');
const MAPPER = 'Field Mapper';
const SALESFORCE = 'Create Salesforce Contacts';
const HUBSPOT = 'Upsert HubSpot Contacts';
const CHANGES = 'Salesforce Changes';
const BATCH_SIZE = 5;
const PAGE_SIZE = 100;
/** Error items printed per node output (the rest are counted), so a failing run stays readable. */
const MAX_ERRORS_SHOWN = 3;
/** The client's own budget: well under the sandbox's 100 requests/s, so the client paces itself. */
const BUDGET = { maxRequests: 10, intervalMs: 1000, maxConcurrent: 2 };
/** A contact every CRM already has; one sign-up uses the same e-mail, so creating it fails. */
const EXISTING = {
	email: 'grace.hopper@navy.mil',
	first_name: 'Grace',
	last_name: 'Hopper',
	lifecycle_stage: 'customer',
};

/** A workflow file of the demo with its "Contacts"/"Watermark" node's output pinned to `items`. */
function withPinned(file: string, node: string, items: IDataObject[]): WorkflowJson {
	const workflow = loadWorkflow(path.join(WORKFLOWS, file));
	expect(
		workflow.nodes.some((n) => n.name === node),
		`${file} has no node "${node}" to pin the input to`,
	);
	return { ...workflow, pinData: { [node]: items.map((json) => ({ json })) } };
}

/** `API calls per record n / records = x`; OAuth token requests are left out (the simulator, like Salesforce, does not count them as API usage). */
function perRecord(requests: Array<{ kind?: string }>, records: number): string {
	const calls = requests.filter((e) => e.kind !== 'token').length;
	return `API calls per record ${calls} / ${records} = ${records === 0 ? '-' : (calls / records).toFixed(2)}`;
}

const sleep = async (ms: number): Promise<void> =>
	await new Promise((resolve) => setTimeout(resolve, ms));
/** Waits until the wall clock is a few ms into the next whole second (Salesforce timestamps have whole seconds). */
const nextSecond = async (): Promise<void> => await sleep(1000 - (Date.now() % 1000) + 5);
const hhmmss = (iso: string): string => iso.slice(11, 19);

async function main(): Promise<void> {
	const started = performance.now();
	log(
		"n8n-nodes-crm-connectors demo: sandboxes on 127.0.0.1, workflows run by n8n-core's WorkflowExecute",
	);

	// The simulators' time: the wall clock until step 6 moves it ahead (past the sync's change-feed safety lags).
	const clock = new ShiftedClock();
	const sandboxes = await startSandboxes({ clock });
	const transport = new AxiosTransport();
	const budget = new RateBudget(BUDGET);
	try {
		const { contract } = sandboxes;
		const rest = sandboxes.instances.rest as RestSimulator | undefined;
		const sf = sandboxes.instances.salesforce as SalesforceSimulator | undefined;
		const hs = sandboxes.instances.hubspot as HubSpotSimulator | undefined;
		expect(
			contract.rest !== undefined &&
				contract.salesforce !== undefined &&
				contract.hubspot !== undefined &&
				!!rest &&
				!!sf &&
				!!hs,
			`a sandbox did not start (running: ${Object.keys(contract).join(', ')})`,
		);
		const sfContract = contract.salesforce!;
		const credentials: Record<string, ICredentialDataDecryptedObject> = {
			// The credential types of this package, filled with what the sandbox contract says works against it.
			crmSalesforcePasswordApi: {
				environment: 'custom',
				customLoginUrl: sfContract.loginUrl,
				clientId: sfContract.clientId,
				clientSecret: sfContract.clientSecret,
				username: sfContract.username,
				password: sfContract.password,
				securityToken: '',
				accessToken: '',
				instanceUrl: '',
			},
			crmHubSpotPrivateAppApi: {
				accessToken: contract.hubspot!.accessToken,
				baseUrl: contract.hubspot!.baseUrl,
			},
		};
		const sfContacts = sf!.table('Contact');
		const hsContacts = () => hs!.collection('contacts').list().length;
		say(
			`Sandboxes: Salesforce ${sfContract.instanceUrl} (${sfContacts.collection.count()} contacts), ` +
				`HubSpot ${contract.hubspot!.baseUrl} (${hsContacts()}), REST ${contract.rest!.baseUrl} (${rest!.collection('contacts').count()})`,
			'',
			'  ',
		);

		// ---- 1. Field Mapper ---------------------------------------------------------------------------
		log();
		log(
			'1. signups-to-contacts.json: Manual Trigger → Code "Sign-ups" → Field Mapper (errors to its error output)',
		);
		const mapped = await runWorkflow(
			loadWorkflow(path.join(WORKFLOWS, 'signups-to-contacts.json')),
		);
		expect(
			mapped.error === undefined,
			`the Field Mapper workflow failed: ${mapped.error?.message ?? ''}`,
		);
		const raw = mapped.json('Sign-ups');
		const contacts = mapped.json(MAPPER, 0);
		const rejected = mapped.items(MAPPER, 1);
		const example = Object.entries(raw[0])
			.map(([k, v]) => `${k}: ${JSON.stringify(v)}`)
			.join(', ');
		say(`${raw.length} raw rows, e.g. {${example}}`);
		log(`   output 0 "contacts": ${plural(contacts.length, 'item')}`);
		const columns = [
			'email',
			'first_name',
			'last_name',
			'country',
			'lifetime_value',
			'signed_up',
			'tags',
			'subscribed',
		];
		for (const line of table(
			columns,
			contacts.map((c) => columns.map((name) => c[name])),
		))
			log(line);
		log(
			`   (every contact also has lifecycle_stage "${cell(contacts[0]?.lifecycle_stage)}", a fixed value)`,
		);
		log(`   output 1 "errors": ${plural(rejected.length, 'item')}`);
		for (const item of rejected) say(String(item.json.error), '   - ');
		expect(
			contacts.length === 10 && rejected.length === 2,
			`expected 10 mapped contacts and 2 errors, got ${contacts.length} and ${rejected.length}`,
		);
		const graceIndex = contacts.findIndex((c) => c.email === EXISTING.email);
		expect(graceIndex >= 0, `expected ${EXISTING.email} among the mapped contacts`);

		// ---- 2. Salesforce: create ---------------------------------------------------------------------
		log();
		log(
			`2. contacts-to-salesforce.json: the ${contacts.length} contacts → Salesforce node, Record → Create on Contact`,
		);
		const existingSf = sfContacts.insert({
			FirstName: EXISTING.first_name,
			LastName: EXISTING.last_name,
			Email: EXISTING.email,
			External_Id__c: EXISTING.email,
		});
		say(
			`Salesforce already has ${EXISTING.email} (${existingSf.id}) with External_Id__c, a unique field, = her e-mail; the node maps FirstName, LastName, Email, MailingCountry, LeadSource and External_Id__c = e-mail`,
		);
		// Changes from here on are what step 4 reads: start at a fresh second, after the existing contact.
		await nextSecond();
		const watermark0 = new Date(Math.floor(Date.now() / 1000) * 1000).toISOString();
		let since = mark(sf!);
		const sfRun = await runWorkflow(
			withPinned('contacts-to-salesforce.json', 'Contacts', contacts),
			{ credentials },
		);
		expect(
			sfRun.error === undefined,
			`the Salesforce workflow failed: ${sfRun.error?.message ?? ''}`,
		);
		const created = sfRun.json(SALESFORCE, 0);
		const sfRejected = sfRun.items(SALESFORCE, 1);
		log(
			`   output 0 "success": ${plural(created.length, 'item')}${created.length > 0 ? `, e.g. ${JSON.stringify(created[0])}` : ''}`,
		);
		log(`   output 1 "error": ${plural(sfRejected.length, 'item')}`);
		for (const item of sfRejected.slice(0, MAX_ERRORS_SHOWN)) {
			const index = (item.pairedItem as { item: number }).item;
			say(`item ${index} ${cell(contacts[index]?.email)}: ${String(item.json.error)}`, '   - ');
		}
		if (sfRejected.length > MAX_ERRORS_SHOWN)
			log(`   - … and ${sfRejected.length - MAX_ERRORS_SHOWN} more`);
		const sfCalls = requestsSince(sf!, since);
		log(`   Salesforce API calls: ${byKind(sfCalls)}; ${perRecord(sfCalls, contacts.length)}`);
		expect(
			created.length === contacts.length - 1 &&
				sfRejected.length === 1 &&
				(sfRejected[0].pairedItem as { item: number }).item === graceIndex,
			`expected ${contacts.length - 1} contacts created and ${EXISTING.email} rejected, got ${created.length} created and ${sfRejected.length} rejected`,
		);
		expect(
			/DUPLICATE_VALUE/.test(String(sfRejected[0].json.error)),
			`expected Salesforce's DUPLICATE_VALUE error, got: ${String(sfRejected[0].json.error)}`,
		);
		expect(
			sfContacts.lookup('External_Id__c', EXISTING.email).length === 1,
			`${EXISTING.email} must exist once in Salesforce`,
		);
		const createdIds = created.map((c) => String(c.id));

		// ---- 3. HubSpot: upsert, twice -------------------------------------------------------------------
		log();
		log(
			`3. contacts-to-hubspot.json, run twice: the ${contacts.length} contacts → HubSpot node, Record → Upsert contacts by e-mail`,
		);
		const hsBefore = hsContacts();
		let firstIds: string[] = [];
		for (const runNo of [1, 2]) {
			since = mark(hs!);
			const hsRun = await runWorkflow(
				withPinned('contacts-to-hubspot.json', 'Contacts', contacts),
				{ credentials },
			);
			expect(
				hsRun.error === undefined,
				`HubSpot run ${runNo} failed: ${hsRun.error?.message ?? ''}`,
			);
			const upserted = hsRun.json(HUBSPOT, 0);
			const failed = hsRun.items(HUBSPOT, 1);
			const fresh = upserted.filter((c) => c.new === true).length;
			const calls = requestsSince(hs!, since);
			log(
				`   run ${runNo}: output 0 ${plural(upserted.length, 'item')} (new: true ${fresh}, new: false ${upserted.length - fresh}), ` +
					`output 1 ${plural(failed.length, 'item')}; HubSpot contacts ${hsContacts()}`,
			);
			log(`          API calls: ${byKind(calls)}; ${perRecord(calls, contacts.length)}`);
			for (const item of failed.slice(0, MAX_ERRORS_SHOWN))
				say(String(item.json.error), '          - ');
			if (failed.length > MAX_ERRORS_SHOWN)
				log(`          - … and ${failed.length - MAX_ERRORS_SHOWN} more`);
			const ids = upserted.map((c) => String(c.id));
			expect(
				upserted.length === contacts.length && failed.length === 0,
				`HubSpot run ${runNo}: expected ${contacts.length} upserted, got ${upserted.length} (${failed.length} failed)`,
			);
			expect(
				fresh === (runNo === 1 ? contacts.length : 0),
				`HubSpot run ${runNo}: expected ${runNo === 1 ? 'every' : 'no'} contact to be new, ${fresh} were`,
			);
			expect(
				hsContacts() === hsBefore + contacts.length,
				`HubSpot should hold ${hsBefore + contacts.length} contacts, it holds ${hsContacts()}`,
			);
			if (runNo === 1) firstIds = ids;
			else
				expect(
					ids.join() === firstIds.join(),
					'the second HubSpot run returned other record ids than the first',
				);
		}
		log(
			`   ${hsBefore} → ${hsContacts()} contacts: the second run updated the same ${contacts.length} records, no duplicates`,
		);

		// ---- 4. Salesforce: changes since a watermark ------------------------------------------------------
		log();
		log(
			'4. salesforce-changes.json: Watermark → Salesforce node, Changes → Get (Contact, created or updated)',
		);
		say(
			"A sync keeps a watermark and asks for what changed after it. A change is handed out once its second is over by Salesforce's clock, minus the Safety Lag (default 60 s, for transactions that commit late); the demo sets the lag to 0 and waits for the next second.",
		);
		await nextSecond();
		since = mark(sf!);
		const changes1 = await runWorkflow(
			withPinned('salesforce-changes.json', 'Watermark', [{ watermark: watermark0 }]),
			{ credentials },
		);
		expect(
			changes1.error === undefined,
			`the Salesforce Changes workflow failed: ${changes1.error?.message ?? ''}`,
		);
		const found1 = changes1.json(CHANGES, 0);
		const watermark1 = String(found1.at(-1)?.watermark ?? watermark0);
		const calls1 = requestsSince(sf!, since);
		say(
			`run 1, since ${hhmmss(watermark0)} (just before step 2): output 0 ${plural(found1.length, 'change')} (the contacts step 2 created), ` +
				`output 1 ${plural(changes1.items(CHANGES, 1).length, 'item')}; last item's watermark ${watermark1}`,
			'   ',
			'          ',
		);
		log(`          API calls: ${byKind(calls1)}; ${perRecord(calls1, found1.length)}`);
		expect(
			found1.length === createdIds.length && found1.every((c) => createdIds.includes(String(c.id))),
			`expected the ${createdIds.length} contacts created in step 2 as changes, got ${found1.length}`,
		);
		const ada = String(created[0].id);
		const seeded = sfContacts.collection
			.list()
			.find((r) => !createdIds.includes(r.id) && r.id !== existingSf.id);
		expect(seeded !== undefined, 'no sample contact to edit');
		sfContacts.patch(ada, { Title: 'Analyst' });
		sfContacts.patch(seeded!.id, { Title: 'CTO' });
		say(
			`meanwhile someone edits 2 contacts in Salesforce (here through the sandbox's store): the Title of ${ada} and of ${seeded!.id}`,
		);
		await nextSecond();
		since = mark(sf!);
		const changes2 = await runWorkflow(
			withPinned('salesforce-changes.json', 'Watermark', [{ watermark: watermark1 }]),
			{ credentials },
		);
		expect(
			changes2.error === undefined,
			`the Salesforce Changes workflow failed: ${changes2.error?.message ?? ''}`,
		);
		const found2 = changes2.json(CHANGES, 0);
		const calls2 = requestsSince(sf!, since);
		log(
			`   run 2, since run 1's watermark: output 0 ${plural(found2.length, 'change')}, output 1 ${plural(changes2.items(CHANGES, 1).length, 'item')}`,
		);
		log(`          API calls: ${byKind(calls2)}; ${perRecord(calls2, found2.length)}`);
		for (const c of found2) {
			const r = c.record as IDataObject;
			log(
				`   - ${String(c.id)} ${cell(r.FirstName)} ${cell(r.LastName)} <${cell(r.Email)}> Title "${cell(r.Title)}"`,
			);
		}
		expect(
			found2.length === 2 &&
				found2.some((c) => c.id === ada) &&
				found2.some((c) => c.id === seeded!.id),
			`expected exactly the 2 edited contacts as changes, got ${found2.length}: ${found2.map((c) => String(c.id)).join(', ')}`,
		);
		say(
			'The CRM Sync node (step 6) keeps such a watermark per side, skips its own writes, settles conflicts and writes the changes to the other CRM.',
		);

		// ---- 5. REST sandbox with the core -----------------------------------------------------------------
		log();
		log(
			`5. The same ${contacts.length} contacts to the REST sandbox with the core alone: HttpClient (API key, ${BUDGET.maxRequests} req/s) + runBatches`,
		);
		const api = contract.rest!;
		const seededRest = rest!.collection('contacts').count();
		const existingRest = rest!.collection('contacts').create(EXISTING);
		rest!.setBatchMode('atomic');
		say(
			`atomic batch mode (one bad record → the whole call is 400); ${EXISTING.email} already exists (id ${existingRest.id})`,
		);
		const mappedFields = [...new Set(contacts.flatMap((c) => Object.keys(c)))];
		const isApiField = (f: string) => (API_CONTACT_FIELDS as readonly string[]).includes(f);
		say(
			`sent: ${mappedFields.filter(isApiField).join(', ')}; not in this API's schema: ${mappedFields.filter((f) => !isApiField(f)).join(', ')}`,
		);
		const client = new HttpClient({
			baseUrl: api.baseUrl,
			transport,
			auth: new ApiKeyAuth({ key: api.apiKey, name: 'X-API-Key' }),
			rateLimit: budget,
		});
		const written = await writeContacts(client, contacts, BATCH_SIZE);
		const { stats } = written;
		log(
			`   POST /contacts/batch, ${BATCH_SIZE} per call: ${written.calls.map((c) => `${c.size}→${c.status}`).join('  ')}`,
		);
		log(
			`   calls ${stats.calls}, splits ${stats.splits}, succeeded ${stats.succeeded}, failed ${stats.failed}`,
		);
		const failures = written.results.filter((r) => !r.ok);
		for (const failure of failures) {
			if (failure.ok) continue;
			say(
				`failed: ${cell(contacts[failure.index].email)}: ${failure.error.code ?? 'error'}: ${failure.error.message}`,
			);
		}
		expect(
			stats.succeeded === contacts.length - 1 &&
				failures.length === 1 &&
				cell(contacts[failures[0].index].email) === EXISTING.email,
			`expected every contact but ${EXISTING.email} to be written, got ${stats.succeeded} written and ${failures.length} failed`,
		);
		expect(stats.splits > 0, 'expected the rejected batch to be split to isolate the bad record');
		const read = await readAllContacts(client, PAGE_SIZE);
		const emails = new Set(read.contacts.map((c) => c.email));
		const writtenEmails = written.results
			.filter((r) => r.ok)
			.map((r) => cell(contacts[r.index].email));
		const found = writtenEmails.filter((e) => emails.has(e)).length;
		const expectedTotal = seededRest + 1 + stats.succeeded;
		log(
			`   read back with paginate() + CursorPaginator: ${plural(read.pageSizes.length, 'page')} (${read.pageSizes.join(' + ')}) = ${read.contacts.length} contacts; ${found} of ${writtenEmails.length} written found`,
		);
		expect(
			read.contacts.length === expectedTotal,
			`expected ${expectedTotal} contacts, read ${read.contacts.length}`,
		);
		expect(
			found === writtenEmails.length,
			`${writtenEmails.length - found} written contacts were not read back`,
		);
		log(`   REST API calls: ${byKind(rest!.log.entries())}`);
		log(
			`   API calls per record written: ${written.calls.length} / ${stats.succeeded} = ${(written.calls.length / stats.succeeded).toFixed(2)} (one POST per record: ${contacts.length})`,
		);
		const b = budget.stats();
		log(
			`   rate budget: ${b.started} requests, held back ${Math.round(b.throttledMs)} ms to stay within ${BUDGET.maxRequests}/s`,
		);
		expect(
			rest!.log.count() === client.requestsSent,
			`the REST sandbox logged ${rest!.log.count()} requests, the client sent ${client.requestsSent}`,
		);

		// ---- 6. two-way sync (demo/sync.ts) -------------------------------------------------------------------
		await twoWaySync({ sf: sf!, hs: hs!, clock, credentials, workflows: WORKFLOWS });

		// ---- totals ------------------------------------------------------------------------------------------
		log();
		log('Request logs, whole demo (server.log.byKind()):');
		for (const [name, sim] of [
			['Salesforce', sf!],
			['HubSpot', hs!],
			['REST', rest!],
		] as const) {
			const kinds = Object.entries(sim.log.byKind())
				.map(([kind, n]) => `${kind} ${n}`)
				.join(' · ');
			say(
				`${name.padEnd(10)} ${String(sim.log.count()).padStart(3)}: ${kinds}`,
				'   ',
				' '.repeat(18),
			);
		}
		log();
		log(`Done in ${((performance.now() - started) / 1000).toFixed(1)} s.`);
	} finally {
		budget.dispose();
		transport.close();
		clearRateBudgets();
		await sandboxes.stop();
	}
}

main().then(
	() => process.exit(0),
	(error: unknown) => {
		const message =
			error instanceof DemoFailure
				? error.message
				: error instanceof Error
					? (error.stack ?? error.message)
					: String(error);
		console.error(`\nDemo FAILED: ${message}`);
		process.exit(1);
	},
);
