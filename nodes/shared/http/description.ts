/**
 * The parameters the generic HTTP nodes (REST API, GraphQL API) share: the Authentication choice (one credential
 * type each, see auth.ts), the rate budget options with their reader, and JSON parameters.
 */
import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import type { RateBudgetOptions } from '../../../core/http/rateLimiter';

/** The credential choice. */
export const httpAuthentication: INodeProperties = {
	displayName: 'Authentication',
	name: 'authentication',
	type: 'options',
	options: [
		{ name: 'API Key', value: 'apiKey' },
		{ name: 'Basic Auth', value: 'basicAuth' },
		{ name: 'Bearer Token', value: 'bearerToken' },
		{ name: 'None', value: 'none' },
		{ name: 'OAuth2 (Authorization Code)', value: 'oAuth2' },
		{ name: 'OAuth2 Client Credentials', value: 'clientCredentials' },
	],
	default: 'none',
};

/** Max Concurrent Requests, Requests per Interval, Interval (inside an Options collection). */
export const rateBudgetOptions: INodeProperties[] = [
	{
		displayName: 'Max Concurrent Requests',
		name: 'maxConcurrent',
		type: 'number',
		typeOptions: { minValue: 1 },
		default: 4,
		description:
			'Requests in flight at once with this credential and host, shared by every node using them',
	},
	{
		displayName: 'Requests per Interval',
		name: 'maxRequests',
		type: 'number',
		typeOptions: { minValue: 0 },
		default: 0,
		description:
			"The API's rate limit: at most this many requests start per interval (0: no limit). Shared by every node using this credential and host; 429 answers are still waited out (Retry-After).",
	},
	{
		displayName: 'Interval (Ms)',
		name: 'intervalMs',
		type: 'number',
		typeOptions: { minValue: 1 },
		default: 1000,
		description: 'Length of the rate-limit interval in milliseconds',
	},
];

/** The rate budget and timeout of the Options collection (item 0: one budget per credential and host). */
export function readConnectionOptions(ctx: IExecuteFunctions): {
	rateLimit: RateBudgetOptions;
	timeoutMs?: number;
} {
	const options = ctx.getNodeParameter('options', 0, {}) as IDataObject;
	const maxRequests = Number(options.maxRequests ?? 0);
	const timeout = Number(options.timeout ?? 0);
	return {
		rateLimit: {
			maxConcurrent: Number(options.maxConcurrent ?? 4) || 4,
			...(maxRequests > 0
				? { maxRequests, intervalMs: Number(options.intervalMs ?? 1000) || 1000 }
				: {}),
		},
		timeoutMs: timeout > 0 ? timeout : undefined,
	};
}

/** A JSON parameter's value: an object/array as is, a string parsed (the message names the parameter). */
export function jsonParameter(
	ctx: IExecuteFunctions,
	name: string,
	label: string,
	i: number,
): unknown {
	const raw = ctx.getNodeParameter(name, i, '') as unknown;
	if (typeof raw !== 'string') return raw;
	if (raw.trim() === '') return undefined;
	try {
		return JSON.parse(raw) as unknown;
	} catch (error) {
		throw new NodeOperationError(
			ctx.getNode(),
			`${label} is not valid JSON (${(error as Error).message}): fix the JSON or use an expression that returns an object`,
			{ itemIndex: i },
		);
	}
}
