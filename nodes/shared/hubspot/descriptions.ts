/** Parameters every HubSpot node shows alike (the HubSpot node and the HubSpot Trigger). */
import type { INodeProperties } from 'n8n-workflow';

/** The credential choice, shared by the HubSpot nodes. */
export const authentication: INodeProperties = {
	displayName: 'Authentication',
	name: 'authentication',
	type: 'options',
	options: [
		{ name: 'Private App Token', value: 'privateApp' },
		{ name: 'OAuth2', value: 'oAuth2' },
	],
	default: 'privateApp',
};
