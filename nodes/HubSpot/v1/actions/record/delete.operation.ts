import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import {
	type HubSpotConnector,
	recordIdProblem,
} from '../../../../../core/connectors/hubspot/connector';
import { groupBy, rerunNotice, writeOptions } from '../common';
import { collect, perItemRun, rejectItem, resultsToItems } from '../../../../shared/items';

export const description: INodeProperties[] = [
	rerunNotice('delete'),
	{
		displayName: 'Record ID',
		name: 'recordId',
		type: 'string',
		required: true,
		default: '',
		description: 'ID of the record to delete (archive)',
		displayOptions: { show: { resource: ['record'], operation: ['delete'] } },
	},
	writeOptions('delete'),
];

/** Archives one record per item, 100 per HubSpot batch archive call. Safe to re-run: archiving twice changes nothing. */
export async function execute(
	this: IExecuteFunctions,
	items: INodeExecutionData[],
	connector: HubSpotConnector,
): Promise<INodeExecutionData[]> {
	return await perItemRun(this, items.length, async (out) => {
		const groups: Array<{ objectType: string; ids: string[]; sent: number[] }> = [];
		for (const [objectType, indexes] of groupBy(this, items.length, 'objectType')) {
			const ids: string[] = [];
			const sent: number[] = [];
			for (const i of indexes) {
				const id = String(this.getNodeParameter('recordId', i) ?? '').trim();
				const problem = recordIdProblem(id);
				if (problem) {
					rejectItem(this, out, i, {
						message: `Item ${i}: ${problem} (Record ID)`,
						code: 'INVALID_ID',
					});
					continue;
				}
				ids.push(id);
				sent.push(i);
			}
			groups.push({ objectType, ids, sent });
		}
		for (const { objectType, ids, sent } of groups) {
			if (ids.length === 0) continue;
			const { results } = await connector.batchArchive(objectType, ids);
			collect(
				out,
				resultsToItems(this, results, sent, (value) => ({ id: value.id, deleted: true })),
			);
		}
	});
}
