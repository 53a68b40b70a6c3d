/**
 * Sync Plan's items carry their ticket under `_sync`; the write nodes' auto-map must not send it as a field. A
 * Salesforce create and a HubSpot create (auto-map) of such items: the simulators store the fields, never `_sync`.
 */
import type { INode } from 'n8n-workflow';

import { clearRateBudgets } from '../../../core/http/rateLimiter';
import { nodeTypeName, runWorkflow } from '../../helpers/engine';
import { SyncWorld } from './world';

const world = new SyncWorld();
beforeAll(async () => await world.start());
afterAll(async () => await world.stop());

const AUTO = { mappingMode: 'autoMapInputData', value: null, matchingColumns: [], schema: [] };
const TICKET = { v: 1, syncId: 's', kind: 'create', side: 'a', work: { linkId: 'x' } };

function code(name: string, items: object[], x: number): INode {
	return {
		id: name,
		name,
		type: 'n8n-nodes-base.code',
		typeVersion: 2,
		position: [x, 0],
		parameters: { jsCode: `return ${JSON.stringify(items.map((json) => ({ json })))};` },
	};
}

it('Salesforce and HubSpot creates with auto-map leave the ticket key out', async () => {
	clearRateBudgets();
	const sfBefore = world.sfAll().length;
	const hsBefore = world.hsAll().length;
	const run = await runWorkflow(
		{
			nodes: [
				{
					id: 'start',
					name: 'Start',
					type: 'n8n-nodes-base.manualTrigger',
					typeVersion: 1,
					position: [0, 0],
					parameters: {},
				},
				code(
					'A Items',
					[1, 2].map((i) => ({
						LastName: `Ticket${i}`,
						Email: `t${i}@example.com`,
						_sync: TICKET,
					})),
					200,
				),
				code(
					'B Items',
					[1, 2].map((i) => ({
						lastname: `Ticket${i}`,
						email: `t${i}@example.com`,
						_sync: TICKET,
					})),
					200,
				),
				{
					id: 'sf',
					name: 'Create A',
					type: nodeTypeName('salesforce'),
					typeVersion: 1,
					position: [400, 0],
					parameters: {
						authentication: 'password',
						resource: 'record',
						operation: 'create',
						object: { __rl: true, mode: 'name', value: 'Contact' },
						fields: AUTO,
					},
					credentials: { crmSalesforcePasswordApi: { id: 'sf', name: 'Salesforce simulator' } },
				},
				{
					id: 'hs',
					name: 'Create B',
					type: nodeTypeName('hubSpot'),
					typeVersion: 1,
					position: [400, 200],
					parameters: {
						authentication: 'privateApp',
						resource: 'record',
						operation: 'create',
						objectType: 'contacts',
						fields: AUTO,
					},
					credentials: { crmHubSpotPrivateAppApi: { id: 'hs', name: 'HubSpot simulator' } },
				},
			],
			connections: {
				Start: {
					main: [
						[
							{ node: 'A Items', type: 'main', index: 0 },
							{ node: 'B Items', type: 'main', index: 0 },
						],
					],
				},
				'A Items': { main: [[{ node: 'Create A', type: 'main', index: 0 }]] },
				'B Items': { main: [[{ node: 'Create B', type: 'main', index: 0 }]] },
			},
		},
		{ credentials: world.credentials() },
	);
	expect(run.error).toBeUndefined();
	const sf = world.sfAll();
	const hs = world.hsAll();
	expect([sf.length - sfBefore, hs.length - hsBefore]).toEqual([2, 2]);
	expect(sf.filter((r) => '_sync' in r.fields)).toEqual([]);
	expect(hs.filter((r) => '_sync' in r.fields)).toEqual([]);
	expect(sf.map((r) => r.fields.LastName).sort()).toEqual(['Ticket1', 'Ticket2']);
	expect(hs.map((r) => r.fields.lastname).sort()).toEqual(['Ticket1', 'Ticket2']);
});
