/**
 * A HubSpot backfill (a change feed read from null: every record) through the list API (`GET …/objects/{type}?
 * limit=100&after=`) instead of the search API. A backfill needs no modification order, and the list API pages by
 * its `after` cursor under the general 10-second budget, where search is held to about 5 requests a second per
 * account and 10,000 results per query.
 *
 * The backfill hands out the records modified before its end (HubSpot's clock minus the safety lag, read before the
 * first page): a record modified at or after it is left to the search feed that takes over from the end, so every
 * change is handed out once the backfill is done (a record changed while it is read may come twice: in the list,
 * then from the search). Its position is the `after` cursor of the page being read and the ids of that page already
 * handed out, so a reader that stops after any record resumes after it: the page is read again and those ids
 * skipped (records are listed by id: a page read again holds the same records, less the deleted ones, plus later
 * ones when some were deleted).
 */
import { CrmError } from '../../http/errors';
import { changeStamp } from './changes';
import type { HubSpotConnector } from './connector';
import type { ListPosition } from './feed';
import { HUBSPOT_LIST_PAGE_LIMIT, readListPage } from './records';
import type { HubSpotObject } from './types';

/** What a backfill reads. */
export interface BackfillRead {
	/** Records modified at or after this time (epoch ms) are left to the search feed. */
	end: number;
	/** The modification time property (`lastmodifieddate` / `hs_lastmodifieddate`). */
	property: string;
	/** Properties to read (the time property is added); undefined: HubSpot's default set. */
	properties?: string[];
	/** Records per request (≤100). */
	pageSize?: number;
	/** Hand out at most this many records. */
	limit: number;
	signal?: AbortSignal;
}

/** One page of a backfill. */
export interface BackfillPage {
	records: HubSpotObject[];
	/** The list position after each record (the last one is `position`). */
	positions: Array<ListPosition | undefined>;
	/** The list position after the page; undefined once the list is read to its end. */
	position: ListPosition | undefined;
}

/**
 * The pages of a backfill from a list position (`{after: '', ids: []}` for the start), one per request, with the
 * records modified before `read.end` not handed out yet; ends after the last page or once `read.limit` records are
 * handed out (the position then stays on the page).
 */
export async function* backfillPages(
	hubspot: HubSpotConnector,
	objectType: string,
	from: ListPosition,
	read: BackfillRead,
): AsyncGenerator<BackfillPage> {
	const properties = read.properties
		? [...new Set([...read.properties, read.property])]
		: undefined;
	const limit = Math.min(HUBSPOT_LIST_PAGE_LIMIT, Math.max(1, read.pageSize ?? Infinity));
	let remaining = read.limit;
	let position: ListPosition | undefined = { after: from.after, ids: [...from.ids] };
	const cursors = new Set<string>();
	while (position && remaining > 0) {
		const after: string = position.after;
		if (after !== '' && cursors.has(after))
			throw new CrmError(
				`HubSpot returned the paging cursor "${after}" twice while listing ${objectType}: stopped to avoid an endless loop`,
				{ kind: 'fatal' },
			);
		cursors.add(after);
		const page = await readListPage(hubspot, objectType, {
			after,
			limit,
			properties,
			signal: read.signal,
		});
		const seen = new Set(position.ids);
		const handed: string[] = [...position.ids];
		const records: HubSpotObject[] = [];
		const positions: ListPosition[] = [];
		let cut = false;
		for (const record of page.results) {
			const id = String(record.id);
			if (seen.has(id) || !(changeStamp(record, read.property) < read.end)) continue;
			if (remaining <= 0) {
				cut = true;
				break;
			}
			handed.push(id);
			records.push(record);
			positions.push({ after, ids: [...handed] });
			remaining--;
		}
		position = cut
			? { after, ids: handed }
			: page.next === undefined
				? undefined
				: { after: page.next, ids: [] };
		const out: Array<ListPosition | undefined> = positions;
		if (out.length) out[out.length - 1] = position;
		yield { records, positions: out, position };
	}
}
