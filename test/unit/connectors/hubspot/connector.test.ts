/**
 * The HubSpot connector against an in-memory fake (no network): batch writes (one result per input, results matched
 * by trace id / key whatever their order, whole-batch failures isolated), search past the 10,000-result ceiling,
 * changes since a watermark with ties, and HubSpot's 429 policies.
 */
import {
	HubSpotConnector,
	matchBatchResponse,
} from '../../../../core/connectors/hubspot/connector';
import {
	hubspotClassifier,
	hubspotRateLimitPolicy,
} from '../../../../core/connectors/hubspot/errors';
import { hubspotDialect } from '../../../../core/connectors/hubspot/dialect';
import { classifyHttpError } from '../../../../core/http/errors';
import { clearRateBudgets } from '../../../../core/http/rateLimiter';
import type { HttpResponse } from '../../../../core/http/types';
import { FakeHubSpot } from './fakeHubSpot';

const BASE = 'https://api.hubapi.com';

function connector(
	fake: FakeHubSpot,
	extra: Partial<ConstructorParameters<typeof HubSpotConnector>[0]> = {},
): HubSpotConnector {
	return new HubSpotConnector({
		baseUrl: BASE,
		transport: fake,
		rateLimit: false,
		retry: { sleep: async () => {}, random: () => 0 },
		...extra,
	});
}

afterEach(() => clearRateBudgets());

describe('batch upsert', () => {
	it('writes 250 contacts in 3 calls, matches each result to its input, and a second run creates nothing', async () => {
		const fake = new FakeHubSpot();
		const hub = connector(fake);
		const inputs = Array.from({ length: 250 }, (_, i) => ({
			id: `User${i}@Example.com`,
			properties: { firstname: `U${i}` },
		}));
		const first = await hub.batchUpsert('contacts', inputs, { idProperty: 'email' });
		expect(fake.requests).toHaveLength(3);
		expect(first.results.every((r) => r.ok)).toBe(true);
		first.results.forEach((r, i) => {
			if (!r.ok) throw new Error('unexpected failure');
			expect(r.value.properties.email).toBe(`user${i}@example.com`);
			expect(r.value.properties.firstname).toBe(`U${i}`);
			expect(r.value.new).toBe(true);
		});
		const second = await hub.batchUpsert('contacts', inputs, { idProperty: 'email' });
		expect(fake.records.size).toBe(250);
		expect(second.results.every((r) => r.ok && r.value.new === false)).toBe(true);
		expect(fake.requests).toHaveLength(6);
		// Upsert is idempotent: the HTTP layer may retry it.
		expect(fake.requests.every((r) => r.idempotent === true)).toBe(true);
	});

	it('merges inputs with the same key (case-insensitive e-mail) into one wire input, both getting the result', async () => {
		const fake = new FakeHubSpot();
		const hub = connector(fake);
		const { results } = await hub.batchUpsert(
			'contacts',
			[
				{ id: 'a@x.io', properties: { firstname: 'A', lastname: 'One' } },
				{ id: 'A@X.io', properties: { firstname: 'B' } },
			],
			{ idProperty: 'email' },
		);
		const wire = (fake.requests[0].body as { inputs: unknown[] }).inputs;
		expect(wire).toHaveLength(1);
		expect(results.map((r) => r.ok && r.value.properties.firstname)).toEqual(['B', 'B']);
		expect(fake.records.size).toBe(1);
		expect([...fake.records.values()][0].properties).toMatchObject({
			firstname: 'B',
			lastname: 'One',
		});
	});

	it("isolates an invalid row when HubSpot fails the whole batch: it fails alone with HubSpot's message", async () => {
		const fake = new FakeHubSpot();
		const hub = connector(fake);
		const inputs = Array.from({ length: 100 }, (_, i) => ({
			id: `p${i}@x.io`,
			properties: { age: i === 37 ? 'forty' : String(i) },
		}));
		const { results, stats } = await hub.batchUpsert('contacts', inputs, { idProperty: 'email' });
		const failed = results.filter((r) => !r.ok);
		expect(failed.map((r) => r.index)).toEqual([37]);
		const error = failed[0].ok ? undefined : failed[0].error;
		expect(error?.message).toContain('forty was not a valid number');
		expect(error?.code).toBe('VALIDATION_ERROR');
		expect(fake.records.size).toBe(99);
		// One bad row in 100 costs a bisection: 1 + 2·log2(100) calls at most.
		expect(stats.calls).toBeLessThanOrEqual(1 + 2 * 7);
	});

	it("when HubSpot's 400 names the bad input (objectWriteTraceId), fails it and resends the rest at once", async () => {
		const fake = new FakeHubSpot();
		let rejected = 0;
		fake.inject = (req) => {
			const inputs = (req.body as { inputs: Array<{ id: string; objectWriteTraceId: string }> })
				.inputs;
			const bad = inputs.find((i) => i.id.startsWith('bad'));
			if (!bad) return undefined;
			rejected++;
			return {
				status: 400,
				headers: { 'content-type': 'application/json' },
				body: {
					status: 'error',
					category: 'VALIDATION_ERROR',
					correlationId: 'x',
					message:
						'Property values were not valid: [{"isValid":false,"message":"Email address bad is invalid"}]',
					context: { objectWriteTraceId: [bad.objectWriteTraceId] },
					errors: [
						{
							message: `Email address ${bad.id} is invalid`,
							code: 'INVALID_EMAIL',
							context: { propertyName: ['email'] },
						},
					],
				},
				url: '',
			};
		};
		const inputs = Array.from({ length: 100 }, (_, i) => ({
			id: i % 40 === 5 ? `bad${i}` : `ok${i}@x.io`,
			properties: {},
		}));
		const { results, stats } = await connector(fake).batchUpsert('contacts', inputs, {
			idProperty: 'email',
		});
		expect(results.filter((r) => !r.ok).map((r) => r.index)).toEqual([5, 45, 85]);
		expect(results[45].ok ? '' : results[45].error.message).toBe('Email address bad45 is invalid');
		expect(results[45].ok ? undefined : results[45].error.details).toMatchObject({
			hubspotMessage: expect.stringContaining('Property values were not valid'),
		});
		expect(rejected).toBe(3);
		expect(fake.requests).toHaveLength(4); // 3 rejections + the call that wrote the other 97
		expect(stats.splits).toBe(0);
		expect(fake.records.size).toBe(97);
	});

	it('maps 207 per-input errors by the ids in their context', async () => {
		const fake = new FakeHubSpot();
		fake.seed(2);
		const hub = connector(fake);
		const { results } = await hub.batchUpdate('contacts', [
			{ id: '1000', properties: { firstname: 'x' } },
			{ id: '999999', properties: { firstname: 'y' } },
			{ id: '1001', properties: { firstname: 'z' } },
		]);
		expect(results.map((r) => r.ok)).toEqual([true, false, true]);
		expect(results[1].ok ? '' : results[1].error.code).toBe('OBJECT_NOT_FOUND');
		expect(results[2].ok && results[2].value.properties.firstname).toBe('z');
		expect(fake.requests).toHaveLength(1);
	});

	it('creates with trace ids and pairs results even when HubSpot reorders them', () => {
		const wire = [{ objectWriteTraceId: 't1' }, { objectWriteTraceId: 't2' }];
		const outcomes = matchBatchResponse('create', wire, ['', ''], {
			status: 'COMPLETE',
			results: [
				{ id: '2', properties: {}, objectWriteTraceId: 't2' },
				{ id: '1', properties: {}, objectWriteTraceId: 't1' },
			],
		});
		expect(outcomes.map((o) => o.ok && o.value.id)).toEqual(['1', '2']);
	});

	it('reads by id: a missing record fails alone', async () => {
		const fake = new FakeHubSpot();
		fake.seed(3);
		const { results } = await connector(fake).batchRead('contacts', ['1000', '4242', '1002']);
		expect(results.map((r) => r.ok)).toEqual([true, false, true]);
	});
});

describe('searchAll', () => {
	it('returns all 25,000 matches past the 10,000-result ceiling, each once, in id order', async () => {
		const fake = new FakeHubSpot();
		fake.seed(25_000);
		const hub = connector(fake);
		const ids: string[] = [];
		for await (const page of hub.searchAll('contacts', { properties: ['email'] }))
			for (const r of page) ids.push(r.id);
		expect(ids).toHaveLength(25_000);
		expect(new Set(ids).size).toBe(25_000);
		expect(ids.map(Number)).toEqual([...ids.map(Number)].sort((a, b) => a - b));
		// 25,000 / 200 per page = 125 pages; no request ever asked past 10,000.
		expect(fake.requests.length).toBeLessThanOrEqual(127);
		for (const r of fake.requests) {
			const body = r.body as { after?: string; limit: number };
			expect(Number(body.after ?? 0) + body.limit).toBeLessThanOrEqual(10_000);
		}
	});

	it('refuses a filter group that leaves no room for the id filter, naming the group', async () => {
		const hub = connector(new FakeHubSpot());
		const filters = Array.from({ length: 6 }, () => ({
			propertyName: 'email',
			operator: 'HAS_PROPERTY' as const,
		}));
		const run = async () => {
			for await (const _ of hub.searchAll('contacts', { filterGroups: [{ filters }] })) void _;
		};
		await expect(run()).rejects.toThrow(/filter group 1 has 6 filters/);
	});
});

describe('changesSince', () => {
	it('streams changes oldest first past the ceiling, with ties at one millisecond, and resumes exactly', async () => {
		const fake = new FakeHubSpot();
		const t0 = Date.parse('2025-01-01T00:00:00Z');
		// 12,000 records: 10,500 share one millisecond, the rest one per millisecond after it.
		fake.seed(12_000, (i) => (i < 10_500 ? t0 : t0 + (i - 10_499)));
		// HubSpot's clock (the Date header) an hour later: every change is older than the safety lag.
		fake.clock = t0 + 3_600_000;
		const hub = connector(fake);
		const seen: string[] = [];
		let cursor = { timestamp: 0, ids: [] as string[] };
		for await (const page of hub.changesSince(
			'contacts',
			{ since: t0, limit: 11_000 },
			(c) => (cursor = c),
		))
			for (const r of page) seen.push(r.id);
		expect(seen).toHaveLength(11_000);
		for await (const page of hub.changesSince('contacts', { since: cursor }, (c) => (cursor = c)))
			for (const r of page) seen.push(r.id);
		expect(seen).toHaveLength(12_000);
		expect(new Set(seen).size).toBe(12_000);
		expect(cursor.timestamp).toBe(t0 + 1500);
		// Paged by position, never past the 10,000-result ceiling.
		expect(
			fake.requests.some((r) => Number((r.body as { after?: string } | undefined)?.after ?? 0) > 0),
		).toBe(false);
		// Nothing new: nothing again.
		const again: string[] = [];
		for await (const page of hub.changesSince('contacts', { since: cursor }))
			for (const r of page) again.push(r.id);
		expect(again).toEqual([]);
	});
});

describe('rate limits', () => {
	const rateLimited = (policyName: string, headers: Record<string, string> = {}): HttpResponse => ({
		status: 429,
		headers: {
			'content-type': 'application/json',
			'x-hubspot-ratelimit-interval-milliseconds': '10000',
			'x-hubspot-ratelimit-remaining': '0',
			...headers,
		},
		body: {
			status: 'error',
			message: 'You have reached your ten_secondly_rolling limit.',
			errorType: 'RATE_LIMIT',
			correlationId: 'x',
			policyName,
		},
		url: '',
	});

	it("retries 10-second-window 429s with growing waits (not the client's fixed 10 s) and writes every record once", async () => {
		const fake = new FakeHubSpot();
		let storm = 3;
		fake.inject = () => (storm-- > 0 ? rateLimited('TEN_SECONDLY_ROLLING') : undefined);
		const waits: number[] = [];
		let clock = Date.parse('2025-01-01T00:00:00Z');
		const sleep = async (ms: number) => {
			waits.push(ms);
			clock += ms;
		};
		const hub = connector(fake, { now: () => clock, retry: { sleep, random: () => 0 } });
		const { results } = await hub.batchUpsert('contacts', [{ id: 'a@x.io', properties: {} }], {
			idProperty: 'email',
		});
		expect(results[0].ok).toBe(true);
		expect(waits).toEqual([1000, 2000, 4000]);
		expect(fake.records.size).toBe(1);
	});

	it('does not retry the daily limit and says when it resets', async () => {
		const fake = new FakeHubSpot();
		fake.inject = () => rateLimited('DAILY', { 'x-hubspot-ratelimit-daily-remaining': '0' });
		const hub = connector(fake);
		const { results } = await hub.batchUpsert('contacts', [{ id: 'a@x.io', properties: {} }], {
			idProperty: 'email',
		});
		expect(fake.requests).toHaveLength(1);
		expect(results[0].ok).toBe(false);
	});

	it("classifies policies: search's per-second limit waits 1 s, consecutive window 429s double up to the window, success resets", () => {
		expect(hubspotRateLimitPolicy(rateLimited('SECONDLY'))).toBe('SECONDLY');
		expect(
			hubspotRateLimitPolicy({
				status: 429,
				headers: {},
				body: '{"message":"You have reached your secondly limit."}',
			}),
		).toBe('SECONDLY');
		const classify = hubspotClassifier({ rateLimitBackoffMs: 3000 });
		const summary = { method: 'POST', url: `${BASE}/x` };
		const base = classifyHttpError(rateLimited('TEN_SECONDLY_ROLLING'), summary, {
			dialect: hubspotDialect,
		});
		expect(base.retryAfterMs).toBe(10_000); // what the headers alone say: the whole window
		const wait = (attempt: number) =>
			classify(rateLimited('TEN_SECONDLY_ROLLING'), summary, base, { attempt })?.retryAfterMs;
		expect([1, 2, 3, 4].map(wait)).toEqual([3000, 6000, 10_000, 10_000]);
		expect(classify(rateLimited('SECONDLY'), summary, base)?.retryAfterMs).toBe(1000);
		const daily = classify(rateLimited('DAILY'), summary, base);
		expect(daily?.retryable).toBe(false);
		expect(daily?.hint).toMatch(/midnight/);
		expect(
			classify({ status: 400, headers: {}, body: {}, url: '' }, summary, base),
		).toBeUndefined();
	});
});

describe('lost answers', () => {
	it('an update whose answer stays lost after every retry is OUTCOME_UNKNOWN, marked safe to re-run — not a plain failure', async () => {
		const fake = new FakeHubSpot();
		fake.seed(3);
		const ids = [...fake.records.keys()];
		fake.inject = (req) =>
			req.url.includes('/batch/update')
				? { status: 502, headers: {}, body: 'Bad Gateway', url: req.url }
				: undefined;
		const { results } = await connector(fake).batchUpdate(
			'contacts',
			ids.map((id) => ({ id, properties: { firstname: 'X' } })),
		);
		// Update is idempotent: the retry policy sent it 6 times before giving up.
		expect(fake.requests.filter((r) => r.url.includes('/batch/update'))).toHaveLength(6);
		for (const r of results) {
			expect(r.ok).toBe(false);
			if (!r.ok) {
				expect(r.error.code).toBe('OUTCOME_UNKNOWN');
				expect(r.error.message).toMatch(/safe to repeat: re-run this item/);
			}
		}
	});

	it('a create whose answer is a 5xx is looked up by e-mail: missing inputs are sent again once, found ones are not', async () => {
		const fake = new FakeHubSpot();
		let lost = 1;
		fake.inject = (req) =>
			req.url.endsWith('/batch/create') && lost-- > 0
				? { status: 500, headers: {}, body: 'oops', url: req.url }
				: undefined;
		const { results } = await connector(fake).batchCreate('contacts', [
			{ properties: { email: 'a@x.io' } },
			{ properties: { email: 'b@x.io' } },
		]);
		expect(results.every((r) => r.ok)).toBe(true);
		expect(fake.records.size).toBe(2);
		expect(fake.requests.map((r) => r.url.replace(BASE, ''))).toEqual([
			'/crm/v3/objects/contacts/batch/create',
			'/crm/v3/objects/contacts/batch/read',
			'/crm/v3/objects/contacts/batch/create',
		]);
	});
});
