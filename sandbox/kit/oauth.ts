/**
 * An OAuth 2.0 authorization server every simulator can mount: the token endpoint (grants
 * `client_credentials`, `password`, `refresh_token` with optional rotation, `authorization_code` with
 * PKCE, and the JWT bearer grant with RS256 assertions), an `/authorize` endpoint that approves at once
 * and redirects back with a code (what n8n's OAuth2 credential flow needs), and request authentication
 * by bearer token or API key. Token and error bodies are shaped per vendor through hooks.
 */
import { createHash, createHmac, randomBytes, type KeyObject } from 'node:crypto';
import jwt from 'jsonwebtoken';
import { systemClock, type Clock } from './clock';
import type { FaultInjector } from './faults';
import {
	HttpError,
	json,
	redirect,
	type Handler,
	type Middleware,
	type Reply,
	type SandboxRequest,
} from './http';

/** The JWT bearer grant type URN. */
export const JWT_BEARER_GRANT = 'urn:ietf:params:oauth:grant-type:jwt-bearer';

/** Supported grant types. */
export type GrantType =
	| 'client_credentials'
	| 'password'
	| 'refresh_token'
	| 'authorization_code'
	| typeof JWT_BEARER_GRANT;

const ALL_GRANTS: readonly GrantType[] = [
	'client_credentials',
	'password',
	'refresh_token',
	'authorization_code',
	JWT_BEARER_GRANT,
];

/** A registered OAuth client (connected app / app registration). */
export interface OAuthClient {
	clientId: string;
	/** Needed by every grant except the JWT bearer grant. */
	clientSecret?: string;
	/** Allowed redirect URIs for the code flow; empty or absent = any `http://127.0.0.1`/`localhost` or https URI. */
	redirectUris?: string[];
	/** Grants this client may use (default all). */
	grants?: GrantType[];
	/** Public key (PEM or KeyObject) that verifies this client's JWT assertions. */
	jwtPublicKey?: string | KeyObject;
	/** The principal for `client_credentials` tokens (default the client id). */
	subject?: string;
	/** Scopes granted when the request names none. */
	defaultScopes?: string[];
}

/** A user for the password, JWT bearer and code grants. */
export interface OAuthUser {
	username: string;
	password: string;
	/** Vendor user id (e.g. Salesforce `005…`), default the username. */
	id?: string;
}

/** An issued access token. */
export interface IssuedToken {
	accessToken: string;
	refreshToken?: string;
	clientId: string;
	/** The user (or client) the token acts for. */
	subject: string;
	scope: string[];
	grant: GrantType | 'static';
	issuedAt: number;
	/** Epoch ms; `Infinity` for tokens that never expire. */
	expiresAt: number;
	/** Set when invalidated on demand (answers as expired). */
	forcedExpired?: boolean;
}

/** Who an authenticated request acts for. */
export interface Principal {
	via: 'bearer' | 'apiKey';
	subject: string;
	clientId?: string;
	scope: string[];
	token?: IssuedToken;
}

/** Why authentication failed. */
export type AuthFailure = 'missing' | 'invalid' | 'expired';

/** Context given to the token response shaper. */
export interface TokenContext {
	grant: GrantType;
	client: OAuthClient;
	subject: string;
	user?: OAuthUser;
	token: IssuedToken;
	req: SandboxRequest;
}

/** Turns the standard token response into the vendor's. */
export type TokenResponseShaper = (
	base: Record<string, unknown>,
	ctx: TokenContext,
) => Record<string, unknown>;

/** Standard OAuth error codes. */
export type OAuthErrorCode =
	| 'invalid_request'
	| 'invalid_client'
	| 'invalid_grant'
	| 'unauthorized_client'
	| 'unsupported_grant_type'
	| 'unsupported_response_type'
	| 'invalid_scope'
	| 'access_denied';

/** Options for {@link OAuthServer}. */
export interface OAuthServerOptions {
	clock?: Clock;
	clients: OAuthClient[];
	users?: OAuthUser[];
	/** Access token lifetime (default 3600 s). */
	accessTokenTtlSeconds?: number;
	/** Refresh token lifetime (default: never expires). */
	refreshTokenTtlSeconds?: number;
	/** Issue a new refresh token on every refresh and invalidate the old one (default false). */
	rotateRefreshTokens?: boolean;
	/** Which grants return a refresh token (default password, authorization_code, refresh_token). */
	refreshTokenGrants?: GrantType[];
	/** Accepted `aud` values of JWT assertions (default: any). */
	jwtAudience?: string | string[];
	/** Maximum assertion lifetime `exp - now` in seconds (Salesforce: 180); default unlimited. */
	jwtMaxLifetimeSeconds?: number;
	/** API keys accepted by {@link OAuthServer.authenticate}: key → subject. */
	apiKeys?: { keys: Record<string, string>; header?: string; queryParam?: string };
	/** Prefix of generated access tokens (e.g. a Salesforce org id + `!`, HubSpot `pat-na1-`). */
	tokenPrefix?: string;
	/** Authorization schemes accepted for bearer tokens (default `Bearer`; Salesforce also `OAuth`). */
	authSchemes?: string[];
	/** Lifetime of authorization codes (default 600 s). */
	codeTtlSeconds?: number;
	/** The user `/authorize` approves for when no `login_hint` names one (default the first user). */
	defaultUser?: string;
	shapeToken?: TokenResponseShaper;
	/** Token endpoint error answer (default `{error, error_description}`). */
	errorReply?: (
		status: number,
		error: OAuthErrorCode,
		description: string,
		req: SandboxRequest,
	) => Reply;
	/** The 401 answer for unauthenticated API requests. */
	unauthorized?: (req: SandboxRequest, reason: AuthFailure) => Reply;
}

interface AuthCode {
	code: string;
	clientId: string;
	redirectUri?: string;
	subject: string;
	scope: string[];
	expiresAt: number;
	challenge?: { value: string; method: 'S256' | 'plain' };
}

interface RefreshEntry {
	token: string;
	clientId: string;
	subject: string;
	scope: string[];
	expiresAt: number;
}

class OAuthError extends Error {
	constructor(
		readonly status: number,
		readonly code: OAuthErrorCode,
		description: string,
	) {
		super(description);
	}
}

/** Default 401 answer: RFC 6750 `WWW-Authenticate` plus `{error, error_description}`. */
export function defaultUnauthorized(_req: SandboxRequest, reason: AuthFailure): Reply {
	const description =
		reason === 'missing'
			? 'No credentials were supplied'
			: reason === 'expired'
				? 'The access token expired'
				: 'The access token is invalid';
	const challenge =
		reason === 'missing'
			? 'Bearer realm="sandbox"'
			: `Bearer realm="sandbox", error="invalid_token", error_description="${description}"`;
	return json(
		{
			error: reason === 'missing' ? 'unauthorized' : 'invalid_token',
			error_description: description,
		},
		401,
		{
			'WWW-Authenticate': challenge,
		},
	);
}

/** The principal stored in `req.locals` by the middleware. */
export const PRINCIPAL_KEY = 'principal';

/** Reads the authenticated principal the middleware stored on a request. */
export function principalOf(req: SandboxRequest): Principal | undefined {
	return req.locals.get(PRINCIPAL_KEY) as Principal | undefined;
}

/** An in-memory OAuth 2.0 authorization server. */
export class OAuthServer {
	private readonly clock: Clock;
	private readonly clients = new Map<string, OAuthClient>();
	private readonly users = new Map<string, OAuthUser>();
	private readonly tokens = new Map<string, IssuedToken>();
	private readonly refreshTokens = new Map<string, RefreshEntry>();
	private readonly codes = new Map<string, AuthCode>();
	private readonly options: OAuthServerOptions;
	private accessTtlMs: number;

	constructor(options: OAuthServerOptions) {
		this.options = options;
		this.clock = options.clock ?? systemClock;
		this.accessTtlMs = (options.accessTokenTtlSeconds ?? 3600) * 1000;
		for (const c of options.clients) this.addClient(c);
		for (const u of options.users ?? []) this.addUser(u);
	}

	addClient(client: OAuthClient): void {
		this.clients.set(client.clientId, client);
	}

	addUser(user: OAuthUser): void {
		this.users.set(user.username, user);
	}

	/** Changes the lifetime of access tokens issued from now on. */
	setAccessTokenTtl(seconds: number): void {
		this.accessTtlMs = seconds * 1000;
	}

	/** Makes `faults.expireTokens()` (and the admin endpoint) invalidate this server's tokens. */
	attachFaults(faults: FaultInjector): () => void {
		return faults.onExpireTokens(() => this.expireAll());
	}

	// ---- tokens ------------------------------------------------------------------------------------

	/**
	 * Issues an access token directly (e.g. the pre-issued token of the sandbox contract, or a HubSpot
	 * private-app token with `ttlSeconds: Infinity`).
	 */
	issue(params: {
		clientId: string;
		subject: string;
		scope?: string[];
		ttlSeconds?: number;
		accessToken?: string;
		withRefreshToken?: boolean;
	}): IssuedToken {
		const now = this.clock.now();
		const ttl = params.ttlSeconds === undefined ? this.accessTtlMs : params.ttlSeconds * 1000;
		const token: IssuedToken = {
			accessToken: params.accessToken ?? this.newToken(),
			clientId: params.clientId,
			subject: params.subject,
			scope: params.scope ?? [],
			grant: 'static',
			issuedAt: now,
			expiresAt: now + ttl,
		};
		if (params.withRefreshToken)
			token.refreshToken = this.newRefresh(params.clientId, params.subject, token.scope);
		this.tokens.set(token.accessToken, token);
		return token;
	}

	/** The record of an access token, if known. */
	lookup(accessToken: string): IssuedToken | undefined {
		return this.tokens.get(accessToken);
	}

	/** Invalidates one access token (it then answers as expired). */
	expire(accessToken: string): boolean {
		const t = this.tokens.get(accessToken);
		if (!t) return false;
		t.forcedExpired = true;
		return true;
	}

	/** Invalidates every access token issued so far (refresh tokens stay valid); returns how many. */
	expireAll(): number {
		let n = 0;
		for (const t of this.tokens.values()) {
			if (!t.forcedExpired && t.expiresAt > this.clock.now()) n++;
			t.forcedExpired = true;
		}
		return n;
	}

	/** Forgets an access or refresh token entirely (it then answers as invalid). */
	revoke(token: string): boolean {
		return this.tokens.delete(token) || this.refreshTokens.delete(token);
	}

	// ---- authentication of API requests -------------------------------------------------------------

	/** Authenticates a request by API key (if configured) or bearer token. */
	authenticate(
		req: SandboxRequest,
	): { ok: true; principal: Principal } | { ok: false; reason: AuthFailure; reply: Reply } {
		const fail = (reason: AuthFailure) => ({
			ok: false as const,
			reason,
			reply: (this.options.unauthorized ?? defaultUnauthorized)(req, reason),
		});
		const keys = this.options.apiKeys;
		if (keys) {
			const presented =
				req.header(keys.header ?? 'X-API-Key') ??
				(keys.queryParam ? (req.query.get(keys.queryParam) ?? undefined) : undefined);
			if (presented !== undefined) {
				const subject = keys.keys[presented];
				return subject !== undefined
					? { ok: true, principal: { via: 'apiKey', subject, scope: [] } }
					: fail('invalid');
			}
		}
		const authz = req.header('authorization');
		if (!authz) return fail('missing');
		const space = authz.indexOf(' ');
		const scheme = space > 0 ? authz.slice(0, space) : '';
		const value = space > 0 ? authz.slice(space + 1).trim() : '';
		const schemes = (this.options.authSchemes ?? ['Bearer']).map((s) => s.toLowerCase());
		if (!schemes.includes(scheme.toLowerCase()) || value === '') return fail('invalid');
		const token = this.tokens.get(value);
		if (!token) return fail('invalid');
		if (token.forcedExpired || this.clock.now() >= token.expiresAt) return fail('expired');
		return {
			ok: true,
			principal: {
				via: 'bearer',
				subject: token.subject,
				clientId: token.clientId,
				scope: token.scope,
				token,
			},
		};
	}

	/** Middleware that answers 401 unless authenticated; `skip` exempts requests (e.g. the token endpoint). */
	middleware(options: { skip?: (req: SandboxRequest) => boolean } = {}): Middleware {
		return async (req, next) => {
			if (options.skip?.(req)) return next();
			const result = this.authenticate(req);
			if (!result.ok) return result.reply;
			req.locals.set(PRINCIPAL_KEY, result.principal);
			return next();
		};
	}

	// ---- endpoints ---------------------------------------------------------------------------------

	/** The token endpoint (`POST`, form-encoded or JSON body; client auth by HTTP Basic or body). */
	readonly tokenHandler: Handler = async (req) => {
		try {
			return await this.token(req);
		} catch (err) {
			if (err instanceof OAuthError) return this.oauthError(req, err);
			throw err;
		}
	};

	/**
	 * The authorization endpoint (`GET`): validates the client and redirect URI, approves at once for
	 * `login_hint` or the default user, and redirects to `redirect_uri?code=…&state=…`.
	 */
	readonly authorizeHandler: Handler = (req) => {
		const q = req.query;
		const clientId = q.get('client_id') ?? '';
		const client = this.clients.get(clientId);
		if (!client)
			throw new HttpError(400, `Unknown client_id ${JSON.stringify(clientId)}`, 'invalid_client');
		const redirectUri = q.get('redirect_uri') ?? client.redirectUris?.[0];
		if (!redirectUri) throw new HttpError(400, 'redirect_uri is required', 'invalid_request');
		if (!this.redirectAllowed(client, redirectUri))
			throw new HttpError(400, `redirect_uri not registered: ${redirectUri}`, 'invalid_request');
		const back = new URL(redirectUri);
		const state = q.get('state');
		if (state !== null) back.searchParams.set('state', state);
		const bounce = (error: OAuthErrorCode, description: string) => {
			back.searchParams.set('error', error);
			back.searchParams.set('error_description', description);
			return redirect(back.toString());
		};
		if (q.get('response_type') !== 'code')
			return bounce('unsupported_response_type', 'Only response_type=code is supported');
		if (!this.grantAllowed(client, 'authorization_code'))
			return bounce('unauthorized_client', 'Client may not use the code flow');
		const username = q.get('login_hint') ?? this.options.defaultUser ?? [...this.users.keys()][0];
		if (username === undefined || !this.users.has(username))
			return bounce('access_denied', 'No user to approve the request');
		let challenge: AuthCode['challenge'];
		const challengeValue = q.get('code_challenge');
		if (challengeValue !== null) {
			const method = q.get('code_challenge_method') ?? 'plain';
			if (method !== 'S256' && method !== 'plain')
				return bounce('invalid_request', 'code_challenge_method must be S256 or plain');
			challenge = { value: challengeValue, method };
		}
		const code = randomBytes(24).toString('base64url');
		this.codes.set(code, {
			code,
			clientId,
			redirectUri: q.get('redirect_uri') ?? undefined,
			subject: username,
			scope: splitScope(q.get('scope')) ?? client.defaultScopes ?? [],
			expiresAt: this.clock.now() + (this.options.codeTtlSeconds ?? 600) * 1000,
			challenge,
		});
		back.searchParams.set('code', code);
		return redirect(back.toString());
	};

	private async token(req: SandboxRequest): Promise<Reply> {
		const body = await req.body();
		let params: Map<string, string>;
		if (body.kind === 'form') params = new Map(body.value);
		else if (
			body.kind === 'json' &&
			typeof body.value === 'object' &&
			body.value !== null &&
			!Array.isArray(body.value)
		) {
			params = new Map(
				Object.entries(body.value as Record<string, unknown>).filter(
					([, v]) => typeof v === 'string',
				) as Array<[string, string]>,
			);
		} else if (body.kind === 'empty') params = new Map();
		else
			throw new OAuthError(
				400,
				'invalid_request',
				'The body must be application/x-www-form-urlencoded',
			);
		const grant = params.get('grant_type');
		if (!grant) throw new OAuthError(400, 'invalid_request', 'grant_type is required');
		if (!(ALL_GRANTS as readonly string[]).includes(grant))
			throw new OAuthError(400, 'unsupported_grant_type', `grant type not supported: ${grant}`);
		const g = grant as GrantType;
		if (g === JWT_BEARER_GRANT) return this.jwtBearer(req, params);

		const client = this.authenticateClient(req, params);
		if (!this.grantAllowed(client, g))
			throw new OAuthError(400, 'unauthorized_client', `client may not use grant type ${g}`);
		const requested = splitScope(params.get('scope'));
		switch (g) {
			case 'client_credentials':
				return this.grantReply(
					req,
					g,
					client,
					client.subject ?? client.clientId,
					requested ?? client.defaultScopes ?? [],
				);
			case 'password': {
				const username = params.get('username');
				const password = params.get('password');
				if (!username || password === undefined)
					throw new OAuthError(400, 'invalid_request', 'username and password are required');
				const user = this.users.get(username);
				if (!user || user.password !== password)
					throw new OAuthError(400, 'invalid_grant', 'authentication failure');
				return this.grantReply(
					req,
					g,
					client,
					user.username,
					requested ?? client.defaultScopes ?? [],
					user,
				);
			}
			case 'refresh_token': {
				const presented = params.get('refresh_token');
				if (!presented) throw new OAuthError(400, 'invalid_request', 'refresh_token is required');
				const entry = this.refreshTokens.get(presented);
				if (!entry || entry.clientId !== client.clientId)
					throw new OAuthError(400, 'invalid_grant', 'expired access/refresh token');
				if (this.clock.now() >= entry.expiresAt) {
					this.refreshTokens.delete(presented);
					throw new OAuthError(400, 'invalid_grant', 'expired access/refresh token');
				}
				const rotate = this.options.rotateRefreshTokens ?? false;
				if (rotate) this.refreshTokens.delete(presented);
				return this.grantReply(
					req,
					g,
					client,
					entry.subject,
					requested ?? entry.scope,
					this.users.get(entry.subject),
					rotate ? undefined : presented,
				);
			}
			case 'authorization_code': {
				const codeValue = params.get('code');
				if (!codeValue) throw new OAuthError(400, 'invalid_request', 'code is required');
				const code = this.codes.get(codeValue);
				this.codes.delete(codeValue);
				if (!code || code.clientId !== client.clientId || this.clock.now() >= code.expiresAt) {
					throw new OAuthError(400, 'invalid_grant', 'invalid authorization code');
				}
				if (code.redirectUri !== undefined && params.get('redirect_uri') !== code.redirectUri) {
					throw new OAuthError(400, 'invalid_grant', 'redirect_uri mismatch');
				}
				if (code.challenge) {
					const verifier = params.get('code_verifier');
					if (!verifier) throw new OAuthError(400, 'invalid_grant', 'code_verifier is required');
					const computed =
						code.challenge.method === 'S256'
							? createHash('sha256').update(verifier).digest('base64url')
							: verifier;
					if (computed !== code.challenge.value)
						throw new OAuthError(
							400,
							'invalid_grant',
							'code_verifier does not match the challenge',
						);
				}
				return this.grantReply(
					req,
					g,
					client,
					code.subject,
					code.scope,
					this.users.get(code.subject),
				);
			}
			default:
				throw new OAuthError(400, 'unsupported_grant_type', `grant type not supported: ${g}`);
		}
	}

	private jwtBearer(req: SandboxRequest, params: Map<string, string>): Reply {
		const assertion = params.get('assertion');
		if (!assertion) throw new OAuthError(400, 'invalid_request', 'assertion is required');
		const decoded = jwt.decode(assertion, { json: true });
		if (!decoded || typeof decoded.iss !== 'string')
			throw new OAuthError(400, 'invalid_grant', 'invalid assertion');
		const client = this.clients.get(decoded.iss);
		if (!client) throw new OAuthError(400, 'invalid_client', 'invalid client credentials');
		if (!client.jwtPublicKey)
			throw new OAuthError(400, 'invalid_client', 'client has no certificate for JWT bearer');
		if (!this.grantAllowed(client, JWT_BEARER_GRANT))
			throw new OAuthError(400, 'unauthorized_client', 'client may not use the JWT bearer grant');
		const nowSec = Math.floor(this.clock.now() / 1000);
		let payload: jwt.JwtPayload;
		try {
			const verified = jwt.verify(assertion, client.jwtPublicKey, {
				algorithms: ['RS256'],
				issuer: client.clientId,
				clockTimestamp: nowSec,
				...(this.options.jwtAudience !== undefined
					? { audience: this.options.jwtAudience as string | [string, ...string[]] }
					: {}),
			});
			if (typeof verified === 'string') throw new Error('payload is not a JSON object');
			payload = verified;
		} catch (err) {
			const reason =
				err instanceof jwt.TokenExpiredError
					? 'expired assertion'
					: `invalid assertion: ${(err as Error).message}`;
			throw new OAuthError(400, 'invalid_grant', reason);
		}
		if (typeof payload.exp !== 'number')
			throw new OAuthError(400, 'invalid_grant', 'invalid assertion: exp is required');
		const maxLife = this.options.jwtMaxLifetimeSeconds;
		if (maxLife !== undefined && payload.exp - nowSec > maxLife) {
			throw new OAuthError(
				400,
				'invalid_grant',
				`invalid assertion: exp more than ${maxLife} s ahead`,
			);
		}
		if (typeof payload.sub !== 'string' || payload.sub === '')
			throw new OAuthError(400, 'invalid_grant', 'invalid assertion: sub is required');
		const user = this.users.get(payload.sub);
		if (this.users.size > 0 && !user)
			throw new OAuthError(400, 'invalid_grant', "user hasn't approved this consumer");
		return this.grantReply(
			req,
			JWT_BEARER_GRANT,
			client,
			payload.sub,
			splitScope(params.get('scope')) ?? client.defaultScopes ?? [],
			user,
		);
	}

	private grantReply(
		req: SandboxRequest,
		grant: GrantType,
		client: OAuthClient,
		subject: string,
		scope: string[],
		user?: OAuthUser,
		keepRefresh?: string,
	): Reply {
		const now = this.clock.now();
		this.prune(now);
		const token: IssuedToken = {
			accessToken: this.newToken(),
			clientId: client.clientId,
			subject,
			scope,
			grant,
			issuedAt: now,
			expiresAt: now + this.accessTtlMs,
		};
		const refreshGrants = this.options.refreshTokenGrants ?? [
			'password',
			'authorization_code',
			'refresh_token',
		];
		if (keepRefresh !== undefined) {
			// no rotation: the client keeps its refresh token, the response does not repeat it
		} else if (refreshGrants.includes(grant)) {
			token.refreshToken = this.newRefresh(client.clientId, subject, scope);
		}
		this.tokens.set(token.accessToken, token);
		const base: Record<string, unknown> = {
			access_token: token.accessToken,
			token_type: 'Bearer',
			expires_in: Math.round(this.accessTtlMs / 1000),
			...(token.refreshToken ? { refresh_token: token.refreshToken } : {}),
			...(scope.length > 0 ? { scope: scope.join(' ') } : {}),
		};
		const body = this.options.shapeToken
			? this.options.shapeToken(base, { grant, client, subject, user, token, req })
			: base;
		return json(body, 200, { 'Cache-Control': 'no-store', Pragma: 'no-cache' });
	}

	private authenticateClient(req: SandboxRequest, params: Map<string, string>): OAuthClient {
		let id = params.get('client_id');
		let secret = params.get('client_secret');
		const authz = req.header('authorization');
		if (authz && authz.toLowerCase().startsWith('basic ')) {
			const decoded = Buffer.from(authz.slice(6).trim(), 'base64').toString('utf8');
			const colon = decoded.indexOf(':');
			if (colon < 0) throw new OAuthError(401, 'invalid_client', 'malformed Basic credentials');
			id = decodeURIComponent(decoded.slice(0, colon).replace(/\+/g, ' '));
			secret = decodeURIComponent(decoded.slice(colon + 1).replace(/\+/g, ' '));
		}
		if (!id) throw new OAuthError(401, 'invalid_client', 'client_id is required');
		const client = this.clients.get(id);
		if (!client) throw new OAuthError(401, 'invalid_client', 'invalid client credentials');
		if (client.clientSecret !== undefined && secret !== client.clientSecret) {
			throw new OAuthError(401, 'invalid_client', 'invalid client credentials');
		}
		return client;
	}

	private grantAllowed(client: OAuthClient, grant: GrantType): boolean {
		return (client.grants ?? ALL_GRANTS).includes(grant);
	}

	private redirectAllowed(client: OAuthClient, uri: string): boolean {
		if (client.redirectUris && client.redirectUris.length > 0)
			return client.redirectUris.includes(uri);
		try {
			const u = new URL(uri);
			return u.protocol === 'https:' || u.hostname === '127.0.0.1' || u.hostname === 'localhost';
		} catch {
			return false;
		}
	}

	private oauthError(req: SandboxRequest, err: OAuthError): Reply {
		if (this.options.errorReply)
			return this.options.errorReply(err.status, err.code, err.message, req);
		const headers: Record<string, string> = { 'Cache-Control': 'no-store' };
		if (err.status === 401) headers['WWW-Authenticate'] = 'Basic realm="sandbox"';
		return json({ error: err.code, error_description: err.message }, err.status, headers);
	}

	private newToken(): string {
		return (this.options.tokenPrefix ?? '') + randomBytes(24).toString('base64url');
	}

	private newRefresh(clientId: string, subject: string, scope: string[]): string {
		const token = randomBytes(32).toString('base64url');
		const ttl = this.options.refreshTokenTtlSeconds;
		this.refreshTokens.set(token, {
			token,
			clientId,
			subject,
			scope,
			expiresAt: ttl === undefined ? Infinity : this.clock.now() + ttl * 1000,
		});
		return token;
	}

	/** Forgets access tokens that expired over a day ago, so long runs stay bounded. */
	private prune(now: number): void {
		const horizon = now - 86_400_000;
		for (const [key, t] of this.tokens) if (t.expiresAt < horizon) this.tokens.delete(key);
		for (const [key, c] of this.codes) if (c.expiresAt < now) this.codes.delete(key);
	}
}

function splitScope(scope: string | null | undefined): string[] | undefined {
	if (scope === null || scope === undefined || scope.trim() === '') return undefined;
	return scope.trim().split(/\s+/);
}

// ---- vendor token shapes --------------------------------------------------------------------------

/**
 * Salesforce token response: `access_token`, `refresh_token?`, `signature` (Base64 HMAC-SHA256 of
 * `id + issued_at` keyed by the client secret), `scope`, `instance_url`, `id`
 * (`{loginUrl}/id/{orgId}/{userId}`), `token_type`, `issued_at` (ms, as a string); no `expires_in`.
 */
export function salesforceTokenShape(options: {
	orgId: string;
	/** Defaults to the request's own base URL. */
	instanceUrl?: (req: SandboxRequest) => string;
	loginUrl?: (req: SandboxRequest) => string;
}): TokenResponseShaper {
	return (base, ctx) => {
		const instanceUrl = options.instanceUrl ? options.instanceUrl(ctx.req) : ctx.req.baseUrl;
		const loginUrl = options.loginUrl ? options.loginUrl(ctx.req) : ctx.req.baseUrl;
		const userId = ctx.user?.id ?? ctx.subject;
		const id = `${loginUrl}/id/${options.orgId}/${userId}`;
		const issuedAt = String(ctx.token.issuedAt);
		const signature = createHmac('sha256', ctx.client.clientSecret ?? '')
			.update(id + issuedAt)
			.digest('base64');
		return {
			access_token: base.access_token,
			...(base.refresh_token !== undefined ? { refresh_token: base.refresh_token } : {}),
			signature,
			scope: base.scope ?? 'api',
			instance_url: instanceUrl,
			id,
			token_type: 'Bearer',
			issued_at: issuedAt,
		};
	};
}

/** Microsoft identity platform (v2.0) token response: `token_type`, `expires_in`, `ext_expires_in`, `access_token`. */
export function microsoftTokenShape(): TokenResponseShaper {
	return (base) => ({
		token_type: 'Bearer',
		...(base.scope !== undefined ? { scope: base.scope } : {}),
		expires_in: base.expires_in,
		ext_expires_in: base.expires_in,
		access_token: base.access_token,
		...(base.refresh_token !== undefined ? { refresh_token: base.refresh_token } : {}),
	});
}
