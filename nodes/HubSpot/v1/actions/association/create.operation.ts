import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import type { HubSpotConnector } from '../../../../../core/connectors/hubspot/connector';
import { resultsToItems } from '../../../../shared/items';
import { associationFields } from './shared';

export const description: INodeProperties[] = [
	...associationFields('create', true),
	{
		displayName: 'Label Name or ID',
		name: 'label',
		type: 'options',
		typeOptions: {
			loadOptionsMethod: 'getAssociationLabels',
			loadOptionsDependsOn: ['objectType', 'toObjectType'],
		},
		default: 'default',
		description:
			'Choose from the list, or specify an ID using an <a href="https://docs.n8n.io/code/expressions/">expression</a>',
		hint: 'HubSpot\'s default association, or a label defined between the two objects; as an expression: "default" or "USER_DEFINED:<type ID>"',
		displayOptions: { show: { resource: ['association'], operation: ['create'] } },
	},
];

function parseLabel(
	ctx: IExecuteFunctions,
	value: string,
	itemIndex: number,
): { associationTypeId: number; associationCategory: string } | undefined {
	if (!value || value === 'default') return undefined;
	const m = /^(?:(HUBSPOT_DEFINED|USER_DEFINED|INTEGRATOR_DEFINED):)?(\d+)$/.exec(value.trim());
	if (!m) {
		throw new NodeOperationError(
			ctx.getNode(),
			`Label "${value}" is not "default" or "<category>:<type ID>" (e.g. USER_DEFINED:1001)`,
			{ itemIndex },
		);
	}
	return { associationCategory: m[1] ?? 'USER_DEFINED', associationTypeId: Number(m[2]) };
}

/** Associates records, 100 pairs per HubSpot batch call (per object pair and label). */
export async function execute(
	this: IExecuteFunctions,
	items: INodeExecutionData[],
	connector: HubSpotConnector,
): Promise<INodeExecutionData[]> {
	const groups = new Map<
		string,
		{
			from: string;
			to: string;
			label: string;
			indexes: number[];
			pairs: Array<{ fromId: string; toId: string }>;
		}
	>();
	for (let i = 0; i < items.length; i++) {
		const from = this.getNodeParameter('objectType', i) as string;
		const to = this.getNodeParameter('toObjectType', i) as string;
		const label = String(this.getNodeParameter('label', i, 'default'));
		const key = JSON.stringify([from, to, label]);
		const group = groups.get(key) ?? { from, to, label, indexes: [], pairs: [] };
		group.indexes.push(i);
		group.pairs.push({
			fromId: String(this.getNodeParameter('fromId', i)).trim(),
			toId: String(this.getNodeParameter('toId', i)).trim(),
		});
		groups.set(key, group);
	}
	const out: Array<{ index: number; item: INodeExecutionData }> = [];
	for (const group of groups.values()) {
		const type = parseLabel(this, group.label, group.indexes[0]);
		const { results } = await connector.associate(group.from, group.to, group.pairs, type);
		for (const item of resultsToItems(this, results, group.indexes, (_value, itemIndex) => {
			const pair = group.pairs[group.indexes.indexOf(itemIndex)];
			return {
				fromObjectType: group.from,
				fromId: pair.fromId,
				toObjectType: group.to,
				toId: pair.toId,
				label: group.label,
				associated: true,
			};
		})) {
			out.push({ index: (item.pairedItem as { item: number }).item, item });
		}
	}
	return out.sort((a, b) => a.index - b.index).map((entry) => entry.item);
}
