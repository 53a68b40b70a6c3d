/**
 * Azure AD client credentials for Dataverse against the simulator's token endpoint: the token URL and scope, one
 * token request for many API calls, a 401 renews the token once, and neither the client secret nor a token shows in
 * errors.
 */
import {
	dataverseClientCredentials,
	dataverseScope,
	dataverseTokenUrl,
} from '../../../core/connectors/dynamics/auth';
import { DataverseClient } from '../../../core/connectors/dynamics/client';
import { isCrmError } from '../../../core/http/errors';
import { AxiosTransport } from '../../../core/http/transport';
import type { HttpRequest } from '../../../core/http/types';
import { startDvWorld, type DvWorld } from './helpers';

/** Everything an error carries, as text (message, stack, every own property, the cause). */
function errorText(err: unknown): string {
	const e = err as Error & Record<string, unknown>;
	const own = Object.fromEntries(Object.getOwnPropertyNames(e).map((k) => [k, e[k]]));
	return `${e.message}\n${e.stack}\n${JSON.stringify(own)}\n${JSON.stringify(e.cause ?? null)}`;
}

async function rejection(p: Promise<unknown>): Promise<unknown> {
	try {
		await p;
	} catch (err) {
		return err;
	}
	throw new Error('expected a rejection');
}

describe('Dataverse auth: client credentials', () => {
	let w: DvWorld;
	beforeAll(async () => {
		w = await startDvWorld({ seed: 3 });
	});
	afterAll(() => w.sim.stop());
	beforeEach(() => w.sim.reset());

	it('builds the token URL from authority + tenant (or takes a full one) and the scope from the environment URL', () => {
		expect(dataverseTokenUrl({ tenantId: 'contoso.onmicrosoft.com' })).toBe(
			'https://login.microsoftonline.com/contoso.onmicrosoft.com/oauth2/v2.0/token',
		);
		expect(
			dataverseTokenUrl({ tenantId: 't1', authority: 'https://login.microsoftonline.us/' }),
		).toBe('https://login.microsoftonline.us/t1/oauth2/v2.0/token');
		expect(dataverseTokenUrl({ tokenUrl: ' http://127.0.0.1:9/x/token ', tenantId: 't' })).toBe(
			'http://127.0.0.1:9/x/token',
		);
		expect(() => dataverseTokenUrl({})).toThrow(/tenantId/);
		expect(dataverseScope('https://contoso.crm4.dynamics.com/')).toBe(
			'https://contoso.crm4.dynamics.com/.default',
		);
		expect(() => dataverseScope('contoso')).toThrow(/not a URL/);
	});

	it('fetches one token from the token endpoint for many calls, with the environment scope', async () => {
		const client = w.client();
		for (let i = 0; i < 3; i++) await client.get('WhoAmI()');
		expect(w.count('token')).toBe(1);
		expect(w.count('whoami')).toBe(3);
		expect(w.sim.log.entries({ kind: 'whoami', status: 200 })).toHaveLength(3);
	});

	it('a 401 (token expired early) renews the token once and resends the request', async () => {
		const client = w.client();
		await client.get('WhoAmI()');
		expect(w.sim.faults.expireTokens()).toBeGreaterThan(0);
		const me = await client.get<{ UserId: string }>('WhoAmI()');
		expect(me.UserId).toBe(w.sim.identity.appUserId);
		expect(w.count('token')).toBe(2);
		expect(w.sim.log.entries({ kind: 'whoami' }).map((e) => e.status)).toEqual([200, 401, 200]);
	});

	it('a wrong client secret is an authentication error that does not show the secret', async () => {
		const secret = `wrong~${w.contract.clientSecret.slice(-12)}Zq`;
		const client = new DataverseClient({
			environmentUrl: w.contract.serverUrl,
			auth: dataverseClientCredentials({
				environmentUrl: w.contract.serverUrl,
				tokenUrl: w.contract.tokenUrl,
				clientId: w.contract.clientId,
				clientSecret: secret,
			}),
			rateLimit: false,
		});
		const err = await rejection(client.get('WhoAmI()'));
		expect(isCrmError(err) && err.kind).toBe('authentication');
		expect(errorText(err)).not.toContain(secret);
		expect(w.count('token')).toBeGreaterThanOrEqual(1);
		expect(w.count('whoami')).toBe(0);
	});

	it('an API error carries neither the access token nor the client secret', async () => {
		const sent: HttpRequest[] = [];
		const inner = new AxiosTransport();
		const client = w.client({
			transport: { send: (req) => (sent.push(req), inner.send(req)) },
		});
		const err = await rejection(client.get('nosuchtables'));
		expect(isCrmError(err) && err.status).toBe(404);
		expect(isCrmError(err) && err.crmCode).toBe('0x8006088a');
		const auth = sent[0].headers?.Authorization ?? '';
		const token = auth.replace(/^Bearer /, '');
		expect(token.length).toBeGreaterThan(20);
		const text = errorText(err);
		expect(text).not.toContain(token);
		expect(text).not.toContain(w.contract.clientSecret);
	});
});
