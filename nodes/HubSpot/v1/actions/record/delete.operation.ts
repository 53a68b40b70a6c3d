import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import type { HubSpotConnector } from '../../../../../core/connectors/hubspot/connector';
import { groupBy, resultsToItems } from '../common';

export const description: INodeProperties[] = [
	{
		displayName: 'Record ID',
		name: 'recordId',
		type: 'string',
		required: true,
		default: '',
		description: 'ID of the record to delete (archive)',
		displayOptions: { show: { resource: ['record'], operation: ['delete'] } },
	},
];

/** Archives one record per item, 100 per HubSpot batch archive call. */
export async function execute(this: IExecuteFunctions, items: INodeExecutionData[], connector: HubSpotConnector): Promise<INodeExecutionData[]> {
	const out: Array<{ index: number; item: INodeExecutionData }> = [];
	for (const [objectType, indexes] of groupBy(this, items.length, 'objectType')) {
		const ids = indexes.map((i) => String(this.getNodeParameter('recordId', i)).trim());
		const { results } = await connector.batchArchive(objectType, ids);
		for (const item of resultsToItems(this, results, indexes, (value) => ({ id: value.id, deleted: true }))) {
			out.push({ index: (item.pairedItem as { item: number }).item, item });
		}
	}
	return out.sort((a, b) => a.index - b.index).map((entry) => entry.item);
}
