/** Shared helpers for the Salesforce simulator tests (jsforce as the client). */
import { Connection } from 'jsforce';
import {
	SalesforceSimulator,
	type SalesforceSimContract,
	type SalesforceSimulatorOptions,
} from '../../../sandbox/salesforce';

/** A started simulator and its contract. */
export interface StartedSf {
	sim: SalesforceSimulator;
	contract: SalesforceSimContract;
	/** A jsforce connection with the pre-issued access token (re-issued if a test expired it), API v62.0. */
	conn(): Connection;
}

/** Starts a simulator for a test file (call in `beforeAll`, stop in `afterAll`). */
export async function startSf(options: SalesforceSimulatorOptions = {}): Promise<StartedSf> {
	const sim = new SalesforceSimulator(options);
	const contract = await sim.start();
	return {
		sim,
		contract,
		conn: () =>
			new Connection({
				instanceUrl: contract.instanceUrl,
				accessToken: sim.contract().accessToken,
				version: '62.0',
			}),
	};
}

/** The `errorCode` and message of a jsforce rejection. */
export async function sfError(
	p: PromiseLike<unknown>,
): Promise<{ errorCode: string; message: string; data?: unknown }> {
	try {
		await p;
	} catch (err) {
		const e = err as { errorCode?: string; name?: string; message: string; data?: unknown };
		return { errorCode: e.errorCode ?? e.name ?? '', message: e.message, data: e.data };
	}
	throw new Error('expected the call to fail');
}
