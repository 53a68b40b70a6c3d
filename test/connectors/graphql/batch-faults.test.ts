/**
 * Batched mutations under faults: each item's result tells the truth about the store — a lost answer to a create is
 * "outcome unknown" (never a failure, never resent), an idempotent upsert is resent and ends written exactly once.
 */
import {
	mutateBatch,
	type GraphqlClient,
	type LostItemSettlement,
	type MutationValue,
} from '../../../core/graphql';
import { BATCH_CODES } from '../../../core/batching/types';
import type { FaultSpec } from '../../../sandbox/kit';
import { startGqlWorld, type GqlWorld } from './helpers';

const CREATE =
	'mutation($input: ContactInput!) { createContact(input: $input) { contact { id } } }';
const UPSERT = `mutation($email: String!, $input: ContactInput!) {
	upsertContact(email: $email, input: $input) { created contact { email score } } }`;

describe('GraphQL client: batched mutations under faults', () => {
	let w: GqlWorld;
	beforeAll(async () => {
		w = await startGqlWorld({ records: { contacts: 5 } });
	});
	afterAll(() => w.sim.stop());
	afterEach(() => w.sim.faults.clearFaults());

	const faults: Array<[string, FaultSpec, number]> = [
		['dropped before the body was read', { type: 'drop', when: 'beforeBody', count: 1 }, 0],
		['dropped after the mutations ran', { type: 'drop', when: 'afterHandler', count: 1 }, 3],
		['answered 500', { type: 'serverError', status: 500, count: 1 }, 0],
	];

	it.each(faults)(
		'a create %s: its items are outcome unknown and sent once',
		async (label, fault, written) => {
			const tag = label.replace(/\W+/g, '-');
			const before = {
				contacts: w.sim.contacts.count(),
				requests: w.sim.log.count({ pathPrefix: '/graphql' }),
			};
			w.sim.faults.add({ ...fault, match: { kinds: ['graphql'] } });
			const { results } = await mutateBatch(w.client(), {
				mutation: CREATE,
				items: [0, 1, 2, 3, 4].map((i) => ({ email: `${tag}-${i}@example.com` })),
				variables: (input) => ({ input }),
				batchSize: 3,
			});
			expect(results.map((r) => (r.ok ? 'ok' : r.error.code))).toEqual([
				BATCH_CODES.outcomeUnknown,
				BATCH_CODES.outcomeUnknown,
				BATCH_CODES.outcomeUnknown,
				'ok',
				'ok',
			]);
			expect(results[0].ok ? undefined : results[0].error.details).toMatchObject({
				safeToRerun: false,
			});
			// two requests: the lost one was not repeated
			expect(w.sim.log.count({ pathPrefix: '/graphql' }) - before.requests).toBe(2);
			expect(w.sim.contacts.count() - before.contacts).toBe(written + 2);
		},
	);

	it('an idempotent upsert whose answer was lost is resent by the retry policy and written exactly once', async () => {
		const before = w.sim.contacts.count();
		w.sim.faults.add({
			type: 'drop',
			when: 'afterHandler',
			count: 1,
			match: { kinds: ['graphql'] },
		});
		const emails = ['up-0@example.com', 'up-1@example.com', 'up-2@example.com'];
		const { results } = await mutateBatch(w.client(), {
			mutation: UPSERT,
			items: emails,
			variables: (email) => ({ email, input: { score: 7 } }),
			idempotent: true,
		});
		// the first attempt created them; the resend found them and updated them to the same values
		expect(results.map((r) => r.ok && r.value.upsertContact)).toEqual(
			emails.map((email) => ({ created: false, contact: { email, score: 7 } })),
		);
		expect(w.sim.contacts.count() - before).toBe(3);
		for (const email of emails) expect(w.sim.contacts.findBy('email', email)).toHaveLength(1);
	});

	/** Looks contacts up by e-mail: found → written (reported like the create's own answer), else not written. */
	const byEmail =
		(client: GraphqlClient, lookups: string[][]) =>
		async (items: Array<{ email: string }>): Promise<Array<LostItemSettlement<MutationValue>>> => {
			lookups.push(items.map((i) => i.email));
			return Promise.all(
				items.map(async ({ email }) => {
					const data = await client.query<{ contacts: { nodes: Array<{ id: string }> } }>({
						query:
							'query($email: String) { contacts(first: 1, filter: {email: $email}) { nodes { id } } }',
						variables: { email },
					});
					const found = data.contacts.nodes[0];
					return found
						? { state: 'written' as const, value: { createContact: { contact: found } } }
						: { state: 'notWritten' as const };
				}),
			);
		};

	it('settleLost: creates found by their e-mail succeed; creates not found are sent again, each written once', async () => {
		const client = w.client();
		for (const [label, when, resent] of [
			['applied', 'afterHandler', 0],
			['never-run', 'beforeBody', 1],
		] as const) {
			const sent = () => w.count('mutation') + w.count('graphql'); // a request dropped before its body keeps the route kind
			const before = { contacts: w.sim.contacts.count(), mutations: sent() };
			w.sim.faults.add({ type: 'drop', when, count: 1, match: { kinds: ['graphql'] } });
			const lookups: string[][] = [];
			const emails = [0, 1, 2].map((i) => `settle-${label}-${i}@example.com`);
			const { results } = await mutateBatch(client, {
				mutation: CREATE,
				items: emails.map((email) => ({ email })),
				variables: (input) => ({ input }),
				settleLost: byEmail(client, lookups),
			});
			expect(results.every((r) => r.ok)).toBe(true);
			expect(lookups).toEqual([emails]);
			for (const [i, r] of results.entries()) {
				const id = r.ok ? (r.value.createContact as { contact: { id: string } }).contact.id : '';
				expect(w.sim.contacts.findBy('email', emails[i]).map((c) => c.id)).toHaveLength(1);
				expect(id).toBe(
					Buffer.from(`Contact:${w.sim.contacts.findBy('email', emails[i])[0].id}`).toString(
						'base64',
					),
				);
			}
			expect(w.sim.contacts.count() - before.contacts).toBe(3);
			expect(sent() - before.mutations).toBe(1 + resent);
		}
	});

	it('settleLost: a look-up that fails leaves the items outcome unknown, with its reason', async () => {
		w.sim.faults.add({
			type: 'drop',
			when: 'afterHandler',
			count: 1,
			match: { kinds: ['graphql'] },
		});
		const { results } = await mutateBatch(w.client(), {
			mutation: CREATE,
			items: [{ email: 'settle-fails@example.com' }],
			variables: (input) => ({ input }),
			settleLost: async () => {
				throw new Error('search is down');
			},
		});
		expect(results[0].ok ? '' : results[0].error.code).toBe(BATCH_CODES.outcomeUnknown);
		expect(results[0].ok ? '' : results[0].error.message).toMatch(
			/the look-up failed \(search is down\)/,
		);
		expect(w.sim.contacts.findBy('email', 'settle-fails@example.com')).toHaveLength(1);
	});
});
