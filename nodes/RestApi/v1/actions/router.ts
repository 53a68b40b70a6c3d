/** Dispatches an execution to `actions/request/<operation>.operation.ts` through the shared router. */
import type { IExecuteFunctions } from 'n8n-workflow';

import { openHttpConnection, type HttpConnection } from '../../../shared/http/connection';
import { router as sharedRouter, type Operations } from '../../../shared/router';
import { readConnectionOptions } from '../../../shared/http/description';
import * as send from './request/send.operation';
import * as sendBatch from './request/sendBatch.operation';

/** Every operation, by resource and operation name. */
export const OPERATIONS: Operations<HttpConnection> = {
	request: { send, sendBatch },
};

/** The connection of the node's credential (or none) and base URL, with the Options' rate budget. */
async function connect(ctx: IExecuteFunctions): Promise<HttpConnection> {
	return await openHttpConnection(ctx, {
		authentication: ctx.getNodeParameter('authentication', 0) as string,
		baseUrl: ctx.getNodeParameter('baseUrl', 0, '') as string,
		...readConnectionOptions(ctx),
	});
}

/** Runs the chosen operation over all items. */
export const router = sharedRouter(OPERATIONS, connect);
