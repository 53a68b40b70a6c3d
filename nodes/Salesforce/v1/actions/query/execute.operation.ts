import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import type { SalesforceConnector } from '../../../../../core/connectors/salesforce/connector';

import { bindSoqlParameters } from '../../../../../core/connectors/salesforce/params';
import {
	limitProperties,
	queryParametersProperty,
	readQueryParameters,
	recordJson,
} from '../common';
import { forEachItem } from '../../../../shared/items';

const show = { resource: ['query'], operation: ['execute'] };

export const description: INodeProperties[] = [
	{
		displayName: 'SOQL Query',
		name: 'query',
		type: 'string',
		typeOptions: { rows: 4 },
		default: '',
		required: true,
		placeholder: 'SELECT Id, Name FROM Account WHERE Industry = :industry',
		description:
			'The SOQL query. Use :name placeholders for values (defined under Query Parameters): they are bound safely, never pasted into the text.',
		displayOptions: { show },
	},
	queryParametersProperty(show),
	...limitProperties(show),
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
				name: 'batchSize',
				type: 'number',
				typeOptions: { minValue: 200, maxValue: 2000 },
				default: 2000,
				description: 'Records per page requested from Salesforce (200–2000)',
			},
		],
	},
];

/** Runs a SOQL query per item, reading every page (or up to the limit) as it arrives. */
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
		const returnAll = this.getNodeParameter('returnAll', i, false) as boolean;
		const limit = returnAll ? undefined : (this.getNodeParameter('limit', i, 50) as number);
		const options = this.getNodeParameter('options', i, {}) as {
			includeDeleted?: boolean;
			batchSize?: number;
		};
		// Page by page, the next page requested while this one becomes items.
		for await (const page of connector.queryRecordPages(text, {
			limit,
			includeDeleted: options.includeDeleted,
			batchSize: options.batchSize,
			readAhead: true,
		})) {
			for (const record of page) emit(recordJson(record));
		}
	});
}
