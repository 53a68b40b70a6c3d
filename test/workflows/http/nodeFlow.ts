/**
 * One workflow shape for the REST API and GraphQL API nodes' tests: Manual Trigger → Code (the given items) → the
 * node with one of the shared HTTP credential types, errors to a second output; and a run that returns both outputs.
 */
import type {
	ICredentialDataDecryptedObject,
	IDataObject,
	INode,
	INodeParameters,
} from 'n8n-workflow';

import {
	nodeTypeName,
	runWorkflow,
	type WorkflowJson,
	type WorkflowRun,
} from '../../helpers/engine';

/** The credential type of each Authentication choice (shared by both nodes). */
export const TYPES: Record<string, string> = {
	basicAuth: 'crmHttpBasicAuthApi',
	bearerToken: 'crmHttpBearerTokenApi',
	apiKey: 'crmHttpApiKeyApi',
	clientCredentials: 'crmHttpClientCredentialsOAuth2Api',
	oAuth2: 'crmHttpOAuth2Api',
};

/** The node under test: its name in the workflow, its type (without package), fixed parameters, credential label. */
export interface NodeUnderTest {
	name: string;
	type: string;
	label: string;
	parameters?: INodeParameters;
}

function node(
	name: string,
	type: string,
	params: INodeParameters,
	position: number,
	extra: Partial<INode> = {},
): INode {
	return {
		id: `00000000-0000-4000-8000-00000000000${position}`,
		name,
		type,
		typeVersion: type.endsWith('code') ? 2 : 1,
		position: [position * 200, 0],
		parameters: params,
		...extra,
	};
}

/** Manual Trigger → Code (the given items) → the node (parameters), errors to a second output. */
export function nodeFlow(
	target: NodeUnderTest,
	items: IDataObject[],
	parameters: INodeParameters,
	authentication = 'apiKey',
): WorkflowJson {
	const type = TYPES[authentication];
	const { name, label } = target;
	return {
		nodes: [
			node('Start', 'n8n-nodes-base.manualTrigger', {}, 1),
			node('Items', 'n8n-nodes-base.code', { jsCode: `return ${JSON.stringify(items)};` }, 2),
			node(
				name,
				nodeTypeName(target.type),
				{ authentication, ...target.parameters, ...parameters },
				3,
				{
					...(type
						? {
								credentials: {
									[type]: {
										id: `${label.toLowerCase()}-${authentication}`,
										name: `${label} ${authentication}`,
									},
								},
							}
						: {}),
					onError: 'continueErrorOutput',
				},
			),
		],
		connections: {
			Start: { main: [[{ node: 'Items', type: 'main', index: 0 }]] },
			Items: { main: [[{ node: name, type: 'main', index: 0 }]] },
		},
	};
}

/** What {@link runNode} returns: the success and error outputs, the error items' input indexes, the run. */
export interface NodeRun {
	ok: IDataObject[];
	failed: IDataObject[];
	failedItems: number[];
	result: WorkflowRun;
}

/** Runs the node over `items`; returns the success and error outputs. */
export async function runNode(
	target: NodeUnderTest,
	items: IDataObject[],
	parameters: INodeParameters,
	options: {
		authentication?: string;
		credentials?: Record<string, ICredentialDataDecryptedObject>;
	} = {},
): Promise<NodeRun> {
	const result = await runWorkflow(nodeFlow(target, items, parameters, options.authentication), {
		credentials: options.credentials,
	});
	expect(result.error).toBeUndefined();
	return {
		ok: result.json(target.name, 0),
		failed: result.json(target.name, 1),
		failedItems: result.items(target.name, 1).map((i) => (i.pairedItem as { item: number }).item),
		result,
	};
}
