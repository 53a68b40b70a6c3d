import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import type { HubSpotConnector } from '../../../../../core/connectors/hubspot/connector';
import { lastModifiedProperty } from '../../../../../core/connectors/hubspot/connector';
import { nameList, objectJson, perItem, propertiesOption } from '../common';

const show = { resource: ['record'], operation: ['getChanges'] };

export const description: INodeProperties[] = [
	{
		displayName: 'Changed Since',
		name: 'since',
		type: 'string',
		required: true,
		default: '',
		placeholder: '2025-01-01T00:00:00Z',
		description: 'Watermark: records modified at or after this time (ISO 8601 or epoch milliseconds) are returned, oldest first',
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
				displayName: 'Changed Until',
				name: 'until',
				type: 'string',
				default: '',
				description: 'Only changes up to this time (ISO 8601 or epoch milliseconds)',
			},
			{
				displayName: 'Limit',
				name: 'limit',
				type: 'number',
				typeOptions: { minValue: 1 },
				default: 50,
				description: 'Max number of results to return',
			},
			{
				displayName: 'Only New Records',
				name: 'createdOnly',
				type: 'boolean',
				default: false,
				description: 'Whether to return records created since the watermark instead of every modified record',
			},
			propertiesOption(),
		],
	},
];

/**
 * Records changed since a watermark, oldest first (ties by record ID), read past the 10,000-result ceiling. Each item
 * carries `watermark`: the newest change time seen, to store as the next run's "Changed Since".
 */
export async function execute(this: IExecuteFunctions, items: INodeExecutionData[], connector: HubSpotConnector): Promise<INodeExecutionData[]> {
	const out: INodeExecutionData[] = [];
	for (let i = 0; i < items.length; i++) {
		out.push(
			...(await perItem(this, i, async () => {
				const objectType = this.getNodeParameter('objectType', i) as string;
				const since = String(this.getNodeParameter('since', i));
				const options = this.getNodeParameter('options', i, {}) as IDataObject;
				const property = options.createdOnly === true ? 'createdate' : lastModifiedProperty(objectType);
				const records: IDataObject[] = [];
				let cursor: { timestamp: number; ids: string[] } | undefined;
				for await (const page of connector.changesSince(
					objectType,
					{
						since,
						until: (options.until as string) || undefined,
						property,
						properties: nameList(options.properties).length ? nameList(options.properties) : undefined,
						limit: (options.limit as number) || undefined,
					},
					(c) => (cursor = c),
				)) {
					for (const record of page) records.push(objectJson(record));
				}
				const watermark = cursor ? new Date(cursor.timestamp).toISOString() : undefined;
				return records.map((r) => ({ ...r, watermark }));
			})),
		);
	}
	return out;
}
