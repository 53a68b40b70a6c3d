/**
 * n8n's "Test" button on the generic HTTP credential types (REST API / GraphQL nodes), as n8n performs it (see
 * test/helpers/credential-tester.ts), against the REST simulator: valid data passes, wrong secrets fail with a message
 * that says what to check and never contains the secret; the client-credentials token comes from our core's cache.
 */
import { clearRateBudgets } from '../../../core/http/rateLimiter';
import { RestSimulator, type RestContract } from '../../../sandbox';
import { type CredentialTestRun, testCredential } from '../../helpers/credential-tester';
import { restFixtures } from '../credentials/restFixtures';

const OK = { status: 'OK', message: 'Connection successful!' };
const sim = new RestSimulator({ rateLimit: false });
let contract: RestContract;
const valid = restFixtures(() => contract);

beforeAll(async () => {
	contract = await sim.start();
});
afterAll(async () => {
	clearRateBudgets();
	await sim.stop();
});
beforeEach(() => sim.log.reset());

function visible(run: CredentialTestRun): string {
	const e = (run.error ?? {}) as { message?: unknown; description?: unknown; stack?: unknown };
	return [run.result.message, e.message, e.description, e.stack].map(String).join('\n');
}

it('every type passes with valid data, each test request reaching the Test Path as its principal', async () => {
	for (const name of Object.keys(valid)) {
		const run = await testCredential(name, await valid[name]());
		expect({ name, result: run.result }).toEqual({ name, result: OK });
	}
	expect(sim.log.count({ kind: 'me', status: 200 })).toBe(5);
});

it('a wrong API key says to check the key, and does not show it', async () => {
	const wrong = 'wrong-api-key-for-the-test';
	const run = await testCredential('crmHttpApiKeyApi', {
		...(await valid.crmHttpApiKeyApi()),
		apiKey: wrong,
	});
	expect(run.result.status).toBe('Error');
	expect(run.result.message).toBe(
		'The API refused the credential (HTTP 401): check the API key and where it is sent',
	);
	expect(visible(run)).not.toContain(wrong);
});

it('a wrong password fails with the user-and-password hint, without the password', async () => {
	const wrong = 'not-the-password-123';
	const run = await testCredential('crmHttpBasicAuthApi', {
		...(await valid.crmHttpBasicAuthApi()),
		password: wrong,
	});
	expect(run.result.message).toMatch(/HTTP 401\): check the user and password/);
	expect(visible(run)).not.toContain(wrong);
});

it('client credentials: the token is fetched once and reused by the next test; a wrong secret names the token endpoint reason', async () => {
	// (A distinct audience: a token of the first test is cached under the other settings.)
	const data = {
		...(await valid.crmHttpClientCredentialsOAuth2Api()),
		audience: 'credential-test',
	};
	expect((await testCredential('crmHttpClientCredentialsOAuth2Api', data)).result).toEqual(OK);
	expect((await testCredential('crmHttpClientCredentialsOAuth2Api', data)).result).toEqual(OK);
	expect(sim.log.count({ kind: 'token' })).toBe(1);

	const wrong = 'not-the-client-secret-77';
	const run = await testCredential('crmHttpClientCredentialsOAuth2Api', {
		...data,
		clientSecret: wrong,
	});
	expect(run.result.status).toBe('Error');
	expect(run.result.message).toMatch(
		/OAuth2 client credentials token request rejected: invalid_client/,
	);
	expect(visible(run)).not.toContain(wrong);
	expect(sim.log.count({ kind: 'me' })).toBe(2); // the refused credential never reached the API
});
