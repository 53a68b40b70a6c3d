/**
 * The wire client is @hubspot/api-client: requests carry its User-Agent and the token as a bearer header, go to the
 * configured base URL, and a 429 comes back to the core untouched (the client's own fixed 10 s retry is off).
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

import { HubSpotConnector } from '../../../../core/connectors/hubspot/connector';
import { HubSpotApiClientTransport } from '../../../../core/connectors/hubspot/transport';
import { clearRateBudgets } from '../../../../core/http/rateLimiter';
import { redactString } from '../../../../core/http/redact';

let server: http.Server;
let baseUrl: string;
const seen: Array<{
	method?: string;
	url?: string;
	headers: http.IncomingHttpHeaders;
	body: string;
}> = [];
let answer: (
	req: http.IncomingMessage,
	body: string,
) => { status: number; body: unknown; headers?: Record<string, string> };

beforeAll(async () => {
	server = http.createServer((req, res) => {
		let body = '';
		req.on('data', (c: Buffer) => (body += c.toString()));
		req.on('end', () => {
			seen.push({ method: req.method, url: req.url, headers: req.headers, body });
			const out = answer(req, body);
			res.writeHead(out.status, { 'content-type': 'application/json', ...out.headers });
			res.end(JSON.stringify(out.body));
		});
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
	server.closeAllConnections();
	await new Promise<void>((resolve) => server.close(() => resolve()));
});
beforeEach(() => {
	seen.length = 0;
	clearRateBudgets();
});

const TOKEN = 'pat-na1-11111111-2222-3333-4444-555555555555';

it('sends through @hubspot/api-client with the bearer token, JSON body and query', async () => {
	answer = () => ({
		status: 200,
		body: { results: [{ id: '1', properties: { email: 'a@x.io' } }] },
	});
	const transport = new HubSpotApiClientTransport({ accessToken: TOKEN, baseUrl });
	const res = await transport.send({
		method: 'POST',
		url: '/crm/v3/objects/contacts/search',
		qs: { a: 'b c' },
		body: { limit: 1 },
	});
	expect(res.status).toBe(200);
	expect(res.body).toEqual({ results: [{ id: '1', properties: { email: 'a@x.io' } }] });
	expect(seen[0].url).toBe('/crm/v3/objects/contacts/search?a=b%20c');
	expect(seen[0].headers.authorization).toBe(`Bearer ${TOKEN}`);
	expect(seen[0].headers['user-agent']).toMatch(/^hubspot-api-client-nodejs/);
	expect(seen[0].headers['content-type']).toBe('application/json');
	expect(JSON.parse(seen[0].body)).toEqual({ limit: 1 });
	expect(redactString(`token ${TOKEN}`)).not.toContain(TOKEN);
});

it('leaves 429s to the core: one request per attempt, waits chosen by the connector', async () => {
	let calls = 0;
	answer = () =>
		++calls <= 2
			? {
					status: 429,
					body: {
						status: 'error',
						message: 'You have reached your ten_secondly_rolling limit.',
						errorType: 'RATE_LIMIT',
						correlationId: 'c',
						policyName: 'TEN_SECONDLY_ROLLING',
					},
					headers: {
						'X-HubSpot-RateLimit-Interval-Milliseconds': '10000',
						'X-HubSpot-RateLimit-Max': '190',
						'X-HubSpot-RateLimit-Remaining': '0',
					},
				}
			: { status: 200, body: { id: '7', properties: {} } };
	const waits: number[] = [];
	let clock = Date.now();
	const sleep = async (ms: number) => {
		waits.push(ms);
		clock += ms;
	};
	// With the shared budget on: the 429 pauses it for the connector's wait, not for the whole 10 s window the 429's
	// X-HubSpot-RateLimit-Remaining: 0 would announce.
	const hub = new HubSpotConnector({
		baseUrl,
		accessToken: TOKEN,
		now: () => clock,
		retry: { sleep, random: () => 0 },
		rateLimitBackoffMs: 50,
	});
	const record = await hub.getRecord('contacts', '7');
	expect(record.id).toBe('7');
	expect(seen).toHaveLength(3);
	expect(waits).toEqual([50, 100]);
	const started = performance.now();
	await hub.getRecord('contacts', '7');
	expect(hub.http.budgetStats()?.pauses).toBe(2);
	console.log(
		`after the 429s the budget let the next call through in ${(performance.now() - started).toFixed(0)} ms`,
	);
});

it('reports a refused connection as never having reached the server', async () => {
	const closed = http.createServer();
	await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
	const port = (closed.address() as AddressInfo).port;
	await new Promise<void>((resolve) => closed.close(() => resolve()));
	const transport = new HubSpotApiClientTransport({
		accessToken: TOKEN,
		baseUrl: `http://127.0.0.1:${port}`,
	});
	await expect(transport.send({ method: 'POST', url: '/x', body: {} })).rejects.toMatchObject({
		kind: 'transient',
		reachedServer: false,
	});
});
