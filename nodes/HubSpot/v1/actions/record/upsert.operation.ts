import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import type {
	HubSpotConnector,
	UpsertInput,
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
	rerunNotice('upsert'),
	fieldsMapper('upsert', 'upsert'),
	writeOptions('upsert'),
];

/**
 * Creates or updates one record per item, matched on a unique property (e-mail, or a custom unique property),
 * 100 per HubSpot batch upsert call. Safe to run again: it never creates a duplicate.
 */
export async function execute(
	this: IExecuteFunctions,
	items: INodeExecutionData[],
	connector: HubSpotConnector,
): Promise<INodeExecutionData[]> {
	return await perItemRun(this, items.length, async (out) => {
		const settings = mapperSettings(this);
		const idProperty = settings.matchingColumns[0];
		if (!idProperty) {
			throw new NodeOperationError(
				this.getNode(),
				'No property to match records on: choose one in Fields → "Columns to match on" (e.g. "email" for contacts)',
				{
					description:
						'Create or Update matches existing records by a unique property: the e-mail of a contact, or a custom property with unique values. Nothing was written.',
				},
			);
		}
		if (idProperty === 'hs_object_id') {
			throw new NodeOperationError(
				this.getNode(),
				'Create or Update cannot match on the record ID (Fields → "Columns to match on"): HubSpot creates records with IDs it chooses',
				{
					description:
						'Match on a unique property (e-mail, or a custom property with unique values), or use the Update operation to change records by ID. Nothing was written.',
				},
			);
		}
		// Every item is checked before anything is written.
		const groups: Array<{ objectType: string; inputs: UpsertInput[]; sent: number[] }> = [];
		for (const [objectType, indexes] of groupBy(this, items.length, 'objectType')) {
			const inputs: UpsertInput[] = [];
			const sent: number[] = [];
			for (const i of indexes) {
				const values = mappedValues(this, i, items[i], settings);
				const key = values[idProperty];
				if (key === undefined || key === null || String(key).trim() === '') {
					rejectItem(this, out, i, {
						message: `Item ${i}: the match property "${idProperty}" is empty — every upserted record needs its ${idProperty}`,
						code: 'MISSING_ID',
					});
					continue;
				}
				inputs.push({ id: String(key).trim(), properties: values });
				sent.push(i);
			}
			groups.push({ objectType, inputs, sent });
		}
		for (const { objectType, inputs, sent } of groups) {
			if (inputs.length === 0) continue;
			const { results } = await connector.batchUpsert(objectType, inputs, { idProperty });
			collect(
				out,
				resultsToItems(this, results, sent, (value) => objectJson(value)),
			);
		}
	});
}
