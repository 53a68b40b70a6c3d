import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

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
			'Rows are matched on an alternate key (a one-column key defined on the table) or on the row ID: running an item twice never creates a duplicate. Safe to re-run.',
		name: 'upsertNotice',
		type: 'notice',
		default: '',
		displayOptions: { show: { resource: ['record'], operation: ['upsert'] } },
	},
	fieldsMapper('upsert', 'upsert'),
	writeOptions('upsert'),
];

/**
 * Creates or updates one row per item, matched on an alternate key (`PATCH /{set}({key}='…')`) or the row id,
 * batched through `DynamicsCrm.write`; each result says whether the row was created.
 */
export async function execute(
	this: IExecuteFunctions,
	items: INodeExecutionData[],
	connector: DynamicsCrm,
): Promise<INodeExecutionData[]> {
	return await perItemRun(this, items.length, async (out) => {
		const settings = mapperSettings(this);
		const key = settings.matchingColumns[0];
		if (!key)
			throw new NodeOperationError(
				this.getNode(),
				'No column to match rows on: choose one in Columns → "Columns to match on" (an alternate key, or the row ID)',
				{ description: 'Nothing was written.' },
			);
		const groups: Array<TableWrites & { byId: boolean }> = [];
		for (const [table, indexes] of groupByTable(this, items.length)) {
			const { idField } = await connector.describe(table);
			const byId = key === idField;
			const group = { table, inputs: [], sent: [], values: [], byId } as TableWrites & {
				byId: boolean;
			};
			for (const i of indexes) {
				const fields = mappedValues(this, i, items[i], settings);
				const value = fields[key];
				if (value === undefined || value === null || String(value).trim() === '') {
					rejectItem(this, out, i, {
						message: `Item ${i}: the match column "${key}" is empty — every upserted row needs it`,
						code: 'MISSING_ID',
					});
					continue;
				}
				if (byId) delete fields[key];
				group.inputs.push(byId ? { id: String(value).trim(), fields } : { fields });
				group.sent.push(i);
				group.values.push(fields);
			}
			groups.push(group);
		}
		for (const group of groups)
			await writeTables(this, connector, 'upsert', [group], out, group.byId ? undefined : key);
	});
}
