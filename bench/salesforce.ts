/**
 * Salesforce connector figures against the simulator, outside n8n (`BENCH=salesforce npm run bench`, or
 * `npm run build && node dist/bench/salesforce.js`):
 * 1,000 contacts through sObject Collections and 50,000 rows through one Bulk API 2.0 job, each with a few bad
 * records; prints API calls (from the simulator's request log), seconds and records/s. Nothing is asserted.
 */
import { connectSalesforce } from '../core/connectors/salesforce/session';
import { SalesforceSimulator } from '../sandbox/salesforce';
import { lostAndDuplicates, measured, type BenchEntry } from './entry';

/** Runs the benchmark and prints its figures. */
export async function run(): Promise<BenchEntry[]> {
	const sim = new SalesforceSimulator({ bulk: { processingDelayMs: 5, chunkSize: 10_000 } });
	const contract = await sim.start();
	try {
		const connector = await connectSalesforce({
			grant: {
				kind: 'password',
				loginUrl: contract.loginUrl,
				clientId: contract.clientId,
				clientSecret: contract.clientSecret,
				username: contract.username,
				password: contract.password,
			},
		});
		const rows = (n: number, bad: number[]) =>
			Array.from({ length: n }, (_, i) =>
				bad.includes(i)
					? { FirstName: 'Bad' }
					: { FirstName: 'Bench', LastName: `Row ${i}`, Email: `row${i}@example.com` },
			);
		const calls = () => sim.log.entries().filter((e) => e.kind !== 'token').length;

		const names = () =>
			sim
				.table('Contact')
				.collection.list()
				.map((r) => String(r.fields.LastName));
		const expected = (n: number, bad: number[]) =>
			Array.from({ length: n }, (_, i) => i)
				.filter((i) => !bad.includes(i))
				.map((i) => `Row ${i}`);
		const entry = (
			scenario: string,
			records: number,
			ok: number,
			m: { seconds: number; peakRssMb: number },
			counted: { lost: number; duplicates: number },
			note: string,
		): BenchEntry => ({
			scenario,
			records,
			seconds: m.seconds,
			recordsPerSecond: records / m.seconds,
			ceilingRecordsPerSecond: null,
			apiCalls: calls(),
			http429: sim.log.count({ status: 429 }),
			peakRssMb: m.peakRssMb,
			...counted,
			baseline: false,
			comparesTo: null,
			note: `${ok} written, ${records - ok} refused (3 bad records on purpose); ${note}`,
		});

		sim.log.reset();
		const bad1 = [17, 555, 998];
		const m1 = await measured(
			async () => await connector.write('create', 'Contact', rows(1000, bad1)),
		);
		const ok1 = m1.result.results.filter((r) => r.ok).length;
		console.log(
			`Collections: 1,000 contacts → ${ok1} created, ${1000 - ok1} failed; ${calls()} API calls; ${m1.seconds.toFixed(2)} s; ${(1000 / m1.seconds).toFixed(0)} records/s`,
		);
		const afterCollections = names();
		const collections = entry(
			'salesforce collections create (ours, no n8n)',
			1000,
			ok1,
			m1,
			lostAndDuplicates(expected(1000, bad1), afterCollections),
			'sObject Collections of 200 through the connector, outside n8n, no latency',
		);

		sim.log.reset();
		const bad2 = [3, 12_345, 49_999];
		const m2 = await measured(
			async () =>
				await connector
					.bulk()
					.ingest(rows(50_000, bad2), { object: 'Contact', operation: 'insert' }),
		);
		const ok2 = m2.result.results.filter((r) => r.ok).length;
		console.log(
			`Bulk API 2.0: 50,000 rows → ${ok2} inserted, ${50_000 - ok2} failed; ${calls()} API calls ${JSON.stringify(sim.log.byKind())}; ${m2.seconds.toFixed(2)} s; ${(50_000 / m2.seconds).toFixed(0)} records/s; peak RSS ${(process.memoryUsage().rss / 1e6).toFixed(0)} MB`,
		);
		// The bulk rows' names repeat the first 1,000: count what the bulk job added.
		const left = new Map<string, number>();
		for (const n of afterCollections) left.set(n, (left.get(n) ?? 0) + 1);
		const added = names().filter((n) => {
			const k = left.get(n) ?? 0;
			if (k > 0) left.set(n, k - 1);
			return k === 0;
		});
		return [
			collections,
			entry(
				'salesforce bulk 2.0 insert (ours, no n8n)',
				50_000,
				ok2,
				m2,
				lostAndDuplicates(expected(50_000, bad2), added),
				`one Bulk API 2.0 job through the connector, outside n8n; calls ${JSON.stringify(sim.log.byKind())}`,
			),
		];
	} finally {
		await sim.stop();
	}
}

if (require.main === module) {
	run().catch((error: unknown) => {
		console.error(error);
		process.exitCode = 1;
	});
}
