/** Token exchanges of the server-to-server credentials. */
import { generateKeyPairSync } from 'node:crypto';

import jwt from 'jsonwebtoken';

import {
	defaultJwtAudience,
	INSTANCE_URL_PLACEHOLDER,
	loginUrlFor,
	parseTokenResponse,
	resolveInstanceUrl,
	tokenErrorMessage,
	tokenRequest,
} from '../../../../core/connectors/salesforce/auth';
import { redactString } from '../../../../core/http/redact';

const keys = generateKeyPairSync('rsa', {
	modulusLength: 2048,
	publicKeyEncoding: { type: 'spki', format: 'pem' },
	privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
});

describe('Salesforce token requests', () => {
	it('JWT bearer: an RS256 assertion with iss, sub, aud and a 3-minute expiry, verifiable with the certificate key', () => {
		const now = Date.UTC(2025, 0, 1);
		const req = tokenRequest(
			{
				kind: 'jwt',
				loginUrl: 'https://test.salesforce.com/',
				clientId: 'consumer-key',
				username: 'bot@acme.com',
				privateKey: keys.privateKey,
			},
			now,
		);
		expect(req.url).toBe('https://test.salesforce.com/services/oauth2/token');
		const form = new URLSearchParams(req.body);
		expect(form.get('grant_type')).toBe('urn:ietf:params:oauth:grant-type:jwt-bearer');
		const claims = jwt.verify(form.get('assertion') ?? '', keys.publicKey, {
			algorithms: ['RS256'],
			clockTimestamp: now / 1000,
		}) as Record<string, unknown>;
		expect(claims).toMatchObject({
			iss: 'consumer-key',
			sub: 'bot@acme.com',
			aud: 'https://test.salesforce.com',
			iat: now / 1000,
			exp: now / 1000 + 180,
		});
		// The assertion and the key never show in logs or errors.
		expect(redactString(`sent ${req.body}`)).not.toContain(form.get('assertion'));
	});

	it('uses the audience Salesforce expects, also behind a My Domain', () => {
		expect(defaultJwtAudience('https://acme.my.salesforce.com')).toBe(
			'https://login.salesforce.com',
		);
		expect(defaultJwtAudience('https://acme--uat.sandbox.my.salesforce.com')).toBe(
			'https://test.salesforce.com',
		);
		expect(defaultJwtAudience('https://test.salesforce.com')).toBe('https://test.salesforce.com');
	});

	it('accepts a key pasted with literal \\n and explains an unreadable one', () => {
		const oneLine = keys.privateKey.replace(/\n/g, '\\n');
		expect(() =>
			tokenRequest({
				kind: 'jwt',
				loginUrl: 'https://login.salesforce.com',
				clientId: 'k',
				username: 'u',
				privateKey: oneLine,
			}),
		).not.toThrow();
		expect(() =>
			tokenRequest({
				kind: 'jwt',
				loginUrl: 'https://login.salesforce.com',
				clientId: 'k',
				username: 'u',
				privateKey: 'not a key',
			}),
		).toThrow(/private key cannot be read/);
	});

	it('username-password appends the security token; client credentials sends the client secret; both are redacted', () => {
		const pw = new URLSearchParams(
			tokenRequest({
				kind: 'password',
				loginUrl: 'https://login.salesforce.com',
				clientId: 'id',
				clientSecret: 'shh-secret-1',
				username: 'u@x.com',
				password: 'pass-word',
				securityToken: 'TOKEN123',
			}).body,
		);
		expect(pw.get('password')).toBe('pass-wordTOKEN123');
		expect(redactString('password=pass-wordTOKEN123 secret shh-secret-1')).not.toMatch(
			/pass-word|shh-secret-1/,
		);
		const cc = new URLSearchParams(
			tokenRequest({
				kind: 'clientCredentials',
				loginUrl: 'https://acme.my.salesforce.com',
				clientId: 'id',
				clientSecret: 'cc-secret-2',
			}).body,
		);
		expect(cc.get('grant_type')).toBe('client_credentials');
		expect(cc.get('client_secret')).toBe('cc-secret-2');
		expect(() =>
			tokenRequest({
				kind: 'clientCredentials',
				loginUrl: 'https://acme.my.salesforce.com',
				clientId: '',
				clientSecret: 'x',
			}),
		).toThrow(/consumer key \(client ID\) is empty/);
	});

	it('login URLs per environment; a custom one must be a URL', () => {
		expect(loginUrlFor('production')).toBe('https://login.salesforce.com');
		expect(loginUrlFor('sandbox')).toBe('https://test.salesforce.com');
		expect(loginUrlFor('custom', 'https://acme.my.salesforce.com/')).toBe(
			'https://acme.my.salesforce.com',
		);
		expect(() => loginUrlFor('custom', 'acme')).toThrow(/not a URL/);
	});

	it('reads the token response and explains refusals', () => {
		expect(
			parseTokenResponse({
				access_token: '00Dxx!token-value',
				instance_url: 'https://acme.my.salesforce.com/',
			}),
		).toEqual({
			accessToken: '00Dxx!token-value',
			instanceUrl: 'https://acme.my.salesforce.com',
		});
		expect(redactString('token 00Dxx!token-value')).not.toContain('00Dxx!token-value');
		expect(() => parseTokenResponse({ access_token: 'x-token-1' })).toThrow(/no instance_url/);
		expect(
			tokenErrorMessage(
				'{"error":"invalid_client_id","error_description":"client identifier invalid"}',
				400,
			),
		).toBe(
			'Salesforce login failed (HTTP 400): invalid_client_id — client identifier invalid (check the consumer key)',
		);
	});

	it('points placeholder URLs at the instance URL once known', () => {
		expect(
			resolveInstanceUrl(
				`${INSTANCE_URL_PLACEHOLDER}/services/data/v62.0/query`,
				'https://acme.my.salesforce.com',
			),
		).toBe('https://acme.my.salesforce.com/services/data/v62.0/query');
		expect(resolveInstanceUrl('https://other/x', 'https://acme')).toBe('https://other/x');
		expect(() => resolveInstanceUrl(`${INSTANCE_URL_PLACEHOLDER}/x`, '')).toThrow(
			/has not logged in yet/,
		);
	});
});
