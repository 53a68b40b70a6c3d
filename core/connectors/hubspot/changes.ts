/**
 * HubSpot records changed since a position, for the trigger and the Get Changes operation.
 *
 * The position is a cursor: a timestamp (epoch ms of `lastmodifieddate` / `hs_lastmodifieddate`, or `createdate`)
 * and the ids already handed out at exactly that millisecond. Records are read oldest first through the search API.
 *
 * One clock bounds every window: HubSpot's. Before the first search, one light call (`GET …/objects/{type}?limit=1`)
 * reads HubSpot's time from its `Date` header; the window ends at that time minus a safety lag, and changes at or
 * after the end wait for a later read. The lag covers HubSpot's search index, which lags writes by seconds: a change
 * stamped before the end but not yet searchable would otherwise be passed by the cursor and lost. Because the end is
 * in the past by HubSpot's own clock, no new change can be stamped inside the window any more, so two edits of one
 * record in one millisecond are both done (and indexed) before that millisecond is read. The n8n host's clock is
 * never used.
 *
 * Paging is by position, not by offset: every page is a new search from the cursor (`timestamp ≥ cursor`, ids seen at
 * the cursor skipped), so records that change while a read is under way cannot shift a later page past a record (an
 * offset page would skip one for every record that moved out of the results), and HubSpot's 10,000-result ceiling
 * never applies. More than a page of records at one millisecond are read by `hs_object_id` within that millisecond.
 */
import { CrmError } from '../../http/errors';
import { requireServerDate } from '../../http/serverClock';
import type { HubSpotConnector } from './connector';
import type { HubSpotFilter, HubSpotObject, HubSpotPage } from './types';

/** A position in the stream of changes: records modified at `timestamp` with these ids were already seen. */
export interface ChangeCursor {
	/** Epoch ms of the last change seen. */
	timestamp: number;
	/** Ids of records seen with exactly that timestamp. */
	ids: string[];
}

/** Options of {@link readChanges} (and `HubSpotConnector.changesSince`). */
export interface ChangesOptions {
	/** Where to start: an epoch-ms/ISO time (changes at or after it), or a cursor from a previous read. */
	since: number | string | ChangeCursor;
	/** Only changes up to this time (epoch ms or ISO), inclusive; the safety lag still applies. */
	until?: number | string;
	/** The timestamp property: default `lastmodifieddate` (contacts) / `hs_lastmodifieddate` (others); `createdate` for new records. */
	property?: string;
	properties?: string[];
	/** Results per search (≤200). Default 200. */
	pageSize?: number;
	/** Stop after this many records (the cursor stays exact). */
	limit?: number;
	/** Changes younger than this by HubSpot's clock wait for a later read. Default {@link DEFAULT_SAFETY_LAG_SECONDS}. */
	safetyLagSeconds?: number;
	/**
	 * The window's end (epoch ms, exclusive) when the caller has already read HubSpot's clock for this read (its time
	 * minus the lag): saves the clock call. Default: read HubSpot's time now.
	 */
	windowEnd?: number;
	signal?: AbortSignal;
}

/**
 * Default safety lag: 30 s. HubSpot documents no figure for its search index delay; integrators report "several
 * seconds", up to about 10 s (see sandbox/hubspot/README.md). 30 s is three times that.
 */
export const DEFAULT_SAFETY_LAG_SECONDS = 30;

const PAGE_LIMIT = 200;
const encode = encodeURIComponent;

/** The property holding the last modification time of an object type. */
export function lastModifiedProperty(objectType: string): string {
	return objectType === 'contacts' || objectType === '0-1' || objectType === 'contact'
		? 'lastmodifieddate'
		: 'hs_lastmodifieddate';
}

/** Epoch ms of a time given as epoch ms (number or digits) or ISO 8601. */
export function toEpochMs(value: number | string, what: string): number {
	if (typeof value === 'number' && Number.isFinite(value)) return value;
	const n =
		typeof value === 'string' && /^\d+$/.test(value.trim())
			? Number(value)
			: Date.parse(String(value));
	if (!Number.isFinite(n)) {
		throw new CrmError(
			`HubSpot: ${what} "${String(value)}" is not a date — give an ISO 8601 timestamp or epoch milliseconds`,
			{ kind: 'validation' },
		);
	}
	return n;
}

/** The change time of a record on `property` (epoch ms), NaN when it has none. */
export function changeStamp(record: HubSpotObject, property: string): number {
	const raw =
		record.properties?.[property] ??
		(property.includes('lastmodified') ? record.updatedAt : record.createdAt);
	return raw === undefined || raw === null || raw === ''
		? Number.NaN
		: toEpochMs(raw, `${property} of record ${record.id}`);
}

/** HubSpot's current time (epoch ms, whole seconds) from the `Date` header of one light read of `objectType`. */
export async function hubspotServerNow(
	connector: HubSpotConnector,
	objectType: string,
	signal?: AbortSignal,
): Promise<number> {
	const res = await connector.http.request<HubSpotPage>({
		method: 'GET',
		url: `/crm/v3/objects/${encode(objectType)}`,
		qs: { limit: 1, properties: 'hs_object_id', archived: false },
		responseType: 'json',
		signal,
	});
	return requireServerDate(res.headers, 'HubSpot');
}

/** The lag in ms (a bad value means the default). */
function lagMs(seconds: number | undefined): number {
	const s =
		seconds === undefined || !Number.isFinite(seconds)
			? DEFAULT_SAFETY_LAG_SECONDS
			: Math.max(0, seconds);
	return s * 1000;
}

/** The current end of the change stream by HubSpot's clock (its time minus the lag): a cursor that emits only later changes. */
export async function latestCursor(
	connector: HubSpotConnector,
	objectType: string,
	safetyLagSeconds?: number,
	signal?: AbortSignal,
): Promise<ChangeCursor> {
	return {
		timestamp: (await hubspotServerNow(connector, objectType, signal)) - lagMs(safetyLagSeconds),
		ids: [],
	};
}

/**
 * Records changed at or after the cursor and before HubSpot's time minus the lag, oldest first, streamed page by page;
 * `onCursor` gives the exact position after each page (called just before the page is yielded), so a reader can resume
 * without missing or repeating a change.
 */
export async function* readChanges(
	connector: HubSpotConnector,
	objectType: string,
	options: ChangesOptions,
	onCursor?: (cursor: ChangeCursor) => void,
): AsyncGenerator<HubSpotObject[]> {
	const property = options.property ?? lastModifiedProperty(objectType);
	const properties = options.properties
		? [...new Set([...options.properties, property])]
		: undefined;
	const pageSize = Math.min(PAGE_LIMIT, Math.max(1, options.pageSize ?? PAGE_LIMIT));
	let cursor: ChangeCursor =
		typeof options.since === 'object'
			? { timestamp: options.since.timestamp, ids: [...options.since.ids] }
			: { timestamp: toEpochMs(options.since, 'since'), ids: [] };
	if (!Number.isFinite(cursor.timestamp))
		throw new CrmError(
			`HubSpot: the change cursor's time ${String(cursor.timestamp)} is not a number`,
			{ kind: 'validation' },
		);
	const until = options.until === undefined ? undefined : toEpochMs(options.until, 'until');
	let remaining = options.limit ?? Number.POSITIVE_INFINITY;
	// HubSpot's time, read before any search is sent: the window ends there minus the lag (exclusive).
	let end =
		options.windowEnd ??
		(await hubspotServerNow(connector, objectType, options.signal)) -
			lagMs(options.safetyLagSeconds);
	if (until !== undefined) end = Math.min(end, until + 1);
	const report = () => onCursor?.({ timestamp: cursor.timestamp, ids: [...cursor.ids] });
	let seen = new Set(cursor.ids);
	const take = (records: HubSpotObject[]): HubSpotObject[] => {
		const out: HubSpotObject[] = [];
		for (const record of records) {
			if (remaining <= 0) break;
			const ts = changeStamp(record, property);
			if (!Number.isFinite(ts) || ts < cursor.timestamp || ts >= end) continue;
			if (ts === cursor.timestamp) {
				if (seen.has(record.id)) continue;
				cursor.ids.push(record.id);
			} else {
				cursor = { timestamp: ts, ids: [record.id] };
				seen = new Set();
			}
			seen.add(record.id);
			out.push(record);
			remaining--;
		}
		return out;
	};
	const search = (filters: HubSpotFilter[], sortBy: string) =>
		connector.search(
			objectType,
			{
				filterGroups: [{ filters }],
				sorts: [{ propertyName: sortBy, direction: 'ASCENDING' }],
				properties,
				limit: pageSize,
			},
			options.signal,
		);

	for (let round = 0; round < 1_000_000 && remaining > 0 && cursor.timestamp < end; round++) {
		const page = await search(
			[
				{ propertyName: property, operator: 'GTE', value: String(cursor.timestamp) },
				{ propertyName: property, operator: 'LT', value: String(end) },
			],
			property,
		);
		const results = page.results ?? [];
		const fresh = take(results);
		// The position once this page is handled, reported before the page is handed out (a reader that stops after
		// it, or stores the position per page, resumes exactly after it).
		report();
		if (fresh.length) yield fresh;
		if (results.length < pageSize || remaining <= 0) return;
		if (fresh.length > 0) continue;
		// Past the window's end already (a server ignoring the LT filter would otherwise keep this loop going).
		if (results.some((r) => !(changeStamp(r, property) < end))) return;
		// A full page of records already seen, all at the cursor's millisecond: read that millisecond by record id.
		const stamp = cursor.timestamp;
		let afterId: string | undefined;
		for (let idRound = 0; idRound < 1_000_000; idRound++) {
			const filters: HubSpotFilter[] = [
				{ propertyName: property, operator: 'EQ', value: String(stamp) },
			];
			if (afterId !== undefined)
				filters.push({ propertyName: 'hs_object_id', operator: 'GT', value: afterId });
			const byId = (await search(filters, 'hs_object_id')).results ?? [];
			const more = take(byId);
			report();
			if (more.length) yield more;
			if (remaining <= 0) return;
			if (byId.length < pageSize) break;
			const last = byId[byId.length - 1].id;
			if (last === afterId)
				throw new CrmError(
					`HubSpot search on ${objectType}: no progress past hs_object_id ${last}; stopped to avoid an endless loop`,
					{ kind: 'fatal' },
				);
			afterId = last;
		}
		// Every record of that millisecond is read, and no new one can get it (it is before the window's end).
		cursor = { timestamp: stamp + 1, ids: [] };
		seen = new Set();
		report();
	}
}
