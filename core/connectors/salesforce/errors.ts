/** Salesforce error mapping: per-record save errors, request-level errors, the daily API limit. */
import { type CrmError, isCrmError, isShortWindow } from '../../http/errors';
import type { BatchErrorClass, BatchItemError } from '../../batching/types';

/** One error of a save result (`statusCode` in Collections and Composite, `errorCode` in REST errors). */
export interface SalesforceSaveError {
	statusCode?: string;
	errorCode?: string;
	message?: string;
	fields?: string[];
}

/** A save result of sObject Collections / single-record writes. */
export interface SalesforceSaveResult {
	id?: string | null;
	success: boolean;
	created?: boolean;
	errors?: SalesforceSaveError[];
}

/** The code Salesforce uses when the org's rolling 24-hour API request allocation is used up. */
export const REQUEST_LIMIT_EXCEEDED = 'REQUEST_LIMIT_EXCEEDED';

/** Turns a failed save result into an item error carrying Salesforce's own code, message and fields. */
export function saveErrorToItemError(result: SalesforceSaveResult): BatchItemError {
	const errors = result.errors ?? [];
	if (errors.length === 0)
		return {
			message: 'Salesforce reported the record as not saved without giving a reason',
			code: 'UNKNOWN_ERROR',
		};
	const [first] = errors;
	const code = first.statusCode ?? first.errorCode ?? 'UNKNOWN_ERROR';
	const fields = errors.flatMap((e) => e.fields ?? []);
	const text = errors
		.map(
			(e) =>
				`${e.statusCode ?? e.errorCode ?? 'ERROR'}: ${e.message ?? 'no message'}${e.fields?.length ? ` [fields: ${e.fields.join(', ')}]` : ''}`,
		)
		.join('; ');
	return { message: text, code, details: { errors, ...(fields.length ? { fields } : {}) } };
}

/**
 * Whether an error is Salesforce's daily (rolling 24 h) API request limit: `REQUEST_LIMIT_EXCEEDED` marked not
 * retryable, or saying "TotalRequests Limit exceeded" without a short server-requested wait (a `Retry-After` of
 * seconds is a short-window limit, whatever the text; `ConcurrentPerOrgLongTxn` is the concurrency limit).
 */
export function isDailyLimitError(error: unknown): boolean {
	if (!isCrmError(error) || error.crmCode !== REQUEST_LIMIT_EXCEEDED) return false;
	if (error.retryable === false) return true;
	return (
		/TotalRequests Limit exceeded/i.test(error.crmMessage ?? error.message) &&
		!isShortWindow(error.retryAfterMs)
	);
}

/** Item error for a request-level failure (the whole Collections call failed). */
export function describeRequestError(error: unknown): BatchItemError {
	if (isCrmError(error)) {
		if (isDailyLimitError(error)) {
			return {
				message: `not written: the Salesforce org's daily API request limit is used up (${REQUEST_LIMIT_EXCEEDED}: ${error.crmMessage ?? 'TotalRequests Limit exceeded'}). Nothing was lost: this record was not sent or was rejected before processing — re-run it once the limit frees up (it is a rolling 24-hour window).`,
				code: REQUEST_LIMIT_EXCEEDED,
				details: { kind: error.kind, status: error.status, crmMessage: error.crmMessage },
			};
		}
		return {
			message: error.message,
			code: error.crmCode ?? error.kind,
			details: {
				kind: error.kind,
				status: error.status,
				...(error.hint ? { hint: error.hint } : {}),
			},
		};
	}
	return { message: error instanceof Error ? error.message : String(error), code: 'ERROR' };
}

/**
 * How the batch layer reacts to a failed Collections call: the daily limit and credential problems stop the
 * run (the remaining records are reported as not sent); a 400 naming the payload is split to isolate the bad
 * record; everything else fails that chunk only (the HTTP layer has already retried what was safe to retry).
 */
export function classifyCollectionsError(error: unknown): BatchErrorClass {
	if (!isCrmError(error)) return 'failChunk';
	const e: CrmError = error;
	if (isDailyLimitError(e)) return 'fatal';
	if (e.kind === 'authentication' || e.kind === 'permission') return 'fatal';
	if (e.status === 400 || e.status === 413) return 'splittable';
	return 'failChunk';
}
