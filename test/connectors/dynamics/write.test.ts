/**
 * `DynamicsCrm.write` against the Dataverse simulator, counted in its store and request log: `$batch`es of 1,000
 * (each request its own change set), one result per input in input order, one bad row failing alone with
 * Dataverse's message, upsert by alternate key (201 created / 200 updated), delete of a missing row, 429s inside a
 * batch and of a whole batch, and a dropped batch answer (creates settled by alternate key, or OUTCOME_UNKNOWN).
 */
import { BATCH_CODES } from '../../../core/batching/types';
import type { WrittenRecord } from '../../../core/connectors/contract';
import type { BatchItemResult } from '../../../core/batching/types';
import { DynamicsCrm } from '../../../core/connectors/dynamics/crm';
import { AxiosTransport } from '../../../core/http/transport';
import type { HttpRequest } from '../../../core/http/types';
import { ManualClock } from '../../../sandbox/kit';
import { startDvWorld, type DvWorld } from './helpers';

/** A transport that hands back every `$batch` answer with its parts in reverse order. */
function reversingTransport() {
	const inner = new AxiosTransport();
	return {
		async send(request: HttpRequest) {
			const res = await inner.send(request);
			const boundary = /boundary=([^;]+)/.exec(res.headers['content-type'] ?? '')?.[1];
			if (!boundary || typeof res.body !== 'string') return res;
			const [head, ...rest] = res.body.split(`--${boundary}`);
			const parts = rest.slice(0, -1).reverse();
			return { ...res, body: [head, ...parts, rest[rest.length - 1]].join(`--${boundary}`) };
		},
	};
}

const contact = (i: number, email = true) => ({
	lastname: `Write ${i}`,
	...(email ? { emailaddress1: `write-${i}@example.com` } : {}),
});
const inputs = (n: number, email = true, from = 0) =>
	Array.from({ length: n }, (_, i) => ({ fields: contact(from + i, email) }));
const ok = (r: BatchItemResult<WrittenRecord>) => {
	if (!r.ok) throw new Error(`item ${r.index} failed: ${r.error.code} ${r.error.message}`);
	return r.value;
};
const noWait = { writeOptions: { sleep: async () => {} } };

describe('DynamicsCrm.write ($batch)', () => {
	let w: DvWorld;
	beforeAll(async () => {
		w = await startDvWorld({ seed: 5 });
	});
	afterAll(() => w.sim.stop());
	beforeEach(() => w.sim.reset());

	const contacts = () => w.sim.collection('contact');

	it('5,000 creates go out as 5 batches of 1,000: results in input order, ids that exist', async () => {
		const crm = w.crm();
		await crm.describe('contacts'); // metadata read once per instance; counted apart
		const before = w.sim.log.entries({}).length;
		const res = await crm.write('create', 'contacts', inputs(5000));
		const after = w.sim.log.entries({}).slice(before);
		// HTTP requests on the wire: the batches only (the token is cached; inner requests are logged by kind).
		expect(after.filter((e) => e.kind !== 'records.create').map((e) => e.kind)).toEqual(
			Array(5).fill('batch'),
		);
		expect(after.filter((e) => e.kind === 'records.create')).toHaveLength(5000);
		expect(res).toHaveLength(5000);
		expect(contacts().count()).toBe(5000);
		res.forEach((r, i) => {
			expect(r.index).toBe(i);
			const stored = contacts().get(ok(r).id);
			expect(stored?.fields.lastname).toBe(`Write ${i}`);
		});
		expect(new Set(res.map((r) => ok(r).id)).size).toBe(5000);
	});

	it('one invalid row among 100 fails alone with Dataverse code and message; the other 99 are written', async () => {
		const rows = inputs(100);
		rows[37] = { fields: { ...contact(37), gendercode: 99 } as never };
		const res = await w.crm().write('create', 'contacts', rows);
		expect(w.count('batch')).toBe(1);
		expect(res.filter((r) => r.ok)).toHaveLength(99);
		const bad = res[37];
		expect(bad.ok).toBe(false);
		if (bad.ok) return;
		expect(bad.error.code).toBe('0x8004431a');
		expect(bad.error.message).toMatch(/99/);
		expect(bad.error.details).toMatchObject({ category: 'validation', status: 400 });
		expect(contacts().count()).toBe(99);
		expect(
			contacts()
				.list()
				.some((r) => r.fields.lastname === 'Write 37'),
		).toBe(false);
	});

	it('updates (If-Match: *: a missing id is notFound, not a create), upserts by alternate key twice, deletes', async () => {
		const crm = w.crm();
		const ids = (await crm.write('create', 'contacts', inputs(3))).map((r) => ok(r).id);
		const missing = '00000000-0000-0000-0000-00000000abcd';
		const upd = await crm.write('update', 'contacts', [
			{ id: ids[0], fields: { jobtitle: 'Boss' } },
			{ id: missing, fields: { jobtitle: 'Ghost' } },
			{ id: 'not-a-guid', fields: { jobtitle: 'x' } },
		]);
		expect(ok(upd[0])).toEqual({ id: ids[0] });
		expect(upd[1]).toMatchObject({ ok: false, error: { code: '0x80040217' } });
		expect(upd[1].ok || upd[1].error.details).toMatchObject({ category: 'notFound' });
		expect(upd[2]).toMatchObject({ ok: false, error: { code: 'INVALID_ID' } });
		expect(contacts().get(ids[0])?.fields.jobtitle).toBe('Boss');
		expect(contacts().count()).toBe(3);

		// Upsert by alternate key: an existing email (case differs) updates, a new one creates; again: no duplicates.
		const up = () =>
			crm.write(
				'upsert',
				'contacts',
				[
					{ fields: { emailaddress1: 'WRITE-1@example.com', jobtitle: 'Upserted' } },
					{ fields: { emailaddress1: "o'neil@example.com", lastname: "O'Neil" } },
				],
				{ key: 'emailaddress1' },
			);
		const first = await up();
		expect(ok(first[0])).toEqual({ id: ids[1], created: false });
		expect(ok(first[1]).created).toBe(true);
		const second = await up();
		expect(ok(second[1])).toEqual({ id: ok(first[1]).id, created: false });
		expect(contacts().count()).toBe(4);
		expect(contacts().get(ids[1])?.fields.jobtitle).toBe('Upserted');
		await expect(crm.write('upsert', 'contacts', [], { key: 'lastname' })).resolves.toEqual([]);
		await expect(
			crm.write('upsert', 'contacts', [{ fields: { lastname: 'x' } }], { key: 'lastname' }),
		).rejects.toThrow(/not an alternate key.*emailaddress1/);

		const del = await crm.write('delete', 'contacts', [
			{ id: ids[2], fields: {} },
			{ id: missing, fields: {} },
			{ id: ids[0], fields: {} },
		]);
		expect(ok(del[0]).id).toBe(ids[2]);
		expect(del[1]).toMatchObject({ ok: false, error: { code: '0x80040217' } });
		expect(ok(del[2]).id).toBe(ids[0]);
		expect(contacts().count()).toBe(2);
	});

	it('refuses read-only fields (Dataverse would silently ignore them) for that item only, unsent', async () => {
		const res = await w
			.crm()
			.write('create', 'contacts', [
				{ fields: { ...contact(1), fullname: 'Not Settable' } },
				{ fields: contact(2) },
			]);
		expect(res[0]).toMatchObject({ ok: false, error: { code: 'READ_ONLY_FIELD' } });
		expect(res[1].ok).toBe(true);
		expect(w.sim.log.entries({ kind: 'records.create' })).toHaveLength(1);
		expect(contacts().count()).toBe(1);
	});

	it('binds lookups (single target by id, customer lookups with their table) and refuses an ambiguous one', async () => {
		const crm = w.crm();
		const account = w.sim.collection('account').create({ name: 'Acme' }).id;
		const res = await crm.write('create', 'contacts', [
			{ fields: { lastname: 'A', parentcustomerid: `accounts(${account})` } },
			{ fields: { lastname: 'B', parentcustomerid: account } },
		]);
		const a = contacts().get(ok(res[0]).id);
		expect(a?.fields.parentcustomerid).toMatchObject({ id: account, logicalName: 'account' });
		expect(res[1]).toMatchObject({ ok: false, error: { code: 'INVALID_LOOKUP' } });
		expect(res[1].ok || res[1].error.message).toMatch(/accounts\(<id>\) or contacts\(<id>\)/);
		const project = await crm.write('create', 'new_projects', [
			{ fields: { new_name: 'P', new_accountid: account } },
		]);
		expect(
			w.sim.collection('new_project').get(ok(project[0]).id)?.fields.new_accountid,
		).toMatchObject({
			id: account,
		});
	});

	it('answers are matched to inputs by Content-ID, not by position', async () => {
		const crm = new DynamicsCrm(w.client({ transport: reversingTransport() }));
		const rows = inputs(30);
		rows[4] = { fields: { ...contact(4), gendercode: 99 } as never };
		const res = await crm.write('create', 'contacts', rows);
		expect(res.map((r) => r.index)).toEqual(rows.map((_, i) => i));
		expect(res[4]).toMatchObject({ ok: false, error: { code: '0x8004431a' } });
		res.forEach(
			(r, i) => i !== 4 && expect(contacts().get(ok(r).id)?.fields.lastname).toBe(`Write ${i}`),
		);
	});

	it('parts answered 429 inside a batch are sent again after Retry-After, alone; every row written once', async () => {
		const slept: number[] = [];
		const crm = w.crm({ writeOptions: { sleep: async (ms) => void slept.push(ms) } });
		w.sim.faults.add({
			type: 'rateLimit',
			retryAfterSeconds: 2,
			count: 7,
			match: { kinds: ['records.create'] },
		});
		const res = await crm.write('create', 'contacts', inputs(50));
		expect(res.every((r) => r.ok)).toBe(true);
		expect(contacts().count()).toBe(50);
		expect(w.count('batch')).toBe(2);
		expect(w.sim.log.entries({ kind: 'records.create', status: 429 })).toHaveLength(7);
		expect(slept).toEqual([2000]);
		res.forEach((r, i) => expect(contacts().get(ok(r).id)?.fields.lastname).toBe(`Write ${i}`));
	});

	it('a whole batch answered 429 by service protection is resent by the core transport', async () => {
		const crm = w.crm({ batchSize: 10, ...noWait });
		await crm.describe('contacts');
		w.sim.protection.set({ requests: 1, windowMs: 1000 });
		w.sim.protection.reset();
		const res = await crm.write('create', 'contacts', inputs(20));
		w.sim.protection.set({});
		expect(res.every((r) => r.ok)).toBe(true);
		expect(contacts().count()).toBe(20);
		expect(w.sim.log.entries({ kind: 'batch' }).map((e) => e.status)).toEqual([200, 429, 200]);
	});

	it('a dropped batch answer: creates without an alternate-key value are OUTCOME_UNKNOWN', async () => {
		const crm = w.crm(noWait);
		w.sim.faults.add({ type: 'drop', when: 'afterHandler', count: 1, match: { kinds: ['batch'] } });
		const res = await crm.write('create', 'contacts', inputs(5, false));
		expect(res.map((r) => (r.ok ? 'ok' : r.error.code))).toEqual(
			Array(5).fill(BATCH_CODES.outcomeUnknown),
		);
		expect(w.count('batch')).toBe(1); // a POST of creates is never resent blindly
		expect(contacts().count()).toBe(5);
	});

	it('a dropped answer of a batch of updates is resent (idempotent)', async () => {
		const crm = w.crm(noWait);
		const ids = (await crm.write('create', 'contacts', inputs(3))).map((r) => ok(r).id);
		w.sim.faults.add({ type: 'drop', when: 'afterHandler', count: 1, match: { kinds: ['batch'] } });
		const res = await crm.write(
			'update',
			'contacts',
			ids.map((id) => ({ id, fields: { jobtitle: 'T' } })),
		);
		expect(res.map((r) => ok(r).id)).toEqual(ids);
		expect(w.count('batch')).toBe(3);
	});
});

describe('DynamicsCrm.write: a dropped batch of creates with alternate-key values is settled', () => {
	const clock = new ManualClock(Date.UTC(2024, 4, 6, 9, 0, 0));
	let w: DvWorld;
	beforeAll(async () => {
		w = await startDvWorld({ seed: 6, clock });
	});
	afterAll(() => w.sim.stop());

	it('found by key → written with its id; existing before → duplicate; not found → sent again; no duplicates', async () => {
		const crm = w.crm(noWait);
		const old = w.sim
			.collection('contact')
			.create({ lastname: 'Old', emailaddress1: 'write-2@example.com' }).id;
		clock.advance(60_000);
		// The first batch is dropped before it runs (its rows are not found: sent again); the second runs and its
		// answer is lost: its rows are found by email, the one that existed before is a duplicate.
		w.sim.faults.add({ type: 'drop', when: 'beforeBody', count: 1, match: { kinds: ['batch'] } });
		w.sim.faults.add({ type: 'drop', when: 'afterHandler', count: 1, match: { kinds: ['batch'] } });
		const res = await crm.write('create', 'contacts', inputs(4));
		expect(w.count('batch')).toBe(2);
		expect(w.sim.faults.list()).toHaveLength(0);
		expect(w.count('records.list')).toBe(2); // one look-up by email per lost answer
		expect(res[2]).toMatchObject({ ok: false, error: { code: 'DUPLICATE' } });
		expect(res[2].ok || res[2].error.details).toMatchObject({ existingId: old });
		const coll = w.sim.collection('contact');
		expect(coll.count()).toBe(4);
		for (const i of [0, 1, 3])
			expect(coll.get(ok(res[i]).id)?.fields.emailaddress1).toBe(`write-${i}@example.com`);
	});
});
