/**
 * Sync State parameters: the operation, the sides (Read only: the connectors give each side's clock), the planned
 * write of a result (Commit), CRM Sync's management parameters, and the state store.
 */
import type { INodeCredentialDescription, INodeProperties } from 'n8n-workflow';

import { manageProperties } from '../../shared/crmSync/manage.description';
import { sideProperties, syncCredentials } from '../../shared/crmSync/sides.description';
import { blocksSyncIdProperty, storeProperties } from '../../shared/syncBlocks.description';
import { SYNC_TICKET_KEY } from '../../shared/syncTicket';

export type StateOperation =
	| 'read'
	| 'commit'
	| 'resolveConflicts'
	| 'excludeRecords'
	| 'includeRecords';

export const operationProperty: INodeProperties = {
	displayName: 'Operation',
	name: 'operation',
	type: 'options',
	noDataExpression: true,
	options: [
		{
			name: 'Commit',
			value: 'commit',
			action: 'Commit write results',
			description:
				"After the write nodes: each item is a write node's result (success or error output), committed to the sync's state",
		},
		{
			name: 'Exclude Records',
			value: 'excludeRecords',
			action: 'Exclude records from the sync',
			description:
				'Take records (with their partners) out of the sync: no longer retried, read or written',
		},
		{
			name: 'Include Records',
			value: 'includeRecords',
			action: 'Include excluded records again',
			description: 'Put excluded records back into the sync',
		},
		{
			name: 'Read',
			value: 'read',
			action: 'Read where changes start',
			description:
				'Once per run, before the read nodes: each side\'s "since" (where its changes start) and whether it is a first (full) read',
		},
		{
			name: 'Resolve Conflicts',
			value: 'resolveConflicts',
			action: 'Resolve conflicts',
			description:
				'Store decisions on open conflicts (one per input item); the next Sync Plan writes them',
		},
	],
	default: 'read',
};

const forRead = (p: INodeProperties): INodeProperties => ({
	...p,
	displayOptions: { ...p.displayOptions, show: { ...p.displayOptions?.show, operation: ['read'] } },
});

/** The sides' credentials, for Read only; the PostgreSQL store's for every operation. */
export function stateCredentials(): INodeCredentialDescription[] {
	return syncCredentials().map((c) =>
		c.name === 'crmSyncPostgresApi'
			? c
			: {
					...c,
					displayOptions: {
						...c.displayOptions,
						show: { ...c.displayOptions?.show, operation: ['read'] },
					},
				},
	);
}

export const stateProperties: INodeProperties[] = [
	operationProperty,
	blocksSyncIdProperty({ operation: ['read', 'commit'] }),
	...sideProperties.map(forRead),
	{
		displayName: 'Planned Write',
		name: 'plannedWrite',
		type: 'json',
		default: `={{ $('Sync Plan').item.json.${SYNC_TICKET_KEY} }}`,
		required: true,
		displayOptions: { show: { operation: ['commit'] } },
		description:
			'The ticket of the Sync Plan item this result belongs to, found through the item\'s lineage; rename "Sync Plan" in the expression if the Sync Plan node has another name',
	},
	...manageProperties,
	...storeProperties,
];
