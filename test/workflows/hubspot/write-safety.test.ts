/**
 * HubSpot Record writes through n8n's engine when the settings, the ids or the credential are wrong, and when a
 * create's answer is lost while one of its e-mails already existed: every item ends on exactly one output that tells
 * the truth (with "Continue (using error output)" nothing reaches the success output unwritten), nothing is sent that
 * cannot succeed, and ids never change the URL path.
 */
import type { IDataObject, INode, INodeParameters } from 'n8n-workflow';

import { HubSpotConnector } from '../../../core/connectors/hubspot/connector';
import { clearRateBudgets } from '../../../core/http/rateLimiter';
import { HubSpotSimulator, type HubSpotContract } from '../../../sandbox';
import { ManualClock } from '../../../sandbox/kit/clock';
import { nodeTypeName, runWorkflow, type WorkflowJson } from '../../helpers/engine';

// HubSpot's clock (the simulator's) is a ManualClock far from the host's: settling a lost create must not need them to agree.
const clock = new ManualClock(Date.UTC(2024, 5, 1, 9, 0, 0));
const sim = new HubSpotSimulator({ rateLimits: false, clock });
let contract: HubSpotContract;

beforeAll(async () => {
	contract = await sim.start();
});
afterAll(async () => {
	clearRateBudgets();
	await sim.stop();
});
beforeEach(() => {
	sim.reset();
	sim.setBatchMode('atomic');
	clearRateBudgets();
});

const NODE = 'HubSpot CRM';

function flow(
	items: IDataObject[],
	parameters: INodeParameters,
	onError: INode['onError'] = 'continueErrorOutput',
): WorkflowJson {
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
			node(NODE, nodeTypeName('hubSpot'), { authentication: 'privateApp', ...parameters }, 3, {
				credentials: {
					crmHubSpotPrivateAppApi: { id: 'hubspot-sandbox', name: 'HubSpot sandbox' },
				},
				...(onError ? { onError } : {}),
			}),
		],
		connections: {
			Start: { main: [[{ node: 'Items', type: 'main', index: 0 }]] },
			Items: { main: [[{ node: NODE, type: 'main', index: 0 }]] },
		},
	};
}

const credentials = (accessToken = contract.accessToken) => ({
	crmHubSpotPrivateAppApi: { accessToken, baseUrl: contract.baseUrl },
});
const autoMap = (matchingColumns: string[]) =>
	({
		mappingMode: 'autoMapInputData',
		value: {},
		matchingColumns,
		schema: [],
	}) as unknown as INodeParameters;
const people = (n: number, tag: string) =>
	Array.from({ length: n }, (_, i) => ({ email: `${tag}${i}@example.com`, firstname: 'P' }));
const paired = (items: Array<{ pairedItem?: unknown }>) =>
	items.map((i) => (i.pairedItem as { item: number }).item);

describe('invalid settings', () => {
	it('upsert with no match column: every item on the error output naming the setting, nothing sent', async () => {
		const run = await runWorkflow(
			flow(people(5, 'nomatch'), {
				resource: 'record',
				operation: 'upsert',
				objectType: 'contacts',
				fields: autoMap([]),
			}),
			{ credentials: credentials() },
		);
		expect(run.error).toBeUndefined();
		expect(run.items(NODE, 0)).toHaveLength(0);
		const failed = run.json(NODE, 1);
		expect(paired(run.items(NODE, 1))).toEqual([0, 1, 2, 3, 4]);
		for (const item of failed)
			expect(String(item.error)).toMatch(/Columns to match on.*Nothing was written/);
		expect(sim.log.count({})).toBe(0);
		expect(sim.collection('contacts').list()).toHaveLength(0);
	});

	it('without "Continue", the same setting stops the node before anything is sent', async () => {
		const run = await runWorkflow(
			flow(
				people(3, 'stop'),
				{ resource: 'record', operation: 'upsert', objectType: 'contacts', fields: autoMap([]) },
				'stopWorkflow',
			),
			{ credentials: credentials() },
		);
		expect(run.error?.message).toMatch(/Columns to match on/);
		expect(sim.log.count({})).toBe(0);
	});

	it('upsert matching on the record ID: every item on the error output, nothing sent', async () => {
		const run = await runWorkflow(
			flow(people(4, 'byid'), {
				resource: 'record',
				operation: 'upsert',
				objectType: 'contacts',
				fields: autoMap(['hs_object_id']),
			}),
			{ credentials: credentials() },
		);
		expect(run.items(NODE, 0)).toHaveLength(0);
		expect(run.json(NODE, 1).map((i) => String(i.error))).toEqual(
			Array(4).fill(expect.stringMatching(/cannot match on the record ID/)),
		);
		expect(sim.log.count({})).toBe(0);
	});
	it('an object type the account does not have: every item on the error output, without splitting batches', async () => {
		const run = await runWorkflow(
			flow(people(250, 'notype'), {
				resource: 'record',
				operation: 'create',
				objectType: 'p_nonexistent_cars',
				fields: autoMap([]),
			}),
			{ credentials: credentials() },
		);
		expect(run.items(NODE, 0)).toHaveLength(0);
		const failed = run.json(NODE, 1);
		expect(failed).toHaveLength(250);
		expect(String(failed[0].error)).toMatch(/Unable to infer object type/);
		expect(sim.log.count({ kind: 'batch.create' })).toBeLessThanOrEqual(3);
	});
});

describe('a revoked private-app token', () => {
	it('ends after one call per batch in flight, every item saying the credential must be reconnected', async () => {
		const run = await runWorkflow(
			flow(people(250, 'revoked'), {
				resource: 'record',
				operation: 'upsert',
				objectType: 'contacts',
				fields: autoMap(['email']),
			}),
			{
				credentials: credentials('pat-na1-00000000-0000-0000-0000-000000000000'),
			},
		);
		expect(run.error).toBeUndefined();
		expect(run.items(NODE, 0)).toHaveLength(0);
		const failed = run.json(NODE, 1);
		expect(failed).toHaveLength(250);
		for (const item of failed) expect(String(item.error)).toMatch(/must be reconnected/);
		const calls = sim.log.count({ kind: 'batch.upsert' });
		expect(calls).toBeLessThanOrEqual(3);
		expect(sim.log.count({ kind: 'batch.upsert', status: 401 })).toBe(calls);
	});
});

describe('record ids in URL paths', () => {
	it('get (one call per record) and delete refuse ids that are not HubSpot ids, and never send them', async () => {
		const hub = new HubSpotConnector({
			baseUrl: contract.baseUrl,
			accessToken: contract.accessToken,
			rateLimit: false,
		});
		const { results } = await hub.batchCreate('contacts', [
			{ properties: { email: 'kept@example.com' } },
		]);
		const id = results[0].ok ? results[0].value.id : '';
		const before = sim.log.count({});
		const got = await runWorkflow(
			flow([{ id }, { id: '..' }, { id: '12/../3' }], {
				resource: 'record',
				operation: 'get',
				objectType: 'contacts',
				recordId: '={{ $json.id }}',
				options: { associations: 'companies' },
			}),
			{ credentials: credentials() },
		);
		expect(got.json(NODE, 0).map((c) => c.id)).toEqual([id]);
		expect(paired(got.items(NODE, 1))).toEqual([1, 2]);
		for (const item of got.json(NODE, 1))
			expect(String(item.error)).toMatch(/not a HubSpot record ID/);
		const byEmail = await runWorkflow(
			flow([{ e: '..' }], {
				resource: 'record',
				operation: 'get',
				objectType: 'contacts',
				recordId: '={{ $json.e }}',
				options: { idProperty: 'email', associations: 'companies' },
			}),
			{ credentials: credentials() },
		);
		expect(String(byEmail.json(NODE, 1)[0]?.error)).toMatch(/not a valid email/);
		const deleted = await runWorkflow(
			flow([{ id: 'abc' }, { id: '..' }, { id }], {
				resource: 'record',
				operation: 'delete',
				objectType: 'contacts',
				recordId: '={{ $json.id }}',
			}),
			{ credentials: credentials() },
		);
		expect(paired(deleted.items(NODE, 1))).toEqual([0, 1]);
		expect(deleted.json(NODE, 0)).toEqual([{ id, deleted: true }]);
		// Only the valid id reached HubSpot: one get, one archive; no path with "..".
		expect(sim.log.count({}) - before).toBe(2);
		expect(sim.log.entries({}).some((e) => e.path.includes('..'))).toBe(false);
	});
});

describe('a create whose answer is lost', () => {
	it('is settled by e-mail: ours reported written with their ids, one that existed before reported as not created', async () => {
		const hub = new HubSpotConnector({
			baseUrl: contract.baseUrl,
			accessToken: contract.accessToken,
			rateLimit: false,
		});
		const { results } = await hub.batchCreate('contacts', [
			{ properties: { email: 'early1@example.com', firstname: 'Early' } },
		]);
		const existing = results[0].ok ? results[0].value.id : '';
		clock.advance(60_000);
		// HubSpot's 207 partial mode: the duplicate e-mail fails alone, the others are created — and the answer is lost.
		sim.setBatchMode('partial');
		sim.faults.add({
			type: 'drop',
			when: 'afterHandler',
			count: 1,
			match: { path: '/batch/create$' },
		});
		const run = await runWorkflow(
			flow(people(5, 'early'), {
				resource: 'record',
				operation: 'create',
				objectType: 'contacts',
				fields: autoMap([]),
			}),
			{ credentials: credentials() },
		);
		expect(run.error).toBeUndefined();
		const contacts = sim.collection('contacts').list();
		expect(contacts).toHaveLength(5);
		const ok = run.items(NODE, 0);
		expect(paired(ok)).toEqual([0, 2, 3, 4]);
		for (const item of ok)
			expect(
				contacts.find(
					(c) =>
						c.fields.email === `early${(item.pairedItem as { item: number }).item}@example.com`,
				)?.id,
			).toBe(item.json.id);
		const [rejected] = run.json(NODE, 1);
		expect(paired(run.items(NODE, 1))).toEqual([1]);
		expect(String(rejected.error)).toMatch(
			new RegExp(`already existed before this create \\(ID ${existing}`),
		);
		// The seeding create, the lost one, one read-back; nothing re-sent.
		expect(sim.log.count({ kind: 'batch.create' })).toBe(2);
		expect(sim.log.count({ kind: 'batch.read' })).toBe(1);
	});
});
