/** CRM Sync parameters of the two sides: system, credential choice per system, object type. */
import type { INodeCredentialDescription, INodeProperties } from 'n8n-workflow';

import {
	CREDENTIAL_TYPES,
	DYNAMICS_CREDENTIAL_TYPES,
	HTTP_CREDENTIAL_TYPES,
	OAUTH2_TYPE_NAME,
	PRIVATE_APP_TYPE_NAME,
} from '../credentialTypes';
import { authenticationProperty as dynamicsAuthentication } from '../dynamics/descriptions';
import { authentication as hubspotAuthentication } from '../hubspot/descriptions';
import { authenticationProperty as salesforceAuthentication } from '../salesforce/descriptions';

export type System = 'salesforce' | 'hubspot' | 'dynamics' | 'rest';
export const SYSTEMS: System[] = ['salesforce', 'hubspot', 'dynamics', 'rest'];
export const SIDES = ['A', 'B'] as const;
export type SideName = (typeof SIDES)[number];

/** The parameter holding the credential choice of a system (one per system: both sides of one system share it). */
export const AUTH_PARAMETER: Record<System, string> = {
	salesforce: 'salesforceAuthentication',
	hubspot: 'hubspotAuthentication',
	dynamics: 'dynamicsAuthentication',
	rest: 'restAuthentication',
};

/** How each system is named to a user (subtitles, summaries, notices). */
export const SYSTEM_LABEL: Record<System, string> = {
	salesforce: 'Salesforce',
	hubspot: 'HubSpot',
	dynamics: 'Dynamics 365',
	rest: 'REST API',
};

/** The credential choice of a REST API side (the generic HTTP credentials of the REST API node). */
const restAuthentication: INodeProperties = {
	displayName: 'Authentication',
	name: 'restAuthentication',
	type: 'options',
	options: [
		{ name: 'API Key', value: 'apiKey' },
		{ name: 'Basic Auth', value: 'basicAuth' },
		{ name: 'Bearer Token', value: 'bearerToken' },
		{ name: 'None', value: 'none' },
		{ name: 'OAuth2 (Authorization Code)', value: 'oAuth2' },
		{ name: 'OAuth2 Client Credentials', value: 'clientCredentials' },
	],
	default: 'apiKey',
};

/** The authentication parameter of each system's own node, which the sides reuse under their own names. */
const AUTH_BASE: Record<System, INodeProperties> = {
	salesforce: salesforceAuthentication,
	hubspot: hubspotAuthentication,
	dynamics: dynamicsAuthentication,
	rest: restAuthentication,
};

const systemProperty = (side: SideName, system: System): INodeProperties => ({
	displayName: `Side ${side} System`,
	name: `system${side}`,
	type: 'options',
	noDataExpression: true,
	options: [
		{ name: 'Salesforce', value: 'salesforce' },
		{ name: 'HubSpot', value: 'hubspot' },
		{ name: 'Dynamics 365', value: 'dynamics' },
		{ name: 'REST API (Endpoint Profile)', value: 'rest' },
	],
	default: system,
	description: `The CRM of side ${side}`,
});

/**
 * The credential choice of a system, shown once when either side uses it (declared twice, for side A and for
 * "side B only", as n8n shows one of two parameters with one name).
 */
function authenticationProperties(system: System): INodeProperties[] {
	const base = AUTH_BASE[system];
	const other = SYSTEMS.filter((s) => s !== system);
	const label = SYSTEM_LABEL[system];
	const common = {
		noDataExpression: true,
		description: `How the node signs in to ${label} (the kind of ${label} credential to pick below); one for both sides when both are ${label}`,
	};
	return [
		{
			...base,
			...common,
			displayName: `${label} Authentication`,
			name: AUTH_PARAMETER[system],
			displayOptions: { show: { systemA: [system] } },
		},
		{
			...base,
			...common,
			displayName: `${label} Authentication`,
			name: AUTH_PARAMETER[system],
			displayOptions: { show: { systemA: other, systemB: [system] } },
		},
	];
}

/** The node's credentials: each credential type once, shown by its system's authentication choice. */
export function syncCredentials(): INodeCredentialDescription[] {
	const of = (system: System, choices: Record<string, string>) =>
		Object.entries(choices).map(([choice, name]) => ({
			name,
			required: true,
			displayOptions: { show: { [AUTH_PARAMETER[system]]: [choice] } },
		}));
	return [
		...of('salesforce', CREDENTIAL_TYPES),
		...of('hubspot', { privateApp: PRIVATE_APP_TYPE_NAME, oAuth2: OAUTH2_TYPE_NAME }),
		...of('dynamics', DYNAMICS_CREDENTIAL_TYPES),
		...of('rest', HTTP_CREDENTIAL_TYPES),
		{
			name: 'crmSyncPostgresApi',
			required: true,
			testedBy: 'crmSyncPostgresTest',
			displayOptions: { show: { stateStore: ['postgres'] } },
		},
	];
}

const sameSystemNotice = (system: System): INodeProperties => {
	const label = SYSTEM_LABEL[system];
	const account = { salesforce: 'org', hubspot: 'account', dynamics: 'environment', rest: 'API' }[
		system
	];
	return {
		displayName: `Both sides are ${label}: they share one ${label} credential (a node holds one credential per type), so this syncs two objects of one ${account}, not two ${account}s`,
		name: `sameSystemNotice_${system}`,
		type: 'notice',
		default: '',
		displayOptions: { show: { systemA: [system], systemB: [system] } },
	};
};

/** The endpoint profile of a REST API side (one for both sides when both are REST APIs). */
function restProfileProperty(onA: boolean): INodeProperties {
	return {
		displayName: 'Endpoint Profile',
		name: 'restProfile',
		type: 'json',
		default: '{\n  "objects": {}\n}',
		required: true,
		description:
			"How the API lists, reads and writes records and reports changes, as JSON (reference: core/connectors/rest/README.md; an example in examples/profiles). Its baseUrl, when it has one, wins over the credential's Base URL.",
		displayOptions: onA
			? { show: { systemA: ['rest'] } }
			: { show: { systemA: SYSTEMS.filter((s) => s !== 'rest'), systemB: ['rest'] } },
	};
}

const objectProperty = (side: SideName): INodeProperties => ({
	displayName: `Side ${side} Object Name or ID`,
	name: `object${side}`,
	type: 'options',
	typeOptions: {
		loadOptionsMethod: `getObjectTypes${side}`,
		loadOptionsDependsOn: [`system${side}`, ...Object.values(AUTH_PARAMETER), 'restProfile'],
	},
	default: '',
	required: true,
	description: `The object type synced on side ${side}, e.g. Contact (Salesforce), contacts (HubSpot) or contacts (Dynamics 365, the table's collection name). Choose from the list, or specify an ID using an <a href="https://docs.n8n.io/code/expressions/">expression</a>.`,
});

export const sideProperties: INodeProperties[] = [
	systemProperty('A', 'salesforce'),
	systemProperty('B', 'hubspot'),
	...authenticationProperties('salesforce'),
	...authenticationProperties('hubspot'),
	...authenticationProperties('dynamics'),
	...authenticationProperties('rest'),
	sameSystemNotice('salesforce'),
	sameSystemNotice('hubspot'),
	sameSystemNotice('dynamics'),
	sameSystemNotice('rest'),
	restProfileProperty(true),
	restProfileProperty(false),
	objectProperty('A'),
	objectProperty('B'),
];
