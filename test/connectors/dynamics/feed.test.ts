/**
 * DynamicsCrm's change feed against the Dataverse simulator on a ManualClock: backfill over > 5,000 rows, exact
 * resumption (page and record watermarks, startWatermark with a time and `after`), creates / updates / deletes once,
 * the lag on Dataverse's clock, deletions through delta tokens (and their expiry), a table without change tracking —
 * every request counted in the simulator's log.
 */
import type { ChangeFeedKind, ChangePage, Watermark } from '../../../core/connectors/contract';
import { WATERMARK_EXPIRED } from '../../../core/connectors/contract';
import type { DynamicsCrm } from '../../../core/connectors/dynamics/crm';
import { isCrmError } from '../../../core/http/errors';
import type { CrmRecord } from '../../../core/records/types';
import { ManualClock } from '../../../sandbox/kit';
import { client as raw } from '../../sandbox/helpers';
import { fetchToken } from '../../sandbox/dynamics/helpers';
import { startDvWorld, type DvWorld } from './helpers';

const LAG_MS = 60_000;
const PAST_LAG = 10 * 60_000;

describe('DynamicsCrm change feed', () => {
	let w: DvWorld;
	let clock: ManualClock;
	beforeAll(async () => {
		clock = new ManualClock(Date.UTC(2024, 0, 1, 10, 0, 0, 300));
		w = await startDvWorld({ seed: 7, clock, serviceProtection: false });
	});
	afterAll(() => w.sim.stop());
	beforeEach(() => w.sim.reset());

	async function api() {
		const token = await fetchToken(w.contract);
		return raw(`${w.contract.apiUrl}/`, { Authorization: `Bearer ${token}` });
	}
	async function create(n: number, prefix = 'C'): Promise<string[]> {
		const a = await api();
		const ids: string[] = [];
		for (let i = 0; i < n; i++) {
			const res = await a.post(
				'contacts',
				{ lastname: `${prefix}${i}` },
				{ headers: { Prefer: 'return=representation' } },
			);
			if (res.status !== 201) throw new Error(`create answered ${res.status}`);
			ids.push((res.data as { contactid: string }).contactid);
		}
		return ids;
	}
	async function edit(id: string, lastname: string) {
		const res = await (await api()).patch(`contacts(${id})`, { lastname });
		if (res.status !== 204) throw new Error(`update answered ${res.status}`);
	}
	async function remove(id: string) {
		const res = await (await api()).delete(`contacts(${id})`);
		if (res.status !== 204) throw new Error(`delete answered ${res.status}`);
	}
	async function read(
		crm: DynamicsCrm,
		watermark: Watermark | null,
		kind: ChangeFeedKind = 'all',
		extra: { limit?: number; type?: string } = {},
	) {
		const pages: ChangePage[] = [];
		for await (const p of crm.changesSince(extra.type ?? 'contacts', watermark, {
			kind,
			fields: extra.type ? ['new_name'] : ['lastname'],
			limit: extra.limit,
		})) {
			expect(JSON.parse(JSON.stringify(p.watermark))).toEqual(p.watermark);
			expect(p.recordWatermarks).toHaveLength(p.records.length);
			pages.push(p);
		}
		const records = pages.flatMap((p) => p.records);
		return {
			pages,
			records,
			ids: records.map((r) => String(r.id)),
			live: records.filter((r) => !r.deleted).map((r) => String(r.id)),
			deleted: records.filter((r) => r.deleted).map((r) => String(r.id)),
			watermark: pages.length ? pages[pages.length - 1].watermark : watermark,
		};
	}
	const list = () => w.count('records.list');

	it('backfills over 5,000 rows from null, every row once, and resumes after a page with a fresh connector', async () => {
		w.sim.seed({ contacts: 5200 });
		clock.advance(PAST_LAG);
		w.sim.log.reset();
		const crm = w.crm({ changesPageSize: 2000 });
		const first = await read(crm, null, 'updated');
		expect(first.ids).toHaveLength(5200);
		expect(new Set(first.ids).size).toBe(5200);
		expect(first.pages.map((p) => p.records.length)).toEqual([2000, 2000, 1200]);
		// One clock read (WhoAmI) and one request a page; no change-tracking read for `updated`.
		expect(w.count('whoami')).toBe(1);
		expect(list()).toBe(3);
		// Resume after the first page (every row has one modifiedon: ties are resumed by primary key).
		const rest = await read(w.crm({ changesPageSize: 2000 }), first.pages[0].watermark, 'updated');
		expect(rest.ids).toEqual(first.ids.slice(2000));
		// `all` from null also starts change tracking: the primary keys once (5,000 a request) for a delta token.
		w.sim.log.reset();
		const all = await read(w.crm(), null, 'all');
		expect(all.ids).toHaveLength(5200);
		expect(list()).toBe(2 + 2);
		expect(all.watermark).toMatchObject({ deltaToken: expect.any(String), deleted: [] });
	});

	it('creates, updates and deletes since a watermark once each; the record watermarks resume exactly', async () => {
		const ids = await create(6);
		clock.advance(PAST_LAG);
		const crm = w.crm({ changesPageSize: 2 });
		const start = (await read(crm, null)).watermark;
		await edit(ids[3], 'Edited 3');
		clock.advance(1500);
		await edit(ids[0], 'Edited 0');
		await remove(ids[5]);
		const added = await create(3, 'N');
		clock.advance(PAST_LAG);
		const second = await read(crm, start);
		// Deletions first, then creates and updates by modifiedon (and primary key within a second).
		expect(second.deleted).toEqual([ids[5]]);
		expect(second.live).toEqual([ids[3], ...[ids[0], ...added].sort()]);
		expect(second.records.find((r) => r.id === ids[0])?.fields.lastname).toBe('Edited 0');
		expect(second.records[0]).toMatchObject({
			deleted: true,
			updatedAt: new Date(clock.now()).toISOString().replace(/\.\d{3}Z$/, 'Z'),
		});
		const marks = second.pages.flatMap((p) => p.recordWatermarks ?? []);
		for (let k = 0; k < second.ids.length; k++) {
			const stored = JSON.parse(JSON.stringify(marks[k])) as Watermark;
			expect((await read(w.crm(), stored)).ids).toEqual(second.ids.slice(k + 1));
		}
		expect((await read(crm, second.watermark)).ids).toEqual([]);
	});

	it('picks up a change made while reading on the next call', async () => {
		const ids = await create(5);
		clock.advance(PAST_LAG);
		const crm = w.crm({ changesPageSize: 2 });
		const seen: string[] = [];
		let watermark: Watermark | null = null;
		for await (const page of crm.changesSince('contacts', null, { kind: 'updated' })) {
			if (!seen.length) await edit(ids[0], 'While reading');
			seen.push(...page.records.map((r) => String(r.id)));
			watermark = page.watermark;
		}
		expect(new Set(seen)).toEqual(new Set(ids));
		clock.advance(PAST_LAG);
		const next = await read(crm, watermark, 'updated');
		expect(next.ids).toEqual([ids[0]]);
		expect(next.records[0].fields.lastname).toBe('While reading');
	});

	it("never passes Dataverse's now minus the lag: a change made now waits", async () => {
		const crm = w.crm();
		const start = await crm.startWatermark('contacts', 'now', { kind: 'updated' });
		clock.advance(5000);
		const [id] = await create(1);
		expect((await read(crm, start, 'updated')).ids).toEqual([]);
		clock.advance(LAG_MS - 1000);
		expect((await read(crm, start, 'updated')).ids).toEqual([]);
		clock.advance(2000);
		const later = await read(crm, start, 'updated');
		expect(later.ids).toEqual([id]);
		// `until` ends the window earlier still.
		const made = Date.parse(String(later.records[0].updatedAt));
		const cut: string[] = [];
		for await (const p of crm.changesSince('contacts', start, { kind: 'updated', until: made - 1 }))
			cut.push(...p.records.map((r) => String(r.id)));
		expect(cut).toEqual([]);
	});

	it('startWatermark("now") hands out only later changes; startWatermark(time, {after}) resumes after those ids', async () => {
		const old = await create(3);
		clock.advance(PAST_LAG);
		const crm = w.crm();
		const now = await crm.startWatermark('contacts', 'now', { kind: 'created' });
		await edit(old[0], 'Edited');
		const fresh = await create(2, 'F');
		clock.advance(PAST_LAG);
		expect((await read(crm, now, 'created')).ids).toEqual([...fresh].sort());
		// Three created in one second: a time and the ids handed out at it.
		const feed = await read(
			crm,
			await crm.startWatermark('contacts', 0, { kind: 'created' }),
			'created',
		);
		expect(feed.ids).toEqual([...[...old].sort(), ...[...fresh].sort()]);
		const at = Date.parse(String(feed.records[0].fields.createdon));
		const resumed = await crm.startWatermark('contacts', at, {
			kind: 'created',
			after: feed.ids.slice(0, 2),
		});
		expect((await read(crm, resumed, 'created')).ids).toEqual(feed.ids.slice(2));
		// A time inside a second: changes from the next second on.
		const inside = await crm.startWatermark('contacts', at + 1, { kind: 'created' });
		expect((await read(crm, inside, 'created')).ids).toEqual([...fresh].sort());
	});

	it('deletions through delta tokens: only the deleted rows, once, with an exact limit; an expired token says so', async () => {
		const ids = await create(5);
		clock.advance(PAST_LAG);
		const crm = w.crm();
		w.sim.log.reset();
		const start = await crm.startWatermark('contacts', 'now', { kind: 'deleted' });
		expect(start).toEqual({ deltaToken: expect.any(String), deleted: [] });
		expect(list()).toBe(1); // the initial change-tracking read, ids only
		await remove(ids[1]);
		await edit(ids[2], 'Not a deletion');
		await remove(ids[4]);
		const one = await read(crm, start, 'deleted', { limit: 1 });
		expect(one.deleted).toHaveLength(1);
		const two = await read(crm, one.watermark, 'deleted', { limit: 1 });
		expect([...one.deleted, ...two.deleted].sort()).toEqual([ids[1], ids[4]].sort());
		clock.advance(3600_000);
		w.sim.log.reset();
		const rest = await read(crm, two.watermark, 'deleted');
		expect(list()).toBe(1); // one delta read
		expect(rest.records).toEqual([]);
		// A quiet feed still moves its token on (an empty page), so it does not grow old.
		expect(rest.watermark).not.toEqual(two.watermark);
		const all = await read(crm, start, 'deleted');
		expect(all.live).toEqual([]);
		expect(all.deleted.sort()).toEqual([ids[1], ids[4]].sort());

		clock.advance(8 * 24 * 3600_000);
		const err = await read(w.crm(), start, 'deleted').catch((e: unknown) => e);
		expect(isCrmError(err) && err.crmCode).toBe(WATERMARK_EXPIRED);
		expect(isCrmError(err) && err.kind).toBe('validation');
	});

	it('a table without change tracking: no deletions in its feed, and no change-tracking request', async () => {
		w.sim.seed({ projects: 3 });
		clock.advance(PAST_LAG);
		const crm = w.crm();
		expect((await crm.capabilities('new_projects')).deletesInChangeFeed).toBe(false);
		expect((await crm.capabilities('contacts')).deletesInChangeFeed).toBe(true);
		w.sim.log.reset();
		const start = await crm.startWatermark('new_projects', 'now', { kind: 'deleted' });
		expect(start).toEqual({ deltaToken: null, deleted: [] });
		const all = await read(crm, null, 'all', { type: 'new_projects' });
		expect(all.live).toHaveLength(3);
		expect((await read(crm, start, 'deleted', { type: 'new_projects' })).records).toEqual([]);
		// Reads by time only: one clock read and one page per call, no tracked query (which would answer 400).
		expect(list()).toBe(1);
		expect(w.sim.log.entries({ kind: 'records.list' }).some((e) => '$deltatoken' in e.query)).toBe(
			false,
		);
	});

	it('recentChanges: the latest rows by the feed time, oldest first; no deletions to list', async () => {
		const ids = await create(3);
		clock.advance(2000);
		await edit(ids[0], 'Latest');
		const crm = w.crm();
		const recent = (await crm.recentChanges('contacts', {
			kind: 'updated',
			limit: 2,
		})) as CrmRecord[];
		expect(recent.map((r) => r.id)).toEqual([ids[2] > ids[1] ? ids[2] : ids[1], ids[0]]);
		expect(
			(await crm.recentChanges('contacts', { kind: 'created', limit: 1 })).map((r) => r.id),
		).toEqual([[...ids].sort()[2]]);
		expect(await crm.recentChanges('contacts', { kind: 'deleted' })).toEqual([]);
	});
});
