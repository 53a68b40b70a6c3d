/** A tiny fake Salesforce for unit tests: a FunctionTransport answering from a route handler, recording calls. */
import { salesforceDialect } from '../../../../core/connectors/salesforce/dialect';
import { HttpClient, type HttpClientOptions } from '../../../../core/http/client';
import { FunctionTransport } from '../../../../nodes/shared/n8nTransport';
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

const field = (name: string, type = 'string', extra: Record<string, unknown> = {}) => ({
	name,
	label: name,
	type,
	createable: true,
	updateable: true,
	nillable: true,
	...extra,
});

/** The `describe` the fake answers for any object (writes check records against it before sending). */
export const FAKE_DESCRIBE_FIELDS = [
	field('Id', 'id', { createable: false, updateable: false }),
	field('FirstName'),
	field('LastName'),
	field('Email', 'email'),
	field('NumberOfEmployees', 'int'),
	field('Birthdate', 'date'),
	field('External_Id__c', 'string', { externalId: true, unique: true, idLookup: true }),
	field('CreatedDate', 'datetime', { createable: false, updateable: false }),
];

/**
 * A connector over a fake; `calls` lists every request sent (retries included) except `describe`, which the fake
 * answers itself (with {@link FAKE_DESCRIBE_FIELDS}; `answerDescribe: false` leaves it to `handler`) and counts in `describes`.
 */
export function fakeConnector(
	handler: FakeHandler,
	options: Partial<HttpClientOptions> = {},
	fake: { answerDescribe?: boolean } = {},
) {
	const calls: FakeRequest[] = [];
	const describes: string[] = [];
	const transport = new FunctionTransport(async (req) => {
		const url = new URL(buildUrl(req.url, req.qs));
		let json: unknown;
		if (typeof req.body === 'string' && /^\s*[[{]/.test(req.body)) json = JSON.parse(req.body);
		else if (req.body !== undefined && typeof req.body === 'object' && !Buffer.isBuffer(req.body))
			json = req.body;
		const entry = { ...req, path: url.pathname, search: url.searchParams, json };
		const described = /\/sobjects\/(\w+)\/describe$/.exec(url.pathname);
		if (described && fake.answerDescribe !== false) {
			describes.push(described[1]);
			const body = JSON.stringify({
				name: described[1],
				label: described[1],
				custom: false,
				createable: true,
				updateable: true,
				deletable: true,
				queryable: true,
				fields: FAKE_DESCRIBE_FIELDS,
			});
			return {
				status: 200,
				headers: {
					'content-type': 'application/json',
					date: new Date(Date.UTC(2026, 0, 1)).toUTCString(),
				},
				body,
			};
		}
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
	const http = new HttpClient({
		transport,
		dialect: salesforceDialect,
		rateLimit: false,
		retry: { sleep: async () => undefined, random: () => 0 },
		...options,
	});
	return { connector: new SalesforceConnector({ instanceUrl: INSTANCE, http }), calls, describes };
}

/** Save results for a Collections request: records whose LastName is empty fail with REQUIRED_FIELD_MISSING. */
export function saveResults(records: Array<Record<string, unknown>>, prefix = '003') {
	return records.map((r, i) =>
		r.LastName === ''
			? {
					success: false,
					errors: [
						{
							statusCode: 'REQUIRED_FIELD_MISSING',
							message: 'Required fields are missing: [LastName]',
							fields: ['LastName'],
						},
					],
				}
			: { id: `${prefix}${String(i).padStart(15, '0')}`, success: true, errors: [] },
	);
}
