import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import type { DynamicsCrm } from '../../../../../core/connectors/dynamics/crm';
import { groupByTable, type TableWrites, writeOptions, writeTables } from '../common';
import { perItemRun } from '../../../../shared/items';

export const description: INodeProperties[] = [
	{
		displayName: 'Row ID',
		name: 'recordId',
		type: 'string',
		required: true,
		default: '',
		description: 'ID (GUID) of the row to delete',
		displayOptions: { show: { resource: ['record'], operation: ['delete'] } },
	},
	writeOptions('delete'),
];

/** Deletes one row per item, batched through `DynamicsCrm.write` (a missing row fails that item alone). */
export async function execute(
	this: IExecuteFunctions,
	items: INodeExecutionData[],
	connector: DynamicsCrm,
): Promise<INodeExecutionData[]> {
	return await perItemRun(this, items.length, async (out) => {
		const groups: TableWrites[] = [];
		for (const [table, indexes] of groupByTable(this, items.length)) {
			// Ids that are not GUIDs are refused by the connector for that item alone ("not sent: …").
			const inputs = indexes.map((i) => ({
				id: String(this.getNodeParameter('recordId', i) ?? '').trim(),
				fields: {},
			}));
			groups.push({ table, inputs, sent: indexes, values: inputs.map(() => ({})) });
		}
		await writeTables(this, connector, 'delete', groups, out);
	});
}
