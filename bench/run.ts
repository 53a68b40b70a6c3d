/**
 * `npm run bench`: benchmarks that print figures (requests/s, API calls, 429s, records/s, peak memory). Nothing
 * here asserts a time: these machines are shared and noisy.
 *
 * - `pace`: the rate budget's pace against the REST sandbox (`limiterPace.ts`); `BENCH_REQUESTS` sets the
 *   request count per scenario (default 1000).
 * - `salesforce`: 1,000 contacts through sObject Collections and 50,000 rows through Bulk API 2.0 (`salesforce.ts`).
 * - `hubspot`: contacts upserted by e-mail through n8n's engine at HubSpot's 190 requests / 10 s
 *   (`hubspotUpsert.ts`); `BENCH_HUBSPOT_SIZES` (comma-separated, default 10000,30000) sets the record counts.
 *
 * - `fieldmapper`: 100,000 items through the Field Mapper node in n8n's engine, static rules and an expression rule
 *   (`fieldMapper.ts`): items/s and peak RSS; `BENCH_FIELDMAPPER_ITEMS` sets the item count.
 *
 * - `sync`: a two-way sync Salesforce ↔ HubSpot (backfill, a run with no edits, a run with edits) over the simulators
 *   (`sync.ts`); `BENCH_SYNC_RECORDS` sets the records per side (default 10000).
 *
 * - `dynamics`: contacts created by the Dynamics 365 node through n8n's engine against the Dataverse simulator at
 *   Dataverse's real service-protection limits, with the ceiling those limits allow (`dynamics.ts`);
 *   `BENCH_DYNAMICS_RECORDS` sets the record count (default 10000; 50000 takes ~5 min: one sliding window waited).
 *
 * - `baseline`: n8n's own built-in Salesforce and HubSpot nodes (`n8n-nodes-base`, from the real n8n the e2e tier
 *   caches) beside ours on the same jobs, simulators, latency and limits (`baseline.ts`): Salesforce Contact create,
 *   HubSpot contact upsert by e-mail, Salesforce reads; `BENCH_BASELINE_RECORDS` (default 10000),
 *   `BENCH_BASELINE_SF_BUILTIN_RECORDS`, `BENCH_BASELINE_HUBSPOT_BUILTIN_RECORDS` (default 2000) set the sizes.
 *
 * - `crmsync`: the CRM Sync node through n8n's engine at the vendors' quotas, the simulators in a child process
 *   (`crmSync.ts`): Salesforce → HubSpot at `BENCH_CRMSYNC_SIZES` (default 10000,100000), HubSpot → Dynamics 365,
 *   Dynamics 365 → Salesforce and two-way Salesforce ↔ HubSpot (backfill, then 10 % edited per side) at
 *   `BENCH_CRMSYNC_RECORDS` (default 10000), each with the ceiling the limits allow (`syncCeiling.ts`);
 *   `BENCH_CRMSYNC_MILLION=1` adds 1,000,000 Salesforce Contacts → Leads (peak RSS of this process).
 *
 * `BENCH=pace|salesforce|hubspot|fieldmapper|sync|dynamics|baseline|crmsync` (or several, comma-separated) runs only
 * those; default all, in that order.
 *
 * Flags: `--quick` runs small sizes where a variable does not set one (for a smoke run: pace 200 requests, hubspot
 * 1000, fieldmapper 5000, sync 500, dynamics 2000, baseline 1000 (built-in writes 300), crmsync 500; salesforce keeps
 * its fixed sizes). `--json` prints, as the last line on stdout (`npm run bench` builds first; the human-readable lines go to
 * stderr), a JSON array with one object per scenario (`BenchEntry` in `entry.ts`): `{scenario, records, seconds,
 * recordsPerSecond, ceilingRecordsPerSecond, apiCalls, http429, peakRssMb, lost, duplicates, baseline, comparesTo,
 * note}` — `baseline: true` and `comparesTo: <our scenario>` on the built-in nodes' runs; null where a scenario does
 * not measure a figure (a benchmark returning no entries would give its name and seconds alone).
 */
import { noFigures, type BenchEntry } from './entry';
import type { PaceScenario } from './limiterPace';

const FLAGS = new Set(process.argv.slice(2));
const QUICK = FLAGS.has('--quick');
const JSON_OUTPUT = FLAGS.has('--json');

/** The sizes `--quick` uses where the variable is not set. */
const QUICK_SIZES: Record<string, string> = {
	BENCH_REQUESTS: '200',
	BENCH_HUBSPOT_SIZES: '1000',
	BENCH_FIELDMAPPER_ITEMS: '5000',
	BENCH_SYNC_RECORDS: '500',
	BENCH_DYNAMICS_RECORDS: '2000',
	BENCH_BASELINE_RECORDS: '1000',
	BENCH_BASELINE_SF_BUILTIN_RECORDS: '300',
	BENCH_BASELINE_HUBSPOT_BUILTIN_RECORDS: '300',
	BENCH_CRMSYNC_SIZES: '500',
	BENCH_CRMSYNC_RECORDS: '500',
};
if (QUICK) for (const [k, v] of Object.entries(QUICK_SIZES)) process.env[k] ??= v;

/**
 * Each benchmark's module is loaded when it runs, not with this file: a benchmark's peak RSS counts what it loads
 * (the CRM Sync one keeps its simulators in a child process), not every other benchmark's simulators.
 */
const BENCHMARKS: Record<string, () => Promise<BenchEntry[] | void>> = {
	pace: runPace,
	salesforce: async () => await (await import('./salesforce')).run(),
	hubspot: async () =>
		await (await import('./hubspotUpsert')).run(numberList(process.env.BENCH_HUBSPOT_SIZES)),
	fieldmapper: async () =>
		await (await import('./fieldMapper')).run(numberList(process.env.BENCH_FIELDMAPPER_ITEMS)[0]),
	sync: async () =>
		await (await import('./sync')).run(numberList(process.env.BENCH_SYNC_RECORDS)[0]),
	dynamics: async () => {
		const { asEntry, run } = await import('./dynamics');
		return [asEntry(await run(numberList(process.env.BENCH_DYNAMICS_RECORDS)[0]))];
	},
	baseline: async () => await (await import('./baseline')).run(),
	crmsync: async () => await (await import('./crmSync')).run(),
};
type BenchName = string;

const peak = { rss: 0 };
const sample = (): void => {
	peak.rss = Math.max(peak.rss, process.memoryUsage().rss);
};
const sampler = setInterval(sample, 50);

/** Positive integers from a comma-separated list (empty when unset). */
function numberList(value: string | undefined): number[] {
	return (value ?? '')
		.split(',')
		.map((v) => Number(v.trim()))
		.filter((n) => Number.isInteger(n) && n > 0);
}

/** The benchmarks `BENCH` asks for; throws naming the valid names when one is unknown. */
function selected(value: string | undefined): BenchName[] {
	const names = (value ?? '')
		.split(',')
		.map((v) => v.trim().toLowerCase())
		.filter((v) => v !== '');
	if (names.length === 0) return Object.keys(BENCHMARKS) as BenchName[];
	const unknown = names.filter((n) => !(n in BENCHMARKS));
	if (unknown.length > 0) {
		throw new Error(
			`Unknown benchmark in BENCH: ${unknown.join(', ')}. Use one or more of: ${Object.keys(BENCHMARKS).join(', ')} (comma-separated), or leave BENCH unset for all.`,
		);
	}
	return [...new Set(names)] as BenchName[];
}

/** Rate budget pace: several client budgets against the REST sandbox's server-side limit. */
async function runPace(): Promise<BenchEntry[]> {
	const requests = Number(process.env.BENCH_REQUESTS ?? 1000);
	const serverLimit = { limit: 100, windowMs: 1000 };
	const scenarios: PaceScenario[] = [
		{
			label: 'budget 50/s (half the server limit)',
			budget: { maxRequests: 50, intervalMs: 1000, maxConcurrent: 8 },
			callers: 16,
		},
		{
			label: 'budget 100/s (= server limit)',
			budget: { maxRequests: 100, intervalMs: 1000, maxConcurrent: 8 },
			callers: 16,
		},
		// Set too high on purpose: the server's X-RateLimit-Remaining/Reset headers must do the pacing.
		{
			label: 'budget 500/s (above server; headers pace)',
			budget: { maxRequests: 500, intervalMs: 1000, maxConcurrent: 8 },
			callers: 16,
		},
		{ label: 'no budget (retry on 429 only)', budget: false, callers: 16 },
	];
	console.log(
		`Rate budget pace: ${requests} GET requests per scenario against the REST sandbox (server limit ${serverLimit.limit} per ${serverLimit.windowMs} ms, fixed window)`,
	);
	console.log(
		'scenario                                   | configured/s | achieved/s | peak/window | seconds | API calls | 429s | retries | failed',
	);
	const { runPaceScenario } = await import('./limiterPace');
	const entries: BenchEntry[] = [];
	for (const scenario of scenarios) {
		const r = await runPaceScenario(scenario, { requests, serverLimit });
		entries.push({
			...noFigures(`pace: ${r.label}`, r.seconds),
			records: r.requests,
			recordsPerSecond: r.achievedPerSecond,
			ceilingRecordsPerSecond: r.serverLimitPerSecond,
			apiCalls: r.apiCalls,
			http429: r.server429s,
			lost: r.failures,
			note: `requests (not records) per second; ${r.retries} retries, ${r.failures} failed, peak ${r.peakInWindow} per window`,
		});
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
	console.log(
		"achieved/s = requests / total time (a budget lets one interval's worth start at once, so short runs",
	);
	console.log(
		'come out above the configured pace); peak/window = most requests the server saw in any rolling interval',
	);
	console.log(
		'of the budget (1 s without one): the figure a budget must keep at or under its configured maximum.',
	);
	return entries;
}

async function main(): Promise<void> {
	const names = selected(process.env.BENCH);
	const out = process.stdout.write.bind(process.stdout);
	// With --json, stdout carries the JSON document alone: the scenarios' lines go to stderr.
	if (JSON_OUTPUT) console.log = (...args: unknown[]) => console.error(...args);
	const entries: BenchEntry[] = [];
	for (const [i, name] of names.entries()) {
		if (i > 0) console.log();
		console.log(`== ${name} ==`);
		const started = performance.now();
		const figures = await BENCHMARKS[name]();
		sample();
		const seconds = (performance.now() - started) / 1000;
		// A benchmark that only prints gets one entry: its name and time, its figures null.
		entries.push(...(figures ?? [noFigures(name, seconds)]));
		console.log(`(${name}: ${seconds.toFixed(1)} s)`);
	}
	clearInterval(sampler);
	console.log();
	console.log(
		`peak RSS ${(peak.rss / 1024 / 1024).toFixed(0)} MiB (sampled every 50 ms over ${names.join(', ')})`,
	);
	if (JSON_OUTPUT) out(`${JSON.stringify(entries)}\n`);
	// Correctness, never time: a scenario of ours that lost or doubled a record (counted in the simulators) fails the
	// run — what `--quick` in CI is for. The built-in baseline may lose records (n8n's nodes do not wait out 429s).
	const wrong = entries.filter(
		(e) => !e.baseline && ((e.lost ?? 0) > 0 || (e.duplicates ?? 0) > 0),
	);
	for (const e of wrong)
		console.error(
			`benchmark FAILED: ${e.scenario}: ${e.lost ?? 0} lost, ${e.duplicates ?? 0} duplicated`,
		);
	if (wrong.length) process.exitCode = 1;
}

main().catch((err: unknown) => {
	clearInterval(sampler);
	console.error(
		err instanceof Error && err.message.startsWith('Unknown benchmark') ? err.message : err,
	);
	process.exitCode = 1;
});
