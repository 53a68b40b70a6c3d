import type { AxiosResponse } from 'axios';
import { RestSimulator, type RestContract } from '../../sandbox';
import { ManualClock } from '../../sandbox/kit';
import { client } from './helpers';

/** Walks every page of a style, bounded, collecting ids. */
async function walk(
	contract: RestContract,
	style: string,
	pageSize: number,
	onPage?: (n: number) => Promise<void>,
): Promise<{ ids: string[]; calls: number }> {
	const c = client(contract.baseUrl, { 'X-API-Key': contract.apiKey });
	const ids: string[] = [];
	let calls = 0;
	const take = (rows: Array<{ id: string }>) => ids.push(...rows.map((r) => r.id));
	switch (style) {
		case 'cursor': {
			let cursor: string | null = null;
			do {
				const res: AxiosResponse = await c.get('/contacts', {
					params: { paging: 'cursor', limit: pageSize, ...(cursor ? { cursor } : {}) },
				});
				expect(res.status).toBe(200);
				calls++;
				take(res.data.data);
				expect(res.data.has_more).toBe(res.data.next_cursor !== null);
				cursor = res.data.next_cursor;
				await onPage?.(calls);
			} while (cursor !== null && calls < 1000);
			break;
		}
		case 'offset': {
			for (let offset = 0; calls < 1000; offset += pageSize) {
				const res = await c.get('/contacts', {
					params: { paging: 'offset', offset, limit: pageSize },
				});
				calls++;
				take(res.data.data);
				expect(res.data).toMatchObject({ offset, limit: pageSize, total: 103 });
				if (offset + pageSize >= res.data.total) break;
			}
			break;
		}
		case 'page': {
			for (let page = 1; calls < 1000; page++) {
				const res = await c.get('/contacts', {
					params: { paging: 'page', page, per_page: pageSize },
				});
				calls++;
				take(res.data.data);
				expect(res.data).toMatchObject({
					page,
					per_page: pageSize,
					total: 103,
					total_pages: Math.ceil(103 / pageSize),
				});
				if (page >= res.data.total_pages) break;
			}
			break;
		}
		case 'next': {
			let url: string | null = `${contract.baseUrl}/contacts?paging=next&limit=${pageSize}`;
			while (url !== null && calls < 1000) {
				const res: AxiosResponse = await c.get(url);
				calls++;
				take(res.data.data);
				url = res.data.next;
				if (url !== null) expect(url.startsWith(contract.baseUrl)).toBe(true);
			}
			break;
		}
		case 'link': {
			let url: string | null = `${contract.baseUrl}/contacts?paging=link&per_page=${pageSize}`;
			while (url !== null && calls < 1000) {
				const res = await c.get(url);
				calls++;
				expect(Array.isArray(res.data)).toBe(true);
				expect(res.headers['x-total-count']).toBe('103');
				take(res.data);
				const next = /<([^>]+)>;\s*rel="next"/.exec(String(res.headers.link ?? ''));
				url = next ? next[1] : null;
			}
			break;
		}
		default:
			throw new Error(style);
	}
	return { ids, calls };
}

describe('REST simulator paging', () => {
	const sim = new RestSimulator({
		clock: new ManualClock(),
		records: { contacts: 103, companies: 5 },
		rateLimit: false,
	});
	let contract: RestContract;
	let allIds: string[];

	beforeAll(async () => {
		contract = await sim.start();
		allIds = sim
			.collection('contacts')
			.list()
			.map((r) => r.id);
	});
	afterAll(() => sim.stop());

	it.each(['cursor', 'offset', 'page', 'next', 'link'])(
		'%s paging walks every record once, in order',
		async (style) => {
			const { ids, calls } = await walk(contract, style, 10);
			expect(ids).toEqual(allIds);
			expect(new Set(ids).size).toBe(103);
			expect(calls).toBe(11);
		},
	);

	it('defaults per endpoint (contacts cursor, companies offset) and clamps page size', async () => {
		const c = client(contract.baseUrl, { 'X-API-Key': contract.apiKey });
		const contacts = await c.get('/contacts');
		expect(contacts.data.data).toHaveLength(25);
		expect(contacts.data.next_cursor).toEqual(expect.any(String));
		const companies = await c.get('/companies');
		expect(companies.data).toMatchObject({ offset: 0, limit: 25, total: 5 });
		expect((await c.get('/contacts?limit=1000')).data.data).toHaveLength(100);
		sim.setPaging('companies', 'page');
		expect((await c.get('/companies')).data).toMatchObject({ page: 1, total_pages: 1 });
		sim.setPaging('companies', 'offset');
	});

	it('Link header carries first, prev, next and last', async () => {
		const c = client(contract.baseUrl, { 'X-API-Key': contract.apiKey });
		const res = await c.get('/contacts?paging=link&per_page=10&page=5');
		const rels = [...String(res.headers.link).matchAll(/<([^>]+)>;\s*rel="(\w+)"/g)].map((m) => [
			m[2],
			new URL(m[1]).searchParams.get('page'),
		]);
		expect(rels).toEqual([
			['first', '1'],
			['prev', '4'],
			['next', '6'],
			['last', '11'],
		]);
	});

	it('cursor paging has no gaps or repeats when records are inserted and deleted while paging', async () => {
		const coll = sim.collection('contacts');
		const before = coll.list().map((r) => r.id);
		let n = 0;
		const { ids } = await walk(contract, 'cursor', 10, async (page) => {
			if (page === 3) {
				coll.create({ email: `late${n++}@example.com`, last_name: 'Late' });
				coll.delete(before[50]);
			}
		});
		expect(new Set(ids).size).toBe(ids.length);
		// every record that existed throughout is seen; the one deleted ahead of the cursor is not; the new one is
		expect(ids.filter((id) => before.includes(id))).toEqual(
			before.filter((id) => id !== before[50]),
		);
		expect(ids).toHaveLength(103);
		coll.restore(before[50]);
	});

	it('filters by updated_since and sorts by updated_at with a stable keyset cursor', async () => {
		const clock = sim.clock as ManualClock;
		const coll = sim.collection('contacts');
		const since = clock.advance(60_000);
		const ids = coll.list().map((r) => r.id);
		coll.update(ids[7], { score: 1 });
		coll.update(ids[2], { score: 2 });
		coll.update(ids[7], { score: 3 });
		const c = client(contract.baseUrl, { 'X-API-Key': contract.apiKey });
		const res = await c.get('/contacts', {
			params: { updated_since: new Date(since).toISOString(), sort: 'updated_at', limit: 1 },
		});
		expect(res.data.data.map((r: { id: string }) => r.id)).toEqual([ids[2]]);
		const next = await c.get('/contacts', {
			params: {
				updated_since: new Date(since).toISOString(),
				sort: 'updated_at',
				limit: 1,
				cursor: res.data.next_cursor,
			},
		});
		expect(next.data.data.map((r: { id: string }) => r.id)).toEqual([ids[7]]);
		expect(next.data.next_cursor).toBeNull();
		// a cursor from one sort is rejected by another
		const mixed = await c.get('/contacts', { params: { cursor: res.data.next_cursor } });
		expect(mixed.status).toBe(400);
		expect(mixed.data.error).toBe('invalid_cursor');
	});

	it('filters by field equality: filter[field]=value, repeated for any of several, unique fields case-insensitively', async () => {
		const c = client(contract.baseUrl, { 'X-API-Key': contract.apiKey });
		const contacts = sim.collection('contacts').list();
		const [a, b] = contacts;
		const emails = async (q: string) =>
			((await c.get(`/contacts?${q}`)).data.data as Array<{ email: string }>).map((r) => r.email);
		const upper = encodeURIComponent(String(a.fields.email).toUpperCase());
		expect(await emails(`filter[email]=${upper}`)).toEqual([a.fields.email]);
		const both = `filter[email]=${encodeURIComponent(String(b.fields.email))}&filter[email]=${upper}`;
		expect(await emails(both)).toEqual([a.fields.email, b.fields.email]);
		const last = String(a.fields.last_name);
		const sameLast = contacts.filter((r) => r.fields.last_name === last).map((r) => r.fields.email);
		expect(await emails(`filter[last_name]=${encodeURIComponent(last)}`)).toEqual(sameLast);
		expect(await emails(`filter[last_name]=${encodeURIComponent(last.toUpperCase())}`)).toEqual([]);
		const unknown = await c.get('/contacts?filter[colour]=blue');
		expect(unknown.status).toBe(400);
		expect(unknown.data.errors[0].field).toBe('filter[colour]');
	});

	it('rejects bad paging parameters with field names', async () => {
		const c = client(contract.baseUrl, { 'X-API-Key': contract.apiKey });
		for (const [q, field] of [
			['paging=weird', 'paging'],
			['paging=offset&offset=-1', 'offset'],
			['limit=0', 'limit'],
			['paging=page&page=abc', 'page'],
			['cursor=garbage', 'cursor'],
			['updated_since=yesterday', 'updated_since'],
			['sort=name', 'sort'],
		]) {
			const res = await c.get(`/contacts?${q}`);
			expect(res.status).toBe(400);
			expect(res.data.errors[0].field).toBe(field);
		}
	});
});
