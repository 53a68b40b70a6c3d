import type {
	IDataObject,
	IExecuteFunctions,
	INodeExecutionData,
	INodeProperties,
} from 'n8n-workflow';
import type { SalesforceConnector } from '../../../../../core/connectors/salesforce/connector';

import { toNodeError } from '../../../../shared/items';

const show = { resource: ['metadata'], operation: ['listObjects'] };

export const description: INodeProperties[] = [
	{
		displayName: 'Filters',
		name: 'filters',
		type: 'collection',
		placeholder: 'Add Filter',
		default: {},
		displayOptions: { show },
		options: [
			{
				displayName: 'Custom Objects Only',
				name: 'customOnly',
				type: 'boolean',
				default: false,
				description: 'Whether to list only custom objects (__c)',
			},
			{
				displayName: 'Queryable Only',
				name: 'queryableOnly',
				type: 'boolean',
				default: true,
				description: 'Whether to list only objects that can be queried',
			},
		],
	},
];

/** Lists the org's objects (describeGlobal), one item each. */
export async function execute(
	this: IExecuteFunctions,
	_items: INodeExecutionData[],
	connector: SalesforceConnector,
): Promise<INodeExecutionData[]> {
	try {
		const filters = this.getNodeParameter('filters', 0, {}) as {
			customOnly?: boolean;
			queryableOnly?: boolean;
		};
		const objects = await connector.listObjects();
		return objects
			.filter(
				(o) =>
					(!filters.customOnly || o.custom) && (filters.queryableOnly === false || o.queryable),
			)
			.map((o) => ({ json: o as IDataObject, pairedItem: { item: 0 } }));
	} catch (error) {
		throw toNodeError(this, error, 0);
	}
}
