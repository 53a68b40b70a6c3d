/**
 * Associations v4, owners, pipelines and forms on the HubSpot simulator through `@hubspot/api-client`:
 * default and labelled associations (batch and single), labels, reading from either side, archiving;
 * owners and pipelines for dropdowns; the forms list and the submission endpoints.
 */
import { client as http } from '../helpers';
import { failure, useSimulator } from './helpers';

describe('HubSpot simulator: associations, owners, pipelines, forms', () => {
	const { sim, contract, client } = useSimulator();
	let contacts: string[] = [];
	let companies: string[] = [];

	beforeAll(async () => {
		const c = client();
		contacts = (
			await c.crm.contacts.batchApi.create({
				inputs: [1, 2, 3].map((i) => ({
					properties: { email: `a${i}@example.com` },
					associations: [],
				})),
			})
		).results
			.map((r) => r.id)
			.sort();
		companies = (
			await c.crm.companies.batchApi.create({
				inputs: [1, 2].map((i) => ({ properties: { name: `Co ${i}` }, associations: [] })),
			})
		).results
			.map((r) => r.id)
			.sort();
	});

	it('creates default associations (contact→company 279) and reads them from both sides', async () => {
		const v4 = client().crm.associations.v4;
		const res = await v4.batchApi.createDefault('contacts', 'companies', {
			inputs: [
				{ _from: { id: contacts[0] }, to: { id: companies[0] } },
				{ _from: { id: contacts[1] }, to: { id: companies[0] } },
			],
		});
		expect(res.results[0]).toEqual({
			_from: { id: contacts[0] },
			to: { id: companies[0] },
			associationSpec: { associationCategory: 'HUBSPOT_DEFINED', associationTypeId: 279 },
		});
		const read = await v4.batchApi.getPage('companies', 'contacts', {
			inputs: [{ id: companies[0] }],
		});
		expect(read.results[0].to.map((t) => String(t.toObjectId))).toEqual([contacts[0], contacts[1]]);
		expect(read.results[0].to[0].associationTypes).toEqual([
			{ category: 'HUBSPOT_DEFINED', typeId: 280, label: null },
		]);
		const missing = await failure(
			v4.batchApi.createDefault('contacts', 'companies', {
				inputs: [
					{ _from: { id: contacts[2] }, to: { id: companies[1] } },
					{ _from: { id: '1' }, to: { id: companies[0] } },
				],
			}),
		);
		expect(missing.code).toBe(400);
		expect(missing.body).toMatchObject({
			category: 'VALIDATION_ERROR',
			message: 'No contact with id 1 exists',
		});
		expect((await v4.basicApi.getPage('contacts', contacts[2], 'companies')).results).toEqual([]);
		// search by association (associations.{type} pseudo-property)
		const byCompany = await client().crm.contacts.searchApi.doSearch({
			filterGroups: [
				{
					filters: [
						{ propertyName: 'associations.company', operator: 'EQ' as never, value: companies[0] },
					],
				},
			],
			sorts: [],
			limit: 10,
			after: '0',
		} as never);
		expect(byCompany.results.map((r) => r.id)).toEqual([contacts[0], contacts[1]]);
		const unlinked = await client().crm.contacts.searchApi.doSearch({
			filterGroups: [
				{
					filters: [
						{ propertyName: 'associations.company', operator: 'NOT_HAS_PROPERTY' as never },
					],
				},
			],
			sorts: [],
			limit: 10,
			after: '0',
		} as never);
		expect(unlinked.results.map((r) => r.id)).toEqual([contacts[2]]);
		const got = await client().crm.contacts.basicApi.getById(contacts[0], undefined, undefined, [
			'companies',
		]);
		expect(got.associations?.companies.results).toEqual([
			{ id: companies[0], type: 'contact_to_company_unlabeled' },
		]);
		const listed = await client().crm.contacts.basicApi.getPage(
			10,
			undefined,
			undefined,
			undefined,
			['companies'],
		);
		expect(listed.results.filter((x) => x.associations).map((x) => x.id)).toEqual([
			contacts[0],
			contacts[1],
		]);
	});

	it('creates labels and labelled associations, lists them, and archives labels or whole associations', async () => {
		const v4 = client().crm.associations.v4;
		const created = await client().apiRequest({
			method: 'POST',
			path: '/crm/v4/associations/contacts/companies/labels',
			body: { label: 'Billing contact', name: 'billing_contact' },
		});
		const label = (
			(await created.json()) as {
				results: Array<{ typeId: number; label: string; category: string }>;
			}
		).results[0];
		expect(label).toMatchObject({ label: 'Billing contact', category: 'USER_DEFINED' });
		const labels = await v4.schema.definitionsApi.getAll('contacts', 'companies');
		expect(labels.results.map((l) => l.typeId)).toEqual(
			expect.arrayContaining([1, 279, label.typeId]),
		);

		const res = await v4.batchApi.create('contacts', 'companies', {
			inputs: [
				{
					_from: { id: contacts[2] },
					to: { id: companies[1] },
					types: [
						{ associationCategory: 'USER_DEFINED' as never, associationTypeId: label.typeId },
						{ associationCategory: 'HUBSPOT_DEFINED' as never, associationTypeId: 1 },
					],
				},
			],
		});
		expect(res.results[0]).toMatchObject({
			fromObjectTypeId: '0-1',
			toObjectTypeId: '0-2',
			labels: expect.arrayContaining(['Billing contact', 'Primary']),
		});
		const wrongCategory = await v4.batchApi.create('contacts', 'companies', {
			inputs: [
				{
					_from: { id: contacts[2] },
					to: { id: companies[1] },
					types: [
						{ associationCategory: 'HUBSPOT_DEFINED' as never, associationTypeId: label.typeId },
					],
				},
			],
		});
		expect(
			(wrongCategory as unknown as { errors: Array<{ message: string }> }).errors[0].message,
		).toContain('has category USER_DEFINED');

		const list = await v4.basicApi.getPage('contacts', contacts[2], 'companies');
		expect(list.results[0].associationTypes.map((t) => t.label)).toEqual(
			expect.arrayContaining(['Billing contact', 'Primary']),
		);
		await v4.batchApi.archiveLabels('contacts', 'companies', {
			inputs: [
				{
					_from: { id: contacts[2] },
					to: { id: companies[1] },
					types: [
						{ associationCategory: 'USER_DEFINED' as never, associationTypeId: label.typeId },
					],
				},
			],
		});
		expect(
			(
				await v4.basicApi.getPage('contacts', contacts[2], 'companies')
			).results[0].associationTypes.map((t) => t.typeId),
		).toEqual([1]);
		await v4.batchApi.archive('contacts', 'companies', {
			inputs: [{ _from: { id: contacts[2] }, to: [{ id: companies[1] }] }],
		});
		expect((await v4.basicApi.getPage('companies', companies[1], 'contacts')).results).toEqual([]);

		// single-object endpoints and associations on create
		const deal = await client().crm.deals.basicApi.create({
			properties: { dealname: 'Linked' },
			associations: [
				{
					to: { id: companies[0] },
					types: [{ associationCategory: 'HUBSPOT_DEFINED' as never, associationTypeId: 341 }],
				},
			],
		});
		const dealCompanies = await v4.basicApi.getPage('deals', deal.id, 'companies');
		expect(dealCompanies.results.map((r) => String(r.toObjectId))).toEqual([companies[0]]);
		const badAssoc = await failure(
			client().crm.deals.basicApi.create({
				properties: { dealname: 'x' },
				associations: [
					{
						to: { id: '999' },
						types: [{ associationCategory: 'HUBSPOT_DEFINED' as never, associationTypeId: 341 }],
					},
				],
			}),
		);
		expect(badAssoc.code).toBe(400);
		const single = await v4.basicApi.createDefault('deals', deal.id, 'contacts', contacts[0]);
		expect(single.results[0].associationSpec).toEqual({
			associationCategory: 'HUBSPOT_DEFINED',
			associationTypeId: 3,
		});
		expect(
			(await v4.basicApi.getPage('contacts', contacts[0], 'deals')).results[0].associationTypes[0]
				.typeId,
		).toBe(4);
		const labelled = await v4.basicApi.create('contacts', contacts[1], 'companies', companies[1], [
			{ associationCategory: 'HUBSPOT_DEFINED' as never, associationTypeId: 1 },
		]);
		expect(labelled.labels).toEqual(['Primary']);
		await v4.basicApi.archive('deals', deal.id, 'companies', companies[0]);
		expect((await v4.basicApi.getPage('deals', deal.id, 'companies')).results).toEqual([]);
	});

	it('lists owners (active or archived, by email) and pipelines with their stages', async () => {
		const c = client();
		const owners = await c.crm.owners.ownersApi.getPage(undefined, undefined, 100, false);
		expect(owners.results.map((o) => o.email)).toEqual([
			'alex.owner@example.com',
			'sam.seller@example.com',
		]);
		expect(
			(await c.crm.owners.ownersApi.getPage('sam.seller@example.com')).results.map((o) => o.id),
		).toEqual(['80000002']);
		expect(
			(await c.crm.owners.ownersApi.getPage(undefined, undefined, 100, true)).results.map(
				(o) => o.email,
			),
		).toEqual(['former.rep@example.com']);
		expect((await c.crm.owners.ownersApi.getById(9001, 'userId')).id).toBe('80000001');

		const deals = await c.crm.pipelines.pipelinesApi.getAll('deals');
		expect(deals.results[0]).toMatchObject({ id: 'default', label: 'Sales Pipeline' });
		expect(deals.results[0].stages.map((s) => s.id)).toContain('closedwon');
		const tickets = await c.crm.pipelines.pipelinesApi.getById('tickets', '0');
		expect(tickets.stages.map((s) => s.label)).toEqual([
			'New',
			'Waiting on contact',
			'Waiting on us',
			'Closed',
		]);
		// the owner and stage properties offer these as options
		const ownerProp = await c.crm.properties.coreApi.getByName('deals', 'hubspot_owner_id');
		expect(ownerProp.options.map((o) => o.value)).toEqual(['80000001', '80000002']);
		const stageProp = await c.crm.properties.coreApi.getByName('deals', 'dealstage');
		expect(stageProp.options.map((o) => o.value)).toContain('contractsent');
	});

	it('validates form submissions against the form and upserts the contact by email', async () => {
		const c = contract();
		const forms = await client().marketing.forms.formsApi.getPage();
		const contactUs = forms.results.find((f) => f.name === 'Contact us');
		expect(contactUs).toBeDefined();
		const guid = contactUs?.id as string;
		const submit = (fields: Array<{ name: string; value: string }>, formGuid = guid) =>
			http(c.formsBaseUrl).post(`/submissions/v3/integration/submit/${c.portalId}/${formGuid}`, {
				fields: fields.map((f) => ({ objectTypeId: '0-1', ...f })),
				context: { pageUri: 'https://example.com/contact', pageName: 'Contact' },
			});

		const ok = await submit([
			{ name: 'email', value: 'Form@Example.com' },
			{ name: 'firstname', value: 'Formy' },
		]);
		expect(ok.status).toBe(200);
		expect(ok.data).toEqual({ inlineMessage: 'Thanks for submitting the form.' });
		const contact = sim.submissions[sim.submissions.length - 1];
		expect(contact.fields).toEqual({ email: 'Form@Example.com', firstname: 'Formy' });
		expect(
			(
				await client().crm.contacts.basicApi.getById(
					'form@example.com',
					['firstname'],
					undefined,
					undefined,
					false,
					'email',
				)
			).properties.firstname,
		).toBe('Formy');

		const missing = await submit([{ name: 'firstname', value: 'x' }]);
		expect(missing.status).toBe(400);
		expect(missing.data.errors).toEqual([
			{
				message: "Error in 'fields.email'. Required field 'email' is missing",
				errorType: 'REQUIRED_FIELD',
			},
		]);
		const invalid = await submit([
			{ name: 'email', value: 'nope' },
			{ name: 'shoe_size', value: '9' },
		]);
		expect(invalid.data.errors.map((e: { errorType: string }) => e.errorType)).toEqual([
			'FIELD_NOT_IN_FORM_DEFINITION',
			'INVALID_EMAIL',
		]);
		const unknown = await submit(
			[{ name: 'email', value: 'a@b.co' }],
			'00000000-0000-0000-0000-000000000000',
		);
		expect(unknown.status).toBe(404);
		expect(unknown.data.errors[0].errorType).toBe('FORM_NOT_FOUND');

		const secureNoAuth = await http(c.formsBaseUrl).post(
			`/submissions/v3/integration/secure/submit/${c.portalId}/${guid}`,
			{ fields: [{ name: 'email', value: 's@example.com' }] },
		);
		expect(secureNoAuth.status).toBe(401);
		const secure = await http(c.formsBaseUrl, { Authorization: `Bearer ${c.accessToken}` }).post(
			`/submissions/v3/integration/secure/submit/${c.portalId}/${guid}`,
			{ fields: [{ name: 'email', value: 's@example.com' }] },
		);
		expect(secure.status).toBe(200);
		const newsletter = forms.results.find((f) => f.name === 'Newsletter')?.id as string;
		expect((await submit([{ name: 'email', value: 'n@example.com' }], newsletter)).data).toEqual({
			redirectUri: 'https://example.com/thanks',
		});
		expect(sim.log.count({ kind: 'forms.submit' })).toBe(5);
	});
});
