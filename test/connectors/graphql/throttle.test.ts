/**
 * Rate limits reported inside a 200 GraphQL answer (GitHub's RATE_LIMITED, Shopify's THROTTLED): the request was
 * refused before it ran, so the client waits as the server says and sends it again — mutations included.
 */
import { GraphqlClient, graphqlThrottle, mutateBatch } from '../../../core/graphql';
import { ManualClock } from '../../../sandbox/kit';
import { startGqlWorld, type GqlWorld } from './helpers';

describe('graphqlThrottle', () => {
	const now = Date.UTC(2024, 0, 1);
	const limited = {
		data: null,
		errors: [{ message: 'slow down', extensions: { code: 'THROTTLED' } }],
	};

	it('reads the wait from Retry-After, the reset header, extensions.retryAfter or the cost budget', () => {
		expect(graphqlThrottle(limited, { 'retry-after': '4' }, now)).toMatchObject({
			delayMs: 4000,
			source: 'Retry-After',
		});
		expect(
			graphqlThrottle(
				limited,
				{ 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': String(now / 1000 + 9) },
				now,
			),
		).toMatchObject({ delayMs: 9000 });
		const extension = {
			data: null,
			errors: [{ message: 'x', type: 'RATE_LIMITED', extensions: { retryAfter: 2 } }],
		};
		expect(graphqlThrottle(extension, {}, now)).toMatchObject({
			code: 'RATE_LIMITED',
			delayMs: 2000,
		});
		const shopify = {
			...limited,
			extensions: {
				cost: {
					requestedQueryCost: 502,
					throttleStatus: { currentlyAvailable: 2, restoreRate: 50 },
				},
			},
		};
		expect(graphqlThrottle(shopify, {}, now)).toMatchObject({
			delayMs: 10_000,
			source: 'throttleStatus',
		});
		expect(graphqlThrottle(limited, {}, now)).toEqual({ message: 'slow down', code: 'THROTTLED' });
	});

	it('is not a throttle when data came back or no error says so', () => {
		expect(graphqlThrottle({ data: { a: 1 }, errors: limited.errors }, {}, now)).toBeUndefined();
		expect(
			graphqlThrottle(
				{ data: null, errors: [{ message: 'x', extensions: { code: 'NOT_FOUND' } }] },
				{},
				now,
			),
		).toBeUndefined();
	});
});

describe('GraphQL client: rate limits inside a 200 answer', () => {
	const clock = new ManualClock(Date.UTC(2024, 5, 1, 12, 0, 0));
	let w: GqlWorld;
	beforeAll(async () => {
		w = await startGqlWorld({
			clock,
			rateLimitStyle: 'graphql',
			rateLimit: { limit: 2, windowMs: 60_000 },
		});
	});
	afterAll(() => w.sim.stop());

	it('a query is waited out until the window resets (X-RateLimit-Reset) and sent again', async () => {
		const client = w.client();
		w.sleeps.length = 0;
		const refusedBefore = w.count('graphql');
		for (let i = 0; i < 3; i++) await client.query({ query: '{ viewer { subject } }' });
		expect(w.count('graphql') - refusedBefore).toBe(1); // refused before the operation was known
		expect(w.sleeps).toHaveLength(1);
		expect(w.sleeps[0]).toBeGreaterThan(0);
		expect(w.sleeps[0]).toBeLessThanOrEqual(60_000);
	});

	it('a throttled batch of creates is sent again and every item written once', async () => {
		const before = w.sim.contacts.count();
		w.sleeps.length = 0;
		const { results } = await mutateBatch(w.client(), {
			mutation:
				'mutation($input: ContactInput!) { createContact(input: $input) { contact { id } } }',
			items: Array.from({ length: 6 }, (_, i) => ({ email: `throttled-${i}@example.com` })),
			variables: (input) => ({ input }),
			batchSize: 2,
		});
		expect(results.every((r) => r.ok)).toBe(true);
		expect(w.sim.contacts.count() - before).toBe(6);
		expect(w.count('mutation')).toBe(3);
		expect(w.sleeps.length).toBeGreaterThanOrEqual(1); // three requests, two per window: one was refused
	});

	it('gives up with a rateLimited error naming when to try again once the wait budget is spent', async () => {
		// three requests in one window of two: the third is refused, and this client may not wait at all
		const impatient = new GraphqlClient({
			http: w.client().http,
			throttle: { maxTotalWaitMs: 0, sleep: async () => undefined, now: () => clock.now() },
		});
		await impatient.query({ query: '{ viewer { subject } }' }).catch(() => undefined);
		await impatient.query({ query: '{ viewer { subject } }' }).catch(() => undefined);
		const err = await impatient.query({ query: '{ viewer { subject } }' }).catch((e: unknown) => e);
		expect(err).toMatchObject({ kind: 'rateLimited', crmCode: 'RATE_LIMITED' });
		expect((err as Error).message).toMatch(/GraphQL rate limit: API rate limit exceeded/);
	});
});
