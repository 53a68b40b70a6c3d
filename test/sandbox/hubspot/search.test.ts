/**
 * CRM search on the HubSpot simulator through `@hubspot/api-client`: every filter operator, OR of filter groups,
 * query, sorting, paging, HubSpot's limits (groups, filters, page size) and the 10,000-result ceiling, and a
 * 25,000-record search read in full by splitting on hs_object_id ranges.
 */
import { performance } from 'node:perf_hooks';
import { ManualClock } from '../../../sandbox/kit';
import { failure, useSimulator } from './helpers';

type Filter = {
	propertyName: string;
	operator: string;
	value?: string;
	values?: string[];
	highValue?: string;
};

const T0 = Date.UTC(2025, 0, 1);
const DAY = 86_400_000;

describe('HubSpot simulator: search', () => {
	const clock = new ManualClock(T0);
	const { sim, client } = useSimulator({ clock });
	const people: Array<Record<string, string>> = [
		{
			firstname: 'Ada',
			lastname: 'Lovelace',
			email: 'ada@analytical.org',
			lifecyclestage: 'customer',
			score: '90',
		},
		{
			firstname: 'Grace',
			lastname: 'Hopper',
			email: 'grace@navy.mil',
			lifecyclestage: 'lead',
			score: '75',
		},
		{
			firstname: 'Alan',
			lastname: 'Turing',
			email: 'alan@bletchley.uk',
			lifecyclestage: 'lead',
			score: '100',
		},
		{
			firstname: 'Barbara',
			lastname: 'Liskov',
			email: 'barbara@mit.edu',
			lifecyclestage: 'customer',
		},
		{ firstname: 'Ken', lastname: 'Thompson', email: 'ken@bell-labs.com', score: '9' },
	];
	const ids: string[] = [];

	beforeAll(async () => {
		const c = client();
		await c.crm.properties.coreApi.create('contacts', {
			name: 'score',
			label: 'Score',
			type: 'number' as never,
			fieldType: 'number' as never,
			groupName: 'contactinformation',
		});
		for (const p of people) {
			const r = await c.crm.contacts.basicApi.create({ properties: p, associations: [] });
			ids.push(r.id);
			clock.advance(DAY);
		}
	});

	const search = (filters: Filter[], extra: Record<string, unknown> = {}) =>
		client().crm.contacts.searchApi.doSearch({
			filterGroups: [{ filters: filters as never }],
			sorts: [],
			properties: ['firstname', 'score'],
			limit: 100,
			after: '0',
			...extra,
		});
	const names = async (filters: Filter[], extra: Record<string, unknown> = {}) =>
		(await search(filters, extra)).results.map((r) => r.properties.firstname);

	it('supports every operator, comparing numbers numerically and dates as epoch ms', async () => {
		expect(
			await names([{ propertyName: 'lifecyclestage', operator: 'EQ', value: 'lead' }]),
		).toEqual(['Grace', 'Alan']);
		expect(
			await names([{ propertyName: 'email', operator: 'EQ', value: 'ADA@analytical.org' }]),
		).toEqual(['Ada']);
		expect(
			await names([{ propertyName: 'lifecyclestage', operator: 'NEQ', value: 'lead' }]),
		).toEqual(['Ada', 'Barbara', 'Ken']);
		// numeric, not lexicographic: "9" < "75"
		expect(await names([{ propertyName: 'score', operator: 'LT', value: '75' }])).toEqual(['Ken']);
		expect(await names([{ propertyName: 'score', operator: 'LTE', value: '75' }])).toEqual([
			'Grace',
			'Ken',
		]);
		expect(await names([{ propertyName: 'score', operator: 'GT', value: '90' }])).toEqual(['Alan']);
		expect(await names([{ propertyName: 'score', operator: 'GTE', value: '90' }])).toEqual([
			'Ada',
			'Alan',
		]);
		expect(
			await names([{ propertyName: 'score', operator: 'BETWEEN', value: '10', highValue: '90' }]),
		).toEqual(['Ada', 'Grace']);
		expect(
			await names([{ propertyName: 'lastname', operator: 'IN', values: ['turing', 'hopper'] }]),
		).toEqual(['Grace', 'Alan']);
		expect(
			await names([
				{ propertyName: 'lifecyclestage', operator: 'NOT_IN', values: ['lead', 'customer'] },
			]),
		).toEqual(['Ken']);
		expect(await names([{ propertyName: 'score', operator: 'HAS_PROPERTY' }])).toEqual([
			'Ada',
			'Grace',
			'Alan',
			'Ken',
		]);
		expect(await names([{ propertyName: 'score', operator: 'NOT_HAS_PROPERTY' }])).toEqual([
			'Barbara',
		]);
		expect(
			await names([{ propertyName: 'email', operator: 'CONTAINS_TOKEN', value: '*.edu' }]),
		).toEqual(['Barbara']);
		expect(
			await names([{ propertyName: 'email', operator: 'CONTAINS_TOKEN', value: 'bell' }]),
		).toEqual(['Ken']);
		expect(
			await names([{ propertyName: 'email', operator: 'NOT_CONTAINS_TOKEN', value: '*.uk' }]),
		).toEqual(['Ada', 'Grace', 'Barbara', 'Ken']);
		// datetime: createdate as epoch ms or ISO
		expect(
			await names([{ propertyName: 'createdate', operator: 'GTE', value: String(T0 + 3 * DAY) }]),
		).toEqual(['Barbara', 'Ken']);
		expect(
			await names([
				{ propertyName: 'createdate', operator: 'LT', value: new Date(T0 + DAY).toISOString() },
			]),
		).toEqual(['Ada']);
		expect(
			await names([
				{ propertyName: 'hs_object_id', operator: 'BETWEEN', value: ids[1], highValue: ids[2] },
			]),
		).toEqual(['Grace', 'Alan']);
	});

	it('ORs filter groups, ANDs filters, matches query by token prefix, and sorts by one property', async () => {
		const or = await client().crm.contacts.searchApi.doSearch({
			filterGroups: [
				{
					filters: [
						{ propertyName: 'lifecyclestage', operator: 'EQ' as never, value: 'lead' },
						{ propertyName: 'score', operator: 'GT' as never, value: '80' },
					],
				},
				{ filters: [{ propertyName: 'firstname', operator: 'EQ' as never, value: 'ken' }] },
			],
			sorts: [{ propertyName: 'score', direction: 'DESCENDING' }] as never,
			properties: ['firstname'],
			limit: 10,
			after: '0',
		});
		expect(or.results.map((r) => r.properties.firstname)).toEqual(['Alan', 'Ken']);
		expect(await names([], { query: 'lov' })).toEqual(['Ada']);
		expect(await names([], { query: 'navy' })).toEqual(['Grace']);
		expect(await names([], { sorts: [{ propertyName: 'score', direction: 'ASCENDING' }] })).toEqual(
			['Ken', 'Grace', 'Ada', 'Alan', 'Barbara'],
		);
		expect(await names([], { sorts: ['-lastname'] })).toEqual([
			'Alan',
			'Ken',
			'Ada',
			'Barbara',
			'Grace',
		]);
		const defaults = await client().crm.contacts.searchApi.doSearch({
			filterGroups: [],
			sorts: [],
			limit: 1,
			after: '0',
		} as never);
		expect(Object.keys(defaults.results[0].properties).sort()).toEqual([
			'createdate',
			'email',
			'firstname',
			'hs_object_id',
			'lastmodifieddate',
			'lastname',
		]);
	});

	it('pages with after/total and rejects requests beyond HubSpot limits with VALIDATION_ERROR', async () => {
		const first = await search([], { limit: 2 });
		expect(first.total).toBe(5);
		expect(first.paging?.next?.after).toBe('2');
		const last = await search([], { limit: 2, after: '4' });
		expect(last.results).toHaveLength(1);
		expect(last.paging).toBeUndefined();

		const f: Filter = { propertyName: 'score', operator: 'HAS_PROPERTY' };
		const tooManyGroups = await failure(
			client().crm.contacts.searchApi.doSearch({
				filterGroups: Array.from({ length: 6 }, () => ({ filters: [f] })) as never,
				sorts: [],
				limit: 10,
				after: '0',
			}),
		);
		expect(tooManyGroups.code).toBe(400);
		expect(tooManyGroups.body).toMatchObject({
			category: 'VALIDATION_ERROR',
			message: expect.stringContaining('at most 5 filterGroups'),
		});
		const tooManyInGroup = await failure(search(Array.from({ length: 11 }, () => f)));
		expect(tooManyInGroup.body.message).toContain('at most 10 filters');
		const tooManyTotal = await failure(
			client().crm.contacts.searchApi.doSearch({
				filterGroups: Array.from({ length: 3 }, () => ({
					filters: Array.from({ length: 9 }, () => f),
				})) as never,
				sorts: [],
				limit: 10,
				after: '0',
			}),
		);
		expect(tooManyTotal.body.message).toContain('at most 25 filters');
		expect((await failure(search([], { limit: 201 }))).body.message).toContain(
			'limit must be at most 200',
		);
		expect(
			(await failure(search([{ propertyName: 'nope', operator: 'EQ', value: '1' }]))).body.message,
		).toContain('property nope does not exist');
		expect(
			(await failure(search([{ propertyName: 'email', operator: 'LIKE', value: '1' }]))).body
				.message,
		).toContain('is not supported');
		expect((await failure(search([], { sorts: ['email', 'firstname'] }))).body.message).toContain(
			'Only one sort',
		);
		// search answers lack the X-HubSpot-RateLimit-* headers (rate limits are off in this file; see rate-limits.test.ts)
	});

	it('searches 25,000 records: 10,000-result ceiling, then every record by splitting on hs_object_id', async () => {
		const started = performance.now();
		sim.seed({ contacts: 25_000 });
		const seeded = performance.now() - started;
		const c = client().crm.contacts.searchApi;
		const all = {
			filterGroups: [
				{
					filters: [
						{ propertyName: 'email', operator: 'CONTAINS_TOKEN' as never, value: '*@example.com' },
					],
				},
			],
			sorts: [{ propertyName: 'hs_object_id', direction: 'ASCENDING' }] as never,
			properties: ['email'],
		};
		const head = await c.doSearch({ ...all, limit: 200, after: '9800' });
		expect(head.total).toBe(25_000);
		expect(head.paging?.next?.after).toBe('10000');
		const ceiling = await failure(c.doSearch({ ...all, limit: 200, after: '10000' }));
		expect(ceiling.code).toBe(400);
		expect(ceiling.body).toMatchObject({
			status: 'error',
			category: 'VALIDATION_ERROR',
			message: expect.stringContaining('first 10000'),
		});
		expect((await failure(c.doSearch({ ...all, limit: 200, after: '9900' }))).code).toBe(400);

		// read everything: pages of 200 inside an hs_object_id window that moves past the last id seen
		const t = performance.now();
		const seen = new Set<string>();
		let lastId = '0';
		let calls = 0;
		for (let guard = 0; guard < 1000; guard++) {
			const page = await c.doSearch({
				filterGroups: [
					{
						filters: [
							...all.filterGroups[0].filters,
							{ propertyName: 'hs_object_id', operator: 'GT' as never, value: lastId },
						],
					},
				],
				sorts: all.sorts,
				properties: ['email'],
				limit: 200,
				after: '0',
			});
			calls++;
			for (const r of page.results) seen.add(r.id);
			if (page.results.length < 200) break;
			lastId = page.results[page.results.length - 1].id;
		}
		expect(seen.size).toBe(25_000);
		process.stdout.write(
			`[hubspot search] seeded 25000 contacts in ${seeded.toFixed(0)} ms; read all 25000 in ${calls} search calls, ${(performance.now() - t).toFixed(0)} ms\n`,
		);
	});
});

describe('HubSpot simulator: search index delay', () => {
	const clock = new ManualClock(T0);
	const { sim, client } = useSimulator({ clock, searchIndexDelayMs: 2000 });

	it('finds a write only once it is indexed, and until then the version before it', async () => {
		const c = client();
		const byEmail = async () =>
			(
				await c.crm.contacts.searchApi.doSearch({
					filterGroups: [
						{
							filters: [
								{ propertyName: 'email', operator: 'EQ' as never, value: 'late@example.com' },
							],
						},
					],
					sorts: [],
					properties: ['firstname'],
					limit: 10,
					after: '0',
				})
			).results;
		const created = await c.crm.contacts.basicApi.create({
			properties: { email: 'late@example.com', firstname: 'First' },
			associations: [],
		});
		expect(await byEmail()).toEqual([]);
		clock.advance(2000);
		expect((await byEmail()).map((r) => r.properties.firstname)).toEqual(['First']);
		await c.crm.contacts.basicApi.update(created.id, { properties: { firstname: 'Second' } });
		// The record itself is current at once; search still sees the indexed version.
		expect(
			(await c.crm.contacts.basicApi.getById(created.id, ['firstname'])).properties.firstname,
		).toBe('Second');
		clock.advance(1999);
		expect((await byEmail()).map((r) => r.properties.firstname)).toEqual(['First']);
		clock.advance(1);
		expect((await byEmail()).map((r) => r.properties.firstname)).toEqual(['Second']);
		sim.setSearchIndexDelay(0);
		expect((await byEmail()).map((r) => r.properties.firstname)).toEqual(['Second']);
	});
});
