import type {
	IDataObject,
	IExecuteFunctions,
	INodeExecutionData,
	INodeProperties,
} from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import type { HubSpotConnector } from '../../../../../core/connectors/hubspot/connector';
import type { HubSpotProperty } from '../../../../../core/connectors/hubspot/types';
import { perItem } from '../../../../shared/items';
import { describeHubSpotItemError } from '../../../../shared/hubspot/errors';
import { definitionBody, definitionFields, PROPERTY_TYPES } from './shared';

const show = { resource: ['property'], operation: ['create'] };

export const description: INodeProperties[] = [
	{
		displayName: 'Name',
		name: 'name',
		type: 'string',
		required: true,
		default: '',
		placeholder: 'favorite_color',
		description: 'Internal name: lower case letters, digits and underscores',
		displayOptions: { show },
	},
	{
		displayName: 'Label',
		name: 'label',
		type: 'string',
		required: true,
		default: '',
		displayOptions: { show },
	},
	{
		displayName: 'Type',
		name: 'propertyType',
		type: 'options',
		options: PROPERTY_TYPES,
		default: 'string:text',
		displayOptions: { show },
	},
	{
		displayName: 'Additional Fields',
		name: 'additionalFields',
		type: 'collection',
		placeholder: 'Add field',
		default: {},
		displayOptions: { show },
		options: definitionFields().filter((f) => f.name !== 'label'),
	},
];

/** Creates a property on an object. */
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
					const name = String(this.getNodeParameter('name', i)).trim();
					if (!/^[a-z][a-z0-9_]*$/.test(name)) {
						throw new NodeOperationError(
							this.getNode(),
							`Property name "${name}" is invalid: use lower case letters, digits and underscores, starting with a letter`,
							{ itemIndex: i },
						);
					}
					const [type, fieldType] = String(this.getNodeParameter('propertyType', i)).split(':');
					const body = definitionBody(
						this,
						this.getNodeParameter('additionalFields', i, {}) as IDataObject,
						i,
					);
					const created = await connector.createProperty(objectType, {
						...(body as Partial<HubSpotProperty>),
						name,
						label: String(this.getNodeParameter('label', i)),
						type,
						fieldType,
					});
					return created as unknown as IDataObject;
				},
				describeHubSpotItemError,
			)),
		);
	}
	return out;
}
