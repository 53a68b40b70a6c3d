/**
 * GraphQL errors through n8n's engine: a query the server refuses goes to the error output with the server's message
 * and code; an operation that ran with an error keeps its partial data on the error item, with each error's path; the
 * Records Path picks the records of an answer; per-item variables by expression.
 */
import type { IDataObject } from 'n8n-workflow';

import { clearRateBudgets } from '../../../core/http/rateLimiter';
import { GraphqlSimulator } from '../../../sandbox/graphql';
import type { GraphqlSimContract } from '../../../sandbox/graphql/simulator';
import { credentialsFor, run } from './helpers';

const sim = new GraphqlSimulator({ records: { contacts: 30 }, rateLimit: false });
let contract: GraphqlSimContract;

beforeAll(async () => {
	contract = await sim.start();
});
afterAll(async () => {
	clearRateBudgets();
	await sim.stop();
});
beforeEach(() => sim.log.reset());

it('a query with an unknown field goes to the error output with the message; the other items run', async () => {
	const { ok, failed, failedItems } = await run(
		[{ field: 'email' }, { field: 'shoeSize' }, { field: 'lastName' }],
		{
			operation: 'execute',
			query: '={{ "{ contacts(first: 2) { nodes { id " + $json.field + " } } }" }}',
			recordsPath: 'data.contacts.nodes',
		},
		{ credentials: credentialsFor(contract) },
	);
	expect(failedItems).toEqual([1]);
	expect(failed[0].error).toMatch(
		/^GraphQL error: Cannot query field "shoeSize" on type "Contact"/,
	);
	expect(failed[0].details).toEqual(
		expect.objectContaining({ code: 'GRAPHQL_VALIDATION_FAILED', status: 400 }),
	);
	expect(ok).toHaveLength(4);
	expect(ok[0]).toEqual({ id: expect.any(String), email: expect.stringContaining('@') });
	expect(ok[2]).toEqual({ id: expect.any(String), lastName: expect.any(String) });
	expect(sim.log.count()).toBe(3);
});

it('errors with data: the error item names each message and path, and keeps the partial data', async () => {
	const { ok, failed } = await run(
		[{ good: 'partial.ok@example.com' }],
		{
			operation: 'execute',
			query: `mutation($good: String, $bad: String) {
				a: createContact(input: { email: $good }) { contact { id email } }
				b: createContact(input: { email: $bad }) { contact { id email } }
			}`,
			variables: '={{ { "good": $json.good, "bad": "nope" } }}',
		},
		{ credentials: credentialsFor(contract) },
	);
	expect(ok).toEqual([]);
	expect(failed[0].error).toMatch(
		/^GraphQL error: .*email "nope" is not a valid e-mail address.*at b/,
	);
	const details = failed[0].details as IDataObject;
	expect(details.code).toBe('BAD_USER_INPUT');
	expect(details.errors).toEqual([
		expect.objectContaining({ path: 'b', code: 'BAD_USER_INPUT', field: 'email' }),
	]);
	expect(details.data).toEqual({
		a: { contact: { id: expect.any(String), email: 'partial.ok@example.com' } },
		b: null,
	});
	expect(sim.contacts.count()).toBe(31);
});

it('variables per item; no Records Path gives the whole data; a wrong path says what data holds', async () => {
	const first = sim.contacts.list()[0].fields.email as string;
	const query = 'query($email: String) { contacts(filter: { email: $email }) { nodes { email } } }';
	const whole = await run(
		[{ email: first }],
		{
			operation: 'execute',
			query,
			variables: '={{ { "email": $json.email } }}',
		},
		{ credentials: credentialsFor(contract) },
	);
	expect(whole.ok).toEqual([{ contacts: { nodes: [{ email: first }] } }]);

	const wrong = await run(
		[{ email: first }],
		{
			operation: 'execute',
			query,
			variables: '={{ { "email": $json.email } }}',
			recordsPath: 'data.contact.nodes',
		},
		{ credentials: credentialsFor(contract) },
	);
	expect(wrong.failed[0].error).toMatch(
		/Records Path "data.contact.nodes" is not in the answer — data holds: contacts/,
	);
});

it('a mutation whose answer is lost is "outcome unknown", sent once', async () => {
	sim.faults.add({ type: 'drop', when: 'afterHandler', count: 1, match: { kinds: ['graphql'] } });
	const before = sim.contacts.count();
	const { ok, failed } = await run(
		[{ email: 'lost.answer@example.com' }],
		{
			operation: 'execute',
			query: 'mutation($input: ContactInput!) { createContact(input: $input) { contact { id } } }',
			variables: '={{ { "input": $json } }}',
		},
		{ credentials: credentialsFor(contract) },
	);
	expect(ok).toEqual([]);
	expect((failed[0].details as IDataObject).code).toBe('OUTCOME_UNKNOWN');
	expect(failed[0].error).toMatch(
		/^outcome unknown: the mutation was sent but its answer was lost/,
	);
	// The server applied it; the node did not send it again.
	expect(sim.contacts.count()).toBe(before + 1);
	expect(sim.log.count()).toBe(1);
});
