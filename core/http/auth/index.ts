export type { AuthProvider } from './types';
export { fingerprint, readHeader, withHeader } from './types';
export {
	ApiKeyAuth,
	type ApiKeyAuthOptions,
	BasicAuth,
	type BasicAuthOptions,
	BearerAuth,
	type BearerAuthOptions,
	NoAuth,
} from './simple';
export {
	type ClientAuthMethod,
	type ClientCredentialsOptions,
	defaultTokenTransport,
	JWT_BEARER_GRANT_TYPE,
	type JwtAssertionAlgorithm,
	type JwtBearerOptions,
	type OAuth2BaseOptions,
	OAuth2ClientCredentialsAuth,
	OAuth2JwtBearerAuth,
	OAuth2RefreshTokenAuth,
	OAuth2TokenAuth,
	type OAuth2Tokens,
	type RefreshTokenOptions,
	type TokenSet,
} from './oauth2';
