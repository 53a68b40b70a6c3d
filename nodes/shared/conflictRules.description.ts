/** The Custom Rules parameter's UI, shared by CRM Sync and Conflict Resolver (the rules are read by conflictRules.ts). */
import type { INodeProperties } from 'n8n-workflow';

/** The rules parameter (`customRules`); `fields` is the rule's "only for fields" property (named `fields`). */
export function customRulesProperty(fields: INodeProperties, description: string): INodeProperties {
	return {
		displayName: 'Custom Conflict Rules',
		name: 'customRules',
		type: 'fixedCollection',
		typeOptions: { multipleValues: true, sortable: true },
		placeholder: 'Add Rule',
		default: {},
		description,
		options: [
			{
				displayName: 'Rule',
				name: 'rules',
				values: [
					fields,
					{
						displayName: 'Text',
						name: 'text',
						type: 'string',
						default: '',
						displayOptions: {
							show: { when: ['aContains', 'aEquals', 'bContains', 'bEquals'] },
						},
						description: 'The text the value contains or equals (case-insensitive)',
					},
					{
						displayName: 'Then',
						name: 'then',
						type: 'options',
						options: [
							{
								name: 'Keep A',
								value: 'a',
							},
							{
								name: 'Keep B',
								value: 'b',
							},
							{
								name: 'Send to Review',
								value: 'review',
							},
							{
								name: 'Set a Value',
								value: 'value',
							},
						],
						default: 'a',
						description: 'What settles the conflict when the condition holds',
					},
					{
						displayName: 'Value',
						name: 'value',
						type: 'string',
						default: '',
						displayOptions: { show: { then: ['value'] } },
						description:
							"Written to both sides, in side A's terms (the field's transforms convert it for side B)",
					},
					{
						displayName: 'When',
						name: 'when',
						type: 'options',
						options: [
							{
								name: 'A Contains Text',
								value: 'aContains',
							},
							{
								name: 'A Equals Text',
								value: 'aEquals',
							},
							{
								name: 'A Is Blank',
								value: 'aBlank',
							},
							{
								name: 'A Is Greater (Number or Date)',
								value: 'aGreater',
							},
							{
								name: 'A Is Longer',
								value: 'aLonger',
							},
							{
								name: 'Always',
								value: 'always',
							},
							{
								name: 'B Contains Text',
								value: 'bContains',
							},
							{
								name: 'B Equals Text',
								value: 'bEquals',
							},
							{
								name: 'B Is Blank',
								value: 'bBlank',
							},
							{
								name: 'B Is Greater (Number or Date)',
								value: 'bGreater',
							},
							{
								name: 'B Is Longer',
								value: 'bLonger',
							},
						],
						default: 'aBlank',
						description: "The condition on the two sides' values of the conflicting field",
					},
				],
			},
		],
	};
}
