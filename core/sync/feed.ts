/**
 * Following one side's change feed: its pages are gathered into planning pages big enough for the other side's bulk
 * path. A connector takes its bulk path (one asynchronous job instead of many small write calls) from
 * `capabilities().bulkThreshold` records in one `write`, but a feed page is far smaller (a few hundred to a few
 * thousand records): planned one by one, a backfill of a million records would never reach it. So consecutive feed
 * pages are gathered until the planning page holds at least the other side's threshold (when it has one and it is
 * within `limit`, which keeps memory bounded), then planned and applied as ONE page: creates written ahead (pending
 * links committed before the write), writes sent, ONE commit carrying the last feed page's watermark. A crash or an
 * abort before that commit leaves the watermark where it was: the next run reads the gathered pages again, and the
 * creates written ahead are settled by their match key — never created twice. Between feed pages the run checks
 * that it may go on (abort, lock) and reports progress.
 *
 * Read-ahead: while a planning page is planned, written and committed, the feed is read on into the NEXT planning
 * page (`readAhead.ts`; at most one ahead: memory holds two planning pages and one feed page at most), so the run
 * does not wait for the feed between pages. Only the time the run waits for a page counts as `read` (timings.ts).
 * Why a page read ahead — copies read before the current page's writes — is safe:
 * - nothing about a record's pairing is taken from the time it was read: its link, its partner (by id) and its
 *   first-contact look-ups are read when the page is planned, after the previous page's commit;
 * - the only writes a feed's own pages make to the feed's side are updates of the pairs' records (conflict
 *   write-back, `bWins` fields…): apply.ts adds each such record to `ctx.handled` when its write is sent, and
 *   planRecords skips handled records in the feed phase — a stale copy read ahead is never planned, so never
 *   written back over the run's own write (a newer edit of such a record is planned next run, as before);
 * - creates go to the other side only (a feed's record without partner is created there), and deletions are
 *   propagated in the deletion phase, before any feed is read (their records are handled too): no create or
 *   delete on the feed's side happens while it is read ahead;
 * - a record the feed hands out again in the next page (edited meanwhile) and not written by this run is planned
 *   from that later copy against the link and base the previous commit left, as without read-ahead.
 * Each planning page's commit carries its own last feed page's watermark, in order; a page read ahead is never
 * committed unless it is planned. An abort or a lost lock stops the read-ahead at its next feed page (an abort
 * also cancels the request under way); a read-ahead that fails is thrown where its page would have been planned,
 * after the current page committed — the watermark stays at the last committed page.
 */
import type { Watermark } from '../connectors/contract';
import type { CrmRecord } from '../records/types';
import { applyPage } from './apply';
import { otherSide, planPage, type RunContext } from './plan';
import { readAhead } from './readAhead';
import type { Side, StateChanges } from './store/types';

/** Default most records gathered into one planning page (the default bulk threshold of the CRMs that have one). */
export const DEFAULT_GATHER_LIMIT = 10_000;

/**
 * Records a planning page of `side`'s feed gathers before it is planned: the other side's bulk threshold when it
 * has one within `limit`, else its batch size (records per write request) when that is within `limit` — so a
 * page's writes fill whole requests (a feed page of 100 writing to a side taking 1,000 per request would send ten
 * times the requests) — else 0 (each feed page is planned alone, as it comes).
 */
export async function gatherTarget(ctx: RunContext, side: Side, limit: number): Promise<number> {
	const { connector, objectType } = ctx.sides[otherSide(side)];
	const { bulkThreshold, batchSize } = await connector.capabilities(objectType);
	const within = (n: number | undefined): n is number => !!n && n > 0 && n <= limit;
	return within(bulkThreshold) ? bulkThreshold : within(batchSize) ? batchSize : 0;
}

export interface FeedRun {
	side: Side;
	from: Watermark | null;
	/** Records per planning page: feed pages are gathered until it holds at least this many (0: each page alone). */
	target: number;
	signal?: AbortSignal;
	/** Moves the side's watermark (in memory) to a planning page's, just before the page's commit carries it. */
	advance: (watermark: Watermark) => void;
	/** The state the page's commit carries besides its links (the side's watermarks). */
	meta: () => StateChanges['meta'];
	/** After each feed page: feed pages and records read so far. */
	progress: (pages: number, records: number) => void;
}

/** A planning page: its records (by id, in feed order) and its last feed page's watermark. */
interface Gathered {
	records: CrmRecord[];
	watermark: Watermark;
}

/** `run.side`'s feed gathered into planning pages (see the file's comment). */
async function* gather(
	ctx: RunContext,
	run: FeedRun,
	signal: AbortSignal,
): AsyncGenerator<Gathered, void, undefined> {
	const { side } = run;
	const { connector, objectType, fields } = ctx.sides[side];
	// By id, in feed order: a record handed out twice (edited while the feed was read) is planned once, as last read.
	let gathered = new Map<string, CrmRecord>();
	let watermark: Watermark | undefined;
	let pages = 0;
	let read = 0;
	ctx.checkAlive();
	const feed = connector.changesSince(objectType, run.from, { fields, kind: 'updated', signal });
	for await (const page of feed) {
		ctx.checkAlive();
		ctx.report.counts.read[side] += page.records.length;
		for (const r of page.records) {
			// Deleted records and records without id are never planned from this feed (the deletion feed has them).
			if (!r.id || r.deleted) continue;
			gathered.delete(r.id);
			gathered.set(r.id, r);
		}
		watermark = page.watermark;
		run.progress(++pages, (read += page.records.length));
		if (gathered.size >= run.target) {
			yield { records: [...gathered.values()], watermark };
			gathered = new Map();
			watermark = undefined;
		}
		ctx.checkAlive();
	}
	if (watermark !== undefined) yield { records: [...gathered.values()], watermark };
}

/** Reads `run.side`'s `updated` feed from `run.from` to its end, planning and applying gathered pages. */
export async function followFeed(ctx: RunContext, run: FeedRun): Promise<void> {
	// The read-ahead's own signal: the run's abort, or the run leaving early (its page failed), cancels its request.
	const cancel = new AbortController();
	const onAbort = () => cancel.abort(run.signal?.reason);
	if (run.signal?.aborted) onAbort();
	run.signal?.addEventListener('abort', onAbort, { once: true });
	try {
		const pages = readAhead(gather(ctx, run, cancel.signal), {
			wait: (next) => ctx.report.stages.time('read', () => next),
			stop: () => cancel.abort(new Error('the sync run stopped reading this feed')),
		});
		for await (const page of pages) {
			ctx.checkAlive();
			run.advance(page.watermark);
			await applyPage(ctx, await planPage(ctx, run.side, page.records), run.meta());
		}
	} finally {
		run.signal?.removeEventListener('abort', onAbort);
	}
}

/** Blocks mode: a side's given changed records, planned and applied page by page like a feed's. */
export async function givenFeed(
	ctx: RunContext,
	side: Side,
	records: CrmRecord[],
	batch: number,
	metaFor: (s: Side) => StateChanges['meta'],
): Promise<void> {
	for (let i = 0; i < records.length; i += batch) {
		ctx.checkAlive();
		const page = records.slice(i, i + batch);
		ctx.report.counts.read[side] += page.length;
		await applyPage(ctx, await planPage(ctx, side, page), metaFor(side));
	}
}
