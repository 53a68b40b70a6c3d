/**
 * The change poller (core/connectors/poller.ts) over a fake CrmConnector whose feed is an in-memory list ordered by
 * (time, id), paged 2 at a time, honouring `kind`, `limit` and a "now" that later changes wait behind — as the
 * contract's connectors do. Counts what each poll emits and which watermark it hands back.
 */
import type {
	ChangeFeedKind,
	ChangePage,
	ChangesOptions,
	CrmConnector,
	RecentChangesOptions,
	Watermark,
} from '../../../core/connectors/contract';
import { changesAfter, pollChanges, sampleChanges } from '../../../core/connectors/poller';
import type { Since } from '../../../core/connectors/watermark';
import type { CrmRecord } from '../../../core/records/types';

interface Change {
	id: string;
	name: string;
	createdAt: number;
	updatedAt: number;
	deleted?: boolean;
}

type Mark = { t: number; id: string };

/** A CRM whose change feed never passes `now` and resumes exactly from `{ t, id }`. */
class FakeCrm implements Partial<CrmConnector> {
	readonly system = 'fake';
	now = 1000;
	/** The latest state of each record (an edit replaces it, as a CRM keeps only the latest state). */
	readonly records = new Map<string, Change>();
	readonly calls: Array<{ kind?: ChangeFeedKind; limit?: number; watermark: Watermark | null }> =
		[];
	startKinds: Array<ChangeFeedKind | undefined> = [];
	/** Hand out pages bigger than the limit (a broken connector). */
	ignoreLimit = false;

	put(id: string, name: string, deleted = false): void {
		const old = this.records.get(id);
		this.records.set(id, {
			id,
			name,
			createdAt: old?.createdAt ?? this.now,
			updatedAt: this.now,
			deleted,
		});
	}

	async startWatermark(
		_type: string,
		at: 'now' | number | Date,
		options: { kind?: ChangeFeedKind } = {},
	): Promise<Watermark> {
		this.startKinds.push(options.kind);
		return { t: at === 'now' ? this.now : Number(at), id: '' };
	}

	async *changesSince(
		type: string,
		watermark: Watermark | null,
		options: ChangesOptions = {},
	): AsyncIterable<ChangePage> {
		this.calls.push({ kind: options.kind, limit: options.limit, watermark });
		const kind = options.kind ?? 'all';
		const at = (c: Change) => (kind === 'created' ? c.createdAt : c.updatedAt);
		const from = (watermark ?? { t: 0, id: '' }) as Mark;
		const list = [...this.records.values()]
			.filter((c) => (kind === 'deleted' ? c.deleted : kind === 'all' || !c.deleted))
			.filter((c) => at(c) < this.now)
			.filter((c) => at(c) > from.t || (at(c) === from.t && c.id > from.id))
			.sort((a, b) => at(a) - at(b) || a.id.localeCompare(b.id));
		const limit = this.ignoreLimit ? Infinity : (options.limit ?? Infinity);
		const taken = list.slice(0, limit);
		for (let i = 0; i < taken.length; i += 2) {
			const page = taken.slice(i, i + 2);
			const last = page[page.length - 1];
			yield {
				records: page.map(
					(c): CrmRecord => ({
						id: c.id,
						type,
						fields: { name: c.name },
						source: 'fake',
						...(c.deleted ? { deleted: true } : {}),
					}),
				),
				watermark: { t: at(last), id: last.id },
			};
		}
	}
}

const crm = () => new FakeCrm();
const asConnector = (fake: FakeCrm) => fake as unknown as CrmConnector;
const names = (records: CrmRecord[]) => records.map((r) => `${r.id}:${String(r.fields.name)}`);

describe('pollChanges', () => {
	it('without a watermark starts at the CRM\'s "now" of the event\'s feed and emits nothing', async () => {
		const fake = crm();
		fake.put('a', 'old');
		fake.now = 2000;
		const result = await pollChanges(asConnector(fake), {
			objectType: 'contact',
			event: 'created',
			watermark: undefined,
		});
		expect(result).toEqual({ records: [], watermark: { t: 2000, id: '' }, started: true });
		expect(fake.startKinds).toEqual(['created']);
		expect(fake.calls).toHaveLength(0);
	});

	it('from a start time reads at once', async () => {
		const fake = crm();
		fake.put('a', 'old');
		fake.now = 1500;
		fake.put('b', 'new');
		fake.now = 2000;
		const result = await pollChanges(asConnector(fake), {
			objectType: 'contact',
			event: 'updated',
			watermark: null,
			start: 1200,
		});
		expect(names(result.records)).toEqual(['b:new']);
		expect(result.watermark).toEqual({ t: 1500, id: 'b' });
		expect(result.started).toBe(false);
	});

	it('over many polls with edits between them and a limit, emits every change once and moves the watermark only past what it emits', async () => {
		const fake = crm();
		const connector = asConnector(fake);
		let { watermark } = await pollChanges(connector, {
			objectType: 'contact',
			event: 'updated',
			watermark: undefined,
		});
		const emitted: string[] = [];
		const made: string[] = [];
		const edit = (id: string, name: string) => {
			fake.put(id, name);
			made.push(`${id}:${name}`);
		};
		// Five records in one millisecond (ties broken by id), more than the limit of 3.
		for (const id of ['e', 'd', 'c', 'b', 'a']) edit(id, 'v1');
		fake.now += 1;
		const poll = async () => {
			const result = await pollChanges(connector, {
				objectType: 'contact',
				event: 'updated',
				watermark,
				maxRecords: 3,
			});
			emitted.push(...names(result.records));
			watermark = result.watermark;
			return result;
		};
		expect((await poll()).records).toHaveLength(3);
		expect(watermark).toEqual({ t: 1000, id: 'c' });
		// An edit of an emitted record and of one not emitted yet, before the next poll.
		edit('a', 'v2');
		edit('e', 'v2');
		// Not yet visible (at "now"): waits.
		const waiting = await poll();
		expect(names(waiting.records)).toEqual(['d:v1']);
		fake.now += 1;
		await poll();
		await poll();
		const quiet = await poll();
		expect(quiet.records).toEqual([]);
		expect(quiet.watermark).toEqual(watermark);
		expect(emitted).toEqual(['a:v1', 'b:v1', 'c:v1', 'd:v1', 'a:v2', 'e:v2']);
		// Every latest state emitted once; e's first state was replaced before it was read (one change, latest state).
		expect(new Set(emitted).size).toBe(emitted.length);
		expect(made.filter((m) => !emitted.includes(m))).toEqual(['e:v1']);
		expect(fake.calls.every((c) => c.limit === 3 && c.kind === 'updated')).toBe(true);
	});

	it('"updated" and "created" never emit deletions; "deleted" emits only them, each from its own feed', async () => {
		const fake = crm();
		fake.put('a', 'kept');
		fake.put('b', 'gone', true);
		fake.now += 1;
		const start = { t: 0, id: '' };
		const poll = (event: 'created' | 'updated' | 'deleted') =>
			pollChanges(asConnector(fake), { objectType: 'contact', event, watermark: start });
		expect(names((await poll('updated')).records)).toEqual(['a:kept']);
		expect(names((await poll('created')).records)).toEqual(['a:kept']);
		expect(names((await poll('deleted')).records)).toEqual(['b:gone']);
		expect(fake.calls.map((c) => c.kind)).toEqual(['updated', 'created', 'deleted']);
		// A deletion a connector hands out in an "updated" feed is skipped, the watermark still passes it.
		const all = crm();
		all.put('a', 'kept');
		all.put('b', 'gone', true);
		all.now += 1;
		const wrapped = {
			...asConnector(all),
			system: 'fake',
			startWatermark: all.startWatermark.bind(all),
			changesSince: (type: string, w: Watermark | null, o: ChangesOptions) =>
				all.changesSince(type, w, { ...o, kind: 'all' }),
		} as CrmConnector;
		const result = await pollChanges(wrapped, {
			objectType: 'contact',
			event: 'updated',
			watermark: start,
		});
		expect(names(result.records)).toEqual(['a:kept']);
		expect(result.watermark).toEqual({ t: 1000, id: 'b' });
	});

	it('a record edited after it was created is not new again on the "created" feed', async () => {
		const fake = crm();
		let { watermark } = await pollChanges(asConnector(fake), {
			objectType: 'contact',
			event: 'created',
			watermark: undefined,
		});
		fake.put('a', 'v1');
		fake.now += 1;
		const first = await pollChanges(asConnector(fake), {
			objectType: 'contact',
			event: 'created',
			watermark,
		});
		watermark = first.watermark;
		fake.put('a', 'v2');
		fake.put('b', 'v1');
		fake.now += 1;
		const second = await pollChanges(asConnector(fake), {
			objectType: 'contact',
			event: 'created',
			watermark,
		});
		expect(names(first.records)).toEqual(['a:v1']);
		expect(names(second.records)).toEqual(['b:v1']);
	});

	it('refuses a feed that hands out more than the limit (its watermark would pass records never emitted)', async () => {
		const fake = crm();
		for (const id of ['a', 'b', 'c']) fake.put(id, 'v1');
		fake.now += 1;
		fake.ignoreLimit = true;
		await expect(
			pollChanges(asConnector(fake), {
				objectType: 'contact',
				event: 'updated',
				watermark: { t: 0, id: '' },
				maxRecords: 1,
			}),
		).rejects.toThrow(/handed out 2 records, more than the limit of 1/);
		await expect(
			pollChanges(asConnector(fake), {
				objectType: 'contact',
				event: 'updated',
				watermark: { t: 0, id: '' },
				maxRecords: 0,
			}),
		).rejects.toThrow(/at least 1/);
	});
});

/** The fake, handing out the watermark after each record too (as the contract's connectors do). */
class ExactFakeCrm extends FakeCrm {
	async *changesSince(
		type: string,
		watermark: Watermark | null,
		options: ChangesOptions = {},
	): AsyncIterable<ChangePage> {
		const at = (r: CrmRecord) => {
			const c = this.records.get(String(r.id)) as Change;
			return options.kind === 'created' ? c.createdAt : c.updatedAt;
		};
		for await (const page of super.changesSince(type, watermark, options))
			yield {
				...page,
				recordWatermarks: page.records.map((r) => ({ t: at(r), id: String(r.id) })),
			};
	}
}

describe('changesAfter', () => {
	const read = async (fake: FakeCrm, since: Since, limit?: number) => {
		const out: Array<{ id: string; watermark: Watermark }> = [];
		for await (const { record, watermark } of changesAfter(asConnector(fake), {
			objectType: 'contact',
			since,
			kind: 'updated',
			limit,
		}))
			out.push({ id: String(record.id), watermark });
		return out;
	};
	const seeded = (fake: FakeCrm) => {
		for (const id of ['a', 'b', 'c', 'd', 'e']) fake.put(id, 'v1');
		fake.now += 1;
		return fake;
	};

	it("gives each record the connector's watermark after it: resuming from any of them reads exactly the rest", async () => {
		const fake = seeded(new ExactFakeCrm());
		const all = await read(fake, { at: 0, after: [] });
		expect(all.map((c) => c.id)).toEqual(['a', 'b', 'c', 'd', 'e']);
		expect(fake.startKinds).toEqual(['updated']);
		for (let k = 0; k < all.length; k++)
			expect((await read(fake, { watermark: all[k].watermark })).map((c) => c.id)).toEqual(
				all.slice(k + 1).map((c) => c.id),
			);
	});

	it('without per-record watermarks: the page watermark on its last record, the one before the page on the others (repeats, never misses)', async () => {
		const fake = seeded(new FakeCrm());
		const all = await read(fake, { watermark: { t: 0, id: '' } });
		// Pages of two: a b | c d | e.
		expect(all.map((c) => c.watermark)).toEqual([
			{ t: 0, id: '' },
			{ t: 1000, id: 'b' },
			{ t: 1000, id: 'b' },
			{ t: 1000, id: 'd' },
			{ t: 1000, id: 'e' },
		]);
		expect(fake.startKinds).toEqual([]);
	});

	it('stops at the limit, passing it to the connector', async () => {
		const fake = seeded(new ExactFakeCrm());
		const some = await read(fake, { watermark: { t: 0, id: '' } }, 3);
		expect(some.map((c) => c.id)).toEqual(['a', 'b', 'c']);
		expect(fake.calls.map((c) => c.limit)).toEqual([3]);
		expect((await read(fake, { watermark: some[2].watermark })).map((c) => c.id)).toEqual([
			'd',
			'e',
		]);
	});
});

describe('sampleChanges', () => {
	it("reads the event's feed through recentChanges and keeps what the event emits; nothing without it", async () => {
		const asked: RecentChangesOptions[] = [];
		const records: CrmRecord[] = [
			{ id: 'x', type: 'contact', fields: {}, source: 'fake', deleted: true },
			{ id: 'y', type: 'contact', fields: {}, source: 'fake' },
		];
		const connector = {
			system: 'fake',
			async recentChanges(_type: string, options: RecentChangesOptions) {
				asked.push(options);
				return records;
			},
		} as unknown as CrmConnector;
		const ids = async (event: 'created' | 'updated' | 'deleted') =>
			(await sampleChanges(connector, { objectType: 'contact', event, count: 5 })).map((r) => r.id);
		expect(await ids('updated')).toEqual(['y']);
		expect(await ids('deleted')).toEqual(['x']);
		expect(asked.map((o) => [o.kind, o.limit])).toEqual([
			['updated', 5],
			['deleted', 5],
		]);
		expect(
			await sampleChanges(asConnector(new FakeCrm()), { objectType: 'contact', event: 'created' }),
		).toEqual([]);
	});
});
