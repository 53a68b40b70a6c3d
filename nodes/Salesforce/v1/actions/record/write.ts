/** Batched record writes shared by create / update / upsert / delete: items grouped per object, 200 per call. */
import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import type { CollectionOperation, WriteResult } from '../../../../../core/connectors/salesforce/connector';
import type { BatchItemResult } from '../../../../../core/batching/types';
import { getConnector } from '../../transport';
import { getObjectName, toNodeError, writeResultsToItems } from '../common';

/** One record to write, from item `itemIndex`. */
export interface PendingWrite {
	itemIndex: number;
	object: string;
	externalIdField?: string;
	fields: Record<string, unknown>;
}

/** Builds each item's record with `build`, then writes them per object in Collections of up to 200. */
export async function writeItems(
	ctx: IExecuteFunctions,
	items: INodeExecutionData[],
	operation: CollectionOperation,
	build: (itemIndex: number, item: INodeExecutionData, object: string) => PendingWrite,
	what: string,
): Promise<INodeExecutionData[]> {
	const connector = await getConnector(ctx);
	const groups = new Map<string, PendingWrite[]>();
	const early: INodeExecutionData[] = [];
	for (let i = 0; i < items.length; i++) {
		let pending: PendingWrite;
		try {
			pending = build(i, items[i], getObjectName(ctx, i));
		} catch (error) {
			if (ctx.continueOnFail()) {
				early.push({ json: { error: (error as Error).message, details: { code: 'INVALID_INPUT' } }, pairedItem: { item: i } });
				continue;
			}
			throw error instanceof NodeOperationError ? error : new NodeOperationError(ctx.getNode(), error as Error, { itemIndex: i });
		}
		const key = `${pending.object}\u0000${pending.externalIdField ?? ''}`;
		const group = groups.get(key);
		if (group) group.push(pending);
		else groups.set(key, [pending]);
	}
	const batchSize = ctx.getNodeParameter('options.batchSize', 0, 200) as number;
	const bulkThreshold = ctx.getNodeParameter('options.bulkThreshold', 0, 0) as number;
	const out: INodeExecutionData[] = [...early];
	for (const group of groups.values()) {
		let results: Array<BatchItemResult<WriteResult>>;
		try {
			({ results } = await connector.writeAuto(
				operation,
				group[0].object,
				group.map((g) => g.fields),
				{ externalIdField: group[0].externalIdField, batchSize, bulkThreshold },
			));
		} catch (error) {
			throw toNodeError(ctx, error, group[0].itemIndex);
		}
		out.push(...writeResultsToItems(ctx, results, group.map((g) => g.itemIndex), what));
	}
	out.sort((a, b) => (a.pairedItem as { item: number }).item - (b.pairedItem as { item: number }).item);
	return out;
}
