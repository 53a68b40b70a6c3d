import http from 'node:http';
import {
	HttpError,
	SandboxServer,
	compilePattern,
	csv,
	empty,
	json,
	parseCsv,
	parseCsvObjects,
	seedCounts,
	stringifyCsv,
	text,
} from '../../sandbox/kit';
import { SleepGate, client } from './helpers';

describe('router patterns', () => {
	it('compiles params, in-segment params, rest and optional trailing slash', () => {
		expect(compilePattern('/api/:resource/:id').exec('/api/contacts/12')?.groups).toEqual({
			resource: 'contacts',
			id: '12',
		});
		expect(compilePattern('/api/:resource').test('/api/contacts/')).toBe(true);
		expect(compilePattern('/api/:resource').test('/api/contacts/12')).toBe(false);
		expect(
			compilePattern('/api/data/v9.2/:set(:key)').exec(
				'/api/data/v9.2/accounts(00000000-0000-0000-0000-000000000001)',
			)?.groups,
		).toEqual({
			set: 'accounts',
			key: '00000000-0000-0000-0000-000000000001',
		});
		expect(compilePattern('/api/data/v9.2/:set(:key)').test('/api/data/v9x2/accounts(1)')).toBe(
			false,
		);
		expect(compilePattern('/services/*').exec('/services/data/v62.0/query')?.groups?.__rest).toBe(
			'data/v62.0/query',
		);
	});
});

describe('CSV', () => {
	it('round-trips quotes, delimiters, line breaks and empty fields', () => {
		const rows = [
			['Id', 'Name', 'Notes'],
			['1', 'Acme, Inc.', 'said "hi"'],
			['2', '', 'line1\nline2'],
		];
		const textOut = stringifyCsv(rows);
		expect(textOut).toBe('Id,Name,Notes\n1,"Acme, Inc.","said ""hi"""\n2,,"line1\nline2"\n');
		expect(parseCsv(textOut)).toEqual(rows);
		expect(parseCsv('\ufeffa,b\r\n1,2')).toEqual([
			['a', 'b'],
			['1', '2'],
		]);
		expect(parseCsvObjects('a,b\n1,2\n3,')).toEqual([
			{ a: '1', b: '2' },
			{ a: '3', b: '' },
		]);
		expect(() => parseCsv('"open')).toThrow(SyntaxError);
		expect(() => parseCsv('a"b')).toThrow(SyntaxError);
	});
});

describe('SandboxServer', () => {
	const gate = new SleepGate();
	const server = new SandboxServer({ name: 'test', maxBodyBytes: 1024, sleep: gate.sleep });
	let base: string;

	beforeAll(async () => {
		server.get(
			'/items/:id',
			(req) => json({ id: req.params.id, tags: req.query.getAll('tag'), q: req.query.get('q') }),
			{ kind: 'item.get' },
		);
		server.post(
			'/echo',
			async (req) => {
				const body = await req.body();
				if (body.kind === 'form') return json({ kind: body.kind, value: [...body.value] });
				if (body.kind === 'csv') return json({ kind: body.kind, value: body.value });
				if (body.kind === 'raw')
					return json({
						kind: body.kind,
						length: body.value.length,
						contentType: body.contentType,
					});
				if (body.kind === 'empty') return json({ kind: body.kind });
				return json({ kind: body.kind, value: body.value });
			},
			{ kind: 'echo' },
		);
		server.post('/big', async (req) => json({ length: (await req.readBody()).length }), {
			maxBodyBytes: 4096,
		});
		server.get('/csv', () =>
			csv([
				['a', 'b'],
				[1, 'x,y'],
			]),
		);
		server.get('/text', () => text('hello'));
		server.delete('/items/:id', () => empty());
		server.get('/boom', () => {
			throw new Error('kaput');
		});
		server.get('/teapot', () => {
			throw new HttpError(418, 'short and stout', 'TEAPOT', { fields: ['spout'] });
		});
		server.onResponse((_req, reply) => {
			reply.headers['Sforce-Limit-Info'] = 'api-usage=1/15000';
		});
		base = (await server.start()).url;
	});

	afterAll(() => server.stop());

	it('listens on 127.0.0.1 with a random port', () => {
		expect(base).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
	});

	it('routes with decoded params and keeps repeated query keys', async () => {
		const res = await client(base).get('/items/a%20b?tag=x&tag=y&q=1%2B1');
		expect(res.status).toBe(200);
		expect(res.data).toEqual({ id: 'a b', tags: ['x', 'y'], q: '1+1' });
		expect(res.headers['sforce-limit-info']).toBe('api-usage=1/15000');
	});

	it('treats a request target starting with // as a path, never as another host', async () => {
		server.log.reset();
		const status = await new Promise<number>((resolve, reject) => {
			const { port } = new URL(base);
			http
				.get({ host: '127.0.0.1', port, path: '//evil.example/items/1' }, (res) => {
					res.resume();
					resolve(res.statusCode ?? 0);
				})
				.on('error', reject);
		});
		expect(status).toBe(404);
		expect(server.log.last()?.path).toBe('//evil.example/items/1');
	});

	it('parses JSON, form, CSV, text and raw bodies', async () => {
		const c = client(base);
		expect((await c.post('/echo', { a: 1 })).data).toEqual({ kind: 'json', value: { a: 1 } });
		expect(
			(
				await c.post('/echo', 'a=1&a=2&b=x+y', {
					headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
				})
			).data,
		).toEqual({
			kind: 'form',
			value: [
				['a', '1'],
				['a', '2'],
				['b', 'x y'],
			],
		});
		expect(
			(
				await c.post('/echo', 'Name,Email\n"A, B",a@x.io\n', {
					headers: { 'Content-Type': 'text/csv' },
				})
			).data,
		).toEqual({
			kind: 'csv',
			value: [
				['Name', 'Email'],
				['A, B', 'a@x.io'],
			],
		});
		expect(
			(await c.post('/echo', 'plain', { headers: { 'Content-Type': 'text/plain' } })).data,
		).toEqual({ kind: 'text', value: 'plain' });
		expect(
			(
				await c.post('/echo', Buffer.from([1, 2, 3]), {
					headers: { 'Content-Type': 'application/octet-stream' },
				})
			).data,
		).toEqual({
			kind: 'raw',
			length: 3,
			contentType: 'application/octet-stream',
		});
		expect((await c.post('/echo')).data).toEqual({ kind: 'empty' });
	});

	it('answers 400 on malformed JSON and 413 past the body cap (per route too)', async () => {
		const c = client(base);
		const bad = await c.post('/echo', Buffer.from('{"a":'), {
			headers: { 'Content-Type': 'application/json' },
		});
		expect(bad.status).toBe(400);
		expect(bad.data.error).toBe('malformed_json');
		const big = await c.post('/echo', 'x'.repeat(2000), {
			headers: { 'Content-Type': 'text/plain' },
		});
		expect(big.status).toBe(413);
		expect(big.data.error).toBe('payload_too_large');
		const allowed = await c.post('/big', 'x'.repeat(2000), {
			headers: { 'Content-Type': 'text/plain' },
		});
		expect(allowed.data).toEqual({ length: 2000 });
	});

	it('answers 413 for a chunked body without Content-Length', async () => {
		const status = await new Promise<number>((resolve, reject) => {
			const req = http.request(
				`${base}/echo`,
				{
					method: 'POST',
					headers: { 'Content-Type': 'text/plain', 'Transfer-Encoding': 'chunked' },
				},
				(res) => {
					res.resume();
					resolve(res.statusCode ?? 0);
				},
			);
			req.on('error', reject);
			for (let i = 0; i < 4; i++) req.write('y'.repeat(400));
			req.end();
		});
		expect(status).toBe(413);
	});

	it('writes CSV, text and empty replies', async () => {
		const c = client(base);
		const r = await c.get('/csv');
		expect(r.headers['content-type']).toBe('text/csv; charset=UTF-8');
		expect(r.data).toBe('a,b\n1,"x,y"\n');
		expect((await c.get('/text')).data).toBe('hello');
		const d = await c.delete('/items/1');
		expect(d.status).toBe(204);
		expect(d.data).toBe('');
	});

	it('answers 404, 405 with Allow, shaped errors and 500 on handler crashes', async () => {
		const c = client(base);
		const nf = await c.get('/nope');
		expect(nf.status).toBe(404);
		expect(nf.data).toEqual({ error: 'not_found', message: 'No route for GET /nope' });
		const na = await c.put('/items/1', {});
		expect(na.status).toBe(405);
		expect(na.headers.allow).toBe('GET, DELETE');
		const tea = await c.get('/teapot');
		expect(tea.status).toBe(418);
		expect(tea.data).toEqual({ error: 'TEAPOT', message: 'short and stout', fields: ['spout'] });
		const stderr = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
		const boom = await c.get('/boom');
		stderr.mockRestore();
		expect(boom.status).toBe(500);
		expect(boom.data.message).toContain('kaput');
		// vendor hooks also decorate error answers
		expect(nf.headers['sforce-limit-info']).toBe('api-usage=1/15000');
	});

	it('lets a simulator shape errors in its vendor format', async () => {
		const sf = new SandboxServer({
			errorReply: (err) =>
				json(
					[
						{
							message: err.message,
							errorCode: err.status === 404 ? 'NOT_FOUND' : 'UNKNOWN_EXCEPTION',
						},
					],
					err.status,
				),
		});
		const url = (await sf.start()).url;
		try {
			const r = await client(url).get('/services/data/v62.0/sobjects/Account/001');
			expect(r.status).toBe(404);
			expect(r.data).toEqual([
				{
					message: 'No route for GET /services/data/v62.0/sobjects/Account/001',
					errorCode: 'NOT_FOUND',
				},
			]);
		} finally {
			await sf.stop();
		}
	});

	it('applies fixed and random latency through the injected sleep, settable at runtime and over HTTP', async () => {
		const c = client(base);
		server.setLatency(40);
		const pending = c.get('/items/1');
		await gate.waitForPending(1);
		expect(gate.requested).toEqual([40]);
		let done = false;
		void pending.then(() => (done = true));
		await new Promise((r) => setImmediate(r));
		expect(done).toBe(false);
		gate.release();
		expect((await pending).status).toBe(200);

		const put = await c.put('/__sandbox/latency', { minMs: 10, maxMs: 20 });
		expect(put.data).toEqual({ latency: { minMs: 10, maxMs: 20 } });
		const p2 = c.get('/items/2');
		await gate.waitForPending(1);
		expect(gate.requested[1]).toBeGreaterThanOrEqual(10);
		expect(gate.requested[1]).toBeLessThanOrEqual(20);
		gate.release();
		await p2;
		expect((await c.put('/__sandbox/latency', { minMs: 5, maxMs: 1 })).status).toBe(400);
		server.setLatency(0);
	});

	it('records requests in the log (admin requests excluded) and serves it over HTTP', async () => {
		server.log.reset();
		const c = client(base);
		await c.get('/items/1');
		await c.get('/items/2?tag=a&tag=b');
		await c.post('/echo', { a: 1 });
		await c.get('/nope');
		await c.get('/__sandbox/health');
		expect(server.log.count()).toBe(4);
		expect(server.log.count({ kind: 'item.get' })).toBe(2);
		expect(server.log.count({ status: 404 })).toBe(1);
		expect(server.log.count({ method: 'post', pathPrefix: '/echo' })).toBe(1);
		expect(server.log.byKind()).toEqual({ 'item.get': 2, echo: 1, '(none)': 1 });
		const second = server.log.entries({ kind: 'item.get' })[1];
		expect(second.query).toEqual({ tag: ['a', 'b'] });
		expect(second.durationMs).toBeGreaterThanOrEqual(0);
		const viaHttp = await c.get('/__sandbox/log?kind=item.get');
		expect(viaHttp.data.count).toBe(2);
		expect(viaHttp.data.entries.map((e: { path: string }) => e.path)).toEqual([
			'/items/1',
			'/items/2',
		]);
		expect((await c.get('/__sandbox/log?status=404,200&entries=false')).data).toEqual({
			count: 4,
			byKind: { 'item.get': 2, echo: 1, '(none)': 1 },
		});
		expect((await c.delete('/__sandbox/log')).status).toBe(204);
		expect(server.log.count()).toBe(0);
	});

	it('stop() closes idle keep-alive connections so it resolves promptly', async () => {
		const s = new SandboxServer();
		s.get('/x', () => json({ ok: true }));
		const url = (await s.start()).url;
		const agent = new http.Agent({ keepAlive: true });
		let socketClosed: Promise<void> | undefined;
		const res = await new Promise<http.IncomingMessage>((resolve, reject) => {
			const req = http.get(`${url}/x`, { agent }, resolve);
			req.on('error', reject);
			req.on('socket', (socket) => {
				socketClosed = new Promise<void>((done) => socket.once('close', () => done()));
			});
		});
		res.resume();
		await new Promise((r) => res.on('end', r));
		expect(Object.values(agent.freeSockets).flat()).toHaveLength(1);
		await s.stop();
		await socketClosed;
		expect(s.listening).toBe(false);
		agent.destroy();
	});
});

describe('seedCounts', () => {
	it('reads each kind as 0 when absent and rejects anything but integers 0..1000000, naming the kinds', () => {
		expect(seedCounts({ contacts: 5 }, ['contacts', 'companies'])).toEqual({
			contacts: 5,
			companies: 0,
		});
		expect(seedCounts(undefined, ['deals'])).toEqual({ deals: 0 });
		for (const bad of [-1, 1.5, '3', 1_000_001, null]) {
			let error: unknown;
			try {
				seedCounts({ contacts: 1, companies: bad }, ['contacts', 'companies']);
			} catch (e) {
				error = e;
			}
			expect(error).toBeInstanceOf(HttpError);
			expect(error).toMatchObject({
				status: 400,
				code: 'invalid_seed',
				message: 'contacts/companies must be integers 0..1000000',
			});
		}
	});
});
