import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import type { DynamicsCrm } from '../../../../../core/connectors/dynamics/crm';
import { relationshipProperties, runRelate } from './relationship';

export const description: INodeProperties[] = relationshipProperties('disassociate');

/** Unlinks one pair of rows per item (`DELETE …/$ref`; a lookup is cleared), in `$batch`es. */
export async function execute(
	this: IExecuteFunctions,
	items: INodeExecutionData[],
	connector: DynamicsCrm,
): Promise<INodeExecutionData[]> {
	return await runRelate(this, items, connector, 'disassociate');
}
