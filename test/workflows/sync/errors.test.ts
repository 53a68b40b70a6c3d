/**
 * The CRM Sync node's failures through n8n's engine: a config problem names the parameter and the fix (and writes
 * nothing); under "On Error: Continue" a whole-run failure is one item on the Report output; a refused credential
 * is the CRM's error; a record the other CRM refuses is an item on the Failed output with its category and the
 * CRM's message; no secret anywhere in the run (test/helpers/secrets.ts). Run as an AI tool, the node plans only.
 */
import type { IDataObject, INodeType, IVersionedNodeType } from 'n8n-workflow';

import { expectNoSecretsInRun } from '../../helpers/secrets';
import { loadPackage, nodeTypeName } from '../../helpers/engine';
import { MAPPINGS, reportOf, runSync, SYNC, SyncWorld } from './world';
import { person, toSalesforce } from './model';

const world = new SyncWorld();

beforeAll(async () => {
	await world.start();
});
afterAll(async () => {
	await world.stop();
});
beforeEach(() => {
	world.reset();
	for (let i = 0; i < 5; i++) {
		world.sfInsert(toSalesforce(person('sf', i)));
		world.hsInsert(person('hs', i));
	}
	world.advance();
});

const badField = {
	fieldMappings: {
		mappings: [MAPPINGS[0], { fieldA: 'LastName', fieldB: 'nope' }],
	},
};

describe('CRM Sync errors', () => {
	it('a mapped field that does not exist: the message names the parameter and the fix; nothing is written', async () => {
		const before = world.writeRequests();
		const run = await runSync(world, { ...badField, syncId: 'bad-field' });
		expect(run.error?.message).toMatch(
			/^Field Mappings › Mapping 2 › Side B Field: "nope" is not a field of contacts — use one of its API names, e\.g\. /,
		);
		expect(world.writeRequests()).toEqual(before);
		expectNoSecretsInRun(run, world.secrets());
	});

	it('under "On Error: Continue" the failure is one item on the Report output', async () => {
		const run = await runSync(
			world,
			{ ...badField, syncId: 'bad-field-continue' },
			{ extra: { onError: 'continueRegularOutput' } },
		);
		expect(run.error).toBeUndefined();
		const [item] = run.json(SYNC, 0);
		expect(run.json(SYNC, 0)).toHaveLength(1);
		expect(item.error).toMatch(/^Field Mappings › Mapping 2 › Side B Field: "nope" is not a field/);
		expect(item.details).toMatchObject({ code: 'RUN_FAILED' });
		expect(String((item.details as IDataObject).hint)).toContain('- Field Mappings › Mapping 2');
		expect(run.json(SYNC, 1)).toEqual([]);
		expect(run.json(SYNC, 2)).toEqual([]);
		expectNoSecretsInRun(run, world.secrets());
	});

	it('a value map that is not JSON and a missing match key are named by their parameters', async () => {
		const map = await runSync(world, {
			fieldMappings: { mappings: [{ ...MAPPINGS[1], valueMapToB: '{oops' }] },
		});
		expect(run(map)).toBe(
			'Field Mappings › Mapping 1 › Value Map A → B: is not a JSON object — write it like {"Prospect": "lead"}, or {} for none',
		);
		const keys = await runSync(world, { matchKeys: {} });
		expect(run(keys)).toMatch(/^Match Keys: must have at least one/);
	});

	it("a refused credential is the CRM's error, without the secret", async () => {
		const secret = 'pat-na1-Wrong-Secret-0815';
		const hs = await runSync(
			world,
			{},
			{
				credentials: {
					crmHubSpotPrivateAppApi: {
						...world.credentials().crmHubSpotPrivateAppApi,
						accessToken: secret,
					},
				},
			},
		);
		expect(hs.error?.message).toMatch(/^INVALID_AUTHENTICATION: .*\(HTTP 401 /);
		expectNoSecretsInRun(hs, { ...world.secrets(), 'wrong HubSpot token': secret });
		const password = 'Wrong-Password-4711';
		const sf = await runSync(
			world,
			{},
			{
				credentials: {
					crmSalesforcePasswordApi: { ...world.credentials().crmSalesforcePasswordApi, password },
				},
			},
		);
		expect(sf.error?.message).toMatch(/^Salesforce login failed \(HTTP 400\): invalid_grant/);
		expectNoSecretsInRun(sf, { ...world.secrets(), 'wrong Salesforce password': password });
	});

	it("a record the other CRM refuses is an item on the Failed output with its category and the CRM's message", async () => {
		// Salesforce requires LastName: a HubSpot contact without one cannot be created there.
		const id = world.hsInsert({ ...person('nolast', 1), lastname: null });
		world.advance();
		const run = await runSync(world, { syncId: 'refused' });
		expect(run.error).toBeUndefined();
		const failed = run.json(SYNC, 2);
		expect(failed).toHaveLength(1);
		expect(failed[0]).toMatchObject({ side: 'b', recordId: id, category: 'validation' });
		expect(String(failed[0].message)).toMatch(/LastName/);
		expect(failed[0].summary).toBe(
			`HubSpot contacts ${id} (side B) could not be synced to Salesforce (validation, 1 run): ${String(failed[0].message)}. Fix the record or the mapping — it is retried on the next run — or take it out with a CRM Sync or Sync State node, Operation Exclude Records.`,
		);
		const counts = reportOf(run).counts as {
			created: { a: number; b: number };
			read: { a: number; b: number };
		};
		expect(reportOf(run).summary).toBe(
			`Synced Salesforce Contact ↔ HubSpot contacts: created ${counts.created.a} in Salesforce Contact, ${counts.created.b} in HubSpot contacts, ${counts.read.a + counts.read.b} records read, 0 open conflicts (0 new), 1 failed record.`,
		);
		expect((reportOf(run).counts as IDataObject).failed).toBe(1);
		expectNoSecretsInRun(run, world.secrets());
	});
});

describe('CRM Sync as an AI tool', () => {
	it('plans only (dry run) unless Dry Run is turned off', async () => {
		const { nodeTypes } = await loadPackage();
		const v1 = (nodeTypes.getByName(nodeTypeName('crmSync')) as IVersionedNodeType)
			.nodeVersions[1] as INodeType;
		// What n8n registers for an agent: the node under a name ending in "Tool".
		const tool = Object.create(v1) as INodeType;
		tool.description = { ...v1.description, name: 'crmSyncTool' };
		nodeTypes.add(nodeTypeName('crmSyncTool'), tool);
		const before = world.writeRequests();
		const planned = await runSync(
			world,
			{ syncId: 'tool' },
			{ extra: { type: nodeTypeName('crmSyncTool') } },
		);
		expect(planned.error).toBeUndefined();
		expect(reportOf(planned).dryRun).toBe(true);
		expect((reportOf(planned).plan as unknown[]).length).toBeGreaterThan(0);
		expect(world.writeRequests()).toEqual(before);
		const real = await runSync(
			world,
			{ syncId: 'tool', dryRun: false },
			{ extra: { type: nodeTypeName('crmSyncTool') } },
		);
		expect(reportOf(real).dryRun).toBe(false);
		expect(world.writeRequests().sf).toBeGreaterThan(before.sf);
	});
});

function run(r: { error?: { message: string } }): string | undefined {
	return r.error?.message;
}
