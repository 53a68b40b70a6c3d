/** The CRM Sync benchmark's ceilings per vendor (README, "CRM Sync at the quota ceiling"). */
import { DEFAULT_SERVICE_PROTECTION } from '../../../sandbox/dynamics';
import {
	dataverseSeconds,
	hubspotSeconds,
	latencySeconds,
	leastRequests,
	salesforceSeconds,
	syncCeiling,
	windowSeconds,
} from '../../../bench/syncCeiling';

describe('syncCeiling', () => {
	it('counts the least requests: feed pages (at least one) and write batches', () => {
		expect(leastRequests('salesforce', { read: 10_000, written: 0 })).toEqual({
			pages: 5,
			batches: 0,
		});
		expect(leastRequests('hubspot', { read: 0, written: 10_001 })).toEqual({
			pages: 1,
			batches: 101,
		});
		expect(leastRequests('dynamics', { read: 12_000, written: 10_000 })).toEqual({
			pages: 3,
			batches: 10,
		});
	});

	it('lets a sliding window’s allowance go at once, then waits a window per further allowance', () => {
		expect(windowSeconds(190, 190, 10_000)).toBe(0);
		expect(windowSeconds(191, 190, 10_000)).toBe(10);
		expect(windowSeconds(1001, 190, 10_000)).toBe(50); // ceil(1001 / 190) = 6 windows: 5 waited
	});

	it('bounds a run inside one window by latency: pages one after another, batches in parallel', () => {
		expect(latencySeconds({ pages: 5, batches: 100 }, 40, 25)).toBeCloseTo(0.36, 10); // (5 + 4) × 40 ms
	});

	it('HubSpot: its feed pages go through search, at most 5 a second', () => {
		// 10,000 read = 50 pages of 200: 10 one-second windows, 9 waited.
		expect(hubspotSeconds({ read: 10_000, written: 0 }, { tenSecondly: 190 }, 40)).toBe(9);
	});

	it('HubSpot: a backfill reads the faster way, the list API (100 a page, in the 10-s window with the writes) or search', () => {
		const limits = { tenSecondly: 190 };
		// 10,000 read = 100 list pages, one window: latency binds, the pages one after another (100 × 40 ms).
		expect(hubspotSeconds({ read: 10_000, written: 0, backfill: true }, limits, 40)).toBeCloseTo(
			4,
			10,
		);
		// 100,000 read = 1,000 list pages (5 windows waited: 50 s), through search 500 pages at 5 a second (99 s).
		expect(hubspotSeconds({ read: 100_000, written: 0, backfill: true }, limits, 40)).toBe(50);
		expect(hubspotSeconds({ read: 100_000, written: 0 }, limits, 40)).toBe(99);
		// Written on the same side as well: 1,000 pages + 1,000 batches share the window (10 windows waited: 100 s),
		// more than search's 99 s beside the batches' own 50 s — search is the faster way then.
		expect(hubspotSeconds({ read: 100_000, written: 100_000, backfill: true }, limits, 40)).toBe(
			99,
		);
	});

	it('HubSpot: 100,000 contacts written take at least 50 s at 190 requests / 10 s', () => {
		// 1,000 batches + 1 page = 1,001 requests → 5 windows waited.
		expect(hubspotSeconds({ read: 0, written: 100_000 }, { tenSecondly: 190 }, 40)).toBe(50);
		// 10,000 fit in one window: latency binds (1 page + ceil(100 / 190) batch rounds) × 40 ms.
		expect(hubspotSeconds({ read: 0, written: 10_000 }, { tenSecondly: 190 }, 40)).toBeCloseTo(
			0.08,
			10,
		);
	});

	it('Salesforce: the daily allowance binds only past it; else latency at 25 in flight', () => {
		expect(salesforceSeconds({ read: 100_000, written: 0 }, { daily: 15_000 }, 40)).toBeCloseTo(
			2,
			10,
		); // 50 pages × 40 ms
		// 1,000,000 written in collections of 200 = 5,000 requests + 500 pages: within 15,000.
		expect(
			salesforceSeconds({ read: 1_000_000, written: 1_000_000 }, { daily: 15_000 }, 40),
		).toBeCloseTo((500 + 200) * 0.04, 10);
		// 4,000,000 written = 20,000 batches: past a day's allowance, one day waited.
		expect(salesforceSeconds({ read: 0, written: 4_000_000 }, { daily: 15_000 }, 40)).toBe(86_400);
	});

	it("Dataverse: execution time binds past one window's allowance (~47,900 records)", () => {
		const limits = DEFAULT_SERVICE_PROTECTION;
		expect(dataverseSeconds({ read: 0, written: 50_000 }, limits, 40)).toBe(300);
		expect(dataverseSeconds({ read: 0, written: 10_000 }, limits, 40)).toBeCloseTo(0.08, 10);
	});

	it('takes the slower side: the run’s least time and records over it', () => {
		const c = syncCeiling(
			100_000,
			[
				{ vendor: 'salesforce', limits: { daily: 15_000 }, load: { read: 100_000, written: 0 } },
				{ vendor: 'hubspot', limits: { tenSecondly: 190 }, load: { read: 0, written: 100_000 } },
			],
			40,
		);
		expect(c).toEqual({ minimumSeconds: 50, recordsPerSecond: 2000 });
	});
});
