/**
 * The requests of one look-up (`getByIds` / `findByKeys`: a chunk of values each) in flight at once, counted in each
 * CRM's simulator (a middleware holds each look-up request a little and counts how many it handles at once):
 * Salesforce SOQL `IN` queries of 200 values (4 at once), HubSpot search `IN` filters of 100 values (the batch
 * concurrency, 3), Dataverse `In` filters of 100 values (4, or the connector's `concurrency`). Results stay in input
 * order; a request failing among concurrent ones fails the call with its error, as one after another did.
 */
import type { CrmConnector } from '../../core/connectors/contract';
import { HubSpotConnector } from '../../core/connectors/hubspot/connector';
import { HubSpotCrm } from '../../core/connectors/hubspot/crm';
import { SalesforceCrm } from '../../core/connectors/salesforce/crm';
import { connectSalesforce } from '../../core/connectors/salesforce/session';
import { HubSpotSimulator, type HubSpotContract } from '../../sandbox';
import { json, type Middleware } from '../../sandbox/kit/http';
import { SalesforceSimulator, type SalesforceSimContract } from '../../sandbox/salesforce';
import { startDvWorld, type DvWorld } from './dynamics/helpers';

jest.setTimeout(60_000);

/** Look-up requests being handled now, the most at once, how many arrived; `failAt`: the n-th is refused (400). */
const flight = { now: 0, max: 0, seen: 0, failAt: 0 };
const holding =
	(kinds: string[], refusal: unknown): Middleware =>
	async (req, next) => {
		if (!kinds.includes(req.kind ?? '')) return await next();
		flight.max = Math.max(flight.max, ++flight.now);
		const refused = ++flight.seen === flight.failAt;
		try {
			// Long enough for the client to start the requests it means to run side by side.
			await new Promise((resolve) => setTimeout(resolve, 40));
			return refused ? json(refusal, 400) : await next();
		} finally {
			flight.now--;
		}
	};

const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown) => unhandled.push(reason);
beforeAll(() => process.on('unhandledRejection', onUnhandled));
afterAll(() => process.off('unhandledRejection', onUnhandled));
beforeEach(() => {
	Object.assign(flight, { max: 0, seen: 0, failAt: 0 });
	unhandled.length = 0;
});
afterEach(() => expect(unhandled).toEqual([]));

const email = (i: number) => `par${i}@example.com`;
/** `n` values, every third one of no record (`none…`), the rest of records 0.. in reverse order. */
const wanted = (n: number) =>
	Array.from({ length: n }, (_, i) => (i % 3 === 2 ? `none${i}@example.com` : email(n - i)));
const emailsOf = (found: Array<Array<{ fields: Record<string, unknown> }>>, field: string) =>
	found.map((list) => list.map((r) => String(r.fields[field]).toLowerCase()));
const expected = (n: number) => wanted(n).map((v) => (v.startsWith('none') ? [] : [v]));

describe('Salesforce look-ups: SOQL IN queries in flight at once', () => {
	let sim: SalesforceSimulator;
	let contract: SalesforceSimContract;
	let keys = 0;
	beforeAll(async () => {
		sim = new SalesforceSimulator({ seed: 5 });
		contract = await sim.start();
		sim.server.use(
			holding(['query'], [{ message: 'refused by the test', errorCode: 'MALFORMED_QUERY' }]),
		);
	});
	afterAll(async () => await sim.stop());
	beforeEach(() => {
		sim.reset();
		for (let i = 0; i <= 1000; i++)
			sim.table('Contact').insert({ LastName: `P${i}`, Email: email(i) });
	});
	const crm = async (): Promise<CrmConnector> =>
		new SalesforceCrm(
			await connectSalesforce({
				grant: {
					kind: 'password',
					loginUrl: contract.loginUrl,
					clientId: contract.clientId,
					clientSecret: contract.clientSecret,
					username: contract.username,
					password: contract.password,
				},
				http: { rateLimitKey: `lookup-parallel-${++keys}` },
			}),
		);

	it('findByKeys: 1,000 values in 5 queries, 4 at once, every match at its value', async () => {
		const c = await crm();
		const before = sim.log.count({ kind: 'query' });
		const found = await c.findByKeys('Contact', 'Email', wanted(1000), ['Email']);
		expect(sim.log.count({ kind: 'query' }) - before).toBe(5);
		expect(flight.max).toBe(4);
		expect(emailsOf(found, 'Email')).toEqual(expected(1000));
	});

	it('getByIds: 450 ids in 3 queries at once, in input order (undefined for an unknown id)', async () => {
		const c = await crm();
		const rows = sim.table('Contact').collection.list();
		const ids = rows
			.slice(0, 450)
			.map((r) => String(r.id))
			.reverse();
		ids[7] = '003000000000000AAA';
		const found = await c.getByIds('Contact', ids, ['Email']);
		expect(flight.max).toBe(3);
		expect(found.map((r) => r?.id)).toEqual(ids.map((id, i) => (i === 7 ? undefined : id)));
	});

	it('a query failing among concurrent ones fails the call with its error', async () => {
		const c = await crm();
		flight.failAt = 2;
		await expect(c.findByKeys('Contact', 'Email', wanted(1000), ['Email'])).rejects.toThrow(
			/refused by the test/,
		);
		// The 4 started together; none started after the failure was seen (the 5th waits for the 1st, then the 2nd).
		expect(flight.seen).toBe(5);
		expect(flight.max).toBe(4);
	});
});

describe('HubSpot look-ups by a property that is not unique: search IN filters in flight at once', () => {
	let sim: HubSpotSimulator;
	let contract: HubSpotContract;
	let credentials = 0;
	beforeAll(async () => {
		sim = new HubSpotSimulator({ seed: 6, rateLimits: false });
		contract = await sim.start();
		sim.server.use(
			holding(['search'], {
				status: 'error',
				message: 'refused by the test',
				category: 'VALIDATION_ERROR',
			}),
		);
	});
	afterAll(async () => await sim.stop());
	beforeEach(() => {
		sim.reset();
		for (let i = 0; i <= 300; i++)
			sim.insertDirect('contacts', { lastname: email(i), email: `hs${i}@x.org` });
	});
	const crm = (): CrmConnector =>
		new HubSpotCrm(
			new HubSpotConnector({
				baseUrl: contract.baseUrl,
				accessToken: contract.accessToken,
				// A search budget of its own per connector (5 per second), so one test's searches do not pace the next's.
				credentialKey: `lookup-parallel-${++credentials}`,
			}),
		);

	it('findByKeys: 300 values in 3 searches at once, every match at its value', async () => {
		const c = crm();
		const found = await c.findByKeys('contacts', 'lastname', wanted(300), ['lastname']);
		expect(sim.log.count({ kind: 'search' })).toBe(3);
		expect(flight.max).toBe(3);
		expect(emailsOf(found, 'lastname')).toEqual(expected(300));
	});

	it('a search failing among concurrent ones fails the call with its error', async () => {
		const c = crm();
		flight.failAt = 2;
		await expect(c.findByKeys('contacts', 'lastname', wanted(300), ['lastname'])).rejects.toThrow(
			/refused by the test/,
		);
		expect(flight.seen).toBe(3);
		expect(flight.max).toBe(3);
	});
});

describe('Dataverse look-ups: In filters in flight at once', () => {
	let w: DvWorld;
	beforeAll(async () => {
		w = await startDvWorld({ seed: 9 });
		w.sim.server.use(
			holding(['records.list'], { error: { code: '0x80040203', message: 'refused by the test' } }),
		);
	});
	afterAll(() => w.sim.stop());
	beforeEach(() => {
		w.sim.reset();
		for (let i = 0; i <= 450; i++)
			w.sim.collection('contact').create({ lastname: `P${i}`, emailaddress1: email(i) });
	});

	it('findByKeys: 450 values in 5 requests, 4 at once (the connector`s concurrency: 2 at once)', async () => {
		const found = await w
			.crm()
			.findByKeys('contacts', 'emailaddress1', wanted(450), ['emailaddress1']);
		expect(w.count('records.list')).toBe(5);
		expect(flight.max).toBe(4);
		expect(emailsOf(found, 'emailaddress1')).toEqual(expected(450));
		flight.max = 0;
		await w
			.crm({ concurrency: 2 })
			.findByKeys('contacts', 'emailaddress1', wanted(450), ['emailaddress1']);
		expect(flight.max).toBe(2);
	});

	it('getByIds: 250 ids in 3 requests at once, in input order', async () => {
		const ids = w.sim
			.collection('contact')
			.list()
			.slice(0, 250)
			.map((r) => String(r.id))
			.reverse();
		const found = await w.crm().getByIds('contacts', ids, ['emailaddress1']);
		expect(flight.max).toBe(3);
		expect(found.map((r) => r?.id?.toLowerCase())).toEqual(ids.map((id) => id.toLowerCase()));
	});

	it('a request failing among concurrent ones fails the call with its error', async () => {
		const crm = w.crm();
		flight.failAt = 2;
		await expect(
			crm.findByKeys('contacts', 'emailaddress1', wanted(450), ['emailaddress1']),
		).rejects.toThrow(/refused by the test/);
		expect(flight.seen).toBe(5);
		expect(flight.max).toBe(4);
	});
});
