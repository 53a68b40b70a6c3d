import { RestSimulator, type RestContract } from '../../sandbox';
import { ManualClock } from '../../sandbox/kit';
import { client } from './helpers';

const T0 = Date.UTC(2024, 2, 1, 9, 0, 0);

describe('REST simulator API', () => {
	const clock = new ManualClock(T0);
	const sim = new RestSimulator({
		clock,
		records: { companies: 3, contacts: 10 },
		rateLimit: false,
	});
	let contract: RestContract;
	const api = () => client(contract.baseUrl, { 'X-API-Key': contract.apiKey });

	beforeAll(async () => {
		contract = await sim.start();
	});
	afterAll(() => sim.stop());
	afterEach(() => {
		sim.faults.clearFaults();
		sim.setBatchMode('per-item');
	});

	describe('auth', () => {
		it('accepts the API key, rejects a wrong or missing one', async () => {
			expect((await api().get('/me')).data).toEqual({
				subject: 'api-key',
				auth: 'apiKey',
				client_id: null,
			});
			const wrong = await client(contract.baseUrl, { 'X-API-Key': 'nope' }).get('/contacts');
			expect(wrong.status).toBe(401);
			expect((await client(contract.baseUrl).get('/contacts')).status).toBe(401);
		});

		it('issues client-credentials tokens; an expired token answers 401 until a new one is fetched', async () => {
			const tokenRes = await client(contract.tokenUrl).post(
				'',
				new URLSearchParams({ grant_type: 'client_credentials' }).toString(),
				{
					auth: { username: contract.clientId, password: contract.clientSecret },
					headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
				},
			);
			expect(tokenRes.status).toBe(200);
			const bearer = client(contract.baseUrl, {
				Authorization: `Bearer ${tokenRes.data.access_token}`,
			});
			expect((await bearer.get('/me')).data).toEqual({
				subject: `client:${contract.clientId}`,
				auth: 'bearer',
				client_id: contract.clientId,
			});
			expect(
				(
					await client(contract.baseUrl.replace(/\/api$/, '')).post('/__sandbox/faults', {
						type: 'expireTokens',
					})
				).data.expired,
			).toBe(1);
			const expired = await bearer.get('/contacts');
			expect(expired.status).toBe(401);
			expect(expired.data.error_description).toBe('The access token expired');
			// the API key is unaffected
			expect((await api().get('/contacts')).status).toBe(200);
			expect(sim.log.count({ kind: 'token' })).toBeGreaterThanOrEqual(1);
		});
	});

	describe('CRUD and validation', () => {
		it('creates (201 + Location), reads, patches, replaces and deletes', async () => {
			const created = await api().post('/contacts', {
				email: 'new@example.com',
				last_name: 'New',
				score: 5,
				tags: ['a'],
			});
			expect(created.status).toBe(201);
			const id = created.data.id as string;
			expect(created.headers.location).toBe(`${contract.baseUrl}/contacts/${id}`);
			expect(created.data).toMatchObject({
				email: 'new@example.com',
				last_name: 'New',
				created_at: expect.stringMatching(/Z$/),
			});
			expect((await api().get(`/contacts/${id}`)).data).toEqual(created.data);

			clock.advance(5000);
			const patched = await api().patch(`/contacts/${id}`, { first_name: 'Nu', score: null });
			expect(patched.status).toBe(200);
			expect(patched.data).toMatchObject({
				first_name: 'Nu',
				score: null,
				email: 'new@example.com',
			});
			expect(Date.parse(patched.data.updated_at)).toBeGreaterThan(
				Date.parse(patched.data.created_at),
			);

			const replaced = await api().put(`/contacts/${id}`, {
				email: 'new@example.com',
				last_name: 'Replaced',
			});
			expect(replaced.data.first_name).toBeUndefined();
			expect(replaced.data.last_name).toBe('Replaced');

			expect((await api().delete(`/contacts/${id}`)).status).toBe(204);
			const gone = await api().get(`/contacts/${id}`);
			expect(gone.status).toBe(404);
			expect(gone.data).toEqual({
				error: 'not_found',
				message: `No contacts record with id ${id}`,
			});
			expect((await api().delete(`/contacts/${id}`)).status).toBe(404);
			const tombstones = await api().get('/contacts/deleted', {
				params: { since: new Date(T0).toISOString() },
			});
			expect(tombstones.data.data).toContainEqual({ id, deleted_at: expect.any(String) });
		});

		it('answers validation errors with field names', async () => {
			const res = await api().post('/contacts', {
				email: 'not-an-email',
				score: 500,
				nickname: 'x',
			});
			expect(res.status).toBe(400);
			expect(res.data.error).toBe('validation_failed');
			expect(res.data.errors).toEqual(
				expect.arrayContaining([
					expect.objectContaining({ field: 'email', code: 'invalid_format' }),
					expect.objectContaining({ field: 'score', code: 'out_of_range' }),
					expect.objectContaining({ field: 'nickname', code: 'unknown_field' }),
					expect.objectContaining({ field: 'last_name', code: 'required' }),
				]),
			);
			const wrongType = await api().patch(`/contacts/${sim.collection('contacts').list()[0].id}`, {
				subscribed: 'yes',
			});
			expect(wrongType.data.errors).toEqual([
				{ field: 'subscribed', code: 'invalid_type', message: 'subscribed must be a boolean' },
			]);
		});

		it('answers 409 on a duplicate unique value and 415 on a non-JSON body', async () => {
			const existing = sim.collection('contacts').list()[0];
			const dup = await api().post('/contacts', {
				email: String(existing.fields.email).toUpperCase(),
				last_name: 'Dup',
			});
			expect(dup.status).toBe(409);
			expect(dup.data.errors[0]).toMatchObject({
				field: 'email',
				code: 'duplicate',
				existing_id: existing.id,
			});
			const form = await api().post('/contacts', 'email=a@b.co', {
				headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
			});
			expect(form.status).toBe(415);
			expect((await api().get('/widgets')).status).toBe(404);
		});
	});

	describe('batch', () => {
		const item = (i: number, extra: Record<string, unknown> = {}) => ({
			email: `batch${i}-${clock.now()}@example.com`,
			last_name: `B${i}`,
			...extra,
		});

		it('per-item results: 200 when all succeed, 207 with each failure named', async () => {
			const ok = await api().post('/contacts/batch', { items: [item(1), item(2)] });
			expect(ok.status).toBe(200);
			expect(ok.data.succeeded).toBe(2);
			expect(ok.data.results.map((r: { status: number }) => r.status)).toEqual([201, 201]);

			const before = sim.collection('contacts').count();
			const mixed = await api().post('/contacts/batch', {
				items: [item(3), { last_name: 'NoEmail' }, item(4), item(3)],
			});
			expect(mixed.status).toBe(207);
			expect(mixed.data).toMatchObject({ succeeded: 2, failed: 2 });
			const [r0, r1, r2, r3] = mixed.data.results;
			expect(r0).toMatchObject({
				index: 0,
				status: 201,
				id: expect.any(String),
				data: expect.objectContaining({ last_name: 'B3' }),
			});
			expect(r1).toMatchObject({
				index: 1,
				status: 400,
				error: {
					code: 'validation_failed',
					errors: [expect.objectContaining({ field: 'email', code: 'required' })],
				},
			});
			expect(r2.status).toBe(201);
			expect(r3).toMatchObject({ index: 3, status: 409, error: { code: 'conflict' } });
			expect(sim.collection('contacts').count()).toBe(before + 2);
			expect(sim.log.count({ kind: 'batch.create' })).toBe(2);
		});

		it('atomic mode: one invalid record fails the whole batch with a 400 naming it, nothing written', async () => {
			const before = sim.collection('contacts').count();
			const res = await api().post('/contacts/batch', {
				atomic: true,
				items: [item(10), item(11), item(12, { score: 'high' }), item(13)],
			});
			expect(res.status).toBe(400);
			expect(res.data).toMatchObject({
				error: 'validation_failed',
				index: 2,
				errors: [{ index: 2, field: 'score', code: 'invalid_type' }],
			});
			expect(res.data.message).toMatch(/^Item 2 is invalid/);
			expect(sim.collection('contacts').count()).toBe(before);

			// server-wide mode (as the admin endpoint sets it), and a duplicate within the batch
			const adminRes = await client(contract.baseUrl.replace(/\/api$/, '')).put(
				'/__sandbox/batch-mode',
				{ mode: 'atomic' },
			);
			expect(adminRes.data).toEqual({ mode: 'atomic' });
			const same = item(14);
			const dup = await api().post('/contacts/batch', { items: [same, same] });
			expect(dup.status).toBe(400);
			expect(dup.data.index).toBe(1);
			expect(sim.collection('contacts').count()).toBe(before);
			// splitting off the bad record lets the rest through
			const good = await api().post('/contacts/batch', { items: [same] });
			expect(good.status).toBe(200);
		});

		it('update, upsert by unique key and delete', async () => {
			const ids = sim
				.collection('contacts')
				.list()
				.slice(0, 2)
				.map((r) => r.id);
			const upd = await api().post('/contacts/batch', {
				operation: 'update',
				items: [
					{ id: ids[0], score: 9 },
					{ id: 'missing', score: 1 },
				],
			});
			expect(upd.status).toBe(207);
			expect(upd.data.results[0]).toMatchObject({ status: 200, data: { score: 9 } });
			expect(upd.data.results[1]).toMatchObject({ status: 404, error: { code: 'not_found' } });
			expect(sim.log.count({ kind: 'batch.update' })).toBe(1);

			const existingEmail = String(sim.collection('contacts').get(ids[1])!.fields.email);
			const ups = await api().post('/contacts/batch', {
				operation: 'upsert',
				upsert_key: 'email',
				items: [
					{ email: existingEmail, first_name: 'Upserted' },
					{ email: 'brand-new@example.com', last_name: 'Fresh' },
				],
			});
			expect(ups.status).toBe(200);
			expect(ups.data.results[0]).toMatchObject({
				status: 200,
				id: ids[1],
				created: false,
				data: { first_name: 'Upserted' },
			});
			expect(ups.data.results[1]).toMatchObject({ status: 201, created: true });
			// repeating an upsert is safe: no duplicate
			const again = await api().post('/contacts/batch', {
				operation: 'upsert',
				upsert_key: 'email',
				items: [{ email: 'brand-new@example.com', last_name: 'Fresh' }],
			});
			expect(again.data.results[0]).toMatchObject({ status: 200, created: false });
			expect(
				(await api().post('/contacts/batch', { operation: 'upsert', items: [{ email: 'x@y.co' }] }))
					.status,
			).toBe(400);

			const del = await api().post('/contacts/batch', {
				operation: 'delete',
				items: [{ id: ids[0] }, { id: ids[0] }],
			});
			expect(del.status).toBe(207);
			expect(del.data.results[0]).toEqual({ index: 0, status: 204, id: ids[0] });
			expect(del.data.results[1].error.code).toBe('duplicate_in_batch');
		});

		it('rejects more than 100 items and empty batches', async () => {
			const big = await api().post('/contacts/batch', {
				items: Array.from({ length: 101 }, (_, i) => item(100 + i)),
			});
			expect(big.status).toBe(400);
			expect(big.data.error).toBe('batch_too_large');
			expect((await api().post('/contacts/batch', { items: [] })).status).toBe(400);
		});

		it('injected partial batch failure fails the named items (per-item) or the whole batch (atomic)', async () => {
			sim.faults.add({
				type: 'batchFailure',
				indexes: [1],
				status: 503,
				code: 'UNAVAILABLE',
				message: 'shard down',
				count: 2,
			});
			const res = await api().post('/contacts/batch', { items: [item(300), item(301), item(302)] });
			expect(res.status).toBe(207);
			expect(res.data.results[1]).toEqual({
				index: 1,
				status: 503,
				error: { code: 'UNAVAILABLE', message: 'shard down' },
			});
			expect(res.data.succeeded).toBe(2);
			const atomic = await api().post('/contacts/batch', {
				atomic: true,
				items: [item(310), item(311)],
			});
			expect(atomic.status).toBe(503);
			expect(atomic.data).toMatchObject({ error: 'UNAVAILABLE', index: 1 });
		});
	});

	describe('faults seen through the REST API', () => {
		it('429 burst, 5xx and dropped connections', async () => {
			sim.faults.add({ type: 'rateLimit', count: 1, retryAfterSeconds: 2 });
			const limited = await api().get('/contacts');
			expect(limited.status).toBe(429);
			expect(limited.headers['retry-after']).toBe('2');
			sim.faults.add({ type: 'serverError', status: 502, count: 1, match: { kinds: ['list'] } });
			expect((await api().get('/contacts')).status).toBe(502);
			sim.faults.add({ type: 'drop', count: 1 });
			await expect(api().get('/contacts')).rejects.toMatchObject({
				message: expect.stringMatching(/socket hang up|ECONNRESET/),
			});
			expect((await api().get('/contacts')).status).toBe(200);
		});
	});

	describe('admin', () => {
		it('seeds deterministically and resets', async () => {
			const admin = client(contract.baseUrl.replace(/\/api$/, ''));
			const other = new RestSimulator({
				clock: new ManualClock(T0),
				records: { companies: 3, contacts: 10 },
			});
			const fresh = new RestSimulator({
				clock: new ManualClock(T0),
				records: { companies: 3, contacts: 10 },
			});
			const strip = (s: RestSimulator) =>
				s
					.collection('contacts')
					.list()
					.map((r) => r.fields);
			expect(strip(other)).toEqual(strip(fresh));
			const seeded = await admin.post('/__sandbox/seed', { contacts: 5 });
			expect(seeded.data).toEqual({ created: { contacts: 5, companies: 0 } });
			expect((await admin.post('/__sandbox/seed', { contacts: -1 })).status).toBe(400);
			expect((await admin.post('/__sandbox/reset')).status).toBe(204);
			expect(sim.collection('contacts').count()).toBe(0);
			expect(sim.log.count()).toBe(0);
		});
	});
});

describe('REST simulator rate limit', () => {
	const clock = new ManualClock(T0);
	const sim = new RestSimulator({ clock, rateLimit: { limit: 4, windowMs: 1000 } });
	let contract: RestContract;
	beforeAll(async () => {
		contract = await sim.start();
	});
	afterAll(() => sim.stop());

	it('sends X-RateLimit-* headers and 429 + Retry-After when exceeded; settable over HTTP', async () => {
		const c = client(contract.baseUrl, { 'X-API-Key': contract.apiKey });
		const seen: Array<[number, string | undefined]> = [];
		for (let i = 0; i < 10; i++) {
			const res = await c.get('/contacts');
			seen.push([res.status, res.headers['x-ratelimit-remaining']]);
			if (res.status === 429) {
				expect(res.headers['retry-after']).toBe('1');
				expect(res.headers['x-ratelimit-limit']).toBe('4');
				expect(res.headers['x-ratelimit-reset']).toBe(String(Math.ceil((T0 + 1000) / 1000)));
				expect(res.data.error).toBe('rate_limited');
				break;
			}
		}
		expect(seen).toEqual([
			[200, '3'],
			[200, '2'],
			[200, '1'],
			[200, '0'],
			[429, '0'],
		]);
		clock.advance(1000);
		expect((await c.get('/contacts')).status).toBe(200);
		// handler errors carry the rate-limit headers too
		const missing = await c.get('/contacts/nope');
		expect(missing.status).toBe(404);
		expect(missing.headers['x-ratelimit-remaining']).toBe('2');

		const admin = client(contract.baseUrl.replace(/\/api$/, ''));
		expect((await admin.put('/__sandbox/rate-limit', { limit: 1, windowMs: 60_000 })).data).toEqual(
			{ rateLimit: { limit: 1, windowMs: 60_000 } },
		);
		expect((await c.get('/contacts')).status).toBe(200);
		expect((await c.get('/contacts')).status).toBe(429);
		expect((await admin.put('/__sandbox/rate-limit', { enabled: false })).data).toEqual({
			rateLimit: false,
		});
		expect((await c.get('/contacts')).status).toBe(200);
		expect((await admin.put('/__sandbox/rate-limit', { limit: 'x' })).status).toBe(400);
	});
});
