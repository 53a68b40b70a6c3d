import type { SaveResult } from 'jsforce';
import { performance } from 'node:perf_hooks';
import { ManualClock } from '../../../sandbox/kit';
import { client } from '../helpers';
import { sfError, startSf, type StartedSf } from './helpers';

const T0 = Date.UTC(2024, 4, 1, 9, 0, 0);

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- subrequest bodies are arbitrary JSON navigated in assertions
type Json = any;

describe('Salesforce simulator: describe, CRUD, upsert, collections, composite (jsforce)', () => {
	const clock = new ManualClock(T0);
	let s: StartedSf;
	let accountId: string;

	beforeAll(async () => {
		s = await startSf({ clock });
		accountId = (await s.conn().sobject('Account').create({ Name: 'Acme' })).id as string;
	});
	afterAll(() => s.sim.stop());
	afterEach(() => s.sim.faults.clearFaults());

	describe('describe', () => {
		it('describeGlobal lists the standard objects and the custom object', async () => {
			const g = await s.conn().describeGlobal();
			const names = g.sobjects.map((o) => o.name);
			expect(names).toEqual(
				expect.arrayContaining([
					'Account',
					'Contact',
					'Lead',
					'Opportunity',
					'Case',
					'Task',
					'User',
					'Invoice__c',
				]),
			);
			expect(g.sobjects.find((o) => o.name === 'Invoice__c')).toMatchObject({
				custom: true,
				keyPrefix: 'a01',
				createable: true,
				queryable: true,
				label: 'Invoice',
			});
			expect(g.sobjects.find((o) => o.name === 'Contact')).toMatchObject({
				custom: false,
				keyPrefix: '003',
			});
		});

		it('describe reports types, required fields, external ids, picklists and references consistently', async () => {
			const d = await s.conn().describe('Contact');
			const f = (name: string) => d.fields.find((x) => x.name === name)!;
			expect(f('Id')).toMatchObject({
				type: 'id',
				createable: false,
				updateable: false,
				nillable: false,
				idLookup: true,
			});
			expect(f('LastName')).toMatchObject({
				type: 'string',
				length: 80,
				nillable: false,
				createable: true,
				updateable: true,
				defaultedOnCreate: false,
			});
			expect(f('Name')).toMatchObject({ createable: false, updateable: false, calculated: true });
			expect(f('Email')).toMatchObject({ type: 'email', nillable: true });
			expect(f('AccountId')).toMatchObject({
				type: 'reference',
				referenceTo: ['Account'],
				relationshipName: 'Account',
				soapType: 'tns:ID',
			});
			expect(f('External_Id__c')).toMatchObject({
				externalId: true,
				unique: true,
				idLookup: true,
				custom: true,
			});
			expect((f('LeadSource').picklistValues ?? []).map((p) => p.value)).toContain('Web');
			expect(f('CreatedDate')).toMatchObject({ type: 'datetime', createable: false });
			const lead = await s.conn().describe('Lead');
			expect(lead.fields.find((x) => x.name === 'Status')).toMatchObject({
				restrictedPicklist: true,
				defaultedOnCreate: true,
				nillable: false,
			});
			const account = await s.conn().describe('Account');
			expect(account.childRelationships).toContainEqual(
				expect.objectContaining({
					childSObject: 'Contact',
					field: 'AccountId',
					relationshipName: 'Contacts',
				}),
			);
			const task = await s.conn().describe('Task');
			expect(task.fields.find((x) => x.name === 'WhatId')?.referenceTo).toEqual([
				'Account',
				'Opportunity',
				'Case',
				'Invoice__c',
			]);
			const err = await sfError(s.conn().describe('Nope__c'));
			expect(err.errorCode).toBe('NOT_FOUND');
		});
	});

	describe('single-record CRUD', () => {
		it('creates, retrieves, updates and deletes; system fields are maintained', async () => {
			const conn = s.conn();
			const created = await conn.sobject('Contact').create({
				FirstName: 'Ada',
				LastName: 'Lovelace',
				Email: 'ada@example.com',
				AccountId: accountId,
				Birthdate: '1815-12-10',
			});
			expect(created).toEqual({
				id: expect.stringMatching(/^003[0-9A-Za-z]{15}$/),
				success: true,
				errors: [],
			});
			const id = created.id as string;
			const got = await conn.sobject('Contact').retrieve(id);
			expect(got).toMatchObject({
				attributes: { type: 'Contact', url: `/services/data/v62.0/sobjects/Contact/${id}` },
				Id: id,
				Name: 'Ada Lovelace',
				AccountId: accountId,
				Birthdate: '1815-12-10',
				IsDeleted: false,
				HasOptedOutOfEmail: false,
				OwnerId: s.sim.org.userId,
				CreatedDate: '2024-05-01T09:00:00.000+0000',
				SystemModstamp: '2024-05-01T09:00:00.000+0000',
			});
			const partial = await conn.sobject('Contact').retrieve(id, { fields: ['Email', 'Name'] });
			expect(Object.keys(partial).sort()).toEqual(['Email', 'Name', 'attributes']);

			clock.advance(60_000);
			expect(
				await conn.sobject('Contact').update({ Id: id, Title: 'Countess', Email: null }),
			).toEqual({ id, success: true, errors: [] });
			const updated = await conn.sobject('Contact').retrieve(id);
			expect(updated).toMatchObject({
				Title: 'Countess',
				Email: null,
				LastModifiedDate: '2024-05-01T09:01:00.000+0000',
				CreatedDate: '2024-05-01T09:00:00.000+0000',
			});

			expect(await conn.sobject('Contact').destroy(id)).toEqual({ id, success: true, errors: [] });
			expect(await sfError(conn.sobject('Contact').retrieve(id))).toMatchObject({
				errorCode: 'ENTITY_IS_DELETED',
				message: 'entity is deleted',
			});
			expect(await sfError(conn.sobject('Contact').update({ Id: id, Title: 'x' }))).toMatchObject({
				errorCode: 'ENTITY_IS_DELETED',
			});
			expect(await sfError(conn.sobject('Contact').retrieve('003000000000000AAA'))).toMatchObject({
				errorCode: 'NOT_FOUND',
				message: 'The requested resource does not exist',
			});
		});

		it('rejects invalid fields with Salesforce error codes and messages', async () => {
			const conn = s.conn();
			const http = client(s.contract.instanceUrl, {
				Authorization: `Bearer ${s.sim.contract().accessToken}`,
			});
			const post = (type: string, body: unknown) =>
				http.post(`/services/data/v62.0/sobjects/${type}`, body);
			expect((await post('Contact', { FirstName: 'No last name' })).data).toEqual([
				{
					message: 'Required fields are missing: [LastName]',
					errorCode: 'REQUIRED_FIELD_MISSING',
					fields: ['LastName'],
				},
			]);
			expect((await post('Contact', { LastName: 'x', Foo__c: 1 })).data).toEqual([
				{
					message: "No such column 'Foo__c' on sobject of type Contact",
					errorCode: 'INVALID_FIELD',
					fields: ['Foo__c'],
				},
			]);
			expect((await post('Contact', { LastName: 'x'.repeat(81) })).data[0]).toMatchObject({
				errorCode: 'STRING_TOO_LONG',
				message: `Last Name: data value too large: ${'x'.repeat(81)} (max length=80)`,
				fields: ['LastName'],
			});
			expect((await post('Contact', { LastName: 'x', Email: 'not-an-email' })).data).toEqual([
				{
					message: 'Email: invalid email address: not-an-email',
					errorCode: 'INVALID_EMAIL_ADDRESS',
					fields: ['Email'],
				},
			]);
			const wrongLookup = await post('Contact', { LastName: 'x', AccountId: '0035g0000000001AAA' });
			expect(wrongLookup.status).toBe(400);
			expect(wrongLookup.data).toEqual([
				{
					message: 'Account ID: id value of incorrect type: 0035g0000000001AAA',
					errorCode: 'FIELD_INTEGRITY_EXCEPTION',
					fields: ['AccountId'],
				},
			]);
			expect((await post('Contact', { LastName: 'x', Name: 'computed' })).data[0]).toMatchObject({
				errorCode: 'INVALID_FIELD_FOR_INSERT_UPDATE',
				fields: ['Name'],
			});
			const badType = await post('Account', { Name: 'x', NumberOfEmployees: 'many' });
			expect(badType.status).toBe(400);
			expect(badType.data[0]).toMatchObject({
				errorCode: 'JSON_PARSER_ERROR',
				message: expect.stringContaining(
					'Cannot deserialize instance of int from VALUE_STRING value many',
				),
			});
			expect(
				(await post('Lead', { LastName: 'x', Company: 'y', Status: 'Bogus' })).data[0],
			).toMatchObject({
				errorCode: 'INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST',
				message: 'Lead Status: bad value for restricted picklist field: Bogus',
			});
			const malformed = await http.post('/services/data/v62.0/sobjects/Contact', '{"LastName":', {
				headers: { 'Content-Type': 'application/json' },
			});
			expect(malformed.status).toBe(400);
			expect(malformed.data[0].errorCode).toBe('JSON_PARSER_ERROR');
			// jsforce surfaces the error code
			expect(await sfError(conn.sobject('Contact').create({ FirstName: 'x' }))).toMatchObject({
				errorCode: 'REQUIRED_FIELD_MISSING',
			});
			// defaults: Lead.Status and Case.Status/CaseNumber
			const lead = await conn.sobject('Lead').create({ LastName: 'L', Company: 'C' });
			expect((await conn.sobject('Lead').retrieve(lead.id as string)).Status).toBe(
				'Open - Not Contacted',
			);
			const kase = await conn.sobject('Case').create({ Subject: 'Broken' });
			expect(await conn.sobject('Case').retrieve(kase.id as string)).toMatchObject({
				Status: 'New',
				CaseNumber: expect.stringMatching(/^\d{8}$/),
			});
		});
	});

	describe('upsert by external id', () => {
		it('creates (201) then updates (200); several matches answer 300; updateOnly forbids insert', async () => {
			const conn = s.conn();
			const http = client(s.contract.instanceUrl, {
				Authorization: `Bearer ${s.sim.contract().accessToken}`,
			});
			const first = await http.patch('/services/data/v62.0/sobjects/Contact/External_Id__c/EXT-1', {
				LastName: 'Upserted',
				Email: 'u@example.com',
			});
			expect(first.status).toBe(201);
			expect(first.data).toEqual({
				id: expect.stringMatching(/^003/),
				success: true,
				errors: [],
				created: true,
			});
			const second = await http.patch(
				'/services/data/v62.0/sobjects/Contact/External_Id__c/ext-1',
				{ Title: 'Again' },
			);
			expect(second.status).toBe(200);
			expect(second.data).toEqual({ id: first.data.id, success: true, errors: [], created: false });
			// jsforce single upsert
			const viaJsforce = await conn
				.sobject('Contact')
				.upsert({ External_Id__c: 'EXT-1', Department: 'R&D' }, 'External_Id__c');
			expect(viaJsforce).toMatchObject({ id: first.data.id, success: true, created: false });
			expect(await conn.sobject('Contact').retrieve(first.data.id)).toMatchObject({
				LastName: 'Upserted',
				Title: 'Again',
				Department: 'R&D',
				External_Id__c: 'EXT-1',
			});

			const onlyUpdate = await http.patch(
				'/services/data/v62.0/sobjects/Contact/External_Id__c/EXT-404?updateOnly=true',
				{ LastName: 'x' },
			);
			expect(onlyUpdate.status).toBe(404);
			expect(onlyUpdate.data[0].errorCode).toBe('NOT_FOUND');

			// Account.Legacy_Id__c is an external id without a unique constraint: two matches answer 300
			await conn.sobject('Account').create([
				{ Name: 'Twin A', Legacy_Id__c: 'L-1' },
				{ Name: 'Twin B', Legacy_Id__c: 'l-1' },
			]);
			const multi = await http.patch('/services/data/v62.0/sobjects/Account/Legacy_Id__c/L-1', {
				Description: 'which one?',
			});
			expect(multi.status).toBe(300);
			expect(multi.data).toHaveLength(2);
			expect(multi.data[0]).toMatch(/^\/services\/data\/v62\.0\/sobjects\/Account\/001/);
			const collection = await conn
				.sobject('Account')
				.upsert([{ Legacy_Id__c: 'L-1', Description: 'x' }], 'Legacy_Id__c');
			expect(collection[0]).toMatchObject({
				success: false,
				errors: [{ statusCode: 'DUPLICATE_EXTERNAL_ID' }],
			});
			const notExt = await http.patch('/services/data/v62.0/sobjects/Contact/Email/x@example.com', {
				LastName: 'x',
			});
			expect(notExt.status).toBe(400);
			expect(notExt.data[0].errorCode).toBe('INVALID_FIELD');
			// the unique external id cannot be duplicated by a plain create
			const dup = await sfError(
				conn.sobject('Contact').create({ LastName: 'Dup', External_Id__c: 'ext-1' }),
			);
			expect(dup).toMatchObject({
				errorCode: 'DUPLICATE_VALUE',
				message: `duplicate value found: External_Id__c duplicates value on record with id: ${first.data.id}`,
			});
			// lookups by a parent's external id inside the body
			const inv = await http.patch(
				'/services/data/v62.0/sobjects/Invoice__c/Invoice_Number__c/INV-9',
				{ Name: 'Nine', Amount__c: 12.5 },
			);
			expect(inv.status).toBe(201);
			const task = await http.post('/services/data/v62.0/sobjects/Task', {
				Subject: 'Chase',
				WhoId: first.data.id,
				WhatId: inv.data.id,
			});
			expect(task.status).toBe(201);
			const viaRel = await http.post('/services/data/v62.0/sobjects/Case', {
				Subject: 'Rel',
				Contact: { External_Id__c: 'EXT-1' },
			});
			expect(viaRel.status).toBe(201);
			expect((await conn.sobject('Case').retrieve(viaRel.data.id as string)).ContactId).toBe(
				first.data.id,
			);
		});
	});

	describe('sObject Collections', () => {
		it('creates 1,000 contacts in 5 calls of 200, with per-record errors for the invalid ones', async () => {
			const conn = s.conn();
			const records = Array.from({ length: 1000 }, (_, i) => ({
				attributes: { type: 'Contact' },
				FirstName: 'Bulk',
				LastName: i % 333 === 7 ? '' : `Contact ${i}`,
				Email: i === 500 ? 'broken@' : `c${i}@example.com`,
				External_Id__c: `COLL-${i}`,
			}));
			s.sim.log.reset();
			const t = performance.now();
			const results: SaveResult[] = [];
			for (let i = 0; i < records.length; i += 200) {
				results.push(
					...((await conn
						.sobject('Contact')
						.create(records.slice(i, i + 200), { allOrNone: false })) as unknown as SaveResult[]),
				);
			}
			const ms = performance.now() - t;
			expect(s.sim.log.count({ kind: 'collections.create' })).toBe(5);
			const failures = results.map((r, i) => ({ r, i })).filter(({ r }) => !r.success);
			expect(failures.map((f) => f.i)).toEqual([7, 340, 500, 673]);
			expect(failures[0].r).toMatchObject({
				success: false,
				errors: [
					{
						statusCode: 'REQUIRED_FIELD_MISSING',
						message: 'Required fields are missing: [LastName]',
						fields: ['LastName'],
					},
				],
			});
			expect(failures[2].r.errors[0]).toMatchObject({
				statusCode: 'INVALID_EMAIL_ADDRESS',
				message: 'Email: invalid email address: broken@',
			});
			expect(results.filter((r) => r.success)).toHaveLength(996);
			expect(
				(await conn.query("SELECT COUNT() FROM Contact WHERE FirstName = 'Bulk'")).totalSize,
			).toBe(996);
			process.stdout.write(
				`[salesforce sandbox] 1,000 contacts via collections: 5 calls, ${ms.toFixed(0)} ms\n`,
			);
		});

		it('rejects more than 200 records and rolls back everything with allOrNone', async () => {
			const conn = s.conn();
			const http = client(s.contract.instanceUrl, {
				Authorization: `Bearer ${s.sim.contract().accessToken}`,
			});
			const tooMany = await http.post('/services/data/v62.0/composite/sobjects', {
				records: Array.from({ length: 201 }, () => ({
					attributes: { type: 'Account' },
					Name: 'x',
				})),
			});
			expect(tooMany.status).toBe(400);
			expect(tooMany.data[0]).toMatchObject({ errorCode: 'EXCEEDED_ID_LIMIT' });
			const before = s.sim.table('Account').collection.count();
			const res = await conn
				.sobject('Account')
				.create([{ Name: 'Ok 1' }, { Description: 'no name' }, { Name: 'Ok 2' }], {
					allOrNone: true,
				});
			expect(res.map((r) => r.success)).toEqual([false, false, false]);
			expect(s.sim.table('Account').collection.count()).toBe(before);
			const raw = await http.post('/services/data/v62.0/composite/sobjects', {
				allOrNone: true,
				records: [
					{ attributes: { type: 'Account' }, Name: 'Ok 1' },
					{ attributes: { type: 'Account' } },
				],
			});
			expect(raw.status).toBe(200);
			expect(raw.data).toEqual([
				{
					success: false,
					errors: [
						{
							statusCode: 'ALL_OR_NONE_OPERATION_ROLLED_BACK',
							message:
								'Record rolled back because not all records were valid and the request was using AllOrNone header',
							fields: [],
						},
					],
				},
				{
					success: false,
					errors: [
						{
							statusCode: 'REQUIRED_FIELD_MISSING',
							message: 'Required fields are missing: [Name]',
							fields: ['Name'],
						},
					],
				},
			]);
			expect(s.sim.table('Account').collection.count()).toBe(before);
		});

		it('updates, upserts and deletes collections, with per-record results and injected failures', async () => {
			const conn = s.conn();
			const created = await conn.sobject('Invoice__c').create(
				Array.from({ length: 5 }, (_, i) => ({
					Name: `Inv ${i}`,
					Invoice_Number__c: `N-${i}`,
					Amount__c: i * 10,
				})),
			);
			const ids = created.map((r) => r.id as string);
			const updated = await conn.sobject('Invoice__c').update([
				{ Id: ids[0], Status__c: 'Paid' },
				{ Id: ids[1], Status__c: 'Unknown' },
				{ Id: '0015g00000ZZZZZAAA', Status__c: 'Sent' },
			]);
			expect(updated[0]).toEqual({ id: ids[0], success: true, errors: [] });
			expect(updated[1]).toMatchObject({
				id: ids[1],
				success: false,
				errors: [{ statusCode: 'INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST', fields: ['Status__c'] }],
			});
			expect(updated[2]).toMatchObject({ success: false });

			const upserted = await conn
				.sobject('Invoice__c')
				.upsert(
					[
						{ Invoice_Number__c: 'N-0', Amount__c: 99 },
						{ Invoice_Number__c: 'N-100', Name: 'New one' },
						{ Invoice_Number__c: 'N-101' },
					],
					'Invoice_Number__c',
				);
			expect(upserted[0]).toMatchObject({ id: ids[0], success: true, created: false });
			expect(upserted[1]).toMatchObject({ success: true, created: true });
			expect(upserted[2]).toMatchObject({
				success: false,
				errors: [{ statusCode: 'REQUIRED_FIELD_MISSING', fields: ['Name'] }],
			});
			s.sim.log.reset();
			expect(s.sim.log.count()).toBe(0);
			const again = await conn
				.sobject('Invoice__c')
				.upsert([{ Invoice_Number__c: 'N-100', Name: 'New one' }], 'Invoice_Number__c');
			expect(again[0]).toMatchObject({ id: upserted[1].id, created: false });
			expect(s.sim.log.count({ kind: 'collections.upsert' })).toBe(1);

			// an injected failure hits one record only
			s.sim.faults.add({
				type: 'batchFailure',
				indexes: [1],
				code: 'UNABLE_TO_LOCK_ROW',
				message: 'unable to obtain exclusive access to this record',
			});
			const locked = await conn.sobject('Invoice__c').update([
				{ Id: ids[2], Paid__c: true },
				{ Id: ids[3], Paid__c: true },
			]);
			expect(locked[0].success).toBe(true);
			expect(locked[1]).toMatchObject({
				success: false,
				errors: [{ statusCode: 'UNABLE_TO_LOCK_ROW' }],
			});

			const destroyed = await conn.sobject('Invoice__c').destroy([ids[3], ids[4], ids[4]]);
			expect(destroyed[0]).toEqual({ id: ids[3], success: true, errors: [] });
			expect(destroyed[2]).toMatchObject({
				success: false,
				errors: [{ statusCode: 'ENTITY_IS_DELETED' }],
			});
			const retrieved = await conn
				.sobject('Invoice__c')
				.retrieve([ids[0], ids[3]], { fields: ['Name', 'Amount__c'] });
			expect(retrieved[0]).toMatchObject({ Name: 'Inv 0', Amount__c: 99 });
			expect(retrieved[1]).toBeNull();
		});
	});

	describe('Composite', () => {
		it('runs up to 25 subrequests with references, and rolls back with allOrNone', async () => {
			type Sub = {
				body: Json;
				httpStatusCode: number;
				referenceId: string;
				httpHeaders: Record<string, string>;
			};
			const conn = s.conn();
			const res = await conn.requestPost<{ compositeResponse: Sub[] }>(
				'/services/data/v62.0/composite',
				{
					allOrNone: false,
					compositeRequest: [
						{
							method: 'POST',
							url: '/services/data/v62.0/sobjects/Account',
							referenceId: 'acct',
							body: { Name: 'Composite Co' },
						},
						{
							method: 'POST',
							url: '/services/data/v62.0/sobjects/Contact',
							referenceId: 'ct',
							body: { LastName: 'Ref', AccountId: '@{acct.id}' },
						},
						{
							method: 'GET',
							url: '/services/data/v62.0/sobjects/Contact/@{ct.id}?fields=AccountId,Name',
							referenceId: 'read',
						},
						{
							method: 'GET',
							url: "/services/data/v62.0/query?q=SELECT+Id,Account.Name+FROM+Contact+WHERE+Id='@{ct.id}'",
							referenceId: 'q',
						},
						{
							method: 'PATCH',
							url: '/services/data/v62.0/sobjects/Contact/@{ct.id}',
							referenceId: 'upd',
							body: { Title: 'Boss' },
						},
					],
				},
			);
			const byRef = Object.fromEntries(res.compositeResponse.map((r) => [r.referenceId, r]));
			expect(byRef.acct.httpStatusCode).toBe(201);
			expect(byRef.acct.httpHeaders.Location).toMatch(/\/sobjects\/Account\/001/);
			expect(byRef.read.body).toMatchObject({ AccountId: byRef.acct.body.id, Name: 'Ref' });
			expect(byRef.q.body.records[0].Account.Name).toBe('Composite Co');
			expect(byRef.upd.httpStatusCode).toBe(204);

			const before = s.sim.table('Account').collection.count();
			const failing = await conn.requestPost<{ compositeResponse: Sub[] }>(
				'/services/data/v62.0/composite',
				{
					allOrNone: true,
					compositeRequest: [
						{
							method: 'POST',
							url: '/services/data/v62.0/sobjects/Account',
							referenceId: 'a1',
							body: { Name: 'Rolled back' },
						},
						{
							method: 'POST',
							url: '/services/data/v62.0/sobjects/Contact',
							referenceId: 'c1',
							body: { AccountId: '@{a1.id}' },
						},
						{
							method: 'POST',
							url: '/services/data/v62.0/sobjects/Account',
							referenceId: 'a2',
							body: { Name: 'Never' },
						},
					],
				},
			);
			expect(failing.compositeResponse.map((r) => r.httpStatusCode)).toEqual([400, 400, 400]);
			expect(failing.compositeResponse[0].body[0].errorCode).toBe('PROCESSING_HALTED');
			expect(failing.compositeResponse[1].body[0].errorCode).toBe('REQUIRED_FIELD_MISSING');
			expect(s.sim.table('Account').collection.count()).toBe(before);

			const http = client(s.contract.instanceUrl, {
				Authorization: `Bearer ${s.sim.contract().accessToken}`,
			});
			const batch = await http.post('/services/data/v62.0/composite/batch', {
				haltOnError: true,
				batchRequests: [
					{ method: 'GET', url: `v62.0/sobjects/Account/${byRef.acct.body.id}?fields=Name` },
					{
						method: 'PATCH',
						url: `v62.0/sobjects/Account/${byRef.acct.body.id}`,
						richInput: { NumberOfEmployees: 'x' },
					},
					{ method: 'GET', url: 'v62.0/limits' },
				],
			});
			expect(batch.data.hasErrors).toBe(true);
			expect(batch.data.results.map((r: { statusCode: number }) => r.statusCode)).toEqual([
				200, 400, 412,
			]);
			expect(batch.data.results[0].result.Name).toBe('Composite Co');
			expect(batch.data.results[2].result[0].errorCode).toBe('BATCH_PROCESSING_HALTED');
			const tooMany = await http.post('/services/data/v62.0/composite', {
				compositeRequest: Array.from({ length: 26 }, (_, i) => ({
					method: 'GET',
					url: '/services/data/v62.0/limits',
					referenceId: `r${i}`,
				})),
			});
			expect(tooMany.status).toBe(400);
			expect(tooMany.data[0].message).toMatch(/25/);
		});
	});
});
