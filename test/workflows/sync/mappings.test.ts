/**
 * The CRM Sync node's field mappings through n8n's engine: transforms and value maps per direction, a one-way field,
 * and owners mapped by their users' e-mail (Salesforce OwnerId ↔ HubSpot hubspot_owner_id) — values land on the
 * other side as transformed, and a second run writes nothing (the base holds what was written).
 */
import { reportOf, runSync, SyncWorld } from './world';

const world = new SyncWorld();
let hsOwners = 0;

beforeAll(async () => {
	await world.start();
	hsOwners = world.hs.owners.length;
});
afterAll(async () => {
	await world.stop();
});

function addHubSpotOwner(email: string): string {
	const id = String(80_000_000 + world.hs.owners.length);
	world.hs.owners.push({
		id,
		email,
		firstName: 'Owner',
		lastName: email,
		userId: 9_000 + world.hs.owners.length,
		archived: false,
	});
	return id;
}

describe('CRM Sync field mappings', () => {
	it('transforms, value maps per direction, a one-way field and owners by e-mail', async () => {
		world.reset();
		world.hs.owners.length = hsOwners;
		const sfAnn = world.sf.addUser({ email: 'Ann@Corp.example', lastName: 'Ann', active: true });
		const sfBob = world.sf.addUser({ email: 'bob@corp.example', lastName: 'Bob', active: true });
		const hsAnn = addHubSpotOwner('ann@corp.example');
		const hsBob = addHubSpotOwner('BOB@corp.example');
		const sfId = world.sfInsert({
			Email: 'sfa@example.com',
			LastName: 'Alpha',
			FirstName: '  ann ',
			MailingCountry: 'Germany',
			OwnerId: sfAnn,
		});
		const spainId = world.sfInsert({
			Email: 'spain@example.com',
			LastName: 'Gamma',
			MailingCountry: 'Spain',
			OwnerId: sfBob,
		});
		const hsId = world.hsInsert({
			email: 'hsb@example.com',
			lastname: 'Beta',
			firstname: 'not copied',
			country: 'FR',
			hubspot_owner_id: hsBob,
		});
		const parameters = {
			syncId: 'mappings',
			fieldMappings: {
				mappings: [
					{ fieldA: 'Email', fieldB: 'email' },
					{ fieldA: 'LastName', fieldB: 'lastname' },
					{
						fieldA: 'FirstName',
						fieldB: 'firstname',
						direction: 'aToB',
						transformsToB: ['trim', 'uppercase'],
					},
					{
						fieldA: 'MailingCountry',
						fieldB: 'country',
						valueMapToB: '{"Germany": "DE", "France": "FR"}',
						valueMapToA: '{"DE": "Germany", "FR": "France"}',
					},
					{ fieldA: 'OwnerId', fieldB: 'hubspot_owner_id', mapOwners: true },
				],
			},
		};
		world.advance();
		const run = await runSync(world, parameters);
		expect(run.error).toBeUndefined();
		expect(run.json('CRM Sync', 2)).toEqual([]);
		const hs = new Map(world.hsAll().map((r) => [String(r.fields.email), r]));
		expect(hs.get('sfa@example.com')?.fields).toMatchObject({
			lastname: 'Alpha',
			firstname: 'ANN',
			country: 'DE',
			hubspot_owner_id: hsAnn,
		});
		expect(hs.get('spain@example.com')?.fields).toMatchObject({
			country: 'Spain', // not in the map: passes as it is
			hubspot_owner_id: hsBob,
		});
		const sf = new Map(world.sfAll().map((r) => [String(r.fields.Email), r]));
		expect(sf.get('hsb@example.com')?.fields).toMatchObject({
			LastName: 'Beta',
			MailingCountry: 'France',
			OwnerId: sfBob,
		});
		// A → B only: HubSpot's first name is not copied to Salesforce.
		expect(sf.get('hsb@example.com')?.fields.FirstName ?? null).toBeNull();
		expect(world.sfAll().map((r) => r.id)).toEqual(expect.arrayContaining([sfId, spainId]));
		expect(world.hsAll().map((r) => r.id)).toContain(hsId);

		world.advance();
		const before = world.writeRequests();
		const again = await runSync(world, parameters);
		expect(again.error).toBeUndefined();
		expect(world.writeRequests()).toEqual(before);
		expect(reportOf(again).counts).toMatchObject({ updated: { a: 0, b: 0 } });
	});

	it('inclusion filters: only records meeting every condition of their side are paired or created', async () => {
		world.reset();
		world.sfInsert({ Email: 'de@example.com', LastName: 'De', MailingCountry: 'Germany' });
		world.sfInsert({ Email: 'fr@example.com', LastName: 'Fr', MailingCountry: 'France' });
		world.hsInsert({ email: 'vip@example.com', lastname: 'Vip', city: 'Paris' });
		world.hsInsert({ email: 'other@example.com', lastname: 'Other', city: 'Lyon' });
		world.hsInsert({ email: 'none@example.com', lastname: 'None' });
		world.advance();
		const run = await runSync(world, {
			syncId: 'filters',
			fieldMappings: {
				mappings: [
					{ fieldA: 'Email', fieldB: 'email' },
					{ fieldA: 'LastName', fieldB: 'lastname' },
				],
			},
			filtersA: { conditions: [{ field: 'MailingCountry', op: 'equals', value: 'Germany' }] },
			filtersB: {
				conditions: [
					{ field: 'city', op: 'isNotEmpty' },
					{ field: 'city', op: 'in', value: 'Paris, Berlin' },
				],
			},
		});
		expect(run.error).toBeUndefined();
		expect(
			world
				.hsAll()
				.map((r) => r.fields.email)
				.sort(),
		).toEqual(['de@example.com', 'none@example.com', 'other@example.com', 'vip@example.com']);
		expect(
			world
				.sfAll()
				.map((r) => r.fields.Email)
				.sort(),
		).toEqual(['de@example.com', 'fr@example.com', 'vip@example.com']);
		expect(reportOf(run).counts).toMatchObject({ created: { a: 1, b: 1 }, skippedOutOfScope: 3 });
	});

	it('deletes "archive": the partner of a deleted record gets the side\'s archive value and stays', async () => {
		world.reset();
		const sfGone = world.sfInsert({ Email: 'a-gone@example.com', LastName: 'A gone' });
		const hsGone = world.hsInsert({ email: 'b-gone@example.com', lastname: 'B gone' });
		const parameters = {
			syncId: 'archive',
			fieldMappings: {
				mappings: [
					{ fieldA: 'Email', fieldB: 'email' },
					{ fieldA: 'LastName', fieldB: 'lastname' },
				],
			},
			deletes: 'archive',
			archiveFieldA: 'Title',
			archiveValueA: 'ARCHIVED IN HUBSPOT',
			archiveFieldB: 'jobtitle',
			archiveValueB: 'archived in salesforce',
			maxDeletes: 10,
		};
		world.advance();
		expect((await runSync(world, parameters)).error).toBeUndefined();
		world.sfDelete(sfGone);
		world.hsDelete(hsGone);
		world.advance();
		const run = await runSync(world, parameters);
		expect(run.error).toBeUndefined();
		expect(reportOf(run).counts).toMatchObject({
			archived: { a: 1, b: 1 },
			deleted: { a: 0, b: 0 },
		});
		expect(world.hsAll().map((r) => [r.fields.email, r.fields.jobtitle])).toEqual([
			['a-gone@example.com', 'archived in salesforce'],
		]);
		expect(world.sfAll().map((r) => [r.fields.Email, r.fields.Title])).toEqual([
			['b-gone@example.com', 'ARCHIVED IN HUBSPOT'],
		]);
	});

	it('both sides Salesforce share one credential: Lead → Contact in one org, API calls counted per side', async () => {
		world.reset();
		world.sf
			.table('Lead')
			.insert({ LastName: 'Lead One', Company: 'Acme', Email: 'l1@example.com' });
		world.sf
			.table('Lead')
			.insert({ LastName: 'Lead Two', Company: 'Acme', Email: 'l2@example.com' });
		world.advance();
		const run = await runSync(
			world,
			{
				syncId: 'same-system',
				systemB: 'salesforce',
				objectB: 'Lead',
				direction: 'bToA',
				matchKeys: { keys: [{ fieldA: 'Email', fieldB: 'Email', normalize: 'email' }] },
				fieldMappings: {
					mappings: [
						{ fieldA: 'Email', fieldB: 'Email' },
						{ fieldA: 'LastName', fieldB: 'LastName' },
					],
				},
			},
			{ extra: { credentials: { crmSalesforcePasswordApi: { id: 'sf', name: 'One org' } } } },
		);
		expect(run.error).toBeUndefined();
		const report = reportOf(run);
		expect(report.sides).toEqual({
			a: { system: 'salesforce', object: 'Contact' },
			b: { system: 'salesforce', object: 'Lead' },
		});
		expect(report.counts).toMatchObject({ created: { a: 2, b: 0 } });
		expect(
			world
				.sfAll()
				.map((r) => r.fields.LastName)
				.sort(),
		).toEqual(['Lead One', 'Lead Two']);
		const calls = report.apiCalls as { a: number; b: number };
		expect(calls.a).toBeGreaterThan(0);
		expect(calls.b).toBeGreaterThan(0);
		expect(calls.a + calls.b).toBe(world.sf.log.entries().filter((e) => e.kind !== 'token').length);
	});
});
