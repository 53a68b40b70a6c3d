import type { ICredentialType, INodeProperties } from 'n8n-workflow';

/**
 * Where the CRM Sync node keeps its state when it must be shared by several n8n hosts (queue mode): a PostgreSQL
 * database. The tables live in their own schema, created and migrated by the node. Tested by the node's
 * `crmSyncPostgresTest` (it connects and runs `SELECT 1`).
 */
// Tested by the CRM Sync node (`testedBy: 'crmSyncPostgresTest'`, a PostgreSQL connection, not an HTTP request).
// eslint-disable-next-line @n8n/community-nodes/credential-test-required
export class CrmSyncPostgresApi implements ICredentialType {
	name = 'crmSyncPostgresApi';

	displayName = 'CRM Sync State (PostgreSQL)';

	icon = 'file:../nodes/CrmSync/crmSync.svg' as const;

	documentationUrl =
		'https://github.com/n8n-nodes-crm-connectors/n8n-nodes-crm-connectors#crm-sync';

	properties: INodeProperties[] = [
		{ displayName: 'Host', name: 'host', type: 'string', default: 'localhost', required: true },
		{ displayName: 'Port', name: 'port', type: 'number', default: 5432 },
		{ displayName: 'Database', name: 'database', type: 'string', default: 'postgres' },
		{ displayName: 'User', name: 'user', type: 'string', default: 'postgres' },
		{
			displayName: 'Password',
			name: 'password',
			type: 'string',
			typeOptions: { password: true },
			default: '',
		},
		{
			displayName: 'SSL',
			name: 'ssl',
			type: 'options',
			options: [
				{ name: 'Disable', value: 'disable' },
				{ name: 'Require (Verify Certificate)', value: 'require' },
				{ name: 'Require (Do Not Verify Certificate)', value: 'allowUnverified' },
			],
			default: 'disable',
		},
		{
			displayName: 'Schema',
			name: 'schema',
			type: 'string',
			default: 'crm_sync',
			description:
				'The schema holding the sync tables (created when missing; letters, digits and _ only)',
		},
	];
}
