/**
 * Queue mode, CRM Sync (Salesforce Contact ↔ HubSpot contacts by e-mail, state in PostgreSQL through our
 * `crmSyncPostgresApi` credential), each sync on its own simulator pair sharing a ManualClock moved past the
 * change feeds' safety lags before each run (as `sync.js` does; HubSpot's rate limits off: its windows would not
 * roll on a clock standing still).
 * b. One sync triggered twice at the same moment: one execution succeeds, the other fails "already running";
 *    every contact created once. Then two different syncs at once: both succeed.
 * c. Kill test (`queueKill.js`).
 */
const fs = require('node:fs');
const path = require('node:path');

const { root } = require('../lib/pack-install');
const { PG, pgClient } = require('./services');
const { check, log, seconds } = require('./util');
const { PREFIX, salesforceCredential, hubspotCredential } = require('./workflow');
const { SF_WRITES, HS_WRITES } = require('./sync');
const { triggerWebhookFlow, trigger } = require('./queueFlows');

const PAST_LAG_MS = 10 * 60_000;
const PG_CRED = { id: 'crmQSyncPg', name: 'Sync state PostgreSQL (queue e2e)' };
/** Whether the CRM Sync of this build has Options › Lock Lease (Seconds). */
const HAS_LEASE_OPTION = fs
	.readFileSync(path.join(root, 'dist', 'nodes', 'shared', 'crmSync', 'run.description.js'), 'utf8')
	.includes('lockLeaseSeconds');

/** A Salesforce + HubSpot pair on one ManualClock, `latency` ms per request, with its credentials. */
async function startPair(name, seed, latency) {
	const { SalesforceSimulator, HubSpotSimulator } = require(path.join(root, 'dist', 'sandbox'));
	const { ManualClock } = require(path.join(root, 'dist', 'sandbox', 'kit'));
	const clock = new ManualClock(Date.UTC(2024, 6, 1, 8, 0, 0));
	const sf = new SalesforceSimulator({
		clock,
		seed,
		latency,
		records: { contacts: 0, accounts: 0 },
	});
	const hs = new HubSpotSimulator({
		clock,
		seed: seed + 1,
		latency,
		rateLimits: false,
		searchIndexDelayMs: 2000,
		strictTimestamps: false,
		records: { contacts: 0, companies: 0, deals: 0 },
	});
	const contracts = { sf: await sf.start(), hs: await hs.start() };
	const cred = {
		sf: { id: `crmQ${name}Sf`, name: `Salesforce ${name}` },
		hs: { id: `crmQ${name}Hs`, name: `HubSpot ${name}` },
	};
	return {
		name,
		clock,
		sf,
		hs,
		cred,
		credentials: [
			salesforceCredential(cred.sf.id, cred.sf.name, contracts.sf),
			hubspotCredential(cred.hs.id, cred.hs.name, contracts.hs),
		],
		/** Seeds `count` contacts on one side only (`sf` or `hs`); returns their e-mails. */
		seed(side, tag, count) {
			const emails = [];
			for (let i = 1; i <= count; i++) {
				const email = `${name.toLowerCase()}.${tag}.${i}@crm-queue-sync.example`;
				const first = `${tag} ${i}`;
				if (side === 'sf')
					sf.table('Contact').insert({ Email: email, FirstName: first, LastName: name });
				else hs.insertDirect('contacts', { email, firstname: first, lastname: name });
				emails.push(email);
			}
			return emails;
		},
		/** E-mails held per side, and the ones held other than exactly once. */
		holdings() {
			const of = (list) => list.map((v) => String(v ?? '').toLowerCase());
			const a = of(
				sf
					.table('Contact')
					.collection.list()
					.map((r) => r.fields.Email),
			);
			const b = of(
				hs
					.collection('contacts')
					.list()
					.map((r) => r.fields.email),
			);
			const ids = {
				a: new Map(
					sf
						.table('Contact')
						.collection.list()
						.map((r) => [String(r.fields.Email).toLowerCase(), r.id]),
				),
				b: new Map(
					hs
						.collection('contacts')
						.list()
						.map((r) => [String(r.fields.email).toLowerCase(), r.id]),
				),
			};
			return { a, b, ids };
		},
		writes: () =>
			sf.log.entries().filter((e) => SF_WRITES.test(e.kind ?? '')).length +
			hs.log.entries().filter((e) => HS_WRITES.test(e.kind ?? '')).length,
		async stop() {
			await sf.stop();
			await hs.stop();
		},
	};
}

/** The credential of the sync state database. */
const statePgCredential = (database) => ({
	...PG_CRED,
	type: 'crmSyncPostgresApi',
	data: {
		host: PG.host,
		port: PG.port,
		database,
		user: PG.user,
		password: PG.password,
		ssl: 'disable',
		schema: 'crm_sync',
	},
});

/** Webhook `hook` → CRM Sync of `pair` with Sync ID `syncId`, state in PostgreSQL. */
function syncFlow(id, hook, syncId, pair, { leaseSeconds } = {}) {
	const options = {};
	if (leaseSeconds !== undefined && HAS_LEASE_OPTION) options.lockLeaseSeconds = leaseSeconds;
	return triggerWebhookFlow(id, `queue e2e: CRM Sync ${pair.name}`, hook, {
		name: 'CRM Sync',
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
				mappings: [
					{ fieldA: 'Email', fieldB: 'email' },
					{ fieldA: 'FirstName', fieldB: 'firstname' },
					{ fieldA: 'LastName', fieldB: 'lastname' },
				],
			},
			conflictStrategy: 'review',
			stateStore: 'postgres',
			syncId,
			options,
		},
		credentials: {
			crmSalesforcePasswordApi: pair.cred.sf,
			crmHubSpotPrivateAppApi: pair.cred.hs,
			crmSyncPostgresApi: PG_CRED,
		},
	});
}

/** Each seeded e-mail exactly once on both sides, nothing else; every pair linked in the store. */
async function checkConverged(pair, expected, syncDb, syncId, when) {
	const held = pair.holdings();
	for (const [side, list] of [
		['Salesforce', held.a],
		['HubSpot', held.b],
	]) {
		const counts = new Map();
		for (const e of list) counts.set(e, (counts.get(e) ?? 0) + 1);
		const wrong = expected.filter((e) => counts.get(e) !== 1);
		check(
			!wrong.length && list.length === expected.length,
			`${when}: ${side} holds ${list.length} contacts for ${expected.length} expected; ${wrong.length} not exactly once (e.g. ${wrong[0]} × ${counts.get(wrong[0]) ?? 0})`,
		);
	}
	const c = await pgClient(syncDb);
	try {
		const { rows } = await c.query(
			'SELECT a_id, b_id, status FROM crm_sync.links WHERE sync_id = $1',
			[syncId],
		);
		const want = new Set(expected.map((e) => `${held.ids.a.get(e)}|${held.ids.b.get(e)}`));
		const linked = rows.filter((r) => r.status === 'linked' && want.has(`${r.a_id}|${r.b_id}`));
		check(
			rows.length === expected.length && linked.length === expected.length,
			`${when}: ${rows.length} links in PostgreSQL for "${syncId}" (${linked.length} linked pairs of the same e-mail), expected ${expected.length}`,
		);
		return rows.length;
	} finally {
		await c.end();
	}
}

/** The report answered by a sync webhook, checked to be a success. */
function reportOf(answer, label, error) {
	check(
		answer.status === 200 && answer.body && typeof answer.body === 'object' && answer.body.counts,
		`${label}: the webhook answered ${answer.status}: ${String(JSON.stringify(answer.body)).slice(0, 400)}` +
			(error ? `; the execution's error: ${error}` : ''),
	);
	const r = answer.body;
	check(
		!r.counts.failed && !r.counts.conflicts,
		`${label}: ${r.counts.failed} failed, ${r.counts.conflicts} conflicts`,
	);
	return r;
}

const createdOf = (r) => `${r.counts.created?.a}/${r.counts.created?.b}`;

/** b. The same sync twice at once (one runs, one fails "already running"), then two syncs at once. */
async function checkSyncLock({ cluster, p1, p2, syncDb, executions, places }) {
	log('4b. CRM Sync, state in PostgreSQL: the same sync triggered twice at the same moment');
	const expected1 = [...p1.seed('sf', 'sf', 1000), ...p1.seed('hs', 'hs', 1000)];
	p1.clock.advance(PAST_LAG_MS);
	const both = await Promise.all([
		trigger(cluster.webhook('crm-q-sync-1'), {}),
		trigger(cluster.webhook('crm-q-sync-1'), {}),
	]);
	const runs = await executions('crmQSync1', { withData: true });
	const ran = await places(['crmQSync1']);
	const ok = runs.filter((r) => r.status === 'success');
	const locked = runs.filter((r) => r.status === 'error' && /already running/.test(r.error ?? ''));
	log(
		`   answers ${both.map((a) => `${a.status} (${seconds(a.ms)})`).join(', ')}; executions ${runs.map((r) => `#${r.id} ${r.status}`).join(', ')}; ran on ${ran.summary}`,
	);
	check(
		runs.length === 2 && ok.length === 1 && locked.length === 1,
		`expected one success and one "already running" failure, got ${runs.map((r) => `#${r.id} ${r.status}`).join(', ')}`,
	);
	const report = reportOf(both.find((a) => a.status === 200) ?? both[0], 'sync 1');
	const links1 = await checkConverged(p1, expected1, syncDb, 'q-sync-1', 'sync 1');
	log(
		`   sync 1: created ${createdOf(report)} (Salesforce/HubSpot); each contact once per side; ${links1} links in PostgreSQL`,
	);

	log('   two different syncs at the same moment');
	const more1 = [...p1.seed('sf', 'sf2', 200), ...p1.seed('hs', 'hs2', 200)];
	const expected2 = [...p2.seed('sf', 'sf', 500), ...p2.seed('hs', 'hs', 500)];
	p1.clock.advance(PAST_LAG_MS);
	p2.clock.advance(PAST_LAG_MS);
	const [a1, a2] = await Promise.all([
		trigger(cluster.webhook('crm-q-sync-1'), {}),
		trigger(cluster.webhook('crm-q-sync-2'), {}),
	]);
	const r1 = reportOf(a1, 'sync 1, second run');
	const r2 = reportOf(a2, 'sync 2');
	const ran2 = await places(['crmQSync1', 'crmQSync2']);
	await checkConverged(p1, [...expected1, ...more1], syncDb, 'q-sync-1', 'sync 1, second run');
	await checkConverged(p2, expected2, syncDb, 'q-sync-2', 'sync 2');
	log(
		`   sync 1 run 2 created ${createdOf(r1)} (${seconds(a1.ms)}), sync 2 created ${createdOf(r2)} (${seconds(a2.ms)}); both converged; ran on ${ran2.summary}`,
	);
	return { lockAnswers: both.map((a) => a.status), ranLock: ran.summary, ranTwo: ran2.summary };
}

module.exports = {
	HAS_LEASE_OPTION,
	startPair,
	statePgCredential,
	syncFlow,
	checkConverged,
	reportOf,
	checkSyncLock,
	createdOf,
	PAST_LAG_MS,
};
