/**
 * The connector contract's conformance suite against HubSpot: `HubSpotCrm` over the HubSpot simulator, on a
 * ManualClock, with HubSpot's search index lagging writes by 2 s and timestamps that may tie (many changes in one
 * millisecond), and batch answers in reverse order on demand (HubSpot documents no result order). Before it, the
 * HubSpot-specific cases: what describe reads from the properties API, lookups in batches (search IN ≤100 values),
 * deletions over several pages, `until`, records that are not sent, and lost answers.
 */
import type { ChangePage, Watermark } from '../../core/connectors/contract';
import { HubSpotConnector } from '../../core/connectors/hubspot/connector';
import { HubSpotCrm } from '../../core/connectors/hubspot/crm';
import { HubSpotApiClientTransport } from '../../core/connectors/hubspot/transport';
import type { HttpRequest } from '../../core/http/types';
import { HubSpotSimulator, type HubSpotContract } from '../../sandbox';
import { ManualClock } from '../../sandbox/kit/clock';
import type { ContractHarness } from './harness';
import { runConformanceSuite } from './suite';

const INDEX_DELAY_MS = 2000;
const clock = new ManualClock(Date.UTC(2024, 2, 5, 10, 0, 0));
const sim = new HubSpotSimulator({
	clock,
	rateLimits: false,
	seed: 11,
	searchIndexDelayMs: INDEX_DELAY_MS,
	strictTimestamps: false,
});
let contract: HubSpotContract | undefined;
/** The simulator's own owners (a test's are removed again by the harness's reset). */
const OWNERS_AT_START = sim.owners.length;

beforeAll(async () => {
	contract = await sim.start();
});
// The suite stops the simulator after its cases; this also stops it when a filter (-t) skipped them all.
afterAll(() => sim.stop());

const strings = (fields: Record<string, unknown>) =>
	Object.fromEntries(
		Object.entries(fields).map(([k, v]) => [k, v === null || v === undefined ? null : String(v)]),
	);

const harness: ContractHarness = {
	connector() {
		if (!contract) throw new Error('simulator not started');
		return new HubSpotCrm(
			new HubSpotConnector({
				baseUrl: contract.baseUrl,
				accessToken: contract.accessToken,
				rateLimit: false,
			}),
		);
	},
	objectType: 'contacts',
	textField: 'lastname',
	keyField: 'email',
	sharedField: 'jobtitle',
	makeFields: (i) => ({
		lastname: `Contract ${i}`,
		email: `contract-${i}@example.com`,
		jobtitle: `Title ${i}`,
	}),
	invalidFields: () => ({ lastname: 'Invalid', email: 'not-an-email' }),
	reset() {
		sim.reset();
		sim.owners.length = OWNERS_AT_START; // the owners a test added
	},
	storedCount: () => sim.collection('contacts').list().length,
	seed(n, fields) {
		const ids = Array.from({ length: n }, (_, i) =>
			sim.insertDirect('contacts', strings(fields ? fields(i) : harness.makeFields(1000 + i))),
		);
		// Seeded records stand for records that existed before the test: already in HubSpot's search index.
		clock.advance(INDEX_DELAY_MS);
		return ids;
	},
	editDirect: (id, fields) => sim.updateDirect('contacts', id, strings(fields)),
	deleteDirect: (id) => {
		if (!sim.archiveDirect('contacts', id)) throw new Error(`no contact ${id} to delete`);
	},
	advance: (ms) => void clock.advance(ms),
	answerNextBatchOutOfOrder() {
		sim.answerBatchesInReverse(1);
		return true;
	},
	stop: () => sim.stop(),
	users: {
		pageSize: 100,
		seed: (users) =>
			users.map((u) => {
				const id = String(70_000_000 + sim.owners.length);
				sim.owners.push({
					id,
					email: u.email,
					firstName: u.firstName,
					lastName: u.lastName,
					userId: 7_000 + sim.owners.length,
					archived: !u.active,
				});
				return id;
			}),
		storedIds: () => sim.owners.map((o) => o.id),
		listRequests: () => sim.log.count({ kind: 'owners.list' }),
	},
};

/** A HubSpotCrm whose requests (method, url, body) are recorded in `sent`. */
function recordingCrm(sent: HttpRequest[]): HubSpotCrm {
	if (!contract) throw new Error('simulator not started');
	const wire = new HubSpotApiClientTransport({
		accessToken: contract.accessToken,
		baseUrl: contract.baseUrl,
	});
	const transport = { send: (request: HttpRequest) => (sent.push(request), wire.send(request)) };
	return new HubSpotCrm(
		new HubSpotConnector({ baseUrl: contract.baseUrl, transport, rateLimit: false }),
	);
}

async function pages(
	crm: HubSpotCrm,
	watermark: Watermark | null,
	options: { until?: number; stopAfter?: number } = {},
): Promise<ChangePage[]> {
	const out: ChangePage[] = [];
	for await (const page of crm.changesSince('contacts', watermark, {
		fields: ['lastname'],
		until: options.until,
	})) {
		out.push(page);
		if (out.length === options.stopAfter) break;
	}
	return out;
}

const PAST_LAG = 10 * 60_000;

describe('HubSpotCrm specifics', () => {
	beforeEach(() => sim.reset());

	it('describe reads the properties API: id, email, phone, picklists with options, read-only stamps; capabilities follow', async () => {
		const crm = harness.connector();
		const schema = await crm.describe('contacts');
		expect(schema).toMatchObject({
			name: 'contacts',
			label: 'Contacts',
			custom: false,
			idField: 'hs_object_id',
			updatedAtField: 'lastmodifieddate',
		});
		const f = new Map(schema.fields.map((x) => [x.name, x]));
		expect(f.get('hs_object_id')).toMatchObject({ type: 'id', readOnly: true });
		expect(f.get('email')).toMatchObject({
			type: 'email',
			unique: true,
			externalId: true,
			createable: true,
		});
		expect(f.get('phone')).toMatchObject({ type: 'phone', crmType: 'string' });
		expect(f.get('lastmodifieddate')).toMatchObject({
			type: 'datetime',
			readOnly: true,
			updateable: false,
		});
		expect(f.get('lifecyclestage')?.type).toBe('picklist');
		expect(f.get('lifecyclestage')?.options).toContainEqual({ value: 'lead', label: 'Lead' });
		expect(
			(await crm.describe('tickets')).fields.find((x) => x.name === 'hs_ticket_category')?.type,
		).toBe('multipicklist');
		expect(await crm.capabilities('contacts')).toEqual({
			batchSize: 100,
			upsertKeys: ['email'],
			caseInsensitiveKeys: ['email'],
			deletesInChangeFeed: true,
			timestampPrecisionMs: 1,
			maxKeysPerLookup: 100,
		});
		// One read of the properties per object type and connector.
		await crm.describe('contacts');
		expect(sim.log.count({ method: 'GET', pathPrefix: '/crm/v3/properties/contacts' })).toBe(1);
	});

	it('a property with unique values is an upsert key: upserting by it twice leaves one record per value', async () => {
		const crm = harness.connector() as HubSpotCrm;
		await crm.hubspot.createProperty('companies', {
			name: 'ext_ref',
			label: 'External ref',
			type: 'string',
			fieldType: 'text',
			groupName: 'companyinformation',
			hasUniqueValue: true,
		});
		expect((await crm.capabilities('companies')).upsertKeys).toEqual(['ext_ref']);
		const inputs = [0, 1, 2].map((i) => ({ fields: { ext_ref: `R-${i}`, name: `Company ${i}` } }));
		const first = await crm.write('upsert', 'companies', inputs, { key: 'ext_ref' });
		const second = await crm.write(
			'upsert',
			'companies',
			inputs.map((x) => ({ fields: { ...x.fields, name: `${x.fields.name} (2)` } })),
			{ key: 'ext_ref' },
		);
		expect(first.map((r) => r.ok && r.value.created)).toEqual([true, true, true]);
		expect(second.map((r) => r.ok && r.value.created)).toEqual([false, false, false]);
		expect(second.map((r) => r.ok && r.value.id)).toEqual(first.map((r) => r.ok && r.value.id));
		expect(
			sim
				.collection('companies')
				.list()
				.map((r) => r.fields.name)
				.sort(),
		).toEqual(['Company 0 (2)', 'Company 1 (2)', 'Company 2 (2)']);
		await expect(crm.write('upsert', 'companies', inputs, { key: 'name' })).rejects.toThrow(
			/"name" is not a unique property — match on one of: ext_ref/,
		);
		expect(sim.log.count({ kind: 'batch.upsert' })).toBe(2);
	});

	it('findByKeys on a plain property searches IN with at most 100 values per filter; every match per value, case-insensitive as HubSpot compares', async () => {
		const ids = harness.seed(150, (i) => ({
			lastname: `L${i}`,
			email: `k${i}@example.com`,
			jobtitle: `Title ${i % 75}`,
		})) as string[];
		const sent: HttpRequest[] = [];
		const crm = recordingCrm(sent);
		const values = [
			...Array.from({ length: 75 }, (_, i) => `Title ${i}`),
			...Array.from({ length: 75 }, (_, i) => `Nobody ${i}`),
			'TITLE 3',
			'',
		];
		const found = await crm.findByKeys('contacts', 'jobtitle', values, ['lastname']);
		expect(found.slice(0, 75).map((m) => m.map((r) => r.id))).toEqual(
			Array.from({ length: 75 }, (_, i) => [ids[i], ids[i + 75]]),
		);
		expect(found.slice(75, 150).every((m) => m.length === 0)).toBe(true);
		expect(found[150].map((r) => r.id)).toEqual([ids[3], ids[78]]);
		expect(found[151]).toEqual([]);
		const searches = sent.filter((r) => r.url.endsWith('/search'));
		expect(searches).toHaveLength(2);
		for (const s of searches) {
			const filter = (
				s.body as {
					filterGroups: Array<{ filters: Array<{ operator: string; values: string[] }> }>;
				}
			).filterGroups[0].filters[0];
			expect(filter.operator).toBe('IN');
			expect(filter.values.length).toBeLessThanOrEqual(100);
		}
		// A unique property is read by value (batch read with idProperty, not the search index); e-mail case-insensitively.
		sent.length = 0;
		const byEmail = await crm.findByKeys(
			'contacts',
			'email',
			['K7@Example.com', 'none@example.com'],
			['lastname'],
		);
		expect(byEmail.map((m) => m.map((r) => r.id))).toEqual([[ids[7]], []]);
		expect(sent.map((r) => new URL(r.url, 'http://x').pathname)).toEqual([
			'/crm/v3/objects/contacts/batch/read',
		]);
		await expect(crm.findByKeys('contacts', 'no_such_property', ['x'])).rejects.toThrow(
			/contacts has no property "no_such_property"/,
		);
	});

	it('getByIds reads in batches of 100, in the order asked (HubSpot answering reversed); a missing or malformed id is undefined (the malformed one not sent)', async () => {
		const ids = harness.seed(250) as string[];
		const sent: HttpRequest[] = [];
		const crm = recordingCrm(sent);
		sim.log.reset();
		const asked = [...[...ids].reverse(), '999999999', 'abc'];
		sim.setReadResultOrder('reversed');
		const read = await crm
			.getByIds('contacts', asked, ['email'])
			.finally(() => sim.setReadResultOrder('request'));
		expect(read.map((r) => r?.id)).toEqual([...[...ids].reverse(), undefined, undefined]);
		expect(sim.log.count({ kind: 'batch.read' })).toBe(3);
		const inputs = sent.flatMap((r) =>
			(r.body as { inputs: Array<{ id: string }> }).inputs.map((x) => x.id),
		);
		expect(inputs).toHaveLength(251);
		expect(inputs).not.toContain('abc');
	});

	it('deletions come oldest first over several pages; resuming after the first page gives the rest once', async () => {
		const ids = harness.seed(230) as string[];
		clock.advance(PAST_LAG);
		const all = await pages(harness.connector() as HubSpotCrm, null);
		const start = all[all.length - 1].watermark;
		// 150 deletions: 100 in one millisecond, then 50 in the next second.
		for (const id of ids.slice(0, 100)) harness.deleteDirect(id);
		clock.advance(1000);
		for (const id of ids.slice(100, 150)) harness.deleteDirect(id);
		await harness.editDirect(ids[200], { lastname: 'Edited' });
		clock.advance(PAST_LAG);
		const first = await pages(harness.connector() as HubSpotCrm, start, { stopAfter: 1 });
		expect(first[0].records.map((r) => r.id)).toEqual(ids.slice(0, 100));
		expect(first[0].records.every((r) => r.deleted === true && r.updatedAt !== undefined)).toBe(
			true,
		);
		const rest = await pages(
			harness.connector() as HubSpotCrm,
			JSON.parse(JSON.stringify(first[0].watermark)) as Watermark,
		);
		const records = rest.flatMap((p) => p.records);
		expect(records.filter((r) => r.deleted).map((r) => r.id)).toEqual(ids.slice(100, 150));
		expect(records.filter((r) => !r.deleted).map((r) => r.id)).toEqual([ids[200]]);
		expect(await pages(harness.connector() as HubSpotCrm, rest[rest.length - 1].watermark)).toEqual(
			[],
		);
	});

	it('until bounds the feed; the changes after it come on the next call', async () => {
		const early = harness.seed(3) as string[];
		clock.advance(60_000);
		const until = clock.now() - 1;
		const late = harness.seed(2) as string[];
		clock.advance(PAST_LAG);
		const bounded = await pages(harness.connector() as HubSpotCrm, null, { until });
		expect(bounded.flatMap((p) => p.records.map((r) => r.id))).toEqual(early);
		const next = await pages(
			harness.connector() as HubSpotCrm,
			bounded[bounded.length - 1].watermark,
		);
		expect(next.flatMap((p) => p.records.map((r) => r.id))).toEqual(late);
	});

	it("one read of HubSpot's clock per changesSince call (the window's end serves deletions and changes alike)", async () => {
		harness.seed(3);
		clock.advance(PAST_LAG);
		const clockReads = () =>
			sim.log
				.entries({ method: 'GET', pathPrefix: '/crm/v3/objects/contacts' })
				.filter((e) => e.path === '/crm/v3/objects/contacts' && String(e.query.limit) === '1')
				.length;
		const before = clockReads();
		const read = await pages(harness.connector() as HubSpotCrm, null);
		expect(read.flatMap((p) => p.records)).toHaveLength(3);
		expect(clockReads() - before).toBe(1);
	});

	/** Feed pages of `kind` from `watermark`, each record with the watermark after it. */
	async function feed(watermark: Watermark | null, kind: 'all' | 'updated' = 'updated') {
		const out: Array<{ id: string; after: Watermark }> = [];
		for await (const page of harness
			.connector()
			.changesSince('contacts', watermark, { fields: ['lastname'], kind }))
			page.records.forEach((r, i) =>
				out.push({ id: String(r.id), after: page.recordWatermarks?.[i] as Watermark }),
			);
		return out;
	}
	// Pages of live records (the archived list, read for deletions, apart).
	const listPages = () =>
		sim.log
			.entries({ kind: 'list' })
			.filter((e) => String(e.query.limit) === '100' && e.query.archived !== 'true').length;
	const searches = () => sim.log.count({ kind: 'search' });

	it('a backfill (from null) reads the list API, 100 a page and no search; from the watermark after any of its records, exactly the rest', async () => {
		const ids = harness.seed(250) as string[];
		clock.advance(PAST_LAG);
		for (const kind of ['updated', 'all'] as const) {
			const [lists, searched] = [listPages(), searches()];
			const all = await feed(null, kind);
			expect({ kind, lists: listPages() - lists, searches: searches() - searched }).toEqual({
				kind,
				lists: 3,
				searches: 0,
			});
			expect(all.map((r) => r.id)).toEqual(ids);
			// Its end is a search position: the next call hands out nothing, through one search.
			expect(all[249].after).not.toHaveProperty('listAfter');
			expect(await feed(all[249].after, kind)).toEqual([]);
		}
		const all = await feed(null);
		for (const k of [0, 99, 150, 248]) {
			const lists = listPages();
			const stored = JSON.parse(JSON.stringify(all[k].after)) as Watermark;
			expect(stored).toHaveProperty('listAfter');
			expect((await feed(stored)).map((r) => r.id)).toEqual(ids.slice(k + 1));
			expect(listPages() - lists).toBe(3 - Math.floor((k + 1) / 100));
		}
	});

	it('a backfill resumed when the rest of it is gone ends with a page handing out its end, where the search feed takes over', async () => {
		const ids = harness.seed(150) as string[];
		clock.advance(PAST_LAG);
		const stored = (await feed(null))[120].after;
		for (const id of ids.slice(121)) harness.deleteDirect(id);
		const pages: ChangePage[] = [];
		for await (const page of harness
			.connector()
			.changesSince('contacts', stored, { kind: 'updated' }))
			pages.push(page);
		expect(pages.map((p) => p.records.length)).toEqual([0]);
		expect(pages[0].watermark).toEqual({ ...stored, listAfter: undefined, listIds: undefined });
		expect(pages[0].watermark).not.toHaveProperty('listAfter');
		const [added] = harness.seed(1, (i) => harness.makeFields(950 + i)) as string[];
		clock.advance(PAST_LAG);
		expect((await feed(pages[0].watermark)).map((r) => r.id)).toEqual([added]);
	});

	it('a backfill hands out what was before its start; changes made while it is read come after it, from the search feed', async () => {
		const ids = harness.seed(150) as string[];
		clock.advance(PAST_LAG);
		const connector = harness.connector();
		const seen: string[] = [];
		let watermark: Watermark | null = null;
		let added = '';
		for await (const page of connector.changesSince('contacts', null, { kind: 'updated' })) {
			if (!added) {
				await harness.editDirect(ids[10], { lastname: 'Edited after read' });
				await harness.editDirect(ids[120], { lastname: 'Edited ahead' });
				harness.deleteDirect(ids[130]);
				[added] = harness.seed(1, (i) => harness.makeFields(900 + i)) as string[];
			}
			seen.push(...page.records.map((r) => String(r.id)));
			watermark = page.watermark;
		}
		expect(seen).toEqual(ids.filter((id) => id !== ids[120] && id !== ids[130]));
		clock.advance(PAST_LAG);
		const next = await feed(watermark);
		expect(next.map((r) => r.id).sort()).toEqual([ids[10], ids[120], added].sort());
	});

	it('update and delete: an input without a valid record id fails alone and is not sent; the others are written, in order, even answered in reverse', async () => {
		const ids = harness.seed(4) as string[];
		const sent: HttpRequest[] = [];
		const crm = recordingCrm(sent);
		sim.answerBatchesInReverse(1);
		const updated = await crm.write('update', 'contacts', [
			{ id: ids[0], fields: { lastname: 'U0' } },
			{ id: 'abc', fields: { lastname: 'never' } },
			{ id: ids[2], fields: { lastname: 'U2' } },
			{ id: '999999999', fields: { lastname: 'missing' } },
			{ id: ids[3], fields: { lastname: 'U3' } },
		]);
		expect(updated.map((r) => r.index)).toEqual([0, 1, 2, 3, 4]);
		expect(updated.map((r) => (r.ok ? r.value.id : r.error.code))).toEqual([
			ids[0],
			'INVALID_ID',
			ids[2],
			expect.any(String),
			ids[3],
		]);
		expect(updated[3].ok).toBe(false);
		expect(ids.map((id) => sim.collection('contacts').get(id)?.fields.lastname)).toEqual([
			'U0',
			'Contract 1001',
			'U2',
			'U3',
		]);
		const sentIds = sent
			.filter((r) => r.url.endsWith('/batch/update'))
			.flatMap((r) => (r.body as { inputs: Array<{ id: string }> }).inputs.map((x) => x.id));
		expect(sentIds).not.toContain('abc');
		expect(sentIds).toEqual(expect.arrayContaining([ids[0], ids[2], ids[3]]));
		const deleted = await crm.write('delete', 'contacts', [
			{ id: ids[1], fields: {} },
			{ id: ' ', fields: {} },
		]);
		expect(deleted.map((r) => (r.ok ? r.value.id : r.error.code))).toEqual([ids[1], 'INVALID_ID']);
		expect(harness.storedCount()).toBe(3);
	});

	it('a create whose answer is lost: settled by e-mail when the record has one, OUTCOME_UNKNOWN when not — never sent twice', async () => {
		const crm = harness.connector();
		sim.faults.add({
			type: 'drop',
			when: 'afterHandler',
			count: 1,
			match: { path: '/contacts/batch/create$' },
		});
		const withEmail = await crm.write(
			'create',
			'contacts',
			[harness.makeFields(1), harness.makeFields(2)].map((fields) => ({ fields })),
		);
		expect(withEmail.every((r) => r.ok)).toBe(true);
		expect(harness.storedCount()).toBe(2);
		sim.faults.add({
			type: 'drop',
			when: 'afterHandler',
			count: 1,
			match: { path: '/contacts/batch/create$' },
		});
		const without = await crm.write('create', 'contacts', [
			{ fields: { lastname: 'No email A' } },
			{ fields: { lastname: 'No email B' } },
		]);
		expect(without.map((r) => !r.ok && r.error.code)).toEqual([
			'OUTCOME_UNKNOWN',
			'OUTCOME_UNKNOWN',
		]);
		expect(harness.storedCount()).toBe(4);
		expect(sim.log.count({ kind: 'batch.create' })).toBe(2);
	});
});

runConformanceSuite('HubSpot', harness);
