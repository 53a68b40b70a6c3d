/**
 * The Collections write path against a tiny fake with a record store: records checked against describe before
 * sending (a bad one fails alone, no bisection), lost create answers settled by a unique field, deletes resent
 * after a lost answer, and record ids checked before they go into a URL.
 */
import { fakeConnector, type FakeRequest } from './fake';

type Rec = { Id: string; External_Id__c?: string; CreatedDate: string };

/** A fake org holding Contacts by External_Id__c: creates, upserts and `IN` look-ups, with a hook to lose answers. */
function store(lose: (req: FakeRequest, n: number) => 'applyThenLose' | 'loseBefore' | undefined) {
	const byExt = new Map<string, Rec>();
	let seq = 0;
	let n = 0;
	const insert = (ext: string | undefined) => {
		const rec: Rec = {
			Id: `0035g0000000${String(++seq).padStart(4, '0')}AAA`,
			External_Id__c: ext,
			CreatedDate: '2026-01-01T00:00:05.000+0000',
		};
		if (ext) byExt.set(ext.toLowerCase(), rec);
		return rec;
	};
	const handler = (req: FakeRequest) => {
		n++;
		const mode = lose(req, n);
		if (mode === 'loseBefore')
			return {
				status: 500,
				body: [{ errorCode: 'UNKNOWN_EXCEPTION', message: 'An unexpected error occurred' }],
			};
		let body: unknown;
		if (req.path.endsWith('/query')) {
			const q = req.search.get('q') ?? '';
			const values = [...(/IN \((.*)\)$/.exec(q)?.[1] ?? '').matchAll(/'([^']*)'/g)].map((m) =>
				m[1].toLowerCase(),
			);
			const records = values.map((v) => byExt.get(v)).filter((r): r is Rec => r !== undefined);
			body = { totalSize: records.length, done: true, records };
		} else {
			const records = (req.json as { records: Array<{ External_Id__c?: string }> }).records;
			body = records.map((r) => {
				const existing = r.External_Id__c ? byExt.get(r.External_Id__c.toLowerCase()) : undefined;
				if (req.method === 'PATCH')
					return existing
						? { id: existing.Id, success: true, created: false, errors: [] }
						: { id: insert(r.External_Id__c).Id, success: true, created: true, errors: [] };
				if (existing)
					return {
						success: false,
						errors: [
							{
								statusCode: 'DUPLICATE_VALUE',
								message: `duplicate value found: External_Id__c duplicates value on record with id: ${existing.Id}`,
								fields: [],
							},
						],
					};
				return { id: insert(r.External_Id__c).Id, success: true, errors: [] };
			});
		}
		if (mode === 'applyThenLose')
			return {
				status: 500,
				body: [{ errorCode: 'UNKNOWN_EXCEPTION', message: 'An unexpected error occurred' }],
			};
		return { body };
	};
	return {
		byExt,
		handler,
		preexisting: (ext: string) =>
			byExt.set(ext.toLowerCase(), {
				Id: '0035g0000000OLD0AAA',
				External_Id__c: ext,
				CreatedDate: '2025-06-01T00:00:00.000+0000',
			}),
	};
}

const withExt = (n: number) =>
	Array.from({ length: n }, (_, i) => ({ LastName: `Last ${i}`, External_Id__c: `ext-${i}` }));

describe('Collections: records checked against describe before sending', () => {
	it('fails type errors, unknown fields, a __proto__ key and an Id on create alone, sending the rest in one call', async () => {
		const { connector, calls, describes } = fakeConnector((req) => ({
			body: (req.json as { records: unknown[] }).records.map((_, i) => ({
				id: `0035g00000${String(i).padStart(5, '0')}AAA`,
				success: true,
				errors: [],
			})),
		}));
		const input: Array<Record<string, unknown>> = Array.from({ length: 200 }, (_, i) => ({
			LastName: `L${i}`,
			NumberOfEmployees: i,
		}));
		for (const i of [3, 50, 77, 120, 199]) input[i].NumberOfEmployees = 'many';
		input[10].Birthdate = 'yesterday';
		input[11].Last_Name = 'typo';
		input[12] = JSON.parse('{"LastName":"P","__proto__":{"polluted":true}}') as Record<
			string,
			unknown
		>;
		input[13].Id = '0035g00000000AAAAA';
		const { results, stats } = await connector.write('create', 'Contact', input);
		expect(describes).toEqual(['Contact']);
		expect(calls).toHaveLength(1);
		expect(stats.splits).toBe(0);
		expect((calls[0].json as { records: unknown[] }).records).toHaveLength(191);
		const failed = results.filter((r) => !r.ok).map((r) => r.index);
		expect(failed).toEqual([3, 10, 11, 12, 13, 50, 77, 120, 199]);
		const error = (i: number) => (results[i].ok ? undefined : results[i].error);
		expect(error(3)).toMatchObject({
			code: 'INVALID_FIELD_VALUE',
			message: expect.stringMatching(
				/^Field NumberOfEmployees of Contact expects a whole number, got "many" — map a value of that type/,
			),
		});
		expect(error(10)?.message).toMatch(/Birthdate of Contact expects a date \(YYYY-MM-DD\)/);
		expect(error(11)).toMatchObject({
			code: 'INVALID_FIELD',
			message: expect.stringMatching(/^Field "Last_Name" does not exist on Contact/),
		});
		expect(error(12)?.message).toMatch(
			/^"__proto__" is not a field of Contact: it is a reserved JavaScript name/,
		);
		expect(error(13)?.message).toMatch(/^Id cannot be set when creating a Contact/);
	});

	it('refuses a record id that is not a Salesforce id before it goes into a URL path (Get)', async () => {
		const { connector, calls } = fakeConnector(() => ({ body: {} }));
		await expect(connector.getRecord('Contact', '..')).rejects.toThrow(
			/^Record ID "\.\." is not a Salesforce record ID \(15 or 18 letters and digits/,
		);
		await expect(connector.getRecord('Contact', '003/../../sobjects')).rejects.toThrow(
			/is not a Salesforce record ID/,
		);
		expect(calls).toHaveLength(0);
	});
});

describe('Collections: a create whose answer is lost is settled before answering', () => {
	it('applied, then answered 500: found by External_Id__c and reported written with their ids; nothing resent', async () => {
		const sf = store((req, n) => (n === 1 && req.method === 'POST' ? 'applyThenLose' : undefined));
		sf.preexisting('ext-7');
		const { connector, calls } = fakeConnector(sf.handler);
		const { results } = await connector.write('create', 'Contact', withExt(150));
		expect(calls.map((c) => `${c.method} ${c.path.split('/').pop()}`)).toEqual([
			'POST sobjects',
			'GET query',
			'GET query',
		]);
		expect(sf.byExt.size).toBe(150);
		const ok = results.filter((r) => r.ok);
		expect(ok).toHaveLength(149);
		expect(
			ok.every(
				(r) =>
					r.ok &&
					r.value.id === sf.byExt.get(`ext-${r.index}`)?.Id &&
					r.value.settledBy === 'External_Id__c',
			),
		).toBe(true);
		// The one that existed before this run is not reported as written by it.
		expect(results[7].ok === false && results[7].error).toMatchObject({
			code: 'DUPLICATE_VALUE',
			message: expect.stringMatching(/already existed before this run \(Id 0035g0000000OLD0AAA/),
		});
	});

	it('refused before applying (500): not found by the look-up, so sent again as an upsert by the external id', async () => {
		const sf = store((_req, n) => (n === 1 ? 'loseBefore' : undefined));
		const { connector, calls } = fakeConnector(sf.handler);
		const { results } = await connector.write('create', 'Contact', withExt(20));
		expect(calls.map((c) => `${c.method} ${c.path.split('/').slice(-2).join('/')}`)).toEqual([
			'POST composite/sobjects',
			'GET v62.0/query',
			'PATCH Contact/External_Id__c',
		]);
		expect(sf.byExt.size).toBe(20);
		expect(results.every((r) => r.ok)).toBe(true);
	});

	it('a named settle field that is not unique is refused before anything is sent', async () => {
		const { connector, calls } = fakeConnector(() => ({ body: [] }));
		await expect(connector.checkSettleField('Contact', 'LastName')).rejects.toThrow(
			/Unique Field for Settling Lost Answers "LastName" is not unique and not an external ID of Contact/,
		);
		expect(calls).toHaveLength(0);
	});
});

describe('Collections: delete after a lost answer', () => {
	it('a resend answering ENTITY_IS_DELETED for the records the first attempt deleted is success', async () => {
		const ids = ['0035g00000000AAAAA', '0035g00000000ABAAA'];
		const deleted = new Set<string>();
		let n = 0;
		const { connector, calls } = fakeConnector((req) => {
			n++;
			const body = (req.search.get('ids') ?? '').split(',').map((id) => {
				if (deleted.has(id))
					return {
						id,
						success: false,
						errors: [{ statusCode: 'ENTITY_IS_DELETED', message: 'entity is deleted', fields: [] }],
					};
				deleted.add(id);
				return { id, success: true, errors: [] };
			});
			return n === 1 ? { status: 502, body: 'Bad gateway' } : { body };
		});
		const { results } = await connector.write(
			'delete',
			'Contact',
			ids.map((Id) => ({ Id })),
		);
		expect(calls).toHaveLength(2);
		expect(results.map((r) => r.ok && r.value.id)).toEqual(ids);
	});
});

describe('Collections: values as JSON sends them', () => {
	it('accepts Date objects (sent as their ISO text) for date and datetime fields', async () => {
		const { connector, calls } = fakeConnector((req) => ({
			body: (req.json as { records: unknown[] }).records.map(() => ({
				id: '0035g00000000AAAAA',
				success: true,
				errors: [],
			})),
		}));
		const { results } = await connector.write('create', 'Contact', [
			{ LastName: 'D', Birthdate: new Date(Date.UTC(1990, 4, 17)) },
		]);
		expect(results[0].ok).toBe(true);
		expect((calls[0].json as { records: Array<{ Birthdate: string }> }).records[0].Birthdate).toBe(
			'1990-05-17T00:00:00.000Z',
		);
	});
});
