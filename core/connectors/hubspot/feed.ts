/**
 * The positions of HubSpot's change feeds as the plain-JSON watermarks of the connector contract: `all` / `updated`
 * keep the search cursor of modifications and the cursor of deletions (`archivedAt`), `created` the cursor on
 * `createdate`, `deleted` the deletions' cursor. A cursor is a time (epoch ms) and the ids handed out at exactly it.
 * A backfill of `all` / `updated` (from null, read through the list API: `backfill.ts`) adds its list position
 * (`listAfter`, the `after` cursor of the page being read, '' for the first, and `listIds`, the ids of that page
 * already handed out); its modification cursor is then the backfill's end, where the search feed takes over.
 */
import { CrmError } from '../../http/errors';
import type { ChangeFeedKind, Watermark } from '../contract';
import type { ChangeCursor } from './changes';

/** The two positions of a HubSpot change feed. */
export interface FeedPosition {
	/** Last modification seen (search on `lastmodifieddate` / `hs_lastmodifieddate`). */
	modified: ChangeCursor;
	/** Last deletion seen (`archivedAt` of archived records). */
	archived: ChangeCursor;
	/**
	 * A backfill through the list API under way: every record modified before `modified.timestamp` not handed out yet
	 * is at or after this list position.
	 */
	list?: ListPosition;
}

/** A position in the list API (`GET …/objects/{type}?after=`): the page's cursor and the ids of it handed out. */
export interface ListPosition {
	/** The `after` cursor of the page ('' for the first page). */
	after: string;
	/** Ids of that page already handed out. */
	ids: string[];
}

/** A feed position as the plain-JSON watermark callers store. */
export function hubspotWatermark(position: FeedPosition): Watermark {
	return {
		modifiedAt: position.modified.timestamp,
		modifiedIds: [...position.modified.ids],
		archivedAt: position.archived.timestamp,
		archivedIds: [...position.archived.ids],
		...(position.list
			? { listAfter: position.list.after, listIds: [...position.list.ids] }
			: undefined),
	};
}

/** Reads a watermark from {@link hubspotWatermark} (null: from the beginning). */
export function parseHubSpotWatermark(watermark: Watermark | null | undefined): FeedPosition {
	if (watermark === null || watermark === undefined)
		return { modified: { timestamp: 0, ids: [] }, archived: { timestamp: 0, ids: [] } };
	const w = watermark as Record<string, unknown>;
	const ids = (v: unknown) =>
		Array.isArray(v) && v.every((x) => typeof x === 'string') ? (v as string[]) : undefined;
	const ok =
		typeof w.modifiedAt === 'number' &&
		Number.isFinite(w.modifiedAt) &&
		typeof w.archivedAt === 'number' &&
		Number.isFinite(w.archivedAt) &&
		ids(w.modifiedIds) &&
		ids(w.archivedIds);
	const listing = w.listAfter !== undefined || w.listIds !== undefined;
	if (!ok || (listing && !(typeof w.listAfter === 'string' && ids(w.listIds)))) {
		throw new CrmError(
			`HubSpot: ${JSON.stringify(watermark).slice(0, 200)} is not a HubSpot change watermark ({modifiedAt, modifiedIds, archivedAt, archivedIds}, and {listAfter, listIds} in a backfill) — pass the watermark of a change page as it was, or null to read from the beginning`,
			{ kind: 'validation' },
		);
	}
	return {
		modified: { timestamp: w.modifiedAt as number, ids: [...(w.modifiedIds as string[])] },
		archived: { timestamp: w.archivedAt as number, ids: [...(w.archivedIds as string[])] },
		...(listing
			? { list: { after: w.listAfter as string, ids: [...(w.listIds as string[])] } }
			: undefined),
	};
}

/** Reads the watermark of a feed: `all` and `updated` as {@link parseHubSpotWatermark}; `created` `{createdAt, createdIds}`; `deleted` `{archivedAt, archivedIds}`. */
export function parseFeedWatermark(
	kind: ChangeFeedKind,
	watermark: Watermark | null | undefined,
): FeedPosition {
	if (kind === 'all' || kind === 'updated') return parseHubSpotWatermark(watermark);
	if (kind !== 'created' && kind !== 'deleted')
		throw new CrmError(
			`HubSpot: unknown change feed "${String(kind)}" — use all, updated, created or deleted`,
			{ kind: 'validation' },
		);
	const [at, ids] =
		kind === 'created' ? ['createdAt', 'createdIds'] : ['archivedAt', 'archivedIds'];
	const start = { timestamp: 0, ids: [] as string[] };
	if (watermark === null || watermark === undefined) return { modified: start, archived: start };
	const w = watermark as Record<string, unknown>;
	const list = w[ids];
	if (
		typeof w[at] !== 'number' ||
		!Number.isFinite(w[at]) ||
		!Array.isArray(list) ||
		!list.every((x) => typeof x === 'string')
	)
		throw new CrmError(
			`HubSpot: ${JSON.stringify(watermark).slice(0, 200)} is not a watermark of the ${kind} feed ({${at}, ${ids}}) — pass the watermark of a page of that feed as it was, or null to read from the beginning`,
			{ kind: 'validation' },
		);
	const cursor = { timestamp: w[at] as number, ids: [...(list as string[])] };
	return { modified: cursor, archived: cursor };
}

/** The watermark of a feed at a position. */
export function feedWatermark(kind: ChangeFeedKind, position: FeedPosition): Watermark {
	if (kind === 'created')
		return { createdAt: position.modified.timestamp, createdIds: [...position.modified.ids] };
	if (kind === 'deleted')
		return { archivedAt: position.archived.timestamp, archivedIds: [...position.archived.ids] };
	return hubspotWatermark(position);
}

/** Moves a cursor over one record changed at `ts` (records come oldest first). */
export function advanceCursor(cursor: ChangeCursor, ts: number, id: string): ChangeCursor {
	return ts === cursor.timestamp
		? { timestamp: ts, ids: [...cursor.ids, id] }
		: { timestamp: ts, ids: [id] };
}
