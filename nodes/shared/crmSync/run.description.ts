/** CRM Sync parameters: custom conflict rules, deletes, inclusion filters, dry run, state store, options. */
import type { INodeProperties } from 'n8n-workflow';

import { customRulesProperty as sharedCustomRulesProperty } from '../conflictRules.description';
import type { SideName } from './sides.description';

/** Options › Lock Wait / Lock Lease: how a run waits for, and holds, the sync's run lock (CRM Sync, Sync Plan). */
export const lockOptions: INodeProperties[] = [
	{
		displayName: 'Lock Wait (Seconds)',
		name: 'lockWaitSeconds',
		type: 'number',
		typeOptions: { minValue: 0 },
		default: 0,
		description: 'How long to wait for another run of the same sync to finish before failing',
	},
	{
		displayName: 'Lock Lease (Seconds)',
		name: 'lockLeaseSeconds',
		type: 'number',
		typeOptions: { minValue: 3 },
		default: 60,
		description:
			'How long the run lock outlives a run that died without releasing it (a killed worker, a lost host): the lock is renewed every third of this while the run is alive, and another run may take it once it has expired',
	},
];

const sideField = (side: SideName, name: string, displayName: string): INodeProperties => ({
	displayName,
	name,
	type: 'options',
	typeOptions: {
		loadOptionsMethod: `getFields${side}`,
		loadOptionsDependsOn: [`object${side}`, `system${side}`],
	},
	default: '',
	description:
		'Choose from the list, or specify an ID using an <a href="https://docs.n8n.io/code/expressions/">expression</a>',
});

export const customRulesProperty: INodeProperties = sharedCustomRulesProperty(
	{
		displayName: 'Only for Side A Field Names or IDs',
		name: 'fields',
		type: 'multiOptions',
		typeOptions: {
			loadOptionsMethod: 'getFieldsA',
			loadOptionsDependsOn: ['objectA', 'systemA'],
		},
		default: [],
		description:
			'The mapped fields (by their side A field) the rule applies to; none: all fields. Choose from the list, or specify IDs using an <a href="https://docs.n8n.io/code/expressions/">expression</a>.',
	},
	'Used where the conflict rule is Custom Rules: the first rule whose condition holds settles the conflict; if none holds, the conflict goes to the Conflicts output',
);

const archiveFields = (side: SideName): INodeProperties[] => [
	{
		...sideField(side, `archiveField${side}`, `Archive Field ${side} Name or ID`),
		displayOptions: { show: { deletes: ['archive'] } },
		description: `Set on a record of side ${side} whose partner was deleted (empty: side ${side} records are left as they are). Choose from the list, or specify an ID using an <a href="https://docs.n8n.io/code/expressions/">expression</a>.`,
	},
	{
		displayName: `Archive Value ${side}`,
		name: `archiveValue${side}`,
		type: 'string',
		default: '',
		placeholder: 'e.g. Inactive',
		displayOptions: { show: { deletes: ['archive'] } },
		description: `The value written to Archive Field ${side}`,
	},
];

const filterProperty = (side: SideName): INodeProperties => ({
	displayName: `Inclusion Filters ${side}`,
	name: `filters${side}`,
	type: 'fixedCollection',
	typeOptions: { multipleValues: true },
	placeholder: 'Add Condition',
	default: {},
	description: `Conditions (all of them) a record of side ${side} must meet to be paired or created on the other side; pairs already linked keep syncing`,
	options: [
		{
			displayName: 'Condition',
			name: 'conditions',
			values: [
				sideField(side, 'field', 'Field Name or ID'),
				{
					displayName: 'Operator',
					name: 'op',
					type: 'options',
					options: [
						{ name: 'Contains', value: 'contains' },
						{ name: 'Equals', value: 'equals' },
						{ name: 'Is Empty', value: 'isEmpty' },
						{ name: 'Is Not Empty', value: 'isNotEmpty' },
						{ name: 'Is One Of', value: 'in' },
						{ name: 'Not Equals', value: 'notEquals' },
					],
					default: 'equals',
					description: 'How the field is compared',
				},
				{
					displayName: 'Value',
					name: 'value',
					type: 'string',
					default: '',
					displayOptions: { hide: { op: ['isEmpty', 'isNotEmpty'] } },
					description: 'The value to compare with; for Is One Of: the values, comma-separated',
				},
			],
		},
	],
});

export const runProperties: INodeProperties[] = [
	customRulesProperty,
	{
		displayName: 'Deletes',
		name: 'deletes',
		type: 'options',
		options: [
			{
				name: 'Archive',
				value: 'archive',
				description: 'Set a field on the partner (e.g. a status) and stop syncing the pair',
			},
			{
				name: 'Ignore',
				value: 'ignore',
				description: 'Leave the partner and stop syncing the pair',
			},
			{ name: 'Propagate', value: 'propagate', description: 'Delete the partner too' },
		],
		default: 'ignore',
		description: 'What happens to the partner of a record deleted on one side',
	},
	...archiveFields('A'),
	...archiveFields('B'),
	{
		displayName: 'Max Deletes per Run',
		name: 'maxDeletes',
		type: 'number',
		typeOptions: { minValue: 0 },
		default: 100,
		displayOptions: { hide: { deletes: ['ignore'] } },
		description:
			'More linked deletions than this in one run trip the guard: nothing is deleted or archived, and the Report says why (0: no limit)',
	},
	{
		displayName: 'Max Deletes (% of Linked Pairs)',
		name: 'maxDeletePercent',
		type: 'number',
		typeOptions: { minValue: 0, maxValue: 100 },
		default: 10,
		displayOptions: { hide: { deletes: ['ignore'] } },
		description: 'The same guard as a share of the linked pairs (0: no limit)',
	},
	filterProperty('A'),
	filterProperty('B'),
	{
		displayName: 'Dry Run',
		name: 'dryRun',
		type: 'boolean',
		default: false,
		displayOptions: { hide: { '@tool': [true] } },
		description:
			'Whether to only plan: nothing is written to either CRM or the state store, and the Report lists what a real run would do',
	},
	{
		displayName: 'Dry Run',
		name: 'dryRun',
		type: 'boolean',
		default: true,
		displayOptions: { show: { '@tool': [true] } },
		description:
			'Whether to only plan (the default for an AI agent): nothing is written, the Report lists what a real run would do',
	},
	{
		displayName: 'State Store',
		name: 'stateStore',
		type: 'options',
		options: [
			{
				name: 'SQLite File (Default)',
				value: 'sqlite',
				description: 'A file under the n8n user folder; one n8n host',
			},
			{
				name: 'PostgreSQL',
				value: 'postgres',
				description: 'For queue mode / several hosts',
			},
		],
		default: 'sqlite',
		description: 'Where the sync remembers pairs, last-synced values and progress between runs',
	},
	{
		displayName: 'SQLite File',
		name: 'sqliteFile',
		type: 'string',
		default: '',
		placeholder: '~/.n8n/crm-connectors-sync.sqlite',
		displayOptions: { show: { stateStore: ['sqlite'] } },
		description:
			'Path of the SQLite file (empty: crm-connectors-sync.sqlite in the n8n user folder)',
	},
	{
		displayName: 'Sync ID',
		name: 'syncId',
		type: 'string',
		default: '',
		description:
			'Names this sync in the state store. Empty: derived from the workflow and node IDs, so two nodes never share state by accident. Give the same ID to continue a sync from another node.',
	},
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		options: [
			{
				displayName: 'Full Resync',
				name: 'fullResync',
				type: 'boolean',
				default: false,
				description:
					'Whether to read both sides in full again (e.g. after the field mappings changed); pairs stay linked',
			},
			{
				displayName: 'Include Plan in Report',
				name: 'includePlan',
				type: 'boolean',
				default: false,
				description: 'Whether a real run lists every write in the Report (a dry run always does)',
			},
			...lockOptions,
		],
	},
];
