/**
 * Batched record writes shared by create / update / upsert / delete: items grouped per object, 200 per call.
 * Every item ends with exactly one result: bad settings and whole-run failures become one error item per input
 * item (under "Continue (using error output)"), and nothing throws after a group was written — the error for
 * the node, when the user did not choose to continue, comes once at the end and counts every group's records.
 */
import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import {
	COLLECTION_SIZE,
	type CollectionOperation,
	type SalesforceConnector,
	type WriteResult,
} from '../../../../../core/connectors/salesforce/connector';
import { BATCH_CODES, type BatchItemResult } from '../../../../../core/batching/types';
import { failedBeforeProcessing, isCrmError } from '../../../../../core/http/errors';
import { getObjectName } from '../common';
import { errorItem, resultsToItems, toNodeError, writeSuccess } from '../../../../shared/items';

/** One record to write, from item `itemIndex`. */
export interface PendingWrite {
	itemIndex: number;
	object: string;
	externalIdField?: string;
	fields: Record<string, unknown>;
}

interface Settings {
	batchSize: number;
	bulkThreshold: number;
	settleField?: string;
}

/** The Options collection, checked: a wrong value names the option and the fix (nothing is sent). */
function readSettings(ctx: IExecuteFunctions, operation: CollectionOperation): Settings {
	const batchSize = ctx.getNodeParameter('options.batchSize', 0, COLLECTION_SIZE) as number;
	if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > COLLECTION_SIZE) {
		throw new NodeOperationError(
			ctx.getNode(),
			`Batch Size ${String(batchSize)} is not allowed: sObject Collections take 1 to ${COLLECTION_SIZE} records per request — set Options → Batch Size to a whole number from 1 to ${COLLECTION_SIZE} (nothing was sent)`,
		);
	}
	const bulkThreshold = ctx.getNodeParameter('options.bulkThreshold', 0, 0) as number;
	if (!Number.isInteger(bulkThreshold) || bulkThreshold < 0) {
		throw new NodeOperationError(
			ctx.getNode(),
			`Use Bulk API From (Records) ${String(bulkThreshold)} is not allowed — set it to 0 (never) or a whole number of records (nothing was sent)`,
		);
	}
	const timeout = ctx.getNodeParameter('options.timeout', 0, 60_000) as number;
	if (typeof timeout !== 'number' || !Number.isFinite(timeout) || timeout < 1) {
		throw new NodeOperationError(
			ctx.getNode(),
			`Timeout ${String(timeout)} is not allowed — set Options → Timeout to a number of milliseconds, at least 1 (e.g. 60000) (nothing was sent)`,
		);
	}
	const settleField =
		operation === 'create'
			? String(ctx.getNodeParameter('options.settleField', 0, '') ?? '').trim()
			: '';
	return { batchSize, bulkThreshold, ...(settleField ? { settleField } : {}) };
}

/** The text of an error that stops a whole group, with its hint (the fix) when it has one. */
function reasonOf(error: unknown): { message: string; code: string; written: 'no' | 'unknown' } {
	if (error instanceof NodeOperationError)
		return { message: error.message, code: 'INVALID_SETTING', written: 'no' };
	if (isCrmError(error)) {
		return {
			message: `${error.message}${error.hint ? ` — ${error.hint}` : ''}`,
			code: error.crmCode ?? error.kind,
			written: failedBeforeProcessing(error) ? 'no' : 'unknown',
		};
	}
	return {
		message: error instanceof Error ? error.message : String(error),
		code: 'ERROR',
		written: 'unknown',
	};
}

/** Builds each item's record with `build`, then writes them per object in Collections of up to 200. */
export async function writeItems(
	ctx: IExecuteFunctions,
	connector: SalesforceConnector,
	items: INodeExecutionData[],
	operation: CollectionOperation,
	build: (itemIndex: number, item: INodeExecutionData, object: string) => PendingWrite,
	what: string,
): Promise<INodeExecutionData[]> {
	const continueOnFail = ctx.continueOnFail();
	// A problem of the whole node before anything is sent: one error per item (or the node's error).
	const failEveryItem = (error: unknown): INodeExecutionData[] => {
		if (!continueOnFail)
			throw error instanceof NodeOperationError ? error : toNodeError(ctx, error);
		const { message, code } = reasonOf(error);
		return items.map((_, i) => errorItem({ message: `not ${what}: ${message}`, code }, i));
	};
	let settings: Settings;
	try {
		settings = readSettings(ctx, operation);
	} catch (error) {
		return failEveryItem(error);
	}
	const groups = new Map<string, PendingWrite[]>();
	const early: INodeExecutionData[] = [];
	for (let i = 0; i < items.length; i++) {
		let pending: PendingWrite;
		try {
			pending = build(i, items[i], getObjectName(ctx, i));
		} catch (error) {
			if (continueOnFail) {
				early.push(errorItem({ message: (error as Error).message, code: 'INVALID_INPUT' }, i));
				continue;
			}
			throw error instanceof NodeOperationError
				? error
				: new NodeOperationError(ctx.getNode(), error as Error, { itemIndex: i });
		}
		const key = `${pending.object}\u0000${pending.externalIdField ?? ''}`;
		const group = groups.get(key);
		if (group) group.push(pending);
		else groups.set(key, [pending]);
	}
	// Every group's results, then one verdict: a later group's failure never hides an earlier group's writes.
	const results: Array<BatchItemResult<WriteResult>> = [];
	const itemIndexes: number[] = [];
	for (const group of groups.values()) {
		let groupResults: Array<BatchItemResult<WriteResult>>;
		try {
			if (settings.settleField)
				await connector.checkSettleField(group[0].object, settings.settleField);
			({ results: groupResults } = await connector.writeAuto(
				operation,
				group[0].object,
				group.map((g) => g.fields),
				{
					externalIdField: group[0].externalIdField,
					batchSize: settings.batchSize,
					bulkThreshold: settings.bulkThreshold,
					settleField: settings.settleField,
				},
			));
		} catch (error) {
			const { message, code, written } = reasonOf(error);
			groupResults = group.map((_, k) => ({
				index: k,
				ok: false as const,
				error:
					written === 'no'
						? { message: `not ${what}: ${message}`, code }
						: {
								message: `outcome unknown: the write failed as a whole (${message}); check in Salesforce which of these records were ${what} before re-running them`,
								code: BATCH_CODES.outcomeUnknown,
								details: { cause: code },
							},
			}));
		}
		for (const r of groupResults) {
			results.push({ ...r, index: results.length });
			itemIndexes.push(group[r.index].itemIndex);
		}
	}
	const out: INodeExecutionData[] = [
		...early,
		...resultsToItems(ctx, results, itemIndexes, writeSuccess, what),
	];
	out.sort(
		(a, b) => (a.pairedItem as { item: number }).item - (b.pairedItem as { item: number }).item,
	);
	return out;
}
