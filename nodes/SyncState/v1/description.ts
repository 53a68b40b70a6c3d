/**
 * Sync State parameters: the operation, the sides (Read only: the connectors give each side's clock), the planned
 * write of a result (Commit), CRM Sync's management parameters, and the state store.
 */
import type { INodeCredentialDescription, INodeProperties } from 'n8n-workflow';

import { manageProperties } from '../../shared/crmSync/manage.description';
import { limitProperties } from '../../shared/descriptions';
import { sideProperties, syncCredentials } from '../../shared/crmSync/sides.description';
import { blocksSyncIdProperty, storeProperties } from '../../shared/syncBlocks.description';
import { SYNC_TICKET_KEY } from '../../shared/syncTicket';

export type StateOperation =
	| 'read'
	| 'commit'
	| 'resolveConflicts'
	| 'excludeRecords'
	| 'includeRecords'
	| 'getLinks';

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
			name: 'Look Up Links',
			value: 'getLinks',
			action: 'Look up linked records',
			description:
				"The sync's ID map and last-synced values: a record's partner on the other side (per input item), or every link",
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

const byRecord = { operation: ['getLinks'], mode: ['byRecord'] };
const all = { operation: ['getLinks'], mode: ['all'] };

/** Look Up Links: one record's link per input item, or every link of the sync (once per run). */
const linksProperties: INodeProperties[] = [
	{
		displayName: 'Mode',
		name: 'mode',
		type: 'options',
		noDataExpression: true,
		options: [
			{
				name: 'All',
				value: 'all',
				description: 'Every link of the sync, one item each (runs once, not per input item)',
			},
			{
				name: 'By Record',
				value: 'byRecord',
				description:
					'The link of the record each input item names, with its partner on the other side',
			},
		],
		default: 'byRecord',
		displayOptions: { show: { operation: ['getLinks'] } },
	},
	{
		displayName: 'Side',
		name: 'side',
		type: 'string',
		default: '={{ $json.side }}',
		displayOptions: { show: byRecord },
		description: 'The side of the record: "a" or "b"',
	},
	{
		displayName: 'Record ID',
		name: 'recordId',
		type: 'string',
		default: '={{ $json.id }}',
		displayOptions: { show: byRecord },
		description: 'The record ID on that side',
	},
	{
		displayName: 'Status',
		name: 'linkStatus',
		type: 'options',
		options: [
			{ name: 'Any', value: 'any' },
			{ name: 'Excluded', value: 'excluded', description: 'Taken out of the sync by a person' },
			{ name: 'Linked', value: 'linked', description: 'Both records known and synced' },
			{
				name: 'Pending',
				value: 'pending',
				description: 'A create was sent to the other side and is not confirmed yet',
			},
		],
		default: 'any',
		displayOptions: { show: all },
		description: 'Only the links with this status',
	},
	...limitProperties(all),
];

export const stateProperties: INodeProperties[] = [
	operationProperty,
	// Look Up Links defaults to the workflow ID like Read and Commit, not to the item's syncId like the management
	// operations: its input items are any records (not the Conflicts / Failed items that carry syncId), and the
	// lookup usually sits in the workflow whose Sync Plan and Sync State use that default.
	blocksSyncIdProperty({ operation: ['read', 'commit', 'getLinks'] }),
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
	...linksProperties,
	...storeProperties,
];
