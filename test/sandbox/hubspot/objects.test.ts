/**
 * The HubSpot simulator's objects API checked with `@hubspot/api-client`: CRUD with idProperty, list paging,
 * batch read/create/update/upsert/archive (atomic and partial failure modes, injected item failures),
 * properties (type checking, custom and unique properties, groups) and custom objects from the schemas API.
 */
import { ManualClock } from '../../../sandbox/kit';
import { failure, useSimulator } from './helpers';

const T0 = Date.UTC(2025, 2, 1, 9, 0, 0);

describe('HubSpot simulator: objects', () => {
	const clock = new ManualClock(T0);
	const { sim, client } = useSimulator({ clock, records: { companies: 3 } });
	afterEach(() => {
		sim.faults.clearFaults();
		sim.setBatchMode('atomic');
	});

	describe('CRUD', () => {
		it('creates (201), reads by id and by email, updates, archives; 404s are OBJECT_NOT_FOUND', async () => {
			const api = client().crm.contacts.basicApi;
			const created = await api.create({
				properties: { email: 'Ada@Example.com', firstname: 'Ada', lastname: 'Lovelace' },
				associations: [],
			});
			expect(created.id).toMatch(/^\d+$/);
			expect(created.properties).toMatchObject({
				email: 'ada@example.com',
				firstname: 'Ada',
				hs_object_id: created.id,
				createdate: created.createdAt.toISOString(),
			});
			// seeded records took the first stamps; timestamps are strictly increasing from the manual clock
			expect(created.createdAt.getTime() - T0).toBeLessThan(10);

			const byId = await api.getById(created.id);
			expect(Object.keys(byId.properties).sort()).toEqual([
				'createdate',
				'email',
				'firstname',
				'hs_object_id',
				'lastmodifieddate',
				'lastname',
			]);
			const byEmail = await api.getById(
				'ADA@example.com',
				['phone', 'email'],
				undefined,
				undefined,
				false,
				'email',
			);
			expect(byEmail.id).toBe(created.id);
			expect(byEmail.properties).toEqual({
				createdate: expect.any(String),
				email: 'ada@example.com',
				hs_object_id: created.id,
				lastmodifieddate: expect.any(String),
				phone: null,
			});

			clock.advance(60_000);
			const updated = await api.update(
				'ada@example.com',
				{ properties: { phone: '+1 555 0100', firstname: '' } },
				'email',
			);
			expect(updated.properties.phone).toBe('+1 555 0100');
			expect(updated.properties.firstname).toBeUndefined();
			expect(updated.updatedAt.getTime()).toBe(T0 + 60_000);
			expect((await api.getById(created.id, ['firstname'])).properties.firstname).toBeNull();

			await api.archive(created.id);
			const gone = await failure(api.getById(created.id));
			expect(gone.code).toBe(404);
			expect(gone.body).toMatchObject({
				status: 'error',
				category: 'OBJECT_NOT_FOUND',
				correlationId: expect.any(String),
			});
			const archived = await api.getById(created.id, undefined, undefined, undefined, true);
			expect(archived.archived).toBe(true);
			// archiving frees the email
			const again = await api.create({
				properties: { email: 'ada@example.com' },
				associations: [],
			});
			expect(again.id).not.toBe(created.id);
		});

		it('answers 409 CONFLICT with the existing id for a duplicate email, and 400 VALIDATION_ERROR per property', async () => {
			const api = client().crm.contacts.basicApi;
			const first = await api.create({
				properties: { email: 'dup@example.com' },
				associations: [],
			});
			const dup = await failure(
				api.create({ properties: { email: 'DUP@example.com' }, associations: [] }),
			);
			expect(dup.code).toBe(409);
			expect(dup.body).toMatchObject({
				category: 'CONFLICT',
				message: `Contact already exists. Existing ID: ${first.id}`,
			});

			const bad = await failure(
				api.create({
					properties: {
						email: 'not-an-email',
						lifecyclestage: 'nope',
						nosuch: 'x',
						lastmodifieddate: '1',
					},
					associations: [],
				}),
			);
			expect(bad.code).toBe(400);
			expect(bad.body.category).toBe('VALIDATION_ERROR');
			expect(bad.body.message).toMatch(/^Property values were not valid: \[/);
			const codes = (
				bad.body.errors as Array<{ code: string; context: { propertyName: string[] } }>
			).map((e) => [e.code, e.context.propertyName[0]]);
			expect(codes).toEqual([
				['INVALID_EMAIL', 'email'],
				['INVALID_OPTION', 'lifecyclestage'],
				['PROPERTY_DOESNT_EXIST', 'nosuch'],
				['READ_ONLY_VALUE', 'lastmodifieddate'],
			]);
		});

		it('checks number, date, datetime, bool and enumeration values and stores them as HubSpot returns them', async () => {
			const c = client();
			const deal = await c.crm.deals.basicApi.create({
				properties: {
					dealname: 'Big',
					amount: '1500.50',
					closedate: String(Date.UTC(2025, 5, 30, 12)),
					pipeline: 'default',
					dealstage: 'closedwon',
				},
				associations: [],
			});
			expect(deal.properties).toMatchObject({
				amount: '1500.5',
				closedate: '2025-06-30T12:00:00.000Z',
				dealstage: 'closedwon',
			});
			const badDeal = await failure(
				c.crm.deals.basicApi.create({
					properties: { amount: 'lots', dealstage: 'won-ish', closedate: 'soon' },
					associations: [],
				}),
			);
			expect((badDeal.body.errors as Array<{ code: string }>).map((e) => e.code)).toEqual([
				'INVALID_INTEGER',
				'INVALID_OPTION',
				'INVALID_DATETIME',
			]);

			const line = await c.crm.lineItems.basicApi.create({
				properties: {
					name: 'Seat',
					quantity: '3',
					hs_recurring_billing_start_date: String(Date.UTC(2025, 0, 15)),
				},
				associations: [],
			});
			expect(line.properties.hs_recurring_billing_start_date).toBe('2025-01-15');
			const notMidnight = await failure(
				c.crm.lineItems.basicApi.create({
					properties: {
						hs_recurring_billing_start_date: String(Date.UTC(2025, 0, 15, 12, 34, 56)),
					},
					associations: [],
				}),
			);
			expect((notMidnight.body.errors as Array<{ message: string }>)[0].message).toBe(
				`${Date.UTC(2025, 0, 15, 12, 34, 56)} is at 12:34:56.000 UTC, not midnight!`,
			);

			const product = await c.crm.products.basicApi.create({
				properties: { name: 'Widget', price: '10', hs_discontinued: 'TRUE' },
				associations: [],
			});
			expect(product.properties.hs_discontinued).toBe('true');
			const badBool = await failure(
				c.crm.products.basicApi.create({
					properties: { hs_discontinued: 'maybe' },
					associations: [],
				}),
			);
			expect((badBool.body.errors as Array<{ code: string }>)[0].code).toBe('INVALID_BOOLEAN');

			const ticket = await c.crm.tickets.basicApi.create({
				properties: {
					subject: 'Help',
					hs_pipeline: '0',
					hs_pipeline_stage: '1',
					hs_ticket_category: 'BILLING_ISSUE;PRODUCT_ISSUE',
				},
				associations: [],
			});
			expect(ticket.properties.hs_ticket_category).toBe('BILLING_ISSUE;PRODUCT_ISSUE');
			const owner = await failure(
				c.crm.tickets.basicApi.create({ properties: { hubspot_owner_id: '42' }, associations: [] }),
			);
			expect((owner.body.errors as Array<{ code: string }>)[0].code).toBe('INVALID_OPTION');
		});
	});

	describe('list paging', () => {
		it('pages with after, accepts properties comma-joined or repeated, and lists archived records separately', async () => {
			const c = client();
			const inputs = Array.from({ length: 25 }, (_, i) => ({
				properties: { name: `Paged ${i}`, domain: `paged${i}.example.com` },
				associations: [],
			}));
			await c.crm.companies.batchApi.create({ inputs });
			const seen: string[] = [];
			let after: string | undefined;
			let pages = 0;
			do {
				const page = await c.crm.companies.basicApi.getPage(10, after, ['name', 'domain']);
				seen.push(...page.results.map((r) => r.id));
				expect(Object.keys(page.results[0].properties).sort()).toEqual([
					'createdate',
					'domain',
					'hs_lastmodifieddate',
					'hs_object_id',
					'name',
				]);
				after = page.paging?.next?.after;
				pages++;
			} while (after !== undefined && pages < 10);
			expect(seen).toHaveLength(28);
			expect(new Set(seen).size).toBe(28);
			expect(pages).toBe(3);

			const raw = await c.apiRequest({
				method: 'GET',
				path: '/crm/v3/objects/companies',
				qs: { limit: 2, properties: 'name,domain' },
			});
			const body = (await raw.json()) as {
				results: Array<{ properties: Record<string, unknown> }>;
				paging: { next: { after: string; link: string } };
			};
			expect(Object.keys(body.results[0].properties)).toEqual(
				expect.arrayContaining(['name', 'domain']),
			);
			expect(body.paging.next.link).toContain('/crm/v3/objects/companies?after=');

			await c.crm.companies.basicApi.archive(seen[0]);
			const archived = await c.crm.companies.basicApi.getPage(
				100,
				undefined,
				undefined,
				undefined,
				undefined,
				true,
			);
			expect(archived.results.map((r) => r.id)).toEqual([seen[0]]);
			expect(archived.results[0].archived).toBe(true);
		});

		it('serves at most 100 a page, in id order from the after cursor: records archived meanwhile shift nothing', async () => {
			const c = client();
			for (let i = 0; i < 3; i++)
				await c.crm.deals.batchApi.create({
					inputs: Array.from({ length: 100 }, (_, j) => ({
						properties: { dealname: `Deal ${i * 100 + j}` },
						associations: [],
					})),
				});
			const page = (after?: string) => c.crm.deals.basicApi.getPage(500, after, ['dealname']);
			const first = await page();
			expect(first.results).toHaveLength(100);
			const ids = first.results.map((r) => Number(r.id));
			expect(ids).toEqual([...ids].sort((a, b) => a - b));
			const after = first.paging?.next?.after as string;
			const second = await page(after);
			// Archived records (one before the cursor, one on the next page) leave the cursor's page in place.
			await c.crm.deals.basicApi.archive(first.results[5].id);
			await c.crm.deals.basicApi.archive(second.results[0].id);
			const again = await page(after);
			expect(again.results.map((r) => r.id)).toEqual([
				...second.results.slice(1).map((r) => r.id),
				expect.any(String),
			]);
			expect(Number(again.results[99].id)).toBeGreaterThan(Number(second.results[99].id));
			let n = 0;
			for (let cur: string | undefined = after; cur !== undefined; n++)
				cur = (await page(cur)).paging?.next?.after;
			expect(n).toBeGreaterThanOrEqual(2);
			const archived = await c.crm.deals.basicApi.getPage(
				100,
				undefined,
				undefined,
				undefined,
				undefined,
				true,
			);
			expect(archived.results.map((r) => r.id)).toEqual([
				first.results[5].id,
				second.results[0].id,
			]);
		});
	});

	describe('batch', () => {
		it('upserts 100 contacts by email twice without duplicates and reports new: true, then new: false', async () => {
			const c = client();
			const before = sim.collection('contacts').count();
			const inputs = Array.from({ length: 100 }, (_, i) => ({
				idProperty: 'email',
				id: `bulk${i}@example.com`,
				properties: { firstname: `Bulk ${i}` },
			}));
			const first = await c.crm.contacts.batchApi.upsert({ inputs });
			expect(first.status).toBe('COMPLETE');
			expect(first.results).toHaveLength(100);
			expect(first.results.every((r) => r._new === true)).toBe(true);
			expect(first.results[7].properties.email).toBe('bulk7@example.com');
			const second = await c.crm.contacts.batchApi.upsert({
				inputs: inputs.map((x) => ({ ...x, properties: { lastname: 'Again' } })),
			});
			expect(second.results.every((r) => r._new === false)).toBe(true);
			expect(second.results.map((r) => r.id)).toEqual(first.results.map((r) => r.id));
			expect(second.results[0].properties).toMatchObject({
				firstname: 'Bulk 0',
				lastname: 'Again',
			});
			// an upsert that changes nothing leaves lastmodifieddate alone
			clock.advance(1000);
			const third = await c.crm.contacts.batchApi.upsert({
				inputs: inputs.slice(0, 1).map((x) => ({ ...x, properties: { lastname: 'Again' } })),
			});
			expect(third.results[0].updatedAt).toEqual(second.results[0].updatedAt);
			expect(sim.collection('contacts').count()).toBe(before + 100);
		});

		it('upserts 10,000 contacts by email in 100 calls, twice, at the Pro limit of 190 requests per 10 s', async () => {
			sim.setRateLimits({ tenSecondly: 190, daily: 500_000, searchPerSecond: 5 });
			try {
				const c = client();
				const before = sim.collection('contacts').count();
				const calls0 = sim.log.count({ kind: 'batch.upsert' });
				for (const round of [1, 2]) {
					const started = Date.now();
					let created = 0;
					for (let b = 0; b < 100; b++) {
						const inputs = Array.from({ length: 100 }, (_, i) => ({
							idProperty: 'email',
							id: `volume${b * 100 + i}@example.com`,
							properties: { firstname: `V${b * 100 + i}`, lastname: `round ${round}` },
						}));
						const res = await c.crm.contacts.batchApi.upsert({ inputs });
						created += res.results.filter((r) => r._new).length;
						clock.advance(60); // ≈ 1,667 records/s: within 190 requests per rolling 10 s
					}
					expect(created).toBe(round === 1 ? 10_000 : 0);
					process.stdout.write(
						`[hubspot upsert] round ${round}: 10000 contacts, 100 calls, ${Date.now() - started} ms wall\n`,
					);
				}
				expect(sim.collection('contacts').count()).toBe(before + 10_000);
				expect(sim.log.count({ kind: 'batch.upsert' }) - calls0).toBe(200);
				expect(sim.log.count({ status: 429 })).toBe(0);
			} finally {
				sim.setRateLimits(false);
			}
		});

		it('reads (207 for missing ids), updates and archives in batches; rejects more than 100 inputs and duplicate ids', async () => {
			const c = client();
			const created = await c.crm.deals.batchApi.create({
				inputs: [1, 2, 3].map((i) => ({
					properties: { dealname: `B${i}`, amount: String(i * 100) },
					associations: [],
				})),
			});
			const ids = created.results.map((r) => r.id);
			const read = await c.crm.deals.batchApi.read({
				inputs: [...ids, '99999'].map((id) => ({ id })),
				properties: ['dealname', 'amount'],
				propertiesWithHistory: [],
			});
			expect(read.results.map((r) => r.properties.dealname).sort()).toEqual(['B1', 'B2', 'B3']);
			expect(
				(read as { errors?: Array<{ category: string; context: { ids: string[] } }> }).errors?.[0],
			).toMatchObject({ category: 'OBJECT_NOT_FOUND', context: { ids: ['99999'] } });

			const updated = await c.crm.deals.batchApi.update({
				inputs: ids.map((id) => ({ id, properties: { dealstage: 'qualifiedtobuy' } })),
			});
			expect(updated.results.every((r) => r.properties.dealstage === 'qualifiedtobuy')).toBe(true);
			const dupIds = await failure(
				c.crm.deals.batchApi.update({
					inputs: [ids[0], ids[0]].map((id) => ({ id, properties: { amount: '1' } })),
				}),
			);
			expect(dupIds.code).toBe(400);
			expect(dupIds.body.message).toMatch(/^Duplicate IDs found in batch input/);

			const tooMany = await failure(
				c.crm.deals.batchApi.create({
					inputs: Array.from({ length: 101 }, () => ({
						properties: { dealname: 'x' },
						associations: [],
					})),
				}),
			);
			expect(tooMany.code).toBe(400);
			expect(tooMany.body.message).toContain('101');

			await c.crm.deals.batchApi.archive({ inputs: ids.map((id) => ({ id })) });
			expect(ids.every((id) => !sim.collection('deals').has(id))).toBe(true);
		});

		it('fails the whole batch with 400 on one invalid input (atomic, as HubSpot does); partial mode answers 207 per input', async () => {
			const c = client();
			const count = () => sim.collection('contacts').count();
			const before = count();
			const inputs = [
				{ properties: { email: 'ok1@example.com' }, associations: [], objectWriteTraceId: 't1' },
				{ properties: { email: 'broken' }, associations: [], objectWriteTraceId: 't2' },
				{ properties: { email: 'ok3@example.com' }, associations: [], objectWriteTraceId: 't3' },
			];
			const atomic = await failure(c.crm.contacts.batchApi.create({ inputs }));
			expect(atomic.code).toBe(400);
			expect(atomic.body).toMatchObject({
				category: 'VALIDATION_ERROR',
				context: { objectWriteTraceId: ['t2'] },
			});
			expect(count()).toBe(before);

			sim.setBatchMode('partial');
			const partial = await c.crm.contacts.batchApi.create({ inputs });
			expect(partial.results.map((r) => r.properties.email)).toEqual([
				'ok1@example.com',
				'ok3@example.com',
			]);
			const errors = partial as unknown as {
				numErrors: number;
				errors: Array<{
					category: string;
					context: Record<string, string[]>;
					errors: Array<{ code: string }>;
				}>;
			};
			expect(errors.numErrors).toBe(1);
			expect(errors.errors[0]).toMatchObject({
				category: 'VALIDATION_ERROR',
				context: { objectWriteTraceId: ['t2'] },
			});
			expect(errors.errors[0].errors[0].code).toBe('INVALID_EMAIL');
			expect(count()).toBe(before + 2);

			// a duplicate email inside the batch (atomic) is a 409 for the whole call
			sim.setBatchMode('atomic');
			const conflict = await failure(
				c.crm.contacts.batchApi.create({
					inputs: [
						{ properties: { email: 'twice@example.com' }, associations: [] },
						{ properties: { email: 'twice@example.com' }, associations: [] },
					],
				}),
			);
			expect(conflict.code).toBe(409);
			expect(conflict.body.category).toBe('CONFLICT');
		});

		it('injects per-input failures (batchFailure fault) as 207 MULTI_STATUS even in atomic mode', async () => {
			const c = client();
			sim.faults.add({
				type: 'batchFailure',
				indexes: [1],
				status: 500,
				message: 'Injected: try again',
				match: { kinds: ['batch.upsert'] },
			});
			const res = await c.crm.contacts.batchApi.upsert({
				inputs: ['inj0', 'inj1', 'inj2'].map((x) => ({
					idProperty: 'email',
					id: `${x}@example.com`,
					properties: {},
					objectWriteTraceId: x,
				})),
			});
			expect(res.results.map((r) => r.properties.email)).toEqual([
				'inj0@example.com',
				'inj2@example.com',
			]);
			expect((res as unknown as { errors: unknown[] }).errors).toEqual([
				{
					status: 'error',
					category: 'INTERNAL_ERROR',
					message: 'Injected: try again',
					context: { ids: ['inj1@example.com'], objectWriteTraceId: ['inj1'] },
				},
			]);
			expect(sim.log.count({ kind: 'batch.upsert', status: 207 })).toBe(1);
		});
	});

	describe('properties', () => {
		it('lists, creates (type and fieldType checked), updates and archives custom properties; HubSpot-defined ones are read-only', async () => {
			const props = client().crm.properties.coreApi;
			const all = await props.getAll('contacts');
			const email = all.results.find((p) => p.name === 'email');
			expect(email).toMatchObject({
				type: 'string',
				fieldType: 'text',
				hubspotDefined: true,
				hasUniqueValue: true,
				groupName: 'contactinformation',
			});

			const created = await props.create('contacts', {
				name: 'favorite_color',
				label: 'Favorite color',
				type: 'enumeration' as never,
				fieldType: 'select' as never,
				groupName: 'contactinformation',
				options: [
					{ label: 'Red', value: 'red', displayOrder: 0, hidden: false },
					{ label: 'Blue', value: 'blue', displayOrder: 1, hidden: false },
				],
			});
			expect(created).toMatchObject({
				name: 'favorite_color',
				hubspotDefined: false,
				options: [{ value: 'red' }, { value: 'blue' }],
			});
			const again = await failure(
				props.create('contacts', {
					name: 'favorite_color',
					label: 'x',
					type: 'string' as never,
					fieldType: 'text' as never,
					groupName: 'contactinformation',
				}),
			);
			expect(again.code).toBe(409);
			expect(again.body.category).toBe('OBJECT_ALREADY_EXISTS');
			const badField = await failure(
				props.create('contacts', {
					name: 'score_x',
					label: 'x',
					type: 'number' as never,
					fieldType: 'select' as never,
					groupName: 'contactinformation',
				}),
			);
			expect(badField.code).toBe(400);
			expect(badField.body.message).toContain('fieldType select is not valid for type number');
			const badGroup = await failure(
				props.create('contacts', {
					name: 'score_y',
					label: 'x',
					type: 'number' as never,
					fieldType: 'number' as never,
					groupName: 'nope',
				}),
			);
			expect(badGroup.body.message).toContain('Property group nope does not exist');

			const c = client();
			const ok = await c.crm.contacts.basicApi.create({
				properties: { email: 'color@example.com', favorite_color: 'blue' },
				associations: [],
			});
			expect(ok.properties.favorite_color).toBe('blue');
			const bad = await failure(
				c.crm.contacts.basicApi.create({
					properties: { favorite_color: 'green' },
					associations: [],
				}),
			);
			expect((bad.body.errors as Array<{ code: string }>)[0].code).toBe('INVALID_OPTION');

			const updated = await props.update('contacts', 'favorite_color', {
				options: [{ label: 'Green', value: 'green', displayOrder: 0, hidden: false }],
			});
			expect(updated.options.map((o) => o.value)).toEqual(['green']);
			const readOnly = await failure(
				props.update('contacts', 'email', { type: 'number' as never }),
			);
			expect(readOnly.code).toBe(400);

			await props.archive('contacts', 'favorite_color');
			expect((await failure(props.getByName('contacts', 'favorite_color'))).code).toBe(404);
			expect((await props.getByName('contacts', 'favorite_color', true)).archived).toBe(true);
			expect((await failure(props.archive('contacts', 'email'))).code).toBe(400);

			const groups = await c.crm.properties.groupsApi.create('contacts', {
				name: 'sandbox_group',
				label: 'Sandbox',
				displayOrder: 3,
			});
			expect(groups).toEqual(expect.objectContaining({ name: 'sandbox_group', label: 'Sandbox' }));
			const batch = await c.crm.properties.batchApi.read('contacts', {
				inputs: [{ name: 'email' }, { name: 'firstname' }],
				archived: false,
			});
			expect(batch.results.map((p) => p.name).sort()).toEqual(['email', 'firstname']);
		});

		it('makes a custom hasUniqueValue property an upsert key', async () => {
			const c = client();
			await c.crm.properties.coreApi.create('companies', {
				name: 'external_id',
				label: 'External id',
				type: 'string' as never,
				fieldType: 'text' as never,
				groupName: 'companyinformation',
				hasUniqueValue: true,
			});
			const first = await c.crm.companies.batchApi.upsert({
				inputs: [{ idProperty: 'external_id', id: 'ERP-1', properties: { name: 'From ERP' } }],
			});
			expect(first.results[0]).toMatchObject({
				_new: true,
				properties: { external_id: 'ERP-1', name: 'From ERP' },
			});
			const second = await c.crm.companies.batchApi.upsert({
				inputs: [{ idProperty: 'external_id', id: 'ERP-1', properties: { name: 'Renamed' } }],
			});
			expect(second.results[0]).toMatchObject({
				_new: false,
				id: first.results[0].id,
				properties: { name: 'Renamed' },
			});
			const byKey = await c.crm.companies.basicApi.getById(
				'ERP-1',
				['name'],
				undefined,
				undefined,
				false,
				'external_id',
			);
			expect(byKey.id).toBe(first.results[0].id);
			const dup = await failure(
				c.crm.companies.basicApi.create({ properties: { external_id: 'ERP-1' }, associations: [] }),
			);
			expect(dup.code).toBe(409);
			expect(dup.body.message).toContain(`Existing ID: ${first.results[0].id}`);
			const notUnique = await failure(
				c.crm.companies.batchApi.upsert({
					inputs: [{ idProperty: 'name', id: 'x', properties: {} }],
				}),
			);
			expect(notUnique.code).toBe(400);
			expect(notUnique.body.message).toContain('name is not a unique property of companies');
		});
	});

	describe('custom objects (schemas API)', () => {
		it('defines a custom object and writes, reads, searches and upserts its records by objectTypeId or fully qualified name', async () => {
			const c = client();
			const schema = await c.crm.schemas.coreApi.create({
				name: 'cars',
				labels: { singular: 'Car', plural: 'Cars' },
				primaryDisplayProperty: 'model',
				requiredProperties: ['model'],
				searchableProperties: ['model', 'vin'],
				secondaryDisplayProperties: [],
				properties: [
					{ name: 'model', label: 'Model', type: 'string' as never, fieldType: 'text' as never },
					{
						name: 'vin',
						label: 'VIN',
						type: 'string' as never,
						fieldType: 'text' as never,
						hasUniqueValue: true,
					},
					{ name: 'year', label: 'Year', type: 'number' as never, fieldType: 'number' as never },
				],
				associatedObjects: ['CONTACT'],
			});
			const typeId = schema.objectTypeId as string;
			const fqn = schema.fullyQualifiedName as string;
			expect(typeId).toMatch(/^2-\d+$/);
			expect(fqn).toBe(`p${sim.portalId}_cars`);
			expect(schema.associations.map((a) => a.toObjectTypeId)).toEqual(['0-1']);
			expect((await c.crm.schemas.coreApi.getAll()).results.map((s) => s.name)).toContain('cars');

			const car = await c.crm.objects.basicApi.create(typeId, {
				properties: { model: 'Model T', vin: 'VIN1', year: '1908' },
				associations: [],
			});
			expect(car.properties).toMatchObject({
				model: 'Model T',
				hs_object_id: car.id,
				hs_createdate: expect.any(String),
				hs_lastmodifieddate: expect.any(String),
			});
			const got = await c.crm.objects.basicApi.getById(fqn, car.id, ['year']);
			expect(got.properties.year).toBe('1908');
			const up = await c.crm.objects.batchApi.upsert(typeId, {
				inputs: [
					{ idProperty: 'vin', id: 'VIN1', properties: { year: '1909' } },
					{ idProperty: 'vin', id: 'VIN2', properties: { model: 'Beetle' } },
				],
			});
			expect(up.results.map((r) => r._new)).toEqual([false, true]);
			const found = await c.crm.objects.searchApi.doSearch(typeId, {
				query: 'beet',
				filterGroups: [],
				sorts: [],
				properties: ['model'],
				limit: 10,
				after: '0',
			});
			expect(found.results.map((r) => r.properties.model)).toEqual(['Beetle']);
			const badYear = await failure(
				c.crm.objects.basicApi.create(typeId, { properties: { year: 'old' }, associations: [] }),
			);
			expect(badYear.code).toBe(400);

			const patched = await c.crm.schemas.coreApi.update(typeId, {
				searchableProperties: ['model', 'vin', 'year'],
				labels: { singular: 'Automobile', plural: 'Automobiles' },
			});
			expect(patched.labels).toEqual({ singular: 'Automobile', plural: 'Automobiles' });
			expect((await c.crm.schemas.coreApi.getById(fqn)).searchableProperties).toEqual([
				'model',
				'vin',
				'year',
			]);
			expect(
				(await failure(c.crm.schemas.coreApi.update(typeId, { requiredProperties: ['nope'] })))
					.code,
			).toBe(400);
			const inUse = await failure(c.crm.schemas.coreApi.archive(typeId));
			expect(inUse.code).toBe(400);
			const unknown = await failure(c.crm.objects.basicApi.getPage('p1_nothing', 10));
			expect(unknown.body.message).toBe('Unable to infer object type from: p1_nothing');
		});
	});
});
