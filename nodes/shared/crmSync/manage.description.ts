/**
 * CRM Sync parameters of the operations besides "Run Sync": deciding open conflicts, excluding and including
 * records. Each reads its input items (by default the items of a CRM Sync's Conflicts or Failed output, which
 * carry `syncId`, `conflictId`, `side` and `recordId`), so a workflow wires Conflicts → approval → CRM Sync.
 */
import type { INodeProperties } from 'n8n-workflow';

export type Operation = 'sync' | 'resolveConflicts' | 'excludeRecords' | 'includeRecords';
export const MANAGE: Operation[] = ['resolveConflicts', 'excludeRecords', 'includeRecords'];

export const operationProperty: INodeProperties = {
	displayName: 'Operation',
	name: 'operation',
	type: 'options',
	noDataExpression: true,
	options: [
		{
			name: 'Run Sync',
			value: 'sync',
			action: 'Run the sync',
			description: 'Read both sides, write what changed, list open conflicts and failed records',
		},
		{
			name: 'Resolve Conflicts',
			value: 'resolveConflicts',
			action: 'Resolve conflicts',
			description:
				'Store decisions on open conflicts (one per input item); the next sync run writes them',
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
	],
	default: 'sync',
};

/** Parameters every operation uses: where the state is. */
const SHARED = new Set(['stateStore', 'sqliteFile']);

/** `properties` shown only by the Run Sync operation (their own display conditions kept), the shared ones apart. */
export function onlyForSync(properties: INodeProperties[]): INodeProperties[] {
	return properties.map((p) =>
		SHARED.has(p.name)
			? p
			: {
					...p,
					displayOptions: {
						...p.displayOptions,
						show: { ...p.displayOptions?.show, operation: ['sync'] },
					},
				},
	);
}

const show = (operations: Operation[]) => ({ show: { operation: operations } });

export const manageProperties: INodeProperties[] = [
	{
		displayName:
			"Each input item names one conflict (pass the CRM Sync's Conflicts output, e.g. through an approval step). The decision is stored now and written to the CRMs by the next sync run.",
		name: 'resolveNotice',
		type: 'notice',
		default: '',
		displayOptions: show(['resolveConflicts']),
	},
	{
		displayName: 'Sync ID',
		name: 'syncId',
		type: 'string',
		default: '={{ $json.syncId }}',
		displayOptions: show(MANAGE),
		description: 'The sync the items belong to (the syncId of the Conflicts / Failed items)',
		hint: "After an approval node, read it from the CRM Sync's item: {{ $('CRM Sync').item.json.syncId }}",
	},
	{
		displayName: 'Conflict ID',
		name: 'conflictId',
		type: 'string',
		default: '={{ $json.conflictId }}',
		displayOptions: show(['resolveConflicts']),
		description: 'The conflictId of an item of the Conflicts output',
		hint: "After an approval node, read it from the CRM Sync's item: {{ $('CRM Sync').item.json.conflictId }}",
	},
	{
		displayName: 'Decision',
		name: 'decision',
		type: 'options',
		options: [
			{
				name: 'From the Item (Winner / Value)',
				value: 'fromItem',
				description:
					'The item\'s "winner" field ("a" or "b"), or else its "value" field (set by a Set node or form)',
			},
			{ name: 'Keep A', value: 'a', description: "Side A's value is written to side B" },
			{ name: 'Keep B', value: 'b', description: "Side B's value is written to side A" },
			{
				name: 'Set a Value',
				value: 'value',
				description: "The value below is written to both sides (in side A's terms)",
			},
		],
		default: 'fromItem',
		displayOptions: show(['resolveConflicts']),
	},
	{
		displayName: 'Value',
		name: 'decisionValue',
		type: 'string',
		default: '',
		displayOptions: { show: { operation: ['resolveConflicts'], decision: ['value'] } },
		description: "Written to both sides (through the field's transforms to side B)",
	},
	{
		displayName: 'Side',
		name: 'side',
		type: 'string',
		default: '={{ $json.side }}',
		displayOptions: show(['excludeRecords', 'includeRecords']),
		description: 'The side of the record: "a" or "b" (the side field of a Failed item)',
	},
	{
		displayName: 'Record ID',
		name: 'recordId',
		type: 'string',
		default: '={{ $json.recordId }}',
		displayOptions: show(['excludeRecords', 'includeRecords']),
		description: 'The record ID on that side (the recordId field of a Failed item)',
	},
];
