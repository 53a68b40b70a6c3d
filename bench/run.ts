/**
 * `npm run bench`: benchmarks that print figures (requests/s, API calls, 429s, peak memory). Nothing here
 * asserts a time: these machines are shared and noisy. `BENCH_REQUESTS` sets the request count (default 1000).
 */
import { runPaceScenario, type PaceScenario } from './limiterPace';

const peak = { rss: 0 };
const sampler = setInterval(() => {
	peak.rss = Math.max(peak.rss, process.memoryUsage().rss);
}, 50);

async function main(): Promise<void> {
	const requests = Number(process.env.BENCH_REQUESTS ?? 1000);
	const serverLimit = { limit: 100, windowMs: 1000 };
	const scenarios: PaceScenario[] = [
		{ label: 'budget 50/s (half the server limit)', budget: { maxRequests: 50, intervalMs: 1000, maxConcurrent: 8 }, callers: 16 },
		{ label: 'budget 100/s (= server limit)', budget: { maxRequests: 100, intervalMs: 1000, maxConcurrent: 8 }, callers: 16 },
		// Set too high on purpose: the server's X-RateLimit-Remaining/Reset headers must do the pacing.
		{ label: 'budget 500/s (above server; headers pace)', budget: { maxRequests: 500, intervalMs: 1000, maxConcurrent: 8 }, callers: 16 },
		{ label: 'no budget (retry on 429 only)', budget: false, callers: 16 },
	];
	console.log(`Rate budget pace: ${requests} GET requests per scenario against the REST sandbox (server limit ${serverLimit.limit} per ${serverLimit.windowMs} ms, fixed window)`);
	console.log('scenario                                   | configured/s | achieved/s | peak/window | seconds | API calls | 429s | retries | failed');
	for (const scenario of scenarios) {
		const r = await runPaceScenario(scenario, { requests, serverLimit });
		console.log(
			[
				r.label.padEnd(42),
				(r.configuredPerSecond === undefined ? '-' : r.configuredPerSecond.toFixed(1)).padStart(12),
				r.achievedPerSecond.toFixed(1).padStart(10),
				String(r.peakInWindow).padStart(11),
				r.seconds.toFixed(2).padStart(7),
				String(r.apiCalls).padStart(9),
				String(r.server429s).padStart(4),
				String(r.retries).padStart(7),
				String(r.failures).padStart(6),
			].join(' | '),
		);
	}
	clearInterval(sampler);
	console.log('achieved/s = requests / total time (a budget lets one interval\'s worth start at once, so short runs');
	console.log('come out above the configured pace); peak/window = most requests the server saw in any rolling interval');
	console.log('of the budget (1 s without one): the figure a budget must keep at or under its configured maximum.');
	console.log(`peak RSS ${(peak.rss / 1024 / 1024).toFixed(0)} MiB`);
}

main().catch((err: unknown) => {
	clearInterval(sampler);
	console.error(err);
	process.exitCode = 1;
});
