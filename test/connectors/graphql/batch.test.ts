/**
 * Batched aliased mutations against the GraphQL simulator: every item ends on exactly one result, checked against
 * what the store holds and how many requests the simulator saw.
 */
import { mutateBatch } from '../../../core/graphql';
import { ApiKeyAuth } from '../../../core/http/auth';
import { BATCH_CODES } from '../../../core/batching/types';
import { startGqlWorld, type GqlWorld } from './helpers';

const CREATE = `mutation Create($input: ContactInput!) {
	createContact(input: $input) { contact { id email score } }
}`;

interface ContactIn {
	email: string;
	lastName?: string;
	score?: unknown;
}

const contactsFor = (prefix: string, n: number): ContactIn[] =>
	Array.from({ length: n }, (_, i) => ({
		email: `${prefix}${i}@example.com`,
		lastName: `L${i}`,
		score: i % 100,
	}));

describe('GraphQL client: batched mutations', () => {
	let w: GqlWorld;
	beforeAll(async () => {
		w = await startGqlWorld({ records: { companies: 2, contacts: 10 } });
	});
	afterAll(() => w.sim.stop());
	afterEach(() => w.sim.faults.clearFaults());

	it('creates 500 contacts in 10 requests; two invalid items fail alone, naming their field', async () => {
		const items = contactsFor('batch', 500);
		items[17] = { email: 'not-an-email' };
		items[333] = { ...items[333], score: 500 };
		const before = { contacts: w.sim.contacts.count(), mutations: w.count('mutation') };
		const { results, stats } = await mutateBatch(w.client(), {
			mutation: CREATE,
			items,
			variables: (item) => ({ input: item }),
			batchSize: 50,
		});
		expect(w.count('mutation') - before.mutations).toBe(10);
		expect(stats.calls).toBe(10);
		expect(results).toHaveLength(500);
		const failed = results.filter((r) => !r.ok);
		expect(failed.map((r) => r.index)).toEqual([17, 333]);
		const [bad17, bad333] = failed.map((r) => (r.ok ? undefined : r.error));
		expect(bad17).toMatchObject({
			code: 'BAD_USER_INPUT',
			details: { field: 'email', path: ['m17'] },
		});
		expect(bad17!.message).toMatch(/email "not-an-email" is not a valid e-mail address/);
		expect(bad333).toMatchObject({
			code: 'BAD_USER_INPUT',
			details: { field: 'score', path: ['m33'] },
		});
		expect(bad333!.message).toMatch(/score must be between 0 and 100 \(got 500\)/);
		expect(w.sim.contacts.count() - before.contacts).toBe(498);
		for (const r of results) {
			if (!r.ok) continue;
			const contact = (r.value.createContact as { contact: { id: string; email: string } }).contact;
			expect(contact.email).toBe(items[r.index].email);
			expect(w.sim.contacts.findBy('email', contact.email)).toHaveLength(1);
		}
	});

	it('an item whose variables do not coerce fails alone; the rest of its request is sent again', async () => {
		const items = contactsFor('coerce', 5);
		items[2] = { ...items[2], score: 'high' };
		const before = { contacts: w.sim.contacts.count(), mutations: w.count('mutation') };
		const requestsBefore = w.sim.log.count({ pathPrefix: '/graphql' });
		const { results } = await mutateBatch(w.client(), {
			mutation: CREATE,
			items,
			variables: (item) => ({ input: item }),
		});
		expect(results.map((r) => r.ok)).toEqual([true, true, false, true, true]);
		const err = results[2].ok ? undefined : results[2].error;
		expect(err!.message).toMatch(/Variable "\$input2" got invalid value "high" at "input2.score"/);
		expect(w.sim.contacts.count() - before.contacts).toBe(4);
		// one refused request (400, nothing run) and one that wrote the four others
		expect(w.sim.log.count({ pathPrefix: '/graphql' }) - requestsBefore).toBe(2);
		expect(w.count('mutation') - before.mutations).toBe(2);
	});

	it('an error without a path fails every item of its request (too many root fields: nothing written)', async () => {
		const before = w.sim.contacts.count();
		const { results } = await mutateBatch(w.client(), {
			mutation: CREATE,
			items: contactsFor('toomany', 120),
			variables: (item) => ({ input: item }),
			batchSize: 120,
		});
		expect(results.every((r) => !r.ok && r.error.code === 'TOO_MANY_ROOT_FIELDS')).toBe(true);
		expect(results[0].ok ? '' : results[0].error.message).toMatch(
			/at most 100 are allowed per request/,
		);
		expect(w.sim.contacts.count()).toBe(before);
	});

	it('a lost answer makes its items "outcome unknown" (they were in fact written), never resent', async () => {
		const before = { contacts: w.sim.contacts.count(), mutations: w.count('mutation') };
		// faults match the route's kind (`graphql`): the operation kind is only known once the handler runs
		w.sim.faults.add({
			type: 'drop',
			when: 'afterHandler',
			count: 1,
			match: { kinds: ['graphql'] },
		});
		const { results } = await mutateBatch(w.client(), {
			mutation: CREATE,
			items: contactsFor('lost', 6),
			variables: (item) => ({ input: item }),
			batchSize: 3,
		});
		expect(results.slice(0, 3).map((r) => (r.ok ? 'ok' : r.error.code))).toEqual(
			Array(3).fill(BATCH_CODES.outcomeUnknown),
		);
		expect(results[0].ok ? '' : results[0].error.message).toMatch(
			/outcome unknown.*may or may not have been applied/,
		);
		expect(results.slice(3).every((r) => r.ok)).toBe(true);
		expect(w.count('mutation') - before.mutations).toBe(2);
		expect(w.sim.contacts.count() - before.contacts).toBe(6);
	});

	it('a 429 with Retry-After is waited out: every item written once', async () => {
		const before = w.sim.contacts.count();
		w.sleeps.length = 0;
		w.sim.faults.add({
			type: 'rateLimit',
			retryAfterSeconds: 3,
			count: 1,
			match: { kinds: ['graphql'] },
		});
		const { results } = await mutateBatch(w.client(), {
			mutation: CREATE,
			items: contactsFor('limited', 4),
			variables: (item) => ({ input: item }),
		});
		expect(results.every((r) => r.ok)).toBe(true);
		expect(w.sleeps).toHaveLength(1);
		expect(w.sleeps[0]).toBeGreaterThanOrEqual(3000);
		expect(w.sim.contacts.count() - before).toBe(4);
	});

	it('upserts share a variable and rename the per-item ones; bad credentials stop the run (NOT_SENT)', async () => {
		// a root field the Mutation type does not have: the server refuses the document, every item fails with its reason
		const refused = await mutateBatch(w.client(), {
			mutation: 'mutation($email: String!) { contacts(filter: {email: $email}) { totalCount } }',
			items: ['a@example.com', 'b@example.com'],
			variables: (email) => ({ email }),
		});
		expect(refused.results.map((r) => (r.ok ? 'ok' : r.error.code))).toEqual([
			'GRAPHQL_VALIDATION_FAILED',
			'GRAPHQL_VALIDATION_FAILED',
		]);
		expect(refused.results[0].ok ? '' : refused.results[0].error.message).toMatch(
			/Cannot query field "contacts" on type "Mutation"/,
		);

		const ok = await mutateBatch(w.client(), {
			mutation: `mutation($email: String!, $stage: LifecycleStage) {
				upsertContact(email: $email, input: {lifecycleStage: $stage}) { created contact { email lifecycleStage } } }`,
			items: ['batch0@example.com', 'fresh@example.com'],
			variables: (email) => ({ email }),
			sharedVariables: { stage: 'CUSTOMER' },
			idempotent: true,
		});
		expect(ok.results.map((r) => r.ok && r.value.upsertContact)).toEqual([
			{ created: false, contact: { email: 'batch0@example.com', lifecycleStage: 'CUSTOMER' } },
			{ created: true, contact: { email: 'fresh@example.com', lifecycleStage: 'CUSTOMER' } },
		]);

		const before = w.count('mutation') + w.sim.log.count({ status: 401 });
		const denied = await mutateBatch(w.client(new ApiKeyAuth({ key: 'revoked-key' })), {
			mutation: CREATE,
			items: contactsFor('denied', 4),
			variables: (item) => ({ input: item }),
			batchSize: 2,
		});
		expect(denied.results.map((r) => (r.ok ? 'ok' : r.error.code))).toEqual([
			'UNAUTHENTICATED',
			'UNAUTHENTICATED',
			BATCH_CODES.notSent,
			BATCH_CODES.notSent,
		]);
		expect(w.count('mutation') + w.sim.log.count({ status: 401 }) - before).toBe(1);
	});
});
