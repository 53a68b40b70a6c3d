/**
 * Feed read-ahead (core/sync/feed.ts): while a planning page is planned, written and committed, the feed is read on
 * into the next one. Observed through a feed wrapper that logs when each feed page is asked for and a store that
 * logs its commits (no wall-clock thresholds), with the Salesforce and HubSpot simulators: the next page's read
 * starts before the current page's commit; a copy read ahead before the run's own write-back is not written back
 * stale; an abort, a lost lock and a feed error during the read-ahead stop the run with nothing unplanned
 * committed; a crash after the first page's commit resumes from its watermark with no duplicate.
 */
import type { ChangePage, CrmConnector, Watermark } from '../../core/connectors/contract';
import type { CrmRecord } from '../../core/records/types';
import { runSync, SyncAbortedError } from '../../core/sync/engine';
import { MemorySyncStore } from '../../core/sync/store/memory';
import type { StateChanges } from '../../core/sync/store/types';
import { common, toSf, World, type Values } from './world';

const world = new World();
const now = () => world.clock.now();
/** Salesforce feed pages hold 50 records (World); a gather limit of 50 plans each feed page alone. */
const PAGE = 50;
const GATHER = { gatherLimit: PAGE };

/** What the wrapped feed is told and does, in order: `read n` (page n asked for), `page n`, `commit …`. */
let events: string[] = [];
const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown) => unhandled.push(reason);

beforeAll(async () => {
	process.on('unhandledRejection', onUnhandled);
	await world.start();
});
afterAll(async () => {
	process.off('unhandledRejection', onUnhandled);
	await world.stop();
});
beforeEach(() => {
	world.reset();
	events = [];
	unhandled.length = 0;
});
afterEach(() => expect(unhandled).toEqual([]));

interface FeedTap {
	/** Before feed page `n` (1-based) is asked for: may throw (a feed error) or abort. */
	before?: (n: number) => void | Promise<void>;
	/** Feed page `n` as read: may return it changed. */
	after?: (n: number, page: ChangePage) => ChangePage | Promise<ChangePage>;
	/** The watermark each run's feed started from, and each page's. */
	from: Array<Watermark | null>;
	watermarks: Watermark[];
	/** Feeds closed (ended or returned). */
	closed: number;
}

/** `crm` with its `updated` feed logged in `events` (and `tap`'s hooks run around each page). */
function tapped(crm: CrmConnector, tap: FeedTap): CrmConnector {
	const changesSince = crm.changesSince.bind(crm);
	crm.changesSince = (objectType, watermark, options) => {
		if (options?.kind !== 'updated') return changesSince(objectType, watermark, options);
		tap.from.push(watermark);
		return (async function* () {
			const it = changesSince(objectType, watermark, options)[Symbol.asyncIterator]();
			try {
				for (let n = 1; ; n++) {
					events.push(`read ${n}`);
					await tap.before?.(n);
					const next = await it.next();
					if (next.done) return;
					const page = (await tap.after?.(n, next.value)) ?? next.value;
					tap.watermarks.push(page.watermark);
					events.push(`page ${n}`);
					yield page;
				}
			} finally {
				tap.closed++;
				await it.return?.();
			}
		})();
	};
	return crm;
}

const newTap = (over: Partial<FeedTap> = {}): FeedTap => ({
	from: [],
	watermarks: [],
	closed: 0,
	...over,
});

/** A store logging its commits in `events` (`commit page` for one carrying side a's feed watermark). */
class LoggingStore extends MemorySyncStore {
	/** Throws instead of committing the k-th page commit (0: never). */
	crashAtPage = 0;
	private pages = 0;
	async commit(syncId: string, changes: StateChanges): Promise<void> {
		const marks = changes.meta?.watermarks?.a as
			| { backfillFrom?: unknown; updated?: unknown }
			| undefined;
		const page = !!(marks?.backfillFrom ?? marks?.updated) && !!changes.upsertLinks?.length;
		if (page && ++this.pages === this.crashAtPage) {
			events.push('crash');
			throw new Error(`crash at page commit ${this.pages}`);
		}
		await super.commit(syncId, changes);
		events.push(page ? 'commit page' : 'commit');
	}
	/** Side a's stored feed position (the backfill's while it runs). */
	async positionA(): Promise<unknown> {
		const a = (await this.getMeta('contacts')).watermarks.a as
			| { backfillFrom?: unknown; updated?: unknown }
			| undefined;
		return a?.backfillFrom ?? a?.updated ?? null;
	}
}

const person = (i: number): Values => ({
	email: `ra${i}@example.com`,
	lastname: `L${i}`,
	firstname: `F${i}`,
	jobtitle: `T${i}`,
	phone: `${1000 + i}`,
});

function seedSf(n: number): void {
	for (let i = 0; i < n; i++) world.sfInsert(toSf(person(i)));
	world.advance();
}

/** Every person `0..n-1` exactly once on HubSpot. */
function expectOnceOnHubSpot(n: number): void {
	const emails = world.hsAll().map((r) => String(r.fields.email));
	expect(emails.sort()).toEqual(Array.from({ length: n }, (_, i) => `ra${i}@example.com`).sort());
}

const oneWay = (tap: FeedTap) =>
	world.config({
		a: { connector: tapped(world.salesforce(), tap), objectType: 'Contact' },
		direction: 'aToB',
	});

it('the next feed page is read while the current planning page is written and committed', async () => {
	seedSf(3 * PAGE);
	const store = new LoggingStore(now);
	const tap = newTap();
	const report = await runSync(oneWay(tap), store, { now, ...GATHER });
	expect(report.counts.created.b).toBe(3 * PAGE);
	expectOnceOnHubSpot(3 * PAGE);
	// Page 2 was asked for (and page 3 too) before page 1's commit: the read overlapped the writes.
	const firstCommit = events.indexOf('commit page');
	expect(events.indexOf('read 2')).toBeGreaterThan(-1);
	expect(events.indexOf('read 2')).toBeLessThan(firstCommit);
	expect(events.indexOf('read 3')).toBeLessThan(events.indexOf('commit page', firstCommit + 1));
	// Never more than one planning page ahead: page 3 is not asked for before page 2 was handed out and page 1 planned.
	expect(events.indexOf('read 3')).toBeGreaterThan(events.indexOf('page 2'));
	// Each page commit carries its own page's watermark, in order: the last one is the feed's end.
	expect(tap.watermarks).toHaveLength(3);
	expect(events.filter((e) => e === 'commit page')).toHaveLength(3);
	expect(tap.closed).toBe(1);
});

it('a copy read ahead before the run wrote back to it on the feed side is not written back stale', async () => {
	// Linked pairs, then: every Salesforce contact edited (two feed pages), and the first one's Title edited on
	// both sides — Title is bWins, so the run writes HubSpot's value back to Salesforce.
	for (let i = 0; i < 2 * PAGE; i++) {
		world.sfInsert(toSf(person(i)));
		world.hsInsert(person(i));
	}
	world.advance();
	const store = new LoggingStore(now);
	await runSync(world.config(), store, { now, ...GATHER });
	const sf = world.sfAll();
	const x = sf.find((r) => r.fields.Email === 'ra0@example.com') as (typeof sf)[number];
	const hsX = world
		.hsAll()
		.find((r) => r.fields.email === 'ra0@example.com') as (typeof sf)[number];
	world.sfEdit(x.id, { Title: 'SF edit', LastName: 'L0 edited' });
	for (const r of sf)
		if (r.id !== x.id) world.sfEdit(r.id, { LastName: `${String(r.fields.LastName)} edited` });
	world.hsEdit(hsX.id, { jobtitle: 'HS edit' });
	world.advance();

	// The feed hands x out again in its second page, as read when that page is asked for (x edited meanwhile, say);
	// Salesforce's writes wait for that read once it started, so the copy is read before any write-back lands.
	let copy: Promise<Array<CrmRecord | undefined>> | undefined;
	const reader = world.salesforce();
	const tap = newTap({
		before: (n) => {
			if (n === 2)
				copy = reader.getByIds(
					'Contact',
					[x.id],
					['Email', 'LastName', 'FirstName', 'Title', 'Phone'],
				);
		},
		after: async (n, page) =>
			n === 2 ? { ...page, records: [...page.records, ...((await copy) as CrmRecord[])] } : page,
	});
	const sfConnector = tapped(world.salesforce(), tap);
	const write = sfConnector.write.bind(sfConnector);
	sfConnector.write = async (...args) => {
		await copy;
		return await write(...args);
	};
	events = [];
	const report = await runSync(
		world.config({ a: { connector: sfConnector, objectType: 'Contact' } }),
		store,
		{ now, ...GATHER },
	);
	// The copy was read ahead, before the run wrote HubSpot's Title back to x: it holds Salesforce's edit.
	expect(events.indexOf('read 2')).toBeLessThan(events.indexOf('commit page'));
	expect((await copy)?.[0]?.fields.Title).toBe('SF edit');
	// …and it was not planned: the write-back stands on both sides, the stale Title never reached HubSpot.
	expect(common('a', world.sfAll().find((r) => r.id === x.id)?.fields ?? {})).toMatchObject({
		jobtitle: 'HS edit',
		lastname: 'L0 edited',
	});
	expect(common('b', world.hsAll().find((r) => r.id === hsX.id)?.fields ?? {})).toMatchObject({
		jobtitle: 'HS edit',
		lastname: 'L0 edited',
	});
	expect(report.counts.updated.a).toBe(1);
	expect(report.counts.updated.b).toBe(2 * PAGE);
	expect(report.counts.failed).toBe(0);
});

it('an abort during the read-ahead stops the run: the page read ahead is never planned nor committed; the next run converges', async () => {
	seedSf(3 * PAGE);
	const store = new LoggingStore(now);
	const abort = new AbortController();
	const tap = newTap({
		before: (n) => {
			if (n === 2) abort.abort();
		},
	});
	await expect(
		runSync(oneWay(tap), store, { now, ...GATHER, signal: abort.signal }),
	).rejects.toBeInstanceOf(SyncAbortedError);
	// Page 2 was asked for while page 1 was planned: the abort stopped page 1 before its writes and the feed read.
	expect(events.indexOf('read 2')).toBeGreaterThan(-1);
	expect(events).not.toContain('page 2');
	expect(events).not.toContain('read 3');
	expect(events).not.toContain('commit page');
	expect(tap.closed).toBe(1);
	expect(await store.positionA()).toBeNull();
	expect(world.hsAll()).toHaveLength(0);
	// Nothing of the stopped run goes on behind its back.
	const requests = world.sf.log.entries().length + world.hs.log.entries().length;
	await new Promise((r) => setTimeout(r, 50));
	expect(world.sf.log.entries().length + world.hs.log.entries().length).toBe(requests);

	world.advance(); // past the pending grace of the creates written ahead
	const report = await runSync(oneWay(newTap()), store, { now, ...GATHER });
	expect(report.counts.failed).toBe(0);
	expectOnceOnHubSpot(3 * PAGE);
});

it('a feed error during the read-ahead fails the run with that error once the current page committed', async () => {
	seedSf(3 * PAGE);
	const store = new LoggingStore(now);
	const broken = new Error('feed broke on page 3');
	const tap = newTap({
		before: (n) => {
			if (n === 3) {
				events.push('error');
				throw broken;
			}
		},
	});
	await expect(runSync(oneWay(tap), store, { now, ...GATHER })).rejects.toBe(broken);
	// The error came while page 2 was written, and surfaced where page 3 would have been planned: page 2 committed.
	expect(events.filter((e) => e === 'commit page')).toHaveLength(2);
	expect(events.indexOf('error')).toBeLessThan(events.lastIndexOf('commit page'));
	expect(await store.positionA()).toEqual(tap.watermarks[1]);
	expect(world.hsAll()).toHaveLength(2 * PAGE);

	const next = newTap();
	const report = await runSync(oneWay(next), store, { now, ...GATHER });
	expect(next.from[0]).toEqual(tap.watermarks[1]);
	expect(report.counts.created.b).toBe(PAGE);
	expectOnceOnHubSpot(3 * PAGE);
});

it('a crash after the first page committed (the next page read ahead): the next run resumes there, no duplicate', async () => {
	seedSf(3 * PAGE);
	const store = new LoggingStore(now);
	store.crashAtPage = 2;
	const tap = newTap();
	await expect(runSync(oneWay(tap), store, { now, ...GATHER })).rejects.toThrow(
		/crash at page commit 2/,
	);
	expect(await store.positionA()).toEqual(tap.watermarks[0]);
	store.crashAtPage = 0;
	world.advance(); // past the pending grace of page 2's creates, written ahead
	const next = newTap();
	const report = await runSync(oneWay(next), store, { now, ...GATHER });
	expect(next.from[0]).toEqual(tap.watermarks[0]);
	expect(report.counts.failed).toBe(0);
	expectOnceOnHubSpot(3 * PAGE);
});

it('a lost lock during the read-ahead stops it at that page: the run fails, no page read ahead is committed', async () => {
	seedSf(3 * PAGE);
	const store = new LoggingStore(now);
	let refuse = false;
	let refused!: () => void;
	const refusal = new Promise<void>((resolve) => (refused = resolve));
	store.renewLock = async () => {
		if (!refuse) return true;
		setImmediate(refused);
		return false;
	};
	const tap = newTap({
		before: async (n) => {
			if (n !== 2) return;
			// Page 2 is asked for while page 1 is planned: the lock is lost before it arrives.
			refuse = true;
			await refusal;
			await new Promise((resolve) => setImmediate(resolve));
		},
	});
	await expect(runSync(oneWay(tap), store, { now, ...GATHER, leaseMs: 30 })).rejects.toThrow(
		/lost its run lock/,
	);
	expect(events).not.toContain('read 3');
	expect(tap.closed).toBe(1);
	// Page 1 committed or not (its writes raced the loss), page 2 never.
	expect([null, tap.watermarks[0]]).toContainEqual(await store.positionA());
	expect(events.filter((e) => e === 'commit page').length).toBeLessThanOrEqual(1);

	world.advance(); // past the pending grace of the creates written ahead
	const report = await runSync(oneWay(newTap()), store, { now, ...GATHER });
	expect(report.counts.failed).toBe(0);
	expectOnceOnHubSpot(3 * PAGE);
});
