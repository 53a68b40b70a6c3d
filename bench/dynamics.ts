/**
 * Dynamics 365 create benchmark (`BENCH=dynamics npm run bench`; `BENCH_DYNAMICS_RECORDS` sets the record count,
 * default 10000; `--quick` 2000): N contacts created by the Dynamics 365 node (Record › Create, `$batch`es of 1,000)
 * through n8n's engine against the Dataverse simulator with service protection on at Dataverse's real per-user limits
 * (6,000 requests and 1,200,000 ms of execution time per 300 s sliding window, 52 concurrent; 25 ms of execution time
 * per operation, see sandbox/dynamics/README.md) and 40 ms latency. Prints records, seconds, records/s, HTTP calls by
 * kind, 429s, peak RSS, lost / duplicated records (from the simulator's final state) and the ceiling those limits
 * allow (README, "Benchmarks"). Asserts nothing.
 */
import type { INode, INodeParameters } from 'n8n-workflow';

import { clearRateBudgets, getRateBudget, rateBudgetKey } from '../core/http/rateLimiter';
import { DEFAULT_SERVICE_PROTECTION, DynamicsSimulator } from '../sandbox/dynamics';
import { nodeTypeName, runWorkflow, type WorkflowJson } from '../test/helpers/engine';
import { dataverseCeiling, type Ceiling } from './dynamicsCeiling';
import type { BenchEntry } from './entry';

const NODE = 'Dynamics 365';
const CREDENTIAL_ID = 'dynamics-bench';
const LATENCY_MS = 40;

/** The figures of one run (also the `--json` output). */
export interface DynamicsBenchFigures {
	records: number;
	seconds: number;
	recordsPerSecond: number;
	/** HTTP requests on the wire by kind (inner requests of a `$batch` are not HTTP calls: see `operations`). */
	httpCalls: Record<string, number>;
	httpCallsTotal: number;
	callsPerRecord: number;
	/** Operations carried inside `$batch`es. */
	operations: number;
	/** 429s the simulator answered, and their `Retry-After` values (s). */
	throttled: number;
	retryAfterSeconds: number[];
	/** Time the client's rate budget held requests back (pacing), s. */
	pacedSeconds: number;
	peakRssMiB: number;
	written: number;
	failed: number;
	lost: number;
	duplicates: number;
	ceiling: Ceiling;
}

/** Manual Trigger → Code (N contacts) → Dynamics 365 Record › Create. */
function workflow(records: number): WorkflowJson {
	const node = (name: string, type: string, parameters: INodeParameters, x: number): INode => ({
		id: `00000000-0000-4000-8000-00000000000${x}`,
		name,
		type,
		typeVersion: type.endsWith('code') ? 2 : 1,
		position: [x * 200, 0],
		parameters,
	});
	const jsCode = `return Array.from({ length: ${records} }, (_, i) => ({ lastname: 'Bench ' + i, emailaddress1: 'bench' + i + '@example.com' }));`;
	return {
		nodes: [
			node('Start', 'n8n-nodes-base.manualTrigger', {}, 1),
			node('Contacts', 'n8n-nodes-base.code', { jsCode }, 2),
			{
				...node(
					NODE,
					nodeTypeName('dynamics365'),
					{
						authentication: 'clientCredentials',
						resource: 'record',
						operation: 'create',
						table: 'contacts',
						fields: {
							mappingMode: 'autoMapInputData',
							value: null,
							matchingColumns: [],
							schema: [],
						},
					} as unknown as INodeParameters,
					3,
				),
				credentials: {
					crmDynamicsClientCredentialsApi: { id: CREDENTIAL_ID, name: 'Dynamics bench' },
				},
				onError: 'continueErrorOutput',
			},
		],
		connections: {
			Start: { main: [[{ node: 'Contacts', type: 'main', index: 0 }]] },
			Contacts: { main: [[{ node: NODE, type: 'main', index: 0 }]] },
		},
	};
}

/** Creates `records` contacts through the node and returns the figures. */
export async function measure(records: number): Promise<DynamicsBenchFigures> {
	const limits = { ...DEFAULT_SERVICE_PROTECTION };
	// 40 ms per HTTP request (the kit waits it once per outer request, not for the inner requests of a `$batch`); the
	// server time of a batch's operations is what `costPerOperationMs` charges.
	const sim = new DynamicsSimulator({ seed: 3, serviceProtection: limits, latency: LATENCY_MS });
	const retryAfter: number[] = [];
	sim.server.onResponse((_req, reply) => {
		if (reply.status === 429) retryAfter.push(Number(reply.headers['Retry-After']));
	});
	const contract = await sim.start();
	clearRateBudgets();
	let peakRss = process.memoryUsage().rss;
	const started = performance.now();
	const sampler = setInterval(() => {
		peakRss = Math.max(peakRss, process.memoryUsage().rss);
	}, 50);
	// Progress on stderr every 30 s: what the simulator has seen (to tell pacing from a stall).
	const progress = setInterval(() => {
		const usage = sim.protection.usage(sim.identity.appUserId);
		console.error(
			`  … ${((performance.now() - started) / 1000).toFixed(0)} s: ${sim.collection('contact').count()} stored, window ${usage.requests} requests / ${usage.executionMs.toFixed(0)} ms execution, ${retryAfter.length} × 429`,
		);
	}, 30_000);
	try {
		const run = await runWorkflow(workflow(records), {
			credentials: {
				[CREDENTIAL_ID]: {
					environmentUrl: contract.serverUrl,
					tenantId: contract.tenantId,
					clientId: contract.clientId,
					clientSecret: contract.clientSecret,
					tokenUrl: contract.tokenUrl,
				},
			},
		});
		const seconds = (performance.now() - started) / 1000;
		if (run.error) throw run.error;
		const written = run.json(NODE, 0).length;
		const failed = run.json(NODE, 1).length;
		const budget = getRateBudget(rateBudgetKey(`n8n-credential:${CREDENTIAL_ID}`, contract.apiUrl));

		const perName = new Map<string, number>();
		for (const r of sim.collection('contact').list()) {
			const name = String(r.fields.lastname);
			perName.set(name, (perName.get(name) ?? 0) + 1);
		}
		let lost = 0;
		let duplicates = 0;
		for (let i = 0; i < records; i++) {
			const n = perName.get(`Bench ${i}`) ?? 0;
			if (n === 0) lost++;
			else duplicates += n - 1;
		}
		const byKind = sim.log.byKind();
		// The node writes through `$batch` only: every `records.create` entry is an inner request of a batch.
		const operations = byKind['records.create'] ?? 0;
		delete byKind['records.create'];
		const httpCallsTotal = Object.values(byKind).reduce((a, b) => a + b, 0);
		const batches = byKind.batch ?? 0;
		const recordsPerRequest = batches > 0 ? operations / batches : 1;
		return {
			records,
			seconds,
			recordsPerSecond: written / seconds,
			httpCalls: byKind,
			httpCallsTotal,
			callsPerRecord: httpCallsTotal / records,
			operations,
			throttled: sim.log.count({ status: 429 }),
			retryAfterSeconds: retryAfter,
			pacedSeconds: budget.stats().throttledMs / 1000,
			peakRssMiB: peakRss / 1024 / 1024,
			written,
			failed,
			lost,
			duplicates,
			ceiling: dataverseCeiling(limits, { recordsPerRequest, latencyMs: LATENCY_MS, records }),
		};
	} finally {
		clearInterval(sampler);
		clearInterval(progress);
		clearRateBudgets();
		await sim.stop();
	}
}

/** Runs the benchmark, prints its table and returns the figures. */
export async function run(records = 10_000): Promise<DynamicsBenchFigures> {
	const l = DEFAULT_SERVICE_PROTECTION;
	console.log(
		`Dynamics 365 Record › Create through n8n's engine, Dataverse simulator at its real per-user limits (${l.requests} requests and ${l.executionMs.toLocaleString('en-US')} ms execution time per ${l.windowMs / 1000} s sliding window, ${l.concurrent} concurrent; ${l.costPerOperationMs} ms per operation), ${LATENCY_MS} ms latency`,
	);
	const f = await measure(records);
	const c = f.ceiling;
	const rows: Array<[string, string]> = [
		['records', `${f.records} (${f.written} written, ${f.failed} on the error output)`],
		['seconds', f.seconds.toFixed(1)],
		['records/s', f.recordsPerSecond.toFixed(1)],
		[
			'HTTP calls',
			`${f.httpCallsTotal} ${JSON.stringify(f.httpCalls)}; ${f.operations} creates inside $batch`,
		],
		['calls per record', f.callsPerRecord.toFixed(4)],
		[
			'429s (simulator)',
			`${f.throttled}${f.throttled ? ` (Retry-After s: ${f.retryAfterSeconds.join(', ')})` : ''}`,
		],
		['paced by the budget', `${f.pacedSeconds.toFixed(1)} s`],
		['peak RSS', `${f.peakRssMiB.toFixed(0)} MiB`],
		['lost / duplicates', `${f.lost} / ${f.duplicates}`],
		[
			'ceiling: requests',
			`${c.byRequests.toFixed(0)} records/s (${c.requestsPerSecond} requests/s × ${c.recordsPerRequest} records/request)`,
		],
		[
			'ceiling: execution time',
			`${c.byExecutionTime.toFixed(1)} records/s (${c.executionMsPerSecond} ms/s ÷ ${c.executionMsPerRecord.toFixed(2)} ms/record)`,
		],
		[
			'ceiling: concurrency',
			`${c.byConcurrency.toFixed(0)} records/s (${c.concurrent} × ${c.recordsPerRequest} ÷ ${(c.requestMs / 1000).toFixed(2)} s/request)`,
		],
		[
			'ceiling',
			`${c.recordsPerSecond.toFixed(1)} records/s (${c.binding}); first window's allowance ${c.windowAllowance} records`,
		],
		[
			'fastest possible',
			`${c.minimumSeconds.toFixed(0)} s for ${f.records} records (whole windows waited after the allowance: ${c.windowsWaited})`,
		],
	];
	for (const [k, v] of rows) console.log(`${k.padEnd(24)} | ${v}`);
	return f;
}

if (require.main === module) {
	const n = Number(process.argv[2]);
	run(Number.isInteger(n) && n > 0 ? n : undefined).catch((err: unknown) => {
		console.error(err);
		process.exitCode = 1;
	});
}

/** The figures as a benchmark entry (`--json`). */
export function asEntry(f: DynamicsBenchFigures): BenchEntry {
	return {
		scenario: 'dynamics create (ours)',
		records: f.records,
		seconds: f.seconds,
		recordsPerSecond: f.recordsPerSecond,
		ceilingRecordsPerSecond: f.ceiling.recordsPerSecond,
		apiCalls: f.httpCallsTotal,
		http429: f.throttled,
		peakRssMb: f.peakRssMiB,
		lost: f.lost,
		duplicates: f.duplicates,
		baseline: false,
		comparesTo: null,
		note: `${f.written} written, ${f.failed} on the error output; HTTP calls ${JSON.stringify(f.httpCalls)}; ${f.operations} creates inside $batch; paced ${f.pacedSeconds.toFixed(1)} s`,
	};
}
