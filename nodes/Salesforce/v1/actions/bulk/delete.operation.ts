import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import type { SalesforceConnector } from '../../../../../core/connectors/salesforce/connector';

import { executeIngest, ingestDescription } from './ingest';

export const description: INodeProperties[] = ingestDescription('delete');

/** Bulk API 2.0 delete of all input items: one job, one result per item (success output / error output). */
export async function execute(
	this: IExecuteFunctions,
	items: INodeExecutionData[],
	connector: SalesforceConnector,
): Promise<INodeExecutionData[]> {
	return await executeIngest(this, connector, items, 'delete');
}
