/** Dispatches an execution to `actions/<resource>/<operation>.operation.ts` through the shared router. */
import type { DynamicsCrm } from '../../../../core/connectors/dynamics/crm';
import { getDynamicsConnector } from '../../../shared/dynamics/connection';
import { router as sharedRouter, type Operations } from '../../../shared/router';
import * as fetchXmlExecute from './fetchXml/execute.operation';
import * as recordCreate from './record/create.operation';
import * as recordDelete from './record/delete.operation';
import * as recordGet from './record/get.operation';
import * as recordGetAll from './record/getAll.operation';
import * as recordUpdate from './record/update.operation';
import * as recordUpsert from './record/upsert.operation';

/** Every operation, by resource and operation name. */
export const OPERATIONS: Operations<DynamicsCrm> = {
	record: {
		create: recordCreate,
		upsert: recordUpsert,
		update: recordUpdate,
		get: recordGet,
		getAll: recordGetAll,
		delete: recordDelete,
	},
	fetchXml: { execute: fetchXmlExecute },
};

/** Runs the chosen operation over all items, with the connector of the node's credential. */
export const router = sharedRouter(OPERATIONS, (ctx) => getDynamicsConnector(ctx));
