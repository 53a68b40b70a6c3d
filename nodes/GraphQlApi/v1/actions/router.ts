/** Dispatches an execution to `actions/graphql/<operation>.operation.ts` through the shared router. */
import { router as sharedRouter, type Operations } from '../../../shared/router';
import { openGraphqlConnection, type GraphqlConnection } from '../connection';
import * as execute from './graphql/execute.operation';
import * as getMany from './graphql/getMany.operation';
import * as sendBatch from './graphql/sendBatch.operation';

/** Every operation, by resource and operation name. */
export const OPERATIONS: Operations<GraphqlConnection> = {
	graphql: { execute, getMany, sendBatch },
};

/** Runs the chosen operation over all items, on the connection of the node's credential (or none) and endpoint. */
export const router = sharedRouter(OPERATIONS, openGraphqlConnection);
