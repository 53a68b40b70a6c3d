import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import type { DynamicsCrm } from '../../../../../core/connectors/dynamics/crm';
import { relationshipProperties, runRelate } from './relationship';

export const description: INodeProperties[] = relationshipProperties('associate');

/** Links one pair of rows per item (`$ref`: POST for a collection, PUT for a lookup), in `$batch`es. */
export async function execute(
	this: IExecuteFunctions,
	items: INodeExecutionData[],
	connector: DynamicsCrm,
): Promise<INodeExecutionData[]> {
	return await runRelate(this, items, connector, 'associate');
}
