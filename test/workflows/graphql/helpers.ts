/** Shared helpers of the GraphQL API node's workflow tests: a workflow around the node, and credential fixtures. */
import type { ICredentialDataDecryptedObject, IDataObject, INodeParameters } from 'n8n-workflow';

import type { GraphqlSimContract } from '../../../sandbox/graphql/simulator';
import { runNode, type NodeRun, type NodeUnderTest } from '../http/nodeFlow';

export { TYPES } from '../http/nodeFlow';

export const NODE = 'GraphQL API';

const TARGET: NodeUnderTest = {
	name: NODE,
	type: 'graphQlApi',
	label: 'GraphQL',
	parameters: { endpoint: '/graphql' },
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

/** Runs the node over `items`; returns the success and error outputs. */
export function run(
	items: IDataObject[],
	parameters: INodeParameters,
	options: {
		authentication?: string;
		credentials?: Record<string, ICredentialDataDecryptedObject>;
	} = {},
): Promise<NodeRun> {
	return runNode(TARGET, items, parameters, options);
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
