/**
 * The Salesforce change feed over many changes of one second (a data load): a page that ends inside the second
 * resumes after its last Id in the query itself, so the rows Salesforce sends add up to the changes once — before,
 * every page read the second again from its start (450 changes in pages of 100: 1,250 rows for 450 records).
 */
import { SalesforceConnector } from '../../../core/connectors/salesforce/connector';
import { SalesforceCrm } from '../../../core/connectors/salesforce/crm';
import { salesforceDialect } from '../../../core/connectors/salesforce/dialect';
import { BearerAuth } from '../../../core/http/auth';
import { HttpClient } from '../../../core/http/client';
import { ManualClock } from '../../../sandbox/kit/clock';
import { SalesforceSimulator, type SalesforceSimContract } from '../../../sandbox/salesforce';

jest.setTimeout(60_000);

const clock = new ManualClock(Date.UTC(2024, 5, 3, 9, 0, 0));
const sim = new SalesforceSimulator({ clock, seed: 11 });
let contract: SalesforceSimContract;
/** Rows the simulator answered to queries (every page, `nextRecordsUrl` ones included). */
let rowsSent = 0;

beforeAll(async () => {
	contract = await sim.start();
	sim.server.use(async (req, next) => {
		const reply = await next();
		if (/\/query(All)?(\/|\?|$)/.test(req.path) && reply.status === 200 && reply.body)
			rowsSent += (JSON.parse(String(reply.body)) as { records: unknown[] }).records.length;
		return reply;
	});
});
afterAll(async () => await sim.stop());

function crm(): SalesforceCrm {
	const http = new HttpClient({
		auth: new BearerAuth({ token: contract.accessToken }),
		dialect: salesforceDialect,
		rateLimit: false,
		retry: { sleep: async () => undefined },
	});
	return new SalesforceCrm(new SalesforceConnector({ instanceUrl: contract.instanceUrl, http }), {
		changesPageSize: 100,
	});
}

test('450 changes in one second, pages of 100: each change read once, in (SystemModstamp, Id) order', async () => {
	const table = sim.table('Contact');
	const ids = Array.from(
		{ length: 450 },
		(_, i) => table.insert({ LastName: `Load ${i}` }).id,
	).sort();
	clock.advance(2_000);
	// A change in a later second comes after the whole loaded second.
	const later = table.insert({ LastName: 'Later' }).id;
	clock.advance(120_000);
	rowsSent = 0;
	const seen: string[] = [];
	let pages = 0;
	for await (const page of crm().changesSince('Contact', null, {
		kind: 'updated',
		fields: ['LastName'],
	})) {
		pages++;
		seen.push(...page.records.map((r) => r.id as string));
	}
	expect(seen).toEqual([...ids, later]);
	expect(pages).toBe(5);
	// One row per change: each page's query starts after the last Id handed out and ends at the page's size.
	expect(rowsSent).toBe(451);
});

test('a stored watermark inside the second resumes after its Id: nothing skipped, nothing twice', async () => {
	const table = sim.table('Contact');
	sim.reset();
	const ids = Array.from(
		{ length: 250 },
		(_, i) => table.insert({ LastName: `Again ${i}` }).id,
	).sort();
	clock.advance(120_000);
	const first = crm().changesSince('Contact', null, { kind: 'updated', fields: ['LastName'] });
	const page1 = (await first[Symbol.asyncIterator]().next()).value as { watermark: unknown };
	const rest: string[] = [];
	for await (const page of crm().changesSince('Contact', page1.watermark as never, {
		kind: 'updated',
		fields: ['LastName'],
	}))
		rest.push(...page.records.map((r) => r.id as string));
	expect(rest).toEqual(ids.slice(100));
});
