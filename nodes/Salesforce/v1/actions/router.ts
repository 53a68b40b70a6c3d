/** Dispatches `execute()` to `actions/<resource>/<operation>.operation.ts`. */
import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import * as bulk from './bulk';
import * as changes from './changes';
import * as metadata from './metadata';
import * as query from './query';
import * as record from './record';
import { withItemErrors } from '../../../shared/nodeErrors';

type Operation = {
	execute: (this: IExecuteFunctions, items: INodeExecutionData[]) => Promise<INodeExecutionData[]>;
};

const resources: Record<string, Record<string, unknown>> = {
	record,
	query,
	bulk,
	changes,
	metadata,
};

export async function router(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	return await withItemErrors(this, async () => {
		const items = this.getInputData();
		const resource = this.getNodeParameter('resource', 0) as string;
		const operation = this.getNodeParameter('operation', 0) as string;
		const op = resources[resource]?.[operation] as Operation | undefined;
		if (!op || typeof op.execute !== 'function') {
			throw new NodeOperationError(
				this.getNode(),
				`The operation "${operation}" of "${resource}" is not supported`,
			);
		}
		return [await op.execute.call(this, items)];
	});
}
