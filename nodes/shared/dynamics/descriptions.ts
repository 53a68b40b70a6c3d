/** Dynamics 365 parameters shared by the Dynamics 365 node, its trigger and the sync nodes (CRM Sync, Sync Plan, Sync State). */
import type { INodeProperties } from 'n8n-workflow';

/** The credential choice: its values are the keys of `DYNAMICS_CREDENTIAL_TYPES` (connection.ts). */
export const authenticationProperty: INodeProperties = {
	displayName: 'Authentication',
	name: 'authentication',
	type: 'options',
	options: [
		{ name: 'Client Credentials (Application User)', value: 'clientCredentials' },
		{ name: 'OAuth2 (Signed-in User)', value: 'oAuth2' },
	],
	default: 'clientCredentials',
};

/** The same choice, as the node and its trigger name it. */
export const authentication = authenticationProperty;
