import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import type { DynamicsCrm } from '../../../../../core/connectors/dynamics/crm';
import {
	fieldsMapper,
	groupByTable,
	mappedValues,
	mapperSettings,
	type TableWrites,
	writeOptions,
	writeTables,
} from '../common';
import { perItemRun, rejectItem } from '../../../../shared/items';

export const description: INodeProperties[] = [
	{
		displayName:
			'Rows are found by their ID (the primary key column, e.g. contactid); a row that does not exist fails alone (never created). Safe to re-run.',
		name: 'updateNotice',
		type: 'notice',
		default: '',
		displayOptions: { show: { resource: ['record'], operation: ['update'] } },
	},
	fieldsMapper('update', 'update'),
	writeOptions('update'),
];

/** Updates one row per item by its id (`If-Match: *`: a missing row is an error), batched through `DynamicsCrm.write`. */
export async function execute(
	this: IExecuteFunctions,
	items: INodeExecutionData[],
	connector: DynamicsCrm,
): Promise<INodeExecutionData[]> {
	return await perItemRun(this, items.length, async (out) => {
		const settings = mapperSettings(this);
		const groups: TableWrites[] = [];
		for (const [table, indexes] of groupByTable(this, items.length)) {
			const { idField } = await connector.describe(table);
			const group: TableWrites = { table, inputs: [], sent: [], values: [] };
			for (const i of indexes) {
				const fields = mappedValues(this, i, items[i], settings);
				const id = fields[idField] ?? fields.id;
				delete fields[idField];
				delete fields.id;
				if (typeof id !== 'string' || id.trim() === '') {
					rejectItem(this, out, i, {
						message: `Item ${i}: no row ID — set the column "${idField}" (Columns) to the ID of the row to update`,
						code: 'MISSING_ID',
					});
					continue;
				}
				group.inputs.push({ id: id.trim(), fields });
				group.sent.push(i);
				group.values.push(fields);
			}
			groups.push(group);
		}
		await writeTables(this, connector, 'update', groups, out);
	});
}
