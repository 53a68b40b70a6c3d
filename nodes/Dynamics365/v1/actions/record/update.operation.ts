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
			'Match By: in Columns, choose the column to match on — the row ID (e.g. contactid) or an alternate key of the table (e.g. emailaddress1). A row that does not exist fails alone on the error output: Update never creates rows. Rows go out in $batch requests of up to 1,000. Safe to re-run.',
		name: 'updateNotice',
		type: 'notice',
		default: '',
		displayOptions: { show: { resource: ['record'], operation: ['update'] } },
	},
	fieldsMapper('update', 'update'),
	writeOptions('update'),
];

/**
 * Updates one row per item, found by its id or by a one-column alternate key (the mapper's column to match on), with
 * `If-Match: *` (a missing row is that item's error, never a create), batched through `DynamicsCrm.write`.
 */
export async function execute(
	this: IExecuteFunctions,
	items: INodeExecutionData[],
	connector: DynamicsCrm,
): Promise<INodeExecutionData[]> {
	return await perItemRun(this, items.length, async (out) => {
		const settings = mapperSettings(this);
		for (const [table, indexes] of groupByTable(this, items.length)) {
			const { idField } = await connector.describe(table);
			const match = settings.matchingColumns[0];
			const key = match && match !== idField && match !== 'id' ? match : undefined;
			const group: TableWrites = { table, inputs: [], sent: [], values: [] };
			for (const i of indexes) {
				const fields = mappedValues(this, i, items[i], settings);
				if (key) {
					const value = fields[key];
					if (value === undefined || value === null || String(value).trim() === '') {
						rejectItem(this, out, i, {
							message: `Item ${i}: the match column "${key}" is empty — set it (Columns) to the key value of the row to update`,
							code: 'MISSING_KEY',
						});
						continue;
					}
					group.inputs.push({ fields });
				} else {
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
				}
				group.sent.push(i);
				group.values.push(group.inputs[group.inputs.length - 1].fields ?? {});
			}
			await writeTables(this, connector, 'update', [group], out, key);
		}
	});
}
