/**
 * HubSpot's wire format, shared by the simulator's handlers: the error shape (also for kit errors and injected
 * faults), ISO timestamps, JSON bodies and the `{status:'COMPLETE', results, errors?}` answer of batch endpoints.
 */
import { randomUUID } from 'node:crypto';
import {
	HttpError,
	json,
	type Clock,
	type FaultReplies,
	type Reply,
	type ReplyHeaders,
	type SandboxRequest,
} from '../kit';

/** A per-input error inside a 207 batch answer (HubSpot's `StandardError`). */
export interface BatchError {
	status: 'error';
	category: string;
	message: string;
	context?: Record<string, string[]>;
	errors?: unknown[];
}

export const ISO = (ms: number) => new Date(ms).toISOString();

/** A HubSpot-shaped error: `{status:'error', message, correlationId, category, ...extra}`. */
export function hubspotError(
	status: number,
	category: string,
	message: string,
	extra?: Record<string, unknown>,
): HttpError {
	return new HttpError(status, message, category, extra);
}

/** The request's JSON object body (400 `VALIDATION_ERROR` when it is not an object). */
export async function jsonBody<T>(req: SandboxRequest): Promise<T> {
	const body = await req.json<T>();
	if (body === undefined || body === null || typeof body !== 'object')
		throw hubspotError(
			400,
			'VALIDATION_ERROR',
			'Invalid input JSON: a JSON object body is required',
		);
	return body;
}

/** A batch answer: `status` when every input succeeded, else 207 with `numErrors` and `errors`. */
export function batchReply(
	req: SandboxRequest,
	clock: Clock,
	results: unknown[],
	errors: BatchError[],
	status: number,
): Reply {
	return json(
		{
			status: 'COMPLETE',
			results,
			...(errors.length ? { numErrors: errors.length, errors } : {}),
			startedAt: ISO(req.startedAt),
			completedAt: ISO(clock.now()),
		},
		errors.length ? 207 : status,
	);
}

const KIT_CATEGORIES: Record<string, string> = {
	not_found: 'OBJECT_NOT_FOUND',
	malformed_json: 'VALIDATION_ERROR',
	method_not_allowed: 'VALIDATION_ERROR',
	payload_too_large: 'VALIDATION_ERROR',
	malformed_path: 'VALIDATION_ERROR',
	invalid_client: 'VALIDATION_ERROR',
	invalid_request: 'VALIDATION_ERROR',
	internal_error: 'INTERNAL_ERROR',
};

/** A kit error (unknown route, bad JSON, …) in HubSpot's error shape. */
export function errorBody(err: HttpError): Reply {
	const category =
		err.code && /^[A-Z_]+$/.test(err.code)
			? err.code
			: (KIT_CATEGORIES[err.code ?? ''] ?? 'VALIDATION_ERROR');
	const message =
		err.code === 'not_found'
			? `Resource not found: ${err.message.replace(/^No route for /, '')}`
			: err.message;
	return json(
		{ status: 'error', message, correlationId: randomUUID(), category, ...err.details },
		err.status,
		{ ...err.headers },
	);
}

/** Injected `rateLimit` and `serverError` faults in HubSpot's shape (`TEN_SECONDLY_ROLLING` body, `BAD_GATEWAY`). */
export function faultReplies(
	privateAppId: number,
	tenSecondlyHeaders: (remaining: number) => ReplyHeaders,
): FaultReplies {
	return {
		rateLimited: (_req, retryAfter, status) =>
			json(
				{
					status: 'error',
					message: 'You have reached your ten_secondly_rolling limit.',
					errorType: 'RATE_LIMIT',
					correlationId: randomUUID(),
					policyName: 'TEN_SECONDLY_ROLLING',
					groupName: `publicapi:private-app-api-calls-ten-secondly:${privateAppId}`,
				},
				status,
				{ ...tenSecondlyHeaders(0), 'Retry-After': String(retryAfter) },
			),
		serverError: (_req, status, message) =>
			json(
				{
					status: 'error',
					message,
					correlationId: randomUUID(),
					category: status === 502 || status === 504 ? 'BAD_GATEWAY' : 'INTERNAL_ERROR',
				},
				status,
			),
	};
}
