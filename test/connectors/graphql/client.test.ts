/**
 * The core GraphQL client against the GraphQL simulator: Relay pagination, queries, auth and rate limits — counting
 * the requests the simulator logged.
 */
import { fetchSchema, paginateConnection, rootFields } from '../../../core/graphql';
import { BearerAuth, OAuth2ClientCredentialsAuth } from '../../../core/http/auth';
import { isCrmError } from '../../../core/http/errors';
import { ManualClock } from '../../../sandbox/kit';
import { startGqlWorld, type GqlWorld } from './helpers';

const CONTACTS_PAGE = `query Contacts($first: Int, $after: String) {
	contacts(first: $first, after: $after) {
		# the cursor lives on each edge; pageInfo says where to go on
		edges { cursor node { id email } }
		pageInfo { hasNextPage endCursor }
	}
}`;

describe('GraphQL client: reads', () => {
	let w: GqlWorld;
	beforeAll(async () => {
		w = await startGqlWorld({ records: { companies: 10, contacts: 5000 } });
	});
	afterAll(() => w.sim.stop());

	it('reads 5,000 contacts through Relay pagination in 50 requests of 100', async () => {
		const before = w.count('query');
		const nodes = paginateConnection<{ id: string; email: string }>(w.client(), {
			query: CONTACTS_PAGE,
			connectionPath: 'data.contacts',
			pageSizeVariable: 'first',
			pageSize: 100,
		});
		const ids = new Set<string>();
		for await (const node of nodes) ids.add(node.id);
		expect(ids.size).toBe(5000);
		expect(w.sim.contacts.count()).toBe(5000);
		expect(nodes.pages).toBe(50);
		expect(w.count('query') - before).toBe(50);
	});

	it('reads `nodes` with a custom cursor variable and stops at maxItems without fetching more', async () => {
		const before = w.count('query');
		const nodes = paginateConnection<{ name: string }>(w.client(), {
			query:
				'query($cursor: String) { companies(first: 4, after: $cursor) { nodes { name } pageInfo { hasNextPage endCursor } } }',
			connectionPath: 'companies',
			nodesPath: 'nodes',
			cursorVariable: 'cursor',
			maxItems: 6,
		});
		const names: string[] = [];
		for await (const n of nodes) names.push(n.name);
		expect(names).toHaveLength(6);
		expect(new Set(names).size).toBe(6);
		expect(w.count('query') - before).toBe(2);
	});

	it('a wrong connection path or a page over the server maximum is a clear error', async () => {
		const wrong = paginateConnection(w.client(), {
			query: CONTACTS_PAGE,
			connectionPath: 'people',
		});
		await expect(wrong[Symbol.asyncIterator]().next()).rejects.toThrow(
			/no connection at data\.people/,
		);
		const tooBig = paginateConnection(w.client(), {
			query: CONTACTS_PAGE,
			connectionPath: 'contacts',
			pageSizeVariable: 'first',
			pageSize: 500,
		});
		const err = await tooBig[Symbol.asyncIterator]()
			.next()
			.catch((e: unknown) => e);
		expect(isCrmError(err) && err.kind).toBe('validation');
		expect((err as Error).message).toMatch(
			/`first` must be between 0 and 100\. \(BAD_USER_INPUT at contacts\)/,
		);
	});

	it('reads the schema by introspection: root fields, their arguments and which return connections', async () => {
		const schema = await fetchSchema(w.client());
		const queries = rootFields(schema, 'query');
		expect(queries.find((f) => f.name === 'contacts')).toMatchObject({
			type: 'ContactConnection',
			connection: { nodesPath: 'edges.node', cursorArgument: 'after' },
			args: expect.arrayContaining([{ name: 'first', type: 'Int' }]),
		});
		expect(queries.filter((f) => f.connection).map((f) => f.name)).toEqual([
			'contacts',
			'companies',
			'deletedContacts',
		]);
		expect(rootFields(schema, 'mutation').map((f) => `${f.name}:${f.type}`)).toEqual([
			'createContact:CreateContactPayload',
			'updateContact:UpdateContactPayload',
			'upsertContact:UpsertContactPayload',
			'deleteContact:DeleteContactPayload',
		]);
	});

	it('query() throws on GraphQL errors; execute() keeps partial data', async () => {
		// Contact.company is nullable: the error inside it nulls only that field.
		const doc = `{ ok: viewer { subject }
			bad: contact(id: "${Buffer.from('Contact:1').toString('base64')}") { company { contacts(first: 101) { totalCount } } } }`;
		await expect(w.client().query({ query: doc })).rejects.toThrow(/GraphQL error: .*first/);
		const partial = await w.client().execute({ query: doc });
		expect(partial.data).toEqual({ ok: { subject: 'api-key' }, bad: { company: null } });
		expect(partial.errors?.[0].path).toEqual(['bad', 'company', 'contacts']);
	});
});

describe('GraphQL client: auth and rate limits', () => {
	const clock = new ManualClock(Date.UTC(2024, 5, 1));
	let w: GqlWorld;
	beforeAll(async () => {
		w = await startGqlWorld({ clock, records: { contacts: 3 } });
	});
	afterAll(() => w.sim.stop());
	afterEach(() => w.sim.setRateLimit(false));

	it('API key, static bearer token and OAuth2 client credentials all work', async () => {
		const viewer = '{ viewer { subject authenticatedBy } }';
		expect(await w.client().query({ query: viewer })).toEqual({
			viewer: { subject: 'api-key', authenticatedBy: 'apiKey' },
		});
		expect(
			await w.client(new BearerAuth({ token: w.contract.token })).query({ query: viewer }),
		).toEqual({
			viewer: { subject: 'user:sandbox', authenticatedBy: 'bearer' },
		});
		const oauth = new OAuth2ClientCredentialsAuth({
			tokenUrl: w.contract.tokenUrl,
			clientId: w.contract.clientId,
			clientSecret: w.contract.clientSecret,
			now: () => clock.now(),
		});
		const client = w.client(oauth);
		const tokensBefore = w.count('token');
		expect(await client.query({ query: viewer })).toEqual({
			viewer: { subject: `client:${w.contract.clientId}`, authenticatedBy: 'bearer' },
		});
		await client.query({ query: viewer });
		expect(w.count('token') - tokensBefore).toBe(1);
		const denied = await w
			.client(new BearerAuth({ token: 'wrong-token' }))
			.query({ query: viewer })
			.catch((e) => e);
		expect(isCrmError(denied) && denied.kind).toBe('authentication');
	});

	it('an expired client-credentials token (401) is renewed once and the query sent again', async () => {
		const client = w.client(
			new OAuth2ClientCredentialsAuth({
				tokenUrl: w.contract.tokenUrl,
				clientId: w.contract.clientId,
				clientSecret: w.contract.clientSecret,
				now: () => clock.now(),
			}),
		);
		const q = { query: '{ contacts { totalCount } }' };
		await client.query(q);
		const before = { tokens: w.count('token'), unauthorized: w.sim.log.count({ status: 401 }) };
		expect(w.sim.faults.expireTokens()).toBeGreaterThanOrEqual(1);
		expect(await client.query(q)).toEqual({ contacts: { totalCount: 3 } });
		expect(w.count('token') - before.tokens).toBe(1);
		expect(w.sim.log.count({ status: 401 }) - before.unauthorized).toBe(1);
		// the personal access token does not expire
		const pat = w.client(new BearerAuth({ token: w.contract.token }));
		expect(await pat.query(q)).toEqual({ contacts: { totalCount: 3 } });
	});

	it('a 429 with Retry-After is waited out (the window really passes) and the query succeeds', async () => {
		w.sim.setRateLimit({ limit: 2, windowMs: 30_000 });
		const client = w.client();
		w.sleeps.length = 0;
		const before = w.sim.log.count({ status: 429 });
		for (let i = 0; i < 3; i++) await client.query({ query: '{ contacts { totalCount } }' });
		expect(w.sim.log.count({ status: 429 }) - before).toBe(1);
		expect(w.sleeps).toHaveLength(1);
		expect(w.sleeps[0]).toBeGreaterThanOrEqual(30_000);
	});
});
