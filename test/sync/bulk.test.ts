/**
 * Planning pages big enough for a bulk write: a Dynamics 365 → Salesforce backfill whose feed pages
 * are gathered into planning pages of Salesforce's bulk threshold (here 500, and pages of 100; 10,000 by default), so the creates go
 * through Bulk API 2.0 jobs instead of Collections calls — counted in the Salesforce simulator's log. Then the same
 * backfill stopped in the middle of a gathered page (an abort between feed pages; a crash of the commit after a
 * bulk job wrote; a bulk job whose results were lost): the next run converges with every contact once on
 * Salesforce and every link right.
 */
import { runSync, SyncAbortedError } from '../../core/sync/engine';
import { MemorySyncStore } from '../../core/sync/store/memory';
import { LOST_CREATE_LINES } from '../../core/sync/report';
import type { StateChanges, SyncLink } from '../../core/sync/store/types';
import { DvSyncWorld } from './dvWorld';

/** Contacts, bulk threshold and feed page size (SYNC_BULK_N=25000 SYNC_BULK_T=5000 SYNC_BULK_PAGE=1000: the
 * full-size case, ~10 min — the Dataverse simulator's look-ups by e-mail scan every row). */
const N = Number(process.env.SYNC_BULK_N ?? 2000);
const THRESHOLD = Number(process.env.SYNC_BULK_T ?? 500);
const PAGE = Number(process.env.SYNC_BULK_PAGE ?? 100);
const TIMEOUT = Math.max(180_000, N * 60);
const world = new DvSyncWorld();
const now = () => world.clock.now();

class CrashingStore extends MemorySyncStore {
	/** Throws on the commit that links records for the k-th time (0: never). */
	crashAtLinking = 0;
	private linking = 0;
	async commit(syncId: string, changes: StateChanges): Promise<void> {
		if (
			changes.upsertLinks?.some((l) => l.status === 'linked') &&
			++this.linking === this.crashAtLinking
		)
			throw new Error(`crash at the ${this.linking}th linking commit`);
		return super.commit(syncId, changes);
	}
}

const email = (i: number) => `bulk${i}@example.com`;

function seed(): void {
	for (let i = 0; i < N; i++)
		world.insert('dv', {
			email: email(i),
			lastname: `Last ${i}`,
			firstname: 'Bulk',
			jobtitle: `Title ${i % 7}`,
			phone: null,
		});
	world.advance();
}

const config = () =>
	world.pairConfig('sf', 'dv', {
		a: { connector: world.salesforce({ bulkThreshold: THRESHOLD }), objectType: 'Contact' },
		b: { connector: world.dynamics({ changesPageSize: PAGE }), objectType: 'contacts' },
	});

/** Salesforce requests of a kind since the simulator was reset. */
const sfCalls = (kind: RegExp) =>
	world.sf.log.entries().filter((e) => kind.test(e.kind ?? '')).length;
const BULK_JOBS = /^bulk\.ingest\.create$/;
const COLLECTIONS = /^collections\./;

async function links(store: MemorySyncStore): Promise<SyncLink[]> {
	const out: SyncLink[] = [];
	for await (const page of store.listLinks('sf-dv')) out.push(...page);
	return out;
}

/** Every Dataverse contact once on Salesforce, each linked to its own partner. */
async function expectConverged(store: MemorySyncStore): Promise<void> {
	const sf = world.all('sf');
	const byEmail = new Map<string, string[]>();
	for (const r of sf)
		byEmail.set(String(r.v.email), [...(byEmail.get(String(r.v.email)) ?? []), r.id]);
	expect(sf).toHaveLength(N);
	expect([...byEmail.values()].filter((ids) => ids.length !== 1)).toEqual([]);
	const dvEmail = new Map(world.all('dv').map((r) => [r.id, String(r.v.email)]));
	const all = await links(store);
	expect(all.filter((l) => l.status !== 'linked')).toEqual([]);
	expect(all).toHaveLength(N);
	const wrong = all.filter(
		(l) => byEmail.get(dvEmail.get(l.bId as string) as string)?.[0] !== l.aId,
	);
	expect(wrong).toEqual([]);
}

beforeAll(async () => {
	await world.start();
	world.sf.bulk.configure({ processingDelayMs: 1, chunkSize: 5000 });
}, 30_000);
afterAll(async () => {
	await world.stop();
});
beforeEach(() => {
	world.reset();
	seed();
}, 60_000);

it(
	`a backfill of ${N} Dataverse contacts reaches Salesforce in ${N / THRESHOLD} Bulk API jobs (feed pages of ${PAGE} gathered), every contact once, links right`,
	async () => {
		const store = new MemorySyncStore(now);
		const report = await runSync(config(), store, { now });
		expect(report.counts.read.b).toBe(N);
		expect(report.counts.created).toEqual({ a: N, b: 0 });
		expect(report.failures).toEqual([]);
		expect(sfCalls(BULK_JOBS)).toBe(N / THRESHOLD);
		expect(sfCalls(COLLECTIONS)).toBe(0);
		await expectConverged(store);
		// A second run writes nothing.
		world.advance();
		const again = await runSync(config(), store, { now });
		expect(again.counts.created).toEqual({ a: 0, b: 0 });
		expect(again.counts.updated).toEqual({ a: 0, b: 0 });
		expect(sfCalls(BULK_JOBS)).toBe(N / THRESHOLD);
	},
	TIMEOUT,
);

it(
	'a dry run plans the same gathered pages: every create planned, nothing sent (no job, no Collections call)',
	async () => {
		const store = new MemorySyncStore(now);
		const report = await runSync({ ...config(), dryRun: true }, store, { now });
		expect(report.counts.created).toEqual({ a: N, b: 0 });
		expect(report.plan.filter((p) => p.action === 'create')).toHaveLength(N);
		expect(sfCalls(/^(bulk\.ingest|collections\.)/)).toBe(0);
		expect(world.all('sf')).toHaveLength(0);
		expect(await links(store)).toEqual([]);
	},
	TIMEOUT,
);

it(
	'gatherLimit below the threshold: pages gathered to whole Collections calls of 200 instead (no job)',
	async () => {
		const store = new MemorySyncStore(now);
		const report = await runSync(config(), store, { now, gatherLimit: THRESHOLD - 1 });
		expect(report.counts.created).toEqual({ a: N, b: 0 });
		expect(sfCalls(BULK_JOBS)).toBe(0);
		expect(sfCalls(/^collections\.create$/)).toBe(N / 200);
		await expectConverged(store);
	},
	TIMEOUT,
);

it(
	'gatherLimit 0: each feed page planned alone, through Collections (the old way, for comparison)',
	async () => {
		const store = new MemorySyncStore(now);
		const report = await runSync(config(), store, { now, gatherLimit: 0 });
		expect(report.counts.created).toEqual({ a: N, b: 0 });
		expect(sfCalls(BULK_JOBS)).toBe(0);
		expect(sfCalls(/^collections\.create$/)).toBe((N / PAGE) * Math.ceil(PAGE / 200));
		await expectConverged(store);
	},
	TIMEOUT,
);

it(
	'aborted right after the first gathered page committed, while the next is read ahead: nothing of it written; the next run converges, no duplicate',
	async () => {
		const abort = new AbortController();
		let pagesRead = 0;
		// The abort comes as the first gathered page's commit returns: the feed is being read ahead into the next.
		const store = new (class extends MemorySyncStore {
			async commit(syncId: string, changes: StateChanges): Promise<void> {
				await super.commit(syncId, changes);
				if (changes.upsertLinks?.some((l) => l.status === 'linked')) abort.abort();
			}
		})(now);
		await expect(
			runSync(config(), store, {
				now,
				signal: abort.signal,
				onProgress: (p) => {
					if (p.phase === 'changes') pagesRead = p.pages;
				},
			}),
		).rejects.toBeInstanceOf(SyncAbortedError);
		// The first gathered page was written and committed; the pages read ahead of the next were not planned.
		expect(pagesRead).toBeLessThan(N / PAGE);
		expect(world.all('sf')).toHaveLength(THRESHOLD);
		expect(sfCalls(BULK_JOBS)).toBe(1);
		const watermark = (await store.getMeta('sf-dv')).watermarks.b as { backfillFrom?: unknown };
		expect(watermark.backfillFrom).toBeTruthy();
		world.advance();
		const report = await runSync(config(), store, { now });
		expect(report.counts.created.a).toBe(N - THRESHOLD);
		expect(sfCalls(BULK_JOBS)).toBe(N / THRESHOLD);
		await expectConverged(store);
	},
	TIMEOUT,
);

it(
	'a crash of the commit after a bulk job wrote a gathered page: the next run settles it by e-mail, no duplicate',
	async () => {
		const store = new CrashingStore(now);
		store.crashAtLinking = 2;
		await expect(runSync(config(), store, { now })).rejects.toThrow(
			/crash at the 2th linking commit/,
		);
		expect(world.all('sf')).toHaveLength(2 * THRESHOLD);
		const pending = (await links(store)).filter((l) => l.status === 'pending');
		expect(pending).toHaveLength(THRESHOLD);
		store.crashAtLinking = 0;
		world.advance(); // past the pending grace
		const report = await runSync(config(), store, { now });
		expect(report.counts.created.a).toBe(N - 2 * THRESHOLD);
		expect(sfCalls(BULK_JOBS)).toBe(N / THRESHOLD);
		await expectConverged(store);
	},
	TIMEOUT,
);

it(
	'a bulk job whose results were lost: its records stay pending (outcome unknown), the next run settles them by e-mail, no duplicate',
	async () => {
		const store = new MemorySyncStore(now);
		// Every attempt (the client's 5) to read the first job's successful results loses its answer.
		world.sf.faults.add({
			type: 'drop',
			when: 'afterHandler',
			count: 5,
			match: { path: '/successfulResults$', methods: ['GET'] },
		});
		const report = await runSync(config(), store, { now });
		expect(report.counts.created.a).toBe(N - THRESHOLD);
		expect(report.failures).toEqual([]);
		// One line per record up to LOST_CREATE_LINES, then one line counting the rest (not a line per record of the job).
		const lost = report.warnings.filter((w) => /answer was lost/.test(w));
		expect(lost).toHaveLength(LOST_CREATE_LINES + 1);
		expect(lost[LOST_CREATE_LINES]).toBe(
			`… and ${THRESHOLD - LOST_CREATE_LINES} more creates on side a whose answer was lost (OUTCOME_UNKNOWN); the next run looks each up by its match key`,
		);
		expect((await links(store)).filter((l) => l.status === 'pending')).toHaveLength(THRESHOLD);
		expect(world.all('sf')).toHaveLength(N);
		world.advance(); // past the pending grace
		const next = await runSync(config(), store, { now });
		expect(next.counts.created).toEqual({ a: 0, b: 0 });
		expect(sfCalls(BULK_JOBS)).toBe(N / THRESHOLD);
		await expectConverged(store);
	},
	TIMEOUT,
);
