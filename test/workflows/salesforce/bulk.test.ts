/** Bulk API 2.0 through n8n's engine against the Salesforce simulator: per-row results for large inputs. */
import type { SalesforceSimulator, SalesforceSimContract } from '../../../sandbox/salesforce';
import { runWorkflow } from '../../helpers/engine';
import {
	apiCalls,
	object,
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

describe('Salesforce Bulk', () => {
	it('inserts 50,000 rows with one Bulk API 2.0 job; bad rows come back one by one on the error output', async () => {
		const bad = [3, 12_345, 49_999];
		const node = salesforceNode(
			'Bulk Insert',
			{
				resource: 'bulk',
				operation: 'insert',
				object: object('Contact'),
				fieldsToSend: 'FirstName, LastName, Email',
			},
			{ onError: 'continueErrorOutput' },
		);
		const jsCode = `
const bad = new Set(${JSON.stringify(bad)});
return Array.from({ length: 50000 }, (_, i) => bad.has(i)
	? { FirstName: 'No', LastName: '', Email: 'row' + i + '@example.com' }
	: { FirstName: 'Row', LastName: 'Bulk ' + i, Email: 'row' + i + '@example.com', ignored: 'not sent' });`;
		const started = Date.now();
		const result = await runWorkflow(workflowWith(jsCode, node), {
			credentials: passwordCredentials(contract),
		});
		const seconds = (Date.now() - started) / 1000;
		expect(result.error).toBeUndefined();
		const ok = result.items('Bulk Insert', 0);
		const failed = result.items('Bulk Insert', 1);
		expect(ok).toHaveLength(50_000 - bad.length);
		expect(failed.map((f) => (f.pairedItem as { item: number }).item)).toEqual(bad);
		for (const f of failed) {
			expect(f.json.error).toMatch(
				/^REQUIRED_FIELD_MISSING: Required fields are missing: \[LastName\]/,
			);
			expect((f.json.details as { code: string }).code).toBe('REQUIRED_FIELD_MISSING');
		}
		// Each success is paired with its own input row and carries the new record's Id.
		const sample = ok[1234];
		expect(sample.json).toEqual({
			success: true,
			id: expect.stringMatching(/^003/),
			created: true,
		});
		const row = (sample.pairedItem as { item: number }).item;
		const stored = sim.table('Contact').get(sample.json.id as string);
		expect(stored?.fields.LastName).toBe(`Bulk ${row}`);
		expect(sim.table('Contact').collection.count()).toBe(50_000 - bad.length);
		const calls = apiCalls(sim);
		expect(sim.log.count({ kind: 'bulk.ingest.upload' })).toBe(1);
		console.log(
			`Salesforce bulk insert 50,000 rows (${bad.length} bad): ${calls} API calls ${JSON.stringify(sim.log.byKind())}, ${seconds.toFixed(2)} s`,
		);
	});

	it('upserts by external ID twice without duplicates, then deletes and hard-deletes, one result per item', async () => {
		const upsert = salesforceNode(
			'Bulk Upsert',
			{
				resource: 'bulk',
				operation: 'upsert',
				object: object('Contact'),
				externalIdField: 'External_Id__c',
				fieldsToSend: '',
			},
			{ onError: 'continueErrorOutput' },
		);
		const input = (tag: string) =>
			`return Array.from({ length: 300 }, (_, i) => ({ External_Id__c: 'bulk-' + i, LastName: '${tag} ' + i }));`;
		const first = await runWorkflow(workflowWith(input('First'), upsert), {
			credentials: passwordCredentials(contract),
		});
		expect(first.json('Bulk Upsert').every((r) => r.created === true)).toBe(true);
		const second = await runWorkflow(workflowWith(input('Second'), upsert), {
			credentials: passwordCredentials(contract),
		});
		const updated = second.json('Bulk Upsert');
		expect(updated).toHaveLength(300);
		expect(updated.every((r) => r.created === false)).toBe(true);
		expect(updated.map((r) => r.id)).toEqual(first.json('Bulk Upsert').map((r) => r.id));
		expect(sim.table('Contact').collection.count()).toBe(300);

		const ids = updated.map((r) => r.id as string);
		const del = salesforceNode(
			'Bulk Delete',
			{
				resource: 'bulk',
				operation: 'delete',
				object: object('Contact'),
				recordId: '={{ $json.Id }}',
			},
			{ onError: 'continueErrorOutput' },
		);
		const deleted = await runWorkflow(
			workflowWith(
				`return ${JSON.stringify(ids.slice(0, 100))}.map((Id) => ({ Id })).concat([{ Id: '003000000000000AAA' }]);`,
				del,
			),
			{
				credentials: passwordCredentials(contract),
			},
		);
		expect(deleted.json('Bulk Delete')).toHaveLength(100);
		const [missing] = deleted.items('Bulk Delete', 1);
		expect((missing.pairedItem as { item: number }).item).toBe(100);
		expect(missing.json.error).toMatch(
			/ENTITY_IS_DELETED|INVALID_CROSS_REFERENCE_KEY|NOT_FOUND|invalid/i,
		);
		expect(sim.table('Contact').collection.count()).toBe(200);

		const hard = salesforceNode('Bulk Hard Delete', {
			resource: 'bulk',
			operation: 'hardDelete',
			object: object('Contact'),
			recordId: '={{ $json.Id }}',
		});
		const purged = await runWorkflow(
			workflowWith(`return ${JSON.stringify(ids.slice(100, 150))}.map((Id) => ({ Id }));`, hard),
			{ credentials: passwordCredentials(contract) },
		);
		expect(purged.json('Bulk Hard Delete')).toHaveLength(50);
		expect(sim.table('Contact').collection.count()).toBe(150);
	});

	it('an item with a key that is not a field fails alone; the others are written without it (Continue using error output)', async () => {
		const node = salesforceNode(
			'Bulk Insert',
			{ resource: 'bulk', operation: 'insert', object: object('Contact'), fieldsToSend: '' },
			{ onError: 'continueErrorOutput' },
		);
		const jsCode = `return Array.from({ length: 40 }, (_, i) => i === 7 ? { 'Last Name': 'Spaced', Email: 'r7@example.com' } : i === 9 ? { LastName: 'Made up', Favourite_Colour__c: 'blue' } : { LastName: 'Row ' + i, Email: 'r' + i + '@example.com' });`;
		const result = await runWorkflow(workflowWith(jsCode, node), {
			credentials: passwordCredentials(contract),
		});
		expect(result.error).toBeUndefined();
		const ok = result.items('Bulk Insert', 0);
		const failed = result.items('Bulk Insert', 1);
		expect(failed.map((f) => (f.pairedItem as { item: number }).item)).toEqual([7, 9]);
		expect(failed[0].json).toMatchObject({
			error: expect.stringMatching(
				/^INVALID_FIELD: "Last Name" is not a field API name.*Fields to Send/,
			),
			details: { code: 'INVALID_FIELD' },
		});
		expect(failed[1].json).toMatchObject({
			error: expect.stringMatching(/Contact has no field "Favourite_Colour__c"/),
			details: { code: 'INVALID_FIELD' },
		});
		// Every item on the success output was written, with its own Id.
		expect(ok).toHaveLength(38);
		const contacts = sim.table('Contact');
		for (const item of ok)
			expect(contacts.get(item.json.id as string)?.fields.LastName).toBe(
				`Row ${(item.pairedItem as { item: number }).item}`,
			);
		expect(contacts.collection.count()).toBe(38);
		expect(sim.log.count({ kind: 'bulk.ingest.upload' })).toBe(1);
	});

	describe('result CSVs out of input order (Salesforce does not promise their order)', () => {
		afterEach(() => sim.bulk.configure({ resultOrder: 'input' }));

		/** The LastName column of a finished job's result CSV, in the order the simulator answers it. */
		async function resultNames(which: 'successfulResults' | 'failedResults'): Promise<string[]> {
			const [job] = sim.bulk.ingestStates();
			const res = await fetch(
				`${contract.instanceUrl}/services/data/v${contract.apiVersion}/jobs/ingest/${job.id}/${which}`,
				{ headers: { Authorization: `Bearer ${contract.accessToken}` } },
			);
			const [header, ...rows] = (await res.text())
				.trim()
				.split('\n')
				.map((line) => line.split(','));
			const at = header.indexOf('LastName');
			return rows.map((r) => r[at]);
		}

		it.each(['reversed', 'shuffled'] as const)(
			"insert, results %s: each item gets its own row's result (Id, or its own error)",
			async (resultOrder) => {
				sim.bulk.configure({ resultOrder });
				const bad = [5, 150, 298];
				const node = salesforceNode(
					'Bulk Insert',
					{ resource: 'bulk', operation: 'insert', object: object('Contact'), fieldsToSend: '' },
					{ onError: 'continueErrorOutput' },
				);
				// Rows 10 and 11 are identical (interchangeable); bad rows lack LastName and are told apart by their Email.
				const jsCode = `const bad = new Set(${JSON.stringify(bad)});
return Array.from({ length: 300 }, (_, i) => bad.has(i) ? { FirstName: 'Bad', LastName: '', Email: 'bad' + i + '@example.com' } : i === 11 ? { LastName: 'Row 10' } : { LastName: 'Row ' + i });`;
				const result = await runWorkflow(workflowWith(jsCode, node), {
					credentials: passwordCredentials(contract),
				});
				expect(result.error).toBeUndefined();
				// The simulator really answered out of order.
				const names = await resultNames('successfulResults');
				expect(names).toHaveLength(297);
				expect(names).not.toEqual(
					[...names].sort((a, b) => Number(a.slice(4)) - Number(b.slice(4))),
				);
				if (resultOrder === 'reversed') expect(names[0]).toBe('Row 299');
				const failedCsv = await resultNames('failedResults');
				expect(failedCsv).toHaveLength(3);

				const ok = result.items('Bulk Insert', 0);
				const failed = result.items('Bulk Insert', 1);
				expect(failed.map((f) => (f.pairedItem as { item: number }).item)).toEqual(bad);
				for (const f of failed) expect(f.json.error).toMatch(/^REQUIRED_FIELD_MISSING/);
				expect(ok).toHaveLength(297);
				const contacts = sim.table('Contact');
				const ids = new Set<string>();
				for (const item of ok) {
					const row = (item.pairedItem as { item: number }).item;
					ids.add(item.json.id as string);
					expect(contacts.get(item.json.id as string)?.fields.LastName).toBe(
						row === 11 ? 'Row 10' : `Row ${row}`,
					);
				}
				expect(ids.size).toBe(297);
				expect(contacts.collection.count()).toBe(297);
			},
		);

		it('upsert, results reversed: each item gets its own record and its own created flag', async () => {
			const upsert = salesforceNode(
				'Bulk Upsert',
				{
					resource: 'bulk',
					operation: 'upsert',
					object: object('Contact'),
					externalIdField: 'External_Id__c',
					fieldsToSend: '',
				},
				{ onError: 'continueErrorOutput' },
			);
			// Even external ids exist before the run (updated, created false); odd ones are new (created true).
			await runWorkflow(
				workflowWith(
					`return Array.from({ length: 100 }, (_, i) => ({ External_Id__c: 'ro-' + (2 * i), LastName: 'Before ' + (2 * i) }));`,
					upsert,
				),
				{ credentials: passwordCredentials(contract) },
			);
			sim.bulk.configure({ resultOrder: 'reversed' });
			const result = await runWorkflow(
				workflowWith(
					`return Array.from({ length: 200 }, (_, i) => ({ External_Id__c: 'ro-' + i, LastName: 'After ' + i }));`,
					upsert,
				),
				{ credentials: passwordCredentials(contract) },
			);
			expect(result.error).toBeUndefined();
			const ok = result.items('Bulk Upsert', 0);
			expect(ok).toHaveLength(200);
			const contacts = sim.table('Contact');
			for (const item of ok) {
				const row = (item.pairedItem as { item: number }).item;
				expect(item.json.created).toBe(row % 2 === 1);
				expect(contacts.get(item.json.id as string)?.fields).toMatchObject({
					External_Id__c: `ro-${row}`,
					LastName: `After ${row}`,
				});
			}
			expect(contacts.collection.count()).toBe(200);
		});
	});

	it.each([
		[
			'a made-up external ID field',
			{ externalIdField: 'No_Such_Field__c' },
			() => undefined,
			/not sent: .*Contact has no field No_Such_Field__c/,
		],
		[
			'the daily API limit used up',
			{ externalIdField: 'External_Id__c' },
			() => sim.setDailyRequestLimit(1),
			/not sent: .*daily API request limit/,
		],
	])(
		'a whole-run failure (%s) under Continue puts every item on the error output as NOT_SENT, none on success',
		async (_what, params, before, message) => {
			before();
			const node = salesforceNode(
				'Bulk Upsert',
				{
					resource: 'bulk',
					operation: 'upsert',
					object: object('Contact'),
					fieldsToSend: '',
					...params,
				},
				{ onError: 'continueErrorOutput' },
			);
			const result = await runWorkflow(
				workflowWith(
					`return Array.from({ length: 25 }, (_, i) => ({ External_Id__c: 'nx-' + i, LastName: 'N ' + i }));`,
					node,
				),
				{
					credentials: passwordCredentials(contract),
				},
			);
			sim.setDailyRequestLimit(15_000);
			expect(result.error).toBeUndefined();
			expect(result.items('Bulk Upsert', 0)).toHaveLength(0);
			const failed = result.items('Bulk Upsert', 1);
			expect(failed.map((f) => (f.pairedItem as { item: number }).item)).toEqual(
				Array.from({ length: 25 }, (_, i) => i),
			);
			for (const f of failed)
				expect(f.json).toMatchObject({
					error: expect.stringMatching(message),
					details: { code: 'NOT_SENT' },
				});
			expect(sim.table('Contact').collection.count()).toBe(0);
			expect(sim.log.count({ kind: 'bulk.ingest.upload' })).toBe(0);
		},
	);

	it('streams a bulk query page by page with Sforce-Locator', async () => {
		const contacts = sim.table('Contact');
		for (let i = 0; i < 2500; i++) contacts.insert({ LastName: `Extract ${i}` });
		const node = salesforceNode('Bulk Query', {
			resource: 'bulk',
			operation: 'query',
			query: 'SELECT Id, LastName FROM Contact WHERE LastName LIKE :prefix',
			parameters: { parameter: [{ name: 'prefix', type: 'string', value: 'Extract%' }] },
			options: { pageSize: 1000 },
		});
		const result = await runWorkflow(workflowWith('return [{}];', node), {
			credentials: passwordCredentials(contract),
		});
		expect(result.error).toBeUndefined();
		const rows = result.json('Bulk Query');
		expect(rows).toHaveLength(2500);
		expect(new Set(rows.map((r) => r.Id)).size).toBe(2500);
		expect(rows[0]).toEqual({
			Id: expect.stringMatching(/^003/),
			LastName: expect.stringMatching(/^Extract /),
		});
		const pages = sim.log.entries().filter((e) => /\/jobs\/query\/[^/]+\/results$/.test(e.path));
		expect(pages).toHaveLength(3);
	});
});
