/**
 * The two-way sync engine. One run (`runSync`):
 * 1. validate the config; take the run lock (a lease, renewed on a timer; wait up to `lockWaitMs`, else
 *    SyncLockedError); describe both sides (field types for value comparison).
 * 2. deletions first: read each side's `deleted` feed from its stored watermark (first run: only start it —
 *    nothing before the first run counts); collect the linked deletions; the delete guard (maxCount/maxPercent)
 *    is checked BEFORE any delete — tripped: nothing deleted, feeds not advanced; else propagate/archive/ignore.
 *    A propagated delete wins over edits of the partner since the last run: reported (`deletedOverEdits`, warnings).
 * 3. pending links (creates written ahead) are settled by their match key: found once → linked; none → the source
 *    record is processed again (create); several → a `duplicate` failure, left pending (never created twice).
 * 4. retries: stored failures and conflict decisions are read by id and processed like a page. Ambiguous records
 *    (two candidates for one key) are stored like failures (category `ambiguous`): read again each run until they
 *    match exactly one record (e.g. after the other candidate was deleted), or are excluded.
 *    Open conflicts (conflicts.ts) are loaded at the start (those of a field no longer mapped are closed, and
 *    decisions on conflicts no longer open dropped): each page commits the conflicts it found and those it
 *    settled; the report lists every conflict still open.
 * 5. changes per side: first run = backfill from null (`updated` feed, page by page; the start watermark is taken
 *    before reading and becomes the feed's watermark at the end, so changes during the backfill come next run);
 *    later runs = from the stored watermark. Feed pages are gathered into planning pages as large as the other
 *    side's bulk threshold (feed.ts; `gatherLimit`), the next one read ahead while a page is written. Per planning
 *    page (plan.ts → apply.ts): links, partners by id, first-contact matching (a one-way sync upserts by a unique
 *    key instead of looking the record up on the target: firstContact.ts), three-way diff per pair, creates
 *    written ahead, writes batched, then ONE commit
 *    (links, bases, failures, decisions consumed, open conflicts, the last feed page's watermark).
 * The report's `timings` say where the run's time went (read, plan, write, commit, other: timings.ts).
 * Dry run: the same run over DryRunConnector/OverlayStore (dryrun.ts): zero writes, zero commits, same plan.
 * Echo suppression: after a write the base holds the written values on both sides, so reading it back is no change.
 */
import { createHash, randomUUID } from 'node:crypto';
import type { CrmConnector, Watermark } from '../connectors/contract';
import type { CrmRecord } from '../records/types';
import { loadConflicts, openConflictList } from './conflicts';
import {
	resolveConfig,
	syncedFields,
	SyncConfigError,
	type ResolvedConfig,
	type SyncConfig,
} from './config';
import { Transforms } from './diff';
import { keyRules } from './firstContact';
import { checkSchemas } from './schema';
import { DryRunConnector, OverlayStore } from './dryrun';
import { DEFAULT_GATHER_LIMIT, followFeed, gatherTarget, givenFeed } from './feed';
import type { DeferredWrites, RunContext, SideRuntime } from './plan';
import { ReportBuilder, type SyncProgress, type SyncReport } from './report';
import { deletions, retries, type SideWatermarks } from './phases';
import { settlePending } from './settle';
import type { ResolveConflict } from './strategies';
import type { Json, Side, SyncStore } from './store/types';
import { StageClock } from './timings';

export interface SyncOptions {
	/** Lock owner name (default: a random id). */
	owner?: string;
	/** Lock lease (default 60 s), renewed every third of it while running. */
	leaseMs?: number;
	/** Wait this long for a held lock (default 0: fail at once). */
	lockWaitMs?: number;
	lockPollMs?: number;
	now?: () => number;
	sleep?: (ms: number) => Promise<void>;
	/** The `custom` strategy's callback. */
	resolveConflict?: ResolveConflict;
	onProgress?: (progress: SyncProgress) => void;
	/** Keep the plan in the report (default: in dry runs only — a real run's plan is as long as its writes). */
	recordPlan?: boolean;
	/** Most plan items kept in the report (default: all). */
	planLimit?: number;
	/**
	 * Read both sides in full again (a new backfill), e.g. after the field mapping changed: pairs are re-planned,
	 * fields new to the mapping settled as at first link. Resumes after a crash like a first backfill.
	 */
	fullResync?: boolean;
	/** Stops the run at the next page or write boundary (what was written is committed first). */
	signal?: AbortSignal;
	/**
	 * A create written ahead less than this long ago (store clock) is not settled yet: a CRM's search index may not
	 * show the created record so soon (default 60 s).
	 */
	pendingGraceMs?: number;
	/** Records per retry read (default 200). */
	readBatch?: number;
	/**
	 * Most records a change feed's consecutive pages are gathered into before they are planned and written as one
	 * page (default 10,000): when the other side's connector has a bulk path (`capabilities().bulkThreshold`) from at
	 * most this many records on, pages are gathered up to its threshold so that large runs take it; else (or 0) each
	 * feed page is planned alone. Bounds the records held in memory: while a planning page is planned and written,
	 * the feed is read ahead into the next one (feed.ts), so at most two planning pages plus one feed page.
	 */
	gatherLimit?: number;
	/**
	 * Blocks mode (the Sync Plan node): the changed records of a side are given instead of read from its change
	 * feed, and `next` (the side's clock taken before they were read, by the Sync State node) becomes its watermark.
	 */
	feeds?: Record<Side, { records: CrmRecord[]; next: Watermark | null }>;
	/** Blocks mode: writes are not sent but collected here (answered AWAITING_RESULT; see core/sync/blocks). */
	defer?: DeferredWrites;
}

export class SyncAbortedError extends Error {
	constructor(readonly syncId: string) {
		super(`Sync "${syncId}" was stopped (aborted); the next run goes on from where it stopped`);
		this.name = 'SyncAbortedError';
	}
}

export class SyncLockedError extends Error {
	constructor(
		readonly syncId: string,
		readonly holder?: string,
		readonly until?: string,
		message?: string,
	) {
		super(
			message ??
				`Sync "${syncId}" is already running${holder ? ` (locked by ${holder}${until ? ` until ${until}` : ''})` : ''} — wait for it to finish, or raise lockWaitMs`,
		);
		this.name = 'SyncLockedError';
	}
}

async function lock(
	store: SyncStore,
	syncId: string,
	owner: string,
	o: SyncOptions,
	leaseMs: number,
) {
	const now = o.now ?? Date.now;
	const sleep = o.sleep ?? ((ms: number) => new Promise((r) => setTimeout(r, ms)));
	const deadline = now() + (o.lockWaitMs ?? 0);
	for (;;) {
		const lease = await store.acquireLock(syncId, owner, leaseMs);
		if (lease) return lease;
		if (now() >= deadline) {
			// Who holds it, as the store has it now (its expiry after the holder's last renewal).
			const held = await store.lockHolder?.(syncId).catch(() => undefined);
			throw new SyncLockedError(
				syncId,
				held?.owner,
				held ? new Date(held.expiresAt).toISOString() : undefined,
			);
		}
		await sleep(Math.min(o.lockPollMs ?? 1000, Math.max(1, deadline - now())));
	}
}

/** What the stored state depends on: object types, match keys, field pairs and their transforms. */
export function configFingerprint(c: ResolvedConfig): string {
	const what = {
		a: c.a.objectType,
		b: c.b.objectType,
		matchKeys: c.matchKeys,
		fields: c.fields.map((f) => [f.key, f.a, f.b, f.direction, f.toA ?? [], f.toB ?? []]),
	};
	return createHash('sha256').update(JSON.stringify(what)).digest('hex').slice(0, 16);
}

/** Runs one sync. */
export async function runSync(
	config: SyncConfig,
	realStore: SyncStore,
	options: SyncOptions = {},
): Promise<SyncReport> {
	const stages = new StageClock();
	const cfg = resolveConfig(config);
	const usesCustom = cfg.conflict === 'custom' || cfg.fields.some((f) => f.conflict === 'custom');
	if (usesCustom && !options.resolveConflict)
		throw new SyncConfigError([
			'conflict: "custom" needs the resolveConflict callback in the run options — give it, or pick another strategy',
		]);
	const now = options.now ?? Date.now;
	const syncId = cfg.syncId;
	const owner = options.owner ?? `sync-${randomUUID()}`;
	const leaseMs = options.leaseMs ?? 60_000;
	await lock(realStore, syncId, owner, options, leaseMs);
	let lost = false;
	const timer = setInterval(
		() => {
			realStore.renewLock(syncId, owner, leaseMs).then(
				(ok) => (lost ||= !ok),
				() => undefined,
			);
		},
		Math.max(10, Math.floor(leaseMs / 3)),
	);
	timer.unref?.();
	try {
		const store = stages.timedStore(cfg.dryRun ? new OverlayStore(realStore) : realStore);
		const wrap = (c: CrmConnector, s: Side) => (cfg.dryRun ? new DryRunConnector(c, s) : c);
		const fieldsOf = (s: Side) => syncedFields(cfg, s);
		const sides: Record<Side, SideRuntime> = {
			a: {
				side: 'a',
				connector: wrap(cfg.a.connector, 'a'),
				objectType: cfg.a.objectType,
				fields: fieldsOf('a'),
			},
			b: {
				side: 'b',
				connector: wrap(cfg.b.connector, 'b'),
				objectType: cfg.b.objectType,
				fields: fieldsOf('b'),
			},
		};
		const types = await checkSchemas(cfg, sides);
		// Blocks mode keeps every look-up: the workflow's write nodes send its creates, not upserts.
		const rules = await keyRules(cfg, sides, !options.defer);
		const report = new ReportBuilder(
			syncId,
			cfg.dryRun,
			now,
			(options.recordPlan ?? cfg.dryRun) ? (options.planLimit ?? Infinity) : 0,
			stages,
		);
		const ctx: RunContext = {
			syncId,
			config: cfg,
			store,
			sides,
			diff: { config: cfg, types, transforms: new Transforms(), custom: options.resolveConflict },
			report,
			now,
			decisions: new Map(),
			open: new Map(),
			foundConflicts: new Set(),
			failures: new Map(),
			handled: new Set(),
			phase: 'byId',
			defer: options.defer,
			pendingGraceMs: options.pendingGraceMs ?? 60_000,
			keyRules: rules,
			checkAlive: () => {
				if (options.signal?.aborted) throw new SyncAbortedError(syncId);
				if (lost)
					throw new SyncLockedError(
						syncId,
						undefined,
						undefined,
						`Sync "${syncId}" lost its run lock (its lease of ${leaseMs} ms ran out without a renewal and another run took it) — stopped before writing more; raise leaseMs if the store is slow`,
					);
			},
		};
		await loadConflicts(ctx);
		for await (const page of store.listFailures(syncId))
			for (const f of page) ctx.failures.set(`${f.side}:${f.recordId}`, f);
		const meta = await store.getMeta(syncId);
		const marks: Record<Side, SideWatermarks> = {
			a: { ...((meta.watermarks.a as SideWatermarks | undefined) ?? {}) },
			b: { ...((meta.watermarks.b as SideWatermarks | undefined) ?? {}) },
		};
		const fingerprint = configFingerprint(cfg);
		const stored = meta.info.configFingerprint;
		report.report.configChanged = typeof stored === 'string' && stored !== fingerprint;
		if (options.fullResync) {
			for (const s of ['a', 'b'] as const) {
				marks[s] = { ...marks[s], backfillFrom: null, backfillTarget: null };
				meta.backfilled[s] = false;
			}
			await store.commit(syncId, {
				meta: {
					backfilled: { a: false, b: false },
					watermarks: {
						a: { ...marks.a } as unknown as Json,
						b: { ...marks.b } as unknown as Json,
					},
				},
			});
		}
		const progress = (
			phase: SyncProgress['phase'],
			side: Side | undefined,
			pages: number,
			records: number,
		) => options.onProgress?.({ phase, side, pages, records, counts: report.counts });
		const metaFor = (s: Side) => ({ watermarks: { [s]: { ...marks[s] } as unknown as Json } });

		await deletions(ctx, marks, metaFor);
		progress('deletions', undefined, 1, 0);
		await settlePending(ctx);
		progress('pending', undefined, 1, 0);
		await retries(ctx, options.readBatch ?? 200);
		progress('retries', undefined, 1, 0);

		ctx.phase = 'feed';
		for (const side of ['a', 'b'] as const) {
			const { connector, objectType } = sides[side];
			const backfill = !meta.backfilled[side];
			report.report.backfill[side] = backfill;
			const given = options.feeds?.[side];
			if (given) {
				await givenFeed(ctx, side, given.records, options.readBatch ?? 200, metaFor);
				marks[side] = {
					...marks[side],
					updated: given.next ?? marks[side].updated ?? null,
					backfillFrom: null,
					backfillTarget: null,
				};
				await store.commit(syncId, { meta: { ...metaFor(side), backfilled: { [side]: true } } });
				continue;
			}
			// One-way: the target's own edits never flow back, and a source record meets its partner by id or by key
			// when it is planned, so the target's feed would only be read (its records' partners read by id) to write
			// nothing — in a backfill that is every record this run has just created. It is left unread (and not
			// backfilled: turning the sync two-way later backfills it then).
			if (cfg.direction !== 'both' && side !== (cfg.direction === 'aToB' ? 'a' : 'b')) {
				report.report.backfill[side] = false;
				continue;
			}
			if (backfill && !marks[side].backfillTarget)
				marks[side].backfillTarget = await stages.time('read', () =>
					connector.startWatermark(objectType, 'now', { kind: 'updated' }),
				);
			await followFeed(ctx, {
				side,
				from: backfill ? (marks[side].backfillFrom ?? null) : (marks[side].updated ?? null),
				target: await gatherTarget(ctx, side, options.gatherLimit ?? DEFAULT_GATHER_LIMIT),
				signal: options.signal,
				advance: (w) => {
					if (backfill) marks[side].backfillFrom = w;
					else marks[side].updated = w;
				},
				meta: () => metaFor(side),
				progress: (pages, records) => progress('changes', side, pages, records),
			});
			if (backfill) {
				marks[side] = {
					...marks[side],
					updated: marks[side].backfillTarget,
					backfillFrom: null,
					backfillTarget: null,
				};
				await store.commit(syncId, { meta: { ...metaFor(side), backfilled: { [side]: true } } });
			}
		}
		if (stored !== fingerprint)
			await store.commit(syncId, { meta: { info: { configFingerprint: fingerprint } } });
		report.report.openConflicts = openConflictList(ctx);
		return report.finish({
			a: { ...marks.a } as unknown as Json,
			b: { ...marks.b } as unknown as Json,
		});
	} catch (error) {
		// A connector cancelled by the signal throws its own error: the run reports the abort.
		if (options.signal?.aborted && !(error instanceof SyncAbortedError))
			throw new SyncAbortedError(syncId);
		throw error;
	} finally {
		clearInterval(timer);
		await realStore.releaseLock(syncId, owner);
	}
}
