import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import type { HubSpotConnector } from '../../../../../core/connectors/hubspot/connector';
import { resultsToItems } from '../../../../shared/items';
import { associationFields } from './shared';

export const description: INodeProperties[] = associationFields('remove', true);

/** Removes every association between pairs of records, 100 pairs per HubSpot batch call. */
export async function execute(
	this: IExecuteFunctions,
	items: INodeExecutionData[],
	connector: HubSpotConnector,
): Promise<INodeExecutionData[]> {
	const groups = new Map<
		string,
		{ from: string; to: string; indexes: number[]; pairs: Array<{ fromId: string; toId: string }> }
	>();
	for (let i = 0; i < items.length; i++) {
		const from = this.getNodeParameter('objectType', i) as string;
		const to = this.getNodeParameter('toObjectType', i) as string;
		const key = JSON.stringify([from, to]);
		const group = groups.get(key) ?? { from, to, indexes: [], pairs: [] };
		group.indexes.push(i);
		group.pairs.push({
			fromId: String(this.getNodeParameter('fromId', i)).trim(),
			toId: String(this.getNodeParameter('toId', i)).trim(),
		});
		groups.set(key, group);
	}
	const out: Array<{ index: number; item: INodeExecutionData }> = [];
	for (const group of groups.values()) {
		const { results } = await connector.removeAssociations(group.from, group.to, group.pairs);
		for (const item of resultsToItems(this, results, group.indexes, (_value, itemIndex) => {
			const pair = group.pairs[group.indexes.indexOf(itemIndex)];
			return {
				fromObjectType: group.from,
				fromId: pair.fromId,
				toObjectType: group.to,
				toId: pair.toId,
				removed: true,
			};
		})) {
			out.push({ index: (item.pairedItem as { item: number }).item, item });
		}
	}
	return out.sort((a, b) => a.index - b.index).map((entry) => entry.item);
}
