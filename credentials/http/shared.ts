/**
 * What the generic HTTP credentials (REST API and GraphQL nodes) share: the Base URL they are bound to, the path the
 * Test button requests, and that test request.
 */
import type {
	ICredentialDataDecryptedObject,
	ICredentialTestRequest,
	Icon,
	IHttpRequestOptions,
	INodeProperties,
} from 'n8n-workflow';

import { CrmError, isCrmError } from '../../core/http/errors';
import { applyToRequestOptions, authProviderFor } from '../../nodes/shared/http/auth';

/** The icon of the generic HTTP credentials. */
export const httpIcon: Icon = 'file:../nodes/RestApi/restApi.svg';

/** Where the user reads about these credentials (the REST API and GraphQL API nodes). */
export const HTTP_DOCS_URL =
	'https://github.com/n8n-nodes-crm-connectors/n8n-nodes-crm-connectors#rest-api-node';

/** The API's root URL; a node may only send this credential to URLs under the same origin. */
export const baseUrlProperty: INodeProperties = {
	displayName: 'Base URL',
	name: 'baseUrl',
	type: 'string',
	default: '',
	required: true,
	placeholder: 'https://api.example.com/v1',
	description:
		"The API's root URL. Nodes send paths relative to it, and never send this credential to another host (a node's own Base URL or a next-page URL must have the same origin).",
};

/** The path the Test button requests. */
export const testPathProperty: INodeProperties = {
	displayName: 'Test Path',
	name: 'testPath',
	type: 'string',
	default: '',
	placeholder: '/me',
	description:
		'A path (relative to the Base URL) that answers a GET with HTTP 2xx when the credential is valid, used by the Test button, e.g. /me — for a GraphQL API, /graphql?query=%7B__typename%7D. Empty: the Base URL itself.',
};

/** The Test button's request: GET Base URL + Test Path; a 401/403 names what to check. */
export function testRequest(what: string): ICredentialTestRequest {
	return {
		request: {
			baseURL: '={{$credentials.baseUrl.replace(/\\/+$/, "")}}',
			url: '={{$credentials.testPath ? ($credentials.testPath.startsWith("/") ? "" : "/") + $credentials.testPath : ""}}',
		},
		rules: [
			{
				type: 'responseCode',
				properties: {
					value: 401,
					message: `The API refused the credential (HTTP 401): check the ${what}`,
				},
			},
			{
				type: 'responseCode',
				properties: {
					value: 403,
					message: `The API answered HTTP 403 (forbidden): the ${what} is accepted but may not read the Test Path`,
				},
			},
		],
	};
}

/**
 * The error of a refused credential without its HTTP `status`: with one, n8n would replace the message (e.g. the token
 * endpoint's reason) by a generic text for the status code.
 */
function withoutStatus(error: unknown): never {
	if (!isCrmError(error)) throw error;
	const plain = new CrmError(error.message, {
		kind: error.kind,
		reachedServer: false,
		hint: error.hint,
	});
	throw plain;
}

/** The `authenticate` function of a credential type whose auth our core applies. */
export function authenticateWith(typeName: string) {
	return async (
		credentials: ICredentialDataDecryptedObject,
		requestOptions: IHttpRequestOptions,
	): Promise<IHttpRequestOptions> => {
		const provider = authProviderFor(typeName, credentials);
		if (!provider) return requestOptions;
		return await applyToRequestOptions(provider, requestOptions).catch(withoutStatus);
	};
}
