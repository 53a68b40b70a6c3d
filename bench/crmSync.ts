/**
 * The CRM Sync node at the API-quota ceiling (`BENCH=crmsync npm run bench`): Manual Trigger → CRM Sync through
 * n8n's engine, the simulators in a child process (`simHost.ts`: vendor-like limits on, 40 ms latency), state in
 * SQLite (the node's default store). Scenarios:
 * - `crm sync SF→HS one-way`: Salesforce Contact → HubSpot contacts at each of `BENCH_CRMSYNC_SIZES` (default
 *   10000,100000; `--quick` 500);
 * - `crm sync HS→Dynamics one-way` and `crm sync Dynamics→SF one-way` at `BENCH_CRMSYNC_RECORDS` (10000; quick 500);
 * - `crm sync two-way SF↔HS`: `BENCH_CRMSYNC_RECORDS` per side (a third on both), backfill, then 10 % edited on each
 *   side and the incremental run (two entries);
 * - `crm sync 1,000,000 records`, only with `BENCH_CRMSYNC_MILLION=1` (or `=<records>`): Salesforce Contact → Lead in
 *   one org — the only pair whose quotas carry a million in minutes (README).
 * Each entry: seconds, records/s, the ceiling the limits allow (`syncCeiling.ts`), API calls and 429s counted in the
 * simulators, the bench process's peak RSS (sampled every 50 ms), lost / duplicated people from the final state.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import type { IDataObject } from 'n8n-workflow';

import { clearRateBudgets } from '../core/http/rateLimiter';
import { DEFAULT_SERVICE_PROTECTION } from '../sandbox/dynamics/protectionLimits';
import { runWorkflow } from '../test/helpers/engine';
import { credentials, SimHost, SYNC, syncWorkflow, type HostStats } from './crmSyncFlow';
import { ENTRY_HEADER, entryLine, measured, type BenchEntry } from './entry';
import { HUBSPOT_LIMITS, LATENCY_MS, SALESFORCE_DAILY_LIMIT, type SimSide } from './simPeople';
import { syncCeiling, type SideCeiling, type SideLoad } from './syncCeiling';

const SIM_KEY: Record<SimSide, 'sf' | 'hs' | 'dv'> = { sf: 'sf', sfLead: 'sf', hs: 'hs', dv: 'dv' };

/** The ceiling side of a simulator side with its load. */
function ceilingSide(side: SimSide, load: SideLoad): SideCeiling {
	if (side === 'hs') return { vendor: 'hubspot', limits: HUBSPOT_LIMITS, load };
	if (side === 'dv') return { vendor: 'dynamics', limits: DEFAULT_SERVICE_PROTECTION, load };
	return { vendor: 'salesforce', limits: { daily: SALESFORCE_DAILY_LIMIT }, load };
}

interface Counts {
	read: { a: number; b: number };
	created: { a: number; b: number };
	updated: { a: number; b: number };
	failed: number;
}

/**
 * The per-stage timings the node's Report carries (`timings: { readMs, planMs, writeMs, commitMs, otherMs, totalMs }`),
 * when it carries them: µs per record.
 */
function stageTimings(report: IDataObject, records: number): string {
	const t = report.timings as unknown;
	if (!t || typeof t !== 'object') return '';
	const parts = Object.entries(t as Record<string, unknown>)
		.filter(([, v]) => typeof v === 'number')
		.map(
			([k, v]) =>
				`${k.replace(/Ms$/, '')} ${(((v as number) * 1000) / Math.max(1, records)).toFixed(1)}`,
		);
	return parts.length ? `; µs per record by stage: ${parts.join(', ')}` : '';
}

const kinds = (s: HostStats, key: 'sf' | 'hs' | 'dv') =>
	Object.entries(s[key].byKind)
		.sort((x, y) => y[1] - x[1])
		.map(([k, n]) => `${k} ${n}`)
		.join(', ');

/**
 * Runs the sync once (`a` → `b` or both ways) and returns its entry: `expected` people `from..to` must be on both
 * sides once each afterwards (one-way: on `b`). `work`: the records the run is for (records/s counts them) and the
 * least each side must read (its changes; the ceiling's load, with the writes the Report counts) — not what the
 * engine read besides (its own writes read back, in the note); `incremental`: a run after the backfill (it reads
 * changes only, so HubSpot's feed cannot go by its list API).
 */
async function syncOnce(
	host: SimHost,
	scenario: string,
	pair: { a: SimSide; b: SimSide; direction: 'both' | 'aToB' },
	sqliteFile: string,
	contracts: Awaited<ReturnType<SimHost['start']>>,
	expected: { from: number; to: number },
	work: { records: number; read: { a: number; b: number }; incremental?: boolean },
): Promise<BenchEntry> {
	await host.pastLags();
	await host.resetStats();
	clearRateBudgets();
	// Progress on stderr every 30 s: this process's memory (to tell a long run from a stall, and where memory goes).
	const started = performance.now();
	const mb = (n: number) => `${(n / 2 ** 20).toFixed(0)} MB`;
	const memory = { heapUsed: 0, heapTotal: 0, external: 0 };
	const sampleMemory = setInterval(() => {
		const m = process.memoryUsage();
		for (const k of ['heapUsed', 'heapTotal', 'external'] as const)
			memory[k] = Math.max(memory[k], m[k]);
	}, 250);
	const progress = setInterval(() => {
		const m = process.memoryUsage();
		console.error(
			`  … ${scenario}: ${((performance.now() - started) / 1000).toFixed(0)} s, RSS ${mb(m.rss)} (heap used ${mb(m.heapUsed)} of ${mb(m.heapTotal)}, external ${mb(m.external)}, array buffers ${mb(m.arrayBuffers)})`,
		);
	}, 30_000);
	const {
		result: run,
		seconds,
		peakRssMb,
	} = await measured(
		async () =>
			await runWorkflow(syncWorkflow(pair.a, pair.b, pair.direction, sqliteFile), {
				credentials: credentials(contracts),
			}),
	).finally(() => {
		clearInterval(progress);
		clearInterval(sampleMemory);
	});
	if (run.error) throw run.error;
	const report = run.json(SYNC, 0)[0] as IDataObject & { counts: Counts };
	const failed = run.json(SYNC, 2).length;
	const stats = await host.stats();
	const checked = pair.direction === 'aToB' ? [pair.b] : [pair.a, pair.b];
	const sides = await host.counts(checked, expected.from, expected.to);
	const c = report.counts;
	const records = work.records;
	const load = (side: 'a' | 'b'): SideLoad => ({
		read: work.read[side],
		written: c.created[side] + c.updated[side],
		backfill: !work.incremental,
	});
	const sameOrg = SIM_KEY[pair.a] === SIM_KEY[pair.b];
	const ceiling = syncCeiling(
		records,
		sameOrg
			? [
					ceilingSide(pair.a, {
						read: work.read.a + work.read.b,
						written: load('a').written + load('b').written,
						backfill: !work.incremental,
					}),
				]
			: [ceilingSide(pair.a, load('a')), ceilingSide(pair.b, load('b'))],
		LATENCY_MS,
	);
	const used = [...new Set([SIM_KEY[pair.a], SIM_KEY[pair.b]])];
	const apiCalls = used.reduce((n, k) => n + stats[k].calls, 0);
	const note = [
		`read a/b ${c.read.a}/${c.read.b}, created a/b ${c.created.a}/${c.created.b}, updated a/b ${c.updated.a}/${c.updated.b}, ${failed} failed`,
		...used.map(
			(k) =>
				`${k}: ${stats[k].calls} calls (${(stats[k].calls / Math.max(1, records)).toFixed(4)}/record; ${stats[k].writes} writes${stats[k].innerOperations ? `, ${stats[k].innerOperations} operations in $batch` : ''}; peak ${stats[k].peakPerWindow} per ${stats[k].windowMs / 1000} s) ${kinds(stats, k)}`,
		),
		`least time the limits allow ${ceiling.minimumSeconds.toFixed(2)} s`,
		`this process's peaks: heap used ${mb(memory.heapUsed)}, heap total ${mb(memory.heapTotal)}, external ${mb(memory.external)}`,
		`simulators' process RSS ${stats.childRssMb.toFixed(0)} MB`,
	].join('; ');
	return {
		scenario,
		records,
		seconds,
		recordsPerSecond: records / seconds,
		ceilingRecordsPerSecond: ceiling.recordsPerSecond,
		apiCalls,
		http429: used.reduce((n, k) => n + stats[k].http429, 0),
		peakRssMb,
		lost: Object.values(sides).reduce((n, s) => n + s.lost, 0),
		duplicates: Object.values(sides).reduce((n, s) => n + s.duplicates, 0),
		baseline: false,
		comparesTo: null,
		note: note + stageTimings(report, records),
	};
}

/** A fresh simulators' child and SQLite file for `body`; both gone afterwards, whatever happens. */
async function withHost<T>(
	body: (
		host: SimHost,
		contracts: Awaited<ReturnType<SimHost['start']>>,
		file: string,
	) => Promise<T>,
): Promise<T> {
	const host = new SimHost();
	const dir = mkdtempSync(join(tmpdir(), 'crm-sync-bench-'));
	try {
		const contracts = await host.start();
		return await body(host, contracts, join(dir, 'state.sqlite'));
	} finally {
		await host.stop();
		clearRateBudgets();
		rmSync(dir, { recursive: true, force: true });
	}
}

/** One-way `a` → `b` with `records` seeded on `a`. */
async function oneWay(
	scenario: string,
	a: SimSide,
	b: SimSide,
	records: number,
): Promise<BenchEntry> {
	return await withHost(async (host, contracts, file) => {
		const seedSeconds = await host.seed(a, 0, records);
		console.error(`  (${scenario}: ${records} seeded in ${seedSeconds.toFixed(1)} s)`);
		const e = await syncOnce(
			host,
			`${scenario} ${records}`,
			{ a, b, direction: 'aToB' },
			file,
			contracts,
			{ from: 0, to: records },
			{ records, read: { a: records, b: 0 } },
		);
		console.log(entryLine(e));
		return e;
	});
}

/** Two-way Salesforce ↔ HubSpot: the backfill, then 10 % edited on each side and the incremental run. */
async function twoWay(records: number): Promise<BenchEntry[]> {
	return await withHost(async (host, contracts, file) => {
		const overlap = Math.floor(records / 3);
		await host.seed('sf', 0, records);
		await host.seed('hs', records - overlap, 2 * records - overlap);
		const pair = { a: 'sf', b: 'hs', direction: 'both' } as const;
		const everyone = { from: 0, to: 2 * records - overlap };
		const name = `crm sync two-way SF↔HS ${records}/side`;
		const backfill = await syncOnce(host, `${name} backfill`, pair, file, contracts, everyone, {
			records: 2 * records,
			read: { a: records, b: records },
		});
		console.log(entryLine(backfill));
		const editedSf = await host.edit('sf', 10, 'jobtitle', 'Edited in Salesforce');
		const editedHs = await host.edit('hs', 10, 'lastname', 'Edited in HubSpot');
		const inc = await syncOnce(
			host,
			`${name} incremental, 10 % edited`,
			pair,
			file,
			contracts,
			everyone,
			{ records: editedSf + editedHs, read: { a: editedSf, b: editedHs }, incremental: true },
		);
		inc.note = `${editedSf} edited in Salesforce, ${editedHs} in HubSpot; ${inc.note}`;
		console.log(entryLine(inc));
		return [backfill, inc];
	});
}

const sizes = (name: string, fallback: number[]): number[] => {
	const list = (process.env[name] ?? '')
		.split(',')
		.map((v) => Number(v.trim()))
		.filter((n) => Number.isInteger(n) && n > 0);
	return list.length ? list : fallback;
};

/** `BENCH_CRMSYNC_ONLY=sfhs,hsdv,dvsf,twoway` runs only those (default all; the million goes by its own variable). */
const ONLY = (process.env.BENCH_CRMSYNC_ONLY ?? '')
	.split(',')
	.map((v) => v.trim())
	.filter(Boolean);

/** Runs the scenarios and prints the table. */
export async function run(): Promise<BenchEntry[]> {
	const records = sizes('BENCH_CRMSYNC_RECORDS', [10_000])[0];
	const million = process.env.BENCH_CRMSYNC_MILLION;
	console.log(
		`CRM Sync node through n8n's engine; simulators in a child process at ${LATENCY_MS} ms latency, HubSpot ${HUBSPOT_LIMITS.tenSecondly} requests / 10 s, Salesforce ${SALESFORCE_DAILY_LIMIT} requests / 24 h, Dataverse service protection; state in SQLite`,
	);
	console.log(ENTRY_HEADER);
	const entries: BenchEntry[] = [];
	const wanted = (name: string) => !ONLY.length || ONLY.includes(name);
	if (wanted('sfhs'))
		for (const n of sizes('BENCH_CRMSYNC_SIZES', [10_000, 100_000]))
			entries.push(await oneWay('crm sync SF→HS one-way', 'sf', 'hs', n));
	if (wanted('hsdv'))
		entries.push(await oneWay('crm sync HS→Dynamics one-way', 'hs', 'dv', records));
	if (wanted('dvsf'))
		entries.push(await oneWay('crm sync Dynamics→SF one-way', 'dv', 'sf', records));
	if (wanted('twoway')) entries.push(...(await twoWay(records)));
	if (million && million !== '0') {
		const n = Number(million) > 1 ? Number(million) : 1_000_000;
		entries.push(await oneWay('crm sync SF Contact→Lead one-way', 'sf', 'sfLead', n));
	}
	for (const e of entries) console.log(`  note: ${e.scenario}: ${e.note ?? ''}`);
	return entries;
}

if (require.main === module) {
	run().catch((err: unknown) => {
		console.error(err);
		process.exitCode = 1;
	});
}
