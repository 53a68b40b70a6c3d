/** CRM Sync parameters of what is synced: direction, match keys, field mappings, conflicts. */
import type { INodeProperties, INodePropertyOptions } from 'n8n-workflow';

import type { SideName } from './sides.description';

const fieldOf = (side: SideName, purpose: 'mapping' | 'matchKey'): INodeProperties => ({
	displayName: `Side ${side} Field Name or ID`,
	name: `field${side}`,
	type: 'options',
	typeOptions: {
		loadOptionsMethod: purpose === 'matchKey' ? `getMatchFields${side}` : `getFields${side}`,
		loadOptionsDependsOn: [`object${side}`, `system${side}`],
	},
	default: '',
	required: true,
	description:
		purpose === 'matchKey'
			? `The field of the side ${side} object compared with the other side's (unique, e-mail and other identifier-like fields are listed first). Choose from the list, or specify an ID using an <a href="https://docs.n8n.io/code/expressions/">expression</a>.`
			: `The field of the side ${side} object. Choose from the list, or specify an ID using an <a href="https://docs.n8n.io/code/expressions/">expression</a>.`,
});

export const directionOptions: INodePropertyOptions[] = [
	{ name: 'Both Ways (A ↔ B)', value: 'both' },
	{ name: 'A → B', value: 'aToB' },
	{ name: 'B → A', value: 'bToA' },
];

export const strategyOptions: INodePropertyOptions[] = [
	{ name: 'A Wins', value: 'aWins', description: "Side A's value is kept" },
	{
		name: 'A Unless Blank',
		value: 'aUnlessBlank',
		description: "Side A's value, or B's where A's is blank",
	},
	{ name: 'B Wins', value: 'bWins', description: "Side B's value is kept" },
	{
		name: 'B Unless Blank',
		value: 'bUnlessBlank',
		description: "Side B's value, or A's where B's is blank",
	},
	{
		name: 'Custom Rules',
		value: 'custom',
		description: 'The first matching rule of Custom Conflict Rules decides; no match → review',
	},
	{
		name: 'Most Recent',
		value: 'mostRecent',
		description: 'The record changed last wins (a tie goes to review)',
	},
	{
		name: 'Review',
		value: 'review',
		description: 'Nothing is written; the conflict goes to the Conflicts output',
	},
];

const transformOptions: INodePropertyOptions[] = [
	{ name: 'Empty to Null', value: 'emptyToNull' },
	{ name: 'Lowercase', value: 'lowercase' },
	{ name: 'Title Case', value: 'titlecase' },
	{ name: 'To Number', value: 'toNumber' },
	{ name: 'To Text', value: 'toString' },
	{ name: 'Trim', value: 'trim' },
	{ name: 'Uppercase', value: 'uppercase' },
];

const transformsTo = (side: SideName): INodeProperties[] => {
	const from = side === 'A' ? 'B' : 'A';
	return [
		{
			displayName: `Transforms ${from} → ${side}`,
			name: `transformsTo${side}`,
			type: 'multiOptions',
			options: transformOptions,
			default: [],
			description: `Applied, in the listed order, to a value of side ${from} before it is written to side ${side}`,
		},
		{
			displayName: `Value Map ${from} → ${side}`,
			name: `valueMapTo${side}`,
			type: 'json',
			default: '{}',
			description: `A JSON object of whole values of side ${from} and what to write on side ${side} instead, e.g. {"Prospect": "lead"}; other values pass as they are`,
		},
	];
};

export const mappingProperties: INodeProperties[] = [
	{
		displayName: 'Direction',
		name: 'direction',
		type: 'options',
		options: directionOptions,
		default: 'both',
		description: 'Which way values flow (a field mapping may narrow it when this is Both Ways)',
	},
	{
		displayName: 'Match Keys',
		name: 'matchKeys',
		type: 'fixedCollection',
		typeOptions: { multipleValues: true },
		placeholder: 'Add Match Key',
		default: {},
		required: true,
		description:
			'How records met for the first time are paired, in order: the first key with a value on both sides decides. A value held by two records of one side is reported as ambiguous, never guessed.',
		options: [
			{
				displayName: 'Key',
				name: 'keys',
				values: [
					fieldOf('A', 'matchKey'),
					fieldOf('B', 'matchKey'),
					{
						displayName: 'Normalize',
						name: 'normalize',
						type: 'options',
						options: [
							{ name: 'Domain', value: 'domain' },
							{ name: 'E-Mail', value: 'email' },
							{ name: 'None', value: 'none' },
							{ name: 'Phone (Digits)', value: 'phone' },
							{ name: 'Text (Trim, Lower Case)', value: 'text' },
						],
						default: 'text',
						description:
							'How both values are made comparable before they are compared (nothing is written this way)',
					},
				],
			},
		],
	},
	{
		displayName: 'Field Mappings',
		name: 'fieldMappings',
		type: 'fixedCollection',
		typeOptions: { multipleValues: true },
		placeholder: 'Add Field Mapping',
		default: {},
		required: true,
		description: 'The field pairs kept in sync (match key fields too, if they should be copied)',
		options: [
			{
				displayName: 'Mapping',
				name: 'mappings',
				values: [
					fieldOf('A', 'mapping'),
					fieldOf('B', 'mapping'),
					{
						displayName: 'Direction',
						name: 'direction',
						type: 'options',
						options: [{ name: 'As the Sync', value: 'default' }, ...directionOptions],
						default: 'default',
						description:
							'Which way values of this field flow; As the Sync: the Direction parameter above',
					},
					{
						displayName: 'Conflict Rule',
						name: 'conflict',
						type: 'options',
						options: [{ name: 'As the Sync', value: 'default' }, ...strategyOptions],
						default: 'default',
						description:
							'Who wins when this field changed on both sides to different values; As the Sync: the Conflict Strategy parameter',
					},
					{
						displayName: 'Map Owners by E-Mail',
						name: 'mapOwners',
						type: 'boolean',
						default: false,
						description:
							"Whether the field holds a record owner (e.g. OwnerId ↔ hubspot_owner_id): owners are translated by their users' e-mail; an owner without a partner fails the record (Failed output)",
					},
					...transformsTo('B'),
					...transformsTo('A'),
				],
			},
		],
	},
	{
		displayName: 'Conflict Strategy',
		name: 'conflictStrategy',
		type: 'options',
		options: strategyOptions,
		default: 'review',
		description:
			'Who wins when a field changed on both sides since the last sync (or differs when two records are first paired)',
	},
];
