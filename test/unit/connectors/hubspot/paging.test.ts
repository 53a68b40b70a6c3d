/**
 * The HubSpot connector's paged reads (on `core/paging`) against the in-memory fake: a search limited to the first
 * `limit` matches in a chosen order (the node's search without Return All), the list of records, and the owners.
 * Each test counts the requests sent and checks what each asked for.
 */
import { HubSpotConnector } from '../../../../core/connectors/hubspot/connector';
import { filterFromFields } from '../../../../core/connectors/hubspot/search';
import { isCrmError } from '../../../../core/http/errors';
import { clearRateBudgets } from '../../../../core/http/rateLimiter';
import type { HttpRequest, HttpResponse } from '../../../../core/http/types';
import { FakeHubSpot } from './fakeHubSpot';

const BASE = 'https://api.hubapi.com';

function connector(fake: FakeHubSpot): HubSpotConnector {
	return new HubSpotConnector({
		baseUrl: BASE,
		transport: fake,
		rateLimit: false,
		retry: { sleep: async () => {}, random: () => 0 },
	});
}

function json(body: unknown): HttpResponse {
	return { status: 200, headers: { 'content-type': 'application/json' }, body, url: '' };
}

/** Answers GETs of `path` from `pages` keyed by the `after` query parameter ('' for the first page). */
function pagedGet(
	path: string,
	pages: Record<string, { ids: string[]; next?: string }>,
): (req: HttpRequest) => HttpResponse | undefined {
	return (req) => {
		if (req.method !== 'GET' || new URL(req.url).pathname !== path) return undefined;
		const page = pages[String(req.qs?.after ?? '')];
		return json({
			results: page.ids.map((id) => ({ id, properties: {} })),
			...(page.next ? { paging: { next: { after: page.next } } } : {}),
		});
	};
}

async function collect<T>(pages: AsyncIterable<T[]>): Promise<T[]> {
	const out: T[] = [];
	for await (const page of pages) out.push(...page);
	return out;
}

afterEach(() => clearRateBudgets());

describe('searchRecords', () => {
	it('without Return All: the first `limit` matches, 200 per request, the last request asking only for the rest', async () => {
		const fake = new FakeHubSpot();
		fake.seed(1000);
		const hub = connector(fake);
		const found = await collect(
			hub.searchRecords('contacts', {
				filterGroups: [],
				properties: [],
				limit: 450,
				sort: { propertyName: 'createdate', direction: 'DESCENDING' },
			}),
		);
		expect(found).toHaveLength(450);
		expect(new Set(found.map((r) => r.id)).size).toBe(450);
		const bodies = fake.requests.map((r) => r.body as Record<string, unknown>);
		expect(bodies.map((b) => b.limit)).toEqual([200, 200, 50]);
		expect(bodies.map((b) => b.after)).toEqual([undefined, '200', '400']);
		for (const body of bodies) {
			expect(body.sorts).toEqual([{ propertyName: 'createdate', direction: 'DESCENDING' }]);
			// No filters and no properties: neither is sent.
			expect(body.filterGroups).toBeUndefined();
			expect(body.properties).toBeUndefined();
		}
	});

	it('without Return All: a cursor equal to the one just sent ends the read; a limit of 0 sends nothing', async () => {
		const fake = new FakeHubSpot();
		const hub = connector(fake);
		fake.inject = () =>
			json({ results: [{ id: '1', properties: {} }], paging: { next: { after: '7' } } });
		const found = await collect(hub.searchRecords('contacts', { limit: 50 }));
		// Page 1 (no cursor) → after 7; page 2 (after 7) → after 7 again: stop.
		expect(found.map((r) => r.id)).toEqual(['1', '1']);
		expect(fake.requests).toHaveLength(2);
		expect(await collect(hub.searchRecords('contacts', { limit: 0 }))).toEqual([]);
		expect(fake.requests).toHaveLength(2);
	});

	it('with Return All: every match in record id order, sorted by hs_object_id whatever sort was given', async () => {
		const fake = new FakeHubSpot();
		fake.seed(450);
		const hub = connector(fake);
		const found = await collect(
			hub.searchRecords('contacts', {
				returnAll: true,
				properties: ['email'],
				sort: { propertyName: 'createdate', direction: 'DESCENDING' },
			}),
		);
		expect(found).toHaveLength(450);
		const ids = found.map((r) => Number(r.id));
		expect(ids).toEqual([...ids].sort((a, b) => a - b));
		expect(fake.requests).toHaveLength(3);
		for (const r of fake.requests) {
			const body = r.body as Record<string, unknown>;
			expect(body.sorts).toEqual([{ propertyName: 'hs_object_id', direction: 'ASCENDING' }]);
			expect(body.properties).toEqual(['email']);
		}
	});
});

describe('filterFromFields', () => {
	it('gives each operator the value fields HubSpot takes', () => {
		expect(filterFromFields({ propertyName: 'a', operator: 'IN', value: ' x, y ,,z' })).toEqual({
			propertyName: 'a',
			operator: 'IN',
			values: ['x', 'y', 'z'],
		});
		expect(filterFromFields({ propertyName: 'a', operator: 'HAS_PROPERTY', value: 'x' })).toEqual({
			propertyName: 'a',
			operator: 'HAS_PROPERTY',
		});
		expect(
			filterFromFields({ propertyName: 'a', operator: 'BETWEEN', value: '1', highValue: '5' }),
		).toEqual({ propertyName: 'a', operator: 'BETWEEN', value: '1', highValue: '5' });
		expect(filterFromFields({ propertyName: 'a', operator: 'EQ' })).toEqual({
			propertyName: 'a',
			operator: 'EQ',
			value: '',
		});
	});
});

describe('listRecords', () => {
	it('follows the cursor, asks each page only for what the limit leaves, and stops at the limit', async () => {
		const fake = new FakeHubSpot();
		fake.inject = pagedGet('/crm/v3/objects/contacts', {
			'': { ids: ['1', '2', '3'], next: 'a' },
			a: { ids: [], next: 'b' },
			b: { ids: ['4', '5', '6'], next: 'c' },
			c: { ids: ['7'] },
		});
		const hub = connector(fake);
		const found = await collect(hub.listRecords('contacts', { limit: 5 }));
		expect(found.map((r) => r.id)).toEqual(['1', '2', '3', '4', '5']);
		expect(fake.requests.map((r) => r.qs?.after)).toEqual([undefined, 'a', 'b']);
		expect(fake.requests.map((r) => r.qs?.limit)).toEqual([5, 2, 2]);
	});

	it('fails with a fatal error when HubSpot hands out a cursor twice, after yielding the pages read', async () => {
		const fake = new FakeHubSpot();
		fake.inject = pagedGet('/crm/v3/objects/contacts', {
			'': { ids: ['1'], next: 'a' },
			a: { ids: ['2'], next: 'b' },
			b: { ids: ['3'], next: 'a' },
		});
		const hub = connector(fake);
		const seen: string[] = [];
		const run = async () => {
			for await (const page of hub.listRecords('contacts')) seen.push(...page.map((r) => r.id));
		};
		const error: unknown = await run().catch((e: unknown) => e);
		expect(isCrmError(error) && error.kind).toBe('fatal');
		expect(String((error as Error).message)).toMatch(
			/paging cursor "a" twice while listing contacts/,
		);
		expect(seen).toEqual(['1', '2', '3']);
		expect(fake.requests).toHaveLength(3);
	});
});

describe('listOwners', () => {
	it('reads every page; a cursor repeated (at once or later) ends the list without duplicates', async () => {
		const fake = new FakeHubSpot();
		fake.inject = pagedGet('/crm/v3/owners', {
			'': { ids: ['o1', 'o2'], next: 'p2' },
			p2: { ids: ['o3'], next: 'p3' },
			p3: { ids: ['o4'] },
		});
		const hub = connector(fake);
		expect((await hub.listOwners()).map((o) => o.id)).toEqual(['o1', 'o2', 'o3', 'o4']);
		expect(fake.requests.map((r) => r.qs?.limit)).toEqual([100, 100, 100]);

		const same = new FakeHubSpot();
		same.inject = pagedGet('/crm/v3/owners', {
			'': { ids: ['o1'], next: 'p2' },
			p2: { ids: ['o2'], next: 'p2' },
		});
		expect((await connector(same).listOwners()).map((o) => o.id)).toEqual(['o1', 'o2']);
		expect(same.requests).toHaveLength(2);

		const cycle = new FakeHubSpot();
		cycle.inject = pagedGet('/crm/v3/owners', {
			'': { ids: ['o1'], next: 'p2' },
			p2: { ids: ['o2'], next: 'p3' },
			p3: { ids: ['o3'], next: 'p2' },
		});
		expect((await connector(cycle).listOwners()).map((o) => o.id)).toEqual(['o1', 'o2', 'o3']);
		expect(cycle.requests).toHaveLength(3);
	});
});
