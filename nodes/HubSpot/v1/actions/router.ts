/** Dispatches an execution to `actions/<resource>/<operation>.operation.ts` through the shared router. */
import type { HubSpotConnector } from '../../../../core/connectors/hubspot/connector';
import { router as sharedRouter, type Operations } from '../../../shared/router';
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

/** Every operation, by resource and operation name. */
export const OPERATIONS: Operations<HubSpotConnector> = {
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

/** Runs the chosen operation over all items, with the connector of the node's credential. */
export const router = sharedRouter(OPERATIONS, getConnector);
