import type {
	IDataObject,
	IExecuteFunctions,
	INodeExecutionData,
	INodeProperties,
} from 'n8n-workflow';

import type { DynamicsCrm } from '../../../../../core/connectors/dynamics/crm';
import type { ExecuteInput } from '../../../../../core/connectors/dynamics/execute';
import {
	collect,
	describeError,
	perItemRun,
	rejectItem,
	resultsToItems,
} from '../../../../shared/items';

const show = { resource: ['action'], operation: ['execute'] };

export const description: INodeProperties[] = [
	{
		displayName: 'Type',
		name: 'callType',
		type: 'options',
		default: 'function',
		options: [
			{
				name: 'Function',
				value: 'function',
				description:
					'Reads only (e.g. WhoAmI, RetrieveVersion): sent as GET, parameters in the URL',
			},
			{
				name: 'Action',
				value: 'action',
				description: 'May change data (e.g. QualifyLead): sent as POST, parameters in the body',
			},
		],
		displayOptions: { show },
	},
	{
		displayName: 'Name',
		name: 'name',
		type: 'string',
		required: true,
		default: '',
		placeholder: 'WhoAmI',
		description:
			"The function's or action's name as the Web API has it (e.g. WhoAmI, RetrieveVersion, QualifyLead, or a custom API's unique name)",
		displayOptions: { show },
	},
	{
		displayName: 'Bound To',
		name: 'binding',
		type: 'options',
		default: 'unbound',
		options: [
			{ name: 'Nothing (Unbound)', value: 'unbound' },
			{ name: 'A Row', value: 'bound', description: 'E.g. QualifyLead is bound to a lead.' },
		],
		displayOptions: { show },
	},
	{
		displayName: 'Table Name or ID',
		name: 'table',
		type: 'options',
		typeOptions: { loadOptionsMethod: 'getTables' },
		required: true,
		default: '',
		description:
			'The table of the row it is bound to (e.g. leads). Choose from the list, or specify an ID using an <a href="https://docs.n8n.io/code/expressions/">expression</a>.',
		displayOptions: { show: { ...show, binding: ['bound'] } },
	},
	{
		displayName: 'Row ID',
		name: 'recordId',
		type: 'string',
		required: true,
		default: '',
		description: 'ID (GUID) of the row it is bound to',
		displayOptions: { show: { ...show, binding: ['bound'] } },
	},
	{
		displayName: 'Parameters (JSON)',
		name: 'parameters',
		type: 'json',
		default: '{}',
		placeholder:
			'{ "CreateAccount": true, "CreateContact": false, "CreateOpportunity": false, "Status": 3 }',
		description:
			'The parameters by name, as a JSON object. Text is sent as text (quotes and all: a value cannot change the request), numbers and true/false as such; a GUID text as a GUID; lists and objects as JSON.',
		displayOptions: { show },
	},
];

/** The item's parameters: a JSON object (given as text or as an object). */
function parametersOf(value: unknown): Record<string, unknown> | string {
	let parsed = value;
	if (typeof value === 'string') {
		if (value.trim() === '') return {};
		try {
			parsed = JSON.parse(value);
		} catch (error) {
			return `Parameters (JSON) is not valid JSON (${(error as Error).message})`;
		}
	}
	if (parsed === null || parsed === undefined) return {};
	if (typeof parsed !== 'object' || Array.isArray(parsed))
		return 'Parameters (JSON) must be a JSON object: { "Name": value, … }';
	return parsed as Record<string, unknown>;
}

/**
 * Calls one function or action per item, in `$batch`es (functions as GETs with parameter aliases, actions as POSTs
 * each in its own change set); the answer's body is the item's JSON, a failure that item's error.
 */
export async function execute(
	this: IExecuteFunctions,
	items: INodeExecutionData[],
	connector: DynamicsCrm,
): Promise<INodeExecutionData[]> {
	return await perItemRun(this, items.length, async (out) => {
		const inputs: ExecuteInput[] = [];
		const sent: number[] = [];
		for (let i = 0; i < items.length; i++) {
			const parameters = parametersOf(this.getNodeParameter('parameters', i, '{}'));
			if (typeof parameters === 'string') {
				rejectItem(this, out, i, { message: `Item ${i}: ${parameters}`, code: 'INVALID_INPUT' });
				continue;
			}
			const input: ExecuteInput = {
				kind: this.getNodeParameter('callType', i) === 'action' ? 'action' : 'function',
				name: String(this.getNodeParameter('name', i) ?? ''),
				parameters,
			};
			if (this.getNodeParameter('binding', i) === 'bound') {
				const table = String(this.getNodeParameter('table', i));
				let schema;
				try {
					schema = await connector.describe(table);
				} catch (error) {
					rejectItem(this, out, i, {
						...describeError(error),
						message: `Item ${i}: the table "${table}" — ${(error as Error).message}`,
					});
					continue;
				}
				input.bound = {
					set: schema.name,
					id: String(this.getNodeParameter('recordId', i) ?? ''),
				};
			}
			inputs.push(input);
			sent.push(i);
		}
		if (!inputs.length) return;
		const results = await connector.execute(inputs);
		collect(
			out,
			resultsToItems(this, results, sent, (value) => value as IDataObject, 'called'),
		);
	});
}
