/**
 * Credential → auth for the generic HTTP nodes (REST API now, GraphQL next): which credential type each choice of
 * the Authentication parameter uses, the core `AuthProvider` built from a credential's data (OAuth2 client-credentials
 * providers cached, so tokens are reused and renewed by the core across executions), and that provider applied to
 * n8n's request options (for the credential types' `authenticate`, used by n8n's Test button). No secret is ever logged:
 * every provider registers what it holds with the redactor.
 */
import { createHash } from 'node:crypto';

import type { ICredentialDataDecryptedObject, IHttpRequestOptions } from 'n8n-workflow';

import {
	ApiKeyAuth,
	type AuthProvider,
	BasicAuth,
	BearerAuth,
	type ClientAuthMethod,
	OAuth2ClientCredentialsAuth,
} from '../../../core/http/auth';
import type { HttpRequest } from '../../../core/http/types';
import { HTTP_CREDENTIAL_TYPES } from '../credentialTypes';

export { HTTP_CREDENTIAL_TYPES };

/** A choice of the Authentication parameter. */
export type HttpAuthentication = 'none' | keyof typeof HTTP_CREDENTIAL_TYPES;

/** The credential type name of an Authentication choice (undefined for `none` or an unknown value). */
export function credentialTypeOf(authentication: string): string | undefined {
	return Object.prototype.hasOwnProperty.call(HTTP_CREDENTIAL_TYPES, authentication)
		? HTTP_CREDENTIAL_TYPES[authentication as keyof typeof HTTP_CREDENTIAL_TYPES]
		: undefined;
}

const str = (value: unknown): string => (typeof value === 'string' ? value : '');

/** Client-credentials providers by a hash of everything that makes them (secret included), least recent first. */
const tokenProviders = new Map<string, OAuth2ClientCredentialsAuth>();
const MAX_CACHED_PROVIDERS = 50;

function clientCredentialsProvider(data: ICredentialDataDecryptedObject): AuthProvider {
	const options = {
		tokenUrl: str(data.tokenUrl).trim(),
		clientId: str(data.clientId).trim(),
		clientSecret: str(data.clientSecret),
		scope: str(data.scope).trim() || undefined,
		audience: str(data.audience).trim() || undefined,
		clientAuth: (data.clientAuthentication === 'basic' ? 'basic' : 'body') as ClientAuthMethod,
	};
	const key = createHash('sha256').update(JSON.stringify(options)).digest('hex');
	let provider = tokenProviders.get(key);
	if (provider) {
		tokenProviders.delete(key); // re-inserted below: most recently used last
	} else {
		provider = new OAuth2ClientCredentialsAuth(options);
		if (tokenProviders.size >= MAX_CACHED_PROVIDERS)
			tokenProviders.delete(tokenProviders.keys().next().value as string);
	}
	tokenProviders.set(key, provider);
	return provider;
}

/**
 * The core auth provider of a credential of type `typeName`, or undefined for a type whose auth n8n applies itself
 * (the OAuth2 authorization-code credential, whose tokens n8n stores and refreshes).
 */
export function authProviderFor(
	typeName: string,
	data: ICredentialDataDecryptedObject,
): AuthProvider | undefined {
	switch (typeName) {
		case HTTP_CREDENTIAL_TYPES.basicAuth:
			return new BasicAuth({ username: str(data.user), password: str(data.password) });
		case HTTP_CREDENTIAL_TYPES.bearerToken:
			return new BearerAuth({ token: str(data.token) });
		case HTTP_CREDENTIAL_TYPES.apiKey: {
			const location = data.location === 'query' ? 'query' : 'header';
			return new ApiKeyAuth({
				key: str(data.apiKey),
				in: location,
				name: str(data.name).trim() || undefined,
				prefix: location === 'header' ? str(data.prefix) || undefined : undefined,
			});
		}
		case HTTP_CREDENTIAL_TYPES.clientCredentials:
			return clientCredentialsProvider(data);
		default:
			return undefined;
	}
}

/** Applies a provider to n8n's request options (headers and query string; nothing else is touched). */
export async function applyToRequestOptions(
	provider: AuthProvider,
	options: IHttpRequestOptions,
): Promise<IHttpRequestOptions> {
	const request: HttpRequest = {
		method: (options.method ?? 'GET') as HttpRequest['method'],
		url: options.url,
		headers: { ...(options.headers as Record<string, string> | undefined) },
		qs: { ...(options.qs as HttpRequest['qs']) },
	};
	const applied = await provider.apply(request);
	return { ...options, headers: { ...applied.headers }, qs: { ...applied.qs } };
}
