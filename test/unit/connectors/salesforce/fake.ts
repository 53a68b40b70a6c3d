/** A tiny fake Salesforce for unit tests: a FunctionTransport answering from a route handler, recording calls. */
import { HttpClient, type HttpClientOptions } from '../../../../core/http/client';
import { FunctionTransport } from '../../../../core/http/transport';
import { buildUrl } from '../../../../core/http/url';
import type { HttpRequest } from '../../../../core/http/types';
import { SalesforceConnector } from '../../../../core/connectors/salesforce/connector';

export const INSTANCE = 'https://fake.my.salesforce.com';
export const BASE = `${INSTANCE}/services/data/v62.0`;

export interface FakeReply {
	status?: number;
	headers?: Record<string, string>;
	body?: unknown;
}

/** A request as the fake sees it. */
export type FakeRequest = HttpRequest & { path: string; search: URLSearchParams; json?: unknown };

export type FakeHandler = (req: FakeRequest) => FakeReply | Promise<FakeReply>;

/** A connector over a fake; `calls` lists every request sent (retries included). */
export function fakeConnector(handler: FakeHandler, options: Partial<HttpClientOptions> = {}) {
	const calls: FakeRequest[] = [];
	const transport = new FunctionTransport(async (req) => {
		const url = new URL(buildUrl(req.url, req.qs));
		let json: unknown;
		if (typeof req.body === 'string' && /^\s*[[{]/.test(req.body)) json = JSON.parse(req.body);
		else if (req.body !== undefined && typeof req.body === 'object' && !Buffer.isBuffer(req.body)) json = req.body;
		const entry = { ...req, path: url.pathname, search: url.searchParams, json };
		calls.push(entry);
		const reply = await handler(entry);
		const body = reply.body;
		const isText = typeof body === 'string';
		return {
			status: reply.status ?? 200,
			headers: { 'content-type': isText ? 'text/csv' : 'application/json', ...reply.headers },
			body: body === undefined ? '' : isText ? body : JSON.stringify(body),
		};
	});
	const http = new HttpClient({ transport, rateLimit: false, retry: { sleep: async () => undefined, random: () => 0 }, ...options });
	return { connector: new SalesforceConnector({ instanceUrl: INSTANCE, http }), calls };
}

/** Save results for a Collections request: records whose LastName is empty fail with REQUIRED_FIELD_MISSING. */
export function saveResults(records: Array<Record<string, unknown>>, prefix = '003') {
	return records.map((r, i) =>
		r.LastName === ''
			? { success: false, errors: [{ statusCode: 'REQUIRED_FIELD_MISSING', message: 'Required fields are missing: [LastName]', fields: ['LastName'] }] }
			: { id: `${prefix}${String(i).padStart(15, '0')}`, success: true, errors: [] },
	);
}
