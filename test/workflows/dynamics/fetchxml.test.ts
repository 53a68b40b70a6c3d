/**
 * The Dynamics 365 node's FetchXML › Execute through n8n's engine against the Dataverse simulator: 12,000 rows over
 * three pages of 5,000, each next page asked with the paging cookie of the previous one; a limit stops early; an
 * invalid query goes to the error output with Dataverse's message.
 */
import { clearRateBudgets } from '../../../core/http/rateLimiter';
import { DynamicsSimulator, type DynamicsSimContract } from '../../../sandbox/dynamics';
import { run } from './helpers';

const sim = new DynamicsSimulator({ seed: 13 });
let c: DynamicsSimContract;

beforeAll(async () => {
	c = await sim.start();
	for (let i = 0; i < 12_000; i++)
		sim.createDirect('contact', { lastname: `Fetch ${String(i).padStart(5, '0')}` });
});
afterAll(async () => {
	clearRateBudgets();
	await sim.stop();
});
beforeEach(() => clearRateBudgets());

const xml =
	'<fetch><entity name="contact"><attribute name="lastname" /><order attribute="lastname" /></entity></fetch>';

it('12,000 rows: three pages, the paging cookie sent for pages 2 and 3, every row once, in order', async () => {
	const before = sim.log.entries({}).length;
	const { ok, failed } = await run(c, [{}], {
		resource: 'fetchXml',
		operation: 'execute',
		fetchXml: xml,
		returnAll: true,
	});
	expect(failed).toEqual([]);
	expect(ok).toHaveLength(12_000);
	expect(new Set(ok.map((r) => r.contactid)).size).toBe(12_000);
	expect(ok[0].lastname).toBe('Fetch 00000');
	expect(ok[11_999].lastname).toBe('Fetch 11999');
	const queries = sim.log
		.entries({})
		.slice(before)
		.filter((e) => typeof e.query.fetchXml === 'string')
		.map((e) => String(e.query.fetchXml));
	expect(queries).toHaveLength(3);
	expect(queries[0]).toMatch(/page="1"/);
	expect(queries[0]).not.toMatch(/paging-cookie/);
	expect(queries[1]).toMatch(
		/page="2" paging-cookie="&lt;cookie page=&quot;1&quot;>|page="2" paging-cookie="&lt;cookie page=&quot;1&quot;&gt;/,
	);
	expect(queries[2]).toMatch(/page="3" paging-cookie=/);
});

it('a limit stops after the page that reaches it', async () => {
	const before = sim.log.entries({}).length;
	const { ok } = await run(c, [{}], {
		resource: 'fetchXml',
		operation: 'execute',
		fetchXml: xml,
		returnAll: false,
		limit: 10,
	});
	expect(ok).toHaveLength(10);
	expect(
		sim.log
			.entries({})
			.slice(before)
			.filter((e) => typeof e.query.fetchXml === 'string'),
	).toHaveLength(1);
});

it("an invalid query fails that item with Dataverse's message", async () => {
	const { ok, failed } = await run(c, [{}], {
		resource: 'fetchXml',
		operation: 'execute',
		fetchXml: '<fetch><entity name="contact"><attribute name="nosuchcolumn" /></entity></fetch>',
		returnAll: true,
	});
	expect(ok).toEqual([]);
	expect(String(failed[0].error)).toMatch(/nosuchcolumn/);
});
