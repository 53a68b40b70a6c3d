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
import { perItemRun } from '../../../../shared/items';

export const description: INodeProperties[] = [
	{
		displayName:
			"Rows go out in $batch requests of up to 1,000, each row its own change set: one invalid row fails alone, with Dataverse's message, on the error output. When Dataverse's answer is lost, rows with an alternate key value are looked up and reported as written or sent again; the others are reported with code OUTCOME_UNKNOWN (check those before re-running them).",
		name: 'createNotice',
		type: 'notice',
		default: '',
		displayOptions: { show: { resource: ['record'], operation: ['create'] } },
	},
	fieldsMapper('create', 'add'),
	writeOptions('create'),
];

/** Creates one row per item through `DynamicsCrm.write` ($batch of up to 1,000, one result per item). */
export async function execute(
	this: IExecuteFunctions,
	items: INodeExecutionData[],
	connector: DynamicsCrm,
): Promise<INodeExecutionData[]> {
	return await perItemRun(this, items.length, async (out) => {
		const settings = mapperSettings(this);
		const groups: TableWrites[] = [];
		for (const [table, indexes] of groupByTable(this, items.length)) {
			const values = indexes.map((i) => mappedValues(this, i, items[i], settings));
			groups.push({
				table,
				inputs: values.map((fields) => ({ fields })),
				sent: indexes,
				values,
			});
		}
		await writeTables(this, connector, 'create', groups, out);
	});
}
