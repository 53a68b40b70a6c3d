import type {
	IDataObject,
	IExecuteFunctions,
	INodeExecutionData,
	INodeProperties,
} from 'n8n-workflow';

import type { HubSpotConnector } from '../../../../../core/connectors/hubspot/connector';
import type { HubSpotProperty } from '../../../../../core/connectors/hubspot/types';
import { perItem } from '../../../../shared/items';
import { describeHubSpotItemError } from '../../../../shared/hubspot/errors';
import { definitionBody, definitionFields } from './shared';

const show = { resource: ['property'], operation: ['update'] };

export const description: INodeProperties[] = [
	{
		displayName: 'Property Name or ID',
		name: 'propertyName',
		type: 'options',
		typeOptions: { loadOptionsMethod: 'getProperties', loadOptionsDependsOn: ['objectType'] },
		required: true,
		default: '',
		description:
			'Choose from the list, or specify an ID using an <a href="https://docs.n8n.io/code/expressions/">expression</a>',
		displayOptions: { show },
	},
	{
		displayName: 'Update Fields',
		name: 'updateFields',
		type: 'collection',
		placeholder: 'Add field',
		default: {},
		displayOptions: { show },
		options: definitionFields(),
	},
];

/** Updates a property definition (label, description, group, options). */
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
					const name = String(this.getNodeParameter('propertyName', i));
					const body = definitionBody(
						this,
						this.getNodeParameter('updateFields', i, {}) as IDataObject,
						i,
					);
					return (await connector.updateProperty(
						objectType,
						name,
						body as Partial<HubSpotProperty>,
					)) as unknown as IDataObject;
				},
				describeHubSpotItemError,
			)),
		);
	}
	return out;
}
