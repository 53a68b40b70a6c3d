/** Dispatches an execution to `actions/<resource>/<operation>.operation.ts` through the shared router. */
import type { DynamicsCrm } from '../../../../core/connectors/dynamics/crm';
import { getDynamicsConnector } from '../../../shared/dynamics/connection';
import { router as sharedRouter, type Operations } from '../../../shared/router';
import * as actionExecute from './action/execute.operation';
import * as fetchXmlExecute from './fetchXml/execute.operation';
import * as recordAssociate from './record/associate.operation';
import * as recordCreate from './record/create.operation';
import * as recordDelete from './record/delete.operation';
import * as recordDisassociate from './record/disassociate.operation';
import * as recordGet from './record/get.operation';
import * as recordGetAll from './record/getAll.operation';
import * as recordGetChanges from './record/getChanges.operation';
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
		getChanges: recordGetChanges,
		associate: recordAssociate,
		disassociate: recordDisassociate,
	},
	fetchXml: { execute: fetchXmlExecute },
	action: { execute: actionExecute },
};

/** Runs the chosen operation over all items, with the connector of the node's credential. */
export const router = sharedRouter(OPERATIONS, (ctx) => getDynamicsConnector(ctx));
