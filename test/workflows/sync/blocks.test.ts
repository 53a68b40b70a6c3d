/**
 * The sync as building blocks, through n8n's real engine against the Salesforce and HubSpot simulators: Sync State
 * (Read) → Salesforce Changes › Get and HubSpot Record › Get Changes → Sync Plan → Salesforce / HubSpot create and
 * update nodes (auto-map, errors to their error output) → Merge (append) → Sync State (Commit). A first run pairs
 * and creates what each side lacks (no duplicates, a review conflict on the Conflicts output); a second run writes
 * nothing. The write nodes' auto-map leaves the ticket key (`_sync`) out of what they send.
 */
import type { IConnections, IDataObject, INode } from 'n8n-workflow';

import { clearRateBudgets } from '../../../core/http/rateLimiter';
import { nodeTypeName, runWorkflow, type WorkflowRun } from '../../helpers/engine';
import { common, toSf, type Values } from '../../sync/world';
import { SyncWorld } from './world';

const world = new SyncWorld();
beforeAll(async () => await world.start());
afterAll(async () => await world.stop());

const SF = { crmSalesforcePasswordApi: { id: 'sf', name: 'Salesforce simulator' } };
const HS = { crmHubSpotPrivateAppApi: { id: 'hs', name: 'HubSpot simulator' } };
const SIDES = {
	systemA: 'salesforce',
	systemB: 'hubspot',
	salesforceAuthentication: 'password',
	hubspotAuthentication: 'privateApp',
	objectA: 'Contact',
	objectB: 'contacts',
};
const AUTO = { mappingMode: 'autoMapInputData', value: null, matchingColumns: [], schema: [] };
const CONTACT = { __rl: true, mode: 'name', value: 'Contact' };

let position = 0;
function node(
	name: string,
	type: string,
	parameters: IDataObject,
	extra: Partial<INode> = {},
): INode {
	return {
		id: name.toLowerCase().replace(/\W+/g, '-'),
		name,
		type: type.includes('.') ? type : nodeTypeName(type),
		typeVersion: type.endsWith('merge') ? 3 : 1,
		position: [(position += 200), 0],
		parameters,
		...extra,
	} as INode;
}
const sfNode = (name: string, parameters: IDataObject, extra: Partial<INode> = {}) =>
	node(
		name,
		'salesforce',
		{ authentication: 'password', ...parameters },
		{ credentials: SF, ...extra },
	);
const hsNode = (name: string, parameters: IDataObject, extra: Partial<INode> = {}) =>
	node(
		name,
		'hubSpot',
		{ authentication: 'privateApp', ...parameters },
		{ credentials: HS, ...extra },
	);
const onError: Partial<INode> = { onError: 'continueErrorOutput' };
const to = (name: string, index = 0) => ({ node: name, type: 'main' as const, index });

/** The workflow; the writers are Create/Update in A (Salesforce) and B (HubSpot), each with an error output. */
function blocksWorkflow() {
	const writers: Array<[string, number, INode]> = [
		[
			'Create A',
			0,
			sfNode(
				'Create A',
				{ resource: 'record', operation: 'create', object: CONTACT, fields: AUTO },
				onError,
			),
		],
		[
			'Update A',
			1,
			sfNode(
				'Update A',
				{ resource: 'record', operation: 'update', object: CONTACT, fields: AUTO },
				onError,
			),
		],
		[
			'Create B',
			3,
			hsNode(
				'Create B',
				{ resource: 'record', operation: 'create', objectType: 'contacts', fields: AUTO },
				onError,
			),
		],
		[
			'Update B',
			4,
			hsNode(
				'Update B',
				{ resource: 'record', operation: 'update', objectType: 'contacts', fields: AUTO },
				onError,
			),
		],
	];
	const planOutputs = Array.from({ length: 8 }, () => [] as ReturnType<typeof to>[]);
	const connections: IConnections = {
		Start: { main: [[to('Sync State')]] },
		'Sync State': { main: [[to('Read A'), to('Read B')], []] },
		'Read A': { main: [[to('Sync Plan', 0)]] },
		'Read B': { main: [[to('Sync Plan', 1)]] },
		'Sync Plan': { main: planOutputs },
		Merge: { main: [[to('Commit')]] },
	};
	writers.forEach(([name, output], k) => {
		planOutputs[output].push(to(name));
		connections[name] = { main: [[to('Merge', 2 * k)], [to('Merge', 2 * k + 1)]] };
	});
	return {
		id: 'blocks-workflow',
		nodes: [
			node('Start', 'n8n-nodes-base.manualTrigger', {}),
			node(
				'Sync State',
				'syncState',
				{ operation: 'read', ...SIDES },
				{ credentials: { ...SF, ...HS } },
			),
			sfNode(
				'Read A',
				{
					resource: 'changes',
					operation: 'get',
					object: CONTACT,
					event: 'updated',
					since: '={{ $json.a.since }}',
					maxChanges: 10_000,
				},
				{ alwaysOutputData: true },
			),
			hsNode(
				'Read B',
				{
					resource: 'record',
					operation: 'getChanges',
					objectType: 'contacts',
					since: "={{ $('Sync State').item.json.b.since }}",
				},
				{ alwaysOutputData: true },
			),
			node(
				'Sync Plan',
				'syncPlan',
				{
					...SIDES,
					matchKeys: { keys: [{ fieldA: 'Email', fieldB: 'email', normalize: 'email' }] },
					fieldMappings: {
						mappings: [
							{ fieldA: 'Email', fieldB: 'email' },
							{ fieldA: 'LastName', fieldB: 'lastname' },
							{ fieldA: 'FirstName', fieldB: 'firstname', conflict: 'review' },
							{ fieldA: 'Title', fieldB: 'jobtitle', conflict: 'bWins' },
							{ fieldA: 'Phone', fieldB: 'phone' },
						],
					},
					conflictStrategy: 'aWins',
				},
				{ credentials: { ...SF, ...HS } },
			),
			...writers.map(([, , n]) => n),
			node('Merge', 'n8n-nodes-base.merge', { mode: 'append', numberInputs: 8 }),
			node('Commit', 'syncState', { operation: 'commit' }),
		],
		connections,
	};
}

async function run(): Promise<{ run: WorkflowRun; writes: { sf: number; hs: number } }> {
	world.advance();
	clearRateBudgets();
	const before = world.writeRequests();
	const result = await runWorkflow(blocksWorkflow(), { credentials: world.credentials() });
	expect(result.error).toBeUndefined();
	const after = world.writeRequests();
	return { run: result, writes: { sf: after.sf - before.sf, hs: after.hs - before.hs } };
}

const person = (tag: string, i: number, over: Values = {}): Values => ({
	email: `${tag}${i}@example.com`,
	lastname: `Last${tag}${i}`,
	firstname: `First${i}`,
	jobtitle: `Title ${tag}${i}`,
	phone: `+1 555 010${i}`,
	...over,
});

describe('Sync Plan and Sync State between Salesforce Contact and HubSpot contacts', () => {
	const model = new Map<string, Values>();

	it('pairs and creates in one run: every contact once on each side, the review conflict listed', async () => {
		for (let i = 0; i < 3; i++) {
			const a = person('sf', i);
			world.sfInsert(toSf(a));
			model.set(a.email as string, a);
			const b = person('hs', i);
			world.hsInsert(b);
			model.set(b.email as string, b);
		}
		// On both sides: LastName differs (A wins), Title differs (B wins), one FirstName differs (review).
		for (let i = 0; i < 3; i++) {
			const a = person('both', i);
			world.sfInsert(toSf(a));
			const b = {
				...a,
				lastname: `Other${i}`,
				jobtitle: `B title ${i}`,
				firstname: i === 0 ? 'Bee' : a.firstname,
			};
			world.hsInsert(b);
			model.set(a.email as string, { ...a, jobtitle: b.jobtitle });
		}
		const { run: first, writes } = await run();
		const plan = (output: number) => first.json('Sync Plan', output);
		expect([0, 1, 2, 3, 4, 5].map((o) => plan(o).length)).toEqual([3, 3, 0, 3, 3, 0]);
		expect(plan(3).every((item) => typeof item._sync === 'object' && !('id' in item))).toBe(true);
		expect(plan(6)).toEqual([
			expect.objectContaining({ fieldA: 'FirstName', a: 'First0', b: 'Bee' }),
		]);
		expect(plan(7).filter((u) => u.status === 'unchanged')).toHaveLength(0);
		// One write request per writer node (batched), each item committed as written.
		expect(writes).toEqual({ sf: 2, hs: 2 });
		const done = first.json('Commit', 0);
		expect(done).toHaveLength(12);
		expect(done.every((d) => d.written === true && typeof d.id === 'string')).toBe(true);
		expect(first.json('Commit', 1)).toEqual([]);
		// Once per e-mail on each side; the conflicted FirstName keeps each side's value until decided.
		expectSides(model, { 'both0@example.com': { a: 'First0', b: 'Bee' } });
	});

	it('writes nothing on a second run: the writes read back are echoes', async () => {
		const { run: second, writes } = await run();
		expect(writes).toEqual({ sf: 0, hs: 0 });
		expect([0, 1, 2, 3, 4, 5].map((o) => second.json('Sync Plan', o).length)).toEqual([
			0, 0, 0, 0, 0, 0,
		]);
		expect(second.json('Sync Plan', 6)).toHaveLength(1);
		expect(second.runData.Commit).toBeUndefined();
		expect(second.json('Sync Plan', 6)).toEqual([expect.objectContaining({ new: false })]);
		// The 12 records written by the first run come back as echoes: each on Unchanged, once.
		const unchanged = second.json('Sync Plan', 7);
		expect(unchanged.map((u) => u.status)).toEqual(Array(12).fill('unchanged'));
		expect(new Set(unchanged.map((u) => `${u.side}:${u.id}`)).size).toBe(12);
		expect(second.runData['Sync Plan'][0].hints).toEqual([
			expect.objectContaining({
				message: expect.stringMatching(/^Planned .*: nothing to write, 12 records read/),
			}),
		]);
		expectSides(model, { 'both0@example.com': { a: 'First0', b: 'Bee' } });
	});
});

describe('the blocks refuse what they cannot place', () => {
	const trigger = () => node('Start', 'n8n-nodes-base.manualTrigger', {});
	const items = (json: IDataObject[]) =>
		node('Items', 'n8n-nodes-base.code', {
			jsCode: `return ${JSON.stringify(json.map((j) => ({ json: j })))};`,
		});
	const workflow = (target: INode) => ({
		nodes: [
			trigger(),
			items([{ id: '1', email: 'x@example.com' }, { email: 'y@example.com' }]),
			target,
		],
		connections: {
			Start: { main: [[to('Items')]] },
			Items: { main: [[to(target.name)]] },
		},
	});

	it('Commit: an item without a ticket goes to Failed, naming Planned Write; nothing is committed', async () => {
		const result = await runWorkflow(
			workflow(node('Commit', 'syncState', { operation: 'commit' })),
		);
		expect(result.error).toBeUndefined();
		expect(result.json('Commit', 0)).toEqual([]);
		const failed = result.json('Commit', 1);
		expect(failed).toHaveLength(2);
		expect(failed.every((f) => String(f.error).startsWith('Planned Write:'))).toBe(true);
	});

	it('Sync Plan: an item without an id fails the node, naming the input and the item', async () => {
		const plan = blocksWorkflow().nodes.find((n) => n.name === 'Sync Plan') as INode;
		const result = await runWorkflow(workflow(plan), { credentials: world.credentials() });
		expect(result.error?.message).toMatch(/^A Records: item 1 has no record id/);
	});
});

/** Exactly the model's contacts on each side, once each; `firstName` overrides a side's FirstName (a conflict). */
function expectSides(
	model: Map<string, Values>,
	firstName: Record<string, { a: string; b: string }>,
) {
	for (const side of ['a', 'b'] as const) {
		const got = (side === 'a' ? world.sfAll() : world.hsAll()).map((r) => common(side, r.fields));
		const want = [...model.values()].map((v) => ({
			...v,
			firstname: firstName[v.email as string]?.[side] ?? v.firstname,
		}));
		const byEmail = (x: Values, y: Values) => String(x.email).localeCompare(String(y.email));
		expect({ side, contacts: got.sort(byEmail) }).toEqual({ side, contacts: want.sort(byEmail) });
	}
}
