/**
 * The GraphQL node's connection: the generic HTTP connection (credential → auth, rate budget, origin guard; see
 * nodes/shared/http) with a `GraphqlClient` on its endpoint.
 */
import type { IExecuteFunctions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { GraphqlClient } from '../../../core/graphql/client';
import { readConnectionOptions } from '../../shared/http/description';
import { openHttpConnection, type HttpConnection } from '../../shared/http/connection';

/** An open GraphQL connection. */
export interface GraphqlConnection {
	client: GraphqlClient;
	http: HttpConnection;
	/** The endpoint every request is POSTed to. */
	url: string;
}

const ABSOLUTE = /^https?:\/\//i;

/**
 * Opens the connection of item 0's settings. The Endpoint URL is absolute (on the credential's host when there is
 * one), a path relative to the credential's Base URL, or empty (the credential's Base URL is the endpoint).
 */
export async function openGraphqlConnection(ctx: IExecuteFunctions): Promise<GraphqlConnection> {
	const authentication = ctx.getNodeParameter('authentication', 0) as string;
	const endpoint = String(ctx.getNodeParameter('endpoint', 0, '')).trim();
	if (authentication === 'none' && !ABSOLUTE.test(endpoint))
		throw new NodeOperationError(
			ctx.getNode(),
			endpoint === ''
				? 'No Endpoint URL: fill in the GraphQL endpoint, e.g. https://api.example.com/graphql'
				: `The Endpoint URL "${endpoint}" is not an absolute http(s) URL: without a credential (whose Base URL a path is relative to) give the full URL`,
		);
	const absolute = ABSOLUTE.test(endpoint);
	const http = await openHttpConnection(ctx, {
		authentication,
		baseUrl: absolute ? endpoint : '',
		...readConnectionOptions(ctx),
	});
	const url = http.resolve(absolute ? '' : endpoint, 'The Endpoint URL');
	return { client: new GraphqlClient({ http: http.client, url }), http, url };
}
