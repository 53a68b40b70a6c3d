/** Shared helpers for the Dataverse simulator tests (dynamics-web-api as the client). */
import { DynamicsWebApi } from 'dynamics-web-api';
import {
	DynamicsSimulator,
	type DynamicsSimContract,
	type DynamicsSimulatorOptions,
} from '../../../sandbox/dynamics';
import { client } from '../helpers';

/** A started simulator, its contract and a dynamics-web-api client whose tokens come from the token endpoint. */
export interface StartedDv {
	sim: DynamicsSimulator;
	contract: DynamicsSimContract;
	api: DynamicsWebApi;
	/** How many tokens the client fetched. */
	tokensFetched: () => number;
}

/** Fetches a client-credentials token from the simulator's token endpoint, as an app would from Entra ID. */
export async function fetchToken(c: DynamicsSimContract): Promise<string> {
	const res = await client(c.tokenUrl).post(
		'',
		new URLSearchParams({
			grant_type: 'client_credentials',
			client_id: c.clientId,
			client_secret: c.clientSecret,
			scope: c.scope,
		}).toString(),
		{ headers: { 'Content-Type': 'application/x-www-form-urlencoded' } },
	);
	if (res.status !== 200) throw new Error(`token endpoint answered ${res.status}`);
	return (res.data as { access_token: string }).access_token;
}

/** Starts a simulator for a test file (call in `beforeAll`, stop in `afterAll`). */
export async function startDv(options: DynamicsSimulatorOptions = {}): Promise<StartedDv> {
	const sim = new DynamicsSimulator(options);
	const contract = await sim.start();
	let fetched = 0;
	let token: string | undefined;
	const api = new DynamicsWebApi({
		serverUrl: contract.serverUrl,
		propagateErrors: true,
		onTokenRefresh: async () => {
			if (!token) {
				token = await fetchToken(contract);
				fetched++;
			}
			return token;
		},
	});
	return { sim, contract, api, tokensFetched: () => fetched };
}

/** The status and Dataverse error of a rejected dynamics-web-api call. */
export async function dvError(
	p: PromiseLike<unknown>,
): Promise<{ status?: number; code?: string; message: string }> {
	try {
		await p;
	} catch (err) {
		const e = err as { status?: number; code?: string; message: string };
		return { status: e.status, code: e.code, message: e.message };
	}
	throw new Error('expected the call to fail');
}
