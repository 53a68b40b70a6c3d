/**
 * The baseline (`BENCH=baseline npm run bench`): n8n's own built-in Salesforce and HubSpot nodes (`n8n-nodes-base`,
 * from the real n8n the e2e tier caches, see test/helpers/n8n-base-nodes.ts) beside ours, doing the same jobs through
 * n8n's engine against the same simulators at the same latency (40 ms) and limits, so each speed-up is a ratio of
 * records/s measured side by side (`baselineSalesforce.ts`, `baselineHubSpot.ts`).
 *
 * Sizes: `BENCH_BASELINE_RECORDS` (default 10000; `--quick` 1000) for our writes and for both nodes' reads;
 * `BENCH_BASELINE_SF_BUILTIN_RECORDS` (default the same) for the built-in's Salesforce creates, one call each (about
 * 25 records/s at 40 ms: 10,000 take ~7 min); `BENCH_BASELINE_HUBSPOT_BUILTIN_RECORDS` (default 2000) for the built-in's
 * HubSpot upserts: one call each at 190 requests / 10 s is at most 19 records/s, so 10,000 would take ≥ 526 s; the
 * ratio is of records/s, and the table says when the two sizes differ. Reads run `BENCH_BASELINE_READ_REPEATS` times
 * (default 3) each, built-in and ours alternating, and report the median run of each.
 */
import { runHubSpotBaseline } from './baselineHubSpot';
import { runSalesforceBaseline } from './baselineSalesforce';
import { ENTRY_HEADER, entryLine, type BenchEntry } from './entry';

const size = (name: string, fallback: number): number => {
	const n = Number(process.env[name]);
	return Number.isInteger(n) && n > 0 ? n : fallback;
};

/** Runs the side-by-side scenarios, prints the table and the ratios, returns the entries. */
export async function run(): Promise<BenchEntry[]> {
	const records = size('BENCH_BASELINE_RECORDS', 10_000);
	const sfBuiltin = size('BENCH_BASELINE_SF_BUILTIN_RECORDS', records);
	const hsBuiltin = size('BENCH_BASELINE_HUBSPOT_BUILTIN_RECORDS', Math.min(records, 2000));
	console.log(
		`n8n's built-in nodes (n8n-nodes-base) beside ours through n8n's engine, same simulators, 40 ms latency; ` +
			`ours ${records} records, built-in Salesforce create ${sfBuiltin}, built-in HubSpot upsert ${hsBuiltin}, reads ${records} on both`,
	);
	console.log(ENTRY_HEADER);
	const entries: BenchEntry[] = [];
	const print = (list: BenchEntry[]) => {
		for (const e of list) {
			console.log(entryLine(e));
			entries.push(e);
		}
	};
	const readRepeats = size('BENCH_BASELINE_READ_REPEATS', 3);
	print(
		await runSalesforceBaseline({
			create: records,
			builtinCreate: sfBuiltin,
			read: records,
			readRepeats,
		}),
	);
	print(await runHubSpotBaseline({ ours: records, builtin: hsBuiltin }));

	console.log();
	console.log('ours ÷ built-in (records/s, measured side by side):');
	for (const b of entries.filter((e) => e.baseline)) {
		const ours = entries.find((e) => e.scenario === b.comparesTo);
		if (!ours?.recordsPerSecond || !b.recordsPerSecond) continue;
		const sizes =
			ours.records === b.records
				? ''
				: ` (built-in at ${b.records}, ours at ${ours.records} records)`;
		console.log(
			`  ${String(ours.scenario).padEnd(46)} ${(ours.recordsPerSecond / b.recordsPerSecond).toFixed(2)}×${sizes}`,
		);
	}
	for (const e of entries) console.log(`  note: ${e.scenario}: ${e.note ?? ''}`);
	return entries;
}
