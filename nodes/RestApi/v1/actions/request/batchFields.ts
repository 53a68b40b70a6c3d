/** Parameters of "Send Items as One Request": where the array goes, batch size, how results map back. */
import type { INodeProperties } from 'n8n-workflow';

type Show = { operation: string[] };

export function batchFields(show: Show): INodeProperties[] {
	const perItem = { show };
	return [
		{
			displayName: 'Item',
			name: 'itemBody',
			type: 'json',
			default: '={{ $json }}',
			description: 'The JSON of each input item in the array (default: the input item as is)',
			displayOptions: { show },
		},
		{
			displayName: 'Items Path',
			name: 'itemsPath',
			type: 'string',
			default: 'items',
			description:
				'Dot path in the body where the array of items goes (e.g. items or data.records). Empty: the body is the array itself.',
			displayOptions: { show },
		},
		{
			displayName: 'Body Template',
			name: 'bodyTemplate',
			type: 'json',
			default: '{}',
			description:
				'The rest of the body around the array, e.g. {"operation": "create"} (used when Items Path is set)',
			displayOptions: { show },
		},
		{
			displayName: 'Batch Size',
			name: 'batchSize',
			type: 'number',
			typeOptions: { minValue: 1 },
			default: 100,
			description: 'Most items per request (the API’s limit)',
			displayOptions: { show },
		},
		{
			displayName: 'Results Path',
			name: 'resultsPath',
			type: 'string',
			default: '',
			placeholder: 'results',
			description:
				"Dot path of the per-item results array in the answer, when the API answers per item: each item then gets its own result or error. Empty: the whole request's success or failure applies to all its items.",
			displayOptions: { show },
		},
		{
			displayName: 'Match Results By',
			name: 'matchBy',
			type: 'options',
			options: [
				{ name: 'Position in the Results Array', value: 'position' },
				{ name: 'Index Field of Each Result', value: 'indexField' },
			],
			default: 'position',
			displayOptions: perItem,
		},
		{
			displayName: 'Index Field',
			name: 'indexField',
			type: 'string',
			default: 'index',
			description: "Path in each result of the item's position in the request (0-based)",
			displayOptions: { show: { ...perItem.show, matchBy: ['indexField'] } },
		},
		{
			displayName: 'Item Status Path',
			name: 'itemStatusPath',
			type: 'string',
			default: 'status',
			description: 'Path in each result of its HTTP status; 400 or more marks the item failed',
			displayOptions: perItem,
		},
		{
			displayName: 'Item Error Path',
			name: 'itemErrorPath',
			type: 'string',
			default: 'error',
			description:
				'Path in each result of its error; a non-empty value marks the item failed (its message is shown)',
			displayOptions: perItem,
		},
	];
}
