/**
 * Bad settings and hostile input on the Salesforce Record operations, through n8n's engine: every item ends on
 * one true output (a bad setting never lets the input pass to the success output), type errors fail alone
 * after one describe (no bisection), reserved keys and malformed ids are reported, Get Many binds values by type.
 */
import type { IDataObject } from 'n8n-workflow';

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

const autoMap = { mappingMode: 'autoMapInputData', value: null, schema: [] };
const run = async (jsCode: string, parameters: IDataObject, errorOutput = true) =>
	await runWorkflow(
		workflowWith(
			jsCode,
			salesforceNode(
				'SF',
				{ resource: 'record', object: object('Contact'), ...parameters },
				errorOutput ? { onError: 'continueErrorOutput' } : {},
			),
		),
		{
			credentials: passwordCredentials(contract),
		},
	);
const itemOf = (i: { pairedItem?: unknown }) => (i.pairedItem as { item: number }).item;

describe('Salesforce Record writes: a bad setting is an error per item, never a pass to the success output', () => {
	for (const operation of ['create', 'update', 'upsert', 'delete']) {
		it(`${operation} with Batch Size 500: every item on the error output naming the option and the fix; nothing sent`, async () => {
			const parameters: IDataObject =
				operation === 'delete'
					? { operation, recordId: '={{ $json.Id }}', options: { batchSize: 500 } }
					: {
							operation,
							fields: {
								...autoMap,
								...(operation === 'upsert' ? { matchingColumns: ['External_Id__c'] } : {}),
							},
							options: { batchSize: 500 },
						};
			const result = await run(
				`return Array.from({ length: 30 }, (_, i) => ({ json: { Id: '0035g00000000AAAAA', LastName: 'L' + i, External_Id__c: 'x' + i } }));`,
				parameters,
			);
			expect(result.error).toBeUndefined();
			expect(result.items('SF', 0)).toHaveLength(0);
			const failed = result.items('SF', 1);
			expect(failed.map(itemOf)).toEqual(Array.from({ length: 30 }, (_, i) => i));
			expect(String(failed[0].json.error)).toMatch(
				/Batch Size 500 is not allowed: sObject Collections take 1 to 200 records per request — set Options → Batch Size to a whole number from 1 to 200/,
			);
			expect((failed[0].json.details as { code: string }).code).toBe('INVALID_SETTING');
			expect(apiCalls(sim)).toBe(0);
		});
	}

	it('a settle field that is not unique: every create item on the error output, nothing written', async () => {
		const result = await run(`return [{ json: { LastName: 'A' } }, { json: { LastName: 'B' } }];`, {
			operation: 'create',
			fields: autoMap,
			options: { settleField: 'LastName' },
		});
		expect(result.items('SF', 0)).toHaveLength(0);
		expect(result.json('SF', 1).map((j) => j.error)).toEqual(
			Array(2).fill(
				expect.stringMatching(
					/Unique Field for Settling Lost Answers "LastName" is not unique and not an external ID of Contact — Name a field marked Unique or External ID/,
				),
			),
		);
		expect(sim.table('Contact').collection.count()).toBe(0);
	});

	it("a group that fails as a whole does not hide another group's writes: Contacts created, Accounts on the error output", async () => {
		const input = `return Array.from({ length: 6 }, (_, i) => ({ json: i % 2 ? { object: 'Account', Name: 'A' + i, External_Id__c: 'a' + i } : { object: 'Contact', LastName: 'C' + i, External_Id__c: 'c' + i } }));`;
		const parameters = {
			operation: 'create',
			object: { __rl: true, mode: 'name', value: '={{ $json.object }}' },
			fields: { ...autoMap, schema: [] },
			options: { settleField: 'External_Id__c' },
		};
		const mapped = {
			...parameters,
			fields: {
				mappingMode: 'defineBelow',
				value: {
					LastName: '={{ $json.LastName }}',
					Name: '={{ $json.Name }}',
					External_Id__c: '={{ $json.External_Id__c }}',
				},
			},
		};
		const result = await run(input, mapped);
		expect(result.error).toBeUndefined();
		expect(result.items('SF', 0).map(itemOf)).toEqual([0, 2, 4]);
		const failed = result.items('SF', 1);
		expect(failed.map(itemOf)).toEqual([1, 3, 5]);
		expect(String(failed[0].json.error)).toMatch(
			/^not created: Unique Field for Settling Lost Answers "External_Id__c" is not a field of Account/,
		);
		expect(sim.table('Contact').collection.count()).toBe(3);
		expect(sim.table('Account').collection.count()).toBe(0);

		sim.reset();
		const stopped = await run(input, mapped, false);
		expect(stopped.error?.message).toMatch(
			/^Item 1: not created: Unique Field for Settling Lost Answers/,
		);
		expect((stopped.error as { description?: string }).description).toMatch(
			/^3 of 6 records were created; 3 failed \(items 1, 3, 5\)/,
		);
		expect(sim.table('Contact').collection.count()).toBe(3);
	});

	it('without an error output, the node fails once, before anything is sent', async () => {
		const result = await run(
			`return [{ json: { LastName: 'A' } }];`,
			{ operation: 'create', fields: autoMap, options: { batchSize: 0 } },
			false,
		);
		expect(result.error?.message).toMatch(/^Batch Size 0 is not allowed/);
		expect(apiCalls(sim)).toBe(0);
	});
});

describe('Salesforce Record writes: records checked against describe before sending', () => {
	it('200 contacts with 10 mistyped values, an unknown field and a __proto__ key: those fail alone, 188 created in 1 describe + 1 Collections call', async () => {
		const result = await run(
			`const bad = new Set([5, 20, 33, 47, 80, 99, 120, 150, 170, 199]);
return Array.from({ length: 200 }, (_, i) => {
	if (i === 60) return { json: { LastName: 'U' + i, Last_Name: 'typo' } };
	if (i === 61) return { json: JSON.parse('{"LastName":"P${'${i}'}","__proto__":{"isAdmin":true}}') };
	return { json: { LastName: 'L' + i, Birthdate: bad.has(i) ? 'next tuesday' : '1990-01-0' + (1 + (i % 9)) } };
});`,
			{ operation: 'create', fields: autoMap },
		);
		const failed = result.items('SF', 1);
		expect(failed.map(itemOf)).toEqual([5, 20, 33, 47, 60, 61, 80, 99, 120, 150, 170, 199]);
		expect(String(failed[0].json.error)).toBe(
			'Field Birthdate of Contact expects a date (YYYY-MM-DD), got "next tuesday" — map a value of that type or convert it (e.g. with an expression) before this node',
		);
		expect(String(failed[4].json.error)).toMatch(
			/^Field "Last_Name" does not exist on Contact — check its API name/,
		);
		expect(String(failed[5].json.error)).toMatch(
			/^"__proto__" is not a field of Contact: it is a reserved JavaScript name/,
		);
		expect(result.items('SF', 0)).toHaveLength(188);
		expect(sim.table('Contact').collection.count()).toBe(188);
		expect(sim.log.count({ kind: 'describe' })).toBe(1);
		expect(sim.log.count({ kind: 'collections.create' })).toBe(1);
	});
});

describe('Salesforce Record ids and Get Many values', () => {
	it('Get with a record id of ".." or a path is refused per item (never reaches another URL); a real id is read', async () => {
		const a = sim.table('Contact').insert({ LastName: 'Alpha' }).id;
		const result = await run(
			`return [{ json: { id: '..' } }, { json: { id: '${a}' } }, { json: { id: '${a}/../..' } }];`,
			{
				operation: 'get',
				recordId: '={{ $json.id }}',
				fieldNames: ['LastName'],
			},
		);
		expect(result.json('SF')).toEqual([{ Id: a, LastName: 'Alpha' }]);
		const failed = result.items('SF', 1);
		expect(failed.map(itemOf)).toEqual([0, 2]);
		expect(String(failed[0].json.error)).toMatch(
			/^Record ID "\.\." is not a Salesforce record ID \(15 or 18 letters and digits/,
		);
		// Only the valid id was requested: ".." never became GET /sobjects/Contact/.. (the object list).
		expect(
			sim.log
				.entries()
				.filter((e) => e.kind !== 'token')
				.map((e) => e.kind),
		).toEqual(['sobject.get']);
	});

	it('Update and Delete refuse a malformed id per item; the other items are written', async () => {
		const ids = [0, 1].map((i) => sim.table('Contact').insert({ LastName: `D${i}` }).id);
		const result = await run(
			`return [{ json: { Id: '${ids[0]}' } }, { json: { Id: '../sobjects' } }, { json: { Id: '${ids[1]}' } }];`,
			{ operation: 'delete', recordId: '={{ $json.Id }}' },
		);
		expect(result.json('SF').map((j) => j.id)).toEqual(ids);
		const [bad] = result.items('SF', 1);
		expect(itemOf(bad)).toBe(1);
		expect(String(bad.json.error)).toMatch(
			/^Record ID "\.\.\/sobjects" is not a Salesforce record ID/,
		);
	});

	it('Get Many keeps "null" and "00123" as text for a text field, and IS EMPTY matches empty fields', async () => {
		const contacts = sim.table('Contact');
		const named = contacts.insert({ LastName: 'null', Phone: '00123' }).id;
		const empty = contacts.insert({ LastName: 'Empty' }).id;
		contacts.insert({ LastName: 'Other', Phone: '123' });
		const query = async (field: string, operator: string, value: string) =>
			(
				await run('return [{}];', {
					operation: 'getMany',
					returnAll: true,
					fieldNames: ['Id'],
					conditions: { condition: [{ field, operator, value }] },
				})
			)
				.json('SF')
				.map((r) => r.Id);
		expect(await query('LastName', 'equal', 'null')).toEqual([named]);
		expect(await query('Phone', 'equal', '00123')).toEqual([named]);
		expect(await query('Phone', 'isEmpty', '')).toEqual([empty]);
		const wrong = await run('return [{}];', {
			operation: 'getMany',
			returnAll: true,
			conditions: { condition: [{ field: 'HasOptedOutOfEmail', operator: 'equal', value: 'yes' }] },
		});
		expect(String(wrong.json('SF', 1)[0].error)).toMatch(
			/HasOptedOutOfEmail is a boolean field and expects true or false, got "yes"/,
		);
	});
});

describe('Salesforce Record writes: parameters per item (static ones read once, expressions per item)', () => {
	const input = `return Array.from({ length: 5 }, (_, i) => ({ json: { obj: 'Contact', LastName: 'Expr ' + i, ext: 'e' + i, ...(i === 2 ? { bad: {} } : {}) } }));`;
	const fields = {
		mappingMode: 'defineBelow',
		value: {
			LastName: '={{ $json.LastName }}',
			Title: 'Static title',
			Email: '=row{{ $itemIndex }}@example.com',
			Department: '={{ $json.bad ? $("No Such Node").item.json.x : "Sales " + $itemIndex }}',
			External_Id__c: '={{ $json.ext }}',
		},
		matchingColumns: ['External_Id__c'],
		schema: [],
	};
	const byLastName = () =>
		new Map(
			sim
				.table('Contact')
				.collection.list()
				.map((r) => [String(r.fields.LastName), r.fields as Record<string, unknown>]),
		);

	for (const operation of ['create', 'upsert']) {
		it(`${operation}: each item's own values, the static one on every record, a failing expression fails its item alone`, async () => {
			const result = await run(input, {
				operation,
				object: { __rl: true, mode: 'name', value: '={{ $json.obj }}' },
				fields,
			});
			expect(result.error).toBeUndefined();
			expect(result.items('SF', 0).map(itemOf)).toEqual([0, 1, 3, 4]);
			const failed = result.items('SF', 1);
			expect(failed.map(itemOf)).toEqual([2]);
			expect(String(failed[0].json.error)).toMatch(/Referenced node doesn't exist/);
			const stored = byLastName();
			expect(stored.size).toBe(4);
			for (const i of [0, 1, 3, 4]) {
				expect(stored.get(`Expr ${i}`)).toMatchObject({
					Title: 'Static title',
					Email: `row${i}@example.com`,
					Department: `Sales ${i}`,
					External_Id__c: `e${i}`,
				});
			}
		});
	}
});

describe('Salesforce Record writes: a `{{ $json.Field }}` value read from the item is what n8n evaluates', () => {
	it('stores the same value as the same read evaluated by n8n, for text, numbers and booleans', async () => {
		const values = ['text "quoted" ü', 5, -1.5, 0, true, false, ' padded '];
		const result = await run(
			`return ${JSON.stringify(values)}.map((v, i) => ({ json: { v, 'the key': v, i } }));`,
			{
				operation: 'create',
				fields: {
					mappingMode: 'defineBelow',
					value: {
						LastName: '={{ "Eq " + $json.i }}',
						Title: '={{ $json.v }}', // read from the item
						Department: '={{ ($json.v) }}', // evaluated by n8n
						MailingCity: '={{ $json["the key"] }}', // read from the item
						MailingCountry: '={{ ($json["the key"]) }}', // evaluated by n8n
					},
					schema: [],
				},
			},
		);
		expect(result.error).toBeUndefined();
		expect(result.items('SF', 1)).toHaveLength(0);
		const stored = sim
			.table('Contact')
			.collection.list()
			.map((r) => r.fields as Record<string, unknown>);
		expect(stored).toHaveLength(values.length);
		for (const f of stored) {
			expect(f.Title).toEqual(f.Department);
			expect(f.MailingCity).toEqual(f.MailingCountry);
		}
		expect(stored.find((f) => f.LastName === 'Eq 0')?.Title).toBe('text "quoted" ü');
	});
});
