/**
 * The e2e tier's plumbing: failures and checks, commands run without blocking the event loop (the sandboxes answer
 * n8n from this process) and killed on a time limit or when the script is interrupted, and the parsing of what
 * `n8n execute --rawOutput` prints.
 */
const { spawn } = require('node:child_process');
const path = require('node:path');
const { performance } = require('node:perf_hooks');

/** Time limit per command (ms). */
const COMMAND_TIMEOUT = 1000 * (Number(process.env.CRM_E2E_TIMEOUT_S) || 120);

class E2eFailure extends Error {}
const check = (condition, message) => {
	if (!condition) throw new E2eFailure(message);
};
const seconds = (ms) => `${(ms / 1000).toFixed(1)} s`;
const log = (line = '') => console.log(line);

/** Commands running now (each in its own process group), killed if this script is interrupted. */
const children = new Set();
for (const signal of ['SIGINT', 'SIGTERM']) {
	process.on(signal, () => {
		for (const child of children) {
			try {
				process.kill(-child.pid, 'SIGKILL');
			} catch {
				/* already gone */
			}
		}
		console.error(`e2e: interrupted (${signal})`);
		process.exit(130);
	});
}

/**
 * Runs a command without blocking the event loop (the sandboxes answer n8n from this process), in its own
 * process group so a timeout kills n8n and anything it started. Resolves with {code, stdout, stderr, ms}.
 */
function run(
	command,
	args,
	{
		cwd,
		env,
		timeout = COMMAND_TIMEOUT,
		label = `${path.basename(command)} ${args.join(' ')}`,
	} = {},
) {
	const started = performance.now();
	return new Promise((resolve, reject) => {
		const child = spawn(command, args, {
			cwd,
			env: env ?? process.env,
			stdio: ['ignore', 'pipe', 'pipe'],
			detached: true,
		});
		children.add(child);
		let stdout = '';
		let stderr = '';
		child.stdout.setEncoding('utf8').on('data', (d) => (stdout += d));
		child.stderr.setEncoding('utf8').on('data', (d) => (stderr += d));
		let timedOut = false;
		const timer = setTimeout(() => {
			timedOut = true;
			try {
				process.kill(-child.pid, 'SIGKILL');
			} catch {
				/* already gone */
			}
		}, timeout);
		child.on('error', (err) => {
			clearTimeout(timer);
			reject(err);
		});
		child.on('close', (code, signal) => {
			clearTimeout(timer);
			children.delete(child);
			const ms = performance.now() - started;
			if (timedOut)
				reject(
					new E2eFailure(`${label}: killed after ${seconds(timeout)}\n${tail(stdout + stderr)}`),
				);
			else resolve({ code: code ?? (signal ? 128 : 1), signal, stdout, stderr, ms });
		});
	});
}

const tail = (text, lines = 25) => text.trim().split('\n').slice(-lines).join('\n');

async function mustRun(command, args, options) {
	const result = await run(command, args, options);
	if (result.code !== 0) {
		throw new E2eFailure(
			`${options?.label ?? `${command} ${args.join(' ')}`} exited with ${result.code}\n${tail(result.stdout + '\n' + result.stderr)}`,
		);
	}
	return result;
}

/** A TCP port free on loopback right now. */
function freePort() {
	return new Promise((resolve, reject) => {
		const server = require('node:net').createServer();
		server.once('error', reject);
		server.listen(0, '127.0.0.1', () => {
			const { port } = server.address();
			server.close(() => resolve(port));
		});
	});
}

/** The JSON document `n8n execute --rawOutput` prints (log lines may surround it). */
function parseRawOutput(stdout) {
	const start = stdout.search(/^\{$/m);
	check(start >= 0, `n8n printed no execution data:\n${tail(stdout)}`);
	const rest = stdout.slice(start);
	const end = rest.search(/^\}$/m);
	// Seen once in a loaded run (2,000 items, several MB): say what arrived, to tell a truncated write from a format change.
	check(
		end >= 0,
		`n8n's execution data is cut off (${stdout.length} characters on stdout; its end: ${JSON.stringify(stdout.slice(-300))})`,
	);
	return JSON.parse(rest.slice(0, end + 1));
}

/** Items on output `index` of `node` in an n8n run (`IRun`). */
function outputOf(runData, node, index = 0) {
	const runs = runData.data.resultData.runData[node];
	check(runs?.length, `node "${node}" did not run`);
	return (runs[0].data?.main?.[index] ?? []).map((item) => item.json);
}

module.exports = {
	E2eFailure,
	check,
	seconds,
	log,
	tail,
	run,
	mustRun,
	freePort,
	parseRawOutput,
	outputOf,
};
