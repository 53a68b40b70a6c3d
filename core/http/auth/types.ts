/** The contract between the HTTP client and a credential. */
import { createHash } from 'node:crypto';
import type { HttpRequest, HttpResponse } from '../types';

/**
 * Applies a credential to requests. Implementations register every secret they hold or obtain with the
 * redactor (`registerSecret`), so secrets never show in errors or logs.
 */
export interface AuthProvider {
	/**
	 * Stable, non-secret fingerprint of the credential (e.g. `oauth2-client-credentials:3f2a…`). Requests made with
	 * the same credential share one rate budget through it. Never the secret itself.
	 */
	readonly id: string;
	/** Returns the request with the credential applied (never mutates the input). */
	apply(request: HttpRequest): Promise<HttpRequest>;
	/**
	 * Called once when a request answered 401. Returns true when the credential was renewed and the request
	 * should be sent once more; false when there is nothing to renew. May throw an authentication `CrmError`.
	 * `request` is the request as sent (with the credential applied), so a provider can tell whether another
	 * caller already renewed the credential in the meantime.
	 */
	onUnauthorized?(response: HttpResponse, request?: HttpRequest): Promise<boolean>;
}

/**
 * A stable fingerprint: `<kind>:<first 24 hex chars of sha256(parts)>`. Hash only identifying parts (client id,
 * user name, token URL); for secrets that are the identity (API key, static token) a hash of a high-entropy value
 * is safe to show.
 */
export function fingerprint(kind: string, parts: Array<string | undefined>): string {
	const hash = createHash('sha256');
	for (const p of parts) hash.update(`${p ?? ''}\u0000`);
	return `${kind}:${hash.digest('hex').slice(0, 24)}`;
}

/** Case-insensitive header set that replaces an existing spelling of the same header. */
export function withHeader(request: HttpRequest, name: string, value: string): HttpRequest {
	const headers: Record<string, string> = {};
	const lower = name.toLowerCase();
	for (const [k, v] of Object.entries(request.headers ?? {}))
		if (k.toLowerCase() !== lower) headers[k] = v;
	headers[name] = value;
	return { ...request, headers };
}

/** Case-insensitive header read. */
export function readHeader(request: HttpRequest | undefined, name: string): string | undefined {
	const lower = name.toLowerCase();
	for (const [k, v] of Object.entries(request?.headers ?? {}))
		if (k.toLowerCase() === lower) return v;
	return undefined;
}
