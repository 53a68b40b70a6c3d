import { AxiosError } from 'axios';
import {
	FaultInjector,
	ManualClock,
	SandboxServer,
	json,
	type SandboxRequest,
} from '../../sandbox/kit';
import { SleepGate, client } from './helpers';

const T0 = Date.UTC(2024, 0, 1);

describe('fault injection over HTTP', () => {
	const clock = new ManualClock(T0);
	const gate = new SleepGate();
	const server = new SandboxServer({ clock, sleep: gate.sleep, seed: 42 });
	const created: string[] = [];
	let base: string;

	beforeAll(async () => {
		server.get('/a', () => json({ ok: 'a' }), { kind: 'a' });
		server.get('/b', () => json({ ok: 'b' }), { kind: 'b' });
		server.post(
			'/things',
			async (req) => {
				const body = await req.json<{ name: string }>();
				created.push(body.name);
				return json({ id: created.length }, 201);
			},
			{ kind: 'create' },
		);
		base = (await server.start()).url;
	});
	afterAll(() => server.stop());
	afterEach(() => {
		server.faults.clearFaults();
		server.log.reset();
	});

	const statuses = async (path: string, n: number) => {
		const out: number[] = [];
		for (let i = 0; i < n; i++) out.push((await client(base).get(path)).status);
		return out;
	};

	it('429 burst for the next N requests, with Retry-After', async () => {
		server.faults.add({ type: 'rateLimit', count: 3, retryAfterSeconds: 7 });
		const first = await client(base).get('/a');
		expect(first.status).toBe(429);
		expect(first.headers['retry-after']).toBe('7');
		expect(await statuses('/a', 4)).toEqual([429, 429, 200, 200]);
		expect(server.log.count({ status: 429 })).toBe(3);
		expect(server.log.entries({ status: 429 })[0].fault).toBe('rateLimit');
		expect(server.faults.list()).toEqual([]);
	});

	it('429 for a duration of clock time, Retry-After counting down', async () => {
		server.faults.add({ type: 'rateLimit', durationMs: 30_000 });
		expect((await client(base).get('/a')).headers['retry-after']).toBe('30');
		clock.advance(12_500);
		const mid = await client(base).get('/a');
		expect(mid.status).toBe(429);
		expect(mid.headers['retry-after']).toBe('18');
		clock.advance(17_500);
		expect((await client(base).get('/a')).status).toBe(200);
	});

	it('5xx only for matching paths and methods, for a count', async () => {
		server.faults.add({
			type: 'serverError',
			status: 503,
			count: 2,
			match: { path: '^/b$', methods: ['get'] },
		});
		expect(await statuses('/a', 2)).toEqual([200, 200]);
		const b = await client(base).get('/b');
		expect(b.status).toBe(503);
		expect(b.data).toEqual({ error: 'server_error', message: 'Internal server error (injected)' });
		expect(await statuses('/b', 2)).toEqual([503, 200]);
		server.faults.add({ type: 'serverError', match: { kinds: ['create'] } });
		expect((await client(base).post('/things', { name: 'x' })).status).toBe(500);
		expect(created).not.toContain('x');
	});

	it('5xx with a probability is reproducible from the seed', async () => {
		const pattern = async () => {
			server.faults.reseed(7);
			server.faults.add({ type: 'serverError', probability: 0.5 });
			const s = await statuses('/a', 16);
			server.faults.clearFaults();
			return s;
		};
		const one = await pattern();
		const two = await pattern();
		expect(one).toEqual(two);
		expect(one).toContain(500);
		expect(one).toContain(200);
	});

	it('slow responses: the answer waits for the injected delay', async () => {
		server.faults.add({ type: 'slow', delayMs: 1500, count: 1 });
		let settled = false;
		const pending = client(base)
			.get('/a')
			.then((r) => {
				settled = true;
				return r;
			});
		await gate.waitForPending(1);
		expect(gate.requested.at(-1)).toBe(1500);
		for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r));
		expect(settled).toBe(false);
		gate.release();
		expect((await pending).status).toBe(200);
		expect(server.log.last()?.fault).toBe('slow');
	});

	it('dropped connection before the body: the client sees a reset / socket hang up, nothing is processed', async () => {
		server.faults.add({ type: 'drop', when: 'beforeBody', match: { kinds: ['create'] } });
		const err = await client(base)
			.post('/things', { name: 'lost' })
			.then(
				() => undefined,
				(e: unknown) => e,
			);
		expect(err).toBeInstanceOf(AxiosError);
		expect((err as AxiosError).response).toBeUndefined();
		expect(['ECONNRESET', 'ERR_SOCKET_HANG_UP', 'EPIPE']).toContain((err as AxiosError).code ?? '');
		expect(created).not.toContain('lost');
		const entry = server.log.last()!;
		expect(entry).toMatchObject({
			status: 0,
			dropped: true,
			fault: 'drop.beforeBody',
			kind: 'create',
		});
		// the next request works
		expect((await client(base).post('/things', { name: 'ok' })).status).toBe(201);
	});

	it('dropped connection after the handler: the write happened but the answer is lost', async () => {
		server.faults.add({ type: 'drop', when: 'afterHandler' });
		const err = await client(base)
			.post('/things', { name: 'applied' })
			.then(
				() => undefined,
				(e: unknown) => e as AxiosError,
			);
		expect(err?.message).toMatch(/socket hang up|ECONNRESET/);
		expect(created).toContain('applied');
	});

	it('dropped connection after reading the body', async () => {
		server.faults.add({ type: 'drop', when: 'afterBody' });
		const err = await client(base)
			.post('/things', { name: 'read-only' })
			.then(
				() => undefined,
				(e: unknown) => e as AxiosError,
			);
		expect(err).toBeDefined();
		expect(created).not.toContain('read-only');
		expect(server.log.last()?.fault).toBe('drop.afterBody');
	});

	it('admin endpoint: add, list, remove, clear and reject invalid faults', async () => {
		const c = client(base);
		const added = await c.post('/__sandbox/faults', {
			type: 'serverError',
			status: 502,
			count: 5,
			match: { path: '^/a' },
		});
		expect(added.status).toBe(201);
		const list = await c.get('/__sandbox/faults');
		expect(list.data.faults).toEqual([
			expect.objectContaining({
				id: added.data.id,
				type: 'serverError',
				status: 502,
				remaining: 5,
				hits: 0,
			}),
		]);
		expect((await c.get('/a')).status).toBe(502);
		expect((await c.get('/__sandbox/faults')).data.faults[0]).toMatchObject({
			remaining: 4,
			hits: 1,
		});
		expect((await c.delete(`/__sandbox/faults/${added.data.id}`)).status).toBe(204);
		expect((await c.delete(`/__sandbox/faults/${added.data.id}`)).status).toBe(404);
		expect((await c.get('/a')).status).toBe(200);
		await c.post('/__sandbox/faults', { type: 'rateLimit', count: 1 });
		expect((await c.delete('/__sandbox/faults')).status).toBe(204);
		expect((await c.get('/a')).status).toBe(200);
		for (const bad of [
			{ type: 'nope' },
			{ type: 'serverError', status: 404 },
			{ type: 'slow' },
			{ type: 'rateLimit', count: 0 },
			{ type: 'drop', when: 'later' },
			{ type: 'serverError', match: { path: '(' } },
		]) {
			const res = await c.post('/__sandbox/faults', bad);
			expect(res.status).toBe(400);
			expect(res.data.error).toBe('invalid_fault');
		}
	});
});

describe('partial batch failures (in-process hook)', () => {
	const req = { path: '/batch', method: 'POST', kind: 'batch.create' } as unknown as SandboxRequest;

	it('fails chosen indexes or ids for the configured number of batch calls', () => {
		const f = new FaultInjector();
		f.add({
			type: 'batchFailure',
			indexes: [1, 3],
			status: 409,
			code: 'DUPLICATE_VALUE',
			message: 'dup',
		});
		const items = ['a', 'b', 'c', 'd'];
		const hits = f.batchFailures(req, items);
		expect([...hits.keys()]).toEqual([1, 3]);
		expect(hits.get(1)).toEqual({ status: 409, code: 'DUPLICATE_VALUE', message: 'dup' });
		expect(f.batchFailures(req, items).size).toBe(0);

		f.add({ type: 'batchFailure', ids: ['c'], count: 2 });
		expect([...f.batchFailures(req, items, (x) => x).keys()]).toEqual([2]);
		expect([...f.batchFailures(req, items, (x) => x).keys()]).toEqual([2]);
		expect(f.batchFailures(req, items, (x) => x).size).toBe(0);
	});

	it('defaults to the first item; per-item probability is seeded; match by kind', () => {
		const f = new FaultInjector({ seed: 3 });
		f.add({ type: 'batchFailure', match: { kinds: ['batch.update'] } });
		expect(f.batchFailures(req, [1, 2]).size).toBe(0);
		f.clearFaults();
		f.add({ type: 'batchFailure' });
		expect([...f.batchFailures(req, [1, 2]).keys()]).toEqual([0]);
		const run = (seed: number) => {
			const g = new FaultInjector({ seed });
			g.add({ type: 'batchFailure', itemProbability: 0.3 });
			return [
				...g
					.batchFailures(
						req,
						Array.from({ length: 50 }, (_, i) => i),
					)
					.keys(),
			];
		};
		expect(run(9)).toEqual(run(9));
		expect(run(9).length).toBeGreaterThan(0);
		expect(run(9).length).toBeLessThan(50);
	});
});
