/**
 * The GraphQL API node's authentication through n8n's engine, with the REST node's credential types: an API key, an
 * OAuth2 client-credentials token (fetched once, reused) and a bearer token each reach the simulator as themselves;
 * no credential is refused with the server's 401; an endpoint on another host is refused before anything is sent.
 */
import type { INodeParameters } from 'n8n-workflow';

import { clearRateBudgets } from '../../../core/http/rateLimiter';
import { GraphqlSimulator } from '../../../sandbox/graphql';
import type { GraphqlSimContract } from '../../../sandbox/graphql/simulator';
import { credentialsFor, run } from './helpers';

const sim = new GraphqlSimulator({ rateLimit: false });
let contract: GraphqlSimContract;

beforeAll(async () => {
	contract = await sim.start();
});
afterAll(async () => {
	clearRateBudgets();
	await sim.stop();
});
beforeEach(() => sim.log.reset());

const viewer = (extra: INodeParameters = {}): INodeParameters => ({
	operation: 'execute',
	query: '{ viewer { subject authenticatedBy } }',
	recordsPath: 'data.viewer',
	...extra,
});

it.each([
	['apiKey', 'apiKey', 'api-key'],
	['clientCredentials', 'bearer', 'client:sandbox-graphql-client'],
	['bearerToken', 'bearer', 'user:sandbox'],
])('%s: the query runs as that credential', async (authentication, via, subject) => {
	const { ok, failed } = await run([{}, {}], viewer(), {
		authentication,
		credentials: credentialsFor(contract),
	});
	expect(failed).toEqual([]);
	expect(ok).toHaveLength(2);
	expect(ok[0]).toEqual({ authenticatedBy: via, subject });
	expect(sim.log.count({ kind: 'query', status: 200 })).toBe(2);
	// Client credentials: one token for both items.
	expect(sim.log.count({ kind: 'token' })).toBe(authentication === 'clientCredentials' ? 1 : 0);
});

it("the credential's Base URL as the endpoint itself (Endpoint URL empty)", async () => {
	const credentials = credentialsFor(contract);
	credentials.crmHttpApiKeyApi = { ...credentials.crmHttpApiKeyApi, baseUrl: contract.url };
	const { ok } = await run([{}], viewer({ endpoint: '' }), { credentials });
	expect(ok).toHaveLength(1);
	expect(sim.log.count({ kind: 'query', status: 200 })).toBe(1);
});

it('no credential: the 401 goes to the error output with the reason', async () => {
	const { ok, failed } = await run([{}], viewer({ endpoint: contract.url }), {
		authentication: 'none',
	});
	expect(ok).toEqual([]);
	expect(failed).toHaveLength(1);
	expect(failed[0].details).toEqual(expect.objectContaining({ status: 401 }));
	expect(String(failed[0].error)).toMatch(/401|UNAUTHENTICATED|authenticat/i);
});

it('an endpoint on another host is refused: the credential is never sent there', async () => {
	const { ok, failed } = await run([{}], viewer({ endpoint: 'http://other.invalid/graphql' }), {
		credentials: credentialsFor(contract),
	});
	expect(ok).toEqual([]);
	expect(String(failed[0].error)).toMatch(/credential is bound to/);
	expect(sim.log.count()).toBe(0);
});
