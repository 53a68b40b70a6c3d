import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import type {
	CreateInput,
	HubSpotConnector,
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
import { collect, perItemRun, resultsToItems } from '../../../../shared/items';

export const description: INodeProperties[] = [
	rerunNotice('create'),
	fieldsMapper('create', 'add'),
	writeOptions('create'),
];

/**
 * Creates one record per item, 100 per HubSpot batch call. When HubSpot's answer is lost (dropped connection, timeout,
 * 5xx), records with a unique property (a contact's email, a property with unique values) are looked up and reported
 * as written, or sent again; the others are reported with code OUTCOME_UNKNOWN (check before re-running them).
 */
export async function execute(
	this: IExecuteFunctions,
	items: INodeExecutionData[],
	connector: HubSpotConnector,
): Promise<INodeExecutionData[]> {
	return await perItemRun(this, items.length, async (out) => {
		const settings = mapperSettings(this);
		const groups: Array<{ objectType: string; indexes: number[]; inputs: CreateInput[] }> = [];
		for (const [objectType, indexes] of groupBy(this, items.length, 'objectType')) {
			groups.push({
				objectType,
				indexes,
				inputs: indexes.map((i) => ({ properties: mappedValues(this, i, items[i], settings) })),
			});
		}
		for (const { objectType, indexes, inputs } of groups) {
			const { results } = await connector.batchCreate(objectType, inputs);
			collect(
				out,
				resultsToItems(this, results, indexes, (value) => objectJson(value)),
			);
		}
	});
}
