/**
 * A child process of engine.processes.test.ts: one sync run (Salesforce Contact ↔ HubSpot contacts, the
 * scenario config of world.ts) against the parent's simulators, on a SQLite file or a PostgreSQL schema.
 * Opens the store, says `ready`, waits for `go`, then runs; its first CRM call (after the run lock) says
 * `entered` and waits for `open`; its first lock poll says `polled`. Ends with one JSON line:
 * `{ ok: true, backfill, counts, writes }` or `{ ok: false, name, holder, message }`.
 */
import { createInterface } from 'node:readline';
import type { CrmConnector } from '../../core/connectors/contract';
import { HubSpotConnector } from '../../core/connectors/hubspot/connector';
import { HubSpotCrm } from '../../core/connectors/hubspot/crm';
import { SalesforceConnector } from '../../core/connectors/salesforce/connector';
import { SalesforceCrm } from '../../core/connectors/salesforce/crm';
import { salesforceDialect } from '../../core/connectors/salesforce/dialect';
import { BearerAuth } from '../../core/http/auth';
import { HttpClient } from '../../core/http/client';
import { runSync, SyncLockedError } from '../../core/sync/engine';
import { PostgresSyncStore, SqliteSyncStore, type SyncStore } from '../../core/sync/store';

export interface RunChildConfig {
	store:
		| { kind: 'sqlite'; file: string }
		| { kind: 'postgres'; connection: object; schema: string };
	sf: { instanceUrl: string; accessToken: string };
	hs: { baseUrl: string; accessToken: string };
	owner: string;
	lockWaitMs: number;
}

const say = (value: unknown) => process.stdout.write(`${JSON.stringify(value)}\n`);

async function main(): Promise<void> {
	const config = JSON.parse(process.argv[2]) as RunChildConfig;
	const store: SyncStore =
		config.store.kind === 'sqlite'
			? new SqliteSyncStore({ file: config.store.file, busyTimeoutMs: 30_000 })
			: new PostgresSyncStore({ connection: config.store.connection, schema: config.store.schema });
	const lines = createInterface({ input: process.stdin })[Symbol.asyncIterator]();
	const expectWord = async (word: string) => {
		const { value } = await lines.next();
		if (value !== word) throw new Error(`expected ${word} on stdin, got ${String(value)}`);
	};
	await store.open();
	say('ready');
	await expectWord('go');

	let writes = 0;
	let entered = false;
	const gate = (c: CrmConnector): CrmConnector => {
		const describe = c.describe.bind(c);
		c.describe = async (type) => {
			if (!entered) {
				entered = true;
				say('entered');
				await expectWord('open');
			}
			return describe(type);
		};
		const write = c.write.bind(c);
		c.write = async (op, type, inputs, options) => {
			writes += inputs.length;
			return write(op, type, inputs, options);
		};
		return c;
	};
	const http = new HttpClient({
		auth: new BearerAuth({ token: config.sf.accessToken }),
		dialect: salesforceDialect,
		rateLimit: false,
		retry: { sleep: async () => undefined },
	});
	const a = gate(
		new SalesforceCrm(new SalesforceConnector({ instanceUrl: config.sf.instanceUrl, http }), {
			changesPageSize: 50,
		}),
	);
	const b = gate(
		new HubSpotCrm(
			new HubSpotConnector({
				baseUrl: config.hs.baseUrl,
				accessToken: config.hs.accessToken,
				rateLimit: false,
			}),
		),
	);
	let polled = false;
	try {
		const report = await runSync(
			{
				syncId: 'contacts',
				a: { connector: a, objectType: 'Contact' },
				b: { connector: b, objectType: 'contacts' },
				matchKeys: [{ a: 'Email', b: 'email', normalize: 'email' }],
				fields: [
					{ a: 'Email', b: 'email' },
					{ a: 'LastName', b: 'lastname' },
					{ a: 'FirstName', b: 'firstname', conflict: 'review' },
					{ a: 'Title', b: 'jobtitle', conflict: 'bWins' },
					{ a: 'Phone', b: 'phone', conflict: 'mostRecent' },
				],
				conflict: 'aWins',
				deletes: 'propagate',
			},
			store,
			{
				owner: config.owner,
				lockWaitMs: config.lockWaitMs,
				lockPollMs: 20,
				sleep: async (ms) => {
					if (!polled) {
						polled = true;
						say('polled');
					}
					await new Promise((resolve) => setTimeout(resolve, ms));
				},
			},
		);
		say({ ok: true, backfill: report.backfill, counts: report.counts, writes });
	} catch (error) {
		const e = error as Error;
		say({
			ok: false,
			name: e.name,
			holder: e instanceof SyncLockedError ? e.holder : undefined,
			message: e.message,
			writes,
		});
	}
	await store.close();
	process.exit(0);
}

main().catch((err: Error) => {
	process.stderr.write(`${err.stack ?? err.message}\n`);
	process.exit(1);
});
