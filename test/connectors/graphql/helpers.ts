/** Starts the GraphQL simulator and builds core GraphQL clients over it (rate budget off, sleeps recorded). */
import { GraphqlClient } from '../../../core/graphql';
import { HttpClient, type HttpClientOptions } from '../../../core/http/client';
import { ApiKeyAuth, type AuthProvider } from '../../../core/http/auth';
import { GraphqlSimulator, type GraphqlSimulatorOptions } from '../../../sandbox/graphql';
import { ManualClock } from '../../../sandbox/kit';
import type { GraphqlSimContract } from '../../../sandbox/graphql/simulator';

export interface GqlWorld {
	sim: GraphqlSimulator;
	contract: GraphqlSimContract;
	/** Waits the retry policy asked for, in ms (no real waiting; a manual clock is moved on instead). */
	sleeps: number[];
	/** A client over the simulator (API key by default). */
	client(auth?: AuthProvider, extra?: Partial<HttpClientOptions>): GraphqlClient;
	/** Requests the simulator logged with this kind (`query`, `mutation`, `token`, …). */
	count(kind: string): number;
}

export async function startGqlWorld(options: GraphqlSimulatorOptions = {}): Promise<GqlWorld> {
	const sim = new GraphqlSimulator({ rateLimit: false, ...options });
	const contract = await sim.start();
	const sleeps: number[] = [];
	// With a manual clock, a wait moves the simulator's time: its rate-limit window really passes.
	const manual = options.clock instanceof ManualClock ? options.clock : undefined;
	const client = (auth?: AuthProvider, extra: Partial<HttpClientOptions> = {}) =>
		new GraphqlClient({
			throttle: {
				sleep: async (ms) => {
					sleeps.push(ms);
					manual?.advance(ms);
				},
				now: () => (manual ? manual.now() : Date.now()),
			},
			http: new HttpClient({
				baseUrl: contract.url,
				auth: auth ?? new ApiKeyAuth({ key: contract.apiKey }),
				rateLimit: false,
				retry: {
					maxAttempts: 3,
					baseDelayMs: 1,
					sleep: async (ms) => {
						sleeps.push(ms);
						manual?.advance(ms);
					},
				},
				...extra,
			}),
		});
	return { sim, contract, sleeps, client, count: (kind) => sim.log.count({ kind }) };
}
