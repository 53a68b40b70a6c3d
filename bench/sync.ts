/**
 * Two-way sync figures (`BENCH=sync npm run bench`; `BENCH_SYNC_RECORDS` sets the records per side, default
 * 10000): Salesforce Contact ↔ HubSpot contacts by e-mail over the simulators (a third of the records on both
 * sides), on a ManualClock moved past the change-feed lags between runs: the backfill, a run with no edits (reads
 * only), and a run after 5 % of the records were edited on each side (1,000 changes at 10,000). State in SQLite (the
 * node's default; `BENCH_SYNC_STORE=memory` for the in-memory store). Prints per run: seconds, records read per
 * second, API requests per simulator (writes apart), records created / updated, store commits, and the report's
 * stage timings in µs per record read (read, plan, write, commit, other); `BENCH_SYNC_GATHER` sets the engine's
 * `gatherLimit` (0: each feed page planned alone, as before pages were gathered). Asserts nothing.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { HubSpotConnector } from '../core/connectors/hubspot/connector';
import { HubSpotCrm } from '../core/connectors/hubspot/crm';
import { SalesforceConnector } from '../core/connectors/salesforce/connector';
import { SalesforceCrm } from '../core/connectors/salesforce/crm';
import { salesforceDialect } from '../core/connectors/salesforce/dialect';
import { BearerAuth } from '../core/http/auth';
import { HttpClient } from '../core/http/client';
import type { SyncConfig } from '../core/sync/config';
import { runSync } from '../core/sync/engine';
import { MemorySyncStore } from '../core/sync/store/memory';
import { SqliteSyncStore } from '../core/sync/store/sqlite';
import type { SyncStore } from '../core/sync/store/types';
import { HubSpotSimulator } from '../sandbox';
import { ManualClock } from '../sandbox/kit/clock';
import { SalesforceSimulator } from '../sandbox/salesforce';
import { lostAndDuplicates, noFigures, type BenchEntry } from './entry';

const SF_WRITES = /^(sobject\.(create|update|delete)|collections\.(create|update|delete)|bulk\.)/;
const HS_WRITES = /^(create|update|archive|batch\.(create|update|upsert|archive))$/;

/** Runs the benchmark with `records` per side and prints its figures. */
export async function run(
	records = 10_000,
	storeKind: 'sqlite' | 'memory' = process.env.BENCH_SYNC_STORE === 'memory' ? 'memory' : 'sqlite',
): Promise<BenchEntry[]> {
	const clock = new ManualClock(Date.UTC(2024, 6, 1, 8, 0, 0));
	const sf = new SalesforceSimulator({ clock, seed: 5 });
	const hs = new HubSpotSimulator({ clock, rateLimits: false, seed: 6, strictTimestamps: false });
	const sfc = await sf.start();
	const hsc = await hs.start();
	try {
		const overlap = Math.floor(records / 3);
		const person = (i: number) => ({
			email: `p${i}@example.com`,
			lastname: `Last ${i}`,
			firstname: 'Bench',
			jobtitle: `Title ${i % 50}`,
		});
		for (let i = 0; i < records; i++) {
			const p = person(i);
			sf.table('Contact').insert({
				Email: p.email,
				LastName: p.lastname,
				FirstName: p.firstname,
				Title: p.jobtitle,
			});
		}
		for (let i = records - overlap; i < 2 * records - overlap; i++)
			hs.insertDirect('contacts', person(i));
		clock.advance(600_000);

		const http = new HttpClient({
			auth: new BearerAuth({ token: sfc.accessToken }),
			dialect: salesforceDialect,
			rateLimit: false,
		});
		const config: SyncConfig = {
			syncId: 'bench',
			a: {
				connector: new SalesforceCrm(
					new SalesforceConnector({ instanceUrl: sfc.instanceUrl, http }),
				),
				objectType: 'Contact',
			},
			b: {
				connector: new HubSpotCrm(
					new HubSpotConnector({
						baseUrl: hsc.baseUrl,
						accessToken: hsc.accessToken,
						rateLimit: false,
					}),
				),
				objectType: 'contacts',
			},
			matchKeys: [{ a: 'Email', b: 'email', normalize: 'email' }],
			fields: [
				{ a: 'Email', b: 'email' },
				{ a: 'LastName', b: 'lastname' },
				{ a: 'FirstName', b: 'firstname' },
				{ a: 'Title', b: 'jobtitle' },
			],
			conflict: 'mostRecent',
		};
		const counted = new CountingStore(
			storeKind === 'memory'
				? new MemorySyncStore(() => clock.now())
				: new SqliteSyncStore({
						file: join(mkdtempSync(join(tmpdir(), 'crm-sync-bench-')), 'state.sqlite'),
						now: () => clock.now(),
					}),
		);
		const store = counted;
		await store.open();
		const entries: BenchEntry[] = [];
		// Every person must be on both sides exactly once after each run (from the simulators' final state).
		const everyone = Array.from({ length: 2 * records - overlap }, (_, i) => person(i).email);
		const finalState = () => {
			const sfSide = lostAndDuplicates(
				everyone,
				sf
					.table('Contact')
					.collection.list()
					.map((r) => String(r.fields.Email)),
			);
			const hsSide = lostAndDuplicates(
				everyone,
				hs
					.collection('contacts')
					.list()
					.map((r) => String(r.fields.email)),
			);
			return {
				lost: sfSide.lost + hsSide.lost,
				duplicates: sfSide.duplicates + hsSide.duplicates,
			};
		};
		const measure = async (label: string) => {
			const before = { sf: sf.log.entries(), hs: hs.log.entries(), commits: counted.commits };
			let heapPeak = process.memoryUsage().heapUsed;
			const sampler = setInterval(() => {
				heapPeak = Math.max(heapPeak, process.memoryUsage().heapUsed);
			}, 50);
			const t0 = performance.now();
			const report = await runSync(config, store, {
				now: () => clock.now(),
				...(process.env.BENCH_SYNC_GATHER
					? { gatherLimit: Number(process.env.BENCH_SYNC_GATHER) }
					: {}),
			});
			const seconds = (performance.now() - t0) / 1000;
			clearInterval(sampler);
			const sfNew = sf.log.entries().length - before.sf.length;
			const hsNew = hs.log.entries().length - before.hs.length;
			const calls = (log: typeof before.sf, after: typeof before.sf, writes: RegExp) => {
				const seen = new Set(log.map((e) => e.seq));
				const fresh = after.filter((e) => !seen.has(e.seq));
				return `${fresh.length} (${fresh.filter((e) => writes.test(e.kind ?? '')).length} writes)`;
			};
			const read = report.counts.read.a + report.counts.read.b;
			console.log(
				[
					label.padEnd(22),
					seconds.toFixed(2).padStart(7),
					(read / seconds).toFixed(0).padStart(8),
					calls(before.sf, sf.log.entries(), SF_WRITES).padStart(18),
					calls(before.hs, hs.log.entries(), HS_WRITES).padStart(18),
					`${report.counts.created.a}/${report.counts.created.b}`.padStart(11),
					`${report.counts.updated.a}/${report.counts.updated.b}`.padStart(9),
					String(counted.commits - before.commits).padStart(7),
					((sfNew + hsNew) / Math.max(1, report.counts.read.a + report.counts.read.b))
						.toFixed(3)
						.padStart(10),
					`${(heapPeak / 2 ** 20).toFixed(0)} MiB`.padStart(9),
				].join(' | '),
			);
			// Where the run's time went, per record read (the report's timings; other = lock, describe, state loading, engine).
			const t = report.timings;
			const us = (ms: number) => ((ms * 1000) / Math.max(1, read)).toFixed(1);
			console.log(
				`${''.padEnd(22)}   stages, µs per record read: read ${us(t.readMs)}, plan ${us(t.planMs)}, write ${us(t.writeMs)}, commit ${us(t.commitMs)}, other ${us(t.otherMs)} (total ${us(t.totalMs)}; ms: ${[t.readMs, t.planMs, t.writeMs, t.commitMs, t.otherMs].map((x) => x.toFixed(0)).join('/')})`,
			);
			const fresh = (log: typeof before.sf, after: typeof before.sf) => {
				const seen = new Set(log.map((e) => e.seq));
				return after.filter((e) => !seen.has(e.seq));
			};
			const freshEntries = [
				...fresh(before.sf, sf.log.entries()),
				...fresh(before.hs, hs.log.entries()),
			];
			entries.push({
				...noFigures(`sync ${label}`, seconds),
				records: read,
				recordsPerSecond: read / seconds,
				apiCalls: sfNew + hsNew,
				http429: freshEntries.filter((e) => e.status === 429).length,
				...finalState(),
				note: `records = read from both change feeds; created a/b ${report.counts.created.a}/${report.counts.created.b}, updated ${report.counts.updated.a}/${report.counts.updated.b}; lost/duplicates: people missing from / doubled on either side after the run`,
			});
			clock.advance(600_000);
		};
		console.log(
			`Two-way sync, ${records} contacts per side (${overlap} on both, matched by e-mail), ${storeKind} state store`,
		);
		console.log(
			'run                    | seconds | read/s   | Salesforce calls   | HubSpot calls      | created a/b | upd. a/b | commits | calls/read | heap peak',
		);
		await measure('1 backfill');
		await measure('2 no edits');
		const edits = Math.max(1, Math.floor(records / 20));
		const sfIds = sf
			.table('Contact')
			.collection.list()
			.slice(0, edits)
			.map((r) => r.id);
		for (const id of sfIds) sf.table('Contact').patch(id, { Title: 'Edited in Salesforce' });
		const hsIds = hs
			.collection('contacts')
			.list()
			.slice(0, edits)
			.map((r) => r.id);
		for (const id of hsIds) hs.updateDirect('contacts', id, { lastname: 'Edited in HubSpot' });
		clock.advance(600_000);
		await measure(`3 ${edits} edits per side`);
		console.log(
			'read/s = records read from both change feeds per second; requests include lookups, reads and describes;',
		);
		console.log(
			'calls/read = API requests of both CRMs per record read; heap peak = this process, simulators included (sampled every 50 ms).',
		);
		await store.close();
		return entries;
	} finally {
		await sf.stop();
		await hs.stop();
	}
}

if (require.main === module) {
	run(Number(process.argv[2] ?? process.env.BENCH_SYNC_RECORDS ?? 10_000)).catch((e: unknown) => {
		console.error(e);
		process.exitCode = 1;
	});
}

/** Counts the commits of any store (the figures' "commits" column). */
class CountingStore implements SyncStore {
	commits = 0;
	constructor(private readonly inner: SyncStore) {}
	open = () => this.inner.open();
	close = () => this.inner.close();
	acquireLock: SyncStore['acquireLock'] = (...a) => this.inner.acquireLock(...a);
	renewLock: SyncStore['renewLock'] = (...a) => this.inner.renewLock(...a);
	releaseLock: SyncStore['releaseLock'] = (...a) => this.inner.releaseLock(...a);
	lockHolder: SyncStore['lockHolder'] = (...a) => this.inner.lockHolder!(...a);
	getMeta: SyncStore['getMeta'] = (...a) => this.inner.getMeta(...a);
	getLinksByIds: SyncStore['getLinksByIds'] = (...a) => this.inner.getLinksByIds(...a);
	listLinks: SyncStore['listLinks'] = (...a) => this.inner.listLinks(...a);
	countLinks: SyncStore['countLinks'] = (...a) => this.inner.countLinks(...a);
	listFailures: SyncStore['listFailures'] = (...a) => this.inner.listFailures(...a);
	listDecisions: SyncStore['listDecisions'] = (...a) => this.inner.listDecisions(...a);
	putDecision: SyncStore['putDecision'] = (...a) => this.inner.putDecision(...a);
	listConflicts: SyncStore['listConflicts'] = (...a) => this.inner.listConflicts(...a);
	reset: SyncStore['reset'] = (...a) => this.inner.reset(...a);
	commit: SyncStore['commit'] = async (...a) => {
		await this.inner.commit(...a);
		this.commits++;
	};
}
