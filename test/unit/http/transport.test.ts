import http from 'node:http';
import type { AddressInfo } from 'node:net';
import {
	assertSecureUrl,
	AxiosTransport,
	buildUrl,
	isLoopbackHost,
	resolveUrl,
	type HttpRequest,
} from '../../../core/http';
import { FunctionTransport, toN8nRequestOptions } from '../../../nodes/shared/n8nTransport';
import { rejection } from './helpers';

jest.setTimeout(10_000);

interface Received {
	method?: string;
	url?: string;
	headers: http.IncomingHttpHeaders;
	body: string;
}

/** A tiny loopback server; `handler` decides per request. Counts TCP connections (to prove keep-alive). */
async function startServer(
	handler: (req: http.IncomingMessage, res: http.ServerResponse, body: string) => void,
) {
	const received: Received[] = [];
	let connections = 0;
	const server = http.createServer((req, res) => {
		let body = '';
		req.setEncoding('utf8');
		req.on('data', (c: string) => (body += c));
		req.on('end', () => {
			received.push({ method: req.method, url: req.url, headers: req.headers, body });
			handler(req, res, body);
		});
	});
	server.on('connection', () => connections++);
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	const { port } = server.address() as AddressInfo;
	return {
		url: `http://127.0.0.1:${port}`,
		received,
		connections: () => connections,
		close: () =>
			new Promise<void>((resolve) => {
				server.closeAllConnections();
				server.close(() => resolve());
			}),
	};
}

describe('AxiosTransport against a loopback server', () => {
	let server: Awaited<ReturnType<typeof startServer>>;
	let transport: AxiosTransport;

	beforeAll(async () => {
		server = await startServer((req, res, body) => {
			if (req.url?.startsWith('/json')) {
				res.writeHead(200, {
					'Content-Type': 'application/json; charset=utf-8',
					'X-RateLimit-Remaining': '41',
				});
				res.end(JSON.stringify({ echo: body ? JSON.parse(body) : null, url: req.url }));
			} else if (req.url?.startsWith('/error')) {
				res.writeHead(400, { 'Content-Type': 'application/json' });
				res.end(JSON.stringify([{ message: 'bad', errorCode: 'INVALID_FIELD' }]));
			} else if (req.url?.startsWith('/text')) {
				res.writeHead(503, { 'Content-Type': 'text/plain' });
				res.end('down for maintenance');
			} else if (req.url?.startsWith('/bytes')) {
				res.writeHead(200, { 'Content-Type': 'application/octet-stream' });
				res.end(Buffer.from([0, 1, 2, 255]));
			} else if (req.url?.startsWith('/empty')) {
				res.writeHead(204);
				res.end();
			} else if (req.url?.startsWith('/broken-json')) {
				res.writeHead(200, { 'Content-Type': 'application/json' });
				res.end('{"truncated": ');
			} else if (req.url?.startsWith('/hang')) {
				// never answer
			} else if (req.url?.startsWith('/drop')) {
				req.socket.destroy();
			} else {
				res.writeHead(404);
				res.end();
			}
		});
		transport = new AxiosTransport({ baseUrl: server.url, timeoutMs: 2000 });
	});
	afterAll(async () => {
		transport.close();
		await server.close();
	});

	it('sends JSON, serialises qs (arrays repeat), parses JSON and lower-cases header names', async () => {
		const r = await transport.send({
			method: 'POST',
			url: '/json',
			qs: { a: 'x y', ids: [1, 2], skip: undefined, $filter: "name eq 'A'" },
			body: { n: 1 },
		});
		expect(r.status).toBe(200);
		expect(r.headers['x-ratelimit-remaining']).toBe('41');
		expect(r.body).toEqual({
			echo: { n: 1 },
			url: '/json?a=x%20y&ids=1&ids=2&$filter=name%20eq%20%27A%27',
		});
		expect(r.url).toBe(`${server.url}/json?a=x%20y&ids=1&ids=2&$filter=name%20eq%20%27A%27`);
		const last = server.received.at(-1) as Received;
		expect(last.headers['content-type']).toBe('application/json');
		expect(last.headers['user-agent']).toBe('n8n-nodes-crm-connectors');
	});

	it('never throws on an HTTP status', async () => {
		const bad = await transport.send({ method: 'GET', url: '/error' });
		expect(bad.status).toBe(400);
		expect(bad.body).toEqual([{ message: 'bad', errorCode: 'INVALID_FIELD' }]);
		const down = await transport.send({ method: 'GET', url: '/text' });
		expect(down).toMatchObject({ status: 503, body: 'down for maintenance' });
		const missing = await transport.send({ method: 'GET', url: '/nothing' });
		expect(missing.status).toBe(404);
	});

	it('handles buffer, text, empty and malformed JSON bodies', async () => {
		const bytes = await transport.send({ method: 'GET', url: '/bytes', responseType: 'buffer' });
		expect(Buffer.isBuffer(bytes.body)).toBe(true);
		expect([...(bytes.body as Buffer)]).toEqual([0, 1, 2, 255]);
		expect((await transport.send({ method: 'GET', url: '/json', responseType: 'text' })).body).toBe(
			'{"echo":null,"url":"/json"}',
		);
		expect((await transport.send({ method: 'DELETE', url: '/empty' })).body).toBeUndefined();
		expect((await transport.send({ method: 'GET', url: '/broken-json' })).body).toBe(
			'{"truncated": ',
		);
	});

	it('reuses one keep-alive connection for sequential requests', async () => {
		const fresh = await startServer((_req, res) => {
			res.writeHead(200, { 'Content-Type': 'application/json' });
			res.end('{}');
		});
		const t = new AxiosTransport({ baseUrl: fresh.url });
		try {
			for (let i = 0; i < 5; i++) await t.send({ method: 'GET', url: `/r${i}` });
			expect(fresh.received).toHaveLength(5);
			expect(fresh.connections()).toBe(1);
		} finally {
			t.close();
			await fresh.close();
		}
	});

	it('limits parallel sockets to maxSockets', async () => {
		let open = 0;
		let peak = 0;
		const slow = await startServer((_req, res) => {
			open++;
			peak = Math.max(peak, open);
			setTimeout(() => {
				open--;
				res.writeHead(200);
				res.end('ok');
			}, 20);
		});
		const t = new AxiosTransport({ baseUrl: slow.url, maxSockets: 2 });
		try {
			await Promise.all(
				Array.from({ length: 6 }, (_, i) => t.send({ method: 'GET', url: `/p${i}` })),
			);
			expect(peak).toBe(2);
			expect(slow.connections()).toBe(2);
		} finally {
			t.close();
			await slow.close();
		}
	});

	it('a timeout is transient and may have reached the server', async () => {
		const err = await rejection(
			transport.send({ method: 'POST', url: '/hang', body: {}, timeoutMs: 100 }),
		);
		expect(err).toMatchObject({ kind: 'transient', reachedServer: true });
		expect(err.message).toContain('no response before the timeout');
	});

	it('a dropped connection is transient and may have reached the server', async () => {
		const err = await rejection(transport.send({ method: 'POST', url: '/drop', body: {} }));
		expect(err).toMatchObject({ kind: 'transient', reachedServer: true });
		expect(err.networkCode).toMatch(/ECONNRESET|ERR_NETWORK/);
	});

	it('a refused connection never reached the server', async () => {
		const gone = await startServer(() => undefined);
		const url = gone.url;
		await gone.close();
		const err = await rejection(
			new AxiosTransport().send({ method: 'POST', url: `${url}/x`, body: {} }),
		);
		expect(err).toMatchObject({
			kind: 'transient',
			reachedServer: false,
			networkCode: 'ECONNREFUSED',
		});
	});

	it('an abort signal cancels the request', async () => {
		const controller = new AbortController();
		const p = transport.send({ method: 'GET', url: '/hang', signal: controller.signal });
		setTimeout(() => controller.abort(), 20);
		const err = await rejection(p);
		expect(err.networkCode).toBe('ABORTED');
	});

	it('refuses plain http to a non-loopback host before sending anything', async () => {
		const err = await rejection(
			new AxiosTransport().send({
				method: 'GET',
				url: 'http://crm.example.com/api?api_key=abc123456',
			}),
		);
		expect(err.kind).toBe('fatal');
		expect(err.message).toBe(
			'Refusing to send a request over plain http to crm.example.com (http://crm.example.com/api?api_key=[REDACTED]): credentials and data would travel unencrypted',
		);
		expect(err.hint).toContain('https');
	});
});

describe('URL helpers', () => {
	it('resolves paths under the base path and leaves absolute URLs alone', () => {
		expect(resolveUrl('https://org.crm.dynamics.com/api/data/v9.2/', '/accounts')).toBe(
			'https://org.crm.dynamics.com/api/data/v9.2/accounts',
		);
		expect(resolveUrl('https://org.crm.dynamics.com/api/data/v9.2', 'accounts(1)')).toBe(
			'https://org.crm.dynamics.com/api/data/v9.2/accounts(1)',
		);
		expect(resolveUrl('https://a.example.com', 'https://b.example.com/x')).toBe(
			'https://b.example.com/x',
		);
		expect(() => resolveUrl(undefined, '/x')).toThrow(
			'Cannot send a request to the relative URL "/x": no base URL is configured',
		);
	});

	it('appends query strings to URLs that already have one', () => {
		expect(buildUrl('https://h.example.com/a?x=1', { y: 2 })).toBe(
			'https://h.example.com/a?x=1&y=2',
		);
		expect(buildUrl('https://h.example.com/a', {})).toBe('https://h.example.com/a');
	});

	it('knows loopback hosts and the https rule', () => {
		for (const h of ['localhost', '127.0.0.1', '127.8.9.10', '[::1]', 'api.localhost'])
			expect(isLoopbackHost(h)).toBe(true);
		for (const h of ['example.com', '10.0.0.1', '128.0.0.1', 'localhost.example.com'])
			expect(isLoopbackHost(h)).toBe(false);
		expect(() => assertSecureUrl('http://localhost:3000/x')).not.toThrow();
		expect(() => assertSecureUrl('http://[::1]:3000/x')).not.toThrow();
		expect(() => assertSecureUrl('http://10.0.0.5/x', true)).not.toThrow();
		expect(() => assertSecureUrl('http://10.0.0.5/x')).toThrow(
			/Refusing to send a request over plain http/,
		);
		expect(() => assertSecureUrl('ftp://h.example.com/x')).toThrow('Unsupported URL scheme "ftp:"');
	});
});

describe('FunctionTransport (n8n helpers adapter)', () => {
	it('maps requests to n8n options and n8n full responses back', async () => {
		const seen: unknown[] = [];
		const t = new FunctionTransport(
			async (req) => {
				seen.push(toN8nRequestOptions(req));
				return {
					statusCode: 200,
					headers: { 'Content-Type': 'application/json', 'X-HubSpot-RateLimit-Remaining': '9' },
					body: '{"id":"1"}',
				};
			},
			{ baseUrl: 'https://api.hubapi.com' },
		);
		const r = await t.send({
			method: 'POST',
			url: '/crm/v3/objects/contacts',
			qs: { a: [1, 2], b: undefined },
			body: { properties: {} },
			timeoutMs: 5000,
		});
		expect(r).toEqual({
			status: 200,
			headers: { 'content-type': 'application/json', 'x-hubspot-ratelimit-remaining': '9' },
			body: { id: '1' },
			url: 'https://api.hubapi.com/crm/v3/objects/contacts?a=1&a=2',
		});
		expect(seen[0]).toEqual({
			url: 'https://api.hubapi.com/crm/v3/objects/contacts',
			method: 'POST',
			qs: { a: [1, 2] },
			body: { properties: {} },
			json: true,
			timeout: 5000,
			encoding: 'text',
			returnFullResponse: true,
			ignoreHttpStatusErrors: { ignore: true, except: [401] },
			arrayFormat: 'repeat',
		});
	});

	it('turns an error carrying a response (n8n NodeApiError → axios error) into a response', async () => {
		const axiosLike = Object.assign(new Error('Request failed with status code 401'), {
			response: {
				status: 401,
				headers: { 'www-authenticate': 'Bearer' },
				data: { message: 'expired' },
			},
		});
		const nodeApiError = Object.assign(new Error('Authorization failed'), { cause: axiosLike });
		const t = new FunctionTransport(async () => {
			throw nodeApiError;
		});
		await expect(t.send({ method: 'GET', url: 'https://api.example.com/x' })).resolves.toEqual({
			status: 401,
			headers: { 'www-authenticate': 'Bearer' },
			body: { message: 'expired' },
			url: 'https://api.example.com/x',
		});
	});

	it('maps network errors with reachedServer and enforces the https rule', async () => {
		const refused = Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
		const t = new FunctionTransport(async () => {
			throw refused;
		});
		await expect(
			t.send({ method: 'POST', url: 'https://api.example.com/x' }),
		).rejects.toMatchObject({ kind: 'transient', reachedServer: false });
		const fn = jest.fn();
		await expect(
			new FunctionTransport(fn).send({ method: 'GET', url: 'http://api.example.com/x' }),
		).rejects.toMatchObject({ kind: 'fatal' });
		expect(fn).not.toHaveBeenCalled();
	});

	it("a dropped connection of another request (n8n's token refresh inside the call) means this one was not sent", async () => {
		const dropped = (config: Record<string, string>) => {
			const inner = Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
			const axiosLike = Object.assign(new Error('socket hang up'), {
				code: 'ECONNRESET',
				config,
				cause: inner,
			});
			return Object.assign(new Error('The connection to the server was closed unexpectedly'), {
				cause: axiosLike,
			});
		};
		const token = new FunctionTransport(async () => {
			throw dropped({ url: 'https://login.example.com/services/oauth2/token', method: 'post' });
		});
		const err = await rejection(
			token.send({
				method: 'POST',
				url: 'https://api.example.com/services/data/v62.0/composite/sobjects',
				body: [],
			}),
		);
		expect(err).toMatchObject({
			kind: 'transient',
			reachedServer: false,
			networkCode: 'ECONNRESET',
			request: { method: 'POST', url: 'https://login.example.com/services/oauth2/token' },
		});
		expect(err.message).toBe(
			"the credential's token request (made by n8n): the token request failed (ECONNRESET: the connection dropped before the token arrived) (POST https://login.example.com/services/oauth2/token) — the API call was NOT sent, nothing was written; sending it again is safe",
		);

		// The call's own request, moved to another origin by the credential (a Salesforce instance URL): may have been processed.
		const own = new FunctionTransport(async () => {
			throw dropped({
				url: 'https://acme.my.salesforce.com/services/data/v62.0/composite/sobjects',
				method: 'post',
			});
		});
		const ownErr = await rejection(
			own.send({
				method: 'POST',
				url: 'https://instance-url-from-login.invalid/services/data/v62.0/composite/sobjects',
				body: [],
			}),
		);
		expect(ownErr).toMatchObject({ kind: 'transient', reachedServer: true });
		expect(ownErr.message).toMatch(/the server may have processed it$/);
	});

	it('says clearly when the function does not return a full response', async () => {
		const t = new FunctionTransport(
			async () =>
				({ body: 'just a body' }) as unknown as {
					status: number;
					headers: Record<string, string>;
					body: unknown;
					url: string;
				},
		);
		await expect(
			t.send({ method: 'GET', url: 'https://api.example.com/x' } as HttpRequest),
		).rejects.toThrow(
			'The send function returned no HTTP status for https://api.example.com/x: return a full response (n8n: returnFullResponse: true)',
		);
	});
});
