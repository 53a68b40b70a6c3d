/**
 * Per-item reasons of the generic HTTP nodes: the HTTP status and the API's own message, and "outcome unknown" as its
 * own result when a request that is not safe to repeat was sent but its answer was lost (a timeout, a dropped
 * connection, a gateway error): it may or may not have been applied.
 */
import { BATCH_CODES, type BatchItemError } from '../../../core/batching/types';
import { isCrmError } from '../../../core/http/errors';
import type { HttpMethod } from '../../../core/http/types';

/** Whether a request with this method is repeated safely by default (the node lets the user say so for others). */
export function idempotentMethod(method: string): boolean {
	return ['GET', 'HEAD', 'PUT', 'DELETE'].includes(method.toUpperCase());
}

/** Whether an error means the request may have been applied although no answer says so. */
export function outcomeUnknown(error: unknown, method: HttpMethod, idempotent: boolean): boolean {
	if (!isCrmError(error) || idempotent) return false;
	if (error.reachedServer === false || idempotentMethod(method)) return false;
	if (error.status === undefined) return error.kind === 'transient';
	return error.status === 502 || error.status === 504;
}

/** The reason of a failed request, as an item's error. */
export function describeHttpError(
	error: unknown,
	method: HttpMethod,
	idempotent: boolean,
): BatchItemError {
	if (outcomeUnknown(error, method, idempotent) && isCrmError(error)) {
		return {
			message: `outcome unknown: the ${method} request was sent but its answer was lost (${error.message}) — it may or may not have been applied. Check in the API before re-running this item: re-running it may apply it twice. (Mark the request "Safe to Repeat" in the options when it is, to let the node retry it.)`,
			code: BATCH_CODES.outcomeUnknown,
			details: { request: error.request, networkCode: error.networkCode, status: error.status },
		};
	}
	if (isCrmError(error)) {
		return {
			message: error.message,
			code: error.crmCode ?? error.kind,
			details: {
				status: error.status,
				...(error.crmMessage ? { apiMessage: error.crmMessage } : {}),
				...(error.hint ? { hint: error.hint } : {}),
			},
		};
	}
	return { message: error instanceof Error ? error.message : String(error) };
}
