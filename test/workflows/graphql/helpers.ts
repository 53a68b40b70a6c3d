/** Shared helpers of the GraphQL API node's workflow tests: a workflow around the node, and credential fixtures. */
import type {
	ICredentialDataDecryptedObject,
	IDataObject,
	INode,
	INodeParameters,
} from 'n8n-workflow';

import type { GraphqlSimContract } from '../../../sandbox/graphql/simulator';
import {
	nodeTypeName,
	runWorkflow,
	type WorkflowJson,
	type WorkflowRun,
} from '../../helpers/engine';

export const NODE = 'GraphQL API';

/** The credential type of each Authentication choice. */
export const TYPES: Record<string, string> = {
	basicAuth: 'crmHttpBasicAuthApi',
	bearerToken: 'crmHttpBearerTokenApi',
	apiKey: 'crmHttpApiKeyApi',
	clientCredentials: 'crmHttpClientCredentialsOAuth2Api',
	oAuth2: 'crmHttpOAuth2Api',
};

/** The simulator's origin (`http://127.0.0.1:port`): the credentials' Base URL, the endpoint being `/graphql`. */
export const originOf = (c: GraphqlSimContract): string => new URL(c.url).origin;

/** Valid credential data against the simulator, per credential type. */
export function credentialsFor(
	c: GraphqlSimContract,
): Record<string, ICredentialDataDecryptedObject> {
	const baseUrl = originOf(c);
	return {
		crmHttpBearerTokenApi: { baseUrl, token: c.token },
		crmHttpApiKeyApi: { baseUrl, apiKey: c.apiKey, location: 'header', name: 'X-API-Key' },
		crmHttpClientCredentialsOAuth2Api: {
			baseUrl,
			tokenUrl: c.tokenUrl,
			clientId: c.clientId,
			clientSecret: c.clientSecret,
			clientAuthentication: 'body',
		},
	};
}

/** Manual Trigger → Code (the given items) → GraphQL API (parameters), errors to a second output. */
export function flow(
	items: IDataObject[],
	parameters: INodeParameters,
	authentication = 'apiKey',
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
	const type = TYPES[authentication];
	return {
		nodes: [
			node('Start', 'n8n-nodes-base.manualTrigger', {}, 1),
			node('Items', 'n8n-nodes-base.code', { jsCode: `return ${JSON.stringify(items)};` }, 2),
			node(
				NODE,
				nodeTypeName('graphQlApi'),
				{ authentication, endpoint: '/graphql', ...parameters },
				3,
				{
					...(type
						? {
								credentials: {
									[type]: { id: `gql-${authentication}`, name: `GraphQL ${authentication}` },
								},
							}
						: {}),
					onError: 'continueErrorOutput',
				},
			),
		],
		connections: {
			Start: { main: [[{ node: 'Items', type: 'main', index: 0 }]] },
			Items: { main: [[{ node: NODE, type: 'main', index: 0 }]] },
		},
	};
}

/** Runs the node over `items`; returns the success and error outputs. */
export async function run(
	items: IDataObject[],
	parameters: INodeParameters,
	options: {
		authentication?: string;
		credentials?: Record<string, ICredentialDataDecryptedObject>;
	} = {},
): Promise<{
	ok: IDataObject[];
	failed: IDataObject[];
	failedItems: number[];
	result: WorkflowRun;
}> {
	const result = await runWorkflow(flow(items, parameters, options.authentication), {
		credentials: options.credentials,
	});
	expect(result.error).toBeUndefined();
	return {
		ok: result.json(NODE, 0),
		failed: result.json(NODE, 1),
		failedItems: result.items(NODE, 1).map((i) => (i.pairedItem as { item: number }).item),
		result,
	};
}

/** Relay read of every contact: edges, cursor $after, page size $first. */
export const CONTACTS_QUERY = `query Contacts($first: Int, $after: String) {
	contacts(first: $first, after: $after) {
		edges { cursor node { id email lastName } }
		pageInfo { hasNextPage endCursor }
	}
}`;

/** The create mutation of the batch tests. */
export const CREATE = `mutation Create($input: ContactInput!) {
	createContact(input: $input) { contact { id email } }
}`;
