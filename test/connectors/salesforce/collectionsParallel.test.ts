/**
 * Several sObject Collections requests of one write in flight (default 4, capped by the rate budget's
 * `maxConcurrent`), against the Salesforce simulator: results stay in input order, a lost answer makes only its own
 * request's records OUTCOME_UNKNOWN, and the simulator's store holds exactly what was reported.
 */
import { connectSalesforce } from '../../../core/connectors/salesforce/session';
import type { SalesforceConnector } from '../../../core/connectors/salesforce/connector';
import type { HttpClientOptions } from '../../../core/http/client';
import { SalesforceSimulator, type SalesforceSimContract } from '../../../sandbox/salesforce';

jest.setTimeout(60_000);

let sim: SalesforceSimulator;
let contract: SalesforceSimContract;
/** Collections requests being handled now, and the most at once. */
const flight = { now: 0, max: 0 };

beforeAll(async () => {
	sim = new SalesforceSimulator({ seed: 3 });
	contract = await sim.start();
	sim.server.use(async (req, next) => {
		if (!req.path.includes('/composite/sobjects')) return await next();
		flight.now++;
		flight.max = Math.max(flight.max, flight.now);
		try {
			// Long enough for the client to start the requests it means to run side by side.
			await new Promise((resolve) => setTimeout(resolve, 40));
			return await next();
		} finally {
			flight.now--;
		}
	});
});
afterAll(async () => await sim.stop());
beforeEach(() => {
	sim.reset(); // records, faults, log
	flight.max = 0;
});

let keys = 0;
async function connect(http: Omit<HttpClientOptions, 'auth' | 'baseUrl'> = {}) {
	return await connectSalesforce({
		grant: {
			kind: 'password',
			loginUrl: contract.loginUrl,
			clientId: contract.clientId,
			clientSecret: contract.clientSecret,
			username: contract.username,
			password: contract.password,
		},
		// A budget of its own per connection, so one test's cap does not carry over to the next.
		http: { rateLimitKey: `collections-parallel-${++keys}`, ...http },
	});
}

const rows = (n: number) =>
	Array.from({ length: n }, (_, i) => ({ FirstName: 'Par', LastName: `Row ${i}` }));
const stored = () =>
	new Map(
		sim
			.table('Contact')
			.collection.list()
			.map((r) => [String(r.id), String(r.fields.LastName)]),
	);

async function create(connector: SalesforceConnector, n: number) {
	return await connector.write('create', 'Contact', rows(n));
}

describe('Salesforce Collections writes in flight at once', () => {
	it('sends 4 requests at a time by default, with every result at its input position', async () => {
		const { results, stats } = await create(await connect(), 1000);
		expect(flight.max).toBe(4);
		expect(stats.calls).toBe(5);
		expect(sim.log.count({ kind: 'collections.create' })).toBe(5);
		const names = stored();
		expect(names.size).toBe(1000);
		results.forEach((r, i) => {
			expect(r.index).toBe(i);
			expect(r.ok).toBe(true);
			if (r.ok) expect(names.get(r.value.id)).toBe(`Row ${i}`);
		});
	});

	it("keeps within the rate budget's maxConcurrent", async () => {
		const { results } = await create(await connect({ rateLimit: { maxConcurrent: 2 } }), 1000);
		expect(flight.max).toBe(2);
		expect(results.filter((r) => r.ok)).toHaveLength(1000);
	});

	it('a lost answer makes only its own request OUTCOME_UNKNOWN; the others are reported written', async () => {
		// The first create request to arrive is applied, then its connection is dropped before the answer.
		sim.faults.add({
			type: 'drop',
			when: 'afterHandler',
			count: 1,
			match: { kinds: ['collections.create'] },
		});
		const { results } = await create(await connect(), 1000);
		expect(flight.max).toBe(4);
		const unknown = results.filter((r) => !r.ok);
		expect(unknown).toHaveLength(200);
		for (const r of unknown) if (!r.ok) expect(r.error.code).toBe('OUTCOME_UNKNOWN');
		// One whole request of 200: consecutive input positions on a request boundary.
		const first = unknown[0].index;
		expect(first % 200).toBe(0);
		expect(unknown.map((r) => r.index)).toEqual(Array.from({ length: 200 }, (_, k) => first + k));
		// Nothing resent (a create is not safe to repeat): 5 requests, 1,000 records, none twice.
		expect(sim.log.count({ kind: 'collections.create' })).toBe(5);
		const names = stored();
		expect(names.size).toBe(1000);
		expect(new Set(names.values()).size).toBe(1000);
		results.forEach((r, i) => {
			expect(r.index).toBe(i);
			if (r.ok) expect(names.get(r.value.id)).toBe(`Row ${i}`);
		});
	});

	it('concurrency 1 sends one request at a time', async () => {
		const { results } = await (
			await connect()
		).write('create', 'Contact', rows(600), { concurrency: 1 });
		expect(flight.max).toBe(1);
		expect(results.filter((r) => r.ok)).toHaveLength(600);
	});
});
