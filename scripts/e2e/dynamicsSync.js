/**
 * CRM Sync Dynamics 365 contacts (A) ↔ HubSpot contacts (B) in the e2e tier: matched by e-mail, five field pairs,
 * conflicts to review, the default SQLite state store (its own Sync ID in the n8n user folder's file), run twice by
 * `n8n execute` over simulators on one ManualClock (moved past both change feeds' lags before each run, see sync.js).
 *
 * 1. Backfill: contacts on Dynamics only, on HubSpot only and on both (HubSpot's e-mail in upper case) → one-sided ones
 *    created on the other side, overlaps linked by e-mail; each simulator holds every contact once; links in the file.
 * 2. No edits, a second run: nothing written at all (no `$batch` to Dataverse, no HubSpot write request), no backfill.
 * Checked: the Report's counts and API calls per side (the requests each simulator answered over HTTP), the Conflicts
 * and Failed outputs, the simulators' contents and request logs, the SQLite file's links.
 */
const fs = require('node:fs');
const path = require('node:path');

const { HS_WRITES } = require('./sync');
const { check, log, outputOf, seconds } = require('./util');
const { PREFIX, triggered } = require('./workflow');

const WORKFLOW_ID = 'crmE2eDvSync';
const SYNC = 'CRM Sync';
/** The sync ID the node derives when none is set: `<workflow id>-<node id>`. */
const SYNC_ID = `${WORKFLOW_ID}-${WORKFLOW_ID}-node`;
/** Past both change-feed lags (Dataverse 60 s, HubSpot 30 s and its search index), on the simulators' clock. */
const PAST_LAG_MS = 10 * 60_000;
const SEED = { hsOnly: 3, dvOnly: 4, both: 3 };
const SYNC_CREDENTIALS = {
	dv: { id: 'crmE2eDvSyncDv', name: 'Dataverse sync simulator (e2e)' },
	hs: { id: 'crmE2eDvSyncHs', name: 'HubSpot sync simulator (e2e)' },
};
/** HubSpot's field → Dataverse's. */
const DV_NAMES = {
	email: 'emailaddress1',
	firstname: 'firstname',
	lastname: 'lastname',
	jobtitle: 'jobtitle',
	phone: 'telephone1',
};
const FIELDS = Object.keys(DV_NAMES);

const person = (prefix, i) => ({
	email: `${prefix}.${i}@crm-dv-sync-e2e.example`,
	firstname: `First ${prefix} ${i}`,
	lastname: `Last ${prefix} ${i}`,
	jobtitle: `Title ${prefix} ${i}`,
	phone: `+1 555 2${String(i).padStart(3, '0')}`,
});
const toDynamics = (values) =>
	Object.fromEntries(Object.entries(values).map(([k, v]) => [DV_NAMES[k], v]));
const text = (v) => (v === undefined || v === null || v === '' ? null : String(v));
/** A stored record in HubSpot's names, e-mail in lower case. */
function common(fields, names) {
	const out = Object.fromEntries(FIELDS.map((f) => [f, text(fields[names[f]])]));
	out.email = out.email?.toLowerCase() ?? null;
	return out;
}
const same = (x, y) => JSON.stringify(x) === JSON.stringify(y);

function syncWorkflow() {
	return triggered(WORKFLOW_ID, 'e2e: CRM Sync Dynamics 365 ↔ HubSpot contacts', {
		name: SYNC,
		type: `${PREFIX}.crmSync`,
		typeVersion: 1,
		parameters: {
			systemA: 'dynamics',
			systemB: 'hubspot',
			hubspotAuthentication: 'privateApp',
			dynamicsAuthentication: 'clientCredentials',
			objectA: 'contacts',
			objectB: 'contacts',
			matchKeys: { keys: [{ fieldA: 'emailaddress1', fieldB: 'email', normalize: 'email' }] },
			fieldMappings: { mappings: FIELDS.map((f) => ({ fieldA: DV_NAMES[f], fieldB: f })) },
			// Review: a field differing on both sides would come out on Conflicts, where nothing is expected.
			conflictStrategy: 'review',
		},
		credentials: {
			crmHubSpotPrivateAppApi: SYNC_CREDENTIALS.hs,
			crmDynamicsClientCredentialsApi: SYNC_CREDENTIALS.dv,
		},
	});
}

/** Each side holds exactly the expected contacts, each e-mail once; returns e-mail → id per side. */
function checkHoldings(sims, expected, when) {
	const sides = [
		[
			'HubSpot',
			sims.hs.collection('contacts').list(),
			Object.fromEntries(FIELDS.map((f) => [f, f])),
		],
		['Dynamics', sims.dv.collection('contact').list(), DV_NAMES],
	];
	return sides.map(([name, records, names]) => {
		const ids = new Map();
		for (const r of records) {
			const values = common(r.fields, names);
			check(!ids.has(values.email), `${when}: ${name} holds ${values.email} twice`);
			ids.set(values.email, r.id);
			check(
				same(values, expected.get(values.email)),
				`${when}: ${name}'s ${values.email} is ${JSON.stringify(values)}, expected ${JSON.stringify(expected.get(values.email))}`,
			);
		}
		check(
			ids.size === expected.size,
			`${when}: ${name} holds ${ids.size} contacts, expected ${expected.size}`,
		);
		return ids;
	});
}

/** The sync's links in the SQLite file are the pairs of equal e-mails, all linked. */
function checkLinks(file, [hsIds, dvIds], when) {
	check(fs.existsSync(file), `${when}: no sync state file at ${file}`);
	const { DatabaseSync } = require('node:sqlite');
	const db = new DatabaseSync(file, { readOnly: true });
	let rows;
	try {
		rows = db.prepare('SELECT a_id, b_id, status FROM links WHERE sync_id = ?').all(SYNC_ID);
	} finally {
		db.close();
	}
	const pairs = [...dvIds].map(([email, id]) => `${id}|${hsIds.get(email)}`).sort();
	const stored = rows.map((r) => `${r.a_id}|${r.b_id}`).sort();
	check(
		rows.every((r) => r.status === 'linked') && same(stored, pairs),
		`${when}: the links of ${SYNC_ID} in ${path.basename(file)} are not the pairs by e-mail:\n  file   ${JSON.stringify(rows)}\n  stores ${JSON.stringify(pairs)}`,
	);
	return rows.length;
}

/** Runs the sync once: the Report, the outputs, and what each simulator was asked over HTTP. */
async function syncRun(execute, wf, sims, label) {
	sims.clock.advance(PAST_LAG_MS);
	const marks = { hs: sims.hs.log.last()?.seq ?? 0, dv: sims.wire.mark };
	const result = await execute(wf, label);
	const hs = sims.hs.log.entries().filter((e) => e.seq > marks.hs);
	const dv = sims.wire.since(marks.dv).filter((e) => e.kind !== 'token');
	const reports = outputOf(result.data, SYNC, 0);
	check(reports.length === 1, `${label}: expected one Report item, got ${reports.length}`);
	const report = reports[0];
	const conflicts = outputOf(result.data, SYNC, 1);
	const failed = outputOf(result.data, SYNC, 2);
	const writes = {
		hs: hs.filter((e) => HS_WRITES.test(e.kind ?? '')).map((e) => e.kind),
		dv: dv.filter((e) => e.kind === 'batch').length,
	};
	const c = report.counts ?? {};
	log(
		`   ${label}: created ${c.created?.a}/${c.created?.b}, updated ${c.updated?.a}/${c.updated?.b} (Dynamics/HubSpot), ` +
			`linked by e-mail ${c.linkedByMatch}, ${conflicts.length} conflicts, ${failed.length} failed; API calls ${dv.length}/${hs.length}, ` +
			`writes ${writes.dv} $batch / [${writes.hs.join(', ')}] (${seconds(result.ms)})`,
	);
	check(
		failed.length === 0 && c.failed === 0,
		`${label}: ${failed.length} failed, e.g. ${JSON.stringify(failed[0])}`,
	);
	check(
		conflicts.length === 0 && c.conflicts === 0,
		`${label}: ${conflicts.length} conflicts, e.g. ${JSON.stringify(conflicts[0])}`,
	);
	check(
		report.apiCalls?.a === dv.length && report.apiCalls?.b === hs.length,
		`${label}: the Report counts ${JSON.stringify(report.apiCalls)} API calls, the simulators answered ${dv.length} (Dataverse, token requests apart) and ${hs.length} (HubSpot)`,
	);
	return { report, counts: c, writes };
}

/** CRM Sync Dynamics 365 ↔ HubSpot: a backfill, then a second run writing nothing. */
async function checkDynamicsSync(execute, wf, sims, userFolder) {
	log('11. CRM Sync Dynamics 365 contacts ↔ HubSpot contacts by e-mail, two `n8n execute` runs');
	const stateFile = path.join(userFolder, '.n8n', 'crm-connectors-sync.sqlite');
	const expected = new Map();
	const add = (p) => expected.set(p.email, p);
	for (let i = 1; i <= SEED.dvOnly; i++) add(person('dv-only', i));
	for (let i = 1; i <= SEED.hsOnly; i++) add(person('hs-only', i));
	for (let i = 1; i <= SEED.both; i++) add(person('both', i));
	for (const p of expected.values()) {
		if (!p.email.startsWith('dv-only'))
			sims.hs.insertDirect('contacts', {
				...p,
				email: p.email.startsWith('both') ? p.email.toUpperCase() : p.email,
			});
		if (!p.email.startsWith('hs-only')) sims.dv.createDirect('contact', toDynamics(p));
	}
	log(
		`   seeded: ${SEED.dvOnly} contacts on Dynamics only, ${SEED.hsOnly} on HubSpot only, ${SEED.both} on both`,
	);

	const first = await syncRun(execute, wf, sims, 'CRM Sync Dynamics ↔ HubSpot #1 (backfill)');
	check(
		same(first.report.backfill, { a: true, b: true }) &&
			same(first.counts.created, { a: SEED.hsOnly, b: SEED.dvOnly }) &&
			same(first.counts.updated, { a: 0, b: 0 }) &&
			first.counts.linkedByMatch === SEED.both,
		`run 1: expected a backfill creating ${SEED.hsOnly} on Dynamics and ${SEED.dvOnly} on HubSpot, ${SEED.both} linked; ` +
			`the Report says backfill ${JSON.stringify(first.report.backfill)}, counts ${JSON.stringify(first.counts)}`,
	);
	check(
		first.writes.dv > 0 && first.writes.hs.length > 0,
		`run 1: expected writes on both sides, got ${JSON.stringify(first.writes)}`,
	);
	const held = checkHoldings(sims, expected, 'after run 1');
	const links = checkLinks(stateFile, held, 'after run 1');
	check(
		links === expected.size,
		`after run 1: ${links} links in the file, expected ${expected.size}`,
	);
	log(
		`   each simulator holds the ${expected.size} contacts once; ${links} links in the state file`,
	);

	const second = await syncRun(execute, wf, sims, 'CRM Sync Dynamics ↔ HubSpot #2 (no edits)');
	check(
		same(second.report.backfill, { a: false, b: false }) &&
			same(second.counts.created, { a: 0, b: 0 }) &&
			same(second.counts.updated, { a: 0, b: 0 }),
		`run 2: expected no backfill, no create, no update; the Report says backfill ${JSON.stringify(second.report.backfill)}, counts ${JSON.stringify(second.counts)}`,
	);
	check(
		second.writes.dv === 0 && second.writes.hs.length === 0,
		`run 2: expected no write request, got ${JSON.stringify(second.writes)}`,
	);
	checkLinks(stateFile, checkHoldings(sims, expected, 'after run 2'), 'after run 2');
	log('   the second run wrote nothing; the contacts and links are unchanged');
}

module.exports = { SYNC_CREDENTIALS, syncWorkflow, checkDynamicsSync };
