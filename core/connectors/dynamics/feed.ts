/**
 * `DynamicsCrm`'s change feed (see README.md "Change feed"). Creates and updates by `modifiedon` (`createdon` for the
 * `created` feed), keyset-paged on (time, primary key) — a position is `{at, id}`: every row up to and including it
 * was handed out. Deletions from change tracking (`feedDeletes.ts`): a delta token. Every window ends at Dataverse's
 * own time (its `Date` header, one `WhoAmI` round trip) minus the lag, cut to the second (`modifiedon` is stored to
 * the second), so a second is read only once no change can still be stamped in it.
 */
import { CrmError } from '../../http/errors';
import { requireServerDate } from '../../http/serverClock';
import { odataDateTimeOffset, odataGuid } from '../../query/odata';
import type { CrmRecord } from '../../records/types';
import type {
	ChangeFeedKind,
	ChangePage,
	ChangesOptions,
	RecentChangesOptions,
	StartWatermarkOptions,
	Watermark,
} from '../contract';
import { timeMs } from '../watermark';
import { DATAVERSE_MAX_PAGE_SIZE, type DataverseClient } from './client';
import {
	type DeletePosition,
	deletionRecord,
	initialDeltaToken,
	readDeletions,
} from './feedDeletes';
import { inFilter } from './lookup';
import { dataverseRecord, selectList } from './records';
import type { DataverseSchema } from './schema';

/** Seconds held back besides Dataverse's current second: a write's `modifiedon` is stamped before its transaction
 * (synchronous plug-ins included) commits, so a row can become visible a little after its time. */
export const DATAVERSE_FEED_LAG_SECONDS = 60;

/** The feed settings of a `DynamicsCrm`. */
export interface DvFeedSettings {
	lagSeconds: number;
	/** Rows per page (≤ 5,000). */
	pageSize: number;
}

/** A position in the modifications: the time (ISO, '' = before any row) and the last primary key handed out there. */
interface TimePosition {
	at: string;
	id: string;
}

const validation = (message: string) =>
	new CrmError(`Dynamics 365: ${message}`, { kind: 'validation' });

function checkKind(kind: ChangeFeedKind | undefined): ChangeFeedKind {
	const k = kind ?? 'all';
	if (!['all', 'updated', 'created', 'deleted'].includes(k))
		throw validation(`unknown change feed "${String(k)}" — use all, updated, created or deleted`);
	return k;
}

/** The time column a feed follows. */
const timeField = (kind: ChangeFeedKind) => (kind === 'created' ? 'createdon' : 'modifiedon');
const hasTimes = (kind: ChangeFeedKind) => kind !== 'deleted';
const hasDeletes = (kind: ChangeFeedKind, schema: DataverseSchema) =>
	(kind === 'all' || kind === 'deleted') && schema.entity.changeTracking;

/** Whole-second ISO (`2024-03-05T10:15:00Z`), as Dataverse writes its times. */
const isoSecond = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

/** The watermark of a feed at a position. */
function watermarkOf(kind: ChangeFeedKind, time: TimePosition, del: DeletePosition): Watermark {
	const out: Record<string, string | string[] | null> = {};
	if (hasTimes(kind)) Object.assign(out, { [timeField(kind)]: time.at, id: time.id });
	if (kind === 'all' || kind === 'deleted')
		Object.assign(out, { deltaToken: del.token, deleted: [...del.done] });
	return out;
}

/** A stored watermark of the `kind` feed, checked (null: the beginning). */
function parsePosition(kind: ChangeFeedKind, watermark: Watermark | null) {
	const time: TimePosition = { at: '', id: '' };
	const del: DeletePosition = { token: null, done: [] };
	if (watermark === null) return { time, del, fresh: true };
	const w = watermark as Record<string, unknown>;
	const bad = () =>
		validation(
			`${JSON.stringify(watermark).slice(0, 200)} is not a watermark of the ${kind} change feed — store the watermark of a page as it was handed out, or start again from null`,
		);
	if (hasTimes(kind)) {
		const at = w[timeField(kind)];
		if (typeof at !== 'string' || (at !== '' && Number.isNaN(Date.parse(at)))) throw bad();
		if (typeof w.id !== 'string') throw bad();
		Object.assign(time, { at, id: w.id });
	}
	if (kind === 'all' || kind === 'deleted') {
		const done = w.deleted;
		if (!(w.deltaToken === null || typeof w.deltaToken === 'string')) throw bad();
		if (!Array.isArray(done) || !done.every((x) => typeof x === 'string')) throw bad();
		Object.assign(del, { token: w.deltaToken, done: [...(done as string[])] });
	}
	return { time, del, fresh: false };
}

/** Dataverse's current time (epoch ms, whole seconds): the `Date` header of a `WhoAmI` round trip. */
export async function dataverseNow(client: DataverseClient, signal?: AbortSignal): Promise<number> {
	const res = await client.send('GET', 'WhoAmI', { signal });
	return requireServerDate(res.headers, 'Dynamics 365');
}

/** `$filter` of the rows after a position and before `end` (exclusive). */
function windowFilter(schema: DataverseSchema, field: string, from: TimePosition, end: number) {
	const parts = [`${field} lt ${odataDateTimeOffset(new Date(end))}`];
	if (from.at) {
		const at = odataDateTimeOffset(new Date(Date.parse(from.at)));
		parts.push(
			from.id
				? `(${field} gt ${at} or (${field} eq ${at} and ${schema.idField} gt ${odataGuid(from.id)}))`
				: `${field} ge ${at}`,
		);
	}
	return parts.join(' and ');
}

/**
 * `DynamicsCrm.changesSince`: deletions first (the delta since the stored token, for `all` and `deleted`), then
 * creates and updates by time up to Dataverse's now minus the lag (or `until`). Without deletions to hand out, the
 * new token rides on the modification pages (or on an empty page), so a quiet table's token never grows old.
 */
export async function* dynamicsChangesSince(
	client: DataverseClient,
	settings: DvFeedSettings,
	schema: DataverseSchema,
	watermark: Watermark | null,
	options: ChangesOptions = {},
): AsyncGenerator<ChangePage> {
	const kind = checkKind(options.kind);
	const { time, del, fresh } = parsePosition(kind, watermark);
	let remaining = options.limit ?? Number.POSITIVE_INFINITY;
	if (!(remaining >= 1))
		throw validation(`the change limit must be at least 1, got ${options.limit}`);
	const select = selectList(
		schema,
		options.fields ? [...options.fields, timeField(kind)] : undefined,
	);
	const now = await dataverseNow(client, options.signal);
	let end = Math.floor((now - settings.lagSeconds * 1000) / 1000) * 1000;
	if (options.until !== undefined) {
		const until = timeMs(options.until);
		if (!Number.isFinite(until)) throw validation(`until ${String(options.until)} is not a time`);
		end = Math.min(end, Math.floor(until / 1000) * 1000 + 1000);
	}
	let tokenMoved = false;
	let yielded = false;
	if (hasDeletes(kind, schema)) {
		if (del.token === null) {
			// From the beginning: nothing was handed out, so deletions before now do not matter.
			del.token = await initialDeltaToken(client, schema, options.signal);
			tokenMoved = true;
		} else {
			const read = await readDeletions(client, schema, del.token, del.done, options.signal);
			const take = read.ids.slice(0, Math.min(read.ids.length, remaining));
			const whole = take.length === read.ids.length;
			const readAt = isoSecond(now);
			const done = [...del.done];
			const recordWatermarks = take.map((id, i) => {
				done.push(id);
				return watermarkOf(
					kind,
					time,
					i === take.length - 1 && whole
						? { token: read.next, done: [] }
						: { token: del.token, done: [...done] },
				);
			});
			if (whole) Object.assign(del, { token: read.next, done: [] });
			else del.done = done;
			tokenMoved = whole;
			remaining -= take.length;
			if (take.length) {
				tokenMoved = false;
				yielded = true;
				yield {
					records: take.map((id) => deletionRecord(schema, id, readAt)),
					watermark: watermarkOf(kind, time, del),
					recordWatermarks,
				};
			}
		}
	}
	if (hasTimes(kind) && remaining > 0) {
		const field = timeField(kind);
		for await (const page of client.pages<Record<string, unknown>>(schema.name, {
			query: {
				$select: select,
				$filter: windowFilter(schema, field, time, end),
				$orderby: `${field} asc,${schema.idField} asc`,
			},
			maxPageSize: Math.min(settings.pageSize, remaining),
			signal: options.signal,
		})) {
			const rows = (page.value ?? []).slice(0, remaining);
			if (!rows.length) break;
			const records: CrmRecord[] = [];
			const recordWatermarks = rows.map((row) => {
				const record = dataverseRecord(schema, row);
				records.push(record);
				Object.assign(time, { at: String(row[field]), id: String(record.id) });
				return watermarkOf(kind, time, del);
			});
			remaining -= rows.length;
			tokenMoved = false;
			yielded = true;
			yield { records, watermark: watermarkOf(kind, time, del), recordWatermarks };
			if (remaining <= 0) return;
		}
	}
	if (tokenMoved || (fresh && !yielded && hasDeletes(kind, schema)))
		yield { records: [], watermark: watermarkOf(kind, time, del), recordWatermarks: [] };
}

/**
 * `DynamicsCrm.startWatermark`: the position before every change at or after `at` ('now': Dataverse's time minus the
 * lag). `after` (ids changed at exactly `at`, handed out) → the last of them in Dataverse's own key order, asked of
 * Dataverse. Deletions start at a fresh delta token (deletions before it cannot be read: change tracking has no
 * position in the past).
 */
export async function dynamicsStartWatermark(
	client: DataverseClient,
	settings: DvFeedSettings,
	schema: DataverseSchema,
	at: 'now' | number | Date,
	options: StartWatermarkOptions = {},
): Promise<Watermark> {
	const kind = checkKind(options.kind);
	let ms: number;
	if (at === 'now') {
		const now = await dataverseNow(client, options.signal);
		ms = Math.floor((now - settings.lagSeconds * 1000) / 1000) * 1000;
	} else {
		ms = timeMs(at);
		if (!Number.isFinite(ms)) throw validation(`${String(at)} is not a time`);
	}
	// `modifiedon` has whole seconds: a change "at or after" a time inside a second is one from the next second on.
	const second = Math.ceil(ms / 1000) * 1000;
	const time: TimePosition = { at: isoSecond(second), id: '' };
	const after =
		at === 'now' ? [] : (options.after ?? []).filter((id) => /^[0-9a-f-]{36}$/i.test(id));
	if (hasTimes(kind) && after.length && second === ms) {
		const field = timeField(kind);
		const res = await client.get<{ value?: Array<Record<string, unknown>> }>(schema.name, {
			query: {
				$select: schema.idField,
				$filter: `${field} eq ${odataDateTimeOffset(new Date(ms))} and ${inFilter(
					schema.idField,
					after.map((id) => id.toLowerCase()),
				)}`,
				$orderby: `${schema.idField} desc`,
				$top: 1,
			},
			signal: options.signal,
		});
		const last = res.value?.[0]?.[schema.idField];
		if (typeof last === 'string') time.id = last;
	}
	const del: DeletePosition = {
		token: hasDeletes(kind, schema)
			? await initialDeltaToken(client, schema, options.signal)
			: null,
		done: [],
	};
	return watermarkOf(kind, time, del);
}

/**
 * `DynamicsCrm.recentChanges`: the latest rows by the feed's time (one request, `$top`), oldest first. Deletions have
 * no list to read from (change tracking only tells what changed after a token): the `deleted` feed has none here.
 */
export async function dynamicsRecentChanges(
	client: DataverseClient,
	schema: DataverseSchema,
	options: RecentChangesOptions = {},
): Promise<CrmRecord[]> {
	const kind = checkKind(options.kind);
	const limit = options.limit ?? 1;
	if (!Number.isInteger(limit) || limit < 1 || limit > DATAVERSE_MAX_PAGE_SIZE)
		throw validation(`recent changes are read 1 to 5,000 at a time, got ${String(options.limit)}`);
	if (kind === 'deleted') return [];
	const field = timeField(kind);
	const res = await client.get<{ value?: Array<Record<string, unknown>> }>(schema.name, {
		query: {
			$select: selectList(schema, options.fields ? [...options.fields, field] : undefined),
			$orderby: `${field} desc,${schema.idField} desc`,
			$top: limit,
		},
		signal: options.signal,
	});
	return (res.value ?? []).map((row) => dataverseRecord(schema, row)).reverse();
}
