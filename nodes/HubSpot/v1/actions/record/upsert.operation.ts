import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import type { HubSpotConnector, UpsertInput } from '../../../../../core/connectors/hubspot/connector';
import { errorItem, fieldsMapper, groupBy, mappedValues, mapperSettings, objectJson, resultsToItems } from '../common';

export const description: INodeProperties[] = [fieldsMapper('upsert', 'upsert')];

/**
 * Creates or updates one record per item, matched on a unique property (e-mail, or a custom unique property),
 * 100 per HubSpot batch upsert call. Safe to run again: it never creates a duplicate.
 */
export async function execute(this: IExecuteFunctions, items: INodeExecutionData[], connector: HubSpotConnector): Promise<INodeExecutionData[]> {
	const settings = mapperSettings(this);
	const idProperty = settings.matchingColumns[0];
	if (!idProperty) {
		throw new NodeOperationError(this.getNode(), 'Choose the property to match records on (Fields → Columns to match on), e.g. "email"', {
			description: 'Upsert matches existing records by a unique property: the e-mail of a contact, or a custom property with unique values.',
		});
	}
	if (idProperty === 'hs_object_id') {
		throw new NodeOperationError(this.getNode(), 'Upsert cannot match on the record ID: HubSpot creates records with IDs it chooses', {
			description: 'Match on a unique property (e-mail, or a custom property with unique values), or use the Update operation to change records by ID.',
		});
	}
	const out: Array<{ index: number; item: INodeExecutionData }> = [];
	for (const [objectType, indexes] of groupBy(this, items.length, 'objectType')) {
		const inputs: UpsertInput[] = [];
		const sent: number[] = [];
		for (const i of indexes) {
			const values = mappedValues(this, i, items[i], settings);
			const key = values[idProperty];
			if (key === undefined || key === null || String(key).trim() === '') {
				const error = { message: `Item ${i}: the match property "${idProperty}" is empty — every upserted record needs its ${idProperty}`, code: 'MISSING_ID' };
				if (!this.continueOnFail()) throw new NodeOperationError(this.getNode(), error.message, { itemIndex: i });
				out.push({ index: i, item: errorItem(error, i) });
				continue;
			}
			inputs.push({ id: String(key).trim(), properties: values });
			sent.push(i);
		}
		const { results } = await connector.batchUpsert(objectType, inputs, { idProperty });
		for (const item of resultsToItems(this, results, sent, (value) => objectJson(value))) {
			out.push({ index: (item.pairedItem as { item: number }).item, item });
		}
	}
	return out.sort((a, b) => a.index - b.index).map((entry) => entry.item);
}
