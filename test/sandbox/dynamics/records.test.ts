import { ManualClock } from '../../../sandbox/kit';
import { dvError, startDv, type StartedDv } from './helpers';

const T0 = Date.UTC(2024, 4, 1, 9, 0, 0);

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- records are arbitrary JSON navigated in assertions
type Json = any;

describe('Dataverse simulator: records (dynamics-web-api)', () => {
	const clock = new ManualClock(T0);
	let s: StartedDv;

	beforeAll(async () => {
		s = await startDv({ clock, records: { accounts: 10, contacts: 40 } });
	});
	afterAll(() => s.sim.stop());

	it('gets one client-credentials token from the token endpoint and uses it for every call', async () => {
		await s.api.retrieveMultiple({ collection: 'accounts', select: ['name'], top: 1 });
		await s.api.retrieveMultiple({ collection: 'contacts', select: ['fullname'], top: 1 });
		expect(s.tokensFetched()).toBe(1);
		expect(s.sim.log.count({ kind: 'token' })).toBe(1);
		expect(s.sim.log.count({ kind: 'records.list', status: 200 })).toBe(2);
	});

	it('creates (204 + OData-EntityId), retrieves with $select and computes fullname', async () => {
		const before = s.sim.collection('contact').count();
		const id = (await s.api.create({
			collection: 'contacts',
			data: { firstname: 'Ada', lastname: 'Byron', birthdate: '1815-12-10', gendercode: 2 },
		})) as string;
		expect(id).toMatch(/^[0-9a-f-]{36}$/);
		expect(s.sim.collection('contact').count()).toBe(before + 1);
		const r: Json = await s.api.retrieve({
			collection: 'contacts',
			key: id,
			select: ['fullname', 'birthdate', 'gendercode'],
		});
		expect(r).toMatchObject({
			contactid: id,
			fullname: 'Ada Byron',
			birthdate: '1815-12-10',
			gendercode: 2,
		});
		expect(r['@odata.etag']).toMatch(/^W\/"\d+"$/);
		expect(r.lastname).toBeUndefined();
	});

	it('answers 201 with the record for Prefer: return=representation', async () => {
		const r: Json = await s.api.create({
			collection: 'accounts',
			data: { name: 'Contoso', revenue: 1000, industrycode: 7 },
			returnRepresentation: true,
			select: ['name', 'revenue', 'createdon'],
		});
		expect(r).toMatchObject({ name: 'Contoso', revenue: 1000 });
		expect(r.createdon).toEqual(new Date(T0)); // dynamics-web-api revives ISO dates
		expect(s.sim.log.entries({ kind: 'records.create' }).at(-1)?.status).toBe(201);
	});

	it('updates with PATCH: new ETag, new modifiedon, other columns kept', async () => {
		const id = (await s.api.create({
			collection: 'contacts',
			data: { firstname: 'Tim', lastname: 'Lee', jobtitle: 'CTO' },
		})) as string;
		const before: Json = await s.api.retrieve({ collection: 'contacts', key: id });
		clock.advance(60_000);
		await s.api.update({ collection: 'contacts', key: id, data: { lastname: 'Berners-Lee' } });
		const after: Json = await s.api.retrieve({ collection: 'contacts', key: id });
		expect(after).toMatchObject({ fullname: 'Tim Berners-Lee', jobtitle: 'CTO' });
		expect(after['@odata.etag']).not.toBe(before['@odata.etag']);
		expect(Date.parse(after.modifiedon) - Date.parse(before.modifiedon)).toBeGreaterThanOrEqual(
			60_000,
		);
		expect(s.sim.collection('contact').get(id)?.version).toBe(2);
	});

	it('upserts by alternate key: twice gives one record, updated the second time', async () => {
		const key = "emailaddress1='grace@example.com'";
		await s.api.upsert({
			collection: 'contacts',
			key,
			data: { firstname: 'Grace', lastname: 'Hopper' },
		});
		await s.api.upsert({ collection: 'contacts', key, data: { jobtitle: 'Rear Admiral' } });
		const matches = s.sim.collection('contact').findBy('emailaddress1', 'grace@example.com');
		expect(matches).toHaveLength(1);
		expect(matches[0].fields).toMatchObject({ fullname: 'Grace Hopper', jobtitle: 'Rear Admiral' });
		const r: Json = await s.api.retrieve({ collection: 'contacts', key, select: ['jobtitle'] });
		expect(r.contactid).toBe(matches[0].id);
	});

	it('If-None-Match: * on an existing key answers 412 and changes nothing', async () => {
		const key = "emailaddress1='grace@example.com'";
		const version = s.sim
			.collection('contact')
			.findBy('emailaddress1', 'grace@example.com')[0].version;
		const e = await dvError(
			s.api.upsert({ collection: 'contacts', key, data: { jobtitle: 'X' }, ifnonematch: '*' }),
		);
		expect(e).toMatchObject({
			status: 412,
			code: '0x80040237',
			message: 'A record with matching key values already exists.',
		});
		expect(
			s.sim.collection('contact').findBy('emailaddress1', 'grace@example.com')[0].version,
		).toBe(version);
	});

	it('If-Match: * on a missing key answers 404 and creates nothing', async () => {
		const before = s.sim.collection('contact').count();
		const e = await dvError(
			s.api.upsert({
				collection: 'contacts',
				key: "emailaddress1='nobody@example.com'",
				data: { lastname: 'N' },
				ifmatch: '*',
			}),
		);
		expect(e).toMatchObject({ status: 404, code: '0x80040217' });
		expect(s.sim.collection('contact').count()).toBe(before);
	});

	it('a stale ETag in If-Match answers 412 (update and delete)', async () => {
		const id = (await s.api.create({
			collection: 'contacts',
			data: { lastname: 'Stale' },
		})) as string;
		const first: Json = await s.api.retrieve({ collection: 'contacts', key: id });
		await s.api.update({
			collection: 'contacts',
			key: id,
			data: { jobtitle: 'v2' },
			ifmatch: first['@odata.etag'],
		});
		const e = await dvError(
			s.api.update({
				collection: 'contacts',
				key: id,
				data: { jobtitle: 'v3' },
				ifmatch: first['@odata.etag'],
			}),
		);
		expect(e).toMatchObject({ status: 412, code: '0x80060882' });
		const d = await dvError(
			s.api.deleteRecord({ collection: 'contacts', key: id, ifmatch: first['@odata.etag'] }),
		);
		expect(d.status).toBe(412);
		expect(s.sim.collection('contact').get(id)?.fields.jobtitle).toBe('v2');
	});

	it('deletes, then the record is gone (404 with Dataverse code and message)', async () => {
		const id = (await s.api.create({
			collection: 'contacts',
			data: { lastname: 'Gone' },
		})) as string;
		await s.api.deleteRecord({ collection: 'contacts', key: id });
		expect(s.sim.collection('contact').get(id)).toBeUndefined();
		expect(s.sim.collection('contact').get(id, { includeDeleted: true })?.deletedAt).not.toBeNull();
		const e = await dvError(s.api.retrieve({ collection: 'contacts', key: id }));
		expect(e).toMatchObject({
			status: 404,
			code: '0x80040217',
			message: `contact With Id = ${id} Does Not Exist`,
		});
		expect((await dvError(s.api.deleteRecord({ collection: 'contacts', key: id }))).status).toBe(
			404,
		);
		// An upsert by the deleted id creates the row again (Dataverse ids of deleted rows are free).
		await s.api.upsert({ collection: 'contacts', key: id, data: { lastname: 'Back' } });
		expect(s.sim.collection('contact').get(id)?.fields.fullname).toBe('Back');
	});

	it('sets a lookup with @odata.bind and reads it back as _parentcustomerid_value', async () => {
		const accountId = (await s.api.create({
			collection: 'accounts',
			data: { name: 'Bound Ltd' },
		})) as string;
		const id = (await s.api.create({
			collection: 'contacts',
			data: { lastname: 'Bound', 'parentcustomerid_account@odata.bind': `/accounts(${accountId})` },
		})) as string;
		const r: Json = await s.api.retrieve({
			collection: 'contacts',
			key: id,
			select: ['_parentcustomerid_value'],
		});
		expect(r._parentcustomerid_value).toBe(accountId);
		expect(s.sim.collection('contact').get(id)?.fields.parentcustomerid).toEqual({
			id: accountId,
			logicalName: 'account',
		});
		const missing = await dvError(
			s.api.create({
				collection: 'contacts',
				data: {
					lastname: 'X',
					'parentcustomerid_account@odata.bind': '/accounts(00000000-0000-0000-0000-0000000000aa)',
				},
			}),
		);
		expect(missing).toMatchObject({ status: 404, code: '0x80040217' });
		const annotated: Json = await s.api.retrieve({
			collection: 'contacts',
			key: id,
			select: ['_parentcustomerid_value'],
			includeAnnotations: '*',
		});
		expect(annotated).toMatchObject({
			'_parentcustomerid_value@Microsoft.Dynamics.CRM.lookuplogicalname': 'account',
			'_parentcustomerid_value@Microsoft.Dynamics.CRM.associatednavigationproperty':
				'parentcustomerid_account',
			'_parentcustomerid_value@OData.Community.Display.V1.FormattedValue': 'Bound Ltd',
		});
		const direct = await dvError(
			s.api.update({
				collection: 'contacts',
				key: id,
				data: { _parentcustomerid_value: accountId },
			}),
		);
		expect(direct.status).toBe(400);
	});

	it('validates values: option set range, max length, unknown properties', async () => {
		const bad = (data: Json) => dvError(s.api.create({ collection: 'contacts', data }));
		expect(await bad({ lastname: 'X', gendercode: 9 })).toMatchObject({
			status: 400,
			code: '0x8004431a',
		});
		expect(await bad({ lastname: 'X', firstname: 'y'.repeat(51) })).toMatchObject({
			status: 400,
			code: '0x80044331',
		});
		expect((await bad({ lastname: 'X', nosuchcolumn: 1 })).message).toContain(
			"The property 'nosuchcolumn' does not exist",
		);
		expect(await bad({ lastname: 'X', birthdate: 'yesterday' })).toMatchObject({ status: 400 });
	});

	it('refuses a second record with the same alternate key value', async () => {
		const e = await dvError(
			s.api.create({
				collection: 'contacts',
				data: { lastname: 'Dup', emailaddress1: 'grace@example.com' },
			}),
		);
		expect(e).toMatchObject({ status: 412, code: '0x80060892' });
		expect(s.sim.collection('contact').findBy('emailaddress1', 'grace@example.com')).toHaveLength(
			1,
		);
	});

	it('WhoAmI names the application user, a seeded read-only system user', async () => {
		const who: Json = await s.api.callFunction({ name: 'WhoAmI' });
		expect(who.UserId).toBe(s.sim.identity.appUserId);
		expect(who).toMatchObject({
			BusinessUnitId: s.sim.identity.businessUnitId,
			OrganizationId: s.sim.identity.organizationId,
		});
		const user: Json = await s.api.retrieve({
			collection: 'systemusers',
			key: who.UserId,
			select: ['fullname'],
		});
		expect(user.fullname).toBe('# Sandbox Application User');
		const e = await dvError(s.api.create({ collection: 'systemusers', data: { firstname: 'No' } }));
		expect(e).toMatchObject({ status: 403, code: '0x80040220' });
	});
});
