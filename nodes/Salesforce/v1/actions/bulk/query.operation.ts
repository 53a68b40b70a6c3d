import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import type { SalesforceConnector } from '../../../../../core/connectors/salesforce/connector';

import { bindSoqlParameters } from '../../../../../core/connectors/salesforce/params';
import { queryParametersProperty, readQueryParameters } from '../common';
import { forEachItem } from '../../../../shared/items';

const show = { resource: ['bulk'], operation: ['query'] };

export const description: INodeProperties[] = [
	{
		displayName: 'SOQL Query',
		name: 'query',
		type: 'string',
		typeOptions: { rows: 4 },
		default: '',
		required: true,
		placeholder: 'SELECT Id, Email FROM Contact WHERE CreatedDate > :since',
		description:
			'The SOQL query for a Bulk API 2.0 query job (for large extracts). Use :name placeholders for values.',
		displayOptions: { show },
	},
	queryParametersProperty(show),
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		displayOptions: { show },
		options: [
			{
				displayName: 'Include Deleted (queryAll)',
				name: 'includeDeleted',
				type: 'boolean',
				default: false,
				description: 'Whether to include deleted and archived records',
			},
			{
				displayName: 'Page Size',
				name: 'pageSize',
				type: 'number',
				typeOptions: { minValue: 1 },
				default: 50000,
				description: 'Records per results page (maxRecords)',
			},
		],
	},
];

/** Runs a Bulk API 2.0 query job per item and reads its results page by page (Sforce-Locator). */
export async function execute(
	this: IExecuteFunctions,
	items: INodeExecutionData[],
	connector: SalesforceConnector,
): Promise<INodeExecutionData[]> {
	return await forEachItem(this, items, async (i, emit) => {
		const text = bindSoqlParameters(
			String(this.getNodeParameter('query', i)),
			readQueryParameters(this, i),
		);
		const options = this.getNodeParameter('options', i, {}) as {
			includeDeleted?: boolean;
			pageSize?: number;
		};
		for await (const page of connector
			.bulk()
			.query(text, { includeDeleted: options.includeDeleted, pageSize: options.pageSize })) {
			for (const record of page) emit(record);
		}
	});
}
