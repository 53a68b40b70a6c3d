/** Bulk API 2.0 ingest and query driven by our code, against a tiny fake. */
import { parse } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';

import { toArray } from '../../../../core/paging/iterate';
import { fakeConnector } from './fake';

/** A fake ingest job: rows with an empty LastName fail; the rest succeed; results come back in reverse order. */
function ingestFake(options: { finalState?: string; unprocessedFrom?: number } = {}) {
	let uploaded = '';
	return fakeConnector((req) => {
		const p = req.path.replace('/services/data/v62.0', '');
		if (req.method === 'POST' && p === '/jobs/ingest') return { body: { id: '750J', state: 'Open' } };
		if (req.method === 'PUT' && p === '/jobs/ingest/750J/batches') {
			uploaded = String(req.body);
			return { status: 201, body: '' };
		}
		if (req.method === 'PATCH') return { body: { id: '750J', state: 'UploadComplete' } };
		if (req.method === 'GET' && p === '/jobs/ingest/750J') return { body: { id: '750J', state: options.finalState ?? 'JobComplete' } };
		const rows = parse(uploaded, { columns: true }) as Array<Record<string, string>>;
		const cut = options.unprocessedFrom ?? rows.length;
		const header = Object.keys(rows[0] ?? { LastName: '' });
		const line = (r: Record<string, string>) => stringify([header.map((h) => r[h])]).trimEnd();
		if (p.endsWith('/successfulResults')) {
			const ok = rows.map((r, i) => ({ r, i })).filter(({ r, i }) => r.LastName !== '' && i < cut).reverse();
			return { body: [`"sf__Id","sf__Created",${header.map((h) => JSON.stringify(h)).join(',')}`, ...ok.map(({ r, i }) => `"003${i}","true",${line(r)}`)].join('\n') + '\n' };
		}
		if (p.endsWith('/failedResults')) {
			const bad = rows.filter((r, i) => r.LastName === '' && i < cut);
			return { body: [`"sf__Id","sf__Error",${header.map((h) => JSON.stringify(h)).join(',')}`, ...bad.map((r) => `"","REQUIRED_FIELD_MISSING:Required fields are missing: [LastName]:LastName --",${line(r)}`)].join('\n') + '\n' };
		}
		if (p.endsWith('/unprocessedrecords')) {
			if (options.unprocessedFrom === undefined) return { body: '' };
			return { body: [header.map((h) => JSON.stringify(h)).join(','), ...rows.slice(cut).map(line)].join('\n') + '\n' };
		}
		return { status: 404, body: [{ errorCode: 'NOT_FOUND', message: p }] };
	});
}

describe('BulkApi.ingest', () => {
	it('matches every result row back to its input row, duplicates and shuffled order included', async () => {
		const { connector, calls } = ingestFake();
		const rows = [{ LastName: 'A', Email: 'a@x' }, { LastName: '', Email: 'bad@x' }, { LastName: 'A', Email: 'a@x' }, { LastName: 'C, "quoted"', Email: null }];
		const { results, jobs } = await connector.bulk({ sleep: async () => undefined }).ingest(rows, { object: 'Contact', operation: 'insert' });
		expect(jobs.map((j) => j.state)).toEqual(['JobComplete']);
		expect(results.map((r) => r.ok)).toEqual([true, false, true, true]);
		expect(new Set(results.filter((r) => r.ok).map((r) => r.ok && r.value.id)).size).toBe(3);
		const failed = results[1];
		expect(failed.ok === false && failed.error).toMatchObject({ code: 'REQUIRED_FIELD_MISSING', message: expect.stringMatching(/^REQUIRED_FIELD_MISSING: Required fields are missing/) });
		const created = (calls[0].json ?? {}) as Record<string, unknown>;
		expect(created).toMatchObject({ object: 'Contact', operation: 'insert', contentType: 'CSV', lineEnding: 'LF' });
		// null clears a field in Bulk API 2.0 CSV.
		expect(String(calls[1].body)).toContain('#N/A');
	});

	it('splits a large input into several jobs and keeps the input order of results', async () => {
		const { connector, calls } = ingestFake();
		const rows = Array.from({ length: 5 }, (_, i) => ({ LastName: i === 3 ? '' : `L${i}` }));
		const { results, jobs } = await connector.bulk({ sleep: async () => undefined }).ingest(rows, { object: 'Contact', operation: 'insert', maxRowsPerJob: 2 });
		expect(jobs).toHaveLength(3);
		expect(calls.filter((c) => c.method === 'PUT')).toHaveLength(3);
		expect(results.map((r) => r.index)).toEqual([0, 1, 2, 3, 4]);
		expect(results.map((r) => r.ok)).toEqual([true, true, true, false, true]);
	});

	it('reports rows the job did not process, with the reason, and never leaves a row without a result', async () => {
		const { connector } = ingestFake({ finalState: 'Failed', unprocessedFrom: 2 });
		const rows = Array.from({ length: 4 }, (_, i) => ({ LastName: `L${i}` }));
		const { results } = await connector.bulk({ sleep: async () => undefined }).ingest(rows, { object: 'Contact', operation: 'insert' });
		expect(results.map((r) => r.ok)).toEqual([true, true, false, false]);
		expect(results[3].ok === false && results[3].error.code).toBe('UNPROCESSED');
	});
});

describe('BulkApi.query', () => {
	it('pages the CSV results with Sforce-Locator until it is null', async () => {
		const { connector, calls } = fakeConnector((req) => {
			const p = req.path.replace('/services/data/v62.0', '');
			if (req.method === 'POST') return { body: { id: '750Q', state: 'UploadComplete' } };
			if (p === '/jobs/query/750Q') return { body: { id: '750Q', state: 'JobComplete' } };
			const locator = req.search.get('locator');
			if (!locator) return { headers: { 'sforce-locator': 'L2' }, body: 'Id,Name\n001A,One\n001B,\n' };
			return { headers: { 'sforce-locator': 'null' }, body: 'Id,Name\n001C,"Three, Inc"\n' };
		});
		const pages = await toArray(connector.bulk({ sleep: async () => undefined }).query('SELECT Id, Name FROM Account', { pageSize: 2 }));
		expect(pages).toEqual([
			[
				{ Id: '001A', Name: 'One' },
				{ Id: '001B', Name: null },
			],
			[{ Id: '001C', Name: 'Three, Inc' }],
		]);
		const resultCalls = calls.filter((c) => c.path.endsWith('/results'));
		expect(resultCalls.map((c) => [c.search.get('maxRecords'), c.search.get('locator')])).toEqual([
			['2', null],
			['2', 'L2'],
		]);
	});
});

describe('BulkApi.ingest when following a submitted job fails', () => {
	it('says the outcome is unknown (never "not written") and stops sending further jobs at the daily limit', async () => {
		let jobs = 0;
		const { connector, calls } = fakeConnector((req) => {
			const p = req.path.replace('/services/data/v62.0', '');
			if (req.method === 'POST') return { body: { id: `750D${++jobs}`, state: 'Open' } };
			if (req.method === 'PUT') return { status: 201, body: '' };
			if (req.method === 'PATCH') return { body: { id: 'x', state: 'UploadComplete' } };
			if (/^\/jobs\/ingest\/750D1$/.test(p)) return { status: 403, body: [{ errorCode: 'REQUEST_LIMIT_EXCEEDED', message: 'TotalRequests Limit exceeded.' }] };
			return { status: 404, body: [{ errorCode: 'NOT_FOUND', message: p }] };
		});
		const rows = Array.from({ length: 4 }, (_, i) => ({ LastName: `L${i}` }));
		const { results } = await connector.bulk({ sleep: async () => undefined }).ingest(rows, { object: 'Contact', operation: 'insert', maxRowsPerJob: 2 });
		expect(results[0].ok === false && results[0].error).toMatchObject({ code: 'BULK_JOB_OUTCOME_UNKNOWN', message: expect.stringMatching(/bulk job 750D1 was submitted/) });
		expect(results[3].ok === false && results[3].error.code).toBe('NOT_SENT');
		expect(calls.filter((c) => c.method === 'POST')).toHaveLength(1);
	});
});

describe('BulkApi.ingest result CSVs', () => {
	it('says plainly when a result CSV cannot be read, instead of guessing', async () => {
		const { connector } = fakeConnector((req) => {
			const p = req.path.replace('/services/data/v62.0', '');
			if (req.method === 'POST') return { body: { id: '750X', state: 'Open' } };
			if (req.method === 'PUT') return { status: 201, body: '' };
			if (req.method === 'PATCH') return { body: { id: '750X', state: 'UploadComplete' } };
			if (p === '/jobs/ingest/750X') return { body: { id: '750X', state: 'JobComplete' } };
			return { body: '"sf__Id","sf__Created","LastName"\n"003","true","bro"ken"\n' };
		});
		const { results } = await connector.bulk({ sleep: async () => undefined }).ingest([{ LastName: 'x' }], { object: 'Contact', operation: 'insert' });
		expect(results[0].ok === false && results[0].error.message).toMatch(/result CSV of bulk job 750X could not be read.*check the job in Salesforce before re-running/);
	});
});
