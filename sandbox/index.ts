/**
 * The sandbox: local, faithful simulators of the CRM APIs, for tests, the demo and users' dry runs.
 * Importing this module registers every simulator that exists.
 */
import { RestSimulator } from './rest';
import { registerSimulator } from './registry';

export * from './contract';
export * from './registry';
export { RestSimulator, DEFAULT_REST_API_KEY, type RestSimulatorOptions, type BatchMode } from './rest';

/** Sample records the REST simulator starts with under `startSandboxes()`. */
export const REST_SEED_COUNTS = { companies: 20, contacts: 200 };

registerSimulator({
	key: 'rest',
	async start(options) {
		const sim = new RestSimulator({
			port: options.port,
			seed: options.seed,
			latency: options.latency,
			clock: options.clock,
			records: REST_SEED_COUNTS,
		});
		const contract = await sim.start();
		return { contract, instance: sim, stop: () => sim.stop() };
	},
});
