/**
 * The REST API node's paged reads through n8n's engine against the REST simulator: 5,000 records through every
 * paging style, counting the requests the simulator answered; a stop condition and the maximums end the read early
 * without requesting further pages.
 */
import type { IDataObject, INodeParameters } from 'n8n-workflow';

import { clearRateBudgets } from '../../../core/http/rateLimiter';
import { RestSimulator, type RestContract } from '../../../sandbox';
import { credentialsFor, run } from './helpers';

const sim = new RestSimulator({ records: { contacts: 5000 }, rateLimit: false });
let contract: RestContract;

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
		{ method: 'GET', path: '/contacts', ...parameters },
		{ credentials: credentialsFor(contract) },
	);

const query = (style: string) => ({
	queryParameters: { values: [{ name: 'paging', value: style }] },
});

function expectAllContacts(ok: IDataObject[]): void {
	expect(ok).toHaveLength(5000);
	const ids = ok.map((r) => Number(r.id));
	expect(new Set(ids).size).toBe(5000);
	expect(ids).toEqual([...ids].sort((a, b) => a - b));
	expect(ok[0]).toEqual(expect.objectContaining({ email: expect.stringContaining('@') }));
}

describe('5,000 records through each paging style (100 per page)', () => {
	it('cursor from the body: 50 requests', async () => {
		const { ok, failed } = await read({
			...query('cursor'),
			recordsPath: 'data',
			pagination: 'cursor',
			cursorPath: 'next_cursor',
			cursorParam: 'cursor',
			pageSizeParam: 'limit',
			pageSize: 100,
		});
		expect(failed).toEqual([]);
		expectAllContacts(ok);
		expect(sim.log.count({ kind: 'list' })).toBe(50);
	});

	it('offset and limit: 50 full pages and the empty page that ends the read', async () => {
		const { ok } = await read({
			...query('offset'),
			recordsPath: 'data',
			pagination: 'offset',
			offsetParam: 'offset',
			pageSizeParam: 'limit',
			pageSize: 100,
		});
		expectAllContacts(ok);
		const offsets = sim.log.entries({ kind: 'list' }).map((e) => Number(e.query.offset));
		expect(offsets).toEqual(Array.from({ length: 51 }, (_, k) => k * 100));
	});

	it('page number: pages 1..51 (the 51st is empty)', async () => {
		const { ok } = await read({
			...query('page'),
			recordsPath: 'data',
			pagination: 'page',
			pageParam: 'page',
			firstPage: 1,
			pageSizeParam: 'per_page',
			pageSize: 100,
		});
		expectAllContacts(ok);
		const pages = sim.log.entries({ kind: 'list' }).map((e) => Number(e.query.page));
		expect(pages).toEqual(Array.from({ length: 51 }, (_, k) => k + 1));
	});

	it('next URL from the body: 50 requests', async () => {
		const { ok } = await read({
			...query('next'),
			recordsPath: 'data',
			pagination: 'nextUrl',
			nextUrlPath: 'next',
			pageSizeParam: 'limit',
			pageSize: 100,
		});
		expectAllContacts(ok);
		expect(sim.log.count({ kind: 'list' })).toBe(50);
	});

	it('Link header (a bare array body): 50 requests', async () => {
		const { ok } = await read({
			...query('link'),
			recordsPath: '',
			pagination: 'linkHeader',
			pageSizeParam: 'per_page',
			pageSize: 100,
		});
		expectAllContacts(ok);
		expect(sim.log.count({ kind: 'list' })).toBe(50);
	});
});

describe('stop condition and maximums', () => {
	const cursor = {
		...query('cursor'),
		recordsPath: 'data',
		pagination: 'cursor',
		pageSizeParam: 'limit',
		pageSize: 100,
	};

	it('a body path that is false ends the read: has_more on the last page, a flag of a record mid-read', async () => {
		// has_more is read from the page: with a page size of 100 the simulator says false only on the last page.
		const { ok } = await read({
			...cursor,
			cursorPath: 'next_cursor',
			stopWhen: 'pathFalse',
			stopPath: 'has_more',
		});
		expect(ok).toHaveLength(5000);
		expect(sim.log.count({ kind: 'list' })).toBe(50);
		sim.log.reset();
		// A flag that turns false mid-read: the last record of a page not subscribed. The read ends after that page.
		const contacts = sim.collection('contacts').list();
		let page = 0;
		while (contacts[page * 100 + 99].fields.subscribed !== false) page++;
		expect(page).toBeLessThan(49);
		const early = await read({
			...cursor,
			cursorPath: 'next_cursor',
			stopWhen: 'pathFalse',
			stopPath: 'data[99].subscribed',
		});
		expect(early.ok).toHaveLength((page + 1) * 100);
		expect(sim.log.count({ kind: 'list' })).toBe(page + 1);
	});

	it('a body path that is true / empty ends the read', async () => {
		const { ok } = await read({
			...cursor,
			cursorPath: 'next_cursor',
			stopWhen: 'pathTrue',
			stopPath: 'has_more',
		});
		expect(ok).toHaveLength(100);
		expect(sim.log.count({ kind: 'list' })).toBe(1);
		sim.log.reset();
		const empty = await read({
			...cursor,
			cursorPath: 'next_cursor',
			stopWhen: 'pathEmpty',
			stopPath: 'data[250]',
		});
		expect(empty.ok).toHaveLength(100);
		expect(sim.log.count({ kind: 'list' })).toBe(1);
	});

	it('a short page ends an offset read without the extra empty request', async () => {
		const { ok } = await read({
			...query('offset'),
			recordsPath: 'data',
			pagination: 'offset',
			pageSizeParam: 'limit',
			pageSize: 75,
			stopWhen: 'shortPage',
		});
		// 5000 = 66 × 75 + 50: the 67th page is short and ends the read.
		expect(ok).toHaveLength(5000);
		expect(sim.log.count({ kind: 'list' })).toBe(67);
	});

	it('Max Records stops after that many records and requests no further page', async () => {
		const { ok } = await read({ ...cursor, cursorPath: 'next_cursor', maxRecords: 250 });
		expect(ok).toHaveLength(250);
		expect(ok.at(-1)?.id).toBe('250');
		expect(sim.log.count({ kind: 'list' })).toBe(3);
	});

	it('Max Pages stops after that many pages', async () => {
		const { ok } = await read({ ...cursor, cursorPath: 'next_cursor', maxPages: 2 });
		expect(ok).toHaveLength(200);
		expect(sim.log.count({ kind: 'list' })).toBe(2);
	});

	it('a Records Path that is not in the body fails the item, naming the keys that are', async () => {
		const { ok, failed } = await read({
			...cursor,
			cursorPath: 'next_cursor',
			recordsPath: 'items',
		});
		expect(ok).toEqual([]);
		expect(String(failed[0].error)).toMatch(
			/Records Path "items" is not in the response body \(its top-level keys: data, next_cursor, has_more\)/,
		);
	});
});
