/** Credential data → the core's auth providers for the generic HTTP nodes (nodes/shared/http/auth.ts). */
import { clearRegisteredSecrets, redactString } from '../../../core/http/redact';
import {
	applyToRequestOptions,
	authProviderFor,
	credentialTypeOf,
	HTTP_CREDENTIAL_TYPES,
} from '../../../nodes/shared/http/auth';
import { joinUrl } from '../../../nodes/shared/http/connection';

afterAll(() => clearRegisteredSecrets());

const request = { method: 'GET' as const, url: 'https://api.example.com/v1/me', qs: { a: '1' } };

it('maps every Authentication choice to its credential type, none to no credential', () => {
	expect(credentialTypeOf('apiKey')).toBe('crmHttpApiKeyApi');
	expect(credentialTypeOf('oAuth2')).toBe('crmHttpOAuth2Api');
	expect(credentialTypeOf('none')).toBeUndefined();
	expect(credentialTypeOf('toString')).toBeUndefined();
	expect(Object.values(HTTP_CREDENTIAL_TYPES).every((t) => t.startsWith('crmHttp'))).toBe(true);
});

it('applies an API key in a header (with prefix) or in the query string, keeping the other parameters', async () => {
	const header = authProviderFor('crmHttpApiKeyApi', {
		apiKey: 'key-1234567890',
		location: 'header',
		name: 'Authorization',
		prefix: 'Token ',
	});
	expect((await applyToRequestOptions(header!, request)).headers).toEqual({
		Authorization: 'Token key-1234567890',
	});
	const query = authProviderFor('crmHttpApiKeyApi', {
		apiKey: 'key-1234567890',
		location: 'query',
		name: 'api_key',
		prefix: 'ignored ',
	});
	expect((await applyToRequestOptions(query!, request)).qs).toEqual({
		a: '1',
		api_key: 'key-1234567890',
	});
	// Registered with the redactor: never shown in an error or log line.
	expect(redactString('failed with key-1234567890')).not.toContain('key-1234567890');
});

it('applies Basic and Bearer', async () => {
	const basic = authProviderFor('crmHttpBasicAuthApi', {
		user: 'ada',
		password: 'secret-password',
	});
	expect((await applyToRequestOptions(basic!, request)).headers).toEqual({
		Authorization: `Basic ${Buffer.from('ada:secret-password').toString('base64')}`,
	});
	const bearer = authProviderFor('crmHttpBearerTokenApi', { token: 'tok-abcdefghijkl' });
	expect((await applyToRequestOptions(bearer!, request)).headers).toEqual({
		Authorization: 'Bearer tok-abcdefghijkl',
	});
});

it('reuses one client-credentials provider (and its token) per settings; a changed secret gets a new one', () => {
	const data = {
		tokenUrl: 'https://auth.example.com/token',
		clientId: 'client',
		clientSecret: 'secret-one-123456',
		scope: 'read',
	};
	const first = authProviderFor('crmHttpClientCredentialsOAuth2Api', data);
	expect(authProviderFor('crmHttpClientCredentialsOAuth2Api', { ...data })).toBe(first);
	const other = authProviderFor('crmHttpClientCredentialsOAuth2Api', {
		...data,
		clientSecret: 'secret-two-123456',
	});
	expect(other).not.toBe(first);
	expect(first!.id).not.toContain('secret');
});

it("leaves n8n's OAuth2 credential to n8n", () => {
	expect(authProviderFor('crmHttpOAuth2Api', { baseUrl: 'https://x' })).toBeUndefined();
});

it('joins base URL and path with one slash; an absolute path stays as is', () => {
	expect(joinUrl('https://a.example/api/', '/contacts')).toBe('https://a.example/api/contacts');
	expect(joinUrl('https://a.example/api', 'contacts')).toBe('https://a.example/api/contacts');
	expect(joinUrl('https://a.example/api', '')).toBe('https://a.example/api');
	expect(joinUrl('https://a.example/api', 'https://b.example/x')).toBe('https://b.example/x');
});
