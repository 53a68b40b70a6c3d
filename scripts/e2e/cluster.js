/**
 * An n8n queue-mode cluster for the e2e tier: one main (`n8n start`) and workers (`n8n worker`), each with its own
 * user folder (its own install of our packed package, as separate hosts have), one PostgreSQL database for n8n, a
 * Bull/Redis prefix of their own (`QUEUE_BULL_PREFIX`, `N8N_REDIS_KEY_PREFIX`) so runs sharing a Redis never meet.
 * Each process runs in its own process group, its stdout and stderr in a file; `stop()` kills the groups.
 * Also: the executions n8n recorded, and which worker ran each.
 */
const { spawn } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const { HOST_DIR, N8N_BIN, n8nEnv } = require('./host');
const { PG, REDIS, pgClient } = require('./services');
const { E2eFailure, check, mustRun, seconds, tail } = require('./util');

/** How long a process may take to become ready (ms). */
const READY_TIMEOUT = 120_000;

/** `count` distinct TCP ports free on loopback right now (all held open until each is known). */
async function freePorts(count) {
	const net = require('node:net');
	const servers = await Promise.all(
		Array.from(
			{ length: count },
			() =>
				new Promise((resolve, reject) => {
					const server = net.createServer();
					server.once('error', reject);
					server.listen(0, '127.0.0.1', () => resolve(server));
				}),
		),
	);
	const ports = servers.map((server) => server.address().port);
	await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
	return ports;
}

/** The environment shared by every process of the cluster (queue mode, PostgreSQL, Redis, one key). */
function clusterEnv({ database, prefix }) {
	return {
		N8N_ENCRYPTION_KEY: `crm-e2e-queue-${process.pid}-0123456789abcdef`,
		EXECUTIONS_MODE: 'queue',
		DB_TYPE: 'postgresdb',
		DB_POSTGRESDB_HOST: PG.host,
		DB_POSTGRESDB_PORT: String(PG.port),
		DB_POSTGRESDB_DATABASE: database,
		DB_POSTGRESDB_USER: PG.user,
		DB_POSTGRESDB_PASSWORD: PG.password,
		QUEUE_BULL_REDIS_HOST: REDIS.host,
		QUEUE_BULL_REDIS_PORT: String(REDIS.port),
		QUEUE_BULL_PREFIX: prefix,
		N8N_REDIS_KEY_PREFIX: prefix,
		// 2.41's publication service activates published workflows later, through an outbox polled every 15 s;
		// without it the main activates them while it starts, before "Editor is now accessible".
		N8N_USE_WORKFLOW_PUBLICATION_SERVICE: 'false',
		// Our rate budgets shared through the queue's Redis, under this run's prefix (cleaned with it);
		// CRM_E2E_QUEUE_SHARED_BUDGET=off keeps one budget per process, for comparison.
		CRM_CONNECTORS_REDIS_PREFIX: `${prefix}:rate:`,
		...(process.env.CRM_E2E_QUEUE_SHARED_BUDGET === 'off'
			? { CRM_CONNECTORS_REDIS_URL: 'off' }
			: {}),
	};
}

/** Waits until `url` answers 200, the process still running. */
async function waitReady(proc, url) {
	const deadline = Date.now() + READY_TIMEOUT;
	while (Date.now() < deadline) {
		check(
			proc.exit === undefined,
			`${proc.name} exited (${proc.exit}) before it was ready:\n${proc.tail()}`,
		);
		try {
			const res = await fetch(url, { signal: AbortSignal.timeout(2000) });
			if (res.ok) return;
		} catch {
			/* not listening yet */
		}
		await new Promise((r) => setTimeout(r, 300));
	}
	throw new E2eFailure(
		`${proc.name}: not ready after ${seconds(READY_TIMEOUT)} (${url})\n${proc.tail()}`,
	);
}

/**
 * Starts one n8n process (`start` or `worker …`) detached, in its own group, its output in `<dir>/<name>.log`.
 * Returns {name, pid, port, logFile, log(), tail(), kill(signal), exited}.
 */
function spawnN8n(name, args, env, dir) {
	const logFile = path.join(dir, `${name}.log`);
	const fd = fs.openSync(logFile, 'a');
	const child = spawn(process.execPath, [N8N_BIN, ...args], {
		cwd: dir,
		env,
		stdio: ['ignore', fd, fd],
		detached: true,
	});
	fs.closeSync(fd);
	const proc = {
		name,
		pid: child.pid,
		logFile,
		exit: undefined,
		log: () => fs.readFileSync(logFile, 'utf8'),
		tail: (n = 30) => tail(fs.readFileSync(logFile, 'utf8'), n),
		kill(signal = 'SIGKILL') {
			try {
				process.kill(-child.pid, signal);
			} catch {
				/* already gone */
			}
		},
	};
	// Also when this script ends otherwise (an interrupt: util.js exits on SIGINT/SIGTERM, an uncaught error).
	const onExit = () => proc.kill('SIGKILL');
	process.on('exit', onExit);
	proc.exited = new Promise((resolve) =>
		child.on('exit', (code, signal) => {
			proc.exit = signal ?? code;
			process.off('exit', onExit);
			resolve(proc.exit);
		}),
	);
	return proc;
}

/**
 * Imports credentials and workflows (active as in their JSON) with the main's environment, then starts the main
 * and `workers` workers (user folders `<work>/main`, `<work>/worker1`, …) and waits until all are ready.
 */
async function startCluster({
	work,
	folders,
	database,
	prefix,
	concurrency,
	credentials,
	workflows,
}) {
	const shared = clusterEnv({ database, prefix });
	// Every port of the cluster at once (ports picked one by one may repeat: each is free again once checked).
	const ports = await freePorts(2 + 2 * folders.workers.length);
	const mainPort = ports.pop();
	const mainEnv = await n8nEnv(folders.main, {
		...shared,
		N8N_PORT: String(mainPort),
		N8N_LISTEN_ADDRESS: '127.0.0.1',
		N8N_RUNNERS_BROKER_PORT: String(ports.pop()),
	});
	const n8n = (args) =>
		mustRun(process.execPath, [N8N_BIN, ...args], {
			cwd: work,
			env: mainEnv,
			label: `n8n ${args.join(' ')}`,
		});
	const credentialsFile = path.join(work, 'credentials.json');
	fs.writeFileSync(credentialsFile, JSON.stringify(credentials));
	const workflowsFile = path.join(work, 'workflows.json');
	fs.writeFileSync(workflowsFile, JSON.stringify(workflows));
	// Workflows imported inactive, then published one by one (`import:workflow --activeState=fromJson` activates
	// as the instance owner, whom a fresh database does not have yet: "User attempted to activate a workflow
	// without permissions"). `publish:workflow` sets the workflow's active version, read by the main when it
	// starts. The two imports run at once (n8n's migration lock orders their migrations of the fresh database).
	const [importedCredentials, importedWorkflows] = await Promise.all([
		n8n(['import:credentials', `--input=${credentialsFile}`]),
		n8n(['import:workflow', `--input=${workflowsFile}`]),
	]);
	const publishStarted = Date.now();
	await Promise.all(workflows.map((wf) => n8n(['publish:workflow', `--id=${wf.id}`])));
	const publishMs = Date.now() - publishStarted;
	const imports = {
		credentials: importedCredentials.ms,
		workflows: importedWorkflows.ms,
		publish: publishMs,
	};

	const procs = [];
	const started = Date.now();
	try {
		const main = spawnN8n('main', ['start'], mainEnv, work);
		main.port = mainPort;
		procs.push(main);
		const workers = [];
		for (const [i, folder] of folders.workers.entries()) {
			const healthPort = ports.pop();
			const env = await n8nEnv(folder, {
				...shared,
				N8N_RUNNERS_BROKER_PORT: String(ports.pop()),
				QUEUE_HEALTH_CHECK_ACTIVE: 'true',
				QUEUE_HEALTH_CHECK_PORT: String(healthPort),
				N8N_WORKER_SERVER_ADDRESS: '127.0.0.1',
			});
			const worker = spawnN8n(
				`worker${i + 1}`,
				['worker', `--concurrency=${concurrency}`],
				env,
				work,
			);
			worker.healthPort = healthPort;
			procs.push(worker);
			workers.push(worker);
		}
		await waitReady(main, `http://127.0.0.1:${mainPort}/healthz/readiness`);
		for (const w of workers)
			await waitReady(w, `http://127.0.0.1:${w.healthPort}/healthz/readiness`);
		// Active workflows are activated after the server listens: wait for the main to say it is done.
		const deadline = Date.now() + READY_TIMEOUT;
		while (!/Editor is now accessible/.test(main.log())) {
			check(
				Date.now() < deadline && main.exit === undefined,
				`main did not finish starting:\n${main.tail()}`,
			);
			await new Promise((r) => setTimeout(r, 300));
		}
		const activated = main.log().match(/Activated workflow/g)?.length ?? 0;
		check(
			activated === workflows.length,
			`the main activated ${activated} of ${workflows.length} workflows:\n${main.tail()}`,
		);
		return {
			main,
			workers,
			imports,
			readyMs: Date.now() - started,
			webhook: (p) => `http://127.0.0.1:${mainPort}/webhook/${p}`,
			async stop() {
				for (const p of procs) p.kill('SIGKILL');
				await Promise.all(procs.map((p) => (p.exit === undefined ? p.exited : undefined)));
			},
		};
	} catch (err) {
		for (const p of procs) p.kill('SIGKILL');
		throw err;
	}
}

/**
 * The executions n8n recorded for `workflowId`: {id, status, startedAt, stoppedAt}, and with `withData` their
 * execution data as stored (text; the error message of a failed one is in it).
 */
async function executionsOf(database, workflowId, { withData = false } = {}) {
	const c = await pgClient(database);
	try {
		const { rows } = await c.query(
			`SELECT e.id, e.status, e."startedAt", e."stoppedAt"${withData ? ', d.data' : ''}
			 FROM execution_entity e${withData ? ' LEFT JOIN execution_data d ON d."executionId" = e.id' : ''}
			 WHERE e."workflowId" = $1 ORDER BY e.id`,
			[workflowId],
		);
		return rows.map((r) => ({
			id: String(r.id),
			status: r.status,
			startedAt: r.startedAt,
			stoppedAt: r.stoppedAt,
			data: r.data ?? '',
			error: errorOf(r.data),
		}));
	} finally {
		await c.end();
	}
}

/** The error message of stored execution data (n8n stores it `flatted`), if any. */
function errorOf(data) {
	if (!data) return undefined;
	try {
		const { parse } = require(path.join(HOST_DIR, 'node_modules', 'flatted'));
		return parse(data)?.resultData?.error?.message;
	} catch {
		return undefined;
	}
}

/** Execution id → the worker whose log says it started it (`Worker started execution <id>`). */
function executionPlaces(workers) {
	const places = new Map();
	for (const w of workers)
		for (const m of w.log().matchAll(/Worker started execution (\d+)/g)) {
			places.set(m[1], [...(places.get(m[1]) ?? []), w.name]);
		}
	return places;
}

module.exports = { startCluster, executionsOf, executionPlaces };
