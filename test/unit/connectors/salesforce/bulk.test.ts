/** Bulk API 2.0 ingest and query driven by our code, against a tiny fake. */
import { parse } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';

import { toArray } from '../../../../core/paging/iterate';
import { bulkFake, statesSent } from './bulkFake';
import { fakeConnector, type FakeReply, type FakeRequest } from './fake';

/** Answers a describe request of Contact (LastName, FirstName, Email), else undefined. */
function describeContact(req: FakeRequest): FakeReply | undefined {
	if (!req.path.endsWith('/describe')) return undefined;
	return {
		body: {
			name: 'Contact',
			fields: ['Id', 'FirstName', 'LastName', 'Email'].map((name) => ({
				name,
				createable: name !== 'Id',
				updateable: name !== 'Id',
			})),
		},
	};
}

/** A fake ingest job: rows with an empty LastName fail; the rest succeed; results come back in reverse order. */
function ingestFake(options: { finalState?: string; unprocessedFrom?: number } = {}) {
	let uploaded = '';
	return fakeConnector((req) => {
		const p = req.path.replace('/services/data/v62.0', '');
		const described = describeContact(req);
		if (described) return described;
		if (req.method === 'POST' && p === '/jobs/ingest')
			return { body: { id: '750J', state: 'Open' } };
		if (req.method === 'PUT' && p === '/jobs/ingest/750J/batches') {
			uploaded = String(req.body);
			return { status: 201, body: '' };
		}
		if (req.method === 'PATCH') return { body: { id: '750J', state: 'UploadComplete' } };
		if (req.method === 'GET' && p === '/jobs/ingest/750J')
			return { body: { id: '750J', state: options.finalState ?? 'JobComplete' } };
		const rows = parse(uploaded, { columns: true }) as Array<Record<string, string>>;
		const cut = options.unprocessedFrom ?? rows.length;
		const header = Object.keys(rows[0] ?? { LastName: '' });
		const line = (r: Record<string, string>) => stringify([header.map((h) => r[h])]).trimEnd();
		if (p.endsWith('/successfulResults')) {
			const ok = rows
				.map((r, i) => ({ r, i }))
				.filter(({ r, i }) => r.LastName !== '' && i < cut)
				.reverse();
			return {
				body:
					[
						`"sf__Id","sf__Created",${header.map((h) => JSON.stringify(h)).join(',')}`,
						...ok.map(({ r, i }) => `"003${i}","true",${line(r)}`),
					].join('\n') + '\n',
			};
		}
		if (p.endsWith('/failedResults')) {
			const bad = rows.filter((r, i) => r.LastName === '' && i < cut);
			return {
				body:
					[
						`"sf__Id","sf__Error",${header.map((h) => JSON.stringify(h)).join(',')}`,
						...bad.map(
							(r) =>
								`"","REQUIRED_FIELD_MISSING:Required fields are missing: [LastName]:LastName --",${line(r)}`,
						),
					].join('\n') + '\n',
			};
		}
		if (p.endsWith('/unprocessedrecords')) {
			if (options.unprocessedFrom === undefined) return { body: '' };
			return {
				body:
					[header.map((h) => JSON.stringify(h)).join(','), ...rows.slice(cut).map(line)].join(
						'\n',
					) + '\n',
			};
		}
		return { status: 404, body: [{ errorCode: 'NOT_FOUND', message: p }] };
	});
}

describe('BulkApi.ingest', () => {
	it('matches every result row back to its input row, duplicates and shuffled order included', async () => {
		const { connector, calls } = ingestFake();
		const rows = [
			{ LastName: 'A', Email: 'a@x' },
			{ LastName: '', Email: 'bad@x' },
			{ LastName: 'A', Email: 'a@x' },
			{ LastName: 'C, "quoted"', Email: null },
		];
		const { results, jobs } = await connector
			.bulk({ sleep: async () => undefined })
			.ingest(rows, { object: 'Contact', operation: 'insert' });
		expect(jobs.map((j) => j.state)).toEqual(['JobComplete']);
		expect(results.map((r) => r.ok)).toEqual([true, false, true, true]);
		expect(new Set(results.filter((r) => r.ok).map((r) => r.ok && r.value.id)).size).toBe(3);
		const failed = results[1];
		expect(failed.ok === false && failed.error).toMatchObject({
			code: 'REQUIRED_FIELD_MISSING',
			message: expect.stringMatching(/^REQUIRED_FIELD_MISSING: Required fields are missing/),
		});
		const created = (calls.find((c) => c.method === 'POST')?.json ?? {}) as Record<string, unknown>;
		expect(created).toMatchObject({
			object: 'Contact',
			operation: 'insert',
			contentType: 'CSV',
			lineEnding: 'LF',
		});
		// null clears a field in Bulk API 2.0 CSV.
		expect(String(calls.find((c) => c.method === 'PUT')?.body)).toContain('#N/A');
	});

	it('splits a large input into several jobs and keeps the input order of results', async () => {
		const { connector, calls } = ingestFake();
		const rows = Array.from({ length: 5 }, (_, i) => ({ LastName: i === 3 ? '' : `L${i}` }));
		const { results, jobs } = await connector
			.bulk({ sleep: async () => undefined })
			.ingest(rows, { object: 'Contact', operation: 'insert', maxRowsPerJob: 2 });
		// Row 3 sets no field at all (an empty cell leaves a field unset): it fails alone, before any job.
		expect(jobs).toHaveLength(2);
		expect(calls.filter((c) => c.method === 'PUT')).toHaveLength(2);
		expect(results.map((r) => r.index)).toEqual([0, 1, 2, 3, 4]);
		expect(results.map((r) => r.ok)).toEqual([true, true, true, false, true]);
		expect(results[3].ok === false && results[3].error.code).toBe('NO_FIELDS');
	});

	it('reports rows the job did not process, with the reason, and never leaves a row without a result', async () => {
		const { connector } = ingestFake({ finalState: 'Failed', unprocessedFrom: 2 });
		const rows = Array.from({ length: 4 }, (_, i) => ({ LastName: `L${i}` }));
		const { results } = await connector
			.bulk({ sleep: async () => undefined })
			.ingest(rows, { object: 'Contact', operation: 'insert' });
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
			if (!locator)
				return { headers: { 'sforce-locator': 'L2' }, body: 'Id,Name\n001A,One\n001B,\n' };
			return { headers: { 'sforce-locator': 'null' }, body: 'Id,Name\n001C,"Three, Inc"\n' };
		});
		const pages = await toArray(
			connector
				.bulk({ sleep: async () => undefined })
				.query('SELECT Id, Name FROM Account', { pageSize: 2 }),
		);
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
			const described = describeContact(req);
			if (described) return described;
			if (req.method === 'POST') return { body: { id: `750D${++jobs}`, state: 'Open' } };
			if (req.method === 'PUT') return { status: 201, body: '' };
			if (req.method === 'PATCH') return { body: { id: 'x', state: 'UploadComplete' } };
			if (/^\/jobs\/ingest\/750D1$/.test(p))
				return {
					status: 403,
					body: [{ errorCode: 'REQUEST_LIMIT_EXCEEDED', message: 'TotalRequests Limit exceeded.' }],
				};
			return { status: 404, body: [{ errorCode: 'NOT_FOUND', message: p }] };
		});
		const rows = Array.from({ length: 4 }, (_, i) => ({ LastName: `L${i}` }));
		const { results } = await connector
			.bulk({ sleep: async () => undefined })
			.ingest(rows, { object: 'Contact', operation: 'insert', maxRowsPerJob: 2 });
		expect(results[0].ok === false && results[0].error).toMatchObject({
			code: 'OUTCOME_UNKNOWN',
			message: expect.stringMatching(/^outcome unknown: bulk job 750D1 was submitted/),
		});
		expect(results[3].ok === false && results[3].error.code).toBe('NOT_SENT');
		expect(calls.filter((c) => c.method === 'POST')).toHaveLength(1);
	});
});

describe('BulkApi.ingest result CSVs', () => {
	it('says plainly when a result CSV cannot be read, instead of guessing', async () => {
		const { connector } = fakeConnector((req) => {
			const p = req.path.replace('/services/data/v62.0', '');
			const described = describeContact(req);
			if (described) return described;
			if (req.method === 'POST') return { body: { id: '750X', state: 'Open' } };
			if (req.method === 'PUT') return { status: 201, body: '' };
			if (req.method === 'PATCH') return { body: { id: '750X', state: 'UploadComplete' } };
			if (p === '/jobs/ingest/750X') return { body: { id: '750X', state: 'JobComplete' } };
			return { body: '"sf__Id","sf__Created","LastName"\n"003","true","bro"ken"\n' };
		});
		const { results } = await connector
			.bulk({ sleep: async () => undefined })
			.ingest([{ LastName: 'x' }], { object: 'Contact', operation: 'insert' });
		expect(results[0].ok === false && results[0].error.message).toMatch(
			/result CSV of bulk job 750X could not be read.*check the job in Salesforce before re-running/,
		);
	});
});

describe('BulkApi.ingest: an upload is never re-sent into the same job', () => {
	const rows = (n: number) =>
		Array.from({ length: n }, (_, i) => ({ LastName: `L${i}`, Email: `r${i}@x.com` }));

	it.each(['dropBefore', 'dropAfter'] as const)(
		'upload %s: aborts that job and writes the rows once in a new job',
		async (drop) => {
			const fake = bulkFake({
				fault: (_req, kind, n) => (kind === 'upload' && n === 0 ? drop : undefined),
			});
			const { results, jobs } = await fake
				.bulk()
				.ingest(rows(5), { object: 'Contact', operation: 'insert' });
			expect(results.every((r) => r.ok)).toBe(true);
			expect(jobs.map((j) => [j.id, j.state])).toEqual([
				['750J1', 'Aborted'],
				['750J2', 'JobComplete'],
			]);
			// One PUT per job, never two into one job; the first job was aborted, never closed.
			expect(fake.calls.filter((c) => c.method === 'PUT').map((c) => c.path)).toEqual([
				expect.stringContaining('750J1'),
				expect.stringContaining('750J2'),
			]);
			expect(fake.jobs.get('750J1')?.ok).toHaveLength(0);
			expect(fake.jobs.get('750J2')?.ok).toHaveLength(5);
			expect(statesSent(fake.calls)).toEqual(['Aborted', 'UploadComplete']);
		},
	);

	it('a 5xx answer to the upload is an unknown outcome too; after 3 jobs the rows fail as not written', async () => {
		const fake = bulkFake({
			fault: (_req, kind) =>
				kind === 'upload'
					? { status: 500, body: [{ errorCode: 'UNKNOWN_EXCEPTION', message: 'boom' }] }
					: undefined,
		});
		const { results, jobs } = await fake
			.bulk()
			.ingest(rows(3), { object: 'Contact', operation: 'insert' });
		expect(jobs.map((j) => j.state)).toEqual(['Aborted', 'Aborted', 'Aborted']);
		expect(fake.calls.filter((c) => c.method === 'PUT')).toHaveLength(3);
		for (const r of results)
			expect(r.ok === false && r.error).toMatchObject({
				code: 'BULK_UPLOAD_FAILED',
				message: expect.stringMatching(
					/^not written: 3 bulk job\(s\) were tried.*nothing was written/,
				),
			});
		expect([...fake.jobs.values()].every((j) => j.ok.length === 0)).toBe(true);
	});

	it('a 429 on the upload is retried as it is (Salesforce refused it before processing)', async () => {
		const fake = bulkFake({
			fault: (_req, kind, n) =>
				kind === 'upload' && n === 0
					? {
							status: 429,
							headers: { 'retry-after': '1' },
							body: [
								{
									errorCode: 'REQUEST_LIMIT_EXCEEDED',
									message: 'ConcurrentPerOrgLongTxn Limit exceeded.',
								},
							],
						}
					: undefined,
		});
		const { results, jobs } = await fake
			.bulk()
			.ingest(rows(4), { object: 'Contact', operation: 'insert' });
		expect(results.every((r) => r.ok)).toBe(true);
		expect(jobs).toHaveLength(1);
		expect(fake.calls.filter((c) => c.method === 'PUT')).toHaveLength(2);
		expect(fake.jobs.get('750J1')?.uploads).toHaveLength(1);
	});

	it('a job refused to close because it holds two uploads (INVALIDJOB) is aborted and its rows re-run once', async () => {
		// The first close is answered as Salesforce answers it after two PUTs to one job.
		const doubled = bulkFake({
			fault: (_req, kind, n) =>
				kind === 'state:UploadComplete' && n === 0
					? {
							status: 400,
							body: [
								{ errorCode: 'INVALIDJOB', message: 'Found multipe contents for job: <750J1>' },
							],
						}
					: undefined,
		});
		const { results, jobs } = await doubled
			.bulk()
			.ingest(rows(3), { object: 'Contact', operation: 'insert' });
		expect(results.every((r) => r.ok)).toBe(true);
		expect(jobs.map((j) => j.state)).toEqual(['Aborted', 'JobComplete']);
		expect(statesSent(doubled.calls)).toEqual(['UploadComplete', 'Aborted', 'UploadComplete']);
	});
});

describe('BulkApi.ingest: refusals and a job that is hard to follow', () => {
	const rows = Array.from({ length: 3 }, (_, i) => ({ LastName: `L${i}` }));

	it('an upload refused with 400 is not retried in a new job: the rows fail as not written, with the reason', async () => {
		const fake = bulkFake({
			fault: (_req, kind) =>
				kind === 'upload'
					? {
							status: 400,
							body: [{ errorCode: 'INVALIDREQUEST', message: 'ClientInputError : bad CSV' }],
						}
					: undefined,
		});
		const { results, jobs } = await fake
			.bulk()
			.ingest(rows, { object: 'Contact', operation: 'insert' });
		for (const r of results)
			expect(r.ok === false && r.error).toMatchObject({
				code: 'INVALIDREQUEST',
				message: expect.stringMatching(/^not written: INVALIDREQUEST: ClientInputError : bad CSV/),
			});
		expect(jobs.map((j) => j.state)).toEqual(['Aborted']);
		expect(fake.calls.filter((c) => c.method === 'PUT')).toHaveLength(1);
	});

	it('a few failed status polls are tolerated; the job is followed to its end', async () => {
		let failures = 0;
		// 5 lost answers: the first poll fails after the HttpClient's own 4 attempts, the next poll goes through.
		const fake = bulkFake({
			inProgressPolls: 2,
			fault: (_req, kind) => (kind === 'get' && failures++ < 5 ? 'dropAfter' : undefined),
		});
		const { results } = await fake.bulk().ingest(rows, { object: 'Contact', operation: 'insert' });
		expect(results.every((r) => r.ok)).toBe(true);
		expect(failures).toBe(6);
	});

	it('a credential refused at the close: those rows and every later job are NOT_SENT; the open job is aborted', async () => {
		const fake = bulkFake({
			fault: (_req, kind) =>
				kind === 'state:UploadComplete'
					? {
							status: 403,
							body: [{ errorCode: 'INSUFFICIENT_ACCESS', message: 'no Bulk API permission' }],
						}
					: undefined,
		});
		const { results } = await fake.bulk().ingest(
			Array.from({ length: 4 }, (_, i) => ({ LastName: `L${i}` })),
			{ object: 'Contact', operation: 'insert', maxRowsPerJob: 2 },
		);
		for (const r of results) expect(r.ok === false && r.error.code).toBe('NOT_SENT');
		expect(statesSent(fake.calls)).toEqual(['UploadComplete', 'Aborted']);
		expect(fake.calls.filter((c) => c.method === 'POST')).toHaveLength(1);
	});
});

describe('BulkApi.ingest: a lost UploadComplete answer is settled by reading the job', () => {
	const rows = Array.from({ length: 6 }, (_, i) => ({ LastName: `L${i}` }));

	it('applied (job UploadComplete / InProgress): waits for it, no second close, every written row reported written', async () => {
		const fake = bulkFake({
			inProgressPolls: 1,
			fault: (_req, kind, n) =>
				kind === 'state:UploadComplete' && n === 0 ? 'dropAfter' : undefined,
		});
		const { results, jobs } = await fake
			.bulk()
			.ingest(rows, { object: 'Contact', operation: 'insert' });
		expect(results.every((r) => r.ok)).toBe(true);
		expect(jobs.map((j) => j.state)).toEqual(['JobComplete']);
		expect(statesSent(fake.calls)).toEqual(['UploadComplete']);
		expect(fake.jobs.get('750J1')?.ok).toHaveLength(6);
	});

	it('not applied (job still Open): closes it again', async () => {
		const fake = bulkFake({
			fault: (_req, kind, n) =>
				kind === 'state:UploadComplete' && n === 0 ? 'dropBefore' : undefined,
		});
		const { results, jobs } = await fake
			.bulk()
			.ingest(rows, { object: 'Contact', operation: 'insert' });
		expect(results.every((r) => r.ok)).toBe(true);
		expect(jobs).toHaveLength(1);
		expect(statesSent(fake.calls)).toEqual(['UploadComplete', 'UploadComplete']);
	});

	it('aborted meanwhile: re-runs its rows in a new job', async () => {
		const fake = bulkFake({
			fault: (_req, kind, n) => {
				if (kind !== 'state:UploadComplete' || n !== 0) return undefined;
				// Someone aborts the job while our close is in flight; its answer is lost.
				const job = fake.jobs.get('750J1');
				if (job) job.state = 'Aborted';
				return 'dropBefore';
			},
		});
		const { results, jobs } = await fake
			.bulk()
			.ingest(rows, { object: 'Contact', operation: 'insert' });
		expect(results.every((r) => r.ok)).toBe(true);
		expect(jobs.map((j) => [j.id, j.state])).toEqual([
			['750J1', 'Aborted'],
			['750J2', 'JobComplete'],
		]);
		expect(fake.jobs.get('750J2')?.ok).toHaveLength(6);
	});

	it('state unreadable: the rows are OUTCOME_UNKNOWN with the job id, never a plain failure', async () => {
		const fake = bulkFake({
			fault: (_req, kind, n) =>
				kind === 'state:UploadComplete' && n === 0
					? 'dropAfter'
					: kind === 'get'
						? { status: 500, body: [{ errorCode: 'UNKNOWN_EXCEPTION', message: 'down' }] }
						: undefined,
		});
		const { results } = await fake.bulk().ingest(rows, { object: 'Contact', operation: 'insert' });
		for (const r of results)
			expect(r.ok === false && r.error).toMatchObject({
				code: 'OUTCOME_UNKNOWN',
				details: { jobId: '750J1' },
			});
	});
});

describe('BulkApi.ingest accounts for every input row exactly once', () => {
	const rows = Array.from({ length: 4 }, (_, i) => ({ LastName: `L${i}` }));

	it('a row missing from all three result sets is NO_RESULT', async () => {
		const fake = bulkFake({
			tamper: (_job, which, set) => (which === 'ok' ? set.filter((r) => r[2] !== 'L2') : set),
		});
		const { results } = await fake.bulk().ingest(rows, { object: 'Contact', operation: 'insert' });
		expect(results.map((r) => r.ok)).toEqual([true, true, false, true]);
		expect(results[2].ok === false && results[2].error.code).toBe('NO_RESULT');
	});

	it('more results than input rows for the same values (a doubled upload) fails those rows naming every record', async () => {
		const fake = bulkFake({
			tamper: (_job, which, set) => (which === 'ok' ? [...set, ['003EXTRA', 'true', 'L1']] : set),
		});
		const { results } = await fake.bulk().ingest(rows, { object: 'Contact', operation: 'insert' });
		expect(results.map((r) => r.ok)).toEqual([true, false, true, true]);
		const error = results[1].ok === false ? results[1].error : undefined;
		expect(error).toMatchObject({
			code: 'BULK_DUPLICATE_RESULT',
			details: { ids: [expect.stringMatching(/^003R/), '003EXTRA'] },
		});
		expect(error?.message).toMatch(/returned 2 results for 1 input row.*003EXTRA/);
	});

	it('a result row that matches no input row is named on the rows left without a result, or on every row', async () => {
		const swapped = bulkFake({
			tamper: (_job, which, set) =>
				which === 'ok' ? set.map((r) => (r[2] === 'L3' ? [r[0], r[1], 'L3-changed'] : r)) : set,
		});
		const one = await swapped.bulk().ingest(rows, { object: 'Contact', operation: 'insert' });
		expect(one.results.map((r) => r.ok)).toEqual([true, true, true, false]);
		expect(one.results[3].ok === false && one.results[3].error).toMatchObject({
			code: 'NO_RESULT',
			message: expect.stringMatching(/match no input row \(records: 003R/),
		});

		const extra = bulkFake({
			tamper: (_job, which, set) =>
				which === 'ok' ? [...set, ['003STRAY', 'true', 'nobody']] : set,
		});
		const two = await extra.bulk().ingest(rows, { object: 'Contact', operation: 'insert' });
		for (const r of two.results)
			expect(r.ok === false && r.error).toMatchObject({
				code: 'BULK_RESULT_MISMATCH',
				details: { unmatchedIds: ['003STRAY'] },
			});
	});
});

describe('BulkApi.ingest checks columns against describe: a bad key fails its row alone', () => {
	it('unknown field, a name that is not an API name, a field not createable: those rows fail; the others go without the column', async () => {
		const fake = bulkFake();
		const input = [
			{ LastName: 'Good', Email: 'g@x.com' },
			{ 'Last Name': 'Spaced' },
			{ LastName: 'Nope', Nope__c: 'x' },
			{ LastName: 'Created', CreatedDate: '2024-01-01T00:00:00Z' },
			{ lastname: 'Lower', 'Account.Legacy_Id__c': 'L-1' },
			{ LastName: 'BadParent', 'Account.Name': 'x' },
			// An own "__proto__" key, as JSON.parse makes it (never dropped silently).
			JSON.parse('{"LastName":"Proto","__proto__":"x"}') as Record<string, unknown>,
		];
		const { results } = await fake.bulk().ingest(input, { object: 'Contact', operation: 'insert' });
		expect(results.map((r) => (r.ok ? 'ok' : r.error.code))).toEqual([
			'ok',
			'INVALID_FIELD',
			'INVALID_FIELD',
			'INVALID_FIELD_FOR_INSERT_UPDATE',
			'ok',
			'INVALID_FIELD',
			'INVALID_FIELD',
		]);
		const msg = (i: number) => (results[i].ok === false ? results[i].error.message : '');
		expect(msg(1)).toMatch(/"Last Name" is not a field API name.*Fields to Send/);
		expect(msg(2)).toMatch(/Contact has no field "Nope__c"/);
		expect(msg(3)).toMatch(/Contact\.CreatedDate cannot be set on insert \(it is not createable\)/);
		expect(msg(5)).toMatch(/Account\.Name is not an external ID or lookup field/);
		expect(msg(6)).toMatch(/"__proto__" is not a field API name/);
		// One job, under canonical names, without the refused columns.
		const csv = String(fake.calls.find((c) => c.method === 'PUT')?.body);
		expect(csv.split('\n')[0]).toBe('LastName,Email,Account.Legacy_Id__c');
		expect(csv.trim().split('\n')).toHaveLength(3);
	});

	it('update needs updateable fields and the Id; upsert needs the external ID value', async () => {
		const fake = bulkFake();
		const upd = await fake
			.bulk()
			.ingest(
				[
					{ Id: '003000000000001AAA', LastName: 'x' },
					{ LastName: 'no id' },
					{ Id: '003000000000002AAA', CreatedDate: 'x' },
				],
				{ object: 'Contact', operation: 'update' },
			);
		expect(upd.results.map((r) => (r.ok ? 'ok' : r.error.code))).toEqual([
			'ok',
			'MISSING_ID',
			'INVALID_FIELD_FOR_INSERT_UPDATE',
		]);
		const ups = await fake
			.bulk()
			.ingest([{ External_Id__c: 'E1', LastName: 'x' }, { LastName: 'no key' }], {
				object: 'Contact',
				operation: 'upsert',
				externalIdField: 'external_id__c',
			});
		expect(ups.results.map((r) => (r.ok ? 'ok' : r.error.code))).toEqual([
			'ok',
			'MISSING_EXTERNAL_ID',
		]);
		expect(
			fake.calls
				.filter((c) => c.method === 'POST')
				.map((c) => (c.json as { externalIdFieldName?: string }).externalIdFieldName),
		).toEqual([undefined, 'External_Id__c']);
	});

	it('job creation refused: every row is NOT_SENT with the reason, and no upload happens', async () => {
		const fake = bulkFake({
			fault: (_req, kind) =>
				kind === 'create'
					? {
							status: 403,
							body: [
								{ errorCode: 'REQUEST_LIMIT_EXCEEDED', message: 'TotalRequests Limit exceeded.' },
							],
						}
					: undefined,
		});
		const { results } = await fake.bulk().ingest(
			Array.from({ length: 5 }, (_, i) => ({ LastName: `L${i}` })),
			{ object: 'Contact', operation: 'insert', maxRowsPerJob: 2 },
		);
		for (const r of results)
			expect(r.ok === false && r.error).toMatchObject({
				code: 'NOT_SENT',
				message: expect.stringMatching(/^not sent: .*daily API request limit/),
			});
		expect(fake.calls.filter((c) => c.method === 'POST')).toHaveLength(1);
		expect(fake.calls.filter((c) => c.method === 'PUT')).toHaveLength(0);
	});
});
