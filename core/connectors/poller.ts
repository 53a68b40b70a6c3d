/**
 * The change poller every polling trigger runs, over any {@link CrmConnector}'s `changesSince`: given the stored
 * watermark (plain JSON the caller keeps between polls), it returns the records to emit and the watermark to store.
 *
 * - The watermark only moves past what this poll hands out (and past changes of another kind the event skips): a
 *   caller that stores it after emitting misses nothing and emits nothing twice. The connector's watermarks resume
 *   exactly across pages, restarts and changes in one millisecond, and never pass the CRM's own "now" minus its lag.
 * - Events: `created` reads the connector's creations feed (ordered by creation time: the only exact way to tell a
 *   record's first appearance from an update), `updated` the feed of creates and updates (no deletions), `deleted` the
 *   deletions feed. A watermark belongs to its event's feed: the caller starts over when the event changes.
 * - No watermark yet: `start` says where to begin — `'now'` (the CRM's time minus its lag: nothing is emitted, the
 *   starting watermark is returned) or a time (changes at or after it are read at once).
 */
import type { CrmRecord } from '../records/types';
import type { ChangeFeedKind, CrmConnector, Watermark } from './contract';
import { resolveSince, type Since } from './watermark';

/** Which changes a trigger emits. */
export type PollEvent = 'created' | 'updated' | 'deleted';

/** Options of {@link pollChanges}. */
export interface PollOptions {
	objectType: string;
	event: PollEvent;
	/** The watermark the previous poll returned (null / undefined: none yet). */
	watermark: Watermark | null | undefined;
	/** Where to start without a watermark: the CRM's now (default) or a time (epoch ms or Date). */
	start?: 'now' | number | Date;
	/** Fields to read (default: the connector's default set). */
	fields?: string[];
	/** Most records read per poll (the rest wait for the next poll; nothing is skipped). */
	maxRecords?: number;
	signal?: AbortSignal;
}

/** What a poll found. */
export interface PollResult {
	/** The records to emit, oldest first. */
	records: CrmRecord[];
	/** The watermark to store once they are emitted (the same as given when nothing was read). */
	watermark: Watermark;
	/** True when this poll only took the starting position (no watermark was given, start `now`). */
	started: boolean;
}

/** The connector feed each event reads, and which of its records the event emits. */
const FEEDS: Record<PollEvent, { kind: ChangeFeedKind; emits: (r: CrmRecord) => boolean }> = {
	created: { kind: 'created', emits: (r) => r.deleted !== true },
	updated: { kind: 'updated', emits: (r) => r.deleted !== true },
	deleted: { kind: 'deleted', emits: (r) => r.deleted === true },
};

/** One poll: the records to emit after `watermark` (at most `maxRecords`) and the watermark to store after them. */
export async function pollChanges(
	connector: CrmConnector,
	options: PollOptions,
): Promise<PollResult> {
	const feed = FEEDS[options.event];
	if (!feed)
		throw new Error(
			`Unknown trigger event "${String(options.event)}": use created, updated or deleted`,
		);
	const max = options.maxRecords ?? Number.POSITIVE_INFINITY;
	if (!(max >= 1)) throw new Error(`The most records per poll must be at least 1, got ${max}`);
	let watermark = options.watermark ?? undefined;
	if (watermark === undefined) {
		const start = options.start ?? 'now';
		watermark = await connector.startWatermark(options.objectType, start, {
			kind: feed.kind,
			signal: options.signal,
		});
		if (start === 'now') return { records: [], watermark, started: true };
	}
	const records: CrmRecord[] = [];
	let read = 0;
	for await (const page of connector.changesSince(options.objectType, watermark, {
		kind: feed.kind,
		fields: options.fields,
		limit: Number.isFinite(max) ? max : undefined,
		signal: options.signal,
	})) {
		read += page.records.length;
		// A connector handing out more than the limit would make the stored watermark pass records never emitted.
		if (read > max)
			throw new Error(
				`${connector.system}: the change feed handed out ${read} records, more than the limit of ${max}`,
			);
		for (const record of page.records) if (feed.emits(record)) records.push(record);
		watermark = page.watermark;
		if (read >= max) break;
	}
	return { records, watermark, started: false };
}

/** Options of {@link sampleChanges}. */
export interface SampleOptions {
	objectType: string;
	event: PollEvent;
	fields?: string[];
	/** How many records at most (default 1). */
	count?: number;
	signal?: AbortSignal;
}

/**
 * The latest records of an event's feed, oldest first — what a trigger's "Fetch Test Event" shows: no watermark is
 * read or moved. Empty when there is none, or when the connector cannot sample (no `recentChanges`).
 */
export async function sampleChanges(
	connector: CrmConnector,
	options: SampleOptions,
): Promise<CrmRecord[]> {
	const feed = FEEDS[options.event];
	if (!feed)
		throw new Error(
			`Unknown trigger event "${String(options.event)}": use created, updated or deleted`,
		);
	if (!connector.recentChanges) return [];
	const records = await connector.recentChanges(options.objectType, {
		kind: feed.kind,
		fields: options.fields?.length ? options.fields : undefined,
		limit: options.count ?? 1,
		signal: options.signal,
	});
	return records.filter(feed.emits);
}

/** Options of {@link changesAfter}. */
export interface ChangesAfterOptions {
	objectType: string;
	/** Where to start: a watermark handed out earlier, or a time (`parseSince` of core/connectors/watermark.ts). */
	since: Since;
	/** The feed (see `ChangesOptions.kind`); a stored watermark must belong to it. */
	kind: ChangeFeedKind;
	fields?: string[];
	/** Read no change after this time (epoch ms or Date). */
	until?: number | Date;
	/** Most records in all (the rest is the next read's, from the last record's watermark). */
	limit?: number;
	signal?: AbortSignal;
}

/** One change and the watermark to store once it has been handled. */
export interface ChangeItem {
	record: CrmRecord;
	/** The position after this record: a read from it returns exactly the changes after it. */
	watermark: Watermark;
}

/**
 * The changes after `since` (the Get Changes operations), oldest first, each with the watermark after it, so that a
 * caller that stops after any record resumes from its watermark missing and repeating nothing. A connector that gives
 * no per-record watermarks: the page's watermark goes with its last record, the earlier ones get the watermark before
 * the page (resuming from them repeats the rest of the page, never misses a change).
 */
export async function* changesAfter(
	connector: CrmConnector,
	options: ChangesAfterOptions,
): AsyncGenerator<ChangeItem> {
	let before = await resolveSince(connector, options.objectType, options.since, {
		kind: options.kind,
		signal: options.signal,
	});
	const limit = options.limit ?? Number.POSITIVE_INFINITY;
	let read = 0;
	for await (const page of connector.changesSince(options.objectType, before, {
		kind: options.kind,
		fields: options.fields,
		until: options.until,
		limit: Number.isFinite(limit) ? limit : undefined,
		signal: options.signal,
	})) {
		read += page.records.length;
		if (read > limit)
			throw new Error(
				`${connector.system}: the change feed handed out ${read} records, more than the limit of ${limit}`,
			);
		const after = page.recordWatermarks;
		const exact = after !== undefined && after.length === page.records.length;
		const last = page.records.length - 1;
		for (let i = 0; i <= last; i++) {
			const watermark = exact ? after[i] : i === last ? page.watermark : before;
			yield { record: page.records[i], watermark };
		}
		before = page.watermark;
		if (read >= limit) return;
	}
}
