/**
 * The endpoint-profile connector's own cases against the REST simulator (restWorld.ts): a change feed lists updates
 * and deletions exactly once, an offset-paged feed asks again after each page, lost answers (settled creates,
 * resent updates and deletes), items refused before sending, a profile without look-ups, describe from a sample
 * record, and profile errors that name the field and the fix.
 */
import { RestProfileConnector } from '../../core/connectors/rest';
import { parseProfile, ProfileError } from '../../core/connectors/rest/profile';
import type { Watermark } from '../../core/connectors/contract';
import { ApiKeyAuth } from '../../core/http/auth';
import { AxiosTransport } from '../../core/http/transport';
import type { Transport } from '../../core/http/types';
import { contactsOf, type Json, sample, variant, world } from './restWorld';

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

	it('a lost batch create is settled by a look-up by a unique field; without one it is OUTCOME_UNKNOWN; an update is resent', async () => {
		const [old] = w.harness.seed(1, () => w.harness.makeFields(1)) as string[];
		w.clock.advance(10_000);
		w.sim.faults.add({ type: 'drop', when: 'afterHandler', match: { kinds: ['batch'] } });
		const lists = w.sim.log.count({ kind: 'list' });
		const inputs = [1, 2, 3].map((i) => ({ fields: w.harness.makeFields(i) }));
		const settled = await w.connector().write('create', 'contacts', inputs);
		const idOf = (i: number) =>
			w.sim.collection('contacts').findBy('email', w.harness.makeFields(i).email)[0]?.id;
		expect(settled).toEqual([
			{
				index: 0,
				ok: false,
				error: expect.objectContaining({
					code: 'CONFLICT',
					details: { existingId: old, field: 'email' },
				}),
			},
			{ index: 1, ok: true, value: { id: idOf(2), created: true } },
			{ index: 2, ok: true, value: { id: idOf(3), created: true } },
		]);
		expect(w.sim.log.count({ kind: 'batch.create' })).toBe(1); // never sent again
		expect(w.sim.log.count({ kind: 'list' }) - lists).toBe(1); // one look-up (find.multiple)
		const p = JSON.parse(JSON.stringify(sample)) as Json;
		delete contactsOf(p).find;
		w.sim.faults.add({ type: 'drop', when: 'afterHandler', match: { kinds: ['batch'] } });
		const lost = await w
			.connector(p)
			.write('create', 'contacts', [{ fields: w.harness.makeFields(4) }]);
		expect(lost).toEqual([
			{
				index: 0,
				ok: false,
				error: expect.objectContaining({
					code: 'OUTCOME_UNKNOWN',
					details: expect.objectContaining({ safeToRerun: false }),
				}),
			},
		]);
		expect(idOf(4)).toBeDefined(); // the simulator did write it
		const c = w.connector();
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
