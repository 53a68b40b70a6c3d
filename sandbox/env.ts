/** Parsing of the sandbox CLI's environment variables. */
import type { LatencySetting } from './kit';

/** Settings read from the environment. */
export interface SandboxEnv {
	/** `SANDBOX_PORT_BASE` (0 = random ports). */
	portBase: number;
	/** `SANDBOX_SEED` (default 1). */
	seed: number;
	/** `SANDBOX_LATENCY_MS`: `50` or a range `20-80`. */
	latency?: LatencySetting;
}

function int(name: string, raw: string, min: number, max: number): number {
	if (!/^\d+$/.test(raw.trim()))
		throw new Error(`${name} must be an integer, got ${JSON.stringify(raw)}`);
	const n = Number(raw.trim());
	if (n < min || n > max) throw new Error(`${name} must be between ${min} and ${max}, got ${n}`);
	return n;
}

/** Reads `SANDBOX_PORT_BASE`, `SANDBOX_SEED` and `SANDBOX_LATENCY_MS`; throws with a clear message on bad values. */
export function parseSandboxEnv(env: Record<string, string | undefined>): SandboxEnv {
	const out: SandboxEnv = { portBase: 0, seed: 1 };
	const port = env.SANDBOX_PORT_BASE;
	if (port !== undefined && port.trim() !== '')
		out.portBase = int('SANDBOX_PORT_BASE', port, 0, 65531);
	const seed = env.SANDBOX_SEED;
	if (seed !== undefined && seed.trim() !== '')
		out.seed = int('SANDBOX_SEED', seed, 0, 2 ** 32 - 1);
	const latency = env.SANDBOX_LATENCY_MS;
	if (latency !== undefined && latency.trim() !== '') {
		const range = /^\s*(\d+)\s*-\s*(\d+)\s*$/.exec(latency);
		if (range) {
			const minMs = Number(range[1]);
			const maxMs = Number(range[2]);
			if (maxMs < minMs)
				throw new Error(`SANDBOX_LATENCY_MS range must be min-max, got ${latency}`);
			out.latency = { minMs, maxMs };
		} else {
			out.latency = int('SANDBOX_LATENCY_MS', latency, 0, 600_000);
		}
	}
	return out;
}
