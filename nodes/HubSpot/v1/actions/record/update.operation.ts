import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import type { HubSpotConnector, UpdateInput } from '../../../../../core/connectors/hubspot/connector';
import { errorItem, fieldsMapper, groupBy, mappedValues, mapperSettings, objectJson, resultsToItems } from '../common';

export const description: INodeProperties[] = [fieldsMapper('update', 'update')];

/** Updates one record per item, found by record ID or a unique property, 100 per HubSpot batch call. */
export async function execute(this: IExecuteFunctions, items: INodeExecutionData[], connector: HubSpotConnector): Promise<INodeExecutionData[]> {
	const settings = mapperSettings(this);
	const match = settings.matchingColumns[0] ?? 'hs_object_id';
	const idProperty = match === 'hs_object_id' ? undefined : match;
	const out: Array<{ index: number; item: INodeExecutionData }> = [];
	for (const [objectType, indexes] of groupBy(this, items.length, 'objectType')) {
		const inputs: UpdateInput[] = [];
		const sent: number[] = [];
		for (const i of indexes) {
			const values = mappedValues(this, i, items[i], settings);
			const key = values[match] ?? (match === 'hs_object_id' ? values.id : undefined);
			const properties = { ...values };
			delete properties[match];
			if (match === 'hs_object_id') delete properties.id;
			if (key === undefined || key === null || String(key).trim() === '') {
				const error = { message: `Item ${i}: "${match}" is empty — give the ${match === 'hs_object_id' ? 'record ID' : match} of the record to update`, code: 'MISSING_ID' };
				if (!this.continueOnFail()) throw new NodeOperationError(this.getNode(), error.message, { itemIndex: i });
				out.push({ index: i, item: errorItem(error, i) });
				continue;
			}
			inputs.push({ id: String(key).trim(), properties });
			sent.push(i);
		}
		const { results } = await connector.batchUpdate(objectType, inputs, { idProperty });
		for (const item of resultsToItems(this, results, sent, (value) => objectJson(value))) {
			out.push({ index: (item.pairedItem as { item: number }).item, item });
		}
	}
	return out.sort((a, b) => a.index - b.index).map((entry) => entry.item);
}
