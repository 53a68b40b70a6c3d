/**
 * The records/s Dataverse's service protection limits allow a writer that sends `recordsPerRequest` operations per
 * request (README, "Benchmarks"): the smallest of
 * - requests: requests per second × records per request;
 * - execution time: execution ms allowed per second ÷ execution ms one record costs (its operation, plus its share
 *   of the request's own time: latency + per-request cost);
 * - concurrency: concurrent requests × records per request ÷ request duration (as Dataverse would take it: latency +
 *   the operations run one after another).
 * A sliding window also lets one window's allowance go at once: `windowAllowance` records, then one window per
 * further allowance.
 */
import type { ServiceProtectionLimits } from '../sandbox/dynamics/protectionLimits';

export interface Ceiling {
	requestsPerSecond: number;
	recordsPerRequest: number;
	executionMsPerSecond: number;
	executionMsPerRecord: number;
	concurrent: number;
	/** Modelled duration of one request, ms. */
	requestMs: number;
	byRequests: number;
	byExecutionTime: number;
	byConcurrency: number;
	/** The smallest of the three, and which one it is. */
	recordsPerSecond: number;
	binding: 'requests' | 'execution time' | 'concurrency';
	/** Records one window's limits allow. */
	windowAllowance: number;
	/** Windows to wait out for `records` after the first allowance, and the least time that takes. */
	windowsWaited: number;
	minimumSeconds: number;
}

/** The ceiling for `records` written `recordsPerRequest` at a time under `limits` with `latencyMs` per request. */
export function dataverseCeiling(
	limits: ServiceProtectionLimits,
	run: { recordsPerRequest: number; latencyMs: number; records: number },
): Ceiling {
	const perOp = limits.costPerOperationMs ?? 0;
	const perRequest = run.latencyMs + (limits.costPerRequestMs ?? 0);
	const rpr = run.recordsPerRequest;
	const windowS = limits.windowMs / 1000;
	const requestsPerSecond = limits.requests / windowS;
	const executionMsPerSecond = limits.executionMs / windowS;
	const executionMsPerRecord = perOp + perRequest / rpr;
	const requestMs = perRequest + rpr * perOp;
	const byRequests = requestsPerSecond * rpr;
	const byExecutionTime = executionMsPerSecond / executionMsPerRecord;
	const byConcurrency = (limits.concurrent * rpr) / (requestMs / 1000);
	const candidates: Array<[Ceiling['binding'], number]> = [
		['requests', byRequests],
		['execution time', byExecutionTime],
		['concurrency', byConcurrency],
	];
	const [binding, recordsPerSecond] = candidates.reduce((a, b) => (b[1] < a[1] ? b : a));
	const windowAllowance = Math.floor(
		Math.min(limits.requests * rpr, limits.executionMs / executionMsPerRecord),
	);
	const windowsWaited = Math.max(0, Math.ceil(run.records / windowAllowance) - 1);
	return {
		requestsPerSecond,
		recordsPerRequest: rpr,
		executionMsPerSecond,
		executionMsPerRecord,
		concurrent: limits.concurrent,
		requestMs,
		byRequests,
		byExecutionTime,
		byConcurrency,
		recordsPerSecond,
		binding,
		windowAllowance,
		windowsWaited,
		minimumSeconds: windowsWaited * windowS,
	};
}
