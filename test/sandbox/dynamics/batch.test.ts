import { client } from '../helpers';
import { fetchToken, startDv, type StartedDv } from './helpers';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- batch results are arbitrary JSON / Error objects
type Json = any;

/** What executeBatch rejects with when the batch's own status is an error: the parsed parts. */
async function rejected(p: Promise<unknown>): Promise<Json[]> {
	try {
		await p;
	} catch (err) {
		if (!Array.isArray(err)) throw err;
		return err as Json[];
	}
	throw new Error('expected the batch to fail');
}

describe('Dataverse simulator: $batch (dynamics-web-api)', () => {
	let s: StartedDv;
	const contacts = () => s.sim.collection('contact');
	const accounts = () => s.sim.collection('account');

	beforeEach(async () => {
		s = await startDv({ records: { accounts: 3 } });
	});
	afterEach(() => s.sim.stop());

	it('creates 500 records in one change set with one HTTP request', async () => {
		s.api.startBatch();
		for (let i = 0; i < 500; i++)
			void s.api.create({ collection: 'contacts', data: { lastname: `Row ${i}` } });
		const ids: Json[] = await s.api.executeBatch();
		expect(ids).toHaveLength(500);
		expect(ids.every((id) => typeof id === 'string' && contacts().has(id))).toBe(true);
		expect(contacts().count()).toBe(500);
		expect(s.sim.log.count({ kind: 'batch' })).toBe(1);
		expect(s.sim.log.count({ kind: 'records.create', status: 204 })).toBe(500);
		expect(s.sim.log.count({ kind: 'token' })).toBe(1);
	});

	it('writes nothing of a change set with one invalid row and answers that row with its error', async () => {
		s.api.startBatch();
		void s.api.create({ collection: 'contacts', data: { lastname: 'Good 1' } });
		void s.api.create({ collection: 'contacts', data: { lastname: 'Good 2' } });
		void s.api.create({ collection: 'contacts', data: { lastname: 'Bad', gendercode: 99 } });
		void s.api.create({ collection: 'contacts', data: { lastname: 'Never run' } });
		const parts = await rejected(s.api.executeBatch());
		expect(parts).toHaveLength(1);
		expect(parts[0]).toBeInstanceOf(Error);
		expect(parts[0]).toMatchObject({ status: 400, error: { code: '0x8004431a' } });
		expect(contacts().count()).toBe(0);
		// Two creates ran (and were rolled back), the third failed, the fourth never ran.
		expect(s.sim.log.count({ kind: 'records.create' })).toBe(3);
		expect(s.sim.store.changes({ types: ['contact'] })).toHaveLength(0);
	});

	it('stops at the first failure outside change sets; later requests are not run or answered', async () => {
		s.api.startBatch();
		void s.api.create({ collection: 'contacts', data: { lastname: 'One' } });
		void s.api.create({ collection: 'contacts', data: { nosuchcolumn: 1 } });
		void s.api.create({ collection: 'contacts', data: { lastname: 'Three' } });
		const parts = await rejected(s.api.executeBatch({ inChangeSet: false }));
		expect(parts).toHaveLength(2);
		expect(typeof parts[0]).toBe('string');
		expect(parts[1]).toMatchObject({ status: 400, error: { code: '0x80060888' } });
		expect(
			contacts()
				.list()
				.map((r) => r.fields.lastname),
		).toEqual(['One']);
		expect(s.sim.log.entries({ kind: 'batch' })[0].status).toBe(400);
	});

	it('with continueOnError runs every request: good ones written, failures answered in place', async () => {
		s.api.startBatch();
		void s.api.create({ collection: 'contacts', data: { lastname: 'A' } });
		void s.api.create({ collection: 'contacts', data: { lastname: 'x'.repeat(51), firstname: 1 } });
		void s.api.create({ collection: 'contacts', data: { lastname: 'B' } });
		void s.api.update({
			collection: 'contacts',
			key: '00000000-0000-0000-0000-000000000001',
			data: { lastname: 'C' },
			ifmatch: '*',
		});
		void s.api.create({ collection: 'contacts', data: { lastname: 'D' } });
		const parts: Json[] = await s.api.executeBatch({ inChangeSet: false, continueOnError: true });
		expect(parts).toHaveLength(5);
		expect(parts[1]).toMatchObject({ status: 400 });
		expect(parts[3]).toMatchObject({ status: 404, error: { code: '0x80040217' } });
		for (const i of [0, 2, 4]) expect(contacts().has(parts[i])).toBe(true);
		expect(contacts().count()).toBe(3);
		expect(s.sim.log.entries({ kind: 'batch' })[0].status).toBe(200);
	});

	it('creates a record and updates it through $1 in one change set; binds lookups to $1', async () => {
		s.api.startBatch();
		void s.api.create({ collection: 'accounts', data: { name: 'Fabrikam' }, contentId: '1' });
		void s.api.update({ contentId: '$1', data: { name: 'Fabrikam Ltd' } });
		void s.api.create({
			collection: 'contacts',
			data: { lastname: 'Linked', 'parentcustomerid_account@odata.bind': '$1' },
		});
		const parts: Json[] = await s.api.executeBatch();
		expect(parts).toHaveLength(3);
		const account = accounts().get(parts[0]);
		expect(account?.fields.name).toBe('Fabrikam Ltd');
		const contact = contacts().get(parts[2]);
		expect(contact?.fields.parentcustomerid).toEqual({ id: parts[0], logicalName: 'account' });
		expect(s.sim.log.count({ kind: 'records.update', status: 204 })).toBe(1);
	});

	it('answers GET parts outside change sets, around a change set', async () => {
		const [first] = accounts().list();
		s.api.startBatch();
		void s.api.retrieve({ collection: 'accounts', key: first.id, select: ['name'] });
		void s.api.create({ collection: 'contacts', data: { lastname: 'Between' } });
		void s.api.retrieveMultiple({ collection: 'contacts', select: ['lastname'] });
		const parts: Json[] = await s.api.executeBatch();
		expect(parts[0]).toMatchObject({ accountid: first.id, name: first.fields.name });
		expect(contacts().has(parts[1])).toBe(true);
		expect(parts[2].value.map((r: Json) => r.lastname)).toEqual(['Between']);
		expect(s.sim.log.byKind({})).toMatchObject({
			batch: 1,
			'records.retrieve': 1,
			'records.create': 1,
			'records.list': 1,
		});
	});

	it("refuses more than 1,000 requests with Dataverse's error and runs none", async () => {
		s.api.startBatch();
		for (let i = 0; i < 1001; i++)
			void s.api.create({ collection: 'contacts', data: { lastname: `R${i}` } });
		const err: Json = await s.api.executeBatch().then(
			() => undefined,
			(e: unknown) => e,
		);
		expect(err).toMatchObject({ status: 400 });
		expect(err.message).toMatch(/maximum number of '1000' operations are allowed in a change set/);
		expect(contacts().count()).toBe(0);
		expect(s.sim.log.count({ kind: 'records.create' })).toBe(0);
	});
});

describe('Dataverse simulator: $batch under service protection', () => {
	it('counts a $batch as one request, not one per part', async () => {
		const s = await startDv({ serviceProtection: { requests: 5 } });
		try {
			s.api.startBatch();
			for (let i = 0; i < 50; i++)
				void s.api.create({ collection: 'contacts', data: { lastname: `Row ${i}` } });
			expect(await s.api.executeBatch()).toHaveLength(50);
			expect(s.sim.collection('contact').count()).toBe(50);
			// Four more single requests fit the limit of five; the sixth is refused with Dataverse's 429.
			for (let i = 0; i < 4; i++)
				await s.api.create({ collection: 'contacts', data: { lastname: `One ${i}` } });
			await expect(
				s.api.create({ collection: 'contacts', data: { lastname: 'Too many' } }),
			).rejects.toMatchObject({ status: 429, code: '0x80072322' });
			expect(s.sim.collection('contact').count()).toBe(54);
		} finally {
			await s.sim.stop();
		}
	});
});

describe('Dataverse simulator: $batch wire format (raw HTTP)', () => {
	let s: StartedDv;
	let token: string;

	beforeAll(async () => {
		s = await startDv();
		token = await fetchToken(s.contract);
	});
	afterAll(() => s.sim.stop());

	const post = (body: string, headers: Record<string, string> = {}) =>
		client(`${s.contract.apiUrl}/$batch`).post('', body, {
			headers: {
				Authorization: `Bearer ${token}`,
				'Content-Type': 'multipart/mixed; boundary="batch_AAA123"',
				...headers,
			},
			transformResponse: (x: unknown) => x,
		});

	const part = (id: string, line: string, body: string) =>
		[
			'--changeset_BBB',
			'Content-Type: application/http',
			'Content-Transfer-Encoding: binary',
			`Content-ID: ${id}`,
			'',
			line,
			'Content-Type: application/json',
			'',
			body,
		].join('\r\n');

	it('answers batchresponse_/changesetresponse_ boundaries, part headers and Content-ID', async () => {
		const body = [
			'--batch_AAA123',
			'Content-Type: multipart/mixed; boundary=changeset_BBB',
			'',
			part('1', 'POST /api/data/v9.2/accounts HTTP/1.1', '{"name":"Raw"}'),
			part('2', 'PATCH $1 HTTP/1.1', '{"name":"Raw 2"}'),
			'--changeset_BBB--',
			'--batch_AAA123',
			'Content-Type: application/http',
			'Content-Transfer-Encoding: binary',
			'',
			'GET accounts?$select=name HTTP/1.1',
			'Accept: application/json',
			'',
			'',
			'--batch_AAA123--',
			'',
		].join('\r\n');
		const res = await post(body);
		expect(res.status).toBe(200);
		const type = String(res.headers['content-type']);
		const m = /^multipart\/mixed; boundary=(batchresponse_[0-9a-f-]{36})$/.exec(type);
		expect(m).not.toBeNull();
		expect(res.headers['odata-version']).toBe('4.0');
		const text = String(res.data);
		expect(text.startsWith(`--${m![1]}\r\n`)).toBe(true);
		expect(text.endsWith(`--${m![1]}--\r\n`)).toBe(true);
		const cs =
			/Content-Type: multipart\/mixed; boundary=(changesetresponse_[0-9a-f-]{36})\r\n\r\n/.exec(
				text,
			);
		expect(cs).not.toBeNull();
		const id = s.sim.collection('account').list()[0].id;
		expect(text).toContain(
			`--${cs![1]}\r\nContent-Type: application/http\r\nContent-Transfer-Encoding: binary\r\nContent-ID: 1\r\n\r\nHTTP/1.1 204 No Content\r\n`,
		);
		expect(text).toContain(`OData-EntityId: ${s.contract.apiUrl}/accounts(${id})\r\n`);
		expect(text).toContain('Content-ID: 2\r\n\r\nHTTP/1.1 204 No Content');
		expect(text).toContain(`--${cs![1]}--\r\n--${m![1]}\r\n`);
		expect(text).toContain('HTTP/1.1 200 OK\r\n');
		expect(text).toContain('"name":"Raw 2"');
		expect(s.sim.collection('account').count()).toBe(1);
	});

	it("a failed change set rolls back its own writes only, not those of a concurrent batch's change set", async () => {
		const changeset = (name: string, n: number, bad: boolean) =>
			[
				'--batch_AAA123',
				'Content-Type: multipart/mixed; boundary=changeset_BBB',
				'',
				...Array.from({ length: n }, (_, i) =>
					part(
						String(i + 1),
						'POST /api/data/v9.2/contacts HTTP/1.1',
						`{"lastname":"${name} ${i}"}`,
					),
				),
				...(bad
					? [part(String(n + 1), 'POST /api/data/v9.2/contacts HTTP/1.1', '{"gendercode":99}')]
					: []),
				'--changeset_BBB--',
				'--batch_AAA123--',
				'',
			].join('\r\n');
		// Each create yields to the event loop once, so the two batches' change sets interleave.
		s.sim.server.use(async (req, next) => {
			if (req.kind === 'records.create') await new Promise((r) => setImmediate(r));
			return next();
		});
		const contacts = s.sim.collection('contact');
		const before = contacts.count();
		const seq = s.sim.store.lastSeq;
		const [failed, kept] = await Promise.all([
			post(changeset('Failed', 200, true)).catch(
				(e: { response: { status: number } }) => e.response,
			),
			post(changeset('Kept', 200, false)),
		]);
		expect(failed.status).toBe(400);
		expect(kept.status).toBe(200);
		const mine = contacts.list().filter((r) => /^(Kept|Failed) /.test(String(r.fields.lastname)));
		expect(mine.map((r) => r.fields.lastname)).toEqual(
			Array.from({ length: 200 }, (_, i) => `Kept ${i}`),
		);
		expect(contacts.count()).toBe(before + 200);
		// The two change sets ran interleaved (the rolled-back rows left gaps in the kept rows' positions)...
		expect(mine[199].position - mine[0].position).toBeGreaterThan(199);
		// ...and the change log holds the kept creates alone.
		const events = s.sim.store.changesAfter(seq, ['contact']);
		expect(events.map((e) => e.id)).toEqual(mine.map((r) => r.id));
	});

	it('refuses a GET inside a change set and an unknown $n reference (400)', async () => {
		const getInCs = [
			'--batch_AAA123',
			'Content-Type: multipart/mixed; boundary=changeset_BBB',
			'',
			part('1', 'GET /api/data/v9.2/accounts HTTP/1.1', ''),
			'--changeset_BBB--',
			'--batch_AAA123--',
		].join('\r\n');
		const r1 = await post(getInCs);
		expect(r1.status).toBe(400);
		expect(JSON.parse(String(r1.data)).error.message).toMatch(/invalid HTTP method 'GET'/);
		const badRef = [
			'--batch_AAA123',
			'Content-Type: multipart/mixed; boundary=changeset_BBB',
			'',
			part(
				'1',
				'POST /api/data/v9.2/contacts HTTP/1.1',
				'{"lastname":"Ref","parentcustomerid_account@odata.bind":"$7"}',
			),
			'--changeset_BBB--',
			'--batch_AAA123--',
		].join('\r\n');
		const r2 = await post(badRef);
		expect(r2.status).toBe(400);
		expect(String(r2.data)).toContain(
			"Content-ID Reference: '$7' does not exist in the batch context.",
		);
		expect(String(r2.data)).toContain('Content-ID: 1\r\n\r\nHTTP/1.1 400 Bad Request');
	});

	it('needs the bearer token on the batch itself (401; the parts borrow it)', async () => {
		const res = await client(`${s.contract.apiUrl}/$batch`).post('', '--b\r\n--b--', {
			headers: { 'Content-Type': 'multipart/mixed; boundary=b' },
		});
		expect(res.status).toBe(401);
	});
});
