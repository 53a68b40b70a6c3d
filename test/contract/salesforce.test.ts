/**
 * The connector contract's conformance suite against Salesforce (`SalesforceCrm` over the Salesforce simulator,
 * on a ManualClock so that safety lags and second boundaries pass on demand). Change pages are 100 records, so
 * the suite's 450 changes in one second span five pages; Bulk API result rows come shuffled (Salesforce does not
 * promise their order), Collections results in request order (which it does).
 */
import type { ChangePage, Watermark } from '../../core/connectors/contract';
import { SalesforceConnector } from '../../core/connectors/salesforce/connector';
import { SalesforceCrm, type SalesforceCrmOptions } from '../../core/connectors/salesforce/crm';
import { LOOKUP_URL_BUDGET } from '../../core/connectors/salesforce/lookup';
import { salesforceDialect } from '../../core/connectors/salesforce/dialect';
import { HttpClient } from '../../core/http/client';
import { BearerAuth } from '../../core/http/auth';
import { ManualClock } from '../../sandbox/kit/clock';
import { SalesforceSimulator, type SalesforceSimContract } from '../../sandbox/salesforce';
import { type ContractHarness, createInputs } from './harness';
import { runConformanceSuite } from './suite';

jest.setTimeout(60_000);

const OBJECT = 'Contact';
const clock = new ManualClock(Date.UTC(2024, 5, 3, 9, 0, 0));
const sim = new SalesforceSimulator({
	clock,
	seed: 8,
	bulk: { processingDelayMs: 5, chunkSize: 10_000, resultOrder: 'shuffled' },
});
let contract: SalesforceSimContract | undefined;
let seeded = 0;
let stopped: Promise<void> | undefined;

const table = () => sim.table(OBJECT);

function crm(options: SalesforceCrmOptions = {}): SalesforceCrm {
	if (!contract) throw new Error('the simulator has not started');
	const http = new HttpClient({
		auth: new BearerAuth({ token: contract.accessToken }),
		dialect: salesforceDialect,
		rateLimit: false,
		retry: { sleep: async () => undefined },
	});
	return new SalesforceCrm(new SalesforceConnector({ instanceUrl: contract.instanceUrl, http }), {
		changesPageSize: 100,
		...options,
	});
}

const harness: ContractHarness = {
	objectType: OBJECT,
	textField: 'LastName',
	keyField: 'External_Id__c',
	sharedField: 'Department',
	connector: () => crm(),
	makeFields: (i) => ({ LastName: `Contract ${i}`, External_Id__c: `ct-${i}` }),
	// Salesforce itself refuses it (REQUIRED_FIELD_MISSING): the record passes the connector's own checks.
	invalidFields: () => ({ FirstName: 'No last name' }),
	async reset() {
		contract ??= await sim.start();
		sim.reset();
		seeded = 0;
	},
	storedCount: () => table().collection.count(),
	seed(n, fields) {
		return Array.from(
			{ length: n },
			(_, i) => table().insert(fields ? fields(i) : harness.makeFields(10_000 + seeded++)).id,
		);
	},
	editDirect(id, fields) {
		table().patch(id, fields);
	},
	deleteDirect(id) {
		table().remove(id);
	},
	advance(ms) {
		clock.advance(ms);
	},
	// "The SaveResult objects are returned in the order in which the create requests were specified" (sObject
	// Collections, REST API Developer Guide): Salesforce promises the order, so the simulator keeps it.
	answerNextBatchOutOfOrder: () => false,
	// Once, whoever asks first (the suite, or the file's own afterAll when a filter skips the suite's hooks).
	stop: () => (stopped ??= contract ? sim.stop() : Promise.resolve()),
	users: {
		pageSize: 2000, // SOQL's default batch
		seed: (users) =>
			users.map((u) =>
				sim.addUser({
					email: u.email,
					firstName: u.firstName,
					lastName: u.lastName,
					active: u.active,
				}),
			),
		storedIds: () =>
			sim
				.table('User')
				.collection.list()
				.map((r) => r.id),
		listRequests: () => sim.log.count({ kind: 'query' }) + sim.log.count({ kind: 'queryMore' }),
	},
};

afterAll(() => harness.stop());

describe('Salesforce behind the contract: what is particular to it', () => {
	beforeEach(() => harness.reset());

	const pages = async (
		c: SalesforceCrm,
		watermark: Watermark | null,
		until?: number,
	): Promise<ChangePage[]> => {
		const out: ChangePage[] = [];
		for await (const page of c.changesSince(OBJECT, watermark, { fields: ['LastName'], until }))
			out.push(page);
		return out;
	};
	const count = (kind: string) => sim.log.count({ kind });
	const queryUrls = () =>
		sim.log
			.entries({ kind: 'query' })
			.map((e) => `${contract?.instanceUrl}${e.path}?q=${encodeURIComponent(String(e.query.q))}`);

	it('capabilities: Collections of 200, the external-ID key, deletes in the feed only where there is a recycle bin', async () => {
		const c = crm({ bulkThreshold: 5000 });
		expect(await c.capabilities('Contact')).toEqual({
			batchSize: 200,
			bulkThreshold: 5000,
			upsertKeys: ['External_Id__c'],
			caseInsensitiveKeys: ['External_Id__c'],
			deletesInChangeFeed: true,
			timestampPrecisionMs: 1000,
			maxKeysPerLookup: 200,
		});
		expect(await c.capabilities('User')).toMatchObject({
			upsertKeys: ['Username'],
			deletesInChangeFeed: false,
		});
	});

	it("changesSince ends at Salesforce's own clock minus the safety lag, read once per call, and at `until` when earlier", async () => {
		const ids = await harness.seed(250);
		const seededAt = clock.now();
		clock.advance(30_000); // within the 60 s safety lag
		expect(await pages(crm(), null)).toEqual([]);
		clock.advance(31_000);
		const clockCalls = count('versions');
		const queries = count('queryAll');
		const read = await pages(crm(), null);
		expect(read.map((p) => p.records.length)).toEqual([100, 100, 50]);
		expect(read.flatMap((p) => p.records.map((r) => r.id))).toEqual([...ids].sort());
		expect(count('versions') - clockCalls).toBe(1);
		expect(count('queryAll') - queries).toBe(3); // one per page: queryAll, so deletions come too
		const last = read[2].watermark;
		expect(Date.parse(String(last.ts).replace('+0000', 'Z'))).toBe(
			Math.floor(seededAt / 1000) * 1000,
		);

		const [later] = await harness.seed(1);
		clock.advance(600_000);
		expect(await pages(crm(), last, seededAt + 1000)).toEqual([]);
		expect((await pages(crm(), last)).flatMap((p) => p.records.map((r) => r.id))).toEqual([later]);
	});

	it('a deletion comes as a deleted record with its last fields, at the time of the deletion', async () => {
		const [a, b] = await harness.seed(2);
		clock.advance(600_000);
		const [first] = await pages(crm(), null);
		clock.advance(5_000);
		const deletedAt = clock.now();
		await harness.deleteDirect(a);
		clock.advance(600_000);
		const [next] = await pages(crm(), first.watermark);
		expect(next.records).toHaveLength(1);
		expect(next.records[0]).toMatchObject({
			id: a,
			deleted: true,
			type: 'Contact',
			source: 'salesforce',
			fields: { Id: a, LastName: 'Contract 10000' },
			updatedAt: new Date(Math.floor(deletedAt / 1000) * 1000).toISOString(),
		});
		expect(next.records[0].fields).not.toHaveProperty('IsDeleted');
		expect((await crm().getByIds(OBJECT, [a, b])).map((r) => r?.id)).toEqual([undefined, b]);
	});

	it('getByIds of 450 ids: three queries of at most 200, each URL within the budget, results aligned', async () => {
		const ids = await harness.seed(450);
		const asked = [...ids].reverse().map((id, i) => (i % 2 ? id.slice(0, 15) : id));
		const got = await crm().getByIds(OBJECT, asked, ['External_Id__c']);
		expect(got.map((r) => r?.id?.slice(0, 15))).toEqual(asked.map((id) => id.slice(0, 15)));
		expect(got.map((r) => r?.fields.External_Id__c)).toEqual(
			asked.map(
				(id) =>
					table().get(ids.find((x) => x.startsWith(id.slice(0, 15))) ?? '')?.fields.External_Id__c,
			),
		);
		expect(queryUrls()).toHaveLength(3);
		for (const url of queryUrls()) expect(url.length).toBeLessThanOrEqual(LOOKUP_URL_BUDGET);
	});

	it('findByKeys with long key values: split into queries within the URL budget, every value found', async () => {
		const key = (i: number) => `${'k'.repeat(240)}-${String(i).padStart(4, '0')}`;
		const ids = await harness.seed(60, (i) => ({ LastName: `Long ${i}`, External_Id__c: key(i) }));
		const found = await crm().findByKeys(
			OBJECT,
			'External_Id__c',
			ids.map((_, i) => key(i).toUpperCase()),
			['LastName'],
		);
		expect(found.map((m) => m.map((r) => r.id))).toEqual(ids.map((id) => [id]));
		expect(queryUrls().length).toBeGreaterThan(1);
		for (const url of queryUrls()) expect(url.length).toBeLessThanOrEqual(LOOKUP_URL_BUDGET);
	});

	it('from bulkThreshold records on, write runs one Bulk API 2.0 job (its result rows come shuffled; the results keep input order); below it, Collections', async () => {
		const c = crm({ bulkThreshold: 5 });
		const few = await c.write('create', OBJECT, createInputs(harness, 0, 4));
		expect(count('collections.create')).toBe(1);
		const many = await c.write('create', OBJECT, [
			...createInputs(harness, 10, 3),
			{ fields: harness.invalidFields() },
			...createInputs(harness, 13, 2),
		]);
		expect(count('bulk.ingest.create')).toBe(1);
		expect(count('collections.create')).toBe(1);
		expect(few.every((r) => r.ok)).toBe(true);
		expect(many.map((r) => r.index)).toEqual([0, 1, 2, 3, 4, 5]);
		expect(many.map((r) => r.ok)).toEqual([true, true, true, false, true, true]);
		const stored = await c.getByIds(
			OBJECT,
			many.filter((r) => r.ok).map((r) => (r.ok ? r.value.id : '')),
			['LastName'],
		);
		expect(stored.map((r) => r?.fields.LastName)).toEqual([
			'Contract 10',
			'Contract 11',
			'Contract 12',
			'Contract 13',
			'Contract 14',
		]);
		expect(harness.storedCount()).toBe(9);
	});

	it('a lost create answer is settled by the unique key (no duplicate); without one each record is OUTCOME_UNKNOWN', async () => {
		sim.faults.add({
			type: 'drop',
			when: 'afterHandler',
			count: 1,
			match: { kinds: ['collections.create'] },
		});
		const settled = await crm().write('create', OBJECT, createInputs(harness, 0, 3));
		expect(settled.map((r) => r.ok)).toEqual([true, true, true]);
		expect(sim.log.entries({ kind: 'collections.create' }).map((e) => Boolean(e.dropped))).toEqual([
			true,
		]); // applied, answer lost, never resent
		expect(count('query')).toBe(1); // looked up by External_Id__c instead
		expect(harness.storedCount()).toBe(3);
		sim.faults.add({
			type: 'drop',
			when: 'afterHandler',
			count: 1,
			match: { kinds: ['collections.create'] },
		});
		const unknown = await crm().write('create', OBJECT, [
			{ fields: { LastName: 'No key 1' } },
			{ fields: { LastName: 'No key 2' } },
		]);
		expect(unknown.map((r) => !r.ok && r.error.code)).toEqual([
			'OUTCOME_UNKNOWN',
			'OUTCOME_UNKNOWN',
		]);
		expect(sim.log.entries({ kind: 'collections.create' }).map((e) => Boolean(e.dropped))).toEqual([
			true,
			true,
		]);
		expect(harness.storedCount()).toBe(5); // written once each, reported as unknown, never resent
	});

	it('update and delete without an id, and create with one, fail alone before any call', async () => {
		const [id] = await harness.seed(1);
		const calls = sim.log.count();
		const c = crm();
		const updated = await c.write('update', OBJECT, [
			{ fields: { LastName: 'x' } },
			{ id, fields: { LastName: 'Renamed' } },
			{ id: 'not-an-id', fields: {} },
		]);
		expect(updated.map((r) => (r.ok ? r.value.id : r.error.code))).toEqual([
			'MALFORMED_ID',
			id,
			'MALFORMED_ID',
		]);
		const created = await c.write('create', OBJECT, [{ id, fields: { LastName: 'x' } }]);
		expect(created[0]).toMatchObject({
			ok: false,
			error: { code: 'INVALID_FIELD_FOR_INSERT_UPDATE' },
		});
		expect(sim.log.count({ kind: 'collections.update' })).toBe(1);
		expect(sim.log.count() - calls).toBe(2); // describe + one update call
		expect(table().get(id)?.fields.LastName).toBe('Renamed');
	});
});

runConformanceSuite('Salesforce', harness);
