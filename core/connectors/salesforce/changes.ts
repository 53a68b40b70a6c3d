/**
 * Changes since a watermark, for syncs and the polling trigger. The watermark is the (timestamp, Id) of the
 * last record handed out, on `SystemModstamp` (or `CreatedDate` for new records); records are read in
 * (timestamp, Id) order and only those strictly after the watermark are returned.
 *
 * One clock bounds every window: Salesforce's. Before the query is sent, one light call reads Salesforce's time
 * (the `Date` header of the API versions list); the query's snapshot is taken later, so every change committed
 * before that time is in it. A second is handed out only once it is over by that time minus a safety lag: no
 * change can get that timestamp any more, so the Id tie-break is exact. The lag covers transactions that commit
 * after their SystemModstamp was taken (a record saved at 10:15:00.900 by a transaction that commits at 10:15:04
 * is invisible to a query at 10:15:02); without it such a change would be passed by the watermark and lost. The
 * n8n host's clock is never used, so a host clock hours off changes nothing. An edit answered in the next second
 * (committed between the query's snapshot and its answer) is not lost either: the window ended before the query.
 * Across restarts and concurrent edits each change is therefore emitted exactly once; several edits of one record
 * within one second are one change (its latest state).
 */
import { CrmError } from '../../http/errors';
import { soql, type SoqlFragment, soqlIdentifier } from '../../query/soql';
import type { SalesforceConnector, SalesforceRecord } from './connector';

/** What kind of change to read. */
export type ChangeEvent = 'created' | 'updated' | 'deleted';

/** The position after the last change handed out. */
export interface ChangeWatermark {
	/** ISO timestamp of the last record handed out. */
	ts: string;
	/** Its Id ('' = every record at `ts` is still to come). */
	id: string;
}

/** Options of {@link readChanges}. */
export interface ReadChangesOptions {
	object: string;
	event: ChangeEvent;
	/** Fields to return besides Id and the watermark field. Empty = every field of the object (from describe). */
	fields?: string[];
	/** Start after this position. */
	since: ChangeWatermark;
	/** Most changes to return (the watermark stops at the last one returned, so nothing is skipped). Default 10 000. */
	limit?: number;
	/** Extra SOQL condition (built with the `soql` template). */
	where?: SoqlFragment;
	/**
	 * Hold back changes this many seconds besides Salesforce's current second (for transactions that commit after
	 * their timestamp was taken). Default {@link DEFAULT_SAFETY_LAG_SECONDS}.
	 */
	safetyLagSeconds?: number;
	/**
	 * `updated` only: read through `queryAll`, so that deletions come in the same (SystemModstamp, Id) order as
	 * creates and updates (a delete moves the record's SystemModstamp; it then has `IsDeleted = true`). Records
	 * purged from the recycle bin before the read (hard deletes, an emptied bin) are not seen.
	 */
	includeDeleted?: boolean;
	/**
	 * The end of the window (epoch ms, whole seconds: the first second not read), taken by the caller from
	 * {@link openSecond} of a `serverNow()` read before this call — instead of one clock call per read.
	 */
	windowEnd?: number;
	signal?: AbortSignal;
}

/**
 * Default safety lag: 60 s. A synchronous Salesforce transaction (a save with its triggers, flows and
 * validation) is capped at 10 s of CPU time and waits at most 10 s for a record lock, so 60 s covers it with room
 * to spare; Bulk API batches and batch Apex can run for minutes — raise the lag to 600 s if their changes matter.
 */
export const DEFAULT_SAFETY_LAG_SECONDS = 60;

/** The changes found and the watermark to store once they have been handled. */
export interface ChangesResult {
	records: SalesforceRecord[];
	watermark: ChangeWatermark;
	/** True when more changes are waiting (the limit was reached, or changes of a second not yet over). */
	more: boolean;
}

/** The timestamp field a change event is ordered by. */
export function watermarkField(event: ChangeEvent): 'CreatedDate' | 'SystemModstamp' {
	return event === 'created' ? 'CreatedDate' : 'SystemModstamp';
}

/** Milliseconds of a Salesforce timestamp (`2024-03-05T10:15:00.000+0000` or ISO). */
export function timestampMs(value: unknown): number {
	if (typeof value !== 'string') return Number.NaN;
	const normalised = value.replace(/([+-]\d{2})(\d{2})$/, '$1:$2');
	return Date.parse(normalised);
}

/** Whether (ts, id) comes strictly after the watermark. */
export function isAfter(ts: number, id: string, mark: ChangeWatermark): boolean {
	const markMs = timestampMs(mark.ts);
	if (ts !== markMs) return ts > markMs;
	return id > mark.id;
}

async function fieldList(
	connector: SalesforceConnector,
	object: string,
	fields: string[] | undefined,
	field: string,
): Promise<string[]> {
	let list = fields?.filter((f) => f.trim() !== '').map(soqlIdentifier) ?? [];
	if (list.length === 0) list = await connector.selectableFields(object);
	const set = new Set(list);
	set.add('Id');
	set.add(field);
	return [...set];
}

/** The first second that may still receive changes, given Salesforce's time and the safety lag, in epoch ms. */
export function openSecond(
	serverNowMs: number,
	safetyLagSeconds: number = DEFAULT_SAFETY_LAG_SECONDS,
): number {
	const lag = Number.isFinite(safetyLagSeconds)
		? Math.max(0, safetyLagSeconds)
		: DEFAULT_SAFETY_LAG_SECONDS;
	return Math.floor((serverNowMs - lag * 1000) / 1000) * 1000;
}

/**
 * The current end of the change stream, by Salesforce's clock: the first second that may still receive changes.
 * Starting from it emits the changes of that second and later ones, never earlier ones. Costs the clock call and
 * one small query (which also checks that the object can be read).
 */
export async function latestWatermark(
	connector: SalesforceConnector,
	object: string,
	event: ChangeEvent,
	safetyLagSeconds: number = DEFAULT_SAFETY_LAG_SECONDS,
): Promise<ChangeWatermark> {
	const now = await connector.serverNow();
	const field = watermarkField(event);
	const where = event === 'deleted' ? soql`IsDeleted = true` : undefined;
	const q = `${connector.selectQuery(object, ['Id', field], where, `${field} DESC, Id DESC`)} LIMIT 1`;
	for await (const record of connector.queryRecords(q, {
		includeDeleted: event === 'deleted',
		limit: 1,
	}))
		void record;
	return { ts: new Date(openSecond(now, safetyLagSeconds)).toISOString(), id: '' };
}

/** Reads the changes after `since`, in (timestamp, Id) order, and the watermark after the last one read. */
export async function readChanges(
	connector: SalesforceConnector,
	options: ReadChangesOptions,
): Promise<ChangesResult> {
	const field = watermarkField(options.event);
	const limit = options.limit ?? 10_000;
	if (!Number.isInteger(limit) || limit < 1)
		throw new CrmError(`The change limit must be a positive whole number, got ${limit}`, {
			kind: 'validation',
		});
	const sinceMs = timestampMs(options.since.ts);
	if (Number.isNaN(sinceMs))
		throw new CrmError(`The watermark timestamp "${options.since.ts}" is not a date`, {
			kind: 'validation',
			hint: 'Reset the watermark.',
		});
	const withDeleted =
		options.event === 'deleted' || (options.includeDeleted === true && options.event === 'updated');
	const fields = await fieldList(connector, options.object, options.fields, field);
	if (
		options.event === 'updated' &&
		options.includeDeleted &&
		!fields.some((f) => f.toLowerCase() === 'isdeleted')
	)
		fields.push('IsDeleted');
	// SOQL datetime literals have whole seconds (and Salesforce compares datetimes by the second): start at the
	// watermark's second and drop what was already seen. A watermark inside a second (a page that ended among many
	// changes of one second, as a data load makes them) resumes after its Id in the query itself — else every page
	// would read the whole second again from its start (a bulk load of 50,000 records in one second: 25 pages of
	// 2,000, each re-reading up to 50,000).
	const fromSecond = new Date(Math.floor(sinceMs / 1000) * 1000);
	// Exact in the query when the watermark is a whole second (as every record's timestamp is); else (a time given
	// with milliseconds) the client drops what the watermark passed, so the query may not stop at the page's size.
	const exact = fromSecond.getTime() === sinceMs;
	const conditions =
		options.since.id !== '' && exact
			? [
					soql`(${soql.id(field)} > ${fromSecond} OR (${soql.id(field)} = ${fromSecond} AND Id > ${options.since.id}))`,
				]
			: [soql`${soql.id(field)} >= ${fromSecond}`];
	if (options.event === 'deleted') conditions.push(soql`IsDeleted = true`);
	if (options.where && options.where.text.trim()) conditions.push(soql`(${options.where})`);
	const where = soql.join(conditions, ' AND ');
	// LIMIT: a page's query sends no more rows than the page takes (else each small page got a query page of 2,000).
	const q = `${connector.selectQuery(options.object, fields, where, `${field} ASC, Id ASC`)}${exact ? ` LIMIT ${limit}` : ''}`;
	// Salesforce's time before the query is sent: the window ends at the first second not yet over by it (minus the lag).
	const cutoff =
		options.windowEnd ??
		openSecond(await connector.serverNow(options.signal), options.safetyLagSeconds);
	const records: SalesforceRecord[] = [];
	let mark = options.since;
	let more = false;
	for await (const page of connector.queryPages(q, {
		includeDeleted: withDeleted,
		signal: options.signal,
	})) {
		for (const record of page) {
			const ts = timestampMs(record[field]);
			const id = String(record.Id ?? '');
			if (Number.isNaN(ts) || !isAfter(ts, id, options.since)) continue;
			if (ts >= cutoff) {
				more = true;
				break;
			}
			if (records.length >= limit) {
				more = true;
				break;
			}
			records.push(record);
			mark = { ts: String(record[field]), id };
		}
		if (more) break;
	}
	return { records, watermark: mark, more: more || records.length >= limit };
}
