import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import { executeIngest, ingestDescription } from './ingest';

export const description: INodeProperties[] = ingestDescription('hardDelete');

/** Bulk API 2.0 hardDelete of all input items: one job, one result per item (success output / error output). */
export async function execute(
	this: IExecuteFunctions,
	items: INodeExecutionData[],
): Promise<INodeExecutionData[]> {
	return await executeIngest(this, items, 'hardDelete');
}
