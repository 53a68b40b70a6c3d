/** Parameters the Dynamics 365 node and its trigger share. */
import type { INodeProperties } from 'n8n-workflow';

/** Which credential the node uses (the keys of `DYNAMICS_CREDENTIAL_TYPES`). */
export const authentication: INodeProperties = {
	displayName: 'Authentication',
	name: 'authentication',
	type: 'options',
	options: [
		{ name: 'Client Credentials (Application User)', value: 'clientCredentials' },
		{ name: 'OAuth2 (Signed-in User)', value: 'oAuth2' },
	],
	default: 'clientCredentials',
};
