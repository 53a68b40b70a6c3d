/**
 * n8n's "Test" button on the generic HTTP credentials against a GraphQL API (the GraphQL simulator): with the Test Path
 * `/graphql?query=%7B__typename%7D` (a GET query) valid credentials pass and a wrong key is refused.
 */
import { clearRateBudgets } from '../../../core/http/rateLimiter';
import { GraphqlSimulator } from '../../../sandbox/graphql';
import type { GraphqlSimContract } from '../../../sandbox/graphql/simulator';
import { testCredential } from '../../helpers/credential-tester';
import { credentialsFor } from './helpers';

const OK = { status: 'OK', message: 'Connection successful!' };
const TEST_PATH = '/graphql?query=%7B__typename%7D';
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

it('API key, bearer token and client credentials pass with a GraphQL Test Path; each test is one GET query', async () => {
	const valid = credentialsFor(contract);
	for (const name of Object.keys(valid)) {
		const run = await testCredential(name, { ...valid[name], testPath: TEST_PATH });
		expect({ name, result: run.result }).toEqual({ name, result: OK });
	}
	// `{ __typename }` is answered by any GraphQL server; the simulator logs it as introspection.
	const queries = sim.log.entries({ kind: 'introspection' });
	expect(queries.map((e) => [e.method, e.status])).toEqual([
		['GET', 200],
		['GET', 200],
		['GET', 200],
	]);
});

it('a wrong API key is refused with the 401 hint', async () => {
	const run = await testCredential('crmHttpApiKeyApi', {
		...credentialsFor(contract).crmHttpApiKeyApi,
		apiKey: 'wrong-graphql-key',
		testPath: TEST_PATH,
	});
	expect(run.result.status).toBe('Error');
	expect(run.result.message).toBe(
		'The API refused the credential (HTTP 401): check the API key and where it is sent',
	);
});
