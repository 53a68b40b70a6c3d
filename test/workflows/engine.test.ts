/**
 * The test engine itself: workflows really run through n8n-core's WorkflowExecute, with n8n's routing of
 * error items, pairedItem lineage, static data and credentials — so node tests built on it mean something.
 */
import type {
	ICredentialType,
	IDataObject,
	INodeExecutionData,
	INodeType,
	INodeTypeDescription,
	IPollFunctions,
} from 'n8n-workflow';
import { NodeConnectionTypes, Workflow } from 'n8n-workflow';

import { FixtureCredentialsHelper } from '../helpers/credentials';
import { loadPackage, nodeTypeName, runPoll, runWorkflow } from '../helpers/engine';

describe('test engine: runWorkflow', () => {
	it('loads our built nodes under their n8n names, next to the built-in stand-ins', async () => {
		const { nodeTypes } = await loadPackage();
		const fieldMapper = nodeTypes.getByNameAndVersion(nodeTypeName('fieldMapper'), 1);
		expect(fieldMapper.description.name).toBe('fieldMapper');
		expect(nodeTypes.getByNameAndVersion('n8n-nodes-base.manualTrigger').description.name).toBe(
			'manualTrigger',
		);
		expect(Object.keys(nodeTypes.getKnownTypes())).toEqual(
			expect.arrayContaining([
				nodeTypeName('fieldMapper'),
				'n8n-nodes-base.code',
				'n8n-nodes-base.noOp',
			]),
		);
		expect(() => nodeTypes.getByName('n8n-nodes-crm-connectors.nope')).toThrow(
			/Unknown node type "n8n-nodes-crm-connectors.nope"/,
		);
	});

	it('runs nodes in order and keeps pairedItem lineage, splitting error items onto the error output', async () => {
		const result = await runWorkflow('engine.pairedItems.json');

		expect(result.error).toBeUndefined();
		expect(result.run.status).toBe('success');
		expect(result.executionOrder).toEqual([
			"When clicking 'Execute workflow'",
			'Contacts',
			'Double',
			'Success',
			'Failures',
		]);
		// Manual trigger: one empty item; Code: three items, each paired to that one input item.
		expect(result.json("When clicking 'Execute workflow'")).toEqual([{}]);
		expect(result.items('Contacts').map((i) => i.pairedItem)).toEqual([
			{ item: 0 },
			{ item: 0 },
			{ item: 0 },
		]);

		// continueErrorOutput: n8n adds an error output and moves `{ error }` items there.
		expect(result.outputs.Double).toHaveLength(2);
		expect(result.json('Double', 0)).toEqual([
			{ name: 'Ada', doubled: 2 },
			{ name: 'Linus', doubled: 6 },
		]);
		expect(result.items('Double', 0).map((i) => i.pairedItem)).toEqual([{ item: 0 }, { item: 2 }]);
		// n8n merges the failing input item's fields into the error item.
		expect(result.json('Double', 1)).toEqual([
			{ name: 'Grace', n: 2, error: 'n must not be 2 (item 1)' },
		]);
		expect(result.items('Double', 1)[0].pairedItem).toEqual({ item: 1 });

		expect(result.json('Success')).toEqual(result.json('Double', 0));
		expect(result.json('Failures')).toEqual(result.json('Double', 1));
	});

	it('keeps error items on the main output with continueRegularOutput', async () => {
		const workflow = (await import('./fixtures/engine.pairedItems.json'))
			.default as unknown as Parameters<typeof runWorkflow>[0] & {
			nodes: Array<{ name: string; onError?: string }>;
		};
		const copy = structuredClone(workflow);
		copy.nodes.find((n) => n.name === 'Double')!.onError = 'continueRegularOutput';

		const result = await runWorkflow(copy);

		expect(result.error).toBeUndefined();
		expect(result.outputs.Double).toHaveLength(1);
		expect(result.json('Double')).toEqual([
			{ name: 'Ada', doubled: 2 },
			{ error: 'n must not be 2 (item 1)' },
			{ name: 'Linus', doubled: 6 },
		]);
		expect(result.json('Success')).toHaveLength(3);
		expect(() => result.items('Failures')).toThrow(/Node "Failures" did not run/);
	});

	it('stops the run with the node error when On Error is not set', async () => {
		const workflow = (await import('./fixtures/engine.pairedItems.json')).default as unknown as {
			nodes: Array<{ name: string; onError?: string }>;
		};
		const copy = structuredClone(workflow);
		delete copy.nodes.find((n) => n.name === 'Double')!.onError;

		const result = await runWorkflow(copy as Parameters<typeof runWorkflow>[0]);

		expect(result.run.status).toBe('error');
		expect(result.error?.message).toBe('n must not be 2 (item 1)');
		expect(result.error?.name).toBe('NodeOperationError');
		expect(result.run.data.resultData.lastNodeExecuted).toBe('Double');
		expect(result.runData.Success).toBeUndefined();
		expect(() => result.items('Success')).toThrow(/the run failed: n must not be 2/);
	});

	it('hands startItems to the trigger in production mode and persists static data only outside manual runs', async () => {
		const first = await runWorkflow('engine.staticData.json', {
			mode: 'trigger',
			startItems: [{ id: 'a' }, { json: { id: 'b' } }],
		});
		expect(first.error).toBeUndefined();
		expect(first.json('Count Runs')).toEqual([{ runs: 1, received: [{ id: 'a' }, { id: 'b' }] }]);
		expect(first.staticData).toEqual({ global: { runs: 1 } });

		const second = await runWorkflow('engine.staticData.json', {
			mode: 'trigger',
			staticData: first.staticData,
		});
		expect(second.json('Count Runs')[0].runs).toBe(2);
		expect(second.staticData).toEqual({ global: { runs: 2 } });

		const manual = await runWorkflow('engine.staticData.json', { staticData: second.staticData });
		expect(manual.json('Count Runs')[0].runs).toBe(3); // the run sees and changes it…
		expect(manual.staticData).toEqual({ global: { runs: 2 } }); // …but n8n does not save manual runs
	});
});

describe('test engine: credentials helper', () => {
	const tokenApi: ICredentialType = {
		name: 'crmTestTokenApi',
		displayName: 'Test Token API',
		properties: [
			{
				displayName: 'Base URL',
				name: 'baseUrl',
				type: 'string',
				default: 'https://api.example.test',
			},
			{
				displayName: 'Client Secret',
				name: 'secret',
				type: 'string',
				typeOptions: { password: true },
				default: '',
			},
			{
				displayName: 'Session Token',
				name: 'sessionToken',
				type: 'hidden',
				typeOptions: { expirable: true },
				default: '',
			},
		],
		authenticate: {
			type: 'generic',
			properties: {
				headers: { Authorization: '=Bearer {{$credentials.sessionToken}}', 'X-Static': 'yes' },
			},
		},
		async preAuthentication(this, credentials) {
			return { sessionToken: `token-for-${String(credentials.secret)}` };
		},
	};
	const node = {
		id: 'n1',
		name: 'Caller',
		type: 'n8n-nodes-base.noOp',
		typeVersion: 1,
		position: [0, 0] as [number, number],
		parameters: {},
		credentials: { crmTestTokenApi: { id: 'cred-1', name: 'Test account' } },
	};

	it('serves fixture data with the type defaults, by credential id or type name', async () => {
		const helper = new FixtureCredentialsHelper(
			{ crmTestTokenApi: tokenApi },
			{ crmTestTokenApi: { secret: 's3' } },
		);
		const data = await helper.getDecrypted(
			{} as never,
			{ id: 'cred-1', name: 'Test account' },
			'crmTestTokenApi',
		);
		expect(data).toEqual({ baseUrl: 'https://api.example.test', secret: 's3', sessionToken: '' });

		const byId = new FixtureCredentialsHelper(
			{ crmTestTokenApi: tokenApi },
			{ 'cred-1': { secret: 'by-id' } },
		);
		expect(
			(await byId.getDecrypted({} as never, { id: 'cred-1', name: 'x' }, 'crmTestTokenApi')).secret,
		).toBe('by-id');

		await expect(
			new FixtureCredentialsHelper({ crmTestTokenApi: tokenApi }).getDecrypted(
				{} as never,
				{ id: 'c', name: 'x' },
				'crmTestTokenApi',
			),
		).rejects.toThrow(/No test credentials for type "crmTestTokenApi"/);
	});

	it('runs preAuthentication when the expirable token is empty, persists it, and authenticates with it', async () => {
		const { nodeTypes } = await loadPackage();
		const helper = new FixtureCredentialsHelper(
			{ crmTestTokenApi: tokenApi },
			{ crmTestTokenApi: { secret: 's3' } },
		);
		const credentials = await helper.getDecrypted(
			{} as never,
			node.credentials.crmTestTokenApi,
			'crmTestTokenApi',
		);

		const refreshed = await helper.preAuthentication(
			{} as never,
			credentials,
			'crmTestTokenApi',
			node,
			false,
		);
		expect(refreshed?.sessionToken).toBe('token-for-s3');
		expect(helper.preAuthentications).toEqual([
			{ type: 'crmTestTokenApi', node: 'Caller', credentialsExpired: false },
		]);
		expect(helper.updates).toEqual([
			expect.objectContaining({
				kind: 'updateCredentials',
				key: 'crmTestTokenApi',
				type: 'crmTestTokenApi',
			}),
		]);
		expect(helper.store.crmTestTokenApi.sessionToken).toBe('token-for-s3');

		// Not expired and present: no second token exchange.
		expect(
			await helper.preAuthentication({} as never, refreshed!, 'crmTestTokenApi', node, false),
		).toBeUndefined();
		// The server said it expired: exchange again.
		expect(
			await helper.preAuthentication({} as never, refreshed!, 'crmTestTokenApi', node, true),
		).toBeDefined();
		expect(helper.preAuthentications).toHaveLength(2);

		const workflow = new Workflow({ nodes: [node], connections: {}, active: false, nodeTypes });
		const request = await helper.authenticate(
			refreshed!,
			'crmTestTokenApi',
			{ url: '/x', headers: {} },
			workflow,
			node,
		);
		expect(request.headers).toEqual({ Authorization: 'Bearer token-for-s3', 'X-Static': 'yes' });
	});
});

/** A tiny poll trigger used only here: emits the numbers after the cursor in static data, up to `upTo`. */
class CounterPollTrigger implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Counter Trigger',
		name: 'counterTrigger',
		group: ['trigger'],
		version: 1,
		description: 'Test poll trigger',
		defaults: { name: 'Counter Trigger' },
		polling: true,
		inputs: [],
		outputs: [NodeConnectionTypes.Main],
		properties: [{ displayName: 'Up To', name: 'upTo', type: 'number', default: 3 }],
	};

	async poll(this: IPollFunctions): Promise<INodeExecutionData[][] | null> {
		const state = this.getWorkflowStaticData('node');
		const upTo = this.getNodeParameter('upTo') as number;
		const from = (state.cursor as number | undefined) ?? 0;
		if (from >= upTo) return null;
		const items = Array.from({ length: upTo - from }, (_, i) => ({
			json: { n: from + i + 1 } as IDataObject,
		}));
		if (this.getMode() !== 'manual') state.cursor = upTo;
		return [items];
	}
}

describe('test engine: runPoll', () => {
	beforeAll(async () => {
		(await loadPackage()).nodeTypes.add('test.counterTrigger', new CounterPollTrigger());
	});

	const trigger = { name: 'Counter', type: 'test.counterTrigger', parameters: { upTo: 3 } };

	it('carries the cursor in static data from poll to poll, as across n8n restarts', async () => {
		const first = await runPoll(trigger);
		expect(first.items.map((i) => i.json.n)).toEqual([1, 2, 3]);
		expect(first.nodeStaticData).toEqual({ cursor: 3 });

		const idle = await runPoll(trigger, { staticData: first.staticData });
		expect(idle.response).toBeNull();
		expect(idle.items).toEqual([]);

		const more = await runPoll(
			{ ...trigger, parameters: { upTo: 5 } },
			{ staticData: idle.staticData },
		);
		expect(more.items.map((i) => i.json.n)).toEqual([4, 5]);
		expect(more.staticData).toEqual({ 'node:Counter': { cursor: 5 } });
	});

	it('saves nothing for a manual "Fetch test event"', async () => {
		const manual = await runPoll(trigger, {
			mode: 'manual',
			staticData: { 'node:Counter': { cursor: 1 } },
		});
		expect(manual.items.map((i) => i.json.n)).toEqual([2, 3]);
		expect(manual.staticData).toEqual({ 'node:Counter': { cursor: 1 } });
	});

	it('refuses a node that is not a poll trigger', async () => {
		await expect(runPoll({ type: 'n8n-nodes-base.noOp', parameters: {} })).rejects.toThrow(
			/is not a polling trigger/,
		);
	});
});
