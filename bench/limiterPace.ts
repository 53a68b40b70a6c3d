/**
 * Rate-budget pace against a sandbox endpoint: N requests through the core's HttpClient to the REST simulator,
 * whose server-side limit answers 429 + Retry-After like a real API. Prints requests/s achieved against the
 * configured budget, the 429s the server sent, retries, and API calls. A figure, never an assertion.
 */
import { ApiKeyAuth, HttpClient, clearRateBudgets } from '../core/http';
import { RestSimulator } from '../sandbox';

export interface PaceScenario {
	label: string;
	/** Client budget (requests per interval), or false for no client-side pacing (retries only). */
	budget: { maxRequests: number; intervalMs: number; maxConcurrent: number } | false;
	/** Callers issuing requests at once (the budget decides how many actually run). */
	callers: number;
}

export interface PaceResult {
	label: string;
	requests: number;
	seconds: number;
	achievedPerSecond: number;
	configuredPerSecond: number | undefined;
	serverLimitPerSecond: number;
	/** Most requests the server saw in any rolling window of the budget's interval (1 s without a budget). */
	peakInWindow: number;
	server429s: number;
	apiCalls: number;
	retries: number;
	failures: number;
}

export async function runPaceScenario(
	scenario: PaceScenario,
	options: { requests: number; serverLimit: { limit: number; windowMs: number } },
): Promise<PaceResult> {
	const sim = new RestSimulator({
		rateLimit: options.serverLimit,
		records: { contacts: 50, companies: 5 },
	});
	const contract = await sim.start();
	clearRateBudgets();
	const client = new HttpClient({
		baseUrl: contract.baseUrl,
		auth: new ApiKeyAuth({ key: contract.apiKey }),
		rateLimit: scenario.budget === false ? false : scenario.budget,
		retry: { maxAttempts: 8, maxTotalWaitMs: 60_000 },
	});
	let next = 0;
	let retries = 0;
	let failures = 0;
	const started = process.hrtime.bigint();
	const worker = async () => {
		while (next < options.requests) {
			next++;
			try {
				const res = await client.request({ method: 'GET', url: '/contacts', qs: { limit: 1 } });
				retries += res.retry.attempts - 1;
			} catch {
				failures++;
			}
		}
	};
	await Promise.all(Array.from({ length: scenario.callers }, worker));
	const seconds = Number(process.hrtime.bigint() - started) / 1e9;
	const server429s = sim.server.log.count({ status: 429 });
	const arrivals = sim.server.log
		.entries()
		.filter((e) => e.path.startsWith('/api'))
		.map((e) => e.at)
		.sort((a, b) => a - b);
	const windowMs = scenario.budget === false ? 1000 : scenario.budget.intervalMs;
	const peakInWindow = maxInWindow(arrivals, windowMs);
	const apiCalls = sim.server.log.count({ pathPrefix: '/api' });
	await sim.stop();
	const perSecond = (n: number, ms: number) => (n * 1000) / ms;
	return {
		label: scenario.label,
		requests: options.requests,
		seconds,
		achievedPerSecond: options.requests / seconds,
		configuredPerSecond:
			scenario.budget === false
				? undefined
				: perSecond(scenario.budget.maxRequests, scenario.budget.intervalMs),
		serverLimitPerSecond: perSecond(options.serverLimit.limit, options.serverLimit.windowMs),
		peakInWindow,
		server429s,
		apiCalls,
		retries,
		failures,
	};
}

/** Largest number of timestamps inside any window [t, t + windowMs). */
function maxInWindow(sorted: number[], windowMs: number): number {
	let best = 0;
	let lo = 0;
	for (let hi = 0; hi < sorted.length; hi++) {
		while (sorted[hi] - sorted[lo] >= windowMs) lo++;
		best = Math.max(best, hi - lo + 1);
	}
	return best;
}
