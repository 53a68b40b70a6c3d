/**
 * The sandbox: local, faithful simulators of the CRM APIs, for tests, the demo and users' dry runs.
 * Importing this module registers every simulator that exists.
 */
import { DynamicsSimulator } from './dynamics';
import { GraphqlSimulator } from './graphql';
import { HubSpotSimulator } from './hubspot';
import { RestSimulator } from './rest';
import { SalesforceSimulator } from './salesforce';
import { registerSimulator } from './registry';

export * from './contract';
export * from './registry';
export {
	HubSpotSimulator,
	DEFAULT_HUBSPOT_RATE_LIMITS,
	type HubSpotSimulatorOptions,
	type HubSpotRateLimits,
	type HubSpotBatchMode,
} from './hubspot';
export {
	DynamicsSimulator,
	MAX_PAGE_SIZE as DYNAMICS_MAX_PAGE_SIZE,
	type DynamicsSimulatorOptions,
} from './dynamics';
export {
	RestSimulator,
	DEFAULT_REST_API_KEY,
	type RestSimulatorOptions,
	type BatchMode,
} from './rest';
export {
	GraphqlSimulator,
	DEFAULT_GRAPHQL_API_KEY,
	DEFAULT_GRAPHQL_LIMITS,
	DEFAULT_GRAPHQL_TOKEN,
	type GraphqlSimulatorOptions,
	type GraphqlLimits,
} from './graphql';
export {
	SalesforceSimulator,
	SF_API_VERSION,
	SF_DEFAULTS,
	type SalesforceSimulatorOptions,
	type SalesforceSimContract,
} from './salesforce';

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

/** Sample records the HubSpot simulator starts with under `startSandboxes()`. */
export const HUBSPOT_SEED_COUNTS = { companies: 20, contacts: 200, deals: 50 };

registerSimulator({
	key: 'hubspot',
	async start(options) {
		const sim = new HubSpotSimulator({
			port: options.port,
			seed: options.seed,
			latency: options.latency,
			clock: options.clock,
			records: HUBSPOT_SEED_COUNTS,
		});
		const contract = await sim.start();
		return { contract, instance: sim, stop: () => sim.stop() };
	},
});

/** Sample records the Salesforce simulator starts with under `startSandboxes()`. */
export const SALESFORCE_SEED_COUNTS = {
	accounts: 20,
	contacts: 200,
	leads: 50,
	opportunities: 30,
	cases: 20,
	tasks: 20,
	invoices: 20,
};

registerSimulator({
	key: 'salesforce',
	async start(options) {
		const sim = new SalesforceSimulator({
			port: options.port,
			seed: options.seed,
			latency: options.latency,
			clock: options.clock,
			records: SALESFORCE_SEED_COUNTS,
		});
		const contract = await sim.start();
		return { contract, instance: sim, stop: () => sim.stop() };
	},
});

/** Sample records the Dataverse simulator starts with under `startSandboxes()`. */
export const DYNAMICS_SEED_COUNTS = { accounts: 50, contacts: 300, projects: 20 };

registerSimulator({
	key: 'dynamics',
	async start(options) {
		const sim = new DynamicsSimulator({
			port: options.port,
			seed: options.seed,
			latency: options.latency,
			clock: options.clock,
			records: DYNAMICS_SEED_COUNTS,
		});
		const contract = await sim.start();
		return { contract, instance: sim, stop: () => sim.stop() };
	},
});

/** Sample records the GraphQL simulator starts with under `startSandboxes()`. */
export const GRAPHQL_SEED_COUNTS = { companies: 20, contacts: 200 };

registerSimulator({
	key: 'graphql',
	async start(options) {
		const sim = new GraphqlSimulator({
			port: options.port,
			seed: options.seed,
			latency: options.latency,
			clock: options.clock,
			records: GRAPHQL_SEED_COUNTS,
		});
		const contract = await sim.start();
		return { contract, instance: sim, stop: () => sim.stop() };
	},
});
