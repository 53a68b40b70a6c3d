/**
 * HubSpot upsert benchmark: N contacts upserted by e-mail through n8n's engine (the HubSpot CRM node, built package)
 * against the HubSpot simulator enforcing HubSpot's real limit of 190 requests per rolling 10 s. Prints API calls,
 * seconds, records/s and 429s; asserts nothing. Run: `BENCH=hubspot npm run bench` (`BENCH_HUBSPOT_SIZES=1000,5000`
 * for other sizes), or `npm run build && node dist/bench/hubspotUpsert.js [N…]`
 * (default 10000 and 30000: one burst window, then a sustained run paced by the budget; the ceiling is
 * 1,900 records/s at 100 per batch).
 */
import path from 'node:path';

import type { INode } from 'n8n-workflow';

import { clearRateBudgets } from '../core/http/rateLimiter';
import { HubSpotSimulator } from '../sandbox';
import { loadWorkflow, PACKAGE_ROOT, runWorkflow } from '../test/helpers/engine';
import { lostAndDuplicates, measured, type BenchEntry } from './entry';

async function runOnce(records: number): Promise<BenchEntry> {
	const sim = new HubSpotSimulator({ rateLimits: { tenSecondly: 190 } });
	const contract = await sim.start();
	clearRateBudgets();
	try {
		const workflow = loadWorkflow(
			path.join(
				PACKAGE_ROOT,
				'test',
				'workflows',
				'hubspot',
				'fixtures',
				'hubspot.upsertContacts.json',
			),
		);
		(workflow.nodes.find((n) => n.name === 'Sign-ups') as INode).parameters.jsCode =
			`return Array.from({ length: ${records} }, (_, i) => ({ email: \`bench\${i}@example.com\`, firstname: 'Bench', lastname: String(i) }));`;
		const {
			result: run,
			seconds,
			peakRssMb,
		} = await measured(
			async () =>
				await runWorkflow(workflow, {
					credentials: {
						crmHubSpotPrivateAppApi: {
							accessToken: contract.accessToken,
							baseUrl: contract.baseUrl,
							requestsPer10Seconds: 190,
						},
					},
				}),
		);
		if (run.error) throw run.error;
		const ok = run.json('Upserted').length;
		const calls = sim.log.count({ kind: 'batch.upsert' });
		const throttled = sim.log.count({ status: 429 });
		console.log(
			`${String(records).padStart(7)} records | ${String(calls).padStart(5)} API calls | ${seconds.toFixed(2).padStart(7)} s | ${(ok / seconds).toFixed(0).padStart(6)} records/s | ${String(throttled).padStart(4)} × 429 | ${ok} written`,
		);
		const { lost, duplicates } = lostAndDuplicates(
			Array.from({ length: records }, (_, i) => `bench${i}@example.com`),
			sim
				.collection('contacts')
				.list()
				.map((r) => String(r.fields.email)),
		);
		return {
			scenario: `hubspot upsert ${records}`,
			records,
			seconds,
			recordsPerSecond: ok / seconds,
			ceilingRecordsPerSecond: 1900,
			apiCalls: sim.log.count(),
			http429: throttled,
			peakRssMb,
			lost,
			duplicates,
			baseline: false,
			comparesTo: null,
			note: `${calls} batch upserts of up to 100; no latency (see BENCH=baseline for 40 ms and the built-in node)`,
		};
	} finally {
		clearRateBudgets();
		await sim.stop();
	}
}

/**
 * Runs the benchmark for each record count (default 10,000 and 30,000) and prints its figures.
 *
 * @param sizes record counts, one run each.
 */
export async function run(sizes: number[] = []): Promise<BenchEntry[]> {
	console.log(
		"HubSpot upsert by e-mail through n8n's engine, simulator at 190 requests / 10 s (HubSpot Professional/Enterprise)",
	);
	const entries: BenchEntry[] = [];
	for (const n of sizes.length ? sizes : [10_000, 30_000]) entries.push(await runOnce(n));
	return entries;
}

if (require.main === module) {
	run(
		process.argv
			.slice(2)
			.map(Number)
			.filter((n) => Number.isInteger(n) && n > 0),
	).catch((err: unknown) => {
		console.error(err);
		process.exitCode = 1;
	});
}
