/** Shared helpers of the REST API node's workflow tests: a workflow around the node, and credential fixtures. */
import type { ICredentialDataDecryptedObject, IDataObject, INodeParameters } from 'n8n-workflow';

import type { RestContract } from '../../../sandbox';
import { runNode, type NodeRun, type NodeUnderTest } from '../http/nodeFlow';

export { TYPES } from '../http/nodeFlow';

export const NODE = 'REST API';

const TARGET: NodeUnderTest = { name: NODE, type: 'restApi', label: 'REST' };

/** Valid credential data against the simulator, per credential type. */
export function credentialsFor(c: RestContract): Record<string, ICredentialDataDecryptedObject> {
	return {
		crmHttpBasicAuthApi: { baseUrl: c.baseUrl, user: c.username, password: c.password },
		crmHttpBearerTokenApi: { baseUrl: c.baseUrl, token: c.bearerToken },
		crmHttpApiKeyApi: {
			baseUrl: c.baseUrl,
			apiKey: c.apiKey,
			location: 'header',
			name: 'X-API-Key',
		},
		crmHttpClientCredentialsOAuth2Api: {
			baseUrl: c.baseUrl,
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
