/** Standalone sessions: login, instance URL from the token response, re-login on a 401. */
import { connectSalesforce } from '../../../../core/connectors/salesforce/session';
import { FunctionTransport } from '../../../../nodes/shared/n8nTransport';

describe('connectSalesforce', () => {
	it('logs in with the password grant, talks to the instance URL, and logs in again after a 401', async () => {
		let tokens = 0;
		const tokenTransport = new FunctionTransport(async (req) => {
			const form = new URLSearchParams(String(req.body));
			expect(form.get('grant_type')).toBe('password');
			expect(form.get('password')).toBe('pwSECTOKEN');
			tokens++;
			return {
				status: 200,
				headers: { 'content-type': 'application/json' },
				body: JSON.stringify({
					access_token: `tok-${tokens}-value`,
					instance_url: 'https://acme.my.salesforce.com',
					id: 'x',
					token_type: 'Bearer',
				}),
			};
		});
		const seen: string[] = [];
		const api = new FunctionTransport(async (req) => {
			seen.push(`${req.url} ${req.headers?.Authorization}`);
			if (req.headers?.Authorization === 'Bearer tok-1-value')
				return {
					status: 401,
					headers: { 'content-type': 'application/json' },
					body: '[{"errorCode":"INVALID_SESSION_ID","message":"Session expired or invalid"}]',
				};
			return {
				status: 200,
				headers: { 'content-type': 'application/json' },
				body: JSON.stringify({ sobjects: [{ name: 'Account' }] }),
			};
		});
		const connector = await connectSalesforce({
			grant: {
				kind: 'password',
				loginUrl: 'https://login.salesforce.com',
				clientId: 'id',
				clientSecret: 'secret-value',
				username: 'u',
				password: 'pw',
				securityToken: 'SECTOKEN',
			},
			token: { transport: tokenTransport },
			http: { transport: api, rateLimit: false },
		});
		expect(connector.instanceUrl).toBe('https://acme.my.salesforce.com');
		expect((await connector.listObjects()).map((o) => o.name)).toEqual(['Account']);
		expect(tokens).toBe(2);
		expect(seen).toEqual([
			'https://acme.my.salesforce.com/services/data/v62.0/sobjects Bearer tok-1-value',
			'https://acme.my.salesforce.com/services/data/v62.0/sobjects Bearer tok-2-value',
		]);
	});
});
