import { SandboxServer, Store, empty, json, type Middleware } from '../../sandbox/kit';

describe('SandboxServer.dispatchInner', () => {
	it('runs an inner request through routes, middleware and hooks, and logs it with its own kind', async () => {
		const server = new SandboxServer({ name: 'inner' });
		const seen: string[] = [];
		const auth: Middleware = async (req, next) =>
			req.header('authorization') === 'Bearer ok' ? next() : empty(401);
		server.use(auth);
		server.onResponse((_req, reply) => {
			reply.headers['X-Hook'] = 'yes';
		});
		server.post(
			'/things/:id',
			async (req) => {
				seen.push(`${req.params.id}:${(await req.json<{ n: number }>()).n}`);
				return json({ ok: true, q: req.query.get('q') }, 201);
			},
			{ kind: 'things.create' },
		);
		const reply = await server.dispatchInner({
			method: 'post',
			target: 'http://elsewhere.example/things/7?q=1',
			headers: { Authorization: 'Bearer ok', 'Content-Type': 'application/json' },
			body: '{"n":5}',
		});
		expect(reply.status).toBe(201);
		expect(JSON.parse(String(reply.body))).toEqual({ ok: true, q: '1' });
		expect(reply.headers['X-Hook']).toBe('yes');
		expect(seen).toEqual(['7:5']);
		const denied = await server.dispatchInner({ method: 'POST', target: '/things/8', body: '{}' });
		expect(denied.status).toBe(401);
		const missing = await server.dispatchInner({ method: 'GET', target: '/nope' });
		expect(missing.status).toBe(401); // middleware runs before the 404, as for top-level requests
		expect(server.log.byKind({})).toMatchObject({ 'things.create': 2 });
		expect(server.log.entries({ kind: 'things.create' }).map((e) => e.status)).toEqual([201, 401]);
		expect(seen).toEqual(['7:5']);
	});
});

describe('Store.snapshot / restore', () => {
	it('puts records, order and the change log back; later writes carry on from there', () => {
		const store = new Store();
		const a = store.collection('a');
		const kept = a.create({ name: 'kept' });
		const snap = store.snapshot();
		a.update(kept.id, { name: 'changed' });
		a.create({ name: 'rolled back' });
		a.delete(kept.id);
		store.collection('b').create({ x: 1 });
		expect(store.lastSeq).toBe(5);
		store.restore(snap);
		expect(a.list().map((r) => r.fields.name)).toEqual(['kept']);
		expect(a.get(kept.id)?.version).toBe(1);
		expect(store.collection('b').count({ includeDeleted: true })).toBe(0);
		expect(store.lastSeq).toBe(1);
		expect(store.changes().map((e) => e.kind)).toEqual(['created']);
		const next = a.create({ name: 'after' });
		expect(store.changesAfter(1).map((e) => e.id)).toEqual([next.id]);
		expect(a.list().map((r) => r.fields.name)).toEqual(['kept', 'after']);
	});
});
