/** Dispatches `execute()` to `actions/<resource>/<operation>.operation.ts` through the shared router. */
import type { SalesforceConnector } from '../../../../core/connectors/salesforce/connector';
import { router as sharedRouter, type Operations } from '../../../shared/router';
import { getConnector } from '../transport';
import * as bulk from './bulk';
import * as changes from './changes';
import * as metadata from './metadata';
import * as query from './query';
import * as record from './record';

/** Every operation, by resource and operation value. */
export const OPERATIONS: Operations<SalesforceConnector> = {
	record: {
		create: record.create,
		upsert: record.upsert,
		update: record.update,
		get: record.get,
		getMany: record.getMany,
		delete: record.delete,
	},
	query: { execute: query.execute },
	bulk: {
		query: bulk.query,
		insert: bulk.insert,
		update: bulk.update,
		upsert: bulk.upsert,
		delete: bulk.delete,
		hardDelete: bulk.hardDelete,
	},
	changes: { get: changes.get },
	metadata: { describeObject: metadata.describeObject, listObjects: metadata.listObjects },
};

/** Runs the chosen operation over all items, with the connector of the node's credential. */
export const router = sharedRouter(OPERATIONS, getConnector);
