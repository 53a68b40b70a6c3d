/**
 * HubSpot records one at a time: property values as HubSpot takes them, record ids checked before they go into a
 * URL path, create / get / update / delete of one record, and the list of every record of a type (paged on
 * `paging.next.after` with `core/paging`).
 */
import { CrmError } from '../../http/errors';
import { PagingLoopError } from '../../paging/errors';
import { paginate } from '../../paging/paginate';
import type { HubSpotCaller } from './clients';
import type { HubSpotObject, HubSpotPage } from './types';

/** Input of a batch create. */
export interface CreateInput {
	properties: Record<string, unknown>;
	associations?: Array<{
		to: { id: string };
		types: Array<{ associationCategory: string; associationTypeId: number }>;
	}>;
}
/** Input of a batch update (by record id, or by a unique property with `idProperty`). */
export interface UpdateInput {
	id: string;
	properties: Record<string, unknown>;
}
/** Input of a batch upsert: `id` is the value of the unique property (e.g. the e-mail address). */
export interface UpsertInput {
	id: string;
	properties: Record<string, unknown>;
}

/** Options of {@link getRecord}. */
export interface GetRecordOptions {
	properties?: string[];
	idProperty?: string;
	associations?: string[];
	archived?: boolean;
}

/** Options of {@link listRecords}. */
export interface ListRecordsOptions {
	properties?: string[];
	archived?: boolean;
	limit?: number;
	signal?: AbortSignal;
}

export const encode = encodeURIComponent;

/** Converts a property value to the string HubSpot expects (dates as epoch ms or YYYY-MM-DD are passed through). */
export function toHubSpotValue(value: unknown): string | null {
	if (value === null || value === undefined) return null;
	if (value instanceof Date) return String(value.getTime());
	if (typeof value === 'object' && typeof (value as { toMillis?: unknown }).toMillis === 'function')
		return String((value as { toMillis: () => number }).toMillis());
	if (Array.isArray(value)) return value.map((v) => String(v)).join(';');
	if (typeof value === 'object') return JSON.stringify(value);
	return String(value);
}

/**
 * A record's properties as HubSpot takes them (undefined values left out; null — clear the value — as the empty
 * string, which is how HubSpot's batch create / update / upsert documentation says a value is cleared).
 */
export function toProperties(properties: Record<string, unknown>): Record<string, string> {
	const out: Record<string, string> = {};
	for (const [key, value] of Object.entries(properties)) {
		if (value === undefined) continue;
		out[key] = toHubSpotValue(value) ?? '';
	}
	return out;
}

/**
 * Why a record id cannot be used: HubSpot record ids are digits; the value of a unique property (`idProperty`) may be
 * anything but empty, `.` or `..` (which a URL would resolve as a path step). Undefined when it is fine.
 */
export function recordIdProblem(id: unknown, idProperty?: string): string | undefined {
	const value = id === undefined || id === null ? '' : String(id).trim();
	if (!idProperty || idProperty === 'hs_object_id') {
		if (value === '') return 'the record ID is empty — give the numeric HubSpot record ID';
		if (!/^\d{1,20}$/.test(value))
			return `"${value.slice(0, 60)}" is not a HubSpot record ID (record IDs are digits, e.g. 51) — give the record's ID, or match on a unique property (e.g. email)`;
		return undefined;
	}
	if (value === '') return `the ${idProperty} is empty — give the ${idProperty} of the record`;
	if (value === '.' || value === '..') return `"${value}" is not a valid ${idProperty}`;
	return undefined;
}

/** A record id (or unique-property value) as one checked, encoded URL path segment. */
export function recordPathSegment(id: string, idProperty?: string): string {
	const problem = recordIdProblem(id, idProperty);
	if (problem)
		throw new CrmError(`HubSpot: ${problem}`, { kind: 'validation', crmCode: 'INVALID_ID' });
	return encode(String(id).trim());
}

/** Creates one record. Not retried after it may have reached HubSpot (creating is not idempotent). */
export async function createRecord(
	host: HubSpotCaller,
	objectType: string,
	input: CreateInput,
): Promise<HubSpotObject> {
	return await host.call<HubSpotObject>({
		method: 'POST',
		url: `/crm/v3/objects/${encode(objectType)}`,
		body: { properties: toProperties(input.properties), associations: input.associations ?? [] },
	});
}

/** Reads one record by id or by a unique property (`idProperty`). */
export async function getRecord(
	host: HubSpotCaller,
	objectType: string,
	id: string,
	options: GetRecordOptions = {},
): Promise<HubSpotObject> {
	return await host.call<HubSpotObject>({
		method: 'GET',
		url: `/crm/v3/objects/${encode(objectType)}/${recordPathSegment(id, options.idProperty)}`,
		qs: {
			properties: options.properties?.length ? options.properties.join(',') : undefined,
			associations: options.associations?.length ? options.associations.join(',') : undefined,
			idProperty: options.idProperty,
			archived: options.archived ? true : undefined,
		},
	});
}

/** Updates one record (idempotent: the same values again change nothing). */
export async function updateRecord(
	host: HubSpotCaller,
	objectType: string,
	id: string,
	properties: Record<string, unknown>,
	options: { idProperty?: string } = {},
): Promise<HubSpotObject> {
	return await host.call<HubSpotObject>({
		method: 'PATCH',
		url: `/crm/v3/objects/${encode(objectType)}/${recordPathSegment(id, options.idProperty)}`,
		qs: { idProperty: options.idProperty },
		body: { properties: toProperties(properties) },
		idempotent: true,
	});
}

/** Archives (deletes) one record. */
export async function deleteRecord(
	host: HubSpotCaller,
	objectType: string,
	id: string,
): Promise<void> {
	await host.call<unknown>({
		method: 'DELETE',
		url: `/crm/v3/objects/${encode(objectType)}/${recordPathSegment(id)}`,
	});
}

/** The most records HubSpot's list API (`GET /crm/v3/objects/{type}`) answers per page. */
export const HUBSPOT_LIST_PAGE_LIMIT = 100;

/** One page of the list API from `after` (undefined: the first page), and the cursor of the next page if any. */
export async function readListPage(
	host: HubSpotCaller,
	objectType: string,
	options: ListRecordsOptions & { after?: string },
): Promise<{ results: HubSpotObject[]; next?: string }> {
	const page = await host.call<HubSpotPage>({
		method: 'GET',
		url: `/crm/v3/objects/${encode(objectType)}`,
		qs: {
			limit: Math.min(HUBSPOT_LIST_PAGE_LIMIT, options.limit ?? HUBSPOT_LIST_PAGE_LIMIT),
			after: options.after || undefined,
			properties: options.properties?.length ? options.properties.join(',') : undefined,
			archived: options.archived ? true : undefined,
		},
		signal: options.signal,
	});
	return { results: page.results ?? [], next: page.paging?.next?.after || undefined };
}

/**
 * Every record of a type, page by page (100 per request), streamed; stops after `limit` records without asking for
 * another page. A cursor HubSpot hands out twice fails the read (instead of an endless loop).
 */
export async function* listRecords(
	host: HubSpotCaller,
	objectType: string,
	options: ListRecordsOptions = {},
): AsyncGenerator<HubSpotObject[]> {
	let remaining = options.limit ?? Number.POSITIVE_INFINITY;
	if (!(remaining > 0)) return;
	const pages = paginate<{ results: HubSpotObject[]; after?: string }, HubSpotObject, string>({
		fetchPage: async (after) => {
			const page = await readListPage(host, objectType, { ...options, after, limit: remaining });
			const results = page.results.slice(0, remaining);
			remaining -= results.length;
			return { results, after: page.next };
		},
		items: (page) => page.results,
		next: (page) => (remaining > 0 && page.after ? page.after : undefined),
		tokenLabel: 'cursor',
	});
	yield* failOnRepeatedCursor(pages, `listing ${objectType}`);
}

/**
 * The pages of a `paginate()` read on HubSpot's `after` cursor, with a cursor handed out twice (a loop) reported as
 * a fatal `CrmError` naming what was being read.
 */
export async function* failOnRepeatedCursor<T>(
	pages: AsyncIterable<T[]>,
	doing: string,
): AsyncGenerator<T[]> {
	try {
		yield* pages;
	} catch (error) {
		if (!(error instanceof PagingLoopError)) throw error;
		throw new CrmError(
			`HubSpot returned the paging cursor "${String(error.token)}" twice while ${doing}: stopped to avoid an endless loop`,
			{ kind: 'fatal' },
		);
	}
}
