/**
 * The typed router every action node uses: one `Operation` signature (`actions/<resource>/<operation>.operation.ts`
 * exports `description` + `execute`), one dispatch, under the whole-run safety net `withItemErrors`.
 */
import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { withItemErrors } from './nodeErrors';

/** One operation: its parameters and what it does with all input items, given the node's connector. */
export interface Operation<C = unknown> {
	description: INodeProperties[];
	execute(
		this: IExecuteFunctions,
		items: INodeExecutionData[],
		connector: C,
	): Promise<INodeExecutionData[]>;
}

/** The operations of a node, by resource and operation value (the values n8n stores in saved workflows). */
export type Operations<C = unknown> = Record<string, Record<string, Operation<C>>>;

/**
 * The node's `execute()`: reads `resource` and `operation`, opens the connector once (`connect`, e.g. from the
 * credential; without it the operations open it themselves, after checking their settings) and runs the operation
 * over all items; a whole-run failure under "Continue (using error output)" becomes one error item per input item.
 */
export function router<C = undefined>(
	operations: Operations<C>,
	connect?: (ctx: IExecuteFunctions) => Promise<C>,
): (this: IExecuteFunctions) => Promise<INodeExecutionData[][]> {
	return async function (this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return await withItemErrors(this, async () => {
			const items = this.getInputData();
			const resource = this.getNodeParameter('resource', 0) as string;
			const operation = this.getNodeParameter('operation', 0) as string;
			const op = Object.prototype.hasOwnProperty.call(operations, resource)
				? operations[resource][operation]
				: undefined;
			if (!op || !Object.prototype.hasOwnProperty.call(operations[resource], operation))
				throw new NodeOperationError(
					this.getNode(),
					`The operation "${operation}" of "${resource}" is not supported`,
				);
			const connector = (connect ? await connect(this) : undefined) as C;
			return [await op.execute.call(this, items, connector)];
		});
	};
}
