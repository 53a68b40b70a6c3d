/**
 * Queue mode, scenario a: bulk workflows at once against the same simulator accounts, run by two workers.
 * 4 × HubSpot Record → Upsert of HUBSPOT_CONTACTS distinct contacts (HubSpot's real 190 requests / 10 s rolling
 * limit on) spread over both workers, 2 × Salesforce Record → Create, 1 × Dynamics 365 Record → Create, triggered
 * together through the main's webhooks. Sized so budgets kept per process would go over HubSpot's limit:
 * 4 × 100 batch calls, 200 from each process, each allowing itself 190 per 10 s (n8n spends most of an
 * execution on its items; the node sends its batches at the end, in a burst).
 * Checked: every execution answered with all its items and none rejected; each simulator holds every record
 * exactly once; per CRM the peak requests in any window against its limit, the 429s answered (per sending
 * process, attributed on the wire: `attribution.js`), Salesforce's peak requests in flight against its 25; each
 * worker's n8n log holds one warning per HubSpot 429 it was answered (the nodes log through n8n's logger).
 */
const path = require('node:path');

const { root } = require('../lib/pack-install');
const { check, log, seconds } = require('./util');
const { until } = require('./queueFlows');
const { PREFIX, salesforceCredential, hubspotCredential } = require('./workflow');
const { dynamicsCredential } = require('./dynamics');
const {
	rowsWebhookFlow,
	trigger,
	peakInWindow,
	peakInFlight,
	answerItems,
} = require('./queueFlows');

const HUBSPOT_RUNS = 4;
const HUBSPOT_CONTACTS = Number(process.env.CRM_E2E_QUEUE_HS_CONTACTS) || 10_000;
const SALESFORCE_RUNS = 2;
const SALESFORCE_CONTACTS = 2_000;
const DYNAMICS_CONTACTS = 2_000;
const LATENCY_MS = 40;
const LIMITS = {
	hubspot: { requests: 190, windowMs: 10_000 },
	dynamics: { requests: 6_000, windowMs: 300_000 },
	salesforce: { concurrent: 25 },
};
const CRED = {
	hs: { id: 'crmQHs', name: 'HubSpot (queue e2e)' },
	sf: { id: 'crmQSf', name: 'Salesforce (queue e2e)' },
	dv: { id: 'crmQDv', name: 'Dataverse (queue e2e)' },
};
const FLOW = { hs: 'crmQHsUpsert', sf: 'crmQSfCreate', dv: 'crmQDvCreate' };

/** The simulators (real clock, LATENCY_MS per request, HubSpot's rate limits at the real figures). */
async function startBulkSimulators() {
	const { SalesforceSimulator, HubSpotSimulator, DynamicsSimulator } = require(
		path.join(root, 'dist', 'sandbox'),
	);
	const none = { contacts: 0, companies: 0, deals: 0 };
	const hs = new HubSpotSimulator({
		seed: 51,
		latency: LATENCY_MS,
		rateLimits: { tenSecondly: LIMITS.hubspot.requests },
		records: none,
	});
	const sf = new SalesforceSimulator({ seed: 52, latency: LATENCY_MS, records: { contacts: 0 } });
	const dv = new DynamicsSimulator({
		seed: 53,
		latency: LATENCY_MS,
		records: { accounts: 0, contacts: 0 },
	});
	const contracts = { hs: await hs.start(), sf: await sf.start(), dv: await dv.start() };
	return {
		hs,
		sf,
		dv,
		credentials: [
			hubspotCredential(CRED.hs.id, CRED.hs.name, contracts.hs),
			salesforceCredential(CRED.sf.id, CRED.sf.name, contracts.sf),
			dynamicsCredential(CRED.dv, contracts.dv),
		],
		async stop() {
			await hs.stop();
			await sf.stop();
			await dv.stop();
		},
	};
}

/** A node's field mapper with the values given ("Map Each Column Manually"), matched on `matchingColumns`. */
const mapped = (value, matchingColumns = []) => ({
	mappingMode: 'defineBelow',
	value,
	matchingColumns,
	schema: [],
});

function bulkWorkflows() {
	const hs = rowsWebhookFlow(FLOW.hs, 'queue e2e: HubSpot upsert', 'crm-q-hs-upsert', {
		name: 'Upsert Contacts',
		type: `${PREFIX}.hubSpot`,
		typeVersion: 1,
		parameters: {
			authentication: 'privateApp',
			resource: 'record',
			operation: 'upsert',
			objectType: 'contacts',
			fields: mapped(
				{
					email: '={{ $json.email }}',
					firstname: '={{ $json.first }}',
					lastname: '={{ $json.last }}',
				},
				['email'],
			),
		},
		credentials: { crmHubSpotPrivateAppApi: CRED.hs },
	});
	const sf = rowsWebhookFlow(FLOW.sf, 'queue e2e: Salesforce create', 'crm-q-sf-create', {
		name: 'Create Contacts',
		type: `${PREFIX}.salesforce`,
		typeVersion: 1,
		parameters: {
			authentication: 'password',
			resource: 'record',
			operation: 'create',
			object: { __rl: true, mode: 'name', value: 'Contact' },
			fields: mapped({
				FirstName: '={{ $json.first }}',
				LastName: '={{ $json.last }}',
				Email: '={{ $json.email }}',
			}),
			options: { batchSize: 200 },
		},
		credentials: { crmSalesforcePasswordApi: CRED.sf },
	});
	const dv = rowsWebhookFlow(FLOW.dv, 'queue e2e: Dynamics 365 create', 'crm-q-dv-create', {
		name: 'Dynamics 365',
		type: `${PREFIX}.dynamics365`,
		typeVersion: 1,
		parameters: {
			authentication: 'clientCredentials',
			resource: 'record',
			operation: 'create',
			table: 'contacts',
			fields: mapped({
				firstname: '={{ $json.first }}',
				lastname: '={{ $json.last }}',
				emailaddress1: '={{ $json.email }}',
			}),
		},
		credentials: { crmDynamicsClientCredentialsApi: CRED.dv },
	});
	return [hs, sf, dv];
}

const rows = (prefix, count) =>
	Array.from({ length: count }, (_, i) => {
		const n = String(i + 1).padStart(5, '0');
		return {
			first: `Q${n}`,
			last: `${prefix} ${n}`,
			email: `${prefix}.${n}@crm-queue-e2e.example`,
		};
	});

/** Each expected e-mail stored exactly once among `stored` e-mails; returns the number of wrong ones. */
function exactlyOnce(stored, expected) {
	const counts = new Map();
	for (const e of stored) counts.set(e, (counts.get(e) ?? 0) + 1);
	const wrong = expected.filter((e) => counts.get(e) !== 1);
	return { wrong, extra: stored.length - expected.length };
}

/** Runs scenario a on a started cluster. Returns the figures for the summary. */
async function checkBulk(cluster, sims, attribution, places) {
	log(
		`4a. bulk at once: ${HUBSPOT_RUNS} × HubSpot upsert of ${HUBSPOT_CONTACTS}, ${SALESFORCE_RUNS} × Salesforce create of ` +
			`${SALESFORCE_CONTACTS}, 1 × Dynamics 365 create of ${DYNAMICS_CONTACTS} (latency ${LATENCY_MS} ms)`,
	);
	const jobs = [
		...Array.from({ length: HUBSPOT_RUNS }, (_, i) => [
			'hs',
			`q-hs-${i + 1}`,
			HUBSPOT_CONTACTS,
			'crm-q-hs-upsert',
		]),
		...Array.from({ length: SALESFORCE_RUNS }, (_, i) => [
			'sf',
			`q-sf-${i + 1}`,
			SALESFORCE_CONTACTS,
			'crm-q-sf-create',
		]),
		['dv', 'q-dv-1', DYNAMICS_CONTACTS, 'crm-q-dv-create'],
	].map(([crm, prefix, count, hook]) => ({ crm, prefix, rows: rows(prefix, count), hook }));
	// The HubSpot upserts first, on as many slots at once: more of them than one worker has slots (its
	// concurrency), so both workers run some — their requests meet at the simulator from two processes. The
	// others are triggered once those have started on the workers.
	const started = Date.now();
	const send = (j) => trigger(cluster.webhook(j.hook), { rows: j.rows });
	const hsAnswers = jobs.filter((j) => j.crm === 'hs').map(send);
	const hsPlaced = await until(async () => {
		const ran = await places([FLOW.hs]);
		const n = Object.values(ran.per).reduce((a, b) => a + b, 0);
		return n === HUBSPOT_RUNS && !ran.per['not on a worker'] && ran;
	}, 120_000);
	const placedMs = Date.now() - started;
	const otherAnswers = jobs.filter((j) => j.crm !== 'hs').map(send);
	const answers = await Promise.all([...hsAnswers, ...otherAnswers]);
	const wallMs = Date.now() - started;
	log(
		`   HubSpot upserts started on ${hsPlaced.summary} (${seconds(placedMs)} after the trigger; the others triggered then)`,
	);
	check(
		Object.keys(hsPlaced.per).length === cluster.workers.length,
		`the HubSpot upserts did not run on every worker (${hsPlaced.summary}): raise HUBSPOT_RUNS above the worker concurrency`,
	);
	for (const [i, job] of jobs.entries()) {
		const { written, rejected } = answerItems(answers[i], job.prefix);
		log(
			`   ${job.prefix}: ${written} written, ${rejected.length} rejected (${seconds(answers[i].ms)})`,
		);
		check(
			rejected.length === 0,
			`${job.prefix}: ${rejected.length} items rejected, e.g. ${String(JSON.stringify(rejected[0])).slice(0, 300)}`,
		);
		check(
			written === job.rows.length,
			`${job.prefix}: ${written} items answered, expected ${job.rows.length}`,
		);
	}
	const ran = await places(Object.values(FLOW));
	log(`   executions ran on: ${ran.summary}`);
	check(
		!ran.per['not on a worker'],
		'an execution did not run on a worker (no worker log names it)',
	);

	const expectedOf = (crm) =>
		jobs.filter((j) => j.crm === crm).flatMap((j) => j.rows.map((r) => r.email));
	const stored = {
		hs: sims.hs
			.collection('contacts')
			.list()
			.map((r) => String(r.fields.email ?? '').toLowerCase()),
		sf: sims.sf
			.table('Contact')
			.collection.list()
			.map((r) => String(r.fields.Email ?? '').toLowerCase()),
		dv: sims.dv
			.collection('contact')
			.list()
			.map((r) => String(r.fields.emailaddress1 ?? '').toLowerCase()),
	};
	for (const crm of ['hs', 'sf', 'dv']) {
		const { wrong, extra } = exactlyOnce(stored[crm], expectedOf(crm));
		check(
			!wrong.length && !extra,
			`${crm}: ${wrong.length} records not stored exactly once (e.g. ${wrong[0]}), ${extra} more records than sent`,
		);
	}

	// The requests that came over the wire (token requests apart), per CRM.
	const wire = (label) => attribution.entries(label).filter((e) => e.kind !== 'token');
	const hsLog = wire('hubspot');
	const sfLog = wire('salesforce');
	const dvLog = wire('dynamics');
	const per = attribution.tally();
	const figures = {
		wallMs,
		hubspot: {
			records: stored.hs.length,
			requests: hsLog.length,
			peakSent: peakInWindow(
				hsLog.map((e) => e.at),
				LIMITS.hubspot.windowMs,
			),
			peakAccepted: peakInWindow(
				hsLog.filter((e) => e.status !== 429).map((e) => e.at),
				LIMITS.hubspot.windowMs,
			),
			s429: hsLog.filter((e) => e.status === 429).length,
			perProcess: per.hubspot,
		},
		salesforce: {
			records: stored.sf.length,
			requests: sfLog.length,
			peakInFlight: peakInFlight(sfLog),
			s429: sfLog.filter((e) => e.status === 429 || e.status === 403).length,
			perProcess: per.salesforce,
		},
		dynamics: {
			records: stored.dv.length,
			requests: dvLog.length,
			peakSent: peakInWindow(
				dvLog.map((e) => e.at),
				LIMITS.dynamics.windowMs,
			),
			s429: dvLog.filter((e) => e.status === 429).length,
			perProcess: per.dynamics,
		},
		ran: ran.summary,
	};
	const f = figures;
	log(
		`   HubSpot: ${f.hubspot.records} contacts stored once each; ${f.hubspot.requests} requests, peak ${f.hubspot.peakSent} sent ` +
			`(${f.hubspot.peakAccepted} accepted) in a 10 s window (limit ${LIMITS.hubspot.requests}), ${f.hubspot.s429} × 429; ` +
			`per process ${JSON.stringify(f.hubspot.perProcess)}`,
	);
	log(
		`   Salesforce: ${f.salesforce.records} contacts once each; ${f.salesforce.requests} requests (daily limit 15,000), ` +
			`peak ${f.salesforce.peakInFlight} in flight (limit ${LIMITS.salesforce.concurrent}), ${f.salesforce.s429} refused; ` +
			`per process ${JSON.stringify(f.salesforce.perProcess)}`,
	);
	log(
		`   Dynamics 365: ${f.dynamics.records} contacts once each; ${f.dynamics.requests} requests, peak ${f.dynamics.peakSent} ` +
			`in 300 s (limit ${LIMITS.dynamics.requests}), ${f.dynamics.s429} × 429; per process ${JSON.stringify(f.dynamics.perProcess)}`,
	);
	// Each 429 a worker waited out is a warning line in its own n8n log (the nodes hand n8n's logger to their HTTP
	// clients): as many lines as the wire says that worker was answered 429.
	const logged429 = Object.fromEntries(
		cluster.workers.map((w) => [
			w.name,
			(w.log().match(/\/crm\/v3\/objects\/contacts\/batch\/upsert: attempt \d+: HTTP 429/g) ?? [])
				.length,
		]),
	);
	log(`   HubSpot 429s in the workers' n8n logs: ${JSON.stringify(logged429)}`);
	log(`   wall time ${seconds(wallMs)}`);
	// The limits are checked after the figures are out (the caller reports them with the other scenarios).
	figures.failures = [
		f.hubspot.peakSent > LIMITS.hubspot.requests &&
			`HubSpot: ${f.hubspot.peakSent} requests sent within 10 s, over the limit of ${LIMITS.hubspot.requests} (${f.hubspot.s429} answered 429)`,
		f.salesforce.peakInFlight > LIMITS.salesforce.concurrent &&
			`Salesforce: ${f.salesforce.peakInFlight} requests in flight at once (limit ${LIMITS.salesforce.concurrent})`,
		(f.dynamics.peakSent > LIMITS.dynamics.requests || f.dynamics.s429 > 0) &&
			`Dynamics 365: peak ${f.dynamics.peakSent} requests in 300 s, ${f.dynamics.s429} × 429`,
		...cluster.workers.map(
			(w) =>
				logged429[w.name] !== (f.hubspot.perProcess?.[w.name]?.s429 ?? 0) &&
				`${w.name}: ${logged429[w.name]} HubSpot 429 line(s) in its n8n log, ${f.hubspot.perProcess?.[w.name]?.s429 ?? 0} answered to it on the wire`,
		),
	].filter(Boolean);
	return figures;
}

module.exports = { startBulkSimulators, bulkWorkflows, checkBulk, FLOW };
