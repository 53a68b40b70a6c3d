/** Parameters every Salesforce node shows alike (the Salesforce node and the Salesforce Trigger). */
import type { INodeProperties } from 'n8n-workflow';

import type { Show } from '../descriptions';

/** The credential choice (the keys of `CREDENTIAL_TYPES`), shared by the Salesforce nodes. */
export const authenticationProperty: INodeProperties = {
	displayName: 'Authentication',
	name: 'authentication',
	type: 'options',
	options: [
		{ name: 'OAuth2 (Authorization Code)', value: 'oAuth2' },
		{ name: 'JWT Bearer (Server-to-Server)', value: 'jwt' },
		{ name: 'Client Credentials', value: 'clientCredentials' },
		{ name: 'Username and Password', value: 'password' },
	],
	default: 'oAuth2',
};

/** The fields of the object picked above to return (all when none are chosen). */
export function fieldNamesProperty(show?: Show): INodeProperties {
	return {
		displayName: 'Field Names or IDs',
		name: 'fieldNames',
		type: 'multiOptions',
		typeOptions: { loadOptionsMethod: 'getFields', loadOptionsDependsOn: ['object.value'] },
		default: [],
		description:
			'Fields to return (all when empty). Choose from the list, or specify IDs using an <a href="https://docs.n8n.io/code/expressions/">expression</a>.',
		...(show ? { displayOptions: { show } } : {}),
	};
}
