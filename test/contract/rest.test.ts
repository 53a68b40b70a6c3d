/**
 * The connector contract's conformance suite against the REST simulator, through endpoint profiles
 * (core/connectors/rest): the sample profile (examples/profiles/rest-simulator-contacts.json — cursor paging, the
 * batch endpoint for every write) and a variant (Link-header paging for lists, next-URL paging for changes, one
 * request per record for create / update / delete, one value per look-up). Both on a ManualClock, rate limit off.
 * Then the profile-specific cases: a change feed lists updates and deletions exactly once, lost answers, profile
 * errors that name the field and the fix, and a profile without look-ups.
 */
import sample from '../../examples/profiles/rest-simulator-contacts.json';
import { RestProfileConnector } from '../../core/connectors/rest';
import { parseProfile, ProfileError } from '../../core/connectors/rest/profile';
import type { Watermark } from '../../core/connectors/contract';
import { ApiKeyAuth } from '../../core/http/auth';
import { AxiosTransport } from '../../core/http/transport';
import type { Transport } from '../../core/http/types';
import type { RetryOptions } from '../../core/http/retry';
import { RestSimulator, type RestContract } from '../../sandbox/rest';
import { ManualClock } from '../../sandbox/kit/clock';
import type { ContractHarness } from './harness';
import { runConformanceSuite } from './suite';

type Json = Record<string, unknown>;
const contactsOf = (p: unknown) => (p as { objects: { contacts: Json } }).objects.contacts;

/** The sample profile with Link-header paging (list), offset paging (changes), next-URL paging (find), single writes. */
function variant(changesPageSize = 60): Json {
	const copy = JSON.parse(JSON.stringify(sample)) as Json;
	const c = contactsOf(copy);
	c.list = { path: '/contacts', query: { paging: 'link' }, paging: { style: 'link', size: 40 } };
	c.changes = {
		...(c.changes as Json),
		query: { paging: 'offset', sort: 'updated_at' },
		paging: { style: 'offset', size: changesPageSize, totalPath: 'total' },
	};
	c.find = {
		param: 'filter[{field}]',
		recordsPath: 'data',
		query: { paging: 'next' },
		paging: { style: 'next', nextPath: 'next' },
	};
	delete c.create;
	delete c.update;
	delete c.delete;
	return copy;
}

interface World {
	sim: RestSimulator;
	clock: ManualClock;
	connector(profile?: unknown, retry?: RetryOptions): RestProfileConnector;
	harness: ContractHarness;
}

function world(profile: unknown): World {
	const clock = new ManualClock(Date.UTC(2024, 5, 3, 9, 0, 0));
	const sim = new RestSimulator({ clock, rateLimit: false, seed: 7 });
	let contract: RestContract | undefined;
	beforeAll(async () => {
		contract = await sim.start();
	});
	// The suite stops the simulator after its cases; this also stops it when a filter (-t) skipped them all.
	afterAll(() => sim.stop());
	const contacts = () => sim.collection('contacts');
	const connector = (p: unknown = profile, retry?: RetryOptions) => {
		if (!contract) throw new Error('simulator not started');
		return new RestProfileConnector({
			profile: p,
			baseUrl: contract.baseUrl,
			auth: new ApiKeyAuth({ key: contract.apiKey }),
			http: { rateLimit: false, retry },
		});
	};
	const makeFields = (i: number) => ({
		last_name: `Contract ${i}`,
		email: `contract-${i}@example.com`,
		first_name: `First ${i}`,
	});
	const harness: ContractHarness = {
		connector: () => connector(),
		objectType: 'contacts',
		textField: 'last_name',
		keyField: 'email',
		sharedField: 'first_name',
		makeFields,
		// The simulator caps last_name at 80 characters.
		invalidFields: () => ({ last_name: 'x'.repeat(100), email: 'invalid@example.com' }),
		reset: () => sim.reset(),
		storedCount: () => contacts().count(),
		seed: (n, fields) =>
			Array.from(
				{ length: n },
				(_, i) => contacts().create(fields ? fields(i) : makeFields(1000 + i)).id,
			),
		editDirect: (id, fields) => void contacts().update(id, fields),
		deleteDirect: (id) => void contacts().delete(id),
		advance: (ms) => void clock.advance(ms),
		// The simulator answers a batch in item order (results carry their index, which the profile matches on).
		answerNextBatchOutOfOrder: () => false,
		stop: () => sim.stop(),
	};
	return { sim, clock, connector, harness };
}

runConformanceSuite('rest profile (cursor paging, batch writes)', world(sample).harness);
runConformanceSuite(
	'rest profile (link / next-URL paging, single writes)',
	world(variant()).harness,
);

describe('rest profile connector', () => {
	const w = world(sample);
	beforeEach(() => w.sim.reset());
	const read = async (c: RestProfileConnector, from: Watermark | null) => {
		const records: Array<[string, boolean]> = [];
		let last = from;
		for await (const page of c.changesSince('contacts', from, { fields: ['last_name'] })) {
			records.push(
				...page.records.map((r): [string, boolean] => [String(r.id), r.deleted === true]),
			);
			last = page.watermark;
		}
		return { records, watermark: last };
	};

	it('changes since a watermark list updates and deletions exactly once, oldest first', async () => {
		const ids = w.harness.seed(4) as string[];
		w.clock.advance(5000);
		const start = await read(w.connector(), null);
		expect(start.records.map(([id]) => id)).toEqual(ids);
		w.harness.editDirect(ids[2], { last_name: 'Edited once' });
		w.clock.advance(10);
		w.harness.editDirect(ids[2], { last_name: 'Edited twice' });
		w.harness.deleteDirect(ids[0]);
		w.harness.editDirect(ids[3], { last_name: 'Edited 3' });
		w.clock.advance(5000);
		const before = w.sim.log.count({ kind: 'deleted' });
		const next = await read(w.connector(), start.watermark);
		expect(next.records).toEqual([
			[ids[2], false],
			[ids[0], true],
			[ids[3], false],
		]);
		expect(w.sim.log.count({ kind: 'deleted' }) - before).toBe(1);
		const again = await read(w.connector(), next.watermark);
		expect(again.records).toEqual([]);
		// A change younger than the lag (by the API's Date header) waits for the next call.
		w.harness.editDirect(ids[1], { last_name: 'Too recent' });
		expect((await read(w.connector(), next.watermark)).records).toEqual([]);
		w.clock.advance(5000);
		expect((await read(w.connector(), next.watermark)).records).toEqual([[ids[1], false]]);
	});

	it('an offset-paged change feed asks again from its position after each page: an edit while reading skips nothing', async () => {
		const ids = w.harness.seed(12) as string[];
		w.clock.advance(5000);
		let lists = 0;
		const axios = new AxiosTransport();
		// After the first page, a record already read moves to the end: following offsets would skip the next one.
		const transport: Transport = {
			send: async (request) => {
				const response = await axios.send(request);
				if (request.method === 'GET' && ++lists === 1)
					w.harness.editDirect(ids[1], { last_name: 'Moved' });
				return response;
			},
		};
		const contract = w.sim.contract();
		const c = new RestProfileConnector({
			profile: variant(5),
			baseUrl: contract.baseUrl,
			auth: new ApiKeyAuth({ key: contract.apiKey }),
			transport,
			http: { rateLimit: false },
		});
		const read = async (from: Watermark | null) => {
			const out: Array<[string, unknown]> = [];
			let last = from;
			for await (const page of c.changesSince('contacts', from, { kind: 'updated' })) {
				out.push(...page.records.map((r): [string, unknown] => [String(r.id), r.fields.last_name]));
				last = page.watermark;
			}
			return { ids: out.map(([id]) => id), out, watermark: last };
		};
		const first = await read(null);
		expect(first.ids).toEqual(ids);
		// Each request asks from 1 ms before the last time read (safe for an exclusive "since"): with one record per
		// ms, pages of 5 bring 5, 3, 3 and 1 new records (the last page is short).
		expect(lists).toBe(4);
		w.clock.advance(5000);
		expect((await read(first.watermark)).out).toEqual([[ids[1], 'Moved']]);
	});

	it('a batch whose answer is lost is OUTCOME_UNKNOWN per item (a create not safe to re-run, an update safe)', async () => {
		const c = w.connector();
		w.sim.faults.add({ type: 'drop', when: 'afterHandler', match: { kinds: ['batch'] } });
		const created = await c.write('create', 'contacts', [
			{ fields: w.harness.makeFields(1) },
			{ fields: w.harness.makeFields(2) },
		]);
		expect(created.map((r) => !r.ok && r.error.code)).toEqual([
			'OUTCOME_UNKNOWN',
			'OUTCOME_UNKNOWN',
		]);
		expect(created.map((r) => !r.ok && r.error.details)).toEqual([
			expect.objectContaining({ safeToRerun: false }),
			expect.objectContaining({ safeToRerun: false }),
		]);
		expect(w.sim.collection('contacts').count()).toBe(2); // the simulator did write them
		// An update is safe to repeat: the client sends it again, and a second lost answer leaves it unknown.
		const [id] = w.harness.seed(1) as string[];
		w.sim.faults.add({ type: 'drop', when: 'afterHandler', match: { kinds: ['batch'] } });
		const calls = w.sim.log.count({ kind: 'batch.update' });
		const [again] = await c.write('update', 'contacts', [{ id, fields: { last_name: 'Again' } }]);
		expect(again).toMatchObject({ ok: true, value: { id } });
		expect(w.sim.log.count({ kind: 'batch.update' }) - calls).toBe(2);
		w.sim.faults.add({ type: 'drop', when: 'afterHandler', match: { kinds: ['batch'] }, count: 2 });
		const once = w.connector(sample, { maxAttempts: 2, baseDelayMs: 1 });
		const [updated] = await once.write('update', 'contacts', [
			{ id, fields: { last_name: 'Lost' } },
		]);
		expect(updated).toMatchObject({
			ok: false,
			error: { code: 'OUTCOME_UNKNOWN', details: { safeToRerun: true } },
		});
		expect(w.sim.collection('contacts').get(id)?.fields.last_name).toBe('Lost');
	});

	it('a single delete whose answer is lost is sent again; "not found" then means it was deleted', async () => {
		const [id, other] = w.harness.seed(2) as string[];
		w.sim.faults.add({ type: 'drop', when: 'afterHandler', match: { kinds: ['delete'] } });
		const results = await w.connector(variant()).write('delete', 'contacts', [{ id, fields: {} }]);
		expect(results).toEqual([{ index: 0, ok: true, value: { id } }]);
		expect(w.sim.log.count({ kind: 'delete' })).toBe(2);
		expect(w.sim.collection('contacts').get(id)).toBeUndefined();
		// Without a lost answer, "not found" stays a failure.
		w.harness.deleteDirect(other);
		const [missing] = await w
			.connector(variant())
			.write('delete', 'contacts', [{ id: other, fields: {} }]);
		expect(missing).toMatchObject({ ok: false, error: { code: 'not_found' } });
	});

	it('items that cannot be sent fail alone, before any request', async () => {
		const c = w.connector();
		const before = w.sim.log.count();
		const results = await c.write('update', 'contacts', [{ fields: { last_name: 'No id' } }]);
		expect(results).toEqual([
			{ index: 0, ok: false, error: expect.objectContaining({ code: 'MISSING_ID' }) },
		]);
		const [upsert] = await c.write('upsert', 'contacts', [{ fields: { last_name: 'x' } }], {
			key: 'email',
		});
		expect(upsert).toMatchObject({ ok: false, error: { code: 'MISSING_KEY_VALUE' } });
		expect(w.sim.log.count()).toBe(before);
	});

	it('without find, capabilities say so and findByKeys names the fix', async () => {
		const p = JSON.parse(JSON.stringify(sample)) as Json;
		delete contactsOf(p).find;
		const c = w.connector(p);
		expect((await c.capabilities('contacts')).keyLookup).toBe(false);
		expect((await w.connector().capabilities('contacts')).keyLookup).toBe(true);
		await expect(c.findByKeys('contacts', 'email', ['a@example.com'])).rejects.toThrow(
			/objects\.contacts\.find/,
		);
	});

	it('describe guesses the fields from a sample record when the profile lists none', async () => {
		const p = JSON.parse(JSON.stringify(sample)) as Json;
		delete contactsOf(p).fields;
		w.harness.seed(1, () => ({ last_name: 'Sample', email: 's@example.com', score: 5 }));
		const schema = await w.connector(p).describe('contacts');
		const byName = new Map(schema.fields.map((f) => [f.name, f.type]));
		expect(byName.get('email')).toBe('email');
		expect(byName.get('score')).toBe('number');
		expect(byName.get('id')).toBe('id');
		expect(byName.get('updated_at')).toBe('datetime');
	});

	it('a wrong profile is refused with the field and the fix', () => {
		const p = JSON.parse(JSON.stringify(sample)) as Json;
		const c = contactsOf(p);
		delete (c.changes as Json).sinceParam;
		(c.list as Json).paging = { style: 'cursor' };
		(c.get as Json).path = '/contacts';
		c.colour = 'blue';
		let error: unknown;
		try {
			parseProfile(p);
		} catch (e) {
			error = e;
		}
		expect(error).toBeInstanceOf(ProfileError);
		const text = (error as ProfileError).message;
		expect(text).toContain('objects.contacts.changes.sinceParam is required');
		expect(text).toContain('unknown field(s) colour');
		// Schema problems come first; the checks across fields follow once the shape is right.
		delete c.colour;
		(c.changes as Json).sinceParam = 'updated_since';
		expect(() => parseProfile(p)).toThrow(/objects\.contacts\.list\.paging\.nextPath is required/);
		expect(() => parseProfile(p)).toThrow(/objects\.contacts\.get\.path must contain \{id\}/);
		expect(() => parseProfile('{"objects":')).toThrow(/not JSON/);
	});
});
