/**
 * OAuth 2.0 token providers: client credentials, refresh token (with rotation) and JWT bearer assertion
 * (RFC 7523). Tokens are cached until `expires_in` minus a skew, concurrent callers share one token request,
 * a 401 renews the token once, and every token and secret is registered with the redactor.
 */
import { type KeyObject, createPrivateKey, randomUUID } from 'node:crypto';
import jwt from 'jsonwebtoken';
import { CrmError, classifyHttpError, isCrmError, toCrmError, tokenRequestError } from '../errors';
import { redactValue, registerSecret } from '../redact';
import { RetryPolicy, type RetryOptions } from '../retry';
import { AxiosTransport } from '../transport';
import type { HttpRequest, HttpResponse, Transport } from '../types';
import { type AuthProvider, fingerprint, readHeader, withHeader } from './types';

let sharedTokenTransport: Transport | undefined;

/** The transport token requests use when none is injected (one shared keep-alive pool). */
export function defaultTokenTransport(): Transport {
	sharedTokenTransport ??= new AxiosTransport({ timeoutMs: 30_000 });
	return sharedTokenTransport;
}

/** An access token and what came with it. */
export interface TokenSet {
	accessToken: string;
	/** Authorization scheme, normalised (`Bearer`). */
	tokenType: string;
	/** Epoch ms when the token expires; undefined when the server did not say (renewed on 401). */
	expiresAt?: number;
	/** Present when the server issued (or rotated) a refresh token. */
	refreshToken?: string;
}

/** Options every OAuth 2.0 provider accepts. */
export interface OAuth2BaseOptions {
	/** The token endpoint. */
	tokenUrl: string;
	/** Transport for token requests (inject a fake in tests). Default: a shared {@link AxiosTransport}. */
	transport?: Transport;
	/** Clock (epoch ms). Default `Date.now`. */
	now?: () => number;
	/** Renew this long before `expires_in` runs out. Default 60 000 ms (at most half the token lifetime). */
	expirySkewMs?: number;
	/** Lifetime to assume when the token response has no `expires_in` (some providers omit it). Default: until a 401. */
	defaultExpiresInSec?: number;
	/** `scope` parameter (array joined with spaces). */
	scope?: string | string[];
	/** `audience` parameter (Auth0 and similar). */
	audience?: string;
	/** `resource` parameter (identity providers of the OAuth 2.0 v1 kind). */
	resource?: string;
	/** Further form parameters for the token request. */
	extraParams?: Record<string, string>;
	/** Timeout of a token request. Default 30 000 ms. */
	timeoutMs?: number;
	/**
	 * Retries of a token request that got no usable answer (dropped connection, timeout, 5xx, 429): it writes
	 * nothing, so it is always safe to repeat. Default 3 attempts, backoff from 500 ms, at most 15 s of waiting.
	 */
	retry?: RetryOptions;
}

/** Where client credentials go in a token request. */
export type ClientAuthMethod = 'body' | 'basic';

const TOKEN_FIELDS = ['access_token', 'refresh_token', 'id_token'];

function parseTokenBody(body: unknown): Record<string, unknown> | undefined {
	if (Buffer.isBuffer(body)) body = body.toString('utf8');
	if (typeof body === 'string') {
		const text = body.trim();
		if (text.startsWith('{')) {
			try {
				return JSON.parse(text) as Record<string, unknown>;
			} catch {
				return undefined;
			}
		}
		if (/(^|&)access_token=/.test(text)) return Object.fromEntries(new URLSearchParams(text));
		return undefined;
	}
	return typeof body === 'object' && body !== null && !Array.isArray(body)
		? (body as Record<string, unknown>)
		: undefined;
}

function scopeString(scope: string | string[] | undefined): string | undefined {
	if (scope === undefined) return undefined;
	const s = Array.isArray(scope) ? scope.join(' ') : scope;
	return s.trim() || undefined;
}

function requireOption(value: string | undefined, name: string, provider: string): string {
	if (typeof value !== 'string' || value.trim() === '') {
		throw new CrmError(`${provider}: "${name}" is required but empty`, {
			kind: 'authentication',
			hint: `Fill in "${name}" in the credential.`,
		});
	}
	return value;
}

/** Form-urlencoding per RFC 6749 §2.3.1 for the Basic client-authentication header. */
function formEncode(value: string): string {
	return encodeURIComponent(value).replace(/%20/g, '+');
}

/**
 * Shared machinery of the OAuth 2.0 providers: caching, single-flight token requests, 401 renewal, token
 * response parsing and error mapping. Subclasses supply the grant's form parameters.
 */
export abstract class OAuth2TokenAuth implements AuthProvider {
	abstract readonly id: string;
	/** The token response of the last successful token request, without any token (e.g. `instance_url`, `scope`). */
	lastTokenResponse?: Record<string, unknown>;
	/** Token requests sent so far, every attempt counted (for tests and diagnostics). */
	tokenRequests = 0;

	protected readonly tokenUrl: string;
	protected readonly transport: Transport;
	protected readonly now: () => number;
	protected token?: TokenSet;
	private inflight?: Promise<TokenSet>;
	private readonly skewMs: number;
	private readonly tokenRetry: RetryPolicy;

	protected constructor(
		protected readonly baseOptions: OAuth2BaseOptions,
		protected readonly providerName: string,
	) {
		this.tokenUrl = requireOption(baseOptions.tokenUrl, 'tokenUrl', providerName);
		this.transport = baseOptions.transport ?? defaultTokenTransport();
		this.now = baseOptions.now ?? Date.now;
		this.skewMs = baseOptions.expirySkewMs ?? 60_000;
		this.tokenRetry = new RetryPolicy({
			maxAttempts: 3,
			baseDelayMs: 500,
			maxDelayMs: 5_000,
			maxTotalWaitMs: 15_000,
			jitter: 'equal',
			now: this.now,
			...baseOptions.retry,
		});
		for (const v of Object.values(baseOptions.extraParams ?? {})) registerSecret(v);
	}

	/** The grant's form parameters and any extra headers (e.g. Basic client authentication). */
	protected abstract grantParams(): Promise<{
		params: Record<string, string>;
		headers?: Record<string, string>;
	}>;

	/** Hook after a successful token response (refresh-token rotation). */
	protected afterToken?(token: TokenSet): Promise<void>;

	/** The `instance_url` of the last token response, if the provider sends one. */
	get instanceUrl(): string | undefined {
		const v = this.lastTokenResponse?.instance_url;
		return typeof v === 'string' ? v : undefined;
	}

	/** Returns a valid access token, requesting one when none is cached or it is about to expire. */
	async getToken(): Promise<TokenSet> {
		if (this.token && this.isFresh(this.token)) return this.token;
		return this.fetchShared();
	}

	/** Drops the cached token; the next request fetches a new one. */
	invalidate(): void {
		this.token = undefined;
	}

	async apply(request: HttpRequest): Promise<HttpRequest> {
		const token = await this.getToken();
		return withHeader(request, 'Authorization', this.headerValue(token));
	}

	async onUnauthorized(_response: HttpResponse, request?: HttpRequest): Promise<boolean> {
		if (this.inflight) {
			await this.inflight;
			return true;
		}
		const used = readHeader(request, 'authorization');
		if (this.token && used !== undefined && used !== this.headerValue(this.token)) {
			// Another caller renewed the token after this request was sent: just resend with the new one.
			return true;
		}
		this.token = undefined;
		await this.fetchShared();
		return true;
	}

	private headerValue(token: TokenSet): string {
		return `${token.tokenType} ${token.accessToken}`;
	}

	private isFresh(token: TokenSet): boolean {
		if (token.expiresAt === undefined) return true;
		return this.now() < token.expiresAt;
	}

	private fetchShared(): Promise<TokenSet> {
		if (!this.inflight) {
			this.inflight = this.fetchToken().finally(() => {
				this.inflight = undefined;
			});
		}
		return this.inflight;
	}

	protected baseParams(): Record<string, string> {
		const params: Record<string, string> = {};
		const scope = scopeString(this.baseOptions.scope);
		if (scope) params.scope = scope;
		if (this.baseOptions.audience) params.audience = this.baseOptions.audience;
		if (this.baseOptions.resource) params.resource = this.baseOptions.resource;
		return { ...params, ...this.baseOptions.extraParams };
	}

	/** Adds client authentication (body parameters or a Basic header) to a token request. */
	protected clientAuth(
		method: ClientAuthMethod,
		clientId: string | undefined,
		clientSecret: string | undefined,
		params: Record<string, string>,
		headers: Record<string, string>,
	): void {
		if (!clientId) return;
		if (method === 'basic') {
			const encoded = Buffer.from(
				`${formEncode(clientId)}:${formEncode(clientSecret ?? '')}`,
			).toString('base64');
			registerSecret(encoded);
			headers.Authorization = `Basic ${encoded}`;
		} else {
			params.client_id = clientId;
			if (clientSecret) params.client_secret = clientSecret;
		}
	}

	private async fetchToken(): Promise<TokenSet> {
		const { params, headers } = await this.grantParams();
		const request: HttpRequest = {
			method: 'POST',
			url: this.tokenUrl,
			headers: {
				'Content-Type': 'application/x-www-form-urlencoded',
				Accept: 'application/json',
				...headers,
			},
			body: new URLSearchParams(params).toString(),
			timeoutMs: this.baseOptions.timeoutMs ?? 30_000,
		};
		const summary = { method: 'POST', url: this.tokenUrl };
		let requestedAt = this.now();
		let response: HttpResponse;
		try {
			// A token request writes nothing: resending it after a dropped connection, a timeout, a 5xx or a 429 is safe.
			({ value: response } = await this.tokenRetry.execute(
				{ ...request, idempotent: true },
				async () => {
					requestedAt = this.now();
					this.tokenRequests++;
					let answer: HttpResponse;
					try {
						answer = await this.transport.send(request);
					} catch (err) {
						throw toCrmError(err, summary);
					}
					if (answer.status === 429 || answer.status >= 500)
						throw classifyHttpError(answer, summary, { now: this.now });
					return answer;
				},
			));
		} catch (err) {
			if (!isCrmError(err)) throw err;
			// No usable answer even after the retries: the API call that needed this token was not sent.
			if (err.kind === 'transient' || err.kind === 'rateLimited' || err.reachedServer === false)
				throw tokenRequestError(err, this.providerName);
			throw err.addNote(`${this.providerName}: the token request failed`);
		}
		if (response.status < 200 || response.status >= 300) {
			const classified = classifyHttpError(response, summary, { now: this.now });
			const isClientError =
				response.status >= 400 && response.status < 500 && classified.kind !== 'rateLimited';
			if (!isClientError)
				throw classified.addNote(`${this.providerName}: the token request failed`);
			throw new CrmError(`${this.providerName} token request rejected: ${classified.message}`, {
				kind: 'authentication',
				status: classified.status,
				crmCode: classified.crmCode,
				crmMessage: classified.crmMessage,
				details: classified.details,
				request: summary,
				hint: 'The token endpoint refused the credential: check the client ID/secret, private key, user, scopes and token URL, or reconnect the credential.',
			});
		}
		const body = parseTokenBody(response.body);
		const accessToken = body?.access_token;
		if (typeof accessToken !== 'string' || accessToken === '') {
			const shown = body ? Object.keys(body).join(', ') || 'an empty object' : typeof response.body;
			throw new CrmError(
				`${this.providerName}: the token endpoint answered HTTP ${response.status} without an access_token (got ${shown})`,
				{
					kind: 'authentication',
					status: response.status,
					request: summary,
					hint: 'Check that the token URL points at the OAuth2 token endpoint.',
				},
			);
		}
		for (const field of TOKEN_FIELDS) registerSecret(body?.[field]);
		const token = this.toTokenSet(body as Record<string, unknown>, accessToken, requestedAt);
		const extras: Record<string, unknown> = {};
		for (const [k, v] of Object.entries(body as Record<string, unknown>))
			if (!TOKEN_FIELDS.includes(k)) extras[k] = v;
		this.lastTokenResponse = redactValue(extras);
		this.token = token;
		await this.afterToken?.(token);
		return token;
	}

	private toTokenSet(
		body: Record<string, unknown>,
		accessToken: string,
		requestedAt: number,
	): TokenSet {
		const rawType = typeof body.token_type === 'string' ? body.token_type : '';
		const tokenType = !rawType || /^bearer$/i.test(rawType) ? 'Bearer' : rawType;
		const expiresIn = Number(body.expires_in ?? this.baseOptions.defaultExpiresInSec);
		let expiresAt: number | undefined;
		if (Number.isFinite(expiresIn) && expiresIn > 0) {
			const lifetimeMs = expiresIn * 1000;
			expiresAt = requestedAt + lifetimeMs - Math.min(this.skewMs, lifetimeMs / 2);
		}
		const refreshToken =
			typeof body.refresh_token === 'string' && body.refresh_token ? body.refresh_token : undefined;
		return { accessToken, tokenType, expiresAt, refreshToken };
	}
}

/** Options of {@link OAuth2ClientCredentialsAuth}. */
export interface ClientCredentialsOptions extends OAuth2BaseOptions {
	clientId: string;
	clientSecret: string;
	/** Client authentication: form parameters (`body`, default) or an HTTP Basic header (`basic`). */
	clientAuth?: ClientAuthMethod;
}

/** OAuth 2.0 client credentials grant (server-to-server). */
export class OAuth2ClientCredentialsAuth extends OAuth2TokenAuth {
	readonly id: string;

	constructor(private readonly options: ClientCredentialsOptions) {
		super(options, 'OAuth2 client credentials');
		requireOption(options.clientId, 'clientId', this.providerName);
		requireOption(options.clientSecret, 'clientSecret', this.providerName);
		registerSecret(options.clientSecret);
		this.id = fingerprint('oauth2-client-credentials', [
			options.tokenUrl,
			options.clientId,
			scopeString(options.scope),
			options.audience,
			options.resource,
		]);
	}

	protected async grantParams(): Promise<{
		params: Record<string, string>;
		headers?: Record<string, string>;
	}> {
		const params: Record<string, string> = {
			grant_type: 'client_credentials',
			...this.baseParams(),
		};
		const headers: Record<string, string> = {};
		this.clientAuth(
			this.options.clientAuth ?? 'body',
			this.options.clientId,
			this.options.clientSecret,
			params,
			headers,
		);
		return { params, headers };
	}
}

/** What {@link RefreshTokenOptions.onTokens} receives after every token refresh. */
export interface OAuth2Tokens {
	accessToken: string;
	/** The refresh token to store (the rotated one when the server rotated it). */
	refreshToken: string;
	/** Whether the server issued a new refresh token in this response. */
	rotated: boolean;
	tokenType: string;
	expiresAt?: number;
	/** The rest of the token response (no tokens), e.g. `instance_url`, `scope`. */
	response: Record<string, unknown>;
}

/** Options of {@link OAuth2RefreshTokenAuth}. */
export interface RefreshTokenOptions extends OAuth2BaseOptions {
	clientId: string;
	clientSecret?: string;
	clientAuth?: ClientAuthMethod;
	refreshToken: string;
	/** A current access token, if the caller has one (used until it expires or is refused). */
	accessToken?: string;
	/** Expiry of `accessToken` (epoch ms); undefined = use it until a 401. */
	accessTokenExpiresAt?: number;
	/**
	 * Stable identity of the connected account (e.g. user id or org id) for the rate-budget fingerprint.
	 * Default: derived from the initial refresh token.
	 */
	accountKey?: string;
	/** Called after every refresh, so the caller can persist a rotated refresh token. Awaited. */
	onTokens?: (tokens: OAuth2Tokens) => void | Promise<void>;
}

/** OAuth 2.0 refresh token grant, following refresh-token rotation. */
export class OAuth2RefreshTokenAuth extends OAuth2TokenAuth {
	readonly id: string;
	private refreshToken: string;

	constructor(private readonly options: RefreshTokenOptions) {
		super(options, 'OAuth2 refresh token');
		requireOption(options.clientId, 'clientId', this.providerName);
		this.refreshToken = requireOption(options.refreshToken, 'refreshToken', this.providerName);
		registerSecret(options.refreshToken);
		registerSecret(options.clientSecret);
		registerSecret(options.accessToken);
		if (options.accessToken) {
			this.token = {
				accessToken: options.accessToken,
				tokenType: 'Bearer',
				expiresAt: options.accessTokenExpiresAt,
			};
		}
		this.id = fingerprint('oauth2-refresh-token', [
			options.tokenUrl,
			options.clientId,
			options.accountKey ?? options.refreshToken,
		]);
	}

	/** The refresh token currently in use (after rotation, the newest). */
	get currentRefreshToken(): string {
		return this.refreshToken;
	}

	protected async grantParams(): Promise<{
		params: Record<string, string>;
		headers?: Record<string, string>;
	}> {
		const params: Record<string, string> = {
			grant_type: 'refresh_token',
			refresh_token: this.refreshToken,
			...this.baseParams(),
		};
		const headers: Record<string, string> = {};
		this.clientAuth(
			this.options.clientAuth ?? 'body',
			this.options.clientId,
			this.options.clientSecret,
			params,
			headers,
		);
		return { params, headers };
	}

	protected override async afterToken(token: TokenSet): Promise<void> {
		const rotated = token.refreshToken !== undefined && token.refreshToken !== this.refreshToken;
		if (token.refreshToken) this.refreshToken = token.refreshToken;
		if (!this.options.onTokens) return;
		try {
			await this.options.onTokens({
				accessToken: token.accessToken,
				refreshToken: this.refreshToken,
				rotated,
				tokenType: token.tokenType,
				expiresAt: token.expiresAt,
				response: { ...this.lastTokenResponse },
			});
		} catch (err) {
			const reason = err instanceof Error ? err.message : String(err);
			throw new CrmError(
				`${this.providerName}: the onTokens callback failed (${reason})${rotated ? '; the rotated refresh token was NOT persisted and the stored one may no longer work' : ''}`,
				{
					kind: 'fatal',
					hint: 'Fix the token store; then reconnect the credential if the stored refresh token was invalidated.',
				},
			);
		}
	}
}

/** Signing algorithms accepted for JWT bearer assertions. */
export type JwtAssertionAlgorithm = 'RS256' | 'RS384' | 'RS512' | 'PS256' | 'ES256' | 'ES384';

/** Options of {@link OAuth2JwtBearerAuth}. */
export interface JwtBearerOptions extends OAuth2BaseOptions {
	/** PEM private key (PKCS#1 or PKCS#8). Literal `\n` sequences (as pasted into form fields) are accepted. */
	privateKey: string;
	/** Passphrase of an encrypted private key. */
	passphrase?: string;
	/** `iss` claim: the client id / consumer key. */
	issuer: string;
	/** `sub` claim: the user name or service account. */
	subject?: string;
	/** `aud` claim. Default: the token URL's origin (e.g. `https://login.example.com`). */
	assertionAudience?: string;
	/** Assertion lifetime (`exp - iat`), seconds. Default 180 (some providers allow at most 3 minutes). */
	expiresInSec?: number;
	/** `kid` header. */
	keyId?: string;
	/** Default `RS256`. */
	algorithm?: JwtAssertionAlgorithm;
	/** Further claims. */
	claims?: Record<string, unknown>;
	/** Add a random `jti` claim. Default true. */
	jti?: boolean;
	/** Optional client authentication for the token request. */
	clientId?: string;
	clientSecret?: string;
}

/** The RFC 7523 grant type. */
export const JWT_BEARER_GRANT_TYPE = 'urn:ietf:params:oauth:grant-type:jwt-bearer';

/** OAuth 2.0 JWT bearer assertion grant (RFC 7523), the server-to-server JWT flow. */
export class OAuth2JwtBearerAuth extends OAuth2TokenAuth {
	readonly id: string;
	private readonly key: KeyObject;

	constructor(private readonly options: JwtBearerOptions) {
		super(options, 'OAuth2 JWT bearer');
		requireOption(options.issuer, 'issuer', this.providerName);
		const raw = requireOption(options.privateKey, 'privateKey', this.providerName);
		registerSecret(raw);
		const pem = raw.includes('\\n') && !raw.includes('\n') ? raw.replace(/\\n/g, '\n') : raw;
		registerSecret(pem);
		registerSecret(options.passphrase);
		registerSecret(options.clientSecret);
		try {
			this.key = createPrivateKey({ key: pem, passphrase: options.passphrase });
		} catch (err) {
			const reason = err instanceof Error ? err.message : 'unreadable key';
			throw new CrmError(`${this.providerName}: the private key cannot be read (${reason})`, {
				kind: 'authentication',
				hint: 'Paste the whole PEM private key, including the -----BEGIN … PRIVATE KEY----- and -----END … PRIVATE KEY----- lines.',
			});
		}
		this.id = fingerprint('oauth2-jwt-bearer', [options.tokenUrl, options.issuer, options.subject]);
	}

	/** Builds and signs a fresh assertion (exposed for tests and diagnostics; the result is a registered secret). */
	createAssertion(): string {
		const nowSec = Math.floor(this.now() / 1000);
		const payload: Record<string, unknown> = {
			...this.options.claims,
			iss: this.options.issuer,
			aud: this.options.assertionAudience ?? new URL(this.tokenUrl).origin,
			iat: nowSec,
			exp: nowSec + (this.options.expiresInSec ?? 180),
		};
		if (this.options.subject) payload.sub = this.options.subject;
		if (this.options.jti !== false) payload.jti = randomUUID();
		let assertion: string;
		try {
			assertion = jwt.sign(payload, this.key, {
				algorithm: this.options.algorithm ?? 'RS256',
				...(this.options.keyId ? { keyid: this.options.keyId } : {}),
			});
		} catch (err) {
			const reason = err instanceof Error ? err.message : String(err);
			throw new CrmError(`${this.providerName}: cannot sign the assertion (${reason})`, {
				kind: 'authentication',
				hint: `Use an RSA/EC private key matching the algorithm ${this.options.algorithm ?? 'RS256'}.`,
			});
		}
		registerSecret(assertion);
		return assertion;
	}

	protected async grantParams(): Promise<{
		params: Record<string, string>;
		headers?: Record<string, string>;
	}> {
		const params: Record<string, string> = {
			grant_type: JWT_BEARER_GRANT_TYPE,
			assertion: this.createAssertion(),
			...this.baseParams(),
		};
		const headers: Record<string, string> = {};
		this.clientAuth('body', this.options.clientId, this.options.clientSecret, params, headers);
		return { params, headers };
	}
}
