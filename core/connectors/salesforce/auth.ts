/**
 * Salesforce token exchanges for the server-to-server credentials (JWT bearer, client credentials,
 * username-password): the token request to send and the reading of the answer. Used by the credential types'
 * `preAuthentication` (n8n sends the request and stores the token) and by standalone callers. Every secret
 * involved is registered with the redactor.
 */
import { createPrivateKey, randomUUID } from 'node:crypto';

import jwt from 'jsonwebtoken';

import { CrmError } from '../../http/errors';
import { registerSecret } from '../../http/redact';

/** Login hosts of Salesforce's environments. */
export const SALESFORCE_LOGIN_URLS = {
	production: 'https://login.salesforce.com',
	sandbox: 'https://test.salesforce.com',
} as const;

/** Where the credential logs in. */
export type SalesforceEnvironment = 'production' | 'sandbox' | 'custom';

/** The login URL (no trailing slash) of an environment; `custom` uses `customUrl` (a My Domain or a simulator). */
export function loginUrlFor(
	environment: SalesforceEnvironment | string | undefined,
	customUrl?: string,
): string {
	if (environment === 'sandbox') return SALESFORCE_LOGIN_URLS.sandbox;
	if (environment === 'custom') {
		const url = (customUrl ?? '').trim().replace(/\/+$/, '');
		if (!/^https?:\/\/[^/\s]+/i.test(url)) {
			throw new CrmError(`The custom login URL "${url}" is not a URL`, {
				kind: 'authentication',
				hint: 'Enter your My Domain URL, e.g. https://acme.my.salesforce.com',
			});
		}
		return url;
	}
	return SALESFORCE_LOGIN_URLS.production;
}

/** JWT bearer flow (server-to-server with a certificate). */
export interface JwtGrant {
	kind: 'jwt';
	loginUrl: string;
	clientId: string;
	username: string;
	privateKey: string;
	/** `aud` claim. Default: {@link defaultJwtAudience} of the login URL. */
	audience?: string;
}

/**
 * The `aud` Salesforce expects in a JWT bearer assertion: https://test.salesforce.com for sandboxes (including
 * sandbox My Domains), https://login.salesforce.com otherwise — also when logging in at a production My Domain.
 */
export function defaultJwtAudience(loginUrl: string): string {
	return /(^|\.)test\.salesforce\.com|\.sandbox\.my\.salesforce\.com|--[a-z0-9]+\.(?:cs\d+\.)?my\.salesforce\.com/i.test(
		new URL(loginUrl).hostname,
	)
		? SALESFORCE_LOGIN_URLS.sandbox
		: SALESFORCE_LOGIN_URLS.production;
}

/** Client credentials flow (a connected app's run-as user; My Domain URL required). */
export interface ClientCredentialsGrant {
	kind: 'clientCredentials';
	loginUrl: string;
	clientId: string;
	clientSecret: string;
}

/** Username-password flow (password + security token). */
export interface PasswordGrant {
	kind: 'password';
	loginUrl: string;
	clientId: string;
	clientSecret: string;
	username: string;
	password: string;
	securityToken?: string;
}

/** Any server-to-server grant. */
export type SalesforceGrant = JwtGrant | ClientCredentialsGrant | PasswordGrant;

/** A form-encoded token request. */
export interface TokenRequest {
	url: string;
	/** The form body, already encoded. */
	body: string;
	headers: Record<string, string>;
}

function required(value: string | undefined, what: string): string {
	if (typeof value !== 'string' || value.trim() === '') {
		throw new CrmError(`The Salesforce credential's ${what} is empty`, {
			kind: 'authentication',
			hint: `Fill in ${what} in the credential.`,
		});
	}
	return value.trim();
}

/** Signs the JWT bearer assertion (RS256, 3 minutes). */
export function signJwtAssertion(grant: JwtGrant, now: number = Date.now()): string {
	const raw = required(grant.privateKey, 'the private key');
	registerSecret(raw);
	const pem = raw.includes('\\n') && !raw.includes('\n') ? raw.replace(/\\n/g, '\n') : raw;
	registerSecret(pem);
	let key;
	try {
		key = createPrivateKey({ key: pem });
	} catch (error) {
		throw new CrmError(
			`The Salesforce JWT credential's private key cannot be read (${error instanceof Error ? error.message : 'unreadable key'})`,
			{
				kind: 'authentication',
				hint: 'Paste the whole PEM private key, including the -----BEGIN … PRIVATE KEY----- and -----END … PRIVATE KEY----- lines.',
			},
		);
	}
	const iat = Math.floor(now / 1000);
	const assertion = jwt.sign(
		{
			iss: required(grant.clientId, 'the consumer key (client ID)'),
			sub: required(grant.username, 'the user name'),
			aud: (grant.audience?.trim() || defaultJwtAudience(grant.loginUrl)).replace(/\/+$/, ''),
			iat,
			exp: iat + 180,
			jti: randomUUID(),
		},
		key,
		{ algorithm: 'RS256' },
	);
	registerSecret(assertion);
	return assertion;
}

/** The token request of a grant. */
export function tokenRequest(grant: SalesforceGrant, now: number = Date.now()): TokenRequest {
	const url = `${required(grant.loginUrl, 'the login URL').replace(/\/+$/, '')}/services/oauth2/token`;
	const params = new URLSearchParams();
	if (grant.kind === 'jwt') {
		params.set('grant_type', 'urn:ietf:params:oauth:grant-type:jwt-bearer');
		params.set('assertion', signJwtAssertion(grant, now));
	} else if (grant.kind === 'clientCredentials') {
		params.set('grant_type', 'client_credentials');
		params.set('client_id', required(grant.clientId, 'the consumer key (client ID)'));
		params.set('client_secret', required(grant.clientSecret, 'the consumer secret'));
		registerSecret(grant.clientSecret);
	} else {
		params.set('grant_type', 'password');
		params.set('client_id', required(grant.clientId, 'the consumer key (client ID)'));
		params.set('client_secret', required(grant.clientSecret, 'the consumer secret'));
		params.set('username', required(grant.username, 'the user name'));
		const password = `${required(grant.password, 'the password')}${grant.securityToken ?? ''}`;
		params.set('password', password);
		registerSecret(grant.clientSecret);
		registerSecret(grant.password);
		registerSecret(grant.securityToken);
		registerSecret(password);
	}
	const body = params.toString();
	return {
		url,
		body,
		headers: { 'Content-Type': 'application/x-www-form-urlencoded', Accept: 'application/json' },
	};
}

/** What a token exchange gives the credential. */
export interface SalesforceSession {
	accessToken: string;
	instanceUrl: string;
}

/** Reads a token response (`access_token`, `instance_url`), registering the token as a secret. */
export function parseTokenResponse(body: unknown): SalesforceSession {
	let data = body;
	if (typeof data === 'string') {
		try {
			data = JSON.parse(data);
		} catch {
			data = undefined;
		}
	}
	const record = (data && typeof data === 'object' ? data : {}) as Record<string, unknown>;
	const accessToken = record.access_token;
	const instanceUrl = record.instance_url;
	if (typeof accessToken !== 'string' || !accessToken) {
		const reason =
			typeof record.error === 'string'
				? `${record.error}: ${String(record.error_description ?? '')}`
				: 'no access_token in the answer';
		throw new CrmError(`Salesforce refused the login (${reason})`, {
			kind: 'authentication',
			crmCode: typeof record.error === 'string' ? record.error : undefined,
		});
	}
	registerSecret(accessToken);
	if (typeof instanceUrl !== 'string' || !/^https?:\/\//.test(instanceUrl)) {
		throw new CrmError('The Salesforce token response has no instance_url', {
			kind: 'authentication',
			hint: 'Check the login URL: it must be the Salesforce login or My Domain URL.',
		});
	}
	return { accessToken, instanceUrl: instanceUrl.replace(/\/+$/, '') };
}

/** Explains a refused token request (Salesforce answers `{error, error_description}`) without any secret. */
export function tokenErrorMessage(body: unknown, status: number | undefined): string {
	let data = body;
	if (typeof data === 'string') {
		try {
			data = JSON.parse(data);
		} catch {
			// keep the text
		}
	}
	const record = (data && typeof data === 'object' ? data : {}) as Record<string, unknown>;
	const code = typeof record.error === 'string' ? record.error : undefined;
	const description =
		typeof record.error_description === 'string'
			? record.error_description
			: typeof data === 'string'
				? data.slice(0, 200)
				: undefined;
	const hints: Record<string, string> = {
		invalid_grant:
			'check the user name, password + security token, or that the user is pre-authorized for the connected app (JWT: the certificate and the consumer key)',
		invalid_client_id: 'check the consumer key',
		invalid_client:
			'check the consumer key and secret, and that the client credentials flow is enabled with a run-as user',
		unsupported_grant_type: 'enable this OAuth flow on the connected app',
	};
	return `Salesforce login failed${status ? ` (HTTP ${status})` : ''}: ${code ?? 'error'}${description ? ` — ${description}` : ''}${code && hints[code] ? ` (${hints[code]})` : ''}`;
}

/**
 * The instance URL the nodes use before a server-to-server credential has logged in for the first time (the
 * instance URL comes with the token): the credential's `authenticate` replaces this origin with the instance
 * URL that its token exchange stored. `.invalid` can never resolve, so nothing leaks if it were not replaced.
 */
export const INSTANCE_URL_PLACEHOLDER = 'https://instance-url-from-login.invalid';

/** Replaces the placeholder origin of `url` with `instanceUrl`. */
export function resolveInstanceUrl(url: string, instanceUrl: string): string {
	if (!url.startsWith(INSTANCE_URL_PLACEHOLDER)) return url;
	if (!instanceUrl) {
		throw new CrmError(
			'The Salesforce credential has not logged in yet: no instance URL is known',
			{
				kind: 'authentication',
				hint: 'Check the credential (login URL, consumer key, user): its token exchange did not return an instance URL.',
			},
		);
	}
	return `${instanceUrl.replace(/\/+$/, '')}${url.slice(INSTANCE_URL_PLACEHOLDER.length)}`;
}
