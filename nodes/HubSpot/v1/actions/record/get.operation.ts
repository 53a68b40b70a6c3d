import type {
	IDataObject,
	IExecuteFunctions,
	INodeExecutionData,
	INodeProperties,
} from 'n8n-workflow';

import type { HubSpotConnector } from '../../../../../core/connectors/hubspot/connector';
import { groupBy, nameList, objectJson, propertiesOption } from '../common';
import { perItem, resultsToItems } from '../../../../shared/items';
import { describeHubSpotItemError } from '../../../../shared/hubspot/errors';

const show = { resource: ['record'], operation: ['get'] };

export const description: INodeProperties[] = [
	{
		displayName: 'Record ID',
		name: 'recordId',
		type: 'string',
		required: true,
		default: '',
		description: 'The record ID, or the value of the unique property set in Options → Match On',
		displayOptions: { show },
	},
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add option',
		default: {},
		displayOptions: { show },
		options: [
			{
				displayName: 'Associated Objects',
				name: 'associations',
				type: 'string',
				default: '',
				placeholder: 'companies, deals',
				description: 'Object types whose associated record IDs to include (comma-separated)',
			},
			{
				displayName: 'Include Archived',
				name: 'archived',
				type: 'boolean',
				default: false,
				description: 'Whether to return the record even if it is archived (deleted)',
			},
			{
				displayName: 'Match On',
				name: 'idProperty',
				type: 'string',
				default: '',
				placeholder: 'email',
				description: 'A unique property to find the record by instead of its ID (e.g. email)',
			},
			propertiesOption(),
		],
	},
];

/** Reads one record per item: 100 per batch read call, or one call per item when associations are asked for. */
export async function execute(
	this: IExecuteFunctions,
	items: INodeExecutionData[],
	connector: HubSpotConnector,
): Promise<INodeExecutionData[]> {
	const out: Array<{ index: number; item: INodeExecutionData }> = [];
	for (const [objectType, indexes] of groupBy(this, items.length, 'objectType')) {
		const withAssociations: number[] = [];
		const batched = new Map<
			string,
			{
				ids: string[];
				indexes: number[];
				properties: string[];
				idProperty?: string;
				archived: boolean;
			}
		>();
		for (const i of indexes) {
			const options = this.getNodeParameter('options', i, {}) as IDataObject;
			if (nameList(options.associations).length > 0) {
				withAssociations.push(i);
				continue;
			}
			const properties = nameList(options.properties);
			const idProperty = (options.idProperty as string) || undefined;
			const archived = options.archived === true;
			const key = JSON.stringify([properties, idProperty, archived]);
			const group = batched.get(key) ?? { ids: [], indexes: [], properties, idProperty, archived };
			group.ids.push(String(this.getNodeParameter('recordId', i)).trim());
			group.indexes.push(i);
			batched.set(key, group);
		}
		for (const group of batched.values()) {
			const { results } = await connector.batchRead(objectType, group.ids, {
				properties: group.properties,
				idProperty: group.idProperty,
			});
			for (const item of resultsToItems(this, results, group.indexes, (value) =>
				objectJson(value),
			)) {
				out.push({ index: (item.pairedItem as { item: number }).item, item });
			}
		}
		for (const i of withAssociations) {
			const options = this.getNodeParameter('options', i, {}) as IDataObject;
			const produced = await perItem(
				this,
				i,
				async () =>
					objectJson(
						await connector.getRecord(
							objectType,
							String(this.getNodeParameter('recordId', i)).trim(),
							{
								properties: nameList(options.properties),
								idProperty: (options.idProperty as string) || undefined,
								associations: nameList(options.associations),
								archived: options.archived === true,
							},
						),
					),
				describeHubSpotItemError,
			);
			for (const item of produced) out.push({ index: i, item });
		}
	}
	return out.sort((a, b) => a.index - b.index).map((entry) => entry.item);
}
