/** Shared set-up of the Salesforce workflow tests: the simulator, credentials and workflow builders. */
import type {
	ICredentialDataDecryptedObject,
	IDataObject,
	INode,
	IConnections,
} from 'n8n-workflow';

import {
	SalesforceSimulator,
	type SalesforceSimContract,
	type SalesforceSimulatorOptions,
} from '../../../sandbox/salesforce';
import { nodeTypeName, type WorkflowJson } from '../../helpers/engine';

export const SF_NODE = nodeTypeName('salesforce');
export const SF_TRIGGER = nodeTypeName('salesforceTrigger');
export const PASSWORD_CREDENTIAL = 'crmSalesforcePasswordApi';

/** Starts a simulator; bulk jobs start processing almost at once so tests stay fast. */
export async function startSimulator(
	options: SalesforceSimulatorOptions = {},
): Promise<{ sim: SalesforceSimulator; contract: SalesforceSimContract }> {
	const sim = new SalesforceSimulator({
		...options,
		bulk: { processingDelayMs: 5, chunkSize: 10_000, ...options.bulk },
	});
	const contract = await sim.start();
	return { sim, contract };
}

/** Username-password credential data pointing at the simulator (its token exchange runs in preAuthentication). */
export function passwordCredentials(
	contract: SalesforceSimContract,
): Record<string, ICredentialDataDecryptedObject> {
	return {
		[PASSWORD_CREDENTIAL]: {
			environment: 'custom',
			customLoginUrl: contract.loginUrl,
			clientId: contract.clientId,
			clientSecret: contract.clientSecret,
			username: contract.username,
			password: contract.password,
			securityToken: '',
			accessToken: '',
			instanceUrl: '',
		},
	};
}

/** A Salesforce node using the username-password credential. */
export function salesforceNode(
	name: string,
	parameters: IDataObject,
	extra: Partial<INode> = {},
): INode {
	return {
		id: name.toLowerCase().replace(/\W+/g, '-'),
		name,
		type: SF_NODE,
		typeVersion: 1,
		position: [600, 0],
		parameters: { authentication: 'password', ...parameters },
		credentials: { [PASSWORD_CREDENTIAL]: { id: 'sf-test', name: 'Salesforce simulator' } },
		...extra,
	} as INode;
}

/** Manual Trigger → Code (returning `jsCode`'s items) → the given node. */
export function workflowWith(jsCode: string, node: INode): WorkflowJson {
	const nodes: INode[] = [
		{
			id: 'trigger',
			name: 'Start',
			type: 'n8n-nodes-base.manualTrigger',
			typeVersion: 1,
			position: [0, 0],
			parameters: {},
		},
		{
			id: 'code',
			name: 'Input',
			type: 'n8n-nodes-base.code',
			typeVersion: 2,
			position: [300, 0],
			parameters: { mode: 'runOnceForAllItems', jsCode },
		},
		node,
	];
	const connections: IConnections = {
		Start: { main: [[{ node: 'Input', type: 'main', index: 0 }]] },
		Input: { main: [[{ node: node.name, type: 'main', index: 0 }]] },
	};
	return { name: `Salesforce: ${node.name}`, nodes, connections };
}

/** The object resource locator value "by name". */
export const object = (name: string): IDataObject => ({ __rl: true, mode: 'name', value: name });

/** API calls in the simulator's log, not counting OAuth token requests. */
export function apiCalls(sim: SalesforceSimulator): number {
	return sim.log.entries().filter((e) => e.kind !== 'token').length;
}
