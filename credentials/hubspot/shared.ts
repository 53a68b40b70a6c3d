/**
 * What the HubSpot credentials share: the base URL field, the rate limits every node using the credential
 * shares, and the Test button's request.
 */
import type { ICredentialTestRequest, INodeProperties } from 'n8n-workflow';

/** The HubSpot API base URL; `description` says what else it points at. */
export function baseUrlProperty(description: string): INodeProperties {
	return {
		displayName: 'Base URL',
		name: 'baseUrl',
		type: 'string',
		default: 'https://api.hubapi.com',
		description,
	};
}

/** The subscription's burst limit and the search endpoints' limit, shared by every node using the credential. */
export const rateLimitProperties: INodeProperties[] = [
	{
		displayName: 'API Limit',
		name: 'requestsPer10Seconds',
		type: 'options',
		options: [
			{ name: '190 Requests per 10 Seconds (Professional, Enterprise)', value: 190 },
			{ name: '100 Requests per 10 Seconds (Free, Starter)', value: 100 },
		],
		default: 190,
		description:
			'The burst limit of the HubSpot subscription. Every node using this credential shares this budget.',
	},
	{
		displayName: 'Search Requests per Second',
		name: 'searchRequestsPerSecond',
		type: 'number',
		typeOptions: { minValue: 1 },
		default: 5,
		description:
			"HubSpot's limit for the search endpoints (5 per second per account unless raised)",
	},
];

/** The Test button's request: one contact from the base URL. */
export const testRequest: ICredentialTestRequest['request'] = {
	baseURL: '={{$credentials.baseUrl.replace(/\\/+$/, "")}}',
	url: '/crm/v3/objects/contacts',
	qs: { limit: 1 },
};
