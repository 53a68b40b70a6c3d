/**
 * `npm run sandbox`: starts every simulator on loopback, prints exactly one JSON line (the sandbox
 * contract) to stdout, logs only to stderr, and runs until SIGINT/SIGTERM.
 *
 * Environment: `SANDBOX_PORT_BASE` (0/absent = random ports), `SANDBOX_SEED`, `SANDBOX_LATENCY_MS`
 * (`50` or `20-80`).
 */
import { parseSandboxEnv } from './env';
import { startSandboxes, type RunningSandboxes } from './index';

/** Where the CLI writes (injectable for tests). */
export interface CliIo {
	env: Record<string, string | undefined>;
	stdout: (text: string) => void;
	stderr: (text: string) => void;
}

/** Starts the sandboxes and prints the contract line; returns the running sandboxes. */
export async function runCli(io: CliIo): Promise<RunningSandboxes> {
	const env = parseSandboxEnv(io.env);
	const running = await startSandboxes({
		portBase: env.portBase,
		seed: env.seed,
		latency: env.latency,
	});
	io.stdout(JSON.stringify(running.contract) + '\n');
	for (const [key, value] of Object.entries(running.contract)) {
		io.stderr(`[sandbox] ${key} ready: ${JSON.stringify(value)}\n`);
	}
	return running;
}

async function main(): Promise<void> {
	const stderr = (text: string) => process.stderr.write(text);
	let running: RunningSandboxes;
	try {
		running = await runCli({ env: process.env, stdout: (t) => process.stdout.write(t), stderr });
	} catch (err) {
		stderr(`[sandbox] failed to start: ${err instanceof Error ? err.message : String(err)}\n`);
		process.exit(1);
	}
	let stopping = false;
	const shutdown = (signal: string) => {
		if (stopping) return;
		stopping = true;
		stderr(`[sandbox] ${signal}: stopping\n`);
		running.stop().then(
			() => process.exit(0),
			(err: unknown) => {
				stderr(`[sandbox] stop failed: ${String(err)}\n`);
				process.exit(1);
			},
		);
	};
	process.once('SIGINT', () => shutdown('SIGINT'));
	process.once('SIGTERM', () => shutdown('SIGTERM'));
}

if (require.main === module) void main();
