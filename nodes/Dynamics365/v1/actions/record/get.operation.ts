import type {
	IDataObject,
	IExecuteFunctions,
	INodeExecutionData,
	INodeProperties,
} from 'n8n-workflow';

import type { DynamicsCrm } from '../../../../../core/connectors/dynamics/crm';
import { groupByTable, nameList, recordJson, selectOption } from '../common';
import { collect, perItemRun, rejectItem, toItems } from '../../../../shared/items';

const show = { resource: ['record'], operation: ['get'] };

export const description: INodeProperties[] = [
	{
		displayName: 'Row ID',
		name: 'recordId',
		type: 'string',
		required: true,
		default: '',
		description: 'ID (GUID) of the row to get',
		displayOptions: { show },
	},
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add option',
		default: {},
		displayOptions: { show },
		options: [selectOption],
	},
];

/** Reads one row per item by id, up to 100 ids per request (`Microsoft.Dynamics.CRM.In`); a missing row fails alone. */
export async function execute(
	this: IExecuteFunctions,
	items: INodeExecutionData[],
	connector: DynamicsCrm,
): Promise<INodeExecutionData[]> {
	return await perItemRun(this, items.length, async (out) => {
		const select = nameList((this.getNodeParameter('options', 0, {}) as IDataObject).select);
		for (const [table, indexes] of groupByTable(this, items.length)) {
			const ids = indexes.map((i) => String(this.getNodeParameter('recordId', i) ?? '').trim());
			const records = await connector.getByIds(table, ids, select.length ? select : undefined);
			indexes.forEach((i, k) => {
				const record = records[k];
				if (record) collect(out, toItems(recordJson(record), i));
				else
					rejectItem(this, out, i, {
						message: `Item ${i}: no row with ID "${ids[k]}" in ${table}`,
						code: 'NOT_FOUND',
					});
			});
		}
	});
}
