/** The GraphQL simulator's error answers: `{errors: [{message, extensions: {code}}]}` for every refusal. */
import {
	json,
	xRateLimitHeaders,
	type AuthFailure,
	type FaultReplies,
	type HttpError,
	type LimitState,
	type Reply,
} from '../kit';

/** A body with one GraphQL error. */
export function gqlErrorBody(
	message: string,
	code: string,
	extra: Record<string, unknown> = {},
): { errors: Array<{ message: string; extensions: Record<string, unknown> }> } {
	return { errors: [{ message, extensions: { code, ...extra } }] };
}

/** Thrown `HttpError`s (bad content type, malformed JSON, 404, 413, …). */
export const errorReply = (err: HttpError): Reply =>
	json(gqlErrorBody(err.message, err.code ?? `HTTP_${err.status}`), err.status, err.headers);

/** Injected faults. */
export const faultReplies: FaultReplies = {
	rateLimited: (_req, retryAfter, status) =>
		json(gqlErrorBody('Too many requests, retry later', 'RATE_LIMITED', { retryAfter }), status, {
			'Retry-After': String(retryAfter),
		}),
	serverError: (_req, status, message) =>
		json(gqlErrorBody(message, 'INTERNAL_SERVER_ERROR'), status),
};

/** 401 for missing, bad or expired credentials. */
export const unauthorized = (_req: unknown, reason: AuthFailure): Reply =>
	json(
		gqlErrorBody(
			reason === 'missing'
				? 'This endpoint requires you to be authenticated (X-API-Key or Authorization: Bearer).'
				: reason === 'expired'
					? 'The access token expired.'
					: 'Bad credentials.',
			'UNAUTHENTICATED',
		),
		401,
		{ 'WWW-Authenticate': 'Bearer realm="graphql"' },
	);

const limitMessage = (state: LimitState) =>
	`API rate limit exceeded: ${state.limit} requests per ${state.windowMs / 1000} s.`;

/** The rate limit's answer body in `http` style (429; the kit adds `Retry-After` and `X-RateLimit-*`). */
export const rateLimitBody = (state: LimitState) =>
	gqlErrorBody(limitMessage(state), 'RATE_LIMITED');

/** The rate limit's answer in `graphql` style (GitHub): 200, `data: null`, the wait only in `X-RateLimit-Reset`. */
export function graphqlStyleRateLimit(state: LimitState, now: number): Reply {
	return json(
		{
			data: null,
			errors: [
				{
					type: 'RATE_LIMITED',
					message: limitMessage(state),
					extensions: { code: 'RATE_LIMITED' },
				},
			],
		},
		200,
		xRateLimitHeaders(state, now, 'epoch-seconds'),
	);
}
