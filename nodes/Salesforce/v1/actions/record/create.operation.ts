import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import type { SalesforceConnector } from '../../../../../core/connectors/salesforce/connector';

import { fieldsMapper, mappedFields, objectLocator } from '../common';
import { writeItems } from './write';

const show = { resource: ['record'], operation: ['create'] };

export const description: INodeProperties[] = [
	objectLocator(show),
	fieldsMapper(show, 'getCreateFields', 'add'),
];

/** Creates one record per item, 200 per sObject Collections call. */
export async function execute(
	this: IExecuteFunctions,
	items: INodeExecutionData[],
	connector: SalesforceConnector,
): Promise<INodeExecutionData[]> {
	return await writeItems(
		this,
		connector,
		items,
		'create',
		(i, item, object) => ({ itemIndex: i, object, fields: mappedFields(this, i, item) }),
		'created',
	);
}
