import type {
	IDataObject,
	IExecuteFunctions,
	INodeExecutionData,
	INodeProperties,
} from 'n8n-workflow';

import type { HubSpotConnector } from '../../../../../core/connectors/hubspot/connector';
import { limitProperties } from '../../../../shared/descriptions';
import { nameList, objectJson, propertiesOption } from '../common';
import { perItem } from '../../../../shared/items';
import { describeHubSpotItemError } from '../../../../shared/hubspot/errors';

const show = { resource: ['record'], operation: ['getAll'] };

export const description: INodeProperties[] = [
	...limitProperties(show),
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add option',
		default: {},
		displayOptions: { show },
		options: [
			{
				displayName: 'Archived Only',
				name: 'archived',
				type: 'boolean',
				default: false,
				description: 'Whether to list archived (deleted) records instead of active ones',
			},
			propertiesOption(),
		],
	},
];

/** Lists records page by page (100 per call). */
export async function execute(
	this: IExecuteFunctions,
	items: INodeExecutionData[],
	connector: HubSpotConnector,
): Promise<INodeExecutionData[]> {
	const out: INodeExecutionData[] = [];
	for (let i = 0; i < items.length; i++) {
		const objectType = this.getNodeParameter('objectType', i) as string;
		const returnAll = this.getNodeParameter('returnAll', i) as boolean;
		const limit = returnAll ? undefined : (this.getNodeParameter('limit', i) as number);
		const options = this.getNodeParameter('options', i, {}) as IDataObject;
		out.push(
			...(await perItem(
				this,
				i,
				async () => {
					const records: IDataObject[] = [];
					for await (const page of connector.listRecords(objectType, {
						properties: nameList(options.properties),
						archived: options.archived === true,
						limit,
					})) {
						for (const record of page) records.push(objectJson(record));
					}
					return records;
				},
				describeHubSpotItemError,
			)),
		);
	}
	return out;
}
