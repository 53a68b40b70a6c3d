import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import type { HubSpotConnector } from '../../../../../core/connectors/hubspot/connector';
import { fieldsMapper, groupBy, mappedValues, mapperSettings, objectJson, resultsToItems } from '../common';

export const description: INodeProperties[] = [fieldsMapper('create', 'add')];

/** Creates one record per item, 100 per HubSpot batch call. */
export async function execute(this: IExecuteFunctions, items: INodeExecutionData[], connector: HubSpotConnector): Promise<INodeExecutionData[]> {
	const settings = mapperSettings(this);
	const out: INodeExecutionData[] = [];
	for (const [objectType, indexes] of groupBy(this, items.length, 'objectType')) {
		const inputs = indexes.map((i) => ({ properties: mappedValues(this, i, items[i], settings) }));
		const { results } = await connector.batchCreate(objectType, inputs);
		out.push(...resultsToItems(this, results, indexes, (value) => objectJson(value)));
	}
	return out;
}
