/** n8n's refused OAuth2 renewal, as our nodes' transports report it (HubSpot and Salesforce alike). */
import { oauth2RenewalRefused } from '../../../nodes/shared/oauth2Renewal';

describe('oauth2RenewalRefused (OAuth2 renewed by n8n)', () => {
	it("turns HubSpot's BAD_REFRESH_TOKEN (n8n: ESTATUS: HTTP status 400) into an authentication error asking to reconnect", () => {
		const refused = Object.assign(new Error('HTTP status 400'), {
			code: 'ESTATUS',
			status: 400,
			body: '{"status":"BAD_REFRESH_TOKEN","message":"missing or unknown refresh token"}',
		});
		const error = oauth2RenewalRefused(
			{ message: 'wrapped', cause: refused },
			'HubSpot',
			'My HubSpot',
		);
		expect(error).toMatchObject({
			kind: 'authentication',
			retryable: false,
			crmCode: 'BAD_REFRESH_TOKEN',
			reachedServer: false,
		});
		expect(error?.message).toMatch(
			/HubSpot refused to renew the access token \(BAD_REFRESH_TOKEN: missing or unknown refresh token\) — the credential "My HubSpot" must be reconnected/,
		);
	});
	it("turns Salesforce's invalid_grant body into the same", () => {
		const refused = Object.assign(new Error('HTTP status 400'), {
			code: 'ESTATUS',
			status: 400,
			body: { error: 'invalid_grant', error_description: 'expired access/refresh token' },
		});
		const error = oauth2RenewalRefused(refused, 'Salesforce', 'Org');
		expect(error).toMatchObject({
			kind: 'authentication',
			retryable: false,
			crmCode: 'invalid_grant',
		});
		expect(error?.message).toMatch(
			/Salesforce refused .*invalid_grant: expired access\/refresh token.*"Org" must be reconnected/,
		);
	});
	it("turns n8n's own invalid_grant error into the same", () => {
		const n8nError = Object.assign(
			new Error('The credential "My HubSpot" needs to be reconnected.'),
			{ failure: { cause: 'credential-invalid' } },
		);
		expect(oauth2RenewalRefused(n8nError, 'HubSpot', 'My HubSpot')).toMatchObject({
			kind: 'authentication',
			retryable: false,
		});
	});
	it('leaves a failing token endpoint (5xx) and errors of the API call itself to the retry policy', () => {
		const failing = Object.assign(new Error('HTTP status 503'), {
			code: 'ESTATUS',
			status: 503,
			body: 'Service Unavailable',
		});
		expect(oauth2RenewalRefused(failing, 'HubSpot', 'x')).toBeUndefined();
		const apiDrop = Object.assign(new Error('socket hang up'), {
			code: 'ECONNRESET',
			config: { url: 'https://api.hubapi.com/crm/v3/objects/contacts/batch/create' },
		});
		expect(oauth2RenewalRefused(apiDrop, 'HubSpot', 'x')).toBeUndefined();
	});
});
