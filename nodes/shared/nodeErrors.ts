/**
 * The safety net under every operation of our nodes. n8n, when a node THROWS under "On Error → Continue (using
 * error output)", passes the node's input items on to the *success* output — items that were never written would
 * then look written. So an error that escapes an operation (a bad setting, a credential that cannot log in, a
 * CRM that cannot be reached) becomes, when the user chose to continue, one error item per input item, each
 * carrying the reason; with "Stop Workflow" it is thrown as before.
 *
 * Operations themselves must never throw after something was written (they return per-item results then); this
 * net only catches failures that concern the whole run before any item's outcome is known.
 */
import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';

/** The code of an error item produced by this net. */
export const RUN_FAILED_CODE = 'RUN_FAILED';

/** Error text of anything thrown, with the description n8n errors carry (the fix) when there is one. */
function describeThrown(error: unknown): {
	message: string;
	description?: string;
	itemIndex?: number;
	httpCode?: string;
} {
	if (!(error instanceof Error)) return { message: String(error) };
	const e = error as Error & {
		description?: unknown;
		context?: { itemIndex?: unknown };
		httpCode?: unknown;
	};
	const description =
		typeof e.description === 'string' && e.description !== '' ? e.description : undefined;
	const itemIndex = typeof e.context?.itemIndex === 'number' ? e.context.itemIndex : undefined;
	const httpCode = typeof e.httpCode === 'string' ? e.httpCode : undefined;
	return { message: e.message, description, itemIndex, httpCode };
}

/** The error as n8n shows it: ours already are NodeApiError / NodeOperationError; anything else is wrapped. */
function asNodeError(ctx: IExecuteFunctions, error: unknown): NodeApiError | NodeOperationError {
	if (error instanceof NodeApiError || error instanceof NodeOperationError) return error;
	return new NodeOperationError(
		ctx.getNode(),
		error instanceof Error ? error : new Error(String(error)),
	);
}

/**
 * Runs the node's operation; with "On Error: Continue" a thrown error becomes one error item per input item
 * (paired with it), so no input item reaches the success output unwritten.
 */
export async function withItemErrors(
	ctx: IExecuteFunctions,
	run: () => Promise<INodeExecutionData[][]>,
): Promise<INodeExecutionData[][]> {
	try {
		return await run();
	} catch (error) {
		if (!ctx.continueOnFail()) throw asNodeError(ctx, error);
		const items = ctx.getInputData();
		const { message, description, itemIndex, httpCode } = describeThrown(error);
		const details: IDataObject = {
			code: RUN_FAILED_CODE,
			notWritten: true,
			reason: `the whole run failed before any record was written${itemIndex !== undefined ? ` (raised while reading item ${itemIndex})` : ''}`,
			...(description ? { hint: description } : {}),
			...(httpCode ? { httpCode } : {}),
		};
		const count = Math.max(items.length, 1);
		return [
			Array.from({ length: count }, (_, i) => ({
				json: { error: message, details: { ...details } },
				pairedItem: { item: i },
			})),
		];
	}
}
