/**
 * The REST simulator's static auth styles besides the API key and OAuth2 bearer tokens: HTTP Basic (one user) and a
 * fixed bearer token (a personal access token). A request authenticated here skips the OAuth middleware.
 */
import { json, PRINCIPAL_KEY, type Middleware } from '../kit';

/** The default Basic user of the REST simulator. */
export const DEFAULT_REST_BASIC = {
	username: 'sandbox-rest-user',
	password: 'sandbox-rest-password',
};

/** The default static bearer token of the REST simulator. */
export const DEFAULT_REST_BEARER_TOKEN = 'sandbox-rest-static-token';

/** The query parameter that may carry the API key instead of the `X-API-Key` header. */
export const REST_API_KEY_QUERY_PARAM = 'api_key';

/**
 * Authenticates `Authorization: Basic …` against the one user: right credentials set the principal (subject
 * `basic:<user>`), wrong ones answer 401 with a `Basic` challenge. Other requests pass on untouched, and so does the
 * token endpoint (where Basic carries the OAuth2 client's id and secret).
 */
export function basicAuthMiddleware(user: { username: string; password: string }): Middleware {
	return async (req, next) => {
		const authz = req.header('authorization');
		if (req.kind === 'token' || !authz || !/^basic\s/i.test(authz)) return next();
		const decoded = Buffer.from(authz.slice(6).trim(), 'base64').toString('utf8');
		const colon = decoded.indexOf(':');
		if (
			colon < 0 ||
			decoded.slice(0, colon) !== user.username ||
			decoded.slice(colon + 1) !== user.password
		) {
			return json(
				{ error: 'invalid_credentials', error_description: 'The user name or password is wrong' },
				401,
				{ 'WWW-Authenticate': 'Basic realm="sandbox"' },
			);
		}
		// `via` is the kit's union of bearer | apiKey; Basic is this simulator's own addition.
		req.locals.set(PRINCIPAL_KEY, { via: 'basic', subject: `basic:${user.username}`, scope: [] });
		return next();
	};
}

/**
 * Accepts `Authorization: Bearer <token>` for the one static token (subject `static-token`); it is not an OAuth2
 * token, so expiring the OAuth2 tokens leaves it valid. Other requests pass on untouched.
 */
export function staticTokenMiddleware(token: string): Middleware {
	return async (req, next) => {
		const authz = req.header('authorization');
		if (req.kind !== 'token' && authz !== undefined && authz.trim() === `Bearer ${token}`)
			req.locals.set(PRINCIPAL_KEY, { via: 'bearer', subject: 'static-token', scope: [] });
		return next();
	};
}

/** Whether a request was already authenticated by one of these middlewares. */
export function alreadyAuthenticated(req: { locals: Map<string, unknown> }): boolean {
	return req.locals.has(PRINCIPAL_KEY);
}
