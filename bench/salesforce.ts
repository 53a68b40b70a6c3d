/**
 * Salesforce connector figures against the simulator, outside n8n (`BENCH=salesforce npm run bench`, or
 * `npm run build && node dist/bench/salesforce.js`):
 * 1,000 contacts through sObject Collections and 50,000 rows through one Bulk API 2.0 job, each with a few bad
 * records; prints API calls (from the simulator's request log), seconds and records/s. Nothing is asserted.
 */
import { connectSalesforce } from '../core/connectors/salesforce/session';
import { SalesforceSimulator } from '../sandbox/salesforce';

/** Runs the benchmark and prints its figures. */
export async function run(): Promise<void> {
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

		sim.log.reset();
		let started = performance.now();
		const collections = await connector.write('create', 'Contact', rows(1000, [17, 555, 998]));
		let seconds = (performance.now() - started) / 1000;
		const ok1 = collections.results.filter((r) => r.ok).length;
		console.log(
			`Collections: 1,000 contacts → ${ok1} created, ${1000 - ok1} failed; ${calls()} API calls; ${seconds.toFixed(2)} s; ${(1000 / seconds).toFixed(0)} records/s`,
		);

		sim.log.reset();
		started = performance.now();
		const bulk = await connector
			.bulk()
			.ingest(rows(50_000, [3, 12_345, 49_999]), { object: 'Contact', operation: 'insert' });
		seconds = (performance.now() - started) / 1000;
		const ok2 = bulk.results.filter((r) => r.ok).length;
		console.log(
			`Bulk API 2.0: 50,000 rows → ${ok2} inserted, ${50_000 - ok2} failed; ${calls()} API calls ${JSON.stringify(sim.log.byKind())}; ${seconds.toFixed(2)} s; ${(50_000 / seconds).toFixed(0)} records/s; peak RSS ${(process.memoryUsage().rss / 1e6).toFixed(0)} MB`,
		);
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
