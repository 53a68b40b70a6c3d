/** Dispatches an execution to `actions/<resource>/<operation>.operation.ts`. */
import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import type { HubSpotConnector } from '../../../../core/connectors/hubspot/connector';
import { withItemErrors } from '../../../shared/nodeErrors';
import { getConnector } from '../transport';
import * as associationCreate from './association/create.operation';
import * as associationGetAll from './association/getAll.operation';
import * as associationRemove from './association/remove.operation';
import * as formSubmit from './form/submit.operation';
import * as propertyCreate from './property/create.operation';
import * as propertyGetAll from './property/getAll.operation';
import * as propertyUpdate from './property/update.operation';
import * as recordCreate from './record/create.operation';
import * as recordDelete from './record/delete.operation';
import * as recordGet from './record/get.operation';
import * as recordGetAll from './record/getAll.operation';
import * as recordGetChanges from './record/getChanges.operation';
import * as recordSearch from './record/search.operation';
import * as recordUpdate from './record/update.operation';
import * as recordUpsert from './record/upsert.operation';

/** One operation: its parameters and what it does with all input items. */
export interface Operation {
	description: INodeProperties[];
	execute(
		this: IExecuteFunctions,
		items: INodeExecutionData[],
		connector: HubSpotConnector,
	): Promise<INodeExecutionData[]>;
}

/** Every operation, by resource and operation name. */
export const OPERATIONS: Record<string, Record<string, Operation>> = {
	record: {
		create: recordCreate,
		upsert: recordUpsert,
		update: recordUpdate,
		get: recordGet,
		getAll: recordGetAll,
		search: recordSearch,
		getChanges: recordGetChanges,
		delete: recordDelete,
	},
	association: { create: associationCreate, remove: associationRemove, getAll: associationGetAll },
	property: { getAll: propertyGetAll, create: propertyCreate, update: propertyUpdate },
	form: { submit: formSubmit },
};

/** Runs the chosen operation over all items. */
export async function router(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	return await withItemErrors(this, async () => {
		const items = this.getInputData();
		const resource = this.getNodeParameter('resource', 0) as string;
		const operation = this.getNodeParameter('operation', 0) as string;
		const op = OPERATIONS[resource]?.[operation];
		if (!op)
			throw new NodeOperationError(
				this.getNode(),
				`The operation "${operation}" of "${resource}" is not supported`,
			);
		const connector = await getConnector(this);
		const output = await op.execute.call(this, items, connector);
		return [output];
	});
}
