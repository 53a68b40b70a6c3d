/**
 * Two-way sync figures (`BENCH=sync npm run bench`; `BENCH_SYNC_RECORDS` sets the records per side, default
 * 10000): Salesforce Contact ↔ HubSpot contacts by e-mail over the simulators (a third of the records on both
 * sides), on a ManualClock moved past the change-feed lags between runs: the backfill, a run with no edits (reads
 * only), and a run after 1 % of the records were edited on each side. Prints per run: seconds, records read per
 * second, API requests per simulator (writes apart), records created / updated, store commits. Asserts nothing.
 */
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
import { HubSpotSimulator } from '../sandbox';
import { ManualClock } from '../sandbox/kit/clock';
import { SalesforceSimulator } from '../sandbox/salesforce';

const SF_WRITES = /^(sobject\.(create|update|delete)|collections\.(create|update|delete)|bulk\.)/;
const HS_WRITES = /^(create|update|archive|batch\.(create|update|upsert|archive))$/;

/** Runs the benchmark with `records` per side and prints its figures. */
export async function run(records = 10_000): Promise<void> {
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
		const store = new MemorySyncStore(() => clock.now());
		const measure = async (label: string) => {
			const before = { sf: sf.log.entries(), hs: hs.log.entries(), commits: store.commits };
			const t0 = performance.now();
			const report = await runSync(config, store, { now: () => clock.now() });
			const seconds = (performance.now() - t0) / 1000;
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
					String(store.commits - before.commits).padStart(7),
				].join(' | '),
			);
			clock.advance(600_000);
		};
		console.log(
			`Two-way sync, ${records} contacts per side (${overlap} on both, matched by e-mail), in-memory state store`,
		);
		console.log(
			'run                    | seconds | read/s   | Salesforce calls   | HubSpot calls      | created a/b | upd. a/b | commits',
		);
		await measure('1 backfill');
		await measure('2 no edits');
		const edits = Math.max(1, Math.floor(records / 100));
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
			'read/s = records read from both change feeds per second; requests include lookups, reads and describes.',
		);
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
