import type {
	IDataObject,
	IExecuteFunctions,
	INodeExecutionData,
	INodeProperties,
} from 'n8n-workflow';

import type { HubSpotConnector } from '../../../../../core/connectors/hubspot/connector';
import { perItem } from '../../../../shared/items';
import { describeHubSpotItemError } from '../../../../shared/hubspot/errors';

export const description: INodeProperties[] = [
	{
		displayName: 'Include Archived',
		name: 'archived',
		type: 'boolean',
		default: false,
		description: 'Whether to list archived properties instead of active ones',
		displayOptions: { show: { resource: ['property'], operation: ['getAll'] } },
	},
];

/** Lists the property definitions of an object, one item per property. */
export async function execute(
	this: IExecuteFunctions,
	items: INodeExecutionData[],
	connector: HubSpotConnector,
): Promise<INodeExecutionData[]> {
	const out: INodeExecutionData[] = [];
	for (let i = 0; i < items.length; i++) {
		out.push(
			...(await perItem(
				this,
				i,
				async () => {
					const objectType = this.getNodeParameter('objectType', i) as string;
					const properties = await connector.getProperties(objectType, {
						archived: this.getNodeParameter('archived', i, false) as boolean,
					});
					return properties as unknown as IDataObject[];
				},
				describeHubSpotItemError,
			)),
		);
	}
	return out;
}
