/** The Salesforce connector over jsforce and the core HttpClient, against a tiny fake: batching, errors, retries, paging. */
import { BearerAuth } from '../../../../core/http/auth';
import { toArray } from '../../../../core/paging/iterate';
import { soql } from '../../../../core/query/soql';
import { BASE, fakeConnector, saveResults } from './fake';

const ID_A = '0035g00000000AAAAA';
const ID_B = '0035g00000000ABAAA';
const contacts = (n: number, bad: number[] = []) =>
	Array.from({ length: n }, (_, i) => ({ LastName: bad.includes(i) ? '' : `Last ${i}` }));

describe('SalesforceConnector.write (sObject Collections)', () => {
	it('sends 450 records in 3 Collections calls (200/200/50) and gives each record its own result', async () => {
		const { connector, calls } = fakeConnector((req) => ({
			body: saveResults((req.json as { records: Array<Record<string, unknown>> }).records),
		}));
		const { results, stats } = await connector.write('create', 'Contact', contacts(450, [7, 301]));
		expect(calls.map((c) => `${c.method} ${c.path}`)).toEqual(
			Array(3).fill('POST /services/data/v62.0/composite/sobjects'),
		);
		expect(calls.map((c) => (c.json as { records: unknown[] }).records.length)).toEqual([
			200, 200, 50,
		]);
		expect(
			(calls[0].json as { allOrNone: boolean; records: Array<{ attributes: { type: string } }> })
				.allOrNone,
		).toBe(false);
		expect(
			(calls[0].json as { records: Array<{ attributes: { type: string } }> }).records[0].attributes,
		).toEqual({ type: 'Contact' });
		expect(results).toHaveLength(450);
		expect(results.filter((r) => !r.ok).map((r) => r.index)).toEqual([7, 301]);
		const failed = results[7];
		expect(failed.ok === false && failed.error).toMatchObject({
			code: 'REQUIRED_FIELD_MISSING',
			message: 'REQUIRED_FIELD_MISSING: Required fields are missing: [LastName] [fields: LastName]',
		});
		expect(stats).toMatchObject({ calls: 3, succeeded: 448, failed: 2 });
	});

	it('upserts by external ID through PATCH /composite/sobjects/{type}/{field}, reporting created or updated', async () => {
		const { connector, calls } = fakeConnector((req) => ({
			body: (req.json as { records: Array<Record<string, unknown>> }).records.map((r, i) => ({
				id: `003${i}`,
				success: true,
				created: r.External_Id__c === 'new',
				errors: [],
			})),
		}));
		const { results } = await connector.write(
			'upsert',
			'Contact',
			[
				{ External_Id__c: 'new', LastName: 'A' },
				{ External_Id__c: 'old', LastName: 'B' },
			],
			{ externalIdField: 'External_Id__c' },
		);
		expect(calls[0].method).toBe('PATCH');
		expect(calls[0].path).toBe('/services/data/v62.0/composite/sobjects/Contact/External_Id__c');
		expect(results.map((r) => r.ok && r.value)).toEqual([
			{ id: '0030', created: true },
			{ id: '0031', created: false },
		]);
	});

	it('never resends a create that may have been applied (500) blindly: without a unique field its records are OUTCOME_UNKNOWN, the other chunks go on', async () => {
		let n = 0;
		const { connector, calls } = fakeConnector((req) => {
			n++;
			if (n === 1)
				return {
					status: 500,
					body: [{ errorCode: 'UNKNOWN_EXCEPTION', message: 'An unexpected error occurred' }],
				};
			return {
				body: saveResults((req.json as { records: Array<Record<string, unknown>> }).records),
			};
		});
		const { results } = await connector.write('create', 'Contact', contacts(250));
		expect(calls).toHaveLength(2);
		expect(
			results
				.slice(0, 200)
				.every(
					(r) =>
						!r.ok &&
						r.error.code === 'OUTCOME_UNKNOWN' &&
						/UNKNOWN_EXCEPTION.*search for it before re-running/.test(r.error.message),
				),
		).toBe(true);
		expect(results.slice(200).every((r) => r.ok)).toBe(true);
	});

	it('resends a create refused by the rate limit before processing (429 + Retry-After)', async () => {
		let n = 0;
		const { connector, calls } = fakeConnector((req) => {
			n++;
			if (n === 1)
				return {
					status: 429,
					headers: { 'retry-after': '1' },
					body: [
						{
							errorCode: 'REQUEST_LIMIT_EXCEEDED',
							message: 'ConcurrentPerOrgLongTxn Limit exceeded.',
						},
					],
				};
			return {
				body: saveResults((req.json as { records: Array<Record<string, unknown>> }).records),
			};
		});
		const { results } = await connector.write('create', 'Contact', contacts(3));
		expect(calls).toHaveLength(2);
		expect(results.every((r) => r.ok)).toBe(true);
	});

	it('stops at the daily API limit: the refused chunk and every later one are reported as not written, with one call each at most', async () => {
		let n = 0;
		const { connector, calls } = fakeConnector((req) => {
			n++;
			if (n === 2)
				return {
					status: 403,
					body: [{ errorCode: 'REQUEST_LIMIT_EXCEEDED', message: 'TotalRequests Limit exceeded.' }],
				};
			return {
				body: saveResults((req.json as { records: Array<Record<string, unknown>> }).records),
			};
		});
		const { results } = await connector.write('create', 'Contact', contacts(600));
		expect(calls).toHaveLength(2);
		expect(results.slice(0, 200).every((r) => r.ok)).toBe(true);
		const refused = results[200];
		expect(refused.ok === false && refused.error.code).toBe('REQUEST_LIMIT_EXCEEDED');
		expect(refused.ok === false && refused.error.message).toMatch(
			/daily API request limit is used up.*Nothing was lost/,
		);
		const later = results[599];
		expect(later.ok === false && later.error.code).toBe('NOT_SENT');
	});

	it('splits a chunk Salesforce rejects as a whole (400) until the bad record is alone', async () => {
		const { connector, calls } = fakeConnector((req) => {
			const records = (req.json as { records: Array<Record<string, unknown>> }).records;
			if (records.some((r) => r.LastName === 'poison'))
				return {
					status: 400,
					body: [{ errorCode: 'JSON_PARSER_ERROR', message: 'Cannot deserialize' }],
				};
			return { body: saveResults(records) };
		});
		const input = contacts(8);
		input[5].LastName = 'poison';
		const { results } = await connector.write('create', 'Contact', input);
		expect(results.filter((r) => !r.ok).map((r) => r.index)).toEqual([5]);
		expect(calls.length).toBeGreaterThan(1);
	});

	it('deletes with DELETE /composite/sobjects?ids=…&allOrNone=false', async () => {
		const { connector, calls } = fakeConnector((req) => ({
			body: (req.search.get('ids') ?? '')
				.split(',')
				.map((id) => ({ id, success: true, errors: [] })),
		}));
		const { results } = await connector.write('delete', 'Contact', [
			{ Id: ID_A },
			{ Id: ID_B },
			{ Id: '..' },
		]);
		expect(calls[0].method).toBe('DELETE');
		expect(calls[0].search.get('ids')).toBe(`${ID_A},${ID_B}`);
		expect(calls[0].search.get('allOrNone')).toBe('false');
		expect(results.map((r) => r.ok && r.value.id)).toEqual([ID_A, ID_B, false]);
		expect(results[2].ok === false && results[2].error).toMatchObject({
			code: 'MALFORMED_ID',
			message: expect.stringMatching(/^Record ID "\.\." is not a Salesforce record ID/),
		});
	});

	it('applies the core auth (jsforce sends no Authorization of its own) and rejects batch sizes above 200', async () => {
		const { connector, calls } = fakeConnector(() => ({ body: { sobjects: [] } }), {
			auth: new BearerAuth({ token: 'token-from-core-auth' }),
		});
		await connector.listObjects();
		expect(calls[0].headers?.Authorization).toBe('Bearer token-from-core-auth');
		await expect(connector.write('create', 'Contact', [], { batchSize: 201 })).rejects.toThrow(
			/1 to 200 records per request/,
		);
	});
});

describe('SalesforceConnector.queryPages', () => {
	const page = (from: number, count: number, next?: string) => ({
		totalSize: 5000,
		done: next === undefined,
		...(next ? { nextRecordsUrl: next } : {}),
		records: Array.from({ length: count }, (_, i) => ({
			attributes: { type: 'Contact' },
			Id: `003${from + i}`,
		})),
	});

	it('streams pages lazily following nextRecordsUrl, with the batch size header and queryAll', async () => {
		const { connector, calls } = fakeConnector((req) => {
			if (req.path.endsWith('/queryAll'))
				return { body: page(0, 2000, '/services/data/v62.0/queryAll/01gA-2000') };
			if (req.path.endsWith('01gA-2000'))
				return { body: page(2000, 2000, '/services/data/v62.0/queryAll/01gA-4000') };
			return { body: page(4000, 1000) };
		});
		const pages = connector.queryPages(soql`SELECT Id FROM Contact WHERE LastName = ${"O'Brien"}`, {
			includeDeleted: true,
			batchSize: 2000,
		});
		const first = await pages.next();
		expect(first.value).toHaveLength(2000);
		expect(calls).toHaveLength(1);
		expect(calls[0].search.get('q')).toBe("SELECT Id FROM Contact WHERE LastName = 'O\\'Brien'");
		expect(calls[0].headers?.['Sforce-Query-Options']).toBe('batchSize=2000');
		const rest = await toArray(pages);
		expect(rest.map((p) => p.length)).toEqual([2000, 1000]);
		expect(calls.map((c) => c.path.split('/').pop())).toEqual([
			'queryAll',
			'01gA-2000',
			'01gA-4000',
		]);
	});

	it('stops fetching once the limit is reached', async () => {
		const { connector, calls } = fakeConnector((req) =>
			req.path.endsWith('/query')
				? { body: page(0, 2000, `${BASE}/query/01gB-2000`) }
				: { body: page(2000, 2000) },
		);
		const records = await toArray(connector.queryRecords('SELECT Id FROM Contact', { limit: 10 }));
		expect(records).toHaveLength(10);
		expect(calls).toHaveLength(1);
	});

	it("retries a read after a 503 and maps errors to CrmError with Salesforce's code", async () => {
		let n = 0;
		const { connector } = fakeConnector(() =>
			++n === 1
				? {
						status: 503,
						headers: { 'retry-after': '1' },
						body: [{ errorCode: 'SERVER_UNAVAILABLE', message: 'busy' }],
					}
				: { body: page(0, 1) },
		);
		expect(await toArray(connector.queryRecords('SELECT Id FROM Contact'))).toHaveLength(1);
		const { connector: bad } = fakeConnector(() => ({
			status: 400,
			body: [{ errorCode: 'INVALID_FIELD', message: "No such column 'Nope' on entity 'Contact'." }],
		}));
		await expect(toArray(bad.queryRecords('SELECT Nope FROM Contact'))).rejects.toMatchObject({
			name: 'CrmError',
			kind: 'validation',
			crmCode: 'INVALID_FIELD',
			message: expect.stringMatching(/^INVALID_FIELD: No such column 'Nope' on entity 'Contact'\./),
		});
	});
});
