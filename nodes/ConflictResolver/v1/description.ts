/** Parameters of Conflict Resolver v1: input shape, strategy, per-field strategies, custom rules, update times. */
import type { INodeProperties, INodePropertyOptions } from 'n8n-workflow';

import { customRulesProperty } from '../../shared/conflictRules.description';

export const strategyOptions: INodePropertyOptions[] = [
	{ name: 'A Wins', value: 'aWins', description: "A's value is kept" },
	{
		name: 'A Unless Blank',
		value: 'aUnlessBlank',
		description: "A's value, or B's where A's is blank",
	},
	{ name: 'B Wins', value: 'bWins', description: "B's value is kept" },
	{
		name: 'B Unless Blank',
		value: 'bUnlessBlank',
		description: "B's value, or A's where B's is blank",
	},
	{
		name: 'Custom Rules',
		value: 'custom',
		description: 'The first matching rule of Custom Conflict Rules decides; no match → Review',
	},
	{
		name: 'Most Recent',
		value: 'mostRecent',
		description:
			'The record changed last wins; without both update times (or a tie) → Review. CRM Sync Conflicts items carry no times: set A/B Updated At.',
	},
	{ name: 'Review', value: 'review', description: 'Nothing is settled: the item goes to Review' },
];

const pairOnly = { show: { inputShape: ['pair'] } };
const conflictsOnly = { show: { inputShape: ['conflicts'] } };

const timeProperty = (
	side: 'A' | 'B',
	show: { show: { inputShape: string[] } },
	def: string,
): INodeProperties => ({
	displayName: `${side} Updated At`,
	name: `updatedAt${side}`,
	type: 'string',
	default: def,
	displayOptions: show,
	description: `When record ${side} last changed (ISO-8601), used by Most Recent; empty or not a date: Most Recent cannot settle the item and it goes to Review`,
});

export const resolverProperties: INodeProperties[] = [
	{
		displayName: 'Input Shape',
		name: 'inputShape',
		type: 'options',
		noDataExpression: true,
		options: [
			{
				name: 'CRM Sync Conflicts',
				value: 'conflicts',
				description:
					'Items of a CRM Sync Conflicts output: one field each (field, a, b, base); resolved items can go on to CRM Sync › Resolve Conflicts',
			},
			{
				name: 'Pair of Records',
				value: 'pair',
				description:
					'Any two records per item (e.g. two duplicates in one CRM): merged field by field',
			},
		],
		default: 'conflicts',
	},
	{
		displayName: 'Record A',
		name: 'recordA',
		type: 'json',
		default: '={{ $json.a }}',
		displayOptions: pairOnly,
		description: 'The first record: an object of field values',
	},
	{
		displayName: 'Record B',
		name: 'recordB',
		type: 'json',
		default: '={{ $json.b }}',
		displayOptions: pairOnly,
		description: 'The second record: an object of field values',
	},
	{
		displayName: 'Base Record',
		name: 'base',
		type: 'json',
		default: '',
		displayOptions: pairOnly,
		description: 'Optional: the record as it was before both changed (shown on Review items)',
	},
	{
		displayName: 'Fields to Compare',
		name: 'fieldsToCompare',
		type: 'options',
		options: [
			{ name: 'All Fields', value: 'all' },
			{ name: 'Selected Fields', value: 'list' },
		],
		default: 'all',
		displayOptions: pairOnly,
	},
	{
		displayName: 'Fields',
		name: 'fields',
		type: 'string',
		default: '',
		placeholder: 'e.g. email, phone, company',
		displayOptions: { show: { inputShape: ['pair'], fieldsToCompare: ['list'] } },
		description: 'Field names, comma-separated; only these are compared and merged',
	},
	{
		displayName: 'Conflict Strategy',
		name: 'strategy',
		type: 'options',
		options: strategyOptions,
		default: 'review',
		description: 'Who wins where A and B differ (the same strategies as CRM Sync)',
	},
	{
		displayName: 'Field Strategies',
		name: 'fieldStrategies',
		type: 'fixedCollection',
		typeOptions: { multipleValues: true },
		placeholder: 'Add Field Strategy',
		default: {},
		description: 'A strategy for one field instead of Conflict Strategy',
		options: [
			{
				displayName: 'Field',
				name: 'rules',
				values: [
					{
						displayName: 'Field',
						name: 'field',
						type: 'string',
						default: '',
						description:
							"The field's name (for a CRM Sync conflict: its side A or side B field, or the pair's key)",
					},
					{
						displayName: 'Strategy',
						name: 'strategy',
						type: 'options',
						options: strategyOptions,
						default: 'aWins',
					},
				],
			},
		],
	},
	customRulesProperty(
		{
			displayName: 'Only for Fields',
			name: 'fields',
			type: 'string',
			default: '',
			placeholder: 'e.g. FirstName, Phone',
			description: 'Field names (side A), comma-separated, the rule applies to; empty: all fields',
		},
		'Used where the strategy is Custom Rules: the first rule whose condition holds settles the field; if none holds, the item goes to Review',
	),
	timeProperty('A', conflictsOnly, '={{ $json.aUpdatedAt }}'),
	timeProperty('B', conflictsOnly, '={{ $json.bUpdatedAt }}'),
	timeProperty('A', pairOnly, '={{ $json.a.updatedAt }}'),
	timeProperty('B', pairOnly, '={{ $json.b.updatedAt }}'),
];
