/** Shared setup for the HubSpot simulator tests: a started simulator and `@hubspot/api-client` clients on it. */
import { Client } from '@hubspot/api-client';
import {
	HubSpotSimulator,
	type HubSpotContract,
	type HubSpotSimulatorOptions,
} from '../../../sandbox';

/** A HubSpot client on the simulator with the client's own retries off. */
export function hubspotClient(
	contract: HubSpotContract,
	accessToken = contract.accessToken,
): Client {
	return new Client({ accessToken, basePath: contract.baseUrl, numberOfApiCallRetries: 0 });
}

/** The error an `@hubspot/api-client` call rejected with: HTTP status and the parsed HubSpot error body. */
export async function failure(
	p: Promise<unknown>,
): Promise<{ code: number; body: Record<string, unknown>; headers: Record<string, string> }> {
	try {
		await p;
	} catch (err) {
		const e = err as { code?: number; body?: unknown; headers?: Record<string, string> };
		if (typeof e.code !== 'number') throw err;
		const body =
			typeof e.body === 'string'
				? (JSON.parse(e.body) as Record<string, unknown>)
				: ((e.body ?? {}) as Record<string, unknown>);
		return { code: e.code, body, headers: e.headers ?? {} };
	}
	throw new Error('expected the call to fail');
}

/** Starts a simulator for a test file. */
export function useSimulator(options: HubSpotSimulatorOptions = {}): {
	sim: HubSpotSimulator;
	contract: () => HubSpotContract;
	client: () => Client;
} {
	const sim = new HubSpotSimulator({ rateLimits: false, ...options });
	let contract: HubSpotContract;
	beforeAll(async () => {
		contract = await sim.start();
	});
	afterAll(() => sim.stop());
	return { sim, contract: () => contract, client: () => hubspotClient(contract) };
}
