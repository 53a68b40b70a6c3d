/**
 * The connection of a generic HTTP node (REST API now, GraphQL next): the core `HttpClient` over n8n's request helper,
 * with the auth of the chosen credential (applied by the core, or by n8n for its OAuth2 credential), the rate budget
 * shared by every node using that credential and host, and the guard that keeps a credential on its own origin.
 */
import type { IExecuteFunctions, IHttpRequestOptions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { HttpClient } from '../../../core/http/client';
import type { RateBudgetOptions } from '../../../core/http/rateLimiter';
import { rateBudgetKey } from '../../../core/http/rateLimiter';
import { FunctionTransport, toN8nRequestOptions } from '../n8nTransport';
import { oauth2RenewalRefused } from '../oauth2Renewal';
import { authProviderFor, credentialTypeOf } from './auth';

/** What a node asks of its connection. */
export interface HttpConnectionOptions {
	/** The Authentication choice (`none`, `basicAuth`, …). */
	authentication: string;
	/** The node's own Base URL (empty: the credential's). */
	baseUrl?: string;
	/** Rate budget of the credential + host (shared by every node using them). */
	rateLimit?: RateBudgetOptions;
	/** Timeout per request, ms. */
	timeoutMs?: number;
}

/** An open connection. */
export interface HttpConnection {
	client: HttpClient;
	/** The base URL requests are resolved against. */
	baseUrl: string;
	/**
	 * Resolves a path or absolute URL against the base URL; throws when a credential would be sent to another origin
	 * than its own (`what` names the URL in the message, e.g. "the next-page URL").
	 */
	resolve(pathOrUrl: string, what?: string): string;
}

function originOf(url: string): string | undefined {
	try {
		return new URL(url).origin;
	} catch {
		return undefined;
	}
}

/** `base` + `path` with exactly one slash between them; an absolute `path` is returned as is. */
export function joinUrl(base: string, path: string): string {
	if (/^https?:\/\//i.test(path)) return path;
	if (path === '') return base;
	return `${base.replace(/\/+$/, '')}/${path.replace(/^\/+/, '')}`;
}

/** Opens the connection of item 0's settings (a node's credential and base URL are the same for all items). */
export async function openHttpConnection(
	ctx: IExecuteFunctions,
	options: HttpConnectionOptions,
): Promise<HttpConnection> {
	const node = ctx.getNode();
	const typeName = credentialTypeOf(options.authentication);
	const nodeBase = (options.baseUrl ?? '').trim();
	let credentialBase = '';
	let send: (request: IHttpRequestOptions) => Promise<unknown>;
	let auth: ReturnType<typeof authProviderFor>;
	let budgetOwner = 'anonymous';
	if (typeName === undefined) {
		if (options.authentication !== 'none')
			throw new NodeOperationError(
				node,
				`Unknown authentication "${options.authentication}": choose one in the Authentication parameter`,
			);
		send = async (request) => await ctx.helpers.httpRequest(request);
	} else {
		const credentials = await ctx.getCredentials(typeName);
		credentialBase = String(credentials.baseUrl ?? '').trim();
		auth = authProviderFor(typeName, credentials);
		const reference = node.credentials?.[typeName];
		const credentialName = String(reference?.name ?? typeName);
		if (auth) {
			send = async (request) => await ctx.helpers.httpRequest(request);
		} else {
			budgetOwner = `n8n-credential:${reference?.id ?? credentialName}`;
			send = async (request) => {
				try {
					return await ctx.helpers.httpRequestWithAuthentication.call(ctx, typeName, request);
				} catch (error) {
					throw oauth2RenewalRefused(error, 'The API', credentialName) ?? error;
				}
			};
		}
	}
	const baseUrl = nodeBase || credentialBase;
	if (baseUrl === '' || originOf(baseUrl) === undefined)
		throw new NodeOperationError(
			node,
			baseUrl === ''
				? 'No Base URL: fill in the Base URL of the node (or use a credential, which has one)'
				: `The Base URL "${baseUrl}" is not an absolute http(s) URL`,
		);
	const boundOrigin = credentialBase ? originOf(credentialBase) : undefined;
	const resolve = (pathOrUrl: string, what = 'the URL'): string => {
		const url = joinUrl(baseUrl, pathOrUrl);
		const origin = originOf(url);
		if (origin === undefined)
			throw new NodeOperationError(node, `${what} "${url}" is not an absolute http(s) URL`);
		if (boundOrigin !== undefined && origin !== boundOrigin)
			throw new NodeOperationError(
				node,
				`${what} points to ${origin}, but the credential is bound to ${boundOrigin} (its Base URL): the credential is never sent to another host. Use a credential for ${origin}.`,
			);
		return url;
	};
	resolve(baseUrl, 'The Base URL');
	const transport = new FunctionTransport(
		async (request) =>
			(await send(toN8nRequestOptions(request) as unknown as IHttpRequestOptions)) as never,
		{ allowInsecure: typeName === undefined },
	);
	const client = new HttpClient({
		transport,
		auth,
		rateLimit: options.rateLimit,
		rateLimitKey: auth ? undefined : rateBudgetKey(budgetOwner, baseUrl),
		timeoutMs: options.timeoutMs,
		logger: ctx.logger,
	});
	return { client, baseUrl, resolve };
}
