/**
 * HubSpot search: one request (≤200 results, none past position 10,000), every match past that ceiling (windows on
 * `hs_object_id`), the first `limit` matches in a chosen order, and filters as a form gives them. Pages are read on
 * `paging.next.after` with `core/paging`.
 */
import { CrmError } from '../../http/errors';
import { paginate } from '../../paging/paginate';
import type { HubSpotCaller } from './clients';
import { encode, failOnRepeatedCursor } from './records';
import type {
	HubSpotFilter,
	HubSpotFilterGroup,
	HubSpotFilterOperator,
	HubSpotObject,
	HubSpotPage,
	HubSpotSearchRequest,
	HubSpotSort,
} from './types';

/** HubSpot's search page size limit. */
export const HUBSPOT_SEARCH_PAGE_LIMIT = 200;
/** HubSpot's search ceiling: no result past this position. */
export const HUBSPOT_SEARCH_CEILING = 10_000;

/** Options of {@link searchAll}. */
export interface SearchAllOptions {
	filterGroups?: HubSpotFilterGroup[];
	query?: string;
	properties?: string[];
	/** Results per request (≤200). Default 200. */
	pageSize?: number;
	/** Stop after this many records. Default: all. */
	limit?: number;
	/** Only records with `hs_object_id` greater than this (resume point). */
	afterId?: string;
	signal?: AbortSignal;
}

/** Options of {@link searchRecords}. */
export interface SearchRecordsOptions {
	filterGroups?: HubSpotFilterGroup[];
	query?: string;
	/** Properties to return (none: HubSpot's default ones). */
	properties?: string[];
	/** Every match, in record ID order (also past the 10,000 ceiling); else the first `limit`. */
	returnAll?: boolean;
	/** Most records returned without `returnAll` (none: nothing is read). */
	limit?: number;
	/** Order of the results without `returnAll` (direction default ascending). */
	sort?: { propertyName: string; direction?: HubSpotSort['direction'] };
	signal?: AbortSignal;
}

/** A filter as a form gives it: one value field, a comma-separated list for In List / Not In List. */
export interface FilterFields {
	propertyName: string;
	operator: HubSpotFilterOperator;
	value?: string;
	highValue?: string;
}

/** One search request (≤200 results, no result past 10,000). */
export async function search(
	host: HubSpotCaller,
	objectType: string,
	request: HubSpotSearchRequest,
	signal?: AbortSignal,
): Promise<HubSpotPage> {
	return await host.call<HubSpotPage>({
		method: 'POST',
		url: `/crm/v3/objects/${encode(objectType)}/search`,
		body: request,
		idempotent: true,
		search: true,
		signal,
	});
}

/** Every match (`returnAll`, see {@link searchAll}) or the first `limit` matches in the given order, streamed. */
export function searchRecords(
	host: HubSpotCaller,
	objectType: string,
	options: SearchRecordsOptions,
): AsyncGenerator<HubSpotObject[]> {
	const properties = options.properties?.length ? options.properties : undefined;
	if (options.returnAll) {
		return searchAll(host, objectType, {
			filterGroups: options.filterGroups,
			query: options.query,
			properties,
			signal: options.signal,
		});
	}
	return searchFirst(host, objectType, { ...options, properties });
}

/** The first `limit` matches (200 per request), sorted as asked; within HubSpot's 10,000 ceiling. */
async function* searchFirst(
	host: HubSpotCaller,
	objectType: string,
	options: SearchRecordsOptions,
): AsyncGenerator<HubSpotObject[]> {
	const limit = options.limit ?? 0;
	if (!(limit > 0)) return;
	const request: HubSpotSearchRequest = {
		filterGroups: options.filterGroups?.length ? options.filterGroups : undefined,
		query: options.query,
		properties: options.properties,
		sorts: options.sort
			? [
					{
						propertyName: options.sort.propertyName,
						direction: options.sort.direction ?? 'ASCENDING',
					},
				]
			: undefined,
	};
	let received = 0;
	const pages = paginate<HubSpotPage, HubSpotObject, string>({
		fetchPage: async (after) => {
			const page = await search(
				host,
				objectType,
				{ ...request, limit: Math.min(HUBSPOT_SEARCH_PAGE_LIMIT, limit - received), after },
				options.signal,
			);
			received += (page.results ?? []).length;
			return page;
		},
		items: (page) => page.results ?? [],
		next: (page, after, { itemCount }) => {
			const next = page.paging?.next?.after;
			return received >= limit || !next || next === after || itemCount === 0 ? undefined : next;
		},
		tokenLabel: 'cursor',
	});
	let kept = 0;
	for await (const page of failOnRepeatedCursor(pages, `searching ${objectType}`)) {
		const part = page.slice(0, limit - kept);
		kept += part.length;
		if (part.length) yield part;
	}
}

/**
 * Every record matching the filters, streamed page by page — also past HubSpot's 10,000-result ceiling: results
 * come sorted by `hs_object_id`, and before the ceiling the search restarts with `hs_object_id > last id seen`
 * added to every filter group, so each window stays under 10,000.
 */
export async function* searchAll(
	host: HubSpotCaller,
	objectType: string,
	options: SearchAllOptions = {},
): AsyncGenerator<HubSpotObject[]> {
	const pageSize = Math.min(
		HUBSPOT_SEARCH_PAGE_LIMIT,
		Math.max(1, options.pageSize ?? HUBSPOT_SEARCH_PAGE_LIMIT),
	);
	const groups = options.filterGroups?.length ? options.filterGroups : [{ filters: [] }];
	for (const [i, group] of groups.entries()) {
		if (group.filters.length >= 6) {
			throw new CrmError(
				`HubSpot search: filter group ${i + 1} has ${group.filters.length} filters; reading past 10,000 results needs one more (hs_object_id) and HubSpot allows 6 per group — move a filter to another group or narrow the search`,
				{ kind: 'validation' },
			);
		}
	}
	let remaining = options.limit ?? Number.POSITIVE_INFINITY;
	let lastId = options.afterId;
	const sorts: HubSpotSort[] = [{ propertyName: 'hs_object_id', direction: 'ASCENDING' }];
	for (let window = 0; window < 1_000_000; window++) {
		const filterGroups = groups.map((g) => ({
			filters:
				lastId === undefined
					? g.filters
					: [
							...g.filters,
							{ propertyName: 'hs_object_id', operator: 'GT' as const, value: lastId },
						],
		}));
		const windowStartId = lastId;
		let ceilingReached = false;
		const pages = paginate<HubSpotPage, HubSpotObject, string>({
			// The token is HubSpot's `after`, which is the position of the next result in search.
			fetchPage: async (after) => {
				const offset = after === undefined ? 0 : Number(after);
				const page = await search(
					host,
					objectType,
					{
						filterGroups: filterGroups.filter((g) => g.filters.length > 0).length
							? filterGroups
							: undefined,
						sorts,
						query: options.query,
						properties: options.properties,
						limit: Math.min(pageSize, remaining, HUBSPOT_SEARCH_CEILING - offset),
						after,
					},
					options.signal,
				);
				const results = page.results ?? [];
				if (results.length) {
					remaining -= results.length;
					lastId = results[results.length - 1].id;
				}
				return page;
			},
			items: (page) => page.results ?? [],
			next: (page, _after, { itemCount }) => {
				if (remaining <= 0) return undefined;
				const next = page.paging?.next?.after;
				if (!next || itemCount === 0) return undefined;
				const offset = Number(next);
				if (
					!Number.isFinite(offset) ||
					offset + Math.min(pageSize, remaining) > HUBSPOT_SEARCH_CEILING
				) {
					ceilingReached = true; // the next page would pass the ceiling: a new window from lastId
					return undefined;
				}
				return next;
			},
			tokenLabel: 'cursor',
		});
		yield* failOnRepeatedCursor(pages, `searching ${objectType}`);
		if (!ceilingReached) return;
		if (lastId === windowStartId) {
			throw new CrmError(
				`HubSpot search on ${objectType}: no progress past hs_object_id ${lastId ?? '(start)'}; stopped to avoid an endless loop`,
				{ kind: 'fatal' },
			);
		}
	}
}

/** A search filter from form fields: In List / Not In List take a list, Has Property none, Is Between a range. */
export function filterFromFields(fields: FilterFields): HubSpotFilter {
	const filter: HubSpotFilter = { propertyName: fields.propertyName, operator: fields.operator };
	if (fields.operator === 'IN' || fields.operator === 'NOT_IN')
		filter.values = valueList(fields.value);
	else if (fields.operator !== 'HAS_PROPERTY' && fields.operator !== 'NOT_HAS_PROPERTY')
		filter.value = fields.value ?? '';
	if (fields.operator === 'BETWEEN') filter.highValue = fields.highValue ?? '';
	return filter;
}

/** A list value: an array, or a comma-separated string; entries trimmed, empty ones left out. */
function valueList(value: unknown): string[] {
	const entries = Array.isArray(value)
		? value.map(String)
		: typeof value === 'string'
			? value.split(',')
			: [];
	return entries.map((s) => s.trim()).filter(Boolean);
}
