/**
 * Get Many (Relay Pagination) through n8n's engine against the GraphQL simulator: 5,000 contacts in 50 requests of
 * 100 (counted in the simulator's log), edges or nodes, Max Records ending the read without a further request, and
 * a query that does not declare its cursor variable refused before any request.
 */
import type { IDataObject, INodeParameters } from 'n8n-workflow';

import { clearRateBudgets } from '../../../core/http/rateLimiter';
import { GraphqlSimulator } from '../../../sandbox/graphql';
import type { GraphqlSimContract } from '../../../sandbox/graphql/simulator';
import { CONTACTS_QUERY, credentialsFor, run } from './helpers';

const sim = new GraphqlSimulator({ records: { contacts: 5000 }, rateLimit: false });
let contract: GraphqlSimContract;

beforeAll(async () => {
	contract = await sim.start();
});
afterAll(async () => {
	clearRateBudgets();
	await sim.stop();
});
beforeEach(() => sim.log.reset());

const read = (parameters: INodeParameters) =>
	run(
		[{}],
		{
			operation: 'getMany',
			query: CONTACTS_QUERY,
			connectionPath: 'data.contacts',
			nodesPath: 'edges.node',
			cursorVariable: 'after',
			pageSizeVariable: 'first',
			pageSize: 100,
			...parameters,
		},
		{ credentials: credentialsFor(contract) },
	);

function expectAllContacts(ok: IDataObject[]): void {
	expect(ok).toHaveLength(5000);
	expect(new Set(ok.map((r) => r.id)).size).toBe(5000);
	expect(ok[0]).toEqual(expect.objectContaining({ email: expect.stringContaining('@') }));
	// In the store's order: the first and the last contact of the simulator.
	expect(ok[0].email).toBe(sim.contacts.list()[0].fields.email);
	expect(ok[4999].email).toBe(sim.contacts.list()[4999].fields.email);
}

it('5,000 contacts through edges.node: 50 requests of 100', async () => {
	const { ok, failed } = await read({});
	expect(failed).toEqual([]);
	expectAllContacts(ok);
	expect(sim.log.count({ kind: 'query' })).toBe(50);
	expect(sim.log.count()).toBe(50);
});

it('the same through nodes', async () => {
	const { ok } = await read({
		query:
			'query($first: Int, $after: String) { contacts(first: $first, after: $after) { nodes { id email } pageInfo { hasNextPage endCursor } } }',
		connectionPath: 'contacts',
		nodesPath: 'nodes',
	});
	expectAllContacts(ok);
	expect(sim.log.count({ kind: 'query' })).toBe(50);
});

it('Max Records 250 stops after the third page', async () => {
	const { ok } = await read({ maxRecords: 250 });
	expect(ok).toHaveLength(250);
	expect(sim.log.count({ kind: 'query' })).toBe(3);
});

it('a query without the cursor variable is refused before any request, naming the variable', async () => {
	const { ok, failed } = await read({
		query:
			'query($first: Int) { contacts(first: $first) { nodes { id } pageInfo { hasNextPage endCursor } } }',
		nodesPath: 'nodes',
	});
	expect(ok).toEqual([]);
	expect(String(failed[0].error)).toMatch(
		/The query does not declare \$after \(the Cursor Variable\)/,
	);
	expect(sim.log.count()).toBe(0);
});
