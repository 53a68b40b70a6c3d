/**
 * `SalesforceCrm`'s change feed: creates, updates and deletions after a plain-JSON watermark `{ ts, id }` (read by
 * `changes.ts`), the watermark to start from, and the latest changes of a feed.
 */
import { soql } from '../../query/soql';
import type { CrmRecord } from '../../records/types';
import type {
	ChangeFeedKind,
	ChangePage,
	ChangesOptions,
	RecentChangesOptions,
	StartWatermarkOptions,
	Watermark,
} from '../contract';
import {
	type ChangeEvent,
	type ChangeWatermark,
	latestWatermark,
	openSecond,
	readChanges,
	timestampMs,
	watermarkField,
} from './changes';
import type { SalesforceConnector } from './connector';
import { apiName, validation } from './crmInput';
import { idProblem } from './records';
import { ID_FIELD, toSalesforceCrmRecord } from './schema';

/** The feed settings of a `SalesforceCrm` (its options, defaults applied). */
export interface FeedSettings {
	/** Changes per page of `changesSince`. */
	changesPageSize: number;
	/** Seconds of changes held back besides Salesforce's current second. */
	safetyLagSeconds: number;
}

/** The start of every change feed: before any record. */
const BEGINNING: ChangeWatermark = { ts: '1970-01-01T00:00:00.000Z', id: '' };

/** The reader's event of a feed: changes by SystemModstamp (with deletions through queryAll for `all`), creations by CreatedDate. */
function feedEvent(kind: ChangeFeedKind): ChangeEvent {
	if (kind === 'created' || kind === 'deleted') return kind;
	if (kind === 'all' || kind === 'updated') return 'updated';
	throw validation(
		`Unknown change feed "${String(kind)}"`,
		'Use all, updated, created or deleted.',
	);
}

/** A watermark handed back by the caller, checked. */
function parseWatermark(watermark: Watermark | null): ChangeWatermark {
	if (watermark === null) return BEGINNING;
	const { ts, id } = watermark as { ts?: unknown; id?: unknown };
	if (
		typeof ts !== 'string' ||
		Number.isNaN(timestampMs(ts)) ||
		typeof id !== 'string' ||
		(id !== '' && idProblem(id) !== undefined)
	) {
		throw validation(
			`The watermark ${JSON.stringify(watermark)} is not a Salesforce change-feed position ({ ts, id })`,
			'Store the watermark of a page as it was handed out, or start again from null.',
		);
	}
	return { ts, id };
}

/**
 * `SalesforceCrm.changesSince`: creates, updates and deletions after `watermark`, oldest first, in pages. One
 * `queryAll` over SystemModstamp (a deletion moves it too), ordered by (SystemModstamp, Id): the watermark is the last
 * record handed out, so a page boundary inside one second resumes exactly. The window ends at Salesforce's own time,
 * read once before the first query, minus the safety lag (and before `until`): later changes are the next call's.
 */
export async function* salesforceChangesSince(
	salesforce: SalesforceConnector,
	settings: FeedSettings,
	objectType: string,
	watermark: Watermark | null,
	options: ChangesOptions = {},
): AsyncGenerator<ChangePage> {
	const object = apiName(objectType, 'Object');
	const kind = options.kind ?? 'all';
	const event = feedEvent(kind);
	let since = parseWatermark(watermark);
	const requested = options.fields?.length
		? options.fields.map((f) => apiName(f, 'Field'))
		: undefined;
	let windowEnd = openSecond(await salesforce.serverNow(options.signal), settings.safetyLagSeconds);
	if (options.until !== undefined) {
		const until = options.until instanceof Date ? options.until.getTime() : options.until;
		if (!Number.isFinite(until)) throw validation(`until ${String(options.until)} is not a time`);
		windowEnd = Math.min(windowEnd, Math.floor(until / 1000) * 1000);
	}
	const pageSize = settings.changesPageSize;
	let remaining = options.limit ?? Number.POSITIVE_INFINITY;
	if (!(remaining >= 1)) throw validation(`limit must be at least 1, got ${options.limit}`);
	while (remaining > 0) {
		const limit = Math.min(pageSize, remaining);
		const result = await readChanges(salesforce, {
			object,
			event,
			includeDeleted: kind === 'all',
			fields: requested,
			since,
			limit,
			windowEnd,
			signal: options.signal,
		});
		if (result.records.length === 0) return;
		const records = result.records.map((r) => {
			const record = toSalesforceCrmRecord(
				object,
				r,
				requested && [...requested, watermarkField(event)],
			);
			if (kind === 'deleted') record.deleted = true;
			return record;
		});
		since = result.watermark;
		remaining -= records.length;
		const field = watermarkField(event);
		yield {
			records,
			watermark: { ts: since.ts, id: since.id },
			// The reader's order is (timestamp, Id): the position after a record is the record's own.
			recordWatermarks: result.records.map((r) => ({ ts: String(r[field]), id: String(r.Id) })),
		};
		if (result.records.length < limit) return;
	}
}

/**
 * `SalesforceCrm.startWatermark`: Salesforce's time minus the safety lag (checking the object can be read), or the
 * given time; `after` (ids at exactly that time already handed out) resumes after the greatest of them, as the feed
 * orders ids.
 */
export async function salesforceStartWatermark(
	salesforce: SalesforceConnector,
	settings: FeedSettings,
	objectType: string,
	at: 'now' | number | Date,
	options: StartWatermarkOptions = {},
): Promise<Watermark> {
	const object = apiName(objectType, 'Object');
	if (at === 'now') {
		const mark = await latestWatermark(
			salesforce,
			object,
			feedEvent(options.kind ?? 'all'),
			settings.safetyLagSeconds,
		);
		return { ts: mark.ts, id: mark.id };
	}
	const ms = at instanceof Date ? at.getTime() : at;
	if (!Number.isFinite(ms)) throw validation(`${String(at)} is not a time`);
	const after = (options.after ?? []).filter((id) => id !== '');
	for (const id of after) {
		const problem = idProblem(id);
		if (problem) throw validation(problem);
	}
	const last = after.reduce((max, id) => (id > max ? id : max), '');
	return { ts: new Date(ms).toISOString(), id: last };
}

/** `SalesforceCrm.recentChanges`: one SOQL query by the feed's time descending (`queryAll` where it has deletions). */
export async function salesforceRecentChanges(
	salesforce: SalesforceConnector,
	objectType: string,
	options: RecentChangesOptions = {},
): Promise<CrmRecord[]> {
	const object = apiName(objectType, 'Object');
	const kind = options.kind ?? 'all';
	const field = watermarkField(feedEvent(kind));
	const limit = options.limit ?? 1;
	if (!Number.isInteger(limit) || limit < 1)
		throw validation(`limit must be a whole number of at least 1, got ${String(options.limit)}`);
	const requested = options.fields?.length
		? options.fields.map((f) => apiName(f, 'Field'))
		: undefined;
	const fields = requested
		? [...new Set([ID_FIELD, field, ...requested, ...(kind === 'all' ? ['IsDeleted'] : [])])]
		: await salesforce.selectableFields(object);
	const where = kind === 'deleted' ? soql`IsDeleted = true` : undefined;
	const q = `${salesforce.selectQuery(object, fields, where, `${field} DESC, Id DESC`)} LIMIT ${limit}`;
	const records: CrmRecord[] = [];
	for await (const r of salesforce.queryRecords(q, {
		includeDeleted: kind === 'all' || kind === 'deleted',
		limit,
		signal: options.signal,
	})) {
		const record = toSalesforceCrmRecord(object, r, requested && [...requested, field]);
		if (kind === 'deleted') record.deleted = true;
		records.push(record);
	}
	return records.reverse();
}
