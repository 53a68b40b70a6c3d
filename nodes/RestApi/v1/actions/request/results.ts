/** Per-item results of a batch answer, matched back to the items of the request. */
import type { IDataObject } from 'n8n-workflow';

import { BATCH_CODES, type ItemOutcome } from '../../../../../core/batching/types';
import { getPath } from '../../../../../core/records/path';

/** How the answer's results are found and matched. */
export interface ResultMatching {
	resultsPath: string;
	matchBy: 'position' | 'indexField';
	indexField: string;
	statusPath: string;
	errorPath: string;
}

function failureOf(result: IDataObject, m: ResultMatching): ItemOutcome<IDataObject> | undefined {
	const status = m.statusPath ? Number(getPath(result, m.statusPath)) : NaN;
	const error = m.errorPath ? getPath(result, m.errorPath) : undefined;
	const failedByStatus = Number.isFinite(status) && status >= 400;
	if (!failedByStatus && (error === undefined || error === null || error === '' || error === false))
		return undefined;
	const e = (error !== null && typeof error === 'object' ? error : {}) as IDataObject;
	const apiMessage =
		typeof error === 'string'
			? error
			: typeof e.message === 'string'
				? e.message
				: JSON.stringify(error ?? result).slice(0, 300);
	return {
		ok: false,
		error: {
			message: `${Number.isFinite(status) ? `HTTP ${status}: ` : ''}${apiMessage}`,
			code:
				typeof e.code === 'string'
					? e.code
					: Number.isFinite(status)
						? `HTTP_${status}`
						: 'ITEM_FAILED',
			details: { ...(Number.isFinite(status) ? { status } : {}), result },
		},
	};
}

/** One outcome per item of a request of `count` items, from the answer's results array. */
export function itemOutcomes(
	results: unknown,
	count: number,
	m: ResultMatching,
): Array<ItemOutcome<IDataObject>> {
	if (!Array.isArray(results)) {
		const error = {
			message: `The answer has no results array at Results Path "${m.resultsPath}" (the request itself succeeded, so its items may have been applied): check the Results Path`,
			code: BATCH_CODES.badBatchResponse,
		};
		return Array.from({ length: count }, () => ({ ok: false, error }));
	}
	const byItem = new Map<number, IDataObject>();
	results.forEach((raw, position) => {
		const result = (raw !== null && typeof raw === 'object' ? raw : { value: raw }) as IDataObject;
		const index = m.matchBy === 'indexField' ? Number(getPath(result, m.indexField)) : position;
		if (Number.isInteger(index) && index >= 0 && index < count && !byItem.has(index))
			byItem.set(index, result);
	});
	return Array.from({ length: count }, (_, i) => {
		const result = byItem.get(i);
		if (!result)
			return {
				ok: false,
				error: {
					message: `The answer has no result for this item (${m.matchBy === 'indexField' ? `no result with ${m.indexField} = ${i}` : `only ${results.length} results for ${count} items`}); the request succeeded, so it may have been applied`,
					code: BATCH_CODES.badBatchResponse,
				},
			};
		return failureOf(result, m) ?? { ok: true, value: { success: true, ...result } };
	});
}
