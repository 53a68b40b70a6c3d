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
 */
import type { Watermark } from '../connectors/contract';
import type { CrmRecord } from '../records/types';
import { applyPage } from './apply';
import { otherSide, planPage, type RunContext } from './plan';
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

/** Reads `run.side`'s `updated` feed from `run.from` to its end, planning and applying gathered pages. */
export async function followFeed(ctx: RunContext, run: FeedRun): Promise<void> {
	const { side } = run;
	const { connector, objectType, fields } = ctx.sides[side];
	// By id, in feed order: a record handed out twice (edited while the feed was read) is planned once, as last read.
	let gathered = new Map<string, CrmRecord>();
	let watermark: Watermark | undefined;
	const flush = async () => {
		if (watermark === undefined) return;
		const records = [...gathered.values()];
		run.advance(watermark);
		gathered = new Map();
		watermark = undefined;
		await applyPage(ctx, await planPage(ctx, side, records), run.meta());
	};
	let pages = 0;
	let read = 0;
	const feed = connector.changesSince(objectType, run.from, {
		fields,
		kind: 'updated',
		signal: run.signal,
	});
	for await (const page of ctx.report.stages.pages(feed)) {
		ctx.checkAlive();
		ctx.report.counts.read[side] += page.records.length;
		for (const r of page.records) {
			// Deleted records and records without id are never planned from this feed (the deletion feed has them).
			if (!r.id || r.deleted) continue;
			gathered.delete(r.id);
			gathered.set(r.id, r);
		}
		watermark = page.watermark;
		if (gathered.size >= run.target) await flush();
		run.progress(++pages, (read += page.records.length));
	}
	ctx.checkAlive();
	await flush();
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
