/**
 * The CRM Sync benchmark's ceilings (README, "CRM Sync at the quota ceiling"): the most records/s a sync run could
 * reach under the vendors' configured limits, whatever the client does. Each side's least time is the largest of
 * - its limits' windows: the requests it must send at least (`R`: its change feed read at the largest page the API
 *   gives — HubSpot's backfill the faster of its two ways, search or list — its writes in the largest batches it takes — no lookups: a side whose feed was read holds no unknown
 *   match, and HubSpot and Salesforce upsert by a unique key) against a sliding window of `perWindow` requests, which
 *   lets one window's worth go at once: `(ceil(R / perWindow) − 1) × window`;
 * - latency and concurrency: the feed's pages one after another (each needs the previous page's cursor), the write
 *   batches `concurrency` at a time, each request taking the latency: `(pages + ceil(batches / concurrency)) × latency`;
 * - for Dataverse also the execution time its service protection allows (`dataverseCeiling`).
 * The run's least time is the larger of its two sides'; the ceiling is its records over that time.
 */
import type { ServiceProtectionLimits } from '../sandbox/dynamics/protectionLimits';
import { dataverseCeiling } from './dynamicsCeiling';

export type Vendor = 'salesforce' | 'hubspot' | 'dynamics';

/** What one side of a run read and wrote (records). */
export interface SideLoad {
	read: number;
	written: number;
	/** The read is a backfill (every record, in no particular order): HubSpot may read it through its list API. */
	backfill?: boolean;
}

/** Page and batch sizes: the most records one request reads or writes (HubSpot: a search page). */
export const PAGE_SIZE: Record<Vendor, number> = { salesforce: 2000, hubspot: 200, dynamics: 5000 };
/** Records per page of HubSpot's list API (`GET /crm/v3/objects/{type}?limit=100`). */
export const HUBSPOT_LIST_PAGE_SIZE = 100;
export const BATCH_SIZE: Record<Vendor, number> = { salesforce: 200, hubspot: 100, dynamics: 1000 };

/** The least requests of a side: feed pages (one after another; at least one, to learn the feed is empty) and write batches. */
export function leastRequests(vendor: Vendor, load: SideLoad): { pages: number; batches: number } {
	return {
		pages: Math.max(1, Math.ceil(load.read / PAGE_SIZE[vendor])),
		batches: Math.ceil(load.written / BATCH_SIZE[vendor]),
	};
}

/** Least seconds a sliding window of `perWindow` requests per `windowMs` allows `requests` (the first window's go at once). */
export function windowSeconds(requests: number, perWindow: number, windowMs: number): number {
	return (Math.max(0, Math.ceil(requests / perWindow) - 1) * windowMs) / 1000;
}

/** Least seconds latency allows: `pages` one after another, `batches` `concurrency` at a time. */
export function latencySeconds(
	r: { pages: number; batches: number },
	latencyMs: number,
	concurrency: number,
): number {
	return ((r.pages + Math.ceil(r.batches / concurrency)) * latencyMs) / 1000;
}

/**
 * HubSpot: private-app requests per rolling 10 s (`tenSecondly`, 190). Its change feed is the search API (changes by
 * last-modified date, 200 a page), at most `searchPerSecond` (5) a second and not counted in the 10-s window; a
 * backfill may instead read the list API (100 a page, in the 10-s window beside the writes): the faster of the two.
 * HubSpot publishes no concurrency limit: a window's requests may all be in flight at once.
 */
export function hubspotSeconds(
	load: SideLoad,
	limits: { tenSecondly: number; searchPerSecond?: number },
	latencyMs: number,
): number {
	const r = leastRequests('hubspot', load);
	const bySearch = Math.max(
		windowSeconds(r.batches, limits.tenSecondly, 10_000),
		windowSeconds(r.pages, limits.searchPerSecond ?? 5, 1000),
		latencySeconds(r, latencyMs, limits.tenSecondly),
	);
	if (!load.backfill) return bySearch;
	const list = {
		pages: Math.max(1, Math.ceil(load.read / HUBSPOT_LIST_PAGE_SIZE)),
		batches: r.batches,
	};
	const byList = Math.max(
		windowSeconds(list.pages + list.batches, limits.tenSecondly, 10_000),
		latencySeconds(list, latencyMs, limits.tenSecondly),
	);
	return Math.min(bySearch, byList);
}

/**
 * Salesforce: the daily API allowance (rolling 24 h) and 25 requests in flight (Salesforce counts only long-running
 * ones against its concurrent limit; 25 is the most a client may rely on).
 */
export function salesforceSeconds(
	load: SideLoad,
	limits: { daily: number; concurrent?: number },
	latencyMs: number,
): number {
	const r = leastRequests('salesforce', load);
	return Math.max(
		windowSeconds(r.pages + r.batches, limits.daily, 86_400_000),
		latencySeconds(r, latencyMs, limits.concurrent ?? 25),
	);
}

/** Dataverse: requests and execution time per sliding window (`dataverseCeiling`), 52 requests in flight. */
export function dataverseSeconds(
	load: SideLoad,
	limits: ServiceProtectionLimits,
	latencyMs: number,
): number {
	const r = leastRequests('dynamics', load);
	const execution =
		load.written > 0
			? dataverseCeiling(limits, {
					recordsPerRequest: BATCH_SIZE.dynamics,
					latencyMs,
					records: load.written,
				}).minimumSeconds
			: 0;
	return Math.max(
		windowSeconds(r.pages + r.batches, limits.requests, limits.windowMs),
		execution,
		latencySeconds(r, latencyMs, limits.concurrent),
	);
}

/** A side's vendor, limits and load. */
export type SideCeiling =
	| { vendor: 'hubspot'; limits: { tenSecondly: number; searchPerSecond?: number }; load: SideLoad }
	| { vendor: 'salesforce'; limits: { daily: number; concurrent?: number }; load: SideLoad }
	| { vendor: 'dynamics'; limits: ServiceProtectionLimits; load: SideLoad };

export function sideSeconds(side: SideCeiling, latencyMs: number): number {
	if (side.vendor === 'hubspot') return hubspotSeconds(side.load, side.limits, latencyMs);
	if (side.vendor === 'salesforce') return salesforceSeconds(side.load, side.limits, latencyMs);
	return dataverseSeconds(side.load, side.limits, latencyMs);
}

/**
 * The ceiling of a run of `records` records (records/s) and its least time: the larger of the sides' least times.
 * Two sides on one Salesforce org share its allowance: pass them as one side with both loads added.
 */
export function syncCeiling(
	records: number,
	sides: SideCeiling[],
	latencyMs: number,
): { recordsPerSecond: number; minimumSeconds: number } {
	const minimumSeconds = Math.max(...sides.map((s) => sideSeconds(s, latencyMs)));
	return { recordsPerSecond: records / minimumSeconds, minimumSeconds };
}
