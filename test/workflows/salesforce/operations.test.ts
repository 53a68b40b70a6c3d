/** The remaining operations through n8n's engine: get, get many, update, delete, changes, describe. */
import type { IDataObject } from 'n8n-workflow';

import type { SalesforceSimulator, SalesforceSimContract } from '../../../sandbox/salesforce';
import { runWorkflow } from '../../helpers/engine';
import {
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

const run = async (jsCode: string, parameters: IDataObject, onError?: 'continueErrorOutput') =>
	await runWorkflow(
		workflowWith(jsCode, salesforceNode('SF', parameters, onError ? { onError } : {})),
		{ credentials: passwordCredentials(contract) },
	);

describe('Salesforce Record operations', () => {
	it('gets a record per item with chosen fields; a missing one fails alone with NOT_FOUND', async () => {
		const a = sim.table('Contact').insert({ LastName: 'Alpha', Email: 'alpha@example.com' }).id;
		const result = await run(
			`return [{ id: '${a}' }, { id: '003000000000000AAA' }];`,
			{
				resource: 'record',
				operation: 'get',
				object: object('Contact'),
				recordId: '={{ $json.id }}',
				fieldNames: ['LastName', 'Email'],
			},
			'continueErrorOutput',
		);
		expect(result.json('SF')).toEqual([{ Id: a, LastName: 'Alpha', Email: 'alpha@example.com' }]);
		const [missing] = result.json('SF', 1) as Array<{ error: string }>;
		expect(missing.error).toMatch(/NOT_FOUND/);
	});

	it('gets many records with bound conditions, sorted, up to the limit', async () => {
		const contacts = sim.table('Contact');
		for (const [last, city] of [
			['Zed', 'Paris'],
			['Amy', 'Paris'],
			["D'Arcy", 'Paris'],
			['Bob', 'Lyon'],
		]) {
			contacts.insert({ LastName: last, MailingCity: city });
		}
		const result = await run('return [{}];', {
			resource: 'record',
			operation: 'getMany',
			object: object('Contact'),
			returnAll: false,
			limit: 2,
			fieldNames: ['LastName', 'MailingCity'],
			conditions: { condition: [{ field: 'MailingCity', operator: 'equal', value: 'Paris' }] },
			options: { sortBy: 'LastName', sortDirection: 'ASC' },
		});
		expect(result.json('SF').map((r) => r.LastName)).toEqual(['Amy', "D'Arcy"]);
		const quoted = await run('return [{}];', {
			resource: 'record',
			operation: 'getMany',
			object: object('Contact'),
			returnAll: true,
			fieldNames: ['LastName'],
			conditions: {
				condition: [{ field: 'LastName', operator: 'in', value: `["D'Arcy", "Bob"]` }],
			},
			options: { sortBy: 'LastName' },
		});
		expect(quoted.json('SF').map((r) => r.LastName)).toEqual(['Bob', "D'Arcy"]);
	});

	it('updates and deletes records in Collections, each item with its own result', async () => {
		const contacts = sim.table('Contact');
		const ids = Array.from({ length: 3 }, (_, i) => contacts.insert({ LastName: `Old ${i}` }).id);
		const updated = await run(
			`return ${JSON.stringify(ids)}.map((id, i) => ({ Id: id, LastName: 'New ' + i })).concat([{ Id: '003000000000000AAA', LastName: 'Ghost' }]);`,
			{
				resource: 'record',
				operation: 'update',
				object: object('Contact'),
				fields: {
					mappingMode: 'autoMapInputData',
					value: null,
					matchingColumns: ['Id'],
					schema: [],
				},
			},
			'continueErrorOutput',
		);
		expect(updated.json('SF').map((r) => r.id)).toEqual(ids);
		expect(updated.json('SF', 1)).toHaveLength(1);
		expect(contacts.get(ids[1])?.fields.LastName).toBe('New 1');
		expect(sim.log.count({ kind: 'collections.update' })).toBe(1);

		const deleted = await run(`return ${JSON.stringify(ids.slice(0, 2))}.map((id) => ({ id }));`, {
			resource: 'record',
			operation: 'delete',
			object: object('Contact'),
			recordId: '={{ $json.id }}',
		});
		expect(deleted.json('SF')).toEqual([
			{ success: true, id: ids[0] },
			{ success: true, id: ids[1] },
		]);
		expect(contacts.get(ids[0])).toBeUndefined();
		expect(sim.log.count({ kind: 'collections.delete' })).toBe(1);
	});
});

describe('Salesforce Changes and Metadata', () => {
	it('returns changes after a watermark, each with the watermark to resume from', async () => {
		const contacts = sim.table('Contact');
		const ids = Array.from(
			{ length: 4 },
			(_, i) => contacts.insert({ LastName: `Changed ${i}` }).id,
		);
		await new Promise((resolve) => setTimeout(resolve, 1000 - (Date.now() % 1000) + 5));
		const first = await run('return [{}];', {
			resource: 'changes',
			operation: 'get',
			object: object('Contact'),
			event: 'updated',
			since: '2000-01-01T00:00:00Z',
			fieldNames: ['LastName'],
			maxChanges: 3,
			// Lag 0: the records' second is over by Salesforce's clock now (test/faults/triggers.test.ts runs the default).
			options: { safetyLagSeconds: 0 },
		});
		const changes = first.json('SF') as Array<{
			id: string;
			watermark: string;
			record: { LastName: string };
		}>;
		expect(changes.map((c) => c.id)).toEqual(ids.slice(0, 3));
		const rest = await run('return [{}];', {
			resource: 'changes',
			operation: 'get',
			object: object('Contact'),
			event: 'updated',
			since: changes[2].watermark,
			fieldNames: ['LastName'],
			options: { safetyLagSeconds: 0 },
		});
		expect((rest.json('SF') as Array<{ id: string }>).map((c) => c.id)).toEqual([ids[3]]);
	});

	it('resumes exactly from a watermark an earlier version handed out (ts|id), as from the one it hands out now', async () => {
		const contacts = sim.table('Contact');
		const ids = Array.from({ length: 5 }, (_, i) => contacts.insert({ LastName: `Old ${i}` }).id);
		await new Promise((resolve) => setTimeout(resolve, 1000 - (Date.now() % 1000) + 5));
		const read = async (since: string) =>
			(
				await run('return [{}];', {
					resource: 'changes',
					operation: 'get',
					object: object('Contact'),
					event: 'updated',
					since,
					fieldNames: ['LastName'],
					options: { safetyLagSeconds: 0 },
				})
			).json('SF') as Array<{ id: string; watermark: string; record: IDataObject }>;
		const all = await read('2000-01-01T00:00:00Z');
		expect(all.map((c) => c.id)).toEqual(ids);
		// Records inserted together share a second: the Id tie-break inside it must hold across formats.
		expect(new Set(all.map((c) => c.record.SystemModstamp)).size).toBeLessThan(ids.length);
		for (const k of [0, 2, 4]) {
			// What the operation handed out before the connector contract: `SystemModstamp|Id` of the record.
			const old = `${String(all[k].record.SystemModstamp)}|${all[k].id}`;
			expect(old).toMatch(/^\d{4}-\d{2}-\d{2}T[\d:.]+(Z|[+-]\d{4})\|\w{18}$/);
			expect((await read(old)).map((c) => c.id)).toEqual(ids.slice(k + 1));
			expect((await read(all[k].watermark)).map((c) => c.id)).toEqual(ids.slice(k + 1));
		}
		const bad = await run(
			'return [{}];',
			{
				resource: 'changes',
				operation: 'get',
				object: object('Contact'),
				event: 'updated',
				since: 'last tuesday',
			},
			'continueErrorOutput',
		);
		expect(bad.json('SF')).toEqual([]);
		expect(String(bad.json('SF', 1)[0].error)).toMatch(/"Since \(Watermark\)" must be a watermark/);
	});

	it('returns deletions with "Created or Updated" only when Include Deletions is on', async () => {
		const contacts = sim.table('Contact');
		const ids = Array.from({ length: 3 }, (_, i) => contacts.insert({ LastName: `Del ${i}` }).id);
		contacts.remove(ids[1]);
		await new Promise((resolve) => setTimeout(resolve, 1000 - (Date.now() % 1000) + 5));
		const read = async (options: IDataObject) =>
			(
				await run('return [{}];', {
					resource: 'changes',
					operation: 'get',
					object: object('Contact'),
					event: 'updated',
					since: '2000-01-01T00:00:00Z',
					fieldNames: ['LastName'],
					options: { safetyLagSeconds: 0, ...options },
				})
			).json('SF') as Array<{ id: string; event: string }>;
		expect((await read({})).map((c) => [c.id, c.event])).toEqual([
			[ids[0], 'updated'],
			[ids[2], 'updated'],
		]);
		const withDeletions = await read({ includeDeletions: true });
		expect(
			[...withDeletions].sort((a, b) => a.id.localeCompare(b.id)).map((c) => [c.id, c.event]),
		).toEqual(
			[
				[ids[0], 'updated'],
				[ids[1], 'deleted'],
				[ids[2], 'updated'],
			].sort((a, b) => a[0].localeCompare(b[0])),
		);
	});

	it('describes an object field by field', async () => {
		const result = await run('return [{}];', {
			resource: 'metadata',
			operation: 'describeObject',
			object: object('Contact'),
			output: 'fields',
		});
		const fields = result.json('SF');
		expect(fields.find((f) => f.name === 'External_Id__c')).toMatchObject({
			externalId: true,
			type: 'string',
		});
		expect(fields.find((f) => f.name === 'LastName')).toMatchObject({
			nillable: false,
			createable: true,
		});
	});
});
