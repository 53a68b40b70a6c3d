/** The REST simulator's auth styles: API key (header or query), HTTP Basic, a static bearer token, OAuth2 tokens. */
import { RestSimulator, type RestContract } from '../../sandbox';
import { client } from './helpers';

describe('REST simulator auth styles', () => {
	const sim = new RestSimulator({ records: { contacts: 3 }, rateLimit: false });
	let contract: RestContract;

	beforeAll(async () => {
		contract = await sim.start();
	});
	afterAll(() => sim.stop());

	it('accepts the API key as the api_key query parameter, and refuses a wrong one', async () => {
		const ok = await client(contract.baseUrl).get('/me', { params: { api_key: contract.apiKey } });
		expect(ok.status).toBe(200);
		expect(ok.data).toEqual({ subject: 'api-key', auth: 'apiKey', client_id: null });
		const wrong = await client(contract.baseUrl).get('/contacts', { params: { api_key: 'nope' } });
		expect(wrong.status).toBe(401);
	});

	it('accepts HTTP Basic with the right user and password only', async () => {
		const ok = await client(contract.baseUrl).get('/contacts', {
			auth: { username: contract.username, password: contract.password },
		});
		expect(ok.status).toBe(200);
		expect(ok.data.data).toHaveLength(3);
		const me = await client(contract.baseUrl).get('/me', {
			auth: { username: contract.username, password: contract.password },
		});
		expect(me.data).toEqual({
			subject: `basic:${contract.username}`,
			auth: 'basic',
			client_id: null,
		});
		const wrong = await client(contract.baseUrl).get('/contacts', {
			auth: { username: contract.username, password: 'wrong-password' },
		});
		expect(wrong.status).toBe(401);
		expect(wrong.headers['www-authenticate']).toMatch(/^Basic/);
		expect(wrong.data.error).toBe('invalid_credentials');
	});

	it('accepts the static bearer token; another token is invalid', async () => {
		const ok = await client(contract.baseUrl, {
			Authorization: `Bearer ${contract.bearerToken}`,
		}).get('/me');
		expect(ok.status).toBe(200);
		expect(ok.data.auth).toBe('bearer');
		const wrong = await client(contract.baseUrl, { Authorization: 'Bearer not-a-token' }).get(
			'/me',
		);
		expect(wrong.status).toBe(401);
	});

	it('counts requests per credential for the rate limit (Basic user has its own window)', async () => {
		sim.setRateLimit({ limit: 2, windowMs: 60_000 });
		try {
			const basic = { auth: { username: contract.username, password: contract.password } };
			expect((await client(contract.baseUrl).get('/me', basic)).status).toBe(200);
			expect((await client(contract.baseUrl).get('/me', basic)).status).toBe(200);
			expect((await client(contract.baseUrl).get('/me', basic)).status).toBe(429);
			const key = await client(contract.baseUrl, { 'X-API-Key': contract.apiKey }).get('/me');
			expect(key.status).toBe(200);
		} finally {
			sim.setRateLimit(false);
		}
	});
});
