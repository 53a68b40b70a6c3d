/**
 * The simulator registry and `startSandboxes()`. Each simulator registers a factory under its contract
 * key; starting the sandbox starts every registered simulator (or a chosen subset) on loopback.
 */
import type { Clock, LatencySetting } from './kit';
import { PORT_OFFSETS, type SandboxContract, type SandboxKey } from './contract';

/** Settings passed to every simulator factory. */
export interface SimulatorStartOptions {
	/** Port to listen on (0 = random free port). */
	port: number;
	seed: number;
	latency?: LatencySetting;
	clock?: Clock;
}

/** A started simulator. */
export interface RunningSimulator<C, I = unknown> {
	contract: C;
	/** The simulator object (for in-process control in tests: store, faults, log, …). */
	instance: I;
	stop(): Promise<void>;
}

/** How to start one simulator. */
export interface SimulatorFactory<K extends SandboxKey = SandboxKey, I = unknown> {
	key: K;
	start(
		options: SimulatorStartOptions,
	): Promise<RunningSimulator<NonNullable<SandboxContract[K]>, I>>;
}

const registry = new Map<SandboxKey, SimulatorFactory>();

/** Registers (or replaces) the factory for a contract key. */
export function registerSimulator<K extends SandboxKey, I>(factory: SimulatorFactory<K, I>): void {
	registry.set(factory.key, factory as unknown as SimulatorFactory);
}

/** The registered keys, in contract order. */
export function registeredSimulators(): SandboxKey[] {
	return (Object.keys(PORT_OFFSETS) as SandboxKey[]).filter((k) => registry.has(k));
}

/** Options for {@link startSandboxes}. */
export interface StartSandboxesOptions {
	/**
	 * First port; each simulator listens on `portBase + PORT_OFFSETS[key]`. 0 or absent = random ports.
	 */
	portBase?: number;
	/** Seed for sample data and randomness (default 1). */
	seed?: number;
	latency?: LatencySetting;
	clock?: Clock;
	/** Start only these simulators (default all registered). */
	only?: SandboxKey[];
}

/** Started simulators. */
export interface RunningSandboxes {
	/** The contract object (what the CLI prints). */
	contract: SandboxContract;
	/** The simulator objects by key (e.g. `instances.rest` is a `RestSimulator`). */
	instances: Partial<Record<SandboxKey, unknown>>;
	/** Stops every simulator. */
	stop(): Promise<void>;
}

/** Starts every registered simulator (or `only` those) and returns the contract. */
export async function startSandboxes(
	options: StartSandboxesOptions = {},
): Promise<RunningSandboxes> {
	const portBase = options.portBase ?? 0;
	if (!(Number.isInteger(portBase) && portBase >= 0 && portBase <= 65535 - 4)) {
		throw new RangeError(`portBase must be an integer between 0 and 65531: ${portBase}`);
	}
	const keys = options.only ?? registeredSimulators();
	const contract: SandboxContract = {};
	const instances: Partial<Record<SandboxKey, unknown>> = {};
	const running: Array<RunningSimulator<unknown>> = [];
	const stopAll = async () => {
		const all = running.splice(0).reverse();
		await Promise.all(all.map((r) => r.stop()));
	};
	try {
		for (const key of keys) {
			const factory = registry.get(key);
			if (!factory) throw new Error(`No simulator registered for "${key}"`);
			const started = await factory.start({
				port: portBase === 0 ? 0 : portBase + PORT_OFFSETS[key],
				seed: options.seed ?? 1,
				latency: options.latency,
				clock: options.clock,
			});
			running.push(started);
			(contract as Record<string, unknown>)[key] = started.contract;
			instances[key] = started.instance;
		}
	} catch (err) {
		await stopAll();
		throw err;
	}
	return { contract, instances, stop: stopAll };
}
