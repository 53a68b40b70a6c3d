/** Static credentials: none, API key, HTTP Basic, static bearer token. */
import { CrmError } from '../errors';
import { registerSecret } from '../redact';
import type { HttpRequest } from '../types';
import { type AuthProvider, fingerprint, withHeader } from './types';

function requireValue(value: string | undefined, what: string, provider: string): string {
	if (typeof value !== 'string' || value.trim() === '') {
		throw new CrmError(`${provider}: the ${what} is empty`, {
			kind: 'authentication',
			hint: `Fill in the ${what} in the credential.`,
		});
	}
	return value;
}

/** Sends requests without credentials. */
export class NoAuth implements AuthProvider {
	readonly id = 'none';

	async apply(request: HttpRequest): Promise<HttpRequest> {
		return request;
	}
}

/** Options of {@link ApiKeyAuth}. */
export interface ApiKeyAuthOptions {
	/** The key. */
	key: string;
	/** Where it goes. Default `header`. */
	in?: 'header' | 'query';
	/** Header or query parameter name. Default `X-API-Key` (header) / `api_key` (query). */
	name?: string;
	/** Text before the key in a header, e.g. `Token ` or `Bearer `. Default none. */
	prefix?: string;
}

/** An API key in a header or a query parameter. */
export class ApiKeyAuth implements AuthProvider {
	readonly id: string;
	private readonly key: string;
	private readonly in: 'header' | 'query';
	private readonly name: string;
	private readonly prefix: string;

	constructor(options: ApiKeyAuthOptions) {
		this.key = requireValue(options.key, 'API key', 'API key authentication');
		this.in = options.in ?? 'header';
		this.name = options.name ?? (this.in === 'header' ? 'X-API-Key' : 'api_key');
		this.prefix = options.prefix ?? '';
		registerSecret(this.key);
		if (this.prefix) registerSecret(`${this.prefix}${this.key}`);
		this.id = fingerprint('api-key', [this.key]);
	}

	async apply(request: HttpRequest): Promise<HttpRequest> {
		if (this.in === 'query') return { ...request, qs: { ...request.qs, [this.name]: this.key } };
		return withHeader(request, this.name, `${this.prefix}${this.key}`);
	}
}

/** Options of {@link BasicAuth}. */
export interface BasicAuthOptions {
	username: string;
	password: string;
}

/** HTTP Basic authentication (RFC 7617, UTF-8). */
export class BasicAuth implements AuthProvider {
	readonly id: string;
	private readonly header: string;

	constructor(options: BasicAuthOptions) {
		const username = requireValue(options.username, 'user name', 'Basic authentication');
		const password = options.password ?? '';
		registerSecret(password);
		const encoded = Buffer.from(`${username}:${password}`, 'utf8').toString('base64');
		registerSecret(encoded);
		this.header = `Basic ${encoded}`;
		// The user name identifies the account (and its rate limits); the password is not needed for that.
		this.id = fingerprint('basic', [username]);
	}

	async apply(request: HttpRequest): Promise<HttpRequest> {
		return withHeader(request, 'Authorization', this.header);
	}
}

/** Options of {@link BearerAuth}. */
export interface BearerAuthOptions {
	token: string;
	/** Header name. Default `Authorization`. */
	header?: string;
	/** Scheme before the token. Default `Bearer`. */
	scheme?: string;
}

/** A static bearer token (private-app tokens, personal access tokens). */
export class BearerAuth implements AuthProvider {
	readonly id: string;
	private readonly value: string;
	private readonly header: string;

	constructor(options: BearerAuthOptions) {
		const token = requireValue(options.token, 'access token', 'Bearer token authentication');
		registerSecret(token);
		const scheme = options.scheme ?? 'Bearer';
		this.value = scheme ? `${scheme} ${token}` : token;
		this.header = options.header ?? 'Authorization';
		this.id = fingerprint('bearer', [token]);
	}

	async apply(request: HttpRequest): Promise<HttpRequest> {
		return withHeader(request, this.header, this.value);
	}
}
