/** The Dynamics benchmark's ceiling: the records/s Dataverse's service-protection limits allow (README, "Benchmarks"). */
import { dataverseCeiling } from '../../../bench/dynamicsCeiling';
import { DEFAULT_SERVICE_PROTECTION } from '../../../sandbox/dynamics';

describe('dataverseCeiling', () => {
	it("at Dataverse's limits with batches of 1,000: execution time binds at ~160 records/s", () => {
		const c = dataverseCeiling(DEFAULT_SERVICE_PROTECTION, {
			recordsPerRequest: 1000,
			latencyMs: 40,
			records: 50_000,
		});
		expect(c.byRequests).toBe(20_000); // 6,000 / 300 s × 1,000
		expect(c.executionMsPerRecord).toBeCloseTo(25.04, 10); // 25 ms + 40 ms / 1,000
		expect(c.byExecutionTime).toBeCloseTo(4000 / 25.04, 6);
		expect(c.byConcurrency).toBeCloseTo((52 * 1000) / 25.04, 6); // 52 × 1,000 ÷ 25.04 s
		expect(c).toMatchObject({ binding: 'execution time', windowAllowance: 47_923 });
		expect(c.recordsPerSecond).toBe(c.byExecutionTime);
		// 50,000 is past one window's allowance: the rest waits one window.
		expect(c).toMatchObject({ windowsWaited: 1, minimumSeconds: 300 });
	});

	it('without a per-operation cost, single requests are bound by the request count', () => {
		const c = dataverseCeiling(
			{ ...DEFAULT_SERVICE_PROTECTION, costPerOperationMs: 0 },
			{ recordsPerRequest: 1, latencyMs: 40, records: 10_000 },
		);
		expect(c).toMatchObject({ binding: 'requests', recordsPerSecond: 20, windowAllowance: 6000 });
		expect(c).toMatchObject({ windowsWaited: 1, minimumSeconds: 300 });
	});
});
