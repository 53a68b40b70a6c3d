import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import {
	type HubSpotConnector,
	recordIdProblem,
	type UpdateInput,
} from '../../../../../core/connectors/hubspot/connector';
import {
	fieldsMapper,
	groupBy,
	mappedValues,
	mapperSettings,
	objectJson,
	rerunNotice,
	writeOptions,
} from '../common';
import { collect, perItemRun, rejectItem, resultsToItems } from '../../../../shared/items';

export const description: INodeProperties[] = [
	rerunNotice('update'),
	fieldsMapper('update', 'update'),
	writeOptions('update'),
];

/**
 * Updates one record per item, found by record ID or a unique property, 100 per HubSpot batch call. Safe to re-run: an
 * update sets the given values, so a lost answer is retried and the error-output items can be run again.
 */
export async function execute(
	this: IExecuteFunctions,
	items: INodeExecutionData[],
	connector: HubSpotConnector,
): Promise<INodeExecutionData[]> {
	return await perItemRun(this, items.length, async (out) => {
		const settings = mapperSettings(this);
		const match = settings.matchingColumns[0] ?? 'hs_object_id';
		const idProperty = match === 'hs_object_id' ? undefined : match;
		// Every item is checked before anything is written.
		const groups: Array<{ objectType: string; inputs: UpdateInput[]; sent: number[] }> = [];
		for (const [objectType, indexes] of groupBy(this, items.length, 'objectType')) {
			const inputs: UpdateInput[] = [];
			const sent: number[] = [];
			for (const i of indexes) {
				const values = mappedValues(this, i, items[i], settings);
				const key = values[match] ?? (match === 'hs_object_id' ? values.id : undefined);
				const properties = { ...values };
				delete properties[match];
				if (match === 'hs_object_id') delete properties.id;
				const problem = recordIdProblem(key, idProperty);
				if (problem) {
					const what = match === 'hs_object_id' ? 'record ID' : match;
					rejectItem(this, out, i, {
						message: `Item ${i}: ${problem} (the ${what} of the record to update, Fields → "${match}")`,
						code: 'MISSING_ID',
					});
					continue;
				}
				inputs.push({ id: String(key).trim(), properties });
				sent.push(i);
			}
			groups.push({ objectType, inputs, sent });
		}
		for (const { objectType, inputs, sent } of groups) {
			if (inputs.length === 0) continue;
			const { results } = await connector.batchUpdate(objectType, inputs, { idProperty });
			collect(
				out,
				resultsToItems(this, results, sent, (value) => objectJson(value)),
			);
		}
	});
}
