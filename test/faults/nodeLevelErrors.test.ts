/**
 * The sweep of the "nothing passes through unwritten" rule: every operation of every CRM node, run through n8n's
 * engine with "On Error → Continue (using error output)" and an error that concerns the whole run (a credential
 * that cannot log in, a setting no item can satisfy). n8n passes a throwing node's INPUT items on to the success
 * output; ours must instead put one error item per input item on the error output, and write nothing.
 * The operations are read from the node descriptions, so a new operation is swept without editing this file.
 */
import type {
	IDataObject,
	INode,
	INodeParameters,
	INodeProperties,
	INodeTypeDescription,
} from 'n8n-workflow';

import { clearRateBudgets } from '../../core/http/rateLimiter';
import { HubSpotSimulator, type HubSpotContract } from '../../sandbox';
import type { SalesforceSimulator, SalesforceSimContract } from '../../sandbox/salesforce';
import { loadPackage, nodeTypeName, runWorkflow, type WorkflowJson } from '../helpers/engine';
import { expectNoSecretsInRun } from '../helpers/secrets';
import { passwordCredentials, startSimulator } from '../workflows/salesforce/helpers';

const ITEMS: IDataObject[] = [
	{
		Id: '003000000000001AAA',
		id: '101',
		FirstName: 'Ada',
		LastName: 'Lovelace',
		Email: 'ada@example.com',
		email: 'ada@example.com',
		firstname: 'Ada',
	},
	{
		Id: '003000000000002AAA',
		id: '102',
		FirstName: 'Alan',
		LastName: 'Turing',
		Email: 'alan@example.com',
		email: 'alan@example.com',
		firstname: 'Alan',
	},
	{
		Id: '003000000000003AAA',
		id: '103',
		FirstName: 'Grace',
		LastName: 'Hopper',
		Email: 'grace@example.com',
		email: 'grace@example.com',
		firstname: 'Grace',
	},
];

/** Parameters that let every operation get as far as the CRM (values for whichever each operation reads). */
const SALESFORCE_PARAMS: INodeParameters = {
	object: { __rl: true, mode: 'name', value: 'Contact' },
	fields: {
		mappingMode: 'autoMapInputData',
		value: null,
		matchingColumns: ['External_Id__c'],
		schema: [],
	},
	recordId: '={{ $json.Id }}',
	externalIdField: 'External_Id__c',
	query: 'SELECT Id, Email FROM Contact',
	returnAll: true,
	event: 'updated',
	since: '2020-01-01T00:00:00Z',
};
const HUBSPOT_PARAMS: INodeParameters = {
	objectType: 'contacts',
	fields: { mappingMode: 'autoMapInputData', value: null, matchingColumns: ['email'], schema: [] },
	recordId: '={{ $json.id }}',
	returnAll: true,
	toObjectType: 'companies',
	fromId: '={{ $json.id }}',
	toId: '201',
	propertyName: 'favourite_colour',
	name: 'favourite_colour',
	since: '2020-01-01T00:00:00Z',
	label: 'Favourite colour',
	formGuid: '00000000-0000-4000-8000-000000000000',
	portalId: '12345',
};

/** Every (resource, operation) pair a node's description offers. */
function operationsOf(
	description: INodeTypeDescription,
): Array<{ resource: string; operation: string }> {
	const props = description.properties as INodeProperties[];
	const resources = (props.find((p) => p.name === 'resource')?.options ?? []) as Array<{
		value: string;
	}>;
	const pairs: Array<{ resource: string; operation: string }> = [];
	for (const { value: resource } of resources) {
		for (const p of props) {
			if (p.name !== 'operation' || !p.displayOptions?.show?.resource?.includes(resource)) continue;
			for (const o of (p.options ?? []) as Array<{ value: string }>)
				pairs.push({ resource, operation: o.value });
		}
	}
	return pairs;
}

function flow(
	type: string,
	parameters: INodeParameters,
	credentials: INode['credentials'],
): WorkflowJson {
	return {
		nodes: [
			{
				id: 'start',
				name: 'Start',
				type: 'n8n-nodes-base.manualTrigger',
				typeVersion: 1,
				position: [0, 0],
				parameters: {},
			},
			{
				id: 'items',
				name: 'Items',
				type: 'n8n-nodes-base.code',
				typeVersion: 2,
				position: [200, 0],
				parameters: { jsCode: `return ${JSON.stringify(ITEMS)};` },
			},
			{
				id: 'crm',
				name: 'CRM',
				type,
				typeVersion: 1,
				position: [400, 0],
				parameters,
				credentials,
				onError: 'continueErrorOutput',
			} as INode,
		],
		connections: {
			Start: { main: [[{ node: 'Items', type: 'main', index: 0 }]] },
			Items: { main: [[{ node: 'CRM', type: 'main', index: 0 }]] },
		},
	};
}

/**
 * Runs one operation and checks: nothing on the success output, one error item per input item, each paired with it,
 * and none of `secrets` anywhere in the run's execution data.
 */
async function expectEveryItemOnTheErrorOutput(
	workflow: WorkflowJson,
	credentials: Record<string, IDataObject>,
	label: string,
	secrets: Record<string, string> = {},
): Promise<IDataObject> {
	const result = await runWorkflow(workflow, { credentials: credentials as never });
	expect(result.error).toBeUndefined();
	expectNoSecretsInRun(result, secrets);
	const ok = result.items('CRM', 0);
	const failed = result.items('CRM', 1);
	if (ok.length > 0)
		throw new Error(
			`${label}: ${ok.length} item(s) on the success output: ${JSON.stringify(ok[0].json).slice(0, 200)}`,
		);
	expect(failed.map((f) => (f.pairedItem as { item: number }).item).sort()).toEqual([0, 1, 2]);
	for (const f of failed)
		expect(typeof f.json.error === 'string' && (f.json.error as string).length > 0).toBe(true);
	return failed[0].json;
}

let descriptions: Record<string, INodeTypeDescription>;
let sf: { sim: SalesforceSimulator; contract: SalesforceSimContract };
const hubspot = new HubSpotSimulator({ rateLimits: false });
let hubspotContract: HubSpotContract;

beforeAll(async () => {
	const { nodeTypes } = await loadPackage();
	descriptions = {
		salesforce: nodeTypes.getByNameAndVersion(nodeTypeName('salesforce'), 1).description,
		hubSpot: nodeTypes.getByNameAndVersion(nodeTypeName('hubSpot'), 1).description,
	};
	sf = await startSimulator();
	hubspotContract = await hubspot.start();
});
afterAll(async () => {
	clearRateBudgets();
	await sf.sim.stop();
	await hubspot.stop();
});

describe('a whole-run error under "Continue (using error output)" puts every item on the error output', () => {
	it('Salesforce: every operation, with a credential that cannot log in — nothing written, nothing on success', async () => {
		const pairs = operationsOf(descriptions.salesforce);
		expect(pairs.length).toBeGreaterThanOrEqual(15);
		const credentials = passwordCredentials(sf.contract);
		credentials.crmSalesforcePasswordApi.password = 'not-the-password';
		for (const { resource, operation } of pairs) {
			const params = { authentication: 'password', resource, operation, ...SALESFORCE_PARAMS };
			await expectEveryItemOnTheErrorOutput(
				flow(nodeTypeName('salesforce'), params, {
					crmSalesforcePasswordApi: { id: 'sf', name: 'Salesforce' },
				}),
				credentials,
				`salesforce ${resource}.${operation}`,
				{ wrongPassword: 'not-the-password', clientSecret: sf.contract.clientSecret },
			);
		}
		expect(sf.sim.table('Contact').collection.count()).toBe(0);
		// The credential was tried (and refused) for each operation; no API call got through.
		expect(sf.sim.log.count({ kind: 'token' })).toBeGreaterThanOrEqual(pairs.length);
		expect(sf.sim.log.entries().filter((e) => e.kind !== 'token')).toHaveLength(0);
	});

	it('HubSpot: every operation, with a revoked private-app token — nothing written, nothing on success', async () => {
		const pairs = operationsOf(descriptions.hubSpot);
		expect(pairs.length).toBeGreaterThanOrEqual(14);
		const credentials = {
			crmHubSpotPrivateAppApi: {
				accessToken: 'pat-na1-revoked-token',
				baseUrl: hubspotContract.baseUrl,
			},
		};
		const before = hubspot.collection('contacts').list().length;
		for (const { resource, operation } of pairs) {
			const params = { authentication: 'privateApp', resource, operation, ...HUBSPOT_PARAMS };
			await expectEveryItemOnTheErrorOutput(
				flow(nodeTypeName('hubSpot'), params, {
					crmHubSpotPrivateAppApi: { id: 'hs', name: 'HubSpot' },
				}),
				credentials,
				`hubspot ${resource}.${operation}`,
				{ revokedToken: 'pat-na1-revoked-token' },
			);
		}
		expect(hubspot.collection('contacts').list().length).toBe(before);
	});

	it('settings no item can satisfy: Salesforce create with Batch Size 500, HubSpot upsert without a match column', async () => {
		const sfParams = {
			authentication: 'password',
			resource: 'record',
			operation: 'create',
			...SALESFORCE_PARAMS,
			options: { batchSize: 500 },
		};
		await expectEveryItemOnTheErrorOutput(
			flow(nodeTypeName('salesforce'), sfParams, {
				crmSalesforcePasswordApi: { id: 'sf', name: 'Salesforce' },
			}),
			passwordCredentials(sf.contract),
			'salesforce create with batch size 500',
		);
		expect(sf.sim.table('Contact').collection.count()).toBe(0);
		const hsParams = {
			authentication: 'privateApp',
			resource: 'record',
			operation: 'upsert',
			...HUBSPOT_PARAMS,
			fields: { mappingMode: 'autoMapInputData', value: null, matchingColumns: [], schema: [] },
		};
		const before = hubspot.collection('contacts').list().length;
		await expectEveryItemOnTheErrorOutput(
			flow(nodeTypeName('hubSpot'), hsParams, {
				crmHubSpotPrivateAppApi: { id: 'hs', name: 'HubSpot' },
			}),
			{
				crmHubSpotPrivateAppApi: {
					accessToken: hubspotContract.accessToken,
					baseUrl: hubspotContract.baseUrl,
				},
			},
			'hubspot upsert without a match column',
		);
		expect(hubspot.collection('contacts').list().length).toBe(before);
	});
});
