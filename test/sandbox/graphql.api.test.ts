/**
 * The GraphQL simulator through a standard client-side path: graphql-js introspection over HTTP
 * (`getIntrospectionQuery` → `buildClientSchema`) and plain `fetch`, counting what the store holds.
 */
import {
	buildClientSchema,
	getIntrospectionQuery,
	printSchema,
	type IntrospectionQuery,
} from 'graphql';
import { GraphqlSimulator, type GraphqlContract } from '../../sandbox';
import { ManualClock } from '../../sandbox/kit';

const T0 = Date.UTC(2024, 2, 1, 9, 0, 0);

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- JSON bodies navigated in assertions
type Json = any;

interface GqlBody {
	data?: Record<string, Json> | null;
	errors?: Array<{
		message: string;
		path?: Array<string | number>;
		extensions?: Record<string, Json>;
	}>;
}

describe('GraphQL simulator API', () => {
	const clock = new ManualClock(T0);
	const sim = new GraphqlSimulator({
		clock,
		records: { companies: 5, contacts: 250 },
		rateLimit: false,
	});
	let contract: GraphqlContract;

	const post = async (
		query: string,
		variables?: Record<string, unknown>,
		headers: Record<string, string> = { 'X-API-Key': contract.apiKey },
	): Promise<{ status: number; body: GqlBody; headers: Headers }> => {
		const res = await fetch(contract.url, {
			method: 'POST',
			headers: { 'Content-Type': 'application/json', ...headers },
			body: JSON.stringify({ query, variables }),
		});
		return { status: res.status, body: (await res.json()) as GqlBody, headers: res.headers };
	};

	beforeAll(async () => {
		contract = await sim.start();
	});
	afterAll(() => sim.stop());
	afterEach(() => {
		sim.faults.clearFaults();
		sim.setRateLimit(false);
	});

	it('answers the standard introspection query; the client schema has the connections and mutations', async () => {
		const { status, body } = await post(getIntrospectionQuery());
		expect(status).toBe(200);
		const schema = buildClientSchema(body.data as unknown as IntrospectionQuery);
		const sdl = printSchema(schema);
		expect(sdl).toContain('contacts(first: Int, after: String, filter: ContactFilter');
		expect(sdl).toContain('createContact(input: ContactInput!): CreateContactPayload');
		expect(Object.keys(schema.getMutationType()!.getFields())).toEqual([
			'createContact',
			'updateContact',
			'upsertContact',
			'deleteContact',
		]);
		expect(sim.log.count({ kind: 'introspection' })).toBe(1);
	});

	it('pages contacts with Relay cursors; totalCount; the cursor survives writes; first > 100 is refused', async () => {
		const q = `query($after: String) { contacts(first: 100, after: $after) {
			totalCount edges { cursor node { id email } } pageInfo { hasNextPage endCursor } } }`;
		const seen = new Set<string>();
		let after: string | null = null;
		let pages = 0;
		do {
			const { body } = await post(q, { after });
			const c = body.data!.contacts;
			expect(c.totalCount).toBe(sim.contacts.count());
			for (const e of c.edges) seen.add(e.node.id);
			after = c.pageInfo.hasNextPage ? c.pageInfo.endCursor : null;
			pages++;
			// a record deleted between pages does not shift the next page
			if (pages === 1) sim.contacts.delete(sim.contacts.list()[0].id);
		} while (after);
		expect(pages).toBe(3);
		expect(seen.size).toBe(250);

		const tooMany = await post('{ contacts(first: 101) { totalCount } }');
		expect(tooMany.status).toBe(200);
		expect(tooMany.body.data).toBeNull();
		expect(tooMany.body.errors![0]).toMatchObject({
			path: ['contacts'],
			extensions: { code: 'BAD_USER_INPUT', argumentName: 'first', maxPageSize: 100 },
		});
	});

	it('GET ?query= runs queries; a mutation over GET answers 405', async () => {
		const url = new URL(contract.url);
		url.searchParams.set('query', '{ viewer { subject authenticatedBy } }');
		const res = await fetch(url, { headers: { Authorization: `Bearer ${contract.token}` } });
		expect(res.status).toBe(200);
		expect(await res.json()).toEqual({
			data: { viewer: { subject: 'user:sandbox', authenticatedBy: 'bearer' } },
		});
		url.searchParams.set('query', 'mutation { deleteContact(id: "x") { deletedContactId } }');
		const mutation = await fetch(url, { headers: { 'X-API-Key': contract.apiKey } });
		expect(mutation.status).toBe(405);
		expect(mutation.headers.get('allow')).toBe('POST');
	});

	it('aliased mutations: an invalid one fails alone with its path and field; the others are written', async () => {
		const before = sim.contacts.count();
		const { status, body } = await post(
			`mutation($a: ContactInput!, $b: ContactInput!, $c: ContactInput!) {
				m0: createContact(input: $a) { contact { id email } }
				m1: createContact(input: $b) { contact { id email } }
				m2: createContact(input: $c) { contact { id email } }
			}`,
			{
				a: { email: 'a@example.com', lastName: 'A' },
				b: { email: 'not-an-email', score: 300 },
				c: { email: 'c@example.com', companyId: 'bm9wZQ==' },
			},
		);
		expect(status).toBe(200);
		expect(body.data!.m0.contact.email).toBe('a@example.com');
		expect(body.data!.m1).toBeNull();
		expect(body.data!.m2).toBeNull();
		expect(body.errors!.map((e) => [e.path, e.extensions!.code, e.extensions!.field])).toEqual([
			[['m1'], 'BAD_USER_INPUT', 'email'],
			[['m2'], 'BAD_USER_INPUT', 'companyId'],
		]);
		expect(body.errors![0].message).toMatch(
			/not a valid e-mail address; score must be between 0 and 100/,
		);
		expect(sim.contacts.count()).toBe(before + 1);
	});

	it('update, upsert (create then update), delete with tombstones and updatedSince', async () => {
		const created = await post(
			'mutation { createContact(input: {email: "u@example.com"}) { contact { id } } }',
		);
		const id = created.body.data!.createContact.contact.id as string;
		clock.advance(60_000);
		const since = new Date(clock.now()).toISOString();
		const upd = await post(
			'mutation($id: ID!) { updateContact(id: $id, input: {score: 42}) { contact { score updatedAt } } }',
			{ id },
		);
		expect(upd.body.data!.updateContact.contact).toEqual({
			score: 42,
			updatedAt: expect.any(String),
		});
		const up1 = await post(
			'mutation { upsertContact(email: "new-up@example.com", input: {firstName: "N"}) { created contact { firstName } } }',
		);
		const up2 = await post(
			'mutation { upsertContact(email: "NEW-UP@example.com", input: {firstName: "M"}) { created contact { firstName } } }',
		);
		expect([up1.body.data!.upsertContact.created, up2.body.data!.upsertContact.created]).toEqual([
			true,
			false,
		]);
		expect(
			sim.contacts.findBy('email', 'new-up@example.com', { caseInsensitive: true }),
		).toHaveLength(1);
		const changed = await post(
			'query($s: DateTime) { contacts(filter: {updatedSince: $s}, orderBy: UPDATED_AT) { totalCount nodes { email } } }',
			{ s: since },
		);
		expect(changed.body.data!.contacts.nodes.map((n: { email: string }) => n.email)).toEqual([
			'u@example.com',
			'new-up@example.com',
		]);
		const del = await post('mutation($id: ID!) { deleteContact(id: $id) { deletedContactId } }', {
			id,
		});
		expect(del.body.data!.deleteContact.deletedContactId).toBe(id);
		const again = await post('mutation($id: ID!) { deleteContact(id: $id) { deletedContactId } }', {
			id,
		});
		expect(again.body.errors![0].extensions!.code).toBe('NOT_FOUND');
		const gone = await post(
			'query($id: ID!, $s: DateTime) { contact(id: $id) { id } node(id: $id) { id } deletedContacts(since: $s) { nodes { id deletedAt } } }',
			{ id, s: since },
		);
		expect(gone.body.data).toEqual({
			contact: null,
			node: null,
			deletedContacts: { nodes: [{ id, deletedAt: expect.any(String) }] },
		});
	});

	it('refuses too many root fields, too deep and too costly queries with 400, before running anything', async () => {
		const before = sim.contacts.count();
		const many = Array.from(
			{ length: 101 },
			(_, i) => `m${i}: createContact(input: {email: "x${i}@example.com"}) { contact { id } }`,
		);
		const r1 = await post(`mutation { ${many.join('\n')} }`);
		expect(r1.status).toBe(400);
		expect(r1.body.errors![0].extensions).toMatchObject({
			code: 'TOO_MANY_ROOT_FIELDS',
			limit: 100,
		});
		expect(sim.contacts.count()).toBe(before);
		const deep =
			'{ contacts(first: 1) { edges { node { company { contacts(first: 1) { edges { node { company { contacts(first: 1) { edges { node { id } } } } } } } } } } } }';
		expect((await post(deep)).body.errors![0].extensions!.code).toBe('QUERY_TOO_DEEP');
		const costly =
			'{ companies(first: 100) { nodes { contacts(first: 100) { nodes { company { contacts(first: 100) { totalCount } } } } } } }';
		const r3 = await post(costly);
		expect(r3.status).toBe(400);
		expect(r3.body.errors![0].extensions!.code).toBe('QUERY_TOO_COMPLEX');
	});

	it('parse, validation and variable errors answer 400 with codes', async () => {
		expect((await post('{ contacts {')).body.errors![0].extensions!.code).toBe(
			'GRAPHQL_PARSE_FAILED',
		);
		const v = await post('{ contacts { nope } }');
		expect([v.status, v.body.errors![0].extensions!.code]).toEqual([
			400,
			'GRAPHQL_VALIDATION_FAILED',
		]);
		const bad = await post(
			'mutation($i: ContactInput!) { createContact(input: $i) { contact { id } } }',
			{
				i: { score: 'high' },
			},
		);
		expect(bad.status).toBe(400);
		expect(bad.body.errors![0].message).toMatch(
			/Variable "\$i" got invalid value "high" at "i.score"/,
		);
	});

	it('auth: no credentials 401; API key, static token and client-credentials token work', async () => {
		const none = await post('{ viewer { subject } }', undefined, {});
		expect(none.status).toBe(401);
		expect(none.body.errors![0].extensions!.code).toBe('UNAUTHENTICATED');
		const tokenRes = await fetch(contract.tokenUrl, {
			method: 'POST',
			headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
			body: new URLSearchParams({
				grant_type: 'client_credentials',
				client_id: contract.clientId,
				client_secret: contract.clientSecret,
			}),
		});
		const { access_token } = (await tokenRes.json()) as { access_token: string };
		const viaOauth = await post('{ viewer { subject authenticatedBy } }', undefined, {
			Authorization: `Bearer ${access_token}`,
		});
		expect(viaOauth.body.data!.viewer).toEqual({
			subject: `client:${contract.clientId}`,
			authenticatedBy: 'bearer',
		});
		const viaKey = await post('{ viewer { authenticatedBy } }');
		expect(viaKey.body.data!.viewer.authenticatedBy).toBe('apiKey');
	});

	it('rate limit: 429 with Retry-After and a GraphQL error body; injected faults are GraphQL-shaped too', async () => {
		sim.setRateLimit({ limit: 2, windowMs: 10_000 });
		await post('{ viewer { subject } }');
		await post('{ viewer { subject } }');
		const limited = await post('{ viewer { subject } }');
		expect(limited.status).toBe(429);
		expect(limited.headers.get('retry-after')).toBe('10');
		expect(limited.body.errors![0].extensions!.code).toBe('RATE_LIMITED');
		sim.setRateLimit(false);
		sim.faults.add({ type: 'serverError', status: 502, count: 1 });
		const failed = await post('{ viewer { subject } }');
		expect([failed.status, failed.body.errors![0].extensions!.code]).toEqual([
			502,
			'INTERNAL_SERVER_ERROR',
		]);
	});

	it('admin: seed, limits and rate limit over HTTP', async () => {
		const admin = contract.url.replace(/\/graphql$/, '/__sandbox');
		const before = sim.contacts.count();
		const seeded = await fetch(`${admin}/seed`, {
			method: 'POST',
			headers: { 'Content-Type': 'application/json' },
			body: JSON.stringify({ contacts: 7 }),
		});
		expect(seeded.status).toBe(201);
		expect(sim.contacts.count()).toBe(before + 7);
		const limits = (await (await fetch(`${admin}/limits`)).json()) as {
			limits: Record<string, number>;
		};
		expect(limits.limits).toMatchObject({ maxPageSize: 100, maxRootFields: 100 });
		const put = await fetch(`${admin}/rate-limit`, {
			method: 'PUT',
			headers: { 'Content-Type': 'application/json' },
			body: JSON.stringify({ limit: 1, windowMs: 60000 }),
		});
		expect(await put.json()).toEqual({ rateLimit: { limit: 1, windowMs: 60000 } });
		expect((await post('{ viewer { subject } }')).status).toBe(200);
		expect((await post('{ viewer { subject } }')).status).toBe(429);
	});
});
