/**
 * Azure AD (Microsoft Entra ID) client credentials for Dataverse: the core's OAuth 2.0 client-credentials provider
 * (token cache until `expires_in` minus a skew, one shared token request, a 401 renews once, every secret and token
 * registered with the redactor) pointed at `{authority}/{tenant}/oauth2/v2.0/token` with the scope
 * `{environmentUrl}/.default`. A full token URL can be given instead (sovereign clouds, the simulator).
 */
import { OAuth2ClientCredentialsAuth, type OAuth2BaseOptions } from '../../http/auth/oauth2';
import { CrmError } from '../../http/errors';
import type { Transport } from '../../http/types';

/** The public cloud's authority. */
export const AZURE_AD_AUTHORITY = 'https://login.microsoftonline.com';

/** Options of {@link dataverseClientCredentials}. */
export interface DataverseCredentialsOptions {
	/** The environment (organisation) URL, e.g. `https://contoso.crm.dynamics.com`: the token's resource. */
	environmentUrl: string;
	clientId: string;
	clientSecret: string;
	/** Directory (tenant) id or domain; required unless `tokenUrl` is given. */
	tenantId?: string;
	/** Default {@link AZURE_AD_AUTHORITY}; e.g. `https://login.microsoftonline.us` for US Government clouds. */
	authority?: string;
	/** The full token endpoint; wins over authority + tenant. */
	tokenUrl?: string;
	/** Token requests' transport (default: the core's shared one). */
	transport?: Transport;
	now?: () => number;
	expirySkewMs?: number;
	retry?: OAuth2BaseOptions['retry'];
}

const trimSlashes = (url: string) => url.trim().replace(/\/+$/, '');

/** The token endpoint: `tokenUrl` as given, or `{authority}/{tenant}/oauth2/v2.0/token`. */
export function dataverseTokenUrl(
	options: Pick<DataverseCredentialsOptions, 'tokenUrl' | 'authority' | 'tenantId'>,
): string {
	if (options.tokenUrl?.trim()) return options.tokenUrl.trim();
	const tenant = options.tenantId?.trim();
	if (!tenant) {
		throw new CrmError('Dynamics 365: "tenantId" is required when no token URL is given', {
			kind: 'authentication',
			hint: 'Enter the Directory (tenant) ID of the app registration, or a full token URL.',
		});
	}
	const authority = trimSlashes(options.authority || AZURE_AD_AUTHORITY);
	return `${authority}/${encodeURIComponent(tenant)}/oauth2/v2.0/token`;
}

/** The scope of a Dataverse token: `{environmentUrl}/.default` (the environment URL without path or slash). */
export function dataverseScope(environmentUrl: string): string {
	let origin: string;
	try {
		origin = new URL(environmentUrl.trim()).origin;
	} catch {
		throw new CrmError(`Dynamics 365: the environment URL "${environmentUrl}" is not a URL`, {
			kind: 'authentication',
			hint: 'Enter the environment URL, e.g. https://contoso.crm.dynamics.com',
		});
	}
	return `${origin}/.default`;
}

/** A client-credentials provider for one Dataverse environment (pass it as the `DataverseClient`'s `auth`). */
export function dataverseClientCredentials(
	options: DataverseCredentialsOptions,
): OAuth2ClientCredentialsAuth {
	return new OAuth2ClientCredentialsAuth({
		tokenUrl: dataverseTokenUrl(options),
		clientId: options.clientId,
		clientSecret: options.clientSecret,
		scope: dataverseScope(options.environmentUrl),
		transport: options.transport,
		now: options.now,
		expirySkewMs: options.expirySkewMs,
		retry: options.retry,
	});
}
