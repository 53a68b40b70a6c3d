#!/usr/bin/env node
/**
 * `npm run test:e2e:queue`: the packed package in a real n8n in queue mode — one main (`n8n start`) and two
 * workers (`n8n worker`), PostgreSQL for n8n's database and for the CRM Sync's state, Redis for Bull.
 *
 * 1. n8n from the e2e cache (`scripts/e2e/host.js`); our package packed once and installed into each process's
 *    own user folder (as separate hosts would have it).
 * 2. Fresh PostgreSQL databases (n8n's, the sync state's) and a Bull/Redis prefix of this run; credentials and
 *    Webhook-triggered workflows imported and published (`n8n publish:workflow`), then the main and
 *    the workers started, each with its stdout/stderr in a log file (`scripts/e2e/cluster.js`).
 * 3. Executions triggered through the main's webhooks run on the workers (checked in their logs):
 *    a. bulk writes at once against the same simulator accounts (`scripts/e2e/queueBulk.js`);
 *    b. one CRM Sync triggered twice at once, then two syncs at once (`scripts/e2e/queueSync.js`);
 *    c. a worker SIGKILLed in the middle of a sync backfill (`scripts/e2e/queueKill.js`).
 * Prints a summary with the figures; exits 1 on any failed check. Databases, Redis keys and processes are removed
 * at the end (the work folder with the logs is kept when a check failed, or with CRM_E2E_KEEP=1).
 *
 * Environment: as `scripts/e2e.js`, plus CRM_E2E_PG_HOST/PORT/USER/PASSWORD, CRM_E2E_REDIS_HOST/PORT,
 * CRM_E2E_QUEUE_CONCURRENCY (per worker, default 3), CRM_E2E_QUEUE_HS_CONTACTS, CRM_E2E_QUEUE_KILL_CONTACTS,
 * CRM_E2E_QUEUE_SHARED_BUDGET=off (rate budgets kept per process instead of shared through Redis),
 * CRM_E2E_QUEUE_KILL_WAIT_S (seconds from the kill to the converging run; default the lease + 1).
 */
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { performance } = require('node:perf_hooks');

const { root, pkg, pack, installAsync } = require('./lib/pack-install');
const { HOST_DIR, N8N_VERSION, ensureN8n } = require('./e2e/host');
const { E2eFailure, check, log, seconds } = require('./e2e/util');
const { startCluster, executionsOf, executionPlaces } = require('./e2e/cluster');
const { createDatabases, cleanRedis, redisKeys } = require('./e2e/services');
const { attributeRequests } = require('./e2e/attribution');
const { startBulkSimulators, bulkWorkflows, checkBulk } = require('./e2e/queueBulk');
const { startPair, statePgCredential, syncFlow, checkSyncLock } = require('./e2e/queueSync');
const { checkKill, KILL_FLOW, KILL_HOOK, KILL_SYNC_ID, LEASE_S } = require('./e2e/queueKill');

const CONCURRENCY = Number(process.env.CRM_E2E_QUEUE_CONCURRENCY) || 3;

async function main() {
	const started = performance.now();
	check(
		Number(process.versions.node.split('.')[0]) >= 24,
		`n8n ${N8N_VERSION} needs Node ≥ 24; this is ${process.version}`,
	);
	check(
		fs.existsSync(path.join(root, 'dist', 'sandbox', 'index.js')),
		'dist/ is missing: run `npm run build` first',
	);
	log(
		`e2e queue mode: ${pkg.name} in a real n8n ${N8N_VERSION}, one main and two workers, PostgreSQL and Redis`,
	);
	const timings = [];
	const time = async (label, fn) => {
		const t = performance.now();
		const out = await fn();
		timings.push([label, performance.now() - t]);
		return out;
	};

	log('1. n8n host and package');
	const host = await ensureN8n();
	log(
		`   n8n ${N8N_VERSION} ${host.cached ? 'from the cache' : 'installed'} (${HOST_DIR}): ${seconds(host.ms)}`,
	);
	const work = fs.mkdtempSync(path.join(os.tmpdir(), 'crm-connectors-e2e-queue-'));
	const folders = {
		main: path.join(work, 'main'),
		workers: [path.join(work, 'worker1'), path.join(work, 'worker2')],
	};
	const packed = await time('pack + 3 installs', async () => {
		const p = pack(work);
		await Promise.all(
			[folders.main, ...folders.workers].map((f) => installAsync(p.tarballPath, f)),
		);
		return p;
	});
	log(
		`   ${packed.tarball} (${(packed.size / 1024).toFixed(0)} KiB) installed into 3 user folders (${seconds(timings[0][1])})`,
	);

	const tag = `${process.pid}`;
	const prefix = `crm-e2e-q${tag}`;
	const dbs = await createDatabases([`crm_e2e_n8n_${tag}`, `crm_e2e_sync_${tag}`]);
	const [n8nDb, syncDb] = dbs.names;
	const bulk = await startBulkSimulators();
	const p1 = await startPair('P1', 61, 200);
	const p2 = await startPair('P2', 63, 40);
	const pk = await startPair('PK', 65, 300);
	let cluster;
	const attribution = attributeRequests(
		{ hubspot: bulk.hs, salesforce: bulk.sf, dynamics: bulk.dv },
		() => (cluster ? [cluster.main, ...cluster.workers] : []),
	);
	let failed = true;
	try {
		const shared =
			process.env.CRM_E2E_QUEUE_SHARED_BUDGET === 'off' ? 'off (one per process)' : 'through Redis';
		log(
			`2. rate budgets ${shared}; databases ${n8nDb} (n8n) and ${syncDb} (sync state), Bull prefix ${prefix}; main + 2 workers (concurrency ${CONCURRENCY})`,
		);
		const credentials = [
			...bulk.credentials,
			...p1.credentials,
			...p2.credentials,
			...pk.credentials,
			statePgCredential(syncDb),
		];
		const workflows = [
			...bulkWorkflows(),
			syncFlow('crmQSync1', 'crm-q-sync-1', 'q-sync-1', p1),
			syncFlow('crmQSync2', 'crm-q-sync-2', 'q-sync-2', p2),
			syncFlow(KILL_FLOW, KILL_HOOK, KILL_SYNC_ID, pk, { leaseSeconds: LEASE_S }),
		];
		cluster = await time('cluster start', () =>
			startCluster({
				work,
				folders,
				database: n8nDb,
				prefix,
				concurrency: CONCURRENCY,
				credentials,
				workflows,
			}),
		);
		log(
			`   imported ${credentials.length} credentials (${seconds(cluster.imports.credentials)}), ${workflows.length} active workflows ` +
				`(${seconds(cluster.imports.workflows)}), published (${seconds(cluster.imports.publish)}); main :${cluster.main.port} and workers ready in ${seconds(cluster.readyMs)}`,
		);
		const executions = (workflowId, options) => executionsOf(n8nDb, workflowId, options);
		const places = async (workflowIds) => {
			const where = executionPlaces(cluster.workers);
			const per = {};
			const lines = [];
			for (const id of workflowIds) {
				for (const run of await executions(id)) {
					const w = (where.get(run.id) ?? ['not on a worker']).join('+');
					per[w] = (per[w] ?? 0) + 1;
					lines.push(`${id}#${run.id}→${w}`);
				}
			}
			return {
				per,
				summary: `${Object.entries(per)
					.map(([w, n]) => `${w} ${n}`)
					.join(', ')} [${lines.join(' ')}]`,
			};
		};

		// Each scenario runs even when an earlier one failed; all failures are reported at the end.
		const failures = [];
		const scenario = async (label, fn) => {
			try {
				return await time(label, fn);
			} catch (err) {
				if (!(err instanceof E2eFailure)) throw err;
				log(`   FAILED: ${err.message}`);
				failures.push(`${label}: ${err.message}`);
				return undefined;
			}
		};
		const b = await scenario('a. bulk', () => checkBulk(cluster, bulk, attribution, places));
		for (const f of b?.failures ?? []) failures.push(`a. bulk: ${f}`);
		// The budgets' shared windows are Redis keys under this run's prefix: there when sharing is on.
		const rateKeys = await redisKeys(`${prefix}:rate:*`);
		log(`   ${rateKeys} shared rate-budget keys in Redis`);
		if (process.env.CRM_E2E_QUEUE_SHARED_BUDGET !== 'off' && rateKeys === 0)
			failures.push(
				'no shared rate-budget key in Redis: the workers kept their budgets to themselves',
			);
		const lock = await scenario('b. sync lock', () =>
			checkSyncLock({ cluster, p1, p2, syncDb, executions, places }),
		);
		const k = await scenario('c. kill', () => checkKill({ cluster, pair: pk, syncDb, executions }));

		log();
		log('summary');
		if (b) {
			log(
				`   HubSpot: peak ${b.hubspot.peakSent} requests sent / 10 s (limit 190; ${b.hubspot.peakAccepted} accepted), ` +
					`${b.hubspot.s429} × 429 answered (none reached an item); per process ${fmt(b.hubspot.perProcess)}`,
			);
			log(
				`   Salesforce: peak ${b.salesforce.peakInFlight} in flight (limit 25), ${b.salesforce.requests} requests (daily 15,000), ` +
					`${b.salesforce.s429} refused; per process ${fmt(b.salesforce.perProcess)}`,
			);
			log(
				`   Dynamics 365: peak ${b.dynamics.peakSent} requests / 300 s (limit 6,000), ${b.dynamics.s429} × 429; per process ${fmt(b.dynamics.perProcess)}`,
			);
		}
		if (lock)
			log(`   sync lock: answers ${lock.lockAnswers.join(' and ')}; ran on ${lock.ranLock}`);
		if (k)
			log(
				`   kill: ${k.worker} killed ${seconds(k.killedAfterMs)} after the trigger (${k.writesAtKill} writes seen), lease ${k.leaseS} s, ` +
					`re-run by n8n: ${k.rerun}; run ${k.afterLeaseS.toFixed(1)} s after the kill created ${k.nextCreated}; after the grace created ${k.convergeCreated} in ${seconds(k.convergeMs)}, ${k.links} links; kill test ${seconds(k.totalMs)}`,
			);
		const timing = `${timings.map(([l, ms]) => `${l} ${seconds(ms)}`).join(', ')}; total ${seconds(performance.now() - started)}`;
		log(`   timings: ${timing}`);
		check(!failures.length, `${failures.length} check(s) failed:\n- ${failures.join('\n- ')}`);
		log('e2e queue passed');
		failed = false;
	} finally {
		if (cluster) await cluster.stop();
		await bulk.stop();
		for (const p of [p1, p2, pk]) await p.stop();
		if (process.env.CRM_E2E_KEEP === '1') log(`   kept the databases ${dbs.names.join(', ')}`);
		else await dbs.drop().catch((err) => log(`   could not drop the databases: ${err.message}`));
		const keys = await cleanRedis(prefix).catch((err) => `? (${err.message})`);
		log(`   cleaned: ${keys} Redis keys of ${prefix} deleted`);
		if (failed || process.env.CRM_E2E_KEEP === '1')
			log(`   kept ${work} (logs: main.log, worker1.log, worker2.log)`);
		else fs.rmSync(work, { recursive: true, force: true });
	}
}

const fmt = (per) =>
	Object.entries(per ?? {})
		.map(([p, c]) => `${p} ${c.requests} req/${c.s429}×429`)
		.join(', ');

main().then(
	() => process.exit(0),
	(err) => {
		console.error(
			`e2e queue FAILED: ${err instanceof E2eFailure ? err.message : (err.stack ?? err)}`,
		);
		process.exit(1);
	},
);
