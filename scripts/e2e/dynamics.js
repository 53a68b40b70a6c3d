/**
 * Dynamics 365 in the e2e tier, against Dataverse simulators started in this process:
 * - Dynamics 365 Record → Create of 2,000 contacts: every one stored once, in two `$batch` requests (1,000 operations
 *   each), at most 5 HTTP requests in all besides the token (the table's metadata, then the batches);
 * - Dynamics 365 Record → Upsert by the alternate key `emailaddress1`, run twice: the first run creates, the second
 *   updates the same rows (no duplicates);
 * - CRM Sync HubSpot contacts ↔ Dynamics 365 contacts by e-mail, the default SQLite state store, run twice: a
 *   backfill, then a second run that writes nothing (no `$batch`, no HubSpot write request).
 * HTTP requests are counted as they reach the simulator (the parts inside a `$batch` are not requests on the wire).
 * The sync's HubSpot and Dataverse simulators share a ManualClock moved past the change feeds' lags before each run.
 */
const path = require('node:path');

const { root } = require('../lib/pack-install');
const { check, log, outputOf, seconds } = require('./util');
const { SYNC_CREDENTIALS, syncWorkflow } = require('./dynamicsSync');
const { PREFIX, workflow, hubspotCredential } = require('./workflow');

const CREATE_CONTACTS = 2000;
const CREATE_BATCHES = 2;
const MAX_CREATE_REQUESTS = 5;
const UPSERT_CONTACTS = 40;
const CREDENTIAL = { id: 'crmE2eDv', name: 'Dataverse simulator (e2e)' };

/** A `crmDynamicsClientCredentialsApi` credential pointing at a Dataverse simulator's contract. */
const dynamicsCredential = ({ id, name }, contract) => ({
	id,
	name,
	type: 'crmDynamicsClientCredentialsApi',
	data: {
		environmentUrl: contract.serverUrl,
		tenantId: contract.tenantId,
		clientId: contract.clientId,
		clientSecret: contract.clientSecret,
		tokenUrl: contract.tokenUrl,
		accessToken: '',
	},
});

/** The requests that reach a simulator over HTTP (not the parts of a `$batch`), as `{kind, status}`. */
function wireLog(sim, isInternalRequest) {
	const entries = [];
	sim.server.onResponse((req, reply) => {
		if (!isInternalRequest(req)) entries.push({ kind: req.kind, status: reply.status });
	});
	return {
		since: (mark) => entries.slice(mark),
		get mark() {
			return entries.length;
		},
	};
}

/** The Dataverse simulators (records: real clock; sync: with HubSpot on one ManualClock), credentials, workflows. */
async function startDynamics() {
	const { DynamicsSimulator, HubSpotSimulator } = require(path.join(root, 'dist', 'sandbox'));
	const { isInternalRequest } = require(path.join(root, 'dist', 'sandbox', 'dynamics'));
	const { ManualClock } = require(path.join(root, 'dist', 'sandbox', 'kit'));
	const dv = new DynamicsSimulator({ seed: 41, records: { accounts: 5, contacts: 20 } });
	const clock = new ManualClock(Date.UTC(2024, 8, 2, 8, 0, 0));
	const syncDv = new DynamicsSimulator({ clock, seed: 42, serviceProtection: false });
	const syncHs = new HubSpotSimulator({
		clock,
		seed: 43,
		rateLimits: false,
		searchIndexDelayMs: 2000,
		strictTimestamps: false,
	});
	const contracts = {
		dv: await dv.start(),
		syncDv: await syncDv.start(),
		syncHs: await syncHs.start(),
	};
	return {
		dv,
		wire: wireLog(dv, isInternalRequest),
		sync: { clock, dv: syncDv, hs: syncHs, wire: wireLog(syncDv, isInternalRequest) },
		credentials: [
			dynamicsCredential(CREDENTIAL, contracts.dv),
			dynamicsCredential(SYNC_CREDENTIALS.dv, contracts.syncDv),
			hubspotCredential(SYNC_CREDENTIALS.hs.id, SYNC_CREDENTIALS.hs.name, contracts.syncHs),
		],
		workflows: { create: createWorkflow(), upsert: upsertWorkflow(), sync: syncWorkflow() },
		async stop() {
			await dv.stop();
			await syncDv.stop();
			await syncHs.stop();
		},
	};
}

const n4 = (i) => String(i + 1).padStart(4, '0');
const createRows = Array.from({ length: CREATE_CONTACTS }, (_, i) => ({
	first: `Dv${n4(i)}`,
	last: `Contact ${n4(i)}`,
	email: `dv.create.${n4(i)}@crm-e2e.example`,
}));
const upsertRows = Array.from({ length: UPSERT_CONTACTS }, (_, i) => ({
	first: `Upsert${n4(i)}`,
	last: 'Dv',
	email: `dv.upsert.${n4(i)}@crm-e2e.example`,
}));

/** Split rows → Dynamics 365 Record (`operation` on contacts, `value` mapped below) → Done / Rejected. */
const recordWorkflow = (id, name, rows, operation, value, matchingColumns) =>
	workflow(
		id,
		name,
		rows,
		{
			name: 'Dynamics 365',
			type: `${PREFIX}.dynamics365`,
			typeVersion: 1,
			parameters: {
				authentication: 'clientCredentials',
				resource: 'record',
				operation,
				table: 'contacts',
				fields: { mappingMode: 'defineBelow', value, matchingColumns, schema: [] },
			},
			credentials: { crmDynamicsClientCredentialsApi: CREDENTIAL },
		},
		['Done', 'Rejected'],
	);

const createWorkflow = () =>
	recordWorkflow(
		'crmE2eDvCreate',
		'e2e: Dynamics 365 create contacts',
		createRows,
		'create',
		{
			firstname: '={{ $json.first }}',
			lastname: '={{ $json.last }}',
			emailaddress1: '={{ $json.email }}',
		},
		[],
	);

// The last name carries the execution id, so the second run visibly updates the rows the first created.
const upsertWorkflow = () =>
	recordWorkflow(
		'crmE2eDvUpsert',
		'e2e: Dynamics 365 upsert contacts by alternate key',
		upsertRows,
		'upsert',
		{
			emailaddress1: '={{ $json.email }}',
			firstname: '={{ $json.first }}',
			lastname: '={{ $json.last }} #{{ $execution.id }}',
		},
		['emailaddress1'],
	);

/** `kind count · …` of a list of requests. */
const tally = (requests) =>
	[...new Set(requests.map((e) => e.kind))]
		.map((k) => `${k} ${requests.filter((e) => e.kind === k).length}`)
		.join(' · ');

/** Contacts stored per e-mail (lower case) in a Dataverse simulator. */
function byEmail(sim) {
	const out = new Map();
	for (const r of sim.collection('contact').list()) {
		const email = String(r.fields.emailaddress1 ?? '').toLowerCase();
		out.set(email, [...(out.get(email) ?? []), r]);
	}
	return out;
}

/** Runs a record workflow; its outputs and the requests the simulator answered meanwhile (token apart). */
async function recordRun(execute, wf, started, label) {
	const mark = started.wire.mark;
	const result = await execute(wf, label);
	const all = started.wire.since(mark);
	return {
		done: outputOf(result.data, 'Dynamics 365', 0),
		rejected: outputOf(result.data, 'Dynamics 365', 1),
		requests: all.filter((e) => e.kind !== 'token'),
		tokens: all.length - all.filter((e) => e.kind !== 'token').length,
		ms: result.ms,
	};
}

/** Dynamics 365 Record → Create: every contact stored once, in two `$batch` requests. */
async function checkDynamicsCreate(execute, started) {
	log(
		`9. Dynamics 365 Record → Create: ${CREATE_CONTACTS} contacts (${CREATE_BATCHES} $batch of 1,000, at most ${MAX_CREATE_REQUESTS} requests)`,
	);
	const before = started.dv.collection('contact').count();
	const r = await recordRun(execute, started.workflows.create, started, 'Dynamics 365 create');
	const stored = byEmail(started.dv);
	const batches = r.requests.filter((e) => e.kind === 'batch');
	log(
		`   ${r.done.length} created, ${r.rejected.length} rejected; simulator contacts ${before} → ${started.dv.collection('contact').count()}; ` +
			`${r.requests.length} requests (${tally(r.requests)}) + ${r.tokens} token (${seconds(r.ms)})`,
	);
	check(
		r.rejected.length === 0,
		`Dynamics rejected ${r.rejected.length}: ${JSON.stringify(r.rejected[0])}`,
	);
	check(
		r.done.length === CREATE_CONTACTS,
		`expected ${CREATE_CONTACTS} items, got ${r.done.length}`,
	);
	check(
		started.dv.collection('contact').count() === before + CREATE_CONTACTS,
		`the simulator holds ${started.dv.collection('contact').count() - before} new contacts, expected ${CREATE_CONTACTS}`,
	);
	const once = createRows.filter((c) => stored.get(c.email)?.length === 1);
	check(
		once.length === CREATE_CONTACTS,
		`${CREATE_CONTACTS - once.length} contacts not stored exactly once`,
	);
	check(
		r.done.every((item, i) => item.id === stored.get(createRows[i].email)[0].id),
		'the output ids are not the stored rows of their items',
	);
	check(
		batches.length === CREATE_BATCHES && batches.every((e) => e.status === 200),
		`expected ${CREATE_BATCHES} $batch requests answered 200, got ${JSON.stringify(batches)}`,
	);
	check(
		r.requests.length <= MAX_CREATE_REQUESTS,
		`${r.requests.length} requests for the create, expected at most ${MAX_CREATE_REQUESTS}`,
	);
}

/** Dynamics 365 Record → Upsert by alternate key, twice: created, then the same rows updated. */
async function checkDynamicsUpsert(execute, started) {
	log(
		`10. Dynamics 365 Record → Upsert by alternate key emailaddress1: ${UPSERT_CONTACTS} contacts, run twice`,
	);
	const table = started.dv.collection('contact');
	const runs = [];
	for (const pass of [1, 2]) {
		const r = await recordRun(
			execute,
			started.workflows.upsert,
			started,
			`Dynamics 365 upsert #${pass}`,
		);
		const stored = byEmail(started.dv);
		const rows = upsertRows.map((c) => stored.get(c.email) ?? []);
		const lastnames = new Set(rows.map((x) => x[0]?.fields.lastname));
		const created = r.done.filter((item) => item.created === true).length;
		log(
			`   run ${pass}: ${r.done.length} upserted (${created} created), ${r.rejected.length} rejected; simulator contacts ${table.count()}; ` +
				`last name "${[...lastnames].join('", "')}"; ${r.requests.length} requests (${tally(r.requests)}) (${seconds(r.ms)})`,
		);
		check(r.rejected.length === 0, `run ${pass}: rejected ${JSON.stringify(r.rejected[0])}`);
		check(
			r.done.length === UPSERT_CONTACTS,
			`run ${pass}: ${r.done.length} items, expected ${UPSERT_CONTACTS}`,
		);
		check(
			rows.every((x) => x.length === 1),
			`run ${pass}: a contact is missing or stored twice`,
		);
		check(
			created === (pass === 1 ? UPSERT_CONTACTS : 0),
			`run ${pass}: ${created} items say created, expected ${pass === 1 ? UPSERT_CONTACTS : 0}`,
		);
		check(
			lastnames.size === 1 && /^Dv #\d+$/.test([...lastnames][0]),
			`run ${pass}: expected one "Dv #<execution id>" last name, got ${[...lastnames].join(', ')}`,
		);
		check(
			r.done.every((item, i) => item.id === rows[i][0].id),
			`run ${pass}: the output ids are not the stored rows`,
		);
		runs.push({
			count: table.count(),
			lastname: [...lastnames][0],
			ids: r.done.map((i) => i.id).join(),
		});
	}
	check(
		runs[1].count === runs[0].count,
		`the second run added rows: ${runs[0].count} → ${runs[1].count}`,
	);
	check(runs[1].lastname !== runs[0].lastname, 'the second run did not update the rows');
	check(runs[1].ids === runs[0].ids, 'the second run returned other ids than the first');
}

module.exports = { startDynamics, checkDynamicsCreate, checkDynamicsUpsert, dynamicsCredential };
