/**
 * Send Items as One Request: the input items go out as arrays (Batch Size per request) inside one body. When the API
 * answers per item (Results Path), each item gets its own result, matched by position or by an index field; else
 * the whole request's success or failure applies to every item of it.
 */
import type {
	IDataObject,
	IExecuteFunctions,
	INodeExecutionData,
	INodeProperties,
} from 'n8n-workflow';

import { runBatches } from '../../../../../core/batching/run-batches';
import type { BatchItemResult, ItemOutcome } from '../../../../../core/batching/types';
import { isCrmError } from '../../../../../core/http/errors';
import { getPath, setPath } from '../../../../../core/records/path';
import { perItemRun, rejectItem, resultsToItems, collect } from '../../../../shared/items';
import type { HttpConnection } from '../../../../shared/http/connection';
import { describeHttpError } from '../../../../shared/http/errors';
import { jsonParameter, readRequest } from '../../request';
import { batchFields } from './batchFields';
import { optionsField, requestFields } from './fields';
import { itemOutcomes, type ResultMatching } from './results';

const show = { operation: ['sendBatch'] };

export const description: INodeProperties[] = [
	...requestFields(show, 'POST'),
	...batchFields(show),
	optionsField(show),
];

export async function execute(
	this: IExecuteFunctions,
	items: INodeExecutionData[],
	connection: HttpConnection,
): Promise<INodeExecutionData[]> {
	return await perItemRun(this, items.length, async (out) => {
		const base = readRequest(this, 0);
		const request = { ...base, url: connection.resolve(base.url) };
		const itemsPath = String(this.getNodeParameter('itemsPath', 0, '')).trim();
		const template = jsonParameter(this, 'bodyTemplate', 'Body Template', 0) ?? {};
		if (
			itemsPath !== '' &&
			(typeof template !== 'object' || template === null || Array.isArray(template))
		)
			throw new Error('Body Template must be a JSON object when Items Path is set');
		const batchSize = Number(this.getNodeParameter('batchSize', 0, 100));
		const matching: ResultMatching = {
			resultsPath: String(this.getNodeParameter('resultsPath', 0, '')).trim(),
			matchBy: this.getNodeParameter('matchBy', 0, 'position') as ResultMatching['matchBy'],
			indexField: String(this.getNodeParameter('indexField', 0, 'index')).trim(),
			statusPath: String(this.getNodeParameter('itemStatusPath', 0, 'status')).trim(),
			errorPath: String(this.getNodeParameter('itemErrorPath', 0, 'error')).trim(),
		};

		const bodies: unknown[] = [];
		const indexes: number[] = [];
		for (let i = 0; i < items.length; i++) {
			try {
				const value = jsonParameter(this, 'itemBody', 'Item', i);
				if (value === undefined) throw new Error('Item is empty: give the JSON of this item');
				bodies.push(value);
				indexes.push(i);
			} catch (error) {
				rejectItem(this, out, i, { message: (error as Error).message, code: 'INVALID_ITEM' });
			}
		}
		const { results } = await runBatches<unknown, IDataObject>({
			items: bodies,
			maxCount: batchSize,
			concurrency: Number(this.getNodeParameter('options.maxConcurrent', 0, 1)) || 1,
			isolateOnBatchFailure: false,
			classifyBatchError: (error) =>
				isCrmError(error) && (error.status === 401 || error.status === 403) ? 'fatal' : 'failChunk',
			describeError: (error) => describeHttpError(error, request.method, request.idempotent),
			send: async (chunk): Promise<Array<ItemOutcome<IDataObject>>> => {
				let body: unknown = chunk;
				if (itemsPath !== '') {
					body = structuredClone(template) as Record<string, unknown>;
					setPath(body as Record<string, unknown>, itemsPath, chunk);
				}
				const response = await connection.client.request({ ...request, body });
				if (!matching.resultsPath) {
					const value: IDataObject = { success: true, status: response.status };
					if (response.body !== undefined && response.body !== '')
						value.response = response.body as IDataObject;
					return chunk.map(() => ({ ok: true, value }));
				}
				return itemOutcomes(getPath(response.body, matching.resultsPath), chunk.length, matching);
			},
		});
		const mapped = results as Array<BatchItemResult<IDataObject>>;
		collect(
			out,
			resultsToItems(this, mapped, indexes, (value) => value, 'sent'),
		);
	});
}
