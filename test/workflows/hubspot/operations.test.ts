/**
 * Every HubSpot CRM node operation through n8n's engine against the simulator: records of standard and custom objects
 * (create, get, get many, update, delete, get changes), associations (default and labelled: create, list, remove),
 * properties (create, list, update) and form submissions; failures go to the error output with HubSpot's message.
 */
import type { IDataObject, INode, INodeParameters } from 'n8n-workflow';

import { clearRateBudgets } from '../../../core/http/rateLimiter';
import { HubSpotSimulator, type HubSpotContract } from '../../../sandbox';
import { nodeTypeName, runWorkflow, type WorkflowJson } from '../../helpers/engine';

const sim = new HubSpotSimulator({ rateLimits: false });
let contract: HubSpotContract;

beforeAll(async () => {
	contract = await sim.start();
});
afterAll(async () => {
	clearRateBudgets();
	await sim.stop();
});

const credentials = () => ({
	crmHubSpotPrivateAppApi: { accessToken: contract.accessToken, baseUrl: contract.baseUrl },
});

/** Manual Trigger → Code (the given items) → HubSpot CRM (parameters), errors to a second output. */
function flow(items: IDataObject[], parameters: INodeParameters): WorkflowJson {
	const node = (
		name: string,
		type: string,
		params: INodeParameters,
		position: number,
		extra: Partial<INode> = {},
	): INode => ({
		id: `00000000-0000-4000-8000-00000000000${position}`,
		name,
		type,
		typeVersion: type.endsWith('code') ? 2 : 1,
		position: [position * 200, 0],
		parameters: params,
		...extra,
	});
	return {
		nodes: [
			node('Start', 'n8n-nodes-base.manualTrigger', {}, 1),
			node('Items', 'n8n-nodes-base.code', { jsCode: `return ${JSON.stringify(items)};` }, 2),
			node(
				'HubSpot CRM',
				nodeTypeName('hubSpot'),
				{ authentication: 'privateApp', ...parameters },
				3,
				{
					credentials: {
						crmHubSpotPrivateAppApi: { id: 'hubspot-sandbox', name: 'HubSpot sandbox' },
					},
					onError: 'continueErrorOutput',
				},
			),
		],
		connections: {
			Start: { main: [[{ node: 'Items', type: 'main', index: 0 }]] },
			Items: { main: [[{ node: 'HubSpot CRM', type: 'main', index: 0 }]] },
		},
	};
}

async function run(
	items: IDataObject[],
	parameters: INodeParameters,
): Promise<{ ok: IDataObject[]; failed: IDataObject[]; failedItems: number[] }> {
	const result = await runWorkflow(flow(items, parameters), { credentials: credentials() });
	expect(result.error).toBeUndefined();
	return {
		ok: result.json('HubSpot CRM', 0),
		failed: result.json('HubSpot CRM', 1),
		failedItems: result.items('HubSpot CRM', 1).map((i) => (i.pairedItem as { item: number }).item),
	};
}

const defineBelow = (value: IDataObject, matchingColumns: string[] = []): INodeParameters =>
	({
		mappingMode: 'defineBelow',
		value,
		matchingColumns,
		schema: [],
	}) as unknown as INodeParameters;

describe('records', () => {
	it('create, get (by id and by e-mail), update, get many, delete — with per-item failures on the error output', async () => {
		const created = await run(
			[
				{ email: 'ada@example.com', first: 'Ada' },
				{ email: 'grace@example.com', first: 'Grace' },
			],
			{
				resource: 'record',
				operation: 'create',
				objectType: 'contacts',
				fields: defineBelow({ email: '={{ $json.email }}', firstname: '={{ $json.first }}' }),
			},
		);
		expect(created.ok.map((c) => (c.properties as IDataObject).email)).toEqual([
			'ada@example.com',
			'grace@example.com',
		]);
		const [ada, grace] = created.ok.map((c) => String(c.id));

		// Creating the same e-mail again: HubSpot's conflict, for that item only.
		const dup = await run([{ email: 'ada@example.com' }, { email: 'linus@example.com' }], {
			resource: 'record',
			operation: 'create',
			objectType: 'contacts',
			fields: { mappingMode: 'autoMapInputData', value: {}, matchingColumns: [], schema: [] },
		});
		expect(dup.failedItems).toEqual([0]);
		expect(String(dup.failed[0].error)).toMatch(/exist/i);
		expect(dup.ok).toHaveLength(1);

		const got = await run([{ id: ada }, { id: '999999999' }, { id: grace }], {
			resource: 'record',
			operation: 'get',
			objectType: 'contacts',
			recordId: '={{ $json.id }}',
			options: { properties: ['email', 'firstname'] },
		});
		expect(got.ok.map((c) => c.id)).toEqual([ada, grace]);
		expect(got.failedItems).toEqual([1]);

		const byEmail = await run([{}], {
			resource: 'record',
			operation: 'get',
			objectType: 'contacts',
			recordId: 'grace@example.com',
			options: { idProperty: 'email', associations: 'companies' },
		});
		expect(byEmail.ok[0].id).toBe(grace);
		// Batch read by e-mail asking for other properties only: still matched to its items.
		const byEmails = await run([{ e: 'ADA@example.com' }, { e: 'nobody@example.com' }], {
			resource: 'record',
			operation: 'get',
			objectType: 'contacts',
			recordId: '={{ $json.e }}',
			options: { idProperty: 'email', properties: ['firstname'] },
		});
		expect(byEmails.ok.map((c) => c.id)).toEqual([ada]);
		expect(byEmails.failedItems).toEqual([1]);

		const updated = await run(
			[
				{ id: ada, title: 'Countess' },
				{ id: '', title: 'nobody' },
			],
			{
				resource: 'record',
				operation: 'update',
				objectType: 'contacts',
				fields: defineBelow({ hs_object_id: '={{ $json.id }}', jobtitle: '={{ $json.title }}' }, [
					'hs_object_id',
				]),
			},
		);
		expect(updated.ok).toHaveLength(1);
		expect((updated.ok[0].properties as IDataObject).jobtitle).toBe('Countess');
		expect(updated.failedItems).toEqual([1]);
		expect(String(updated.failed[0].error)).toMatch(/record ID/);

		const many = await run([{}], {
			resource: 'record',
			operation: 'getAll',
			objectType: 'contacts',
			returnAll: true,
			options: {},
		});
		expect(many.ok.map((c) => c.id)).toEqual(expect.arrayContaining([ada, grace]));

		const deleted = await run([{ id: grace }], {
			resource: 'record',
			operation: 'delete',
			objectType: 'contacts',
			recordId: '={{ $json.id }}',
		});
		expect(deleted.ok).toEqual([{ id: grace, deleted: true }]);
		const gone = await run([{}], {
			resource: 'record',
			operation: 'get',
			objectType: 'contacts',
			recordId: grace,
			options: {},
		});
		expect(gone.failedItems).toEqual([0]);
	});

	it('works on a custom object defined in the account, and lists changes since a watermark', async () => {
		sim.defineCustomObject({
			name: 'car',
			labels: { singular: 'Car', plural: 'Cars' },
			primaryDisplayProperty: 'vin',
			requiredProperties: ['vin'],
			properties: [
				{ name: 'vin', label: 'VIN', type: 'string', fieldType: 'text', hasUniqueValue: true },
				{ name: 'model', label: 'Model', type: 'string', fieldType: 'text' },
			] as never,
		});
		const objectType = `p${contract.portalId}_car`;
		const since = new Date(Date.now() - 1000).toISOString();
		const up = await run(
			[
				{ vin: 'VIN1', model: 'T' },
				{ vin: 'VIN2', model: 'S' },
			],
			{
				resource: 'record',
				operation: 'upsert',
				objectType,
				fields: {
					mappingMode: 'autoMapInputData',
					value: {},
					matchingColumns: ['vin'],
					schema: [],
				},
			},
		);
		expect(up.failed).toEqual([]);
		expect(up.ok.map((c) => (c.properties as IDataObject).vin)).toEqual(['VIN1', 'VIN2']);
		// The window ends at HubSpot's current second (Date header) minus the lag: wait for the next second, lag 0
		// (test/faults/triggers.test.ts runs the default lag).
		await new Promise((resolve) => setTimeout(resolve, 1000 - (Date.now() % 1000) + 5));
		const changes = await run([{}], {
			resource: 'record',
			operation: 'getChanges',
			objectType,
			since,
			options: { properties: ['vin'], safetyLagSeconds: 0 },
		});
		expect(changes.ok.map((c) => (c.properties as IDataObject).vin)).toEqual(['VIN1', 'VIN2']);
		expect(typeof changes.ok[1].watermark).toBe('string');
	});
});

describe('get changes', () => {
	it('resumes exactly from a watermark an earlier version handed out (time|ids, { timestamp, ids }), as from the one it hands out now', async () => {
		const since = new Date(Date.now() - 1).toISOString();
		const ids = Array.from({ length: 5 }, (_, i) =>
			sim.insertDirect('contacts', { email: `resume-${i}@example.com`, lastname: `Resume ${i}` }),
		);
		await new Promise((resolve) => setTimeout(resolve, 1000 - (Date.now() % 1000) + 5));
		const read = async (from: string) => {
			const result = await run([{}], {
				resource: 'record',
				operation: 'getChanges',
				objectType: 'contacts',
				since: from,
				options: { properties: ['email', 'lastmodifieddate'], safetyLagSeconds: 0 },
			});
			expect(result.failed).toEqual([]);
			return result.ok;
		};
		const all = await read(since);
		expect(all.map((c) => String(c.id)).sort()).toEqual([...ids].sort());
		const order = all.map((c) => String(c.id));
		// What the operation handed out before the connector contract: the time of the record's change and the ids
		// handed out at exactly that millisecond (`ISO|id,id`).
		const stamp = (c: IDataObject) =>
			Date.parse(String((c.properties as IDataObject).lastmodifieddate));
		for (let k = 0; k < all.length; k++) {
			const ts = stamp(all[k]);
			const sameMs = all
				.slice(0, k + 1)
				.filter((c) => stamp(c) === ts)
				.map((c) => String(c.id));
			const old = `${new Date(ts).toISOString()}|${sameMs.join(',')}`;
			expect((await read(old)).map((c) => String(c.id))).toEqual(order.slice(k + 1));
			const cursor = JSON.stringify({ timestamp: ts, ids: sameMs });
			expect((await read(cursor)).map((c) => String(c.id))).toEqual(order.slice(k + 1));
			expect((await read(String(all[k].watermark))).map((c) => String(c.id))).toEqual(
				order.slice(k + 1),
			);
		}
		const bad = await runWorkflow(
			flow([{}], {
				resource: 'record',
				operation: 'getChanges',
				objectType: 'contacts',
				since: 'last tuesday',
			}),
			{ credentials: credentials() },
		);
		expect(bad.json('HubSpot CRM', 0)).toEqual([]);
		expect(String(bad.json('HubSpot CRM', 1)[0].error)).toMatch(
			/"Changed Since" must be a watermark from an earlier run or a time/,
		);
	});

	it('returns deletions only when Include Deletions is on', async () => {
		const since = new Date(Date.now() - 1).toISOString();
		const ids = Array.from({ length: 3 }, (_, i) =>
			sim.insertDirect('contacts', { email: `gone-${i}@example.com`, lastname: `Gone ${i}` }),
		);
		expect(sim.archiveDirect('contacts', ids[1])).toBe(true);
		await new Promise((resolve) => setTimeout(resolve, 1000 - (Date.now() % 1000) + 5));
		const read = async (options: IDataObject) =>
			(
				await run([{}], {
					resource: 'record',
					operation: 'getChanges',
					objectType: 'contacts',
					since,
					options: { safetyLagSeconds: 0, ...options },
				})
			).ok.map((c) => [String(c.id), c.deleted === true]);
		expect((await read({})).sort()).toEqual(
			[
				[ids[0], false],
				[ids[2], false],
			].sort(),
		);
		expect((await read({ includeDeletions: true })).sort()).toEqual(
			[
				[ids[0], false],
				[ids[1], true],
				[ids[2], false],
			].sort(),
		);
	});
});

describe('search', () => {
	it('with a limit and a sort, and with filter groups given as JSON (as an AI agent would)', async () => {
		await run(
			['s1', 's2', 's3', 's4'].map((n) => ({
				email: `${n}@search.example.com`,
				lifecyclestage: n === 's4' ? 'customer' : 'lead',
			})),
			{
				resource: 'record',
				operation: 'upsert',
				objectType: 'contacts',
				fields: {
					mappingMode: 'autoMapInputData',
					value: {},
					matchingColumns: ['email'],
					schema: [],
				},
			},
		);
		const sorted = await run([{}], {
			resource: 'record',
			operation: 'search',
			objectType: 'contacts',
			filterMode: 'fields',
			filterGroups: {
				group: [
					{
						filters: {
							filter: [
								{
									propertyName: 'email',
									operator: 'CONTAINS_TOKEN',
									value: '*@search.example.com',
								},
							],
						},
					},
				],
			},
			returnAll: false,
			limit: 2,
			options: { sortBy: 'email', sortDirection: 'DESCENDING', properties: ['email'] },
		});
		expect(sorted.ok.map((c) => (c.properties as IDataObject).email)).toEqual([
			's4@search.example.com',
			's3@search.example.com',
		]);
		const json = await run([{ stage: 'customer' }], {
			resource: 'record',
			operation: 'search',
			objectType: 'contacts',
			filterMode: 'json',
			filterGroupsJson:
				'={{ JSON.stringify([{ filters: [{ propertyName: "lifecyclestage", operator: "EQ", value: $json.stage }, { propertyName: "email", operator: "CONTAINS_TOKEN", value: "*@search.example.com" }] }]) }}',
			returnAll: true,
			options: { properties: ['email', 'lifecyclestage'] },
		});
		expect(json.ok.map((c) => (c.properties as IDataObject).email)).toEqual([
			's4@search.example.com',
		]);
		const bad = await run([{}], {
			resource: 'record',
			operation: 'search',
			objectType: 'contacts',
			filterMode: 'json',
			filterGroupsJson: '{"filters": 1}',
			returnAll: true,
			options: {},
		});
		expect(bad.failedItems).toEqual([0]);
		expect(String(bad.failed[0].error)).toMatch(/must be an array/);
	});
});

describe('associations', () => {
	it('creates default and labelled associations, lists and removes them', async () => {
		const people = await run([{ email: 'assoc1@example.com' }, { email: 'assoc2@example.com' }], {
			resource: 'record',
			operation: 'upsert',
			objectType: 'contacts',
			fields: {
				mappingMode: 'autoMapInputData',
				value: {},
				matchingColumns: ['email'],
				schema: [],
			},
		});
		const company = await run([{ name: 'Acme Assoc' }], {
			resource: 'record',
			operation: 'create',
			objectType: 'companies',
			fields: { mappingMode: 'autoMapInputData', value: {}, matchingColumns: [], schema: [] },
		});
		const companyId = String(company.ok[0].id);
		const [p1, p2] = people.ok.map((p) => String(p.id));

		const linked = await run([{ from: p1 }, { from: p2 }, { from: '123456789' }], {
			resource: 'association',
			operation: 'create',
			objectType: 'contacts',
			toObjectType: 'companies',
			fromId: '={{ $json.from }}',
			toId: companyId,
			label: 'default',
		});
		expect(linked.ok.map((l) => l.fromId)).toEqual([p1, p2]);
		expect(linked.failedItems).toEqual([2]);

		// HubSpot's "Primary" company label (contact → company type 1).
		const labelled = await run([{}], {
			resource: 'association',
			operation: 'create',
			objectType: 'contacts',
			toObjectType: 'companies',
			fromId: p1,
			toId: companyId,
			label: 'HUBSPOT_DEFINED:1',
		});
		expect(labelled.failed).toEqual([]);

		const listed = await run([{ id: p1 }, { id: p2 }], {
			resource: 'association',
			operation: 'getAll',
			objectType: 'contacts',
			toObjectType: 'companies',
			fromId: '={{ $json.id }}',
		});
		expect(listed.ok.map((l) => [l.fromId, l.toId])).toEqual([
			[p1, companyId],
			[p2, companyId],
		]);
		expect(listed.ok[0].labels).toEqual(expect.arrayContaining(['Primary']));

		const removed = await run([{}], {
			resource: 'association',
			operation: 'remove',
			objectType: 'contacts',
			toObjectType: 'companies',
			fromId: p1,
			toId: companyId,
		});
		expect(removed.ok).toHaveLength(1);
		const after = await run([{}], {
			resource: 'association',
			operation: 'getAll',
			objectType: 'contacts',
			toObjectType: 'companies',
			fromId: p1,
		});
		expect(after.ok).toEqual([]);
	});
});

describe('batch reads answered out of request order (HubSpot promises no order)', () => {
	beforeEach(() => sim.setReadResultOrder('reversed'));
	afterEach(() => sim.setReadResultOrder('request'));

	const createContacts = async (tag: string, n: number) =>
		(
			await run(
				Array.from({ length: n }, (_, i) => ({
					email: `${tag}${i}@example.com`,
					firstname: `${tag} ${i}`,
				})),
				{
					resource: 'record',
					operation: 'create',
					objectType: 'contacts',
					fields: { mappingMode: 'autoMapInputData', value: {}, matchingColumns: [], schema: [] },
				},
			)
		).ok.map((c) => String(c.id));

	it('the simulator really answers a batch read reversed', async () => {
		const ids = await createContacts('order-probe', 3);
		const res = await fetch(`${contract.baseUrl}/crm/v3/objects/contacts/batch/read`, {
			method: 'POST',
			headers: {
				Authorization: `Bearer ${contract.accessToken}`,
				'content-type': 'application/json',
			},
			body: JSON.stringify({ inputs: ids.map((id) => ({ id })), properties: ['email'] }),
		});
		expect(
			((await res.json()) as { results: Array<{ id: string }> }).results.map((r) => r.id),
		).toEqual([...ids].reverse());
	});

	it('get by id and by e-mail: each item gets its own record; a missing one fails alone', async () => {
		const ids = await createContacts('order', 5);
		const byId = await run(
			[...ids, '999999999'].map((id) => ({ id })),
			{
				resource: 'record',
				operation: 'get',
				objectType: 'contacts',
				recordId: '={{ $json.id }}',
				options: {},
			},
		);
		expect(byId.ok.map((c) => c.id)).toEqual(ids);
		expect(byId.ok.map((c) => (c.properties as IDataObject).firstname)).toEqual(
			ids.map((_, i) => `order ${i}`),
		);
		expect(byId.failedItems).toEqual([5]);

		const emails = [3, 0, 4, 1].map((i) =>
			i === 4 ? `ORDER${i}@Example.com` : `order${i}@example.com`,
		);
		const byEmail = await run(
			emails.map((email) => ({ email })),
			{
				resource: 'record',
				operation: 'get',
				objectType: 'contacts',
				recordId: '={{ $json.email }}',
				options: { idProperty: 'email' },
			},
		);
		expect(byEmail.ok.map((c) => c.id)).toEqual([3, 0, 4, 1].map((i) => ids[i]));
		expect(byEmail.failed).toEqual([]);
	});

	it("association lists: each item gets its own record's associations", async () => {
		const people = await createContacts('assoc-order', 3);
		const companies = (
			await run(
				[0, 1, 2].map((i) => ({ name: `Order Co ${i}` })),
				{
					resource: 'record',
					operation: 'create',
					objectType: 'companies',
					fields: { mappingMode: 'autoMapInputData', value: {}, matchingColumns: [], schema: [] },
				},
			)
		).ok.map((c) => String(c.id));
		const linked = await run(
			[0, 1, 2].map((i) => ({ from: people[i], to: companies[i] })),
			{
				resource: 'association',
				operation: 'create',
				objectType: 'contacts',
				toObjectType: 'companies',
				fromId: '={{ $json.from }}',
				toId: '={{ $json.to }}',
				label: 'default',
			},
		);
		expect(linked.failed).toEqual([]);
		const listed = await run(
			[2, 0, 1].map((i) => ({ id: people[i] })),
			{
				resource: 'association',
				operation: 'getAll',
				objectType: 'contacts',
				toObjectType: 'companies',
				fromId: '={{ $json.id }}',
			},
		);
		expect(listed.ok.map((l) => [l.fromId, l.toId])).toEqual(
			[2, 0, 1].map((i) => [people[i], companies[i]]),
		);
	});
});

describe('properties and forms', () => {
	it("creates, lists and updates a property; a bad definition fails with HubSpot's message", async () => {
		const created = await run([{}], {
			resource: 'property',
			operation: 'create',
			objectType: 'contacts',
			name: 'favorite_color',
			label: 'Favorite color',
			propertyType: 'enumeration:select',
			additionalFields: { options: 'red, green', groupName: 'contactinformation' },
		});
		expect(created.ok[0]).toMatchObject({ name: 'favorite_color', type: 'enumeration' });
		const again = await run([{}], {
			resource: 'property',
			operation: 'create',
			objectType: 'contacts',
			name: 'favorite_color',
			label: 'Again',
			propertyType: 'string:text',
			additionalFields: {},
		});
		expect(again.failedItems).toEqual([0]);
		expect(String(again.failed[0].error)).toMatch(/favorite_color|exist/i);

		const updated = await run([{}], {
			resource: 'property',
			operation: 'update',
			objectType: 'contacts',
			propertyName: 'favorite_color',
			updateFields: { label: 'Favourite colour', options: 'red, green, blue' },
		});
		expect(updated.ok[0]).toMatchObject({ label: 'Favourite colour' });
		const listed = await run([{}], {
			resource: 'property',
			operation: 'getAll',
			objectType: 'contacts',
			archived: false,
		});
		const color = listed.ok.find((p) => p.name === 'favorite_color') as IDataObject;
		expect((color.options as IDataObject[]).map((o) => o.value)).toEqual(['red', 'green', 'blue']);
	});

	it('submits a form', async () => {
		const form = sim.forms[0];
		const emailField = form.fields.find((f) => f.name === 'email');
		const fields = form.fields
			.filter((f) => f.required || f === emailField)
			.map((f) => ({
				name: f.name,
				value: f.name === 'email' ? 'form@example.com' : 'x',
				objectTypeId: f.objectTypeId,
			}));
		const submitted = await run([{}], {
			resource: 'form',
			operation: 'submit',
			portalId: contract.portalId,
			formGuid: form.id,
			fields: { field: fields },
			options: { pageUri: 'https://example.com/signup', submissionsUrl: contract.formsBaseUrl },
		});
		expect(submitted.failed).toEqual([]);
		expect(submitted.ok[0].submitted).toBe(true);
		expect(sim.submissions.at(-1)?.fields.email).toBe('form@example.com');
		const wrong = await run([{}], {
			resource: 'form',
			operation: 'submit',
			portalId: contract.portalId,
			formGuid: 'nope',
			fields: { field: fields },
			options: { submissionsUrl: contract.formsBaseUrl },
		});
		expect(wrong.failedItems).toEqual([0]);
		expect(String(wrong.failed[0].error)).toMatch(/not valid|not found/i);
	});
});
