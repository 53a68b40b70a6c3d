/**
 * `HubSpotCrm`'s change feed: creates and updates through `changes.ts` (by position on HubSpot's clock, minus the
 * safety lag; a backfill of them, `all` / `updated` from null, through the list API: `backfill.ts`), and deletions
 * from the archived records (`GET …/objects/{type}?archived=true`, each with `archivedAt`), the positions in one
 * plain-JSON watermark (`feed.ts`).
 */
import { CrmError } from '../../http/errors';
import type { CrmRecord } from '../../records/types';
import type {
	ChangePage,
	ChangesOptions,
	RecentChangesOptions,
	StartWatermarkOptions,
	Watermark,
} from '../contract';
import { backfillPages } from './backfill';
import {
	type ChangeCursor,
	changeStamp,
	hubspotServerNow,
	lastModifiedProperty,
	latestCursor,
	readChanges,
	toEpochMs,
} from './changes';
import { HUBSPOT_SEARCH_PAGE_LIMIT, type HubSpotConnector } from './connector';
import { hubspotRecord, isoTime } from './crmSchema';
import { advanceCursor, feedWatermark, parseFeedWatermark } from './feed';
import type { HubSpotObject } from './types';

/** Deletions per change page. */
const DELETION_PAGE = 100;

/** The feed settings of a `HubSpotCrm` (its options, defaults applied). */
export interface FeedSettings {
	/** Changes younger than this by HubSpot's clock wait for a later read. */
	lagSeconds: number;
	/** Whether `changesSince` (kind `all`) and `recentChanges` report deletions. */
	deletions: boolean;
	/** Search results per change page (≤200; a backfill's list pages ≤100); the readers' default when undefined. */
	pageSize?: number;
}

/**
 * `HubSpotCrm.changesSince`: deletions first (records archived after the watermark), then creates and updates; both
 * end at one point in time: HubSpot's clock minus the safety lag (or `until`), read once before anything else.
 */
export async function* hubspotChangesSince(
	hubspot: HubSpotConnector,
	settings: FeedSettings,
	objectType: string,
	watermark: Watermark | null,
	options: ChangesOptions = {},
): AsyncGenerator<ChangePage> {
	const kind = options.kind ?? 'all';
	const position = parseFeedWatermark(kind, watermark);
	let remaining = options.limit ?? Number.POSITIVE_INFINITY;
	if (!(remaining >= 1))
		throw new CrmError(`HubSpot: the change limit must be at least 1, got ${options.limit}`, {
			kind: 'validation',
		});
	let end =
		(await hubspotServerNow(hubspot, objectType, options.signal)) -
		Math.max(0, settings.lagSeconds) * 1000;
	if (options.until !== undefined)
		end = Math.min(
			end,
			(options.until instanceof Date
				? options.until.getTime()
				: toEpochMs(options.until, 'until')) + 1,
		);
	// A backfill (from null) of creates and updates reads the list API up to this end (`backfill.ts`).
	if (watermark === null && (kind === 'all' || kind === 'updated'))
		Object.assign(position, {
			modified: { timestamp: end, ids: [] },
			list: { after: '', ids: [] },
		});
	// Resumed, it ends where it was to end, or earlier (the search feed then takes over from there).
	if (position.list) position.modified.timestamp = Math.min(position.modified.timestamp, end);
	const mark = () => feedWatermark(kind, position);
	// Whether a position inside the list came in or was handed out: the list's end is then handed out too.
	let inList = watermark !== null && position.list !== undefined;
	if ((kind === 'all' && settings.deletions) || kind === 'deleted') {
		for await (const page of deletionPages(
			hubspot,
			objectType,
			position.archived,
			end,
			remaining,
			options,
		)) {
			position.archived = page.cursor;
			remaining -= page.records.length;
			inList ||= position.list !== undefined;
			yield {
				records: page.records,
				watermark: mark(),
				recordWatermarks: page.cursors.map((archived) =>
					feedWatermark(kind, { ...position, archived }),
				),
			};
		}
	}
	if (kind === 'deleted' || remaining <= 0) return;
	if (position.list) {
		const property = lastModifiedProperty(objectType);
		for await (const page of backfillPages(hubspot, objectType, position.list, {
			end: position.modified.timestamp,
			property,
			properties: options.fields,
			pageSize: settings.pageSize,
			limit: remaining,
			signal: options.signal,
		})) {
			position.list = page.position;
			remaining -= page.records.length;
			if (page.records.length === 0 && !(inList && page.position === undefined)) continue;
			inList = page.position !== undefined;
			yield {
				records: page.records.map((o) => hubspotRecord(objectType, o)),
				watermark: mark(),
				recordWatermarks: page.positions.map((list) => feedWatermark(kind, { ...position, list })),
			};
		}
		if (position.list || remaining <= 0) return;
	}
	if (position.modified.timestamp >= end) return;
	let cursor = position.modified;
	const pages = readChanges(
		hubspot,
		objectType,
		{
			since: position.modified,
			until: end - 1,
			property: kind === 'created' ? 'createdate' : undefined,
			properties: options.fields,
			pageSize: settings.pageSize,
			limit: Number.isFinite(remaining) ? remaining : undefined,
			safetyLagSeconds: settings.lagSeconds,
			// HubSpot's clock was read above, once for the deletions and the changes alike.
			windowEnd: end,
			signal: options.signal,
		},
		(c) => (cursor = c),
	);
	const property = kind === 'created' ? 'createdate' : lastModifiedProperty(objectType);
	for await (const page of pages) {
		// The position after each record, as the reader moves it (the last one is the reader's own).
		let after = position.modified;
		const recordWatermarks = page.map((o, i) => {
			after = i === page.length - 1 ? cursor : advanceCursor(after, changeStamp(o, property), o.id);
			return feedWatermark(kind, { modified: after, archived: position.archived });
		});
		position.modified = cursor;
		yield {
			records: page.map((o) => hubspotRecord(objectType, o)),
			watermark: mark(),
			recordWatermarks,
		};
	}
}

/**
 * `HubSpotCrm.startWatermark`: HubSpot's time minus the safety lag (by its clock, never the caller's), or the given
 * time; `after` (ids at exactly that time already handed out) are the ids seen at the position of the feed's changes
 * (its deletions for `deleted`).
 */
export async function hubspotStartWatermark(
	hubspot: HubSpotConnector,
	settings: FeedSettings,
	objectType: string,
	at: 'now' | number | Date,
	options: StartWatermarkOptions = {},
): Promise<Watermark> {
	const timestamp =
		at === 'now'
			? (await latestCursor(hubspot, objectType, settings.lagSeconds, options.signal)).timestamp
			: at instanceof Date
				? at.getTime()
				: toEpochMs(at, 'start');
	if (!Number.isFinite(timestamp))
		throw new CrmError(`HubSpot: ${String(at)} is not a time`, { kind: 'validation' });
	const kind = options.kind ?? 'all';
	parseFeedWatermark(kind, null); // checks the kind
	const after = at === 'now' ? [] : (options.after ?? []).map(String).filter((id) => id !== '');
	return feedWatermark(kind, {
		modified: { timestamp, ids: kind === 'deleted' ? [] : after },
		archived: { timestamp, ids: kind === 'deleted' ? after : [] },
	});
}

/**
 * `HubSpotCrm.recentChanges`: one search by the feed's time descending (at most 200), and for deletions the archived
 * list (read whole: HubSpot lists it by id only).
 */
export async function hubspotRecentChanges(
	hubspot: HubSpotConnector,
	settings: FeedSettings,
	objectType: string,
	options: RecentChangesOptions = {},
): Promise<CrmRecord[]> {
	const kind = options.kind ?? 'all';
	parseFeedWatermark(kind, null); // checks the kind
	const limit = options.limit ?? 1;
	if (!Number.isInteger(limit) || limit < 1 || limit > HUBSPOT_SEARCH_PAGE_LIMIT)
		throw new CrmError(
			`HubSpot: recent changes are read 1 to ${HUBSPOT_SEARCH_PAGE_LIMIT} at a time, got ${String(options.limit)}`,
			{ kind: 'validation' },
		);
	let changes: CrmRecord[] = [];
	if (kind !== 'deleted') {
		const property = kind === 'created' ? 'createdate' : lastModifiedProperty(objectType);
		const page = await hubspot.search(
			objectType,
			{
				sorts: [{ propertyName: property, direction: 'DESCENDING' }],
				properties: options.fields?.length
					? [...new Set([...options.fields, property])]
					: undefined,
				limit,
			},
			options.signal,
		);
		changes = (page.results ?? []).map((o) => hubspotRecord(objectType, o)).reverse();
	}
	if ((kind === 'all' && settings.deletions) || kind === 'deleted') {
		const from = { timestamp: 0, ids: [] };
		const read = { fields: options.fields, signal: options.signal };
		const end = Number.POSITIVE_INFINITY;
		for await (const page of deletionPages(hubspot, objectType, from, end, end, read))
			changes.push(...page.records);
		// Both lists are oldest first by `updatedAt` (the deletion time of a deletion): merge them.
		const at = (r: CrmRecord) => Date.parse(String(r.updatedAt)) || 0;
		changes.sort((a, b) => at(a) - at(b));
	}
	return changes.slice(-limit);
}

/**
 * Records archived at or after the cursor and before `end`, oldest first. HubSpot lists archived records by id with
 * no time filter, so the whole list is read and the new deletions picked from it by `archivedAt`.
 * (HubSpot's changelog once noted that contacts' `archivedAt` held the last-modified time instead of the deletion
 * time; a deletion stamped that way before the watermark would not be seen.)
 */
async function* deletionPages(
	hubspot: HubSpotConnector,
	objectType: string,
	from: ChangeCursor,
	end: number,
	limit: number,
	options: ChangesOptions,
): AsyncGenerator<{ records: CrmRecord[]; cursor: ChangeCursor; cursors: ChangeCursor[] }> {
	const seen = new Set(from.ids);
	const found: Array<{ ts: number; record: HubSpotObject }> = [];
	for await (const page of hubspot.listRecords(objectType, {
		archived: true,
		properties: options.fields,
		signal: options.signal,
	})) {
		for (const record of page) {
			const iso = isoTime(record.archivedAt);
			const ts = iso === undefined ? Number.NaN : Date.parse(iso);
			if (
				!Number.isFinite(ts) ||
				ts < from.timestamp ||
				ts >= end ||
				(ts === from.timestamp && seen.has(String(record.id)))
			)
				continue;
			found.push({ ts, record });
		}
	}
	found.sort(
		(a, b) =>
			a.ts - b.ts ||
			Number(a.record.id) - Number(b.record.id) ||
			String(a.record.id).localeCompare(String(b.record.id)),
	);
	let cursor: ChangeCursor = { timestamp: from.timestamp, ids: [...from.ids] };
	if (found.length > limit) found.length = limit;
	for (let i = 0; i < found.length; i += DELETION_PAGE) {
		const chunk = found.slice(i, i + DELETION_PAGE);
		const cursors = chunk.map(
			({ ts, record }) => (cursor = advanceCursor(cursor, ts, String(record.id))),
		);
		yield {
			records: chunk.map(({ record }) => hubspotRecord(objectType, record, true)),
			cursor,
			cursors,
		};
	}
}
