import { parseCsvObjects } from '../../../sandbox/kit';
import { performance } from 'node:perf_hooks';
import { client } from '../helpers';
import { startSf, type StartedSf } from './helpers';

describe('Salesforce simulator: Bulk API 2.0 (jsforce bulk2)', () => {
	let s: StartedSf;

	beforeAll(async () => {
		s = await startSf({ bulk: { processingDelayMs: 40, chunkSize: 5000, queryPageSize: 10_000 } });
	});
	afterAll(() => s.sim.stop());
	afterEach(() => s.sim.faults.clearFaults());

	const http = () =>
		client(s.contract.instanceUrl, { Authorization: `Bearer ${s.sim.contract().accessToken}` });
	const bulk2 = () => {
		const conn = s.conn();
		conn.bulk2.pollInterval = 25;
		conn.bulk2.pollTimeout = 60_000;
		return conn.bulk2;
	};

	it('inserts 50,000 rows with per-row successes and failures (polling sees the job in progress)', async () => {
		const lines = ['FirstName,LastName,Email,External_Id__c,Birthdate'];
		// rows 10, 20,000 and 49,999 are invalid
		for (let i = 0; i < 50_000; i++) {
			const email = i === 20_000 ? 'not-an-email' : `bulk${i}@example.com`;
			const last = i === 10 ? '' : `Bulk ${i}`;
			const birth = i === 49_999 ? '1999-02-30' : i % 2 ? '1990-01-01' : '#N/A';
			lines.push(`Row,${last},${email},B-${i},${birth}`);
		}
		const before = s.sim.table('Contact').collection.count();
		s.sim.log.reset();
		const t = performance.now();
		const states: string[] = [];
		const job = s.conn().bulk2.createJob({ object: 'Contact', operation: 'insert' });
		job.on('inProgress', (info: { state: string; numberRecordsProcessed?: number }) =>
			states.push(`${info.state}:${info.numberRecordsProcessed ?? 0}`),
		);
		await job.open();
		await job.uploadData(lines.join('\n') + '\n');
		await job.close();
		await job.poll(10, 60_000);
		const results = await job.getAllResults();
		const ms = performance.now() - t;
		expect(results.successfulResults).toHaveLength(49_997);
		expect(results.failedResults).toHaveLength(3);
		expect(results.unprocessedRecords).toHaveLength(0);
		const failed = new Map(
			results.failedResults.map((r) => [
				(r as Record<string, unknown>).External_Id__c as string,
				r.sf__Error as string,
			]),
		);
		expect(failed.get('B-10')).toBe(
			'REQUIRED_FIELD_MISSING:Required fields are missing: [LastName]:LastName --',
		);
		expect(failed.get('B-20000')).toBe(
			'INVALID_EMAIL_ADDRESS:Email: invalid email address: not-an-email:Email --',
		);
		expect(failed.get('B-49999')).toBe(
			'INVALID_TYPE_ON_FIELD_IN_RECORD:Birthdate: value not of required type: 1999-02-30:Birthdate --',
		);
		expect(results.successfulResults[0]).toMatchObject({
			sf__Id: expect.stringMatching(/^003/),
			sf__Created: 'true',
			External_Id__c: 'B-0',
		});
		expect(s.sim.table('Contact').collection.count()).toBe(before + 49_997);
		expect(states.some((x) => x.startsWith('InProgress') || x.startsWith('UploadComplete'))).toBe(
			true,
		);
		const calls = s.sim.log.count();
		process.stdout.write(
			`[salesforce sandbox] bulk insert 50,000 rows: ${calls} API calls (${s.sim.log.count({ kind: 'bulk.ingest.get' })} polls), ${ms.toFixed(0)} ms\n`,
		);
		// #N/A was stored as null, other dates as given
		const q = await s.conn().query<{
			Birthdate: string | null;
		}>("SELECT Birthdate FROM Contact WHERE External_Id__c IN ('B-0', 'B-1')  ORDER BY External_Id__c");
		expect(q.records.map((r) => r.Birthdate)).toEqual([null, '1990-01-01']);
	});

	it('updates, upserts (with relationship columns), deletes and hard-deletes through loadAndWaitForResults', async () => {
		const b = bulk2();
		const acct = (
			await s.conn().sobject('Account').create({ Name: 'Bulk Parent', Legacy_Id__c: 'BP-1' })
		).id as string;
		const ins = await b.loadAndWaitForResults({
			object: 'Invoice__c',
			operation: 'insert',
			input: [
				{ Name: 'I-1', Invoice_Number__c: 'BI-1', Amount__c: 10 },
				{ Name: 'I-2', Invoice_Number__c: 'BI-2', Amount__c: 20 },
				{ Name: 'I-3', Invoice_Number__c: 'BI-3', Amount__c: 30 },
			],
		});
		expect(ins.successfulResults).toHaveLength(3);
		const ids = ins.successfulResults.map((r) => r.sf__Id as string);

		const upd = await b.loadAndWaitForResults({
			object: 'Invoice__c',
			operation: 'update',
			input: `Id,Status__c,Amount__c\n${ids[0]},Paid,\n${ids[1]},,lots\na015g00000ZZZZZ,Sent,\n`,
		});
		expect(upd.successfulResults.map((r) => r.sf__Id)).toEqual([ids[0]]);
		expect(upd.failedResults.map((r) => (r.sf__Error as string).split(':')[0])).toEqual([
			'INVALID_TYPE_ON_FIELD_IN_RECORD',
			'INVALID_CROSS_REFERENCE_KEY',
		]);

		const ups = await b.loadAndWaitForResults({
			object: 'Invoice__c',
			operation: 'upsert',
			externalIdFieldName: 'Invoice_Number__c',
			input:
				'Invoice_Number__c,Name,Amount__c,Account__r.Legacy_Id__c\nBI-3,I-3b,33,BP-1\nBI-4,I-4,40,BP-1\nBI-5,I-5,50,NOPE\n',
		});
		expect(
			ups.successfulResults.map((r) => [
				(r as Record<string, unknown>).Invoice_Number__c,
				r.sf__Created,
			]),
		).toEqual([
			['BI-3', 'false'],
			['BI-4', 'true'],
		]);
		expect(ups.failedResults[0].sf__Error).toMatch(
			/^INVALID_FIELD:Foreign key external ID: NOPE not found/,
		);
		const bi4 = await s.conn().query<{
			Account__c: string;
			Account__r: { Name: string };
		}>("SELECT Account__c, Account__r.Name FROM Invoice__c WHERE Invoice_Number__c = 'BI-4'");
		expect(bi4.records[0]).toMatchObject({ Account__c: acct, Account__r: { Name: 'Bulk Parent' } });

		const del = await b.loadAndWaitForResults({
			object: 'Invoice__c',
			operation: 'delete',
			input: [{ Id: ids[0] }, { Id: ids[0] }],
		});
		expect(del.successfulResults).toHaveLength(1);
		expect(del.failedResults[0].sf__Error).toBe('ENTITY_IS_DELETED:entity is deleted:--');
		expect(
			(
				await s
					.conn()
					.query('SELECT COUNT() FROM Invoice__c WHERE IsDeleted = true', { scanAll: true })
			).totalSize,
		).toBe(1);

		const hard = await b.loadAndWaitForResults({
			object: 'Invoice__c',
			operation: 'hardDelete',
			input: [{ Id: ids[1] }, { Id: ids[0] }],
		});
		expect(hard.successfulResults).toHaveLength(2);
		expect(
			(
				await s
					.conn()
					.query('SELECT COUNT() FROM Invoice__c WHERE IsDeleted = true', { scanAll: true })
			).totalSize,
		).toBe(0);
		expect(s.sim.table('Invoice__c').get(ids[1], true)).toBeUndefined();
	});

	it('fails a job with an unknown column, aborts on request, and reports unprocessed rows', async () => {
		const api = http();
		const create = await api.post('/services/data/v62.0/jobs/ingest', {
			object: 'Contact',
			operation: 'insert',
		});
		expect(create.status).toBe(200);
		expect(create.data).toMatchObject({
			state: 'Open',
			object: 'Contact',
			operation: 'insert',
			contentType: 'CSV',
			jobType: 'V2Ingest',
			contentUrl: `services/data/v62.0/jobs/ingest/${create.data.id}/batches`,
		});
		expect(create.data.id).toMatch(/^750/);
		const put = await api.put(
			`/services/data/v62.0/jobs/ingest/${create.data.id}/batches`,
			'LastName,Nope__c\nx,y\n',
			{ headers: { 'Content-Type': 'text/csv' } },
		);
		expect(put.status).toBe(201);
		await api.patch(`/services/data/v62.0/jobs/ingest/${create.data.id}`, {
			state: 'UploadComplete',
		});
		let info = (await api.get(`/services/data/v62.0/jobs/ingest/${create.data.id}`)).data;
		for (let i = 0; i < 200 && info.state !== 'Failed'; i++) {
			await new Promise((r) => setTimeout(r, 10));
			info = (await api.get(`/services/data/v62.0/jobs/ingest/${create.data.id}`)).data;
		}
		expect(info).toMatchObject({
			state: 'Failed',
			errorMessage: 'InvalidBatch : Field name not found : Nope__c',
			numberRecordsProcessed: 0,
		});
		const unprocessed = await api.get(
			`/services/data/v62.0/jobs/ingest/${create.data.id}/unprocessedrecords`,
		);
		expect(parseCsvObjects(unprocessed.data)).toEqual([{ LastName: 'x', Nope__c: 'y' }]);

		const second = (
			await api.post('/services/data/v62.0/jobs/ingest', { object: 'Contact', operation: 'insert' })
		).data;
		await api.put(`/services/data/v62.0/jobs/ingest/${second.id}/batches`, 'LastName\na\nb\n', {
			headers: { 'Content-Type': 'text/csv' },
		});
		const aborted = await api.patch(`/services/data/v62.0/jobs/ingest/${second.id}`, {
			state: 'Aborted',
		});
		expect(aborted.data.state).toBe('Aborted');
		expect(
			parseCsvObjects(
				(await api.get(`/services/data/v62.0/jobs/ingest/${second.id}/unprocessedrecords`)).data,
			),
		).toEqual([{ LastName: 'a' }, { LastName: 'b' }]);
		const badOp = await api.post('/services/data/v62.0/jobs/ingest', {
			object: 'Contact',
			operation: 'merge',
		});
		expect(badOp.status).toBe(400);
		expect(badOp.data[0].errorCode).toBe('INVALIDJOB');
	});

	it('takes one upload per job: after a second PUT, UploadComplete is refused with INVALIDJOB and nothing is processed', async () => {
		const api = http();
		const before = s.sim.table('Contact').collection.count();
		const job = (
			await api.post('/services/data/v62.0/jobs/ingest', { object: 'Contact', operation: 'insert' })
		).data;
		const csv = 'LastName\nTwice A\nTwice B\n';
		const first = await api.put(`/services/data/v62.0/jobs/ingest/${job.id}/batches`, csv, {
			headers: { 'Content-Type': 'text/csv' },
		});
		const second = await api.put(`/services/data/v62.0/jobs/ingest/${job.id}/batches`, csv, {
			headers: { 'Content-Type': 'text/csv' },
		});
		expect([first.status, second.status]).toEqual([201, 201]);
		const close = await api.patch(`/services/data/v62.0/jobs/ingest/${job.id}`, {
			state: 'UploadComplete',
		});
		expect(close.status).toBe(400);
		expect(close.data).toEqual([
			{
				errorCode: 'INVALIDJOB',
				message: expect.stringMatching(
					new RegExp(
						`^Found multipe contents for job: <${job.id}>.*only do 'PUT' once on a given Job\\.$`,
					),
				),
			},
		]);
		expect((await api.get(`/services/data/v62.0/jobs/ingest/${job.id}`)).data.state).toBe('Open');
		const aborted = await api.patch(`/services/data/v62.0/jobs/ingest/${job.id}`, {
			state: 'Aborted',
		});
		expect(aborted.data.state).toBe('Aborted');
		await new Promise((r) => setTimeout(r, 100));
		expect(s.sim.table('Contact').collection.count()).toBe(before);
		// A second close of a closed job is a conflict, not a second processing.
		const other = (
			await api.post('/services/data/v62.0/jobs/ingest', { object: 'Contact', operation: 'insert' })
		).data;
		await api.put(`/services/data/v62.0/jobs/ingest/${other.id}/batches`, 'LastName\nOnce\n', {
			headers: { 'Content-Type': 'text/csv' },
		});
		expect(
			(await api.patch(`/services/data/v62.0/jobs/ingest/${other.id}`, { state: 'UploadComplete' }))
				.status,
		).toBe(200);
		const again = await api.patch(`/services/data/v62.0/jobs/ingest/${other.id}`, {
			state: 'UploadComplete',
		});
		expect([again.status, again.data[0].errorCode]).toEqual([409, 'INVALIDJOBSTATE']);
	});

	it('applies injected per-row failures', async () => {
		s.sim.faults.add({
			type: 'batchFailure',
			indexes: [1],
			code: 'UNABLE_TO_LOCK_ROW',
			message: 'unable to obtain exclusive access to this record',
		});
		const res = await bulk2().loadAndWaitForResults({
			object: 'Lead',
			operation: 'insert',
			input: 'LastName,Company\nA,X\nB,Y\nC,Z\n',
		});
		expect(res.successfulResults).toHaveLength(2);
		expect(res.failedResults).toEqual([
			expect.objectContaining({
				LastName: 'B',
				sf__Error: 'UNABLE_TO_LOCK_ROW:unable to obtain exclusive access to this record:--',
			}),
		]);
	});

	it("jsforce's own bulk2.query reads a single-page result", async () => {
		// the leads of the injected-failure test: A/X and C/Z were inserted, B/Y failed
		const rows = await (
			await bulk2().query(
				"SELECT Id, LastName, Company FROM Lead WHERE Company IN ('X', 'Y', 'Z') ORDER BY LastName",
			)
		).toArray();
		expect(rows).toEqual([
			{ Id: expect.stringMatching(/^00Q/), LastName: 'A', Company: 'X' },
			{ Id: expect.stringMatching(/^00Q/), LastName: 'C', Company: 'Z' },
		]);
	});

	it('runs query jobs whose CSV results are paged with Sforce-Locator and maxRecords', async () => {
		const api = http();
		const created = await api.post('/services/data/v62.0/jobs/query', {
			operation: 'query',
			query:
				"SELECT Id, LastName, Account.Name FROM Contact WHERE FirstName = 'Row' ORDER BY External_Id__c",
		});
		expect(created.status).toBe(200);
		expect(created.data).toMatchObject({
			operation: 'query',
			object: 'Contact',
			state: 'UploadComplete',
			jobType: 'V2Query',
		});
		const early = await api.get(`/services/data/v62.0/jobs/query/${created.data.id}/results`);
		expect(early.status).toBe(400);
		let info = (await api.get(`/services/data/v62.0/jobs/query/${created.data.id}`)).data;
		let polls = 1;
		for (; polls < 500 && info.state !== 'JobComplete'; polls++) {
			await new Promise((r) => setTimeout(r, 10));
			info = (await api.get(`/services/data/v62.0/jobs/query/${created.data.id}`)).data;
		}
		expect(info).toMatchObject({ state: 'JobComplete', numberRecordsProcessed: 49_997 });
		let locator: string | undefined;
		const seen = new Set<string>();
		let pages = 0;
		do {
			const res = await api.get(`/services/data/v62.0/jobs/query/${created.data.id}/results`, {
				params: { maxRecords: 20_000, ...(locator ? { locator } : {}) },
			});
			expect(res.status).toBe(200);
			expect(res.headers['content-type']).toMatch(/^text\/csv/);
			const rows = parseCsvObjects(res.data);
			expect(res.headers['sforce-numberofrecords']).toBe(String(rows.length));
			if (pages === 0) expect(Object.keys(rows[0])).toEqual(['Id', 'LastName', 'Account.Name']);
			rows.forEach((r) => seen.add(r.Id));
			locator =
				res.headers['sforce-locator'] === 'null' ? undefined : res.headers['sforce-locator'];
			pages++;
		} while (locator && pages < 10);
		expect(pages).toBe(3);
		expect(seen.size).toBe(49_997);
		const badQuery = await api.post('/services/data/v62.0/jobs/query', {
			operation: 'query',
			query: 'SELECT Nope FROM Contact',
		});
		expect(badQuery.status).toBe(400);
		expect(badQuery.data[0].errorCode).toBe('INVALID_FIELD');
		process.stdout.write(
			`[salesforce sandbox] bulk query of 49,997 rows: ${polls} polls, ${pages} result pages\n`,
		);
	});
});
