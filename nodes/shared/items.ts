/**
 * The per-item skeleton every action node shares: the per-item loop, per-input results (`BatchItemResult`) and
 * `CrmError`s turned into output items or into `NodeApiError` / `NodeOperationError`, `pairedItem` and the error
 * output. One error-item shape for every node: `{ error, details: { code, … } }` (n8n moves an item to the error
 * output only when its JSON is `error` + `details`).
 */
import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';

import type { BatchItemError, BatchItemResult } from '../../core/batching/types';
import { isCrmError } from '../../core/http/errors';
import { QueryValueError } from '../../core/query/common';

/** Why an item failed: a message naming the field and the fix, a machine code, anything else worth showing. */
export type ItemError = BatchItemError;

/** Turns a thrown error into an item's reason (a node may pass its own, e.g. to word a vendor's answer). */
export type DescribeError = (error: unknown) => ItemError;

/** The code of an item error that carries no code of its own. */
export const GENERIC_ERROR_CODE = 'ERROR';

/** The error item of item `itemIndex`: `{ error, details: { code, …details } }`, paired with it. */
export function errorItem(error: ItemError, itemIndex: number): INodeExecutionData {
	const extra = error.details;
	const details: IDataObject =
		extra && typeof extra === 'object' && !Array.isArray(extra)
			? { ...(extra as IDataObject) }
			: extra !== undefined
				? { info: extra as IDataObject }
				: {};
	details.code = error.code ?? GENERIC_ERROR_CODE;
	return { json: { error: error.message, details }, pairedItem: { item: itemIndex } };
}

/** Output items of item `itemIndex` from one JSON object or a list of them. */
export function toItems(
	json: IDataObject | IDataObject[],
	itemIndex: number,
): INodeExecutionData[] {
	return (Array.isArray(json) ? json : [json]).map((j) => ({
		json: j,
		pairedItem: { item: itemIndex },
	}));
}

/** The default reason of a thrown error: a `CrmError` keeps the CRM's code, status and the fix (already redacted). */
export const describeError: DescribeError = (error) => {
	if (isCrmError(error))
		return {
			message: error.message,
			code: error.crmCode ?? error.kind,
			details: { status: error.status, hint: error.hint },
		};
	return { message: error instanceof Error ? error.message : String(error) };
};

/** Wraps anything thrown for n8n: a `CrmError` as `NodeApiError` (code, message, fix), the rest as `NodeOperationError`. */
export function toNodeError(
	ctx: IExecuteFunctions,
	error: unknown,
	itemIndex?: number,
): NodeApiError | NodeOperationError {
	if (error instanceof NodeOperationError || error instanceof NodeApiError) return error;
	if (error instanceof QueryValueError)
		return new NodeOperationError(ctx.getNode(), error.message, { itemIndex });
	if (isCrmError(error))
		return new NodeApiError(ctx.getNode(), error.toJSON() as never, {
			message: error.message,
			description: error.hint,
			itemIndex,
			httpCode: error.status !== undefined ? String(error.status) : undefined,
		});
	return new NodeOperationError(
		ctx.getNode(),
		error instanceof Error ? error : new Error(String(error)),
		{ itemIndex },
	);
}

/**
 * Runs `fn` for one item: its JSON becomes items paired with it. A failure becomes an error item (On Error:
 * Continue) or the node's error naming the item.
 */
export async function perItem(
	ctx: IExecuteFunctions,
	itemIndex: number,
	fn: () => Promise<IDataObject | IDataObject[]>,
	describe: DescribeError = describeError,
): Promise<INodeExecutionData[]> {
	try {
		return toItems(await fn(), itemIndex);
	} catch (error) {
		if (!ctx.continueOnFail()) throw toNodeError(ctx, error, itemIndex);
		return [errorItem(describe(error), itemIndex)];
	}
}

/**
 * Runs `fn` for each item in turn; `emit` adds an output item paired with it. A failure becomes an error item
 * (On Error: Continue; what the item emitted before failing stays) or the node's error naming the item.
 */
export async function forEachItem(
	ctx: IExecuteFunctions,
	items: INodeExecutionData[],
	fn: (i: number, emit: (json: IDataObject) => void) => Promise<void>,
	describe: DescribeError = describeError,
): Promise<INodeExecutionData[]> {
	const out: INodeExecutionData[] = [];
	for (let i = 0; i < items.length; i++) {
		// Each output item is made as it is emitted (a large read builds them while its next page is on the way).
		const emit = (json: IDataObject) => out.push({ json, pairedItem: { item: i } });
		try {
			await fn(i, emit);
		} catch (error) {
			if (!ctx.continueOnFail()) throw toNodeError(ctx, error, i);
			out.push(errorItem(describe(error), i));
		}
	}
	return out;
}

/**
 * Per-input results (input order) as output items: successes through `toJson`; failures as error items when the
 * node continues on fail (the error output), else one error naming the first failed item and the tally — thrown
 * before any item is returned, so the user sees how many were already `what` (e.g. "created").
 */
export function resultsToItems<T>(
	ctx: IExecuteFunctions,
	results: Array<BatchItemResult<T>>,
	itemIndexes: number[],
	toJson: (value: T, itemIndex: number) => IDataObject | IDataObject[],
	what = 'written',
): INodeExecutionData[] {
	const sorted = [...results].sort((a, b) => a.index - b.index);
	const failed = sorted.filter((r) => !r.ok);
	if (failed.length > 0 && !ctx.continueOnFail()) {
		const first = failed[0] as Extract<BatchItemResult<T>, { ok: false }>;
		const written = sorted.length - failed.length;
		const list = failed.slice(0, 20).map((r) => itemIndexes[r.index]);
		throw new NodeOperationError(
			ctx.getNode(),
			`Item ${itemIndexes[first.index]}: ${first.error.message}`,
			{
				itemIndex: itemIndexes[first.index],
				description: `${written} of ${sorted.length} records were ${what}; ${failed.length} failed (items ${list.join(', ')}${failed.length > 20 ? ', …' : ''}). Set "On Error" to "Continue (using error output)" to get every record's result.`,
			},
		);
	}
	const out: INodeExecutionData[] = [];
	for (const r of sorted) {
		const itemIndex = itemIndexes[r.index];
		if (r.ok) out.push(...toItems(toJson(r.value, itemIndex), itemIndex));
		else out.push(errorItem(r.error, itemIndex));
	}
	return out;
}

/** The reason of an error that concerns the whole run, as an item's error (its fix from the description when given). */
function runErrorReason(error: unknown): ItemError {
	if (isCrmError(error))
		return {
			message: error.message,
			code: error.crmCode ?? error.kind,
			details: { hint: error.hint },
		};
	const message = error instanceof Error ? error.message : String(error);
	const description = (error as { description?: unknown } | null)?.description;
	return {
		message:
			typeof description === 'string' && description !== '' && !message.includes(description)
				? `${message} — ${description}`
				: message,
		code: 'NODE_SETTINGS',
	};
}

/**
 * Runs a write operation so that every input item ends on exactly one output: `run` puts each item's output items into
 * `out` by item index. An error of the whole run (invalid settings, a failure before any result) under "Continue (using
 * error output)" becomes one error item per item without a result, naming the reason and the fix — never a thrown
 * error, which n8n would answer by passing the input items to the success output. Otherwise it is thrown.
 */
export async function perItemRun(
	ctx: IExecuteFunctions,
	count: number,
	run: (out: Map<number, INodeExecutionData[]>) => Promise<void>,
): Promise<INodeExecutionData[]> {
	const out = new Map<number, INodeExecutionData[]>();
	try {
		await run(out);
	} catch (error) {
		if (!ctx.continueOnFail()) throw toNodeError(ctx, error);
		const reason = runErrorReason(error);
		for (let i = 0; i < count; i++) if (!out.has(i)) out.set(i, [errorItem(reason, i)]);
	}
	return [...out.entries()].sort((a, b) => a[0] - b[0]).flatMap(([, items]) => items);
}

/** Adds output items to `out` under their paired item index. */
export function collect(out: Map<number, INodeExecutionData[]>, items: INodeExecutionData[]): void {
	for (const item of items) {
		const index = (item.pairedItem as { item: number }).item;
		const list = out.get(index);
		if (list) list.push(item);
		else out.set(index, [item]);
	}
}

/**
 * A per-item failure found before sending (missing or invalid id): an error item with "Continue (using error output)",
 * else thrown — the operations check every item before writing any, so nothing is written then.
 */
export function rejectItem(
	ctx: IExecuteFunctions,
	out: Map<number, INodeExecutionData[]>,
	itemIndex: number,
	error: ItemError,
): void {
	if (!ctx.continueOnFail())
		throw new NodeOperationError(ctx.getNode(), error.message, { itemIndex });
	out.set(itemIndex, [errorItem(error, itemIndex)]);
}

/** The success item of a written record: `{ success: true, id, created?, … }`. */
export function writeSuccess<T extends object>(value: T): IDataObject {
	return { success: true, ...(value as IDataObject) };
}
