/** The Dynamics 365 node in n8n's engine against the Dataverse simulator: Manual Trigger → Code (items) → node. */
import type { IDataObject, INode, INodeParameters } from 'n8n-workflow';

import type { DynamicsSimContract } from '../../../sandbox/dynamics';
import { nodeTypeName, runWorkflow, type WorkflowJson } from '../../helpers/engine';

export const NODE = 'Dynamics 365';

/** The client-credentials credential pointing at the simulator (its token URL as the override). */
export const credentials = (c: DynamicsSimContract) => ({
	crmDynamicsClientCredentialsApi: {
		environmentUrl: c.serverUrl,
		tenantId: c.tenantId,
		clientId: c.clientId,
		clientSecret: c.clientSecret,
		tokenUrl: c.tokenUrl,
	},
});

/** Manual Trigger → Code (the given items) → Dynamics 365 (parameters), errors to a second output. */
export function flow(items: IDataObject[], parameters: INodeParameters): WorkflowJson {
	const node = (name: string, type: string, params: INodeParameters, position: number): INode => ({
		id: `00000000-0000-4000-8000-00000000000${position}`,
		name,
		type,
		typeVersion: type.endsWith('code') ? 2 : 1,
		position: [position * 200, 0],
		parameters: params,
	});
	return {
		nodes: [
			node('Start', 'n8n-nodes-base.manualTrigger', {}, 1),
			node('Items', 'n8n-nodes-base.code', { jsCode: `return ${JSON.stringify(items)};` }, 2),
			{
				...node(
					NODE,
					nodeTypeName('dynamics365'),
					{ authentication: 'clientCredentials', ...parameters },
					3,
				),
				credentials: {
					crmDynamicsClientCredentialsApi: { id: 'dynamics-sandbox', name: 'Dynamics sandbox' },
				},
				onError: 'continueErrorOutput',
			},
		],
		connections: {
			Start: { main: [[{ node: 'Items', type: 'main', index: 0 }]] },
			Items: { main: [[{ node: NODE, type: 'main', index: 0 }]] },
		},
	};
}

/** Runs the flow; the node's success and error outputs. */
export async function run(
	c: DynamicsSimContract,
	items: IDataObject[],
	parameters: INodeParameters,
): Promise<{ ok: IDataObject[]; failed: IDataObject[]; failedItems: number[] }> {
	const result = await runWorkflow(flow(items, parameters), { credentials: credentials(c) });
	expect(result.error).toBeUndefined();
	return {
		ok: result.json(NODE, 0),
		failed: result.json(NODE, 1),
		failedItems: result.items(NODE, 1).map((i) => (i.pairedItem as { item: number }).item),
	};
}

/** The resource mapper's value with `defineBelow` columns. */
export const defineBelow = (value: IDataObject, matchingColumns: string[] = []): INodeParameters =>
	({
		mappingMode: 'defineBelow',
		value,
		matchingColumns,
		schema: [],
	}) as unknown as INodeParameters;

/** The resource mapper's value mapping the items' own fields. */
export const autoMap = (matchingColumns: string[] = []): INodeParameters =>
	({
		mappingMode: 'autoMapInputData',
		value: null,
		matchingColumns,
		schema: [],
	}) as unknown as INodeParameters;
