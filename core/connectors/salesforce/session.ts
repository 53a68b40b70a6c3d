/**
 * Standalone sessions (outside n8n, e.g. scripts, benchmarks, the demo): a core `AuthProvider` that runs a
 * Salesforce token exchange (JWT bearer, client credentials, username-password), re-runs it on a 401, and a
 * `connectSalesforce()` that logs in and builds a connector on the instance URL the token response names.
 * Inside n8n the credential types do the same through n8n (`preAuthentication`).
 */
import { OAuth2TokenAuth, type OAuth2BaseOptions } from '../../http/auth/oauth2';
import { fingerprint } from '../../http/auth/types';
import type { HttpClientOptions } from '../../http/client';
import { CrmError } from '../../http/errors';
import { type SalesforceGrant, tokenRequest } from './auth';
import { SalesforceConnector } from './connector';

/** A core auth provider for Salesforce's server-to-server grants. */
export class SalesforceTokenAuth extends OAuth2TokenAuth {
	readonly id: string;

	constructor(
		private readonly grant: SalesforceGrant,
		options: Omit<OAuth2BaseOptions, 'tokenUrl'> = {},
	) {
		super(
			{ ...options, tokenUrl: `${grant.loginUrl.replace(/\/+$/, '')}/services/oauth2/token` },
			`Salesforce ${grant.kind} login`,
		);
		const who = grant.kind === 'clientCredentials' ? grant.clientId : grant.username;
		this.id = fingerprint(`salesforce-${grant.kind}`, [grant.loginUrl, grant.clientId, who]);
	}

	protected async grantParams(): Promise<{
		params: Record<string, string>;
		headers?: Record<string, string>;
	}> {
		const request = tokenRequest(this.grant, this.now());
		return { params: Object.fromEntries(new URLSearchParams(request.body)) };
	}
}

/** Options of {@link connectSalesforce}. */
export interface ConnectSalesforceOptions {
	grant: SalesforceGrant;
	/** Further HttpClient options (transport, retry, rate budget…); `auth` is set for you. */
	http?: Omit<HttpClientOptions, 'auth' | 'baseUrl'>;
	/** Options of the token requests (transport, clock). */
	token?: Omit<OAuth2BaseOptions, 'tokenUrl'>;
	apiVersion?: string;
}

/** Logs in and returns a connector on the org's instance URL. */
export async function connectSalesforce(
	options: ConnectSalesforceOptions,
): Promise<SalesforceConnector> {
	const auth = new SalesforceTokenAuth(options.grant, options.token);
	await auth.getToken();
	const instanceUrl = auth.instanceUrl;
	if (!instanceUrl)
		throw new CrmError('The Salesforce token response has no instance_url', {
			kind: 'authentication',
		});
	return new SalesforceConnector({
		instanceUrl,
		apiVersion: options.apiVersion,
		http: { ...options.http, auth },
	});
}
