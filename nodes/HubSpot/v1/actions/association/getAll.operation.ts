import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import type { HubSpotConnector } from '../../../../../core/connectors/hubspot/connector';
import { resultsToItems } from '../../../../shared/items';
import { associationFields } from './shared';

export const description: INodeProperties[] = associationFields('getAll', false);

/** Lists the records associated with each item's record (batch read, 100 records per call); one item per association. */
export async function execute(
	this: IExecuteFunctions,
	items: INodeExecutionData[],
	connector: HubSpotConnector,
): Promise<INodeExecutionData[]> {
	const groups = new Map<string, { from: string; to: string; indexes: number[]; ids: string[] }>();
	for (let i = 0; i < items.length; i++) {
		const from = this.getNodeParameter('objectType', i) as string;
		const to = this.getNodeParameter('toObjectType', i) as string;
		const key = JSON.stringify([from, to]);
		const group = groups.get(key) ?? { from, to, indexes: [], ids: [] };
		group.indexes.push(i);
		group.ids.push(String(this.getNodeParameter('fromId', i)).trim());
		groups.set(key, group);
	}
	const out: Array<{ index: number; item: INodeExecutionData }> = [];
	for (const group of groups.values()) {
		const { results } = await connector.listAssociations(group.from, group.to, group.ids);
		for (const item of resultsToItems(this, results, group.indexes, (records, itemIndex) =>
			records.map((r) => ({
				fromObjectType: group.from,
				fromId: group.ids[group.indexes.indexOf(itemIndex)],
				toObjectType: group.to,
				toId: String(r.toObjectId),
				labels: r.associationTypes.map((t) => t.label ?? null),
				associationTypes: r.associationTypes.map((t) => ({
					category: t.category,
					typeId: t.typeId,
					label: t.label ?? null,
				})),
			})),
		)) {
			out.push({ index: (item.pairedItem as { item: number }).item, item });
		}
	}
	return out.sort((a, b) => a.index - b.index).map((entry) => entry.item);
}
