/**
 * The change feeds of a profile's object. A position is `{feed, time, after}`: every change at or after `time`
 * (epoch ms) except the ids in `after`, which changed at exactly `time` and were handed out already. The API's
 * "since" parameter is inclusive or exclusive alike (the feed asks from 1 ms earlier and skips what it has); the
 * window ends at the API's own time (its Date header) minus the profile's `lagMs`, so a change made while reading is
 * left for the next call. Feeds: `updated` (changes endpoint, sorted by updated-at), `deleted` (tombstone endpoint),
 * `all` (both merged by time; at one time, updates first), `created` (the list, in creation order, by createdAtPath).
 */
import { CrmError } from '../../http';
import type { CrmRecord } from '../../records/types';
import type { ChangeFeedKind, Watermark } from '../contract';
import { at, formatTime, parseTime, readPages, type Requester } from './endpoint';
import type { ObjectProfile, ReadEndpoint, TimeFormat } from './profile';
import { toRecord } from './records';

/** A feed position. */
export interface Position {
	time: number | null;
	after: string[];
}

/** One change with its time and id. */
export interface Change {
	id: string;
	time: number;
	record: CrmRecord;
}

/** What a feed read needs. */
export interface FeedContext {
	client: Requester;
	object: ObjectProfile;
	type: string;
	source: string;
	fields?: string[];
	/** Caps the window (epoch ms); the API's time minus `lagMs` caps it anyway. */
	until?: number;
	lagMs: number;
	signal?: AbortSignal;
}

/** The watermark of a position. */
export function watermarkOf(feed: ChangeFeedKind, p: Position): Watermark {
	return { feed, time: p.time, after: [...p.after] };
}

/** The position of a stored watermark (null: from the beginning), or an error saying what to do. */
export function positionOf(feed: ChangeFeedKind, w: Watermark | null, type: string): Position {
	if (w === null) return { time: null, after: [] };
	const { time, after } = w;
	const ok =
		(w.feed ?? 'all') === feed &&
		(time === null || typeof time === 'number') &&
		Array.isArray(after);
	if (!ok)
		throw new CrmError(
			`The watermark ${JSON.stringify(w).slice(0, 120)} is not a position of the ${feed} feed of ${type} — pass the watermark this feed handed out, or start it again with startWatermark`,
			{ kind: 'validation' },
		);
	return { time: time as number | null, after: after as string[] };
}

/** The window's end: known once the first answer (and its Date header) is in. */
class Window {
	private end?: number;
	constructor(private readonly ctx: FeedContext) {}
	set(serverTime: number | undefined): void {
		if (this.end !== undefined) return;
		if (serverTime === undefined)
			throw new CrmError(
				`${this.ctx.type}: the API sent no Date header, so the change window cannot be bounded by its clock — let a proxy pass the Date header through`,
				{ kind: 'fatal' },
			);
		const now = serverTime - this.ctx.lagMs;
		this.end = this.ctx.until === undefined ? now : Math.min(now, this.ctx.until);
	}
	get until(): number {
		return this.end ?? -Infinity;
	}
}

function sinceQuery(e: { sinceParam: string; format: TimeFormat }, p: Position) {
	return p.time === null ? {} : { [e.sinceParam]: formatTime(p.time - 1, e.format) };
}

/** Records of a read endpoint in time order from `p` to the window's end; out of order is an error. */
async function* timed(
	ctx: FeedContext,
	endpoint: ReadEndpoint,
	query: Record<string, string>,
	timePath: string,
	where: string,
	p: Position,
	w: Window,
	onePage?: (records: number) => void,
): AsyncGenerator<Change, boolean> {
	const skip = new Set(p.after);
	let last = -Infinity;
	const pages = onePage ? 1 : Infinity;
	for await (const page of readPages(ctx.client, endpoint, query, where, ctx.signal, pages)) {
		w.set(page.serverTime);
		onePage?.(page.records.length);
		for (const raw of page.records) {
			const time = parseTime(at(raw, timePath));
			const record = toRecord(ctx.object, ctx.type, ctx.source, raw, ctx.fields);
			if (time === undefined || record.id === undefined)
				throw new CrmError(
					`${where}: a record has no readable id or time at "${timePath}" — check idPath and ${timePath === ctx.object.createdAtPath ? 'createdAtPath' : 'updatedAtPath'}`,
					{ kind: 'fatal' },
				);
			if (time < last)
				throw new CrmError(
					`${where}: records are not in time order (${new Date(time).toISOString()} after ${new Date(last).toISOString()}) — set ${where}.query so the API sorts them oldest first (e.g. {"sort": "updated_at"})`,
					{ kind: 'fatal' },
				);
			last = time;
			if (time > w.until) return true;
			if (p.time !== null && (time < p.time || (time === p.time && skip.has(record.id)))) continue;
			yield { id: record.id, time, record };
		}
	}
	return false;
}

/**
 * The changes endpoint from `p`. Keyset styles (cursor, next URL) follow their tokens; offset and page numbers ask
 * again from the position reached after each page instead, as a record that moves to the end of the list while the
 * feed reads would shift every offset after it and one record would be skipped. A full page that moved nothing on
 * (more records at one time than a page holds) is followed by its offsets.
 */
async function* updatesFrom(ctx: FeedContext, p: Position, w: Window): AsyncGenerator<Change> {
	const e = ctx.object.changes;
	const where = `objects.${ctx.type}.changes`;
	const path = ctx.object.updatedAtPath;
	if (!['offset', 'page', 'link'].includes(e.paging.style))
		return void (yield* timed(ctx, e, sinceQuery(e, p), path, where, p, w));
	let pos = p;
	for (;;) {
		let count = 0;
		let moved = false;
		const page = timed(ctx, e, sinceQuery(e, pos), path, where, pos, w, (n) => (count = n));
		let next = await page.next();
		for (; !next.done; next = await page.next()) {
			pos = advance(pos, next.value);
			moved = true;
			yield next.value;
		}
		if (next.value || count < e.paging.size) return; // past the window, or the last page
		if (!moved) return void (yield* timed(ctx, e, sinceQuery(e, pos), path, where, pos, w));
	}
}

/** The tombstones from `p` to the window's end, oldest first (held at once: ids and times only). */
async function tombstones(ctx: FeedContext, p: Position, w: Window): Promise<Change[]> {
	const e = ctx.object.deleted;
	if (!e) return [];
	const where = `objects.${ctx.type}.deleted`;
	const out: Change[] = [];
	for await (const page of readPages(ctx.client, e, sinceQuery(e, p), where, ctx.signal)) {
		w.set(page.serverTime);
		for (const raw of page.records) {
			const id = at(raw, e.idPath);
			const time = parseTime(at(raw, e.deletedAtPath));
			if ((typeof id !== 'string' && typeof id !== 'number') || time === undefined)
				throw new CrmError(
					`${where}: a tombstone has no id at "${e.idPath}" or time at "${e.deletedAtPath}" — set ${where}.idPath / deletedAtPath`,
					{ kind: 'fatal' },
				);
			out.push({
				id: String(id),
				time,
				record: {
					id: String(id),
					type: ctx.type,
					fields: { [ctx.object.idPath]: String(id) },
					updatedAt: new Date(time).toISOString(),
					source: ctx.source,
					deleted: true,
					raw,
				},
			});
		}
	}
	const skip = new Set(p.after);
	return out
		.map((c, i) => ({ c, i }))
		.sort((a, b) => a.c.time - b.c.time || a.i - b.i)
		.map(({ c }) => c)
		.filter(
			(c) =>
				c.time <= w.until &&
				(p.time === null || c.time > p.time || (c.time === p.time && !skip.has(c.id))),
		);
}

/** The changes of one feed from `p`, oldest first, up to the window's end. */
export async function* feed(
	ctx: FeedContext,
	kind: ChangeFeedKind,
	p: Position,
): AsyncGenerator<Change> {
	const o = ctx.object;
	const w = new Window(ctx);
	const updates = () => updatesFrom(ctx, p, w);
	if (kind === 'created') {
		if (!o.createdAtPath)
			throw new CrmError(
				`objects.${ctx.type} has no createdAtPath, so the created feed cannot be read — add createdAtPath (where a record's creation time is)`,
				{ kind: 'validation' },
			);
		yield* timed(ctx, o.list, {}, o.createdAtPath, `objects.${ctx.type}.list`, p, w);
		return;
	}
	if (kind === 'updated') return yield* updates();
	const deletions = await tombstones(ctx, p, w);
	if (kind === 'deleted') return yield* deletions;
	let d = 0;
	for await (const change of updates()) {
		while (d < deletions.length && deletions[d].time < change.time) yield deletions[d++];
		yield change;
	}
	while (d < deletions.length) yield deletions[d++];
}

/** The position after a change. */
export function advance(p: Position, c: Change): Position {
	return c.time === p.time
		? { time: p.time, after: [...p.after, c.id] }
		: { time: c.time, after: [c.id] };
}
