/** SOQL through n8n's engine against the Salesforce simulator: streamed pages, bound parameters. */
import type { SalesforceSimulator, SalesforceSimContract } from '../../../sandbox/salesforce';
import { runWorkflow } from '../../helpers/engine';
import {
	apiCalls,
	passwordCredentials,
	salesforceNode,
	startSimulator,
	workflowWith,
} from './helpers';

let sim: SalesforceSimulator;
let contract: SalesforceSimContract;

beforeAll(async () => {
	({ sim, contract } = await startSimulator());
});
afterAll(async () => {
	await sim.stop();
});
beforeEach(() => sim.reset());

function queryNode(
	query: string,
	parameters: Array<{ name: string; type: string; value: string }> = [],
	extra: Record<string, unknown> = {},
) {
	return salesforceNode('SOQL', {
		resource: 'query',
		operation: 'execute',
		query,
		parameters: { parameter: parameters },
		returnAll: true,
		...extra,
	});
}

describe('Salesforce Query', () => {
	it('streams a query over 5,000 records page by page (nextRecordsUrl) and returns them all', async () => {
		const contacts = sim.table('Contact');
		for (let i = 0; i < 5000; i++)
			contacts.insert({ LastName: `Paged ${String(i).padStart(4, '0')}` });
		const started = Date.now();
		const result = await runWorkflow(
			workflowWith('return [{}];', queryNode('SELECT Id, LastName FROM Contact ORDER BY LastName')),
			{
				credentials: passwordCredentials(contract),
			},
		);
		expect(result.error).toBeUndefined();
		const rows = result.json('SOQL');
		expect(rows).toHaveLength(5000);
		expect(rows[0]).toEqual({ Id: expect.stringMatching(/^003/), LastName: 'Paged 0000' });
		expect(rows[4999].LastName).toBe('Paged 4999');
		expect(new Set(rows.map((r) => r.Id)).size).toBe(5000);
		// One query and the following pages through nextRecordsUrl (2,000 per page by default).
		expect(sim.log.count({ kind: 'query' })).toBe(1);
		expect(sim.log.count({ kind: 'queryMore' })).toBe(2);
		console.log(
			`Salesforce SOQL 5,000 records: ${apiCalls(sim)} API calls (3 pages), ${((Date.now() - started) / 1000).toFixed(2)} s`,
		);
	});

	it('stops reading pages once the limit is reached', async () => {
		const contacts = sim.table('Contact');
		for (let i = 0; i < 5000; i++) contacts.insert({ LastName: `Limited ${i}` });
		const result = await runWorkflow(
			workflowWith(
				'return [{}];',
				queryNode('SELECT Id FROM Contact', [], { returnAll: false, limit: 2100 }),
			),
			{ credentials: passwordCredentials(contract) },
		);
		expect(result.json('SOQL')).toHaveLength(2100);
		expect(sim.log.count({ kind: 'query' }) + sim.log.count({ kind: 'queryMore' })).toBe(2);
	});

	it('binds :name parameters as literals: a value containing a quote cannot change the query', async () => {
		const contacts = sim.table('Contact');
		contacts.insert({ LastName: "O'Brien", FirstName: 'Conan' });
		contacts.insert({ LastName: 'Smith', FirstName: 'Ann' });
		contacts.insert({ LastName: 'Jones', FirstName: 'Bob' });
		const query =
			'SELECT Id, FirstName, LastName FROM Contact WHERE LastName = :name ORDER BY LastName';

		const attack = await runWorkflow(
			workflowWith(
				'return [{}];',
				queryNode(query, [{ name: 'name', type: 'string', value: "x' OR LastName != 'x" }]),
			),
			{ credentials: passwordCredentials(contract) },
		);
		expect(attack.error).toBeUndefined();
		expect(attack.json('SOQL')).toEqual([]);

		const exact = await runWorkflow(
			workflowWith(
				'return [{}];',
				queryNode(query, [{ name: 'name', type: 'string', value: "O'Brien" }]),
			),
			{
				credentials: passwordCredentials(contract),
			},
		);
		expect(exact.json('SOQL')).toEqual([
			{ Id: expect.any(String), FirstName: 'Conan', LastName: "O'Brien" },
		]);

		// The parameter can come from each item through an expression, with the same binding.
		const perItem = await runWorkflow(
			workflowWith(
				`return [{ last: "Smith' OR LastName = 'Jones" }, { last: 'Jones' }];`,
				queryNode(query, [{ name: 'name', type: 'string', value: '={{ $json.last }}' }]),
			),
			{ credentials: passwordCredentials(contract) },
		);
		expect(perItem.json('SOQL')).toEqual([
			{ Id: expect.any(String), FirstName: 'Bob', LastName: 'Jones' },
		]);
		expect(perItem.items('SOQL')[0].pairedItem).toEqual({ item: 1 });
	});

	it("fails with Salesforce's own code and message for a bad query, or sends it to the error output", async () => {
		const bad = queryNode('SELECT Id, Nope__c FROM Contact');
		const stopped = await runWorkflow(workflowWith('return [{}];', bad), {
			credentials: passwordCredentials(contract),
		});
		expect(stopped.error?.message).toMatch(/^INVALID_FIELD: .*Nope__c/s);
		const routed = await runWorkflow(
			workflowWith('return [{}];', { ...bad, onError: 'continueErrorOutput' }),
			{ credentials: passwordCredentials(contract) },
		);
		const [item] = routed.json('SOQL', 1) as Array<{ error: string }>;
		expect(item.error).toMatch(/^INVALID_FIELD: .*Nope__c/s);
		// A malformed query is not retried.
		expect(sim.log.count({ kind: 'query' })).toBe(2);
	});

	it('names a missing parameter instead of sending the query', async () => {
		const result = await runWorkflow(
			workflowWith('return [{}];', queryNode('SELECT Id FROM Contact WHERE LastName = :missing')),
			{
				credentials: passwordCredentials(contract),
			},
		);
		expect(result.error?.message).toMatch(
			/uses the parameter :missing, but no parameter named "missing" is defined/,
		);
		expect(sim.log.count({ kind: 'query' })).toBe(0);
	});
});
