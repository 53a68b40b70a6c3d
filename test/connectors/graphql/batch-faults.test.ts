/**
 * Batched mutations under faults: each item's result tells the truth about the store — a lost answer to a create is
 * "outcome unknown" (never a failure, never resent), an idempotent upsert is resent and ends written exactly once.
 */
import { mutateBatch } from '../../../core/graphql';
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
});
