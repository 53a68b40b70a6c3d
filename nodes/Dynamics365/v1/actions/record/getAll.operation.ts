import type {
	IDataObject,
	IExecuteFunctions,
	INodeExecutionData,
	INodeProperties,
} from 'n8n-workflow';

import type { DynamicsCrm } from '../../../../../core/connectors/dynamics/crm';
import { dataverseRecord, selectList } from '../../../../../core/connectors/dynamics/records';
import { limitProperties } from '../../../../shared/descriptions';
import { perItem } from '../../../../shared/items';
import { nameList, recordJson, selectOption } from '../common';

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
				displayName: 'Filter (OData)',
				name: 'filter',
				type: 'string',
				default: '',
				placeholder: "statecode eq 0 and contains(emailaddress1,'@contoso.com')",
				description:
					'An OData $filter expression over the logical names of the columns (lookups as _name_value), sent as written',
			},
			selectOption,
		],
	},
];

/**
 * Lists the rows of the table page by page (`@odata.nextLink`, 5,000 a page, fewer when the limit is smaller):
 * each page is turned into items as it arrives, and reading stops at the limit.
 */
export async function execute(
	this: IExecuteFunctions,
	items: INodeExecutionData[],
	connector: DynamicsCrm,
): Promise<INodeExecutionData[]> {
	const out: INodeExecutionData[] = [];
	for (let i = 0; i < items.length; i++) {
		const table = String(this.getNodeParameter('table', i));
		const returnAll = this.getNodeParameter('returnAll', i) as boolean;
		const limit = returnAll ? Infinity : (this.getNodeParameter('limit', i) as number);
		const options = this.getNodeParameter('options', i, {}) as IDataObject;
		out.push(
			...(await perItem(this, i, async () => {
				const schema = await connector.describe(table);
				const select = nameList(options.select);
				const filter = typeof options.filter === 'string' ? options.filter.trim() : '';
				const rows: IDataObject[] = [];
				for await (const page of connector.client.pages(schema.name, {
					query: {
						$select: selectList(schema, select.length ? select : undefined),
						...(filter ? { $filter: filter } : {}),
					},
					maxPageSize: Number.isFinite(limit) ? Math.min(limit, 5000) : undefined,
				})) {
					for (const row of page.value ?? []) {
						if (rows.length >= limit) break;
						rows.push(recordJson(dataverseRecord(schema, row)));
					}
					if (rows.length >= limit) break;
				}
				return rows;
			})),
		);
	}
	return out;
}
