/**
 * The CRM Sync workflow of the e2e tier: Manual Trigger → CRM Sync (Salesforce Contact ↔ HubSpot contacts, matched
 * by e-mail, five field pairs, conflicts to review, the default SQLite state store), run twice by `n8n execute` —
 * two n8n processes, so whatever the second run knows of the first is in the SQLite file under the n8n user folder.
 *
 * Its own Salesforce and HubSpot simulators, empty and on one ManualClock: the change feeds hold back changes
 * younger than their safety lags (Salesforce 60 s, HubSpot 30 s, by the CRM's clock), which the node does not
 * expose, so the script moves the simulators' clock past them before each run (as test/workflows/sync does)
 * instead of waiting. HubSpot's rate limits are off: its windows would not roll on a clock that stands still.
 *
 * 1. Backfill: contacts on Salesforce only, on HubSpot only and on both (HubSpot's e-mail in upper case) →
 *    one-sided ones created on the other side, overlaps linked by e-mail, nothing to review, nothing failed;
 *    each simulator holds exactly every contact once; the links are in the SQLite file.
 * 2. Edits on both sides made in the simulators, then a second run: the edits crossed over, no create, no backfill
 *    (the state came from the file), the same links.
 * 3. A third run with nothing changed: no write request on either side, contacts and links unchanged.
 * Checked: the Report's counts, the Conflicts and Failed outputs, the simulators' contents and request logs (the
 * Report's API calls per side are the requests each simulator answered), the SQLite file's links.
 */
const fs = require('node:fs');
const path = require('node:path');

const { root } = require('../lib/pack-install');
const { check, log, outputOf, seconds } = require('./util');
const { PREFIX, triggered, salesforceCredential, hubspotCredential } = require('./workflow');

const WORKFLOW_ID = 'crmE2eCrmSync';
const SYNC = 'CRM Sync';
/** The sync ID the node derives when none is set: `<workflow id>-<node id>`. */
const SYNC_ID = `${WORKFLOW_ID}-${WORKFLOW_ID}-node`;
/** Past both change-feed safety lags (and HubSpot's search index), on the simulators' clock. */
const PAST_LAG_MS = 10 * 60_000;
/** Contacts seeded: on Salesforce only, on HubSpot only, on both. */
const SF_ONLY = 4;
const HS_ONLY = 3;
const BOTH = 3;

/** The mapped fields, by HubSpot's name, and Salesforce's name of each. */
const SF_NAMES = {
	email: 'Email',
	firstname: 'FirstName',
	lastname: 'LastName',
	jobtitle: 'Title',
	phone: 'Phone',
};
const FIELDS = Object.keys(SF_NAMES);

const SF_WRITES =
	/^(sobject\.(create|update|upsert|delete)|collections\.(create|update|delete|upsert)|bulk\.ingest|composite)/;
const HS_WRITES = /^(create|update|archive|delete|batch\.(create|update|upsert|archive))$/;
const CREATES = /(^|\.)create$/;

const person = (prefix, i) => ({
	email: `${prefix}.${i}@crm-sync-e2e.example`,
	firstname: `First ${prefix} ${i}`,
	lastname: `Last ${prefix} ${i}`,
	jobtitle: `Title ${prefix} ${i}`,
	phone: `+1 555 0${String(i).padStart(3, '0')}`,
});
const toSalesforce = (values) =>
	Object.fromEntries(Object.entries(values).map(([k, v]) => [SF_NAMES[k], v]));
const text = (v) => (v === undefined || v === null || v === '' ? null : String(v));
/** A stored record in the common shape (HubSpot's names; e-mails lower-case, as both CRMs ignore their case). */
function common(side, fields) {
	const out = Object.fromEntries(
		FIELDS.map((f) => [f, text(side === 'a' ? fields[SF_NAMES[f]] : fields[f])]),
	);
	out.email = out.email?.toLowerCase() ?? null;
	return out;
}

/** Starts the sync's own Salesforce and HubSpot simulators (empty, one ManualClock). */
async function startSyncSimulators() {
	const { SalesforceSimulator, HubSpotSimulator } = require(path.join(root, 'dist', 'sandbox'));
	const { ManualClock } = require(path.join(root, 'dist', 'sandbox', 'kit'));
	const clock = new ManualClock(Date.UTC(2024, 6, 1, 8, 0, 0));
	const sf = new SalesforceSimulator({ clock, seed: 31 });
	const hs = new HubSpotSimulator({
		clock,
		seed: 32,
		rateLimits: false,
		searchIndexDelayMs: 2000,
		strictTimestamps: false,
	});
	const contracts = { salesforce: await sf.start(), hubspot: await hs.start() };
	return {
		clock,
		sf,
		hs,
		contracts,
		async stop() {
			await sf.stop();
			await hs.stop();
		},
	};
}

function syncCredentials({ contracts }) {
	return [
		salesforceCredential('crmE2eSyncSf', 'Salesforce sync simulator (e2e)', contracts.salesforce),
		hubspotCredential('crmE2eSyncHs', 'HubSpot sync simulator (e2e)', contracts.hubspot),
	];
}

function syncWorkflow() {
	return triggered(WORKFLOW_ID, 'e2e: CRM Sync Salesforce ↔ HubSpot contacts', {
		name: SYNC,
		type: `${PREFIX}.crmSync`,
		typeVersion: 1,
		parameters: {
			systemA: 'salesforce',
			systemB: 'hubspot',
			salesforceAuthentication: 'password',
			hubspotAuthentication: 'privateApp',
			objectA: 'Contact',
			objectB: 'contacts',
			matchKeys: { keys: [{ fieldA: 'Email', fieldB: 'email', normalize: 'email' }] },
			fieldMappings: {
				mappings: FIELDS.map((f) => ({ fieldA: SF_NAMES[f], fieldB: f })),
			},
			// Review: a field differing on both sides would come out on Conflicts, where nothing is expected.
			conflictStrategy: 'review',
			// stateStore and sqliteFile left at their defaults: SQLite, <N8N_USER_FOLDER>/.n8n/crm-connectors-sync.sqlite.
		},
		credentials: {
			crmSalesforcePasswordApi: { id: 'crmE2eSyncSf', name: 'Salesforce sync simulator (e2e)' },
			crmHubSpotPrivateAppApi: { id: 'crmE2eSyncHs', name: 'HubSpot sync simulator (e2e)' },
		},
	});
}

/** What each side holds, by e-mail (every e-mail must be there once). */
function holdings(sims) {
	const of = (side, records) => {
		const out = new Map();
		for (const r of records) {
			const values = common(side, r.fields);
			check(
				!out.has(values.email),
				`${side === 'a' ? 'Salesforce' : 'HubSpot'} holds ${values.email} twice`,
			);
			out.set(values.email, { id: r.id, values });
		}
		return out;
	};
	return {
		a: of('a', sims.sf.table('Contact').collection.list()),
		b: of('b', sims.hs.collection('contacts').list()),
	};
}

/** Each side holds exactly the expected contacts (e-mail → values), each e-mail once. */
function checkHoldings(sims, expected, when) {
	const held = holdings(sims);
	for (const [side, name] of [
		['a', 'Salesforce'],
		['b', 'HubSpot'],
	]) {
		const got = held[side];
		const missing = [...expected.keys()].filter((e) => !got.has(e));
		const extra = [...got.keys()].filter((e) => !expected.has(e));
		check(
			!missing.length && !extra.length,
			`${when}: ${name} holds ${got.size} contacts, expected ${expected.size}` +
				`${missing.length ? `; missing ${missing.join(', ')}` : ''}${extra.length ? `; unexpected ${extra.join(', ')}` : ''}`,
		);
		for (const [email, values] of expected) {
			const stored = got.get(email).values;
			check(
				JSON.stringify(stored) === JSON.stringify(values),
				`${when}: ${name}'s ${email} differs:\n  got      ${JSON.stringify(stored)}\n  expected ${JSON.stringify(values)}`,
			);
		}
	}
	return held;
}

/** The linked pairs of the sync in the SQLite file (`a_id|b_id`, sorted), read after n8n has exited. */
function linksInFile(file) {
	const { DatabaseSync } = require('node:sqlite');
	const db = new DatabaseSync(file, { readOnly: true });
	try {
		const rows = db
			.prepare('SELECT a_id, b_id, status FROM links WHERE sync_id = ? ORDER BY a_id')
			.all(SYNC_ID);
		const syncs = db.prepare('SELECT sync_id FROM meta').all();
		return { rows, syncs: syncs.map((r) => r.sync_id) };
	} finally {
		db.close();
	}
}

/** The links in the file are the pairs of equal e-mails the simulators hold, all linked, for this sync only. */
function checkLinks(file, held, when) {
	check(fs.existsSync(file), `${when}: no sync state file at ${file}`);
	const { rows, syncs } = linksInFile(file);
	check(
		syncs.length === 1 && syncs[0] === SYNC_ID,
		`${when}: expected the state of one sync "${SYNC_ID}" in ${file}, found ${JSON.stringify(syncs)}`,
	);
	const pairs = [...held.a.entries()].map(([email, a]) => `${a.id}|${held.b.get(email)?.id}`);
	const stored = rows.map((r) => `${r.a_id}|${r.b_id}`);
	check(
		rows.every((r) => r.status === 'linked') &&
			JSON.stringify(stored.sort()) === JSON.stringify(pairs.sort()),
		`${when}: the links in ${path.basename(file)} are not the contacts' pairs by e-mail:\n  file   ${JSON.stringify(rows)}\n  stores ${JSON.stringify(pairs)}`,
	);
	return rows.length;
}

/** Runs the sync once and gathers what n8n returned and what the simulators were asked. */
async function syncRun(execute, wf, sims, label) {
	sims.clock.advance(PAST_LAG_MS);
	const marks = { sf: sims.sf.log.last()?.seq ?? 0, hs: sims.hs.log.last()?.seq ?? 0 };
	const result = await execute(wf, label);
	const requests = {
		sf: sims.sf.log.entries().filter((e) => e.seq > marks.sf && e.kind !== 'token'),
		hs: sims.hs.log.entries().filter((e) => e.seq > marks.hs),
	};
	const reports = outputOf(result.data, SYNC, 0);
	check(reports.length === 1, `${label}: expected one Report item, got ${reports.length}`);
	const report = reports[0];
	const conflicts = outputOf(result.data, SYNC, 1);
	const failed = outputOf(result.data, SYNC, 2);
	const writes = {
		sf: requests.sf.filter((e) => SF_WRITES.test(e.kind ?? '')).map((e) => e.kind),
		hs: requests.hs.filter((e) => HS_WRITES.test(e.kind ?? '')).map((e) => e.kind),
	};
	const c = report.counts ?? {};
	log(
		`   ${label}: created ${c.created?.a}/${c.created?.b}, updated ${c.updated?.a}/${c.updated?.b} (Salesforce/HubSpot), ` +
			`linked by e-mail ${c.linkedByMatch}, ${conflicts.length} conflicts, ${failed.length} failed; ` +
			`API calls ${requests.sf.length}/${requests.hs.length}, writes [${writes.sf.join(', ')}] / [${writes.hs.join(', ')}] (${seconds(result.ms)})`,
	);
	check(
		failed.length === 0 && c.failed === 0,
		`${label}: ${failed.length} records on the Failed output, e.g. ${JSON.stringify(failed[0])}`,
	);
	check(
		conflicts.length === 0 && c.conflicts === 0,
		`${label}: ${conflicts.length} conflicts on the Conflicts output, e.g. ${JSON.stringify(conflicts[0])}`,
	);
	check(
		report.apiCalls?.a === requests.sf.length && report.apiCalls?.b === requests.hs.length,
		`${label}: the Report counts ${JSON.stringify(report.apiCalls)} API calls, the simulators answered ` +
			`${requests.sf.length} (Salesforce, token requests apart) and ${requests.hs.length} (HubSpot)`,
	);
	return { report, counts: c, writes };
}

const same = (x, y) => JSON.stringify(x) === JSON.stringify(y);

/** CRM Sync, backfill then edits on both sides, each run a separate `n8n execute`. */
async function checkCrmSync(execute, wf, sims, userFolder) {
	log(
		`7. CRM Sync Salesforce Contact ↔ HubSpot contacts by e-mail, default SQLite store, two \`n8n execute\` runs`,
	);
	const stateFile = path.join(userFolder, '.n8n', 'crm-connectors-sync.sqlite');
	check(!fs.existsSync(stateFile), `${stateFile} exists before the first sync`);
	const expected = new Map();
	for (let i = 1; i <= SF_ONLY; i++) {
		const p = person('sf-only', i);
		sims.sf.table('Contact').insert(toSalesforce(p));
		expected.set(p.email, p);
	}
	for (let i = 1; i <= HS_ONLY; i++) {
		const p = person('hs-only', i);
		sims.hs.insertDirect('contacts', p);
		expected.set(p.email, p);
	}
	for (let i = 1; i <= BOTH; i++) {
		const p = person('both', i);
		sims.sf.table('Contact').insert(toSalesforce(p));
		// HubSpot holds the e-mail in upper case: matched all the same (e-mail key), and no conflict.
		sims.hs.insertDirect('contacts', { ...p, email: p.email.toUpperCase() });
		expected.set(p.email, p);
	}
	log(
		`   seeded: ${SF_ONLY} contacts on Salesforce only, ${HS_ONLY} on HubSpot only, ${BOTH} on both`,
	);

	// ---- run 1: backfill ----------------------------------------------------------------------------
	const first = await syncRun(execute, wf, sims, 'CRM Sync #1 (backfill)');
	check(
		same(first.report.backfill, { a: true, b: true }),
		`run 1: expected a backfill of both sides, the Report says ${JSON.stringify(first.report.backfill)}`,
	);
	check(
		same(first.counts.created, { a: HS_ONLY, b: SF_ONLY }) &&
			first.counts.linkedByMatch === BOTH &&
			same(first.counts.updated, { a: 0, b: 0 }),
		`run 1: expected ${HS_ONLY} created on Salesforce, ${SF_ONLY} on HubSpot, ${BOTH} linked by e-mail, none updated; ` +
			`the Report counts ${JSON.stringify(first.counts)}`,
	);
	check(
		first.writes.sf.length > 0 &&
			first.writes.hs.length > 0 &&
			[...first.writes.sf, ...first.writes.hs].every((k) => CREATES.test(k)),
		`run 1: expected only create requests on both sides, got ${JSON.stringify(first.writes)}`,
	);
	const afterFirst = checkHoldings(sims, expected, 'after run 1');
	const links = checkLinks(stateFile, afterFirst, 'after run 1');
	check(
		links === expected.size,
		`after run 1: ${links} links in the file, expected ${expected.size}`,
	);
	log(
		`   each simulator holds the ${expected.size} contacts once; ${links} links in ${path.relative(userFolder, stateFile)} (${fs.statSync(stateFile).size} bytes)`,
	);

	// ---- edits on both sides, then run 2 ----------------------------------------------------------------
	sims.clock.advance(60_000);
	const edits = [
		['a', 'both.1', { jobtitle: 'Edited on Salesforce' }], // a pair matched by e-mail
		['a', 'hs-only.2', { lastname: 'Edited on Salesforce' }], // created in Salesforce by run 1
		['b', 'both.2', { phone: '+1 555 0999' }],
		['b', 'sf-only.3', { firstname: 'Edited on HubSpot' }], // created in HubSpot by run 1
	];
	for (const [side, who, values] of edits) {
		const email = `${who}@crm-sync-e2e.example`;
		const id = afterFirst[side].get(email).id;
		if (side === 'a') sims.sf.table('Contact').patch(id, toSalesforce(values));
		else sims.hs.updateDirect('contacts', id, values);
		expected.set(email, { ...expected.get(email), ...values });
	}
	log(`   edited in the simulators: 2 contacts on Salesforce, 2 on HubSpot`);
	const second = await syncRun(execute, wf, sims, 'CRM Sync #2 (edits)');
	check(
		same(second.report.backfill, { a: false, b: false }) && second.counts.linkedByMatch === 0,
		`run 2: the state of run 1 was not found (backfill ${JSON.stringify(second.report.backfill)}, ` +
			`${second.counts.linkedByMatch} linked by e-mail again)`,
	);
	check(
		same(second.counts.created, { a: 0, b: 0 }) && same(second.counts.updated, { a: 2, b: 2 }),
		`run 2: expected no creates and 2 updates per side, the Report counts ${JSON.stringify(second.counts)}`,
	);
	check(
		[...second.writes.sf, ...second.writes.hs].every((k) => !CREATES.test(k)) &&
			second.writes.sf.length > 0 &&
			second.writes.hs.length > 0,
		`run 2: expected update requests and no create on both sides, got ${JSON.stringify(second.writes)}`,
	);
	const afterSecond = checkHoldings(sims, expected, 'after run 2');
	const linksAfter = checkLinks(stateFile, afterSecond, 'after run 2');
	check(
		linksAfter === links,
		`after run 2: ${linksAfter} links in the file, expected still ${links}`,
	);
	log(`   the edits crossed over; each simulator still holds the ${expected.size} contacts once`);

	// ---- run 3: nothing changed since run 2 -----------------------------------------------------------------
	const third = await syncRun(execute, wf, sims, 'CRM Sync #3 (no edits)');
	check(
		third.writes.sf.length === 0 &&
			third.writes.hs.length === 0 &&
			same(third.counts.created, { a: 0, b: 0 }) &&
			same(third.counts.updated, { a: 0, b: 0 }),
		`run 3: nothing changed, yet it wrote ${JSON.stringify(third.writes)} (the Report counts ${JSON.stringify(third.counts)})`,
	);
	const afterThird = checkHoldings(sims, expected, 'after run 3');
	check(
		checkLinks(stateFile, afterThird, 'after run 3') === links,
		`after run 3: the links in the file changed`,
	);
	log(`   run 3 (nothing changed) wrote nothing; contacts and links unchanged`);
}

module.exports = {
	startSyncSimulators,
	syncCredentials,
	syncWorkflow,
	checkCrmSync,
	// Shared with examples.js.
	checkHoldings,
	toSalesforce,
	SF_WRITES,
	HS_WRITES,
};
