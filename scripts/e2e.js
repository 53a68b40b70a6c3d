#!/usr/bin/env node
/**
 * `npm run test:e2e`: the packed package inside a real n8n, workflows run by n8n's own CLI.
 *
 * 1. Installs (or reuses) n8n in a cache outside the clone (`scripts/e2e/host.js`).
 * 2. `npm pack` + install of the tarball into `<N8N_USER_FOLDER>/.n8n/nodes` as n8n does for community
 *    packages (shared with `check:pack`), so node types keep their real names `n8n-nodes-crm-connectors.*`.
 * 3. Starts the Salesforce, HubSpot and Dataverse sandboxes in this process (and the CRM Sync's own pair on a ManualClock),
 *    imports credentials of our types pointing at them (`n8n import:credentials`) and workflows
 *    (`n8n import:workflow`), and runs each workflow with `n8n execute --id=… --rawOutput`. Checks what n8n
 *    returns and what the sandboxes stored and were asked:
 *    - Field Mapper, Salesforce Record → Create, HubSpot Record → Upsert twice (`scripts/e2e/records.js`);
 *    - CRM Sync Salesforce ↔ HubSpot, a backfill then edits on both sides, state in the default SQLite file
 *      across two n8n processes (`scripts/e2e/sync.js`);
 *    - every example workflow of `examples/`, each on its own simulators, run twice (`scripts/e2e/examples.js`);
 *    - Dynamics 365 (Dataverse simulators): Record → Create of 2,000 contacts in two `$batch` requests, Upsert by
 *      alternate key twice, CRM Sync HubSpot ↔ Dynamics 365 backfill then a run writing nothing
 *      (`scripts/e2e/dynamics.js`, `scripts/e2e/dynamicsSync.js`).
 * Prints a summary with figures; exits 1 on any failed check. Each n8n command is killed after a time limit.
 *
 * Environment: CRM_E2E_CACHE (cache folder), CRM_E2E_N8N_VERSION (override the pinned n8n),
 * CRM_E2E_TIMEOUT_S (time limit per n8n command, default 120), CRM_E2E_KEEP=1 (keep the temporary user folder).
 */
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { performance } = require('node:perf_hooks');

const { root, pkg, packAndInstall } = require('./lib/pack-install');
const { HOST_DIR, N8N_BIN, N8N_VERSION, ensureN8n, n8nEnv, nodeHeaders } = require('./e2e/host');
const {
	checkFieldMapper,
	checkHubSpotUpsert,
	checkSalesforceCreate,
	recordCredentials,
	recordWorkflows,
} = require('./e2e/records');
const { checkCrmSync, startSyncSimulators, syncCredentials, syncWorkflow } = require('./e2e/sync');
const { checkExamples, startExamples } = require('./e2e/examples');
const { checkDynamicsCreate, checkDynamicsUpsert, startDynamics } = require('./e2e/dynamics');
const { checkDynamicsSync } = require('./e2e/dynamicsSync');
const {
	E2eFailure,
	check,
	log,
	mustRun,
	parseRawOutput,
	run,
	seconds,
	tail,
} = require('./e2e/util');

/** `execute(workflow, label)`: one `n8n execute --id=… --rawOutput`, its execution data checked for an error. */
function executor({ work, env, timings }) {
	return async (wf, label) => {
		const result = await run(
			process.execPath,
			[N8N_BIN, 'execute', `--id=${wf.id}`, '--rawOutput'],
			{
				cwd: work,
				env,
				label: `n8n execute ${label}`,
			},
		);
		timings.push([label, result.ms]);
		// n8n's CLI has been seen ending with exit 128 (a signal while shutting down) after printing a finished
		// execution (once in many CI runs, not reproducible). The execution itself is what is checked (its
		// error, outputs and the simulators' counts), so a non-zero exit after a complete, finished run is
		// reported, not failed; a run that did not finish fails.
		const finished = /^\s*"finished": true,?$/m.test(result.stdout);
		if (result.code !== 0 && !finished)
			throw new E2eFailure(
				`n8n execute "${wf.name}" failed (exit ${result.code})\n${tail(result.stdout + '\n' + result.stderr)}`,
			);
		if (result.code !== 0)
			log(
				`   note: n8n exited with ${result.code}${result.signal ? ` (${result.signal})` : ''} after the execution had finished${result.stderr.trim() ? `:\n${tail(result.stderr, 5)}` : ''}`,
			);
		// Node's warnings (e.g. an ExperimentalWarning) go to stderr, apart from the execution data on stdout.
		const warnings = result.stderr.split('\n').filter((line) => /Warning:/.test(line));
		if (warnings.length) log(`   note: n8n printed on stderr: ${warnings.join(' | ')}`);
		const data = parseRawOutput(result.stdout);
		const error = data.data?.resultData?.error;
		check(!error, `"${wf.name}" ended with an error: ${error?.message}`);
		return { data, ms: result.ms };
	};
}

/**
 * The version of a dependency as installed for our package: `node_modules/<name>` in its folder or above, where
 * n8n's require will find it (read from disk: some packages' `exports` do not expose their package.json).
 */
function installedVersion(name, packageDir) {
	for (let dir = packageDir; ; dir = path.dirname(dir)) {
		const file = path.join(dir, 'node_modules', name, 'package.json');
		if (fs.existsSync(file)) return JSON.parse(fs.readFileSync(file, 'utf8')).version;
		if (path.dirname(dir) === dir) return undefined;
	}
}

async function main() {
	const started = performance.now();
	check(
		Number(process.versions.node.split('.')[0]) >= 24,
		`n8n ${N8N_VERSION} needs Node ≥ 24; this is ${process.version} (run through npm: the project's node dev dependency)`,
	);
	check(
		fs.existsSync(path.join(root, 'dist', 'sandbox', 'index.js')),
		'dist/ is missing: run `npm run build` first (npm run test:e2e does)',
	);
	log(
		`e2e: ${pkg.name} packed and installed into a real n8n ${N8N_VERSION}, workflows run by \`n8n execute\``,
	);

	log('1. n8n host');
	const host = await ensureN8n();
	log(
		`   n8n ${N8N_VERSION} ${host.cached ? 'from the cache' : 'installed'} (${HOST_DIR}): ${seconds(host.ms)}`,
	);

	const work = fs.mkdtempSync(path.join(os.tmpdir(), 'crm-connectors-e2e-'));
	const userFolder = path.join(work, 'user');
	const { startSandboxes } = require(path.join(root, 'dist', 'sandbox'));
	const sandboxes = await startSandboxes({ only: ['salesforce', 'hubspot'] });
	const syncSims = await startSyncSimulators();
	const examples = await startExamples();
	const dynamics = await startDynamics();
	const timings = [];
	try {
		log('2. package');
		const packStarted = performance.now();
		const packed = packAndInstall({ work, userFolder });
		const runtimeDeps = Object.keys(pkg.dependencies ?? {}).map((name) => [
			name,
			installedVersion(name, packed.installed),
		]);
		log(
			`   ${packed.tarball} (${(packed.size / 1024).toFixed(0)} KiB) installed into ${path.relative(work, packed.installed)} ` +
				`(${seconds(performance.now() - packStarted)}); dependencies ${runtimeDeps.map(([n, v]) => `${n} ${v}`).join(', ')}`,
		);
		const missingDeps = runtimeDeps.filter(([, v]) => !v).map(([n]) => n);
		check(
			!missingDeps.length,
			`runtime dependencies not installed with the package: ${missingDeps.join(', ')}`,
		);

		const env = await n8nEnv(userFolder);
		const n8n = (args, label) =>
			mustRun(process.execPath, [N8N_BIN, ...args], {
				cwd: work,
				env,
				label: label ?? `n8n ${args.join(' ')}`,
			});

		const { salesforce: sfContract, hubspot: hsContract } = sandboxes.contract;
		check(
			sfContract && hsContract,
			`a sandbox did not start (running: ${Object.keys(sandboxes.contract).join(', ')})`,
		);
		const sf = sandboxes.instances.salesforce;
		const hs = sandboxes.instances.hubspot;

		log('3. credentials and workflows imported');
		const credentials = [
			...recordCredentials({ salesforce: sfContract, hubspot: hsContract }),
			...syncCredentials(syncSims),
			...examples.credentials,
			...dynamics.credentials,
		];
		const credentialsFile = path.join(work, 'credentials.json');
		fs.writeFileSync(credentialsFile, JSON.stringify(credentials));
		const importCredentials = await n8n(['import:credentials', `--input=${credentialsFile}`]);
		const records = recordWorkflows();
		const sync = syncWorkflow();
		const workflows = [
			...Object.values(records),
			sync,
			...examples.workflows,
			...Object.values(dynamics.workflows),
		];
		const workflowsFile = path.join(work, 'workflows.json');
		fs.writeFileSync(workflowsFile, JSON.stringify(workflows));
		const importWorkflows = await n8n(['import:workflow', `--input=${workflowsFile}`]);
		log(
			`   ${credentials.length} credentials (${seconds(importCredentials.ms)}), ${workflows.length} workflows (${seconds(importWorkflows.ms)})`,
		);

		const execute = executor({ work, env, timings });
		await checkFieldMapper(execute, records.fieldMapper);
		await checkSalesforceCreate(execute, records.salesforce, sf);
		await checkHubSpotUpsert(execute, records.hubspot, hs);
		await checkCrmSync(execute, sync, syncSims, userFolder);
		// After the CRM Sync check, which expects its sync alone in the default state file.
		await checkExamples(execute, examples);
		await checkDynamicsCreate(execute, dynamics);
		await checkDynamicsUpsert(execute, dynamics);
		// Its own Sync ID in the default state file, after the checks that expect their syncs there alone.
		await checkDynamicsSync(execute, dynamics.workflows.sync, dynamics.sync, userFolder);

		log();
		log(
			`e2e passed: n8n ${N8N_VERSION} (${host.cached ? 'cached' : `installed in ${seconds(host.ms)}`}); ` +
				`${timings.map(([label, ms]) => `${label} ${seconds(ms)}`).join(', ')}; total ${seconds(performance.now() - started)}`,
		);
	} finally {
		await sandboxes.stop();
		await syncSims.stop();
		await examples.stop();
		await dynamics.stop();
		if (process.env.CRM_E2E_KEEP === '1') log(`   kept ${work}`);
		else fs.rmSync(work, { recursive: true, force: true });
	}
}

if (require.main === module) {
	main().catch((err) => {
		console.error(`e2e FAILED: ${err instanceof E2eFailure ? err.message : (err.stack ?? err)}`);
		process.exit(1);
	});
}

module.exports = { ensureN8n, nodeHeaders, parseRawOutput };
