import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import type { SalesforceConnector } from '../../../../../core/connectors/salesforce/connector';
import { NodeOperationError } from 'n8n-workflow';

import { soqlIdentifier } from '../../../../../core/query/soql';
import { fieldsMapper, mappedFields, matchingColumn, objectLocator } from '../common';
import { writeItems } from './write';

const show = { resource: ['record'], operation: ['upsert'] };

export const description: INodeProperties[] = [
	objectLocator(show),
	fieldsMapper(show, 'getUpsertFields', 'upsert', {
		title: 'External ID Field',
		description:
			'The field that identifies the record: an existing record with this value is updated, otherwise one is created',
		hint: 'Only external ID fields (and Id) can be used',
	}),
];

/** Upserts one record per item by an external ID field, 200 per sObject Collections call; running it twice creates nothing new. */
export async function execute(
	this: IExecuteFunctions,
	items: INodeExecutionData[],
	connector: SalesforceConnector,
): Promise<INodeExecutionData[]> {
	return await writeItems(
		this,
		connector,
		items,
		'upsert',
		(i, item, object) => {
			const externalIdField = soqlIdentifier(matchingColumn(this, i, ''));
			const fields = mappedFields(this, i, item);
			const key = fields[externalIdField];
			if (key === undefined || key === null || key === '') {
				throw new NodeOperationError(
					this.getNode(),
					`Item ${i} has no value for the external ID field ${externalIdField}`,
					{ itemIndex: i },
				);
			}
			return { itemIndex: i, object, externalIdField, fields };
		},
		'upserted',
	);
}
