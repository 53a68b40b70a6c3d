import { client } from '../helpers';
import { dvError, fetchToken, startDv, type StartedDv } from './helpers';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- metadata is arbitrary JSON navigated in assertions
type Json = any;

const O2M = 'Microsoft.Dynamics.CRM.OneToManyRelationshipMetadata';
const M2M = 'Microsoft.Dynamics.CRM.ManyToManyRelationshipMetadata';

describe('Dataverse simulator: relationship definitions', () => {
	let s: StartedDv;
	let token: string;
	let api: string;

	beforeAll(async () => {
		s = await startDv({ seed: 5 });
		token = await fetchToken(s.contract);
		api = s.contract.apiUrl;
	});
	afterAll(() => s.sim.stop());

	const raw = () =>
		client(`${api}/`, { Authorization: `Bearer ${token}`, Accept: 'application/json' });
	const entityNav = (table: string, navigationProperty: string, select?: string[]) =>
		s.api.retrieve({
			collection: 'EntityDefinitions',
			key: `LogicalName='${table}'`,
			navigationProperty,
			select,
		}) as Promise<Json>;

	it("contact's ManyToOneRelationships name its lookups' navigation properties", async () => {
		const res = await entityNav('contact', 'ManyToOneRelationships', [
			'SchemaName',
			'ReferencedEntity',
			'ReferencingEntity',
			'ReferencingAttribute',
			'ReferencedEntityNavigationPropertyName',
			'ReferencingEntityNavigationPropertyName',
		]);
		expect(res.oDataContext).toBe(
			`${api}/$metadata#EntityDefinitions('contact')/ManyToOneRelationships(SchemaName,ReferencedEntity,ReferencingEntity,ReferencingAttribute,ReferencedEntityNavigationPropertyName,ReferencingEntityNavigationPropertyName)`,
		);
		const rows = res.value.map(({ MetadataId, ...rest }: Json) => {
			expect(MetadataId).toMatch(/^[0-9a-f-]{36}$/);
			return rest;
		});
		expect(rows).toEqual([
			{
				SchemaName: 'contact_customer_accounts',
				ReferencedEntity: 'account',
				ReferencingEntity: 'contact',
				ReferencingAttribute: 'parentcustomerid',
				ReferencedEntityNavigationPropertyName: 'contact_customer_accounts',
				ReferencingEntityNavigationPropertyName: 'parentcustomerid_account',
			},
			{
				SchemaName: 'contact_customer_contacts',
				ReferencedEntity: 'contact',
				ReferencingEntity: 'contact',
				ReferencingAttribute: 'parentcustomerid',
				ReferencedEntityNavigationPropertyName: 'contact_customer_contacts',
				ReferencingEntityNavigationPropertyName: 'parentcustomerid_contact',
			},
		]);
	});

	it("account's OneToMany / ManyToMany relationships; every navigation name works with $expand and @odata.bind", async () => {
		const one = await entityNav('account', 'OneToManyRelationships', [
			'SchemaName',
			'ReferencingEntity',
		]);
		expect(one.value.map((r: Json) => [r.SchemaName, r.ReferencingEntity])).toEqual([
			['contact_customer_accounts', 'contact'],
			['opportunity_customer_accounts', 'opportunity'],
			['new_account_new_project', 'new_project'],
		]);
		const many = await entityNav('account', 'ManyToManyRelationships');
		expect(many.value).toEqual([
			expect.objectContaining({
				SchemaName: 'accountleads_association',
				RelationshipType: 'ManyToManyRelationship',
				Entity1LogicalName: 'account',
				Entity2LogicalName: 'lead',
				IntersectEntityName: 'accountleads',
				Entity1NavigationPropertyName: 'accountleads_association',
				Entity2NavigationPropertyName: 'accountleads_association',
			}),
		]);
		// The metadata and the data agree: each 1:N's two navigation properties are served by the record routes.
		const all: Json = await s.api.retrieveRelationships({ castType: O2M });
		const a = (await s.api.create({ collection: 'accounts', data: { name: 'A' } })) as string;
		for (const r of all.value) {
			const referenced = r.ReferencedEntity === 'account' ? 'accounts' : 'contacts';
			const referencing = `${r.ReferencingEntity === 'opportunity' ? 'opportunities' : `${r.ReferencingEntity}s`}`;
			const down = await raw().get(
				`${referenced}?$top=1&$expand=${r.ReferencedEntityNavigationPropertyName}`,
			);
			const up = await raw().get(
				`${referencing}?$top=1&$expand=${r.ReferencingEntityNavigationPropertyName}`,
			);
			expect([r.SchemaName, down.status, up.status]).toEqual([r.SchemaName, 200, 200]);
		}
		const c = (await s.api.create({
			collection: 'contacts',
			data: { lastname: 'B', 'parentcustomerid_account@odata.bind': `/accounts(${a})` },
		})) as string;
		expect(s.sim.collection('contact').get(c)!.fields.parentcustomerid).toEqual({
			id: a,
			logicalName: 'account',
		});
	});

	it('RelationshipDefinitions: base type rows carry @odata.type; casts, $filter, $select, by SchemaName', async () => {
		const base: Json = await s.api.retrieveRelationships({ select: ['SchemaName'] });
		expect(base.oDataContext).toBe(`${api}/$metadata#RelationshipDefinitions(SchemaName)`);
		expect(base.value).toHaveLength(7);
		expect(
			base.value.find((r: Json) => r.SchemaName === 'accountleads_association')['@odata.type'],
		).toBe(`#${M2M}`);

		const filtered: Json = await s.api.retrieveRelationships({
			castType: O2M,
			select: ['SchemaName'],
			filter: "ReferencedEntity eq 'contact'",
		});
		expect(filtered.value.map((r: Json) => r.SchemaName)).toEqual([
			'contact_customer_contacts',
			'account_primary_contact',
			'opportunity_customer_contacts',
		]);
		expect(filtered.value[0]['@odata.type']).toBeUndefined();

		const enumFilter = await raw().get(
			"RelationshipDefinitions?$select=SchemaName&$filter=RelationshipType eq Microsoft.Dynamics.CRM.RelationshipType'ManyToManyRelationship'",
		);
		expect(enumFilter.data.value.map((r: Json) => r.SchemaName)).toEqual([
			'accountleads_association',
		]);

		const one: Json = await s.api.retrieveRelationship({
			key: "SchemaName='account_primary_contact'",
			castType: O2M,
		});
		expect(one).toMatchObject({
			ReferencedEntity: 'contact',
			ReferencingEntity: 'account',
			ReferencingAttribute: 'primarycontactid',
			ReferencingEntityNavigationPropertyName: 'primarycontactid',
			ReferencedEntityNavigationPropertyName: 'account_primary_contact',
		});
		const byId: Json = await s.api.retrieveRelationship({
			key: one.MetadataId,
			select: ['SchemaName'],
		});
		expect(byId.SchemaName).toBe('account_primary_contact');
	});

	it('expands relationship collections of an EntityDefinition', async () => {
		const e: Json = await s.api.retrieveEntity({
			key: "LogicalName='new_project'",
			select: ['LogicalName'],
			expand: [
				{
					property: 'ManyToOneRelationships',
					select: ['SchemaName', 'ReferencingEntityNavigationPropertyName'],
				},
			],
		});
		expect(e.ManyToOneRelationships).toEqual([
			expect.objectContaining({
				SchemaName: 'new_account_new_project',
				ReferencingEntityNavigationPropertyName: 'new_AccountId',
			}),
		]);
		expect(e.ManyToOneRelationships[0].ReferencedEntity).toBeUndefined();
	});

	it('answers errors for unknown properties, casts and relationships', async () => {
		const baseProp = await dvError(
			s.api.retrieveRelationships({ filter: "ReferencedEntity eq 'account'" }),
		);
		expect(baseProp.status).toBe(400);
		expect(baseProp.message).toBe(
			"Could not find a property named 'ReferencedEntity' on type 'Microsoft.Dynamics.CRM.RelationshipMetadataBase'.",
		);
		expect((await raw().get('RelationshipDefinitions?$select=Nope')).status).toBe(400);
		expect((await raw().get('RelationshipDefinitions/Microsoft.Dynamics.CRM.Nope')).status).toBe(
			404,
		);
		expect((await raw().get("RelationshipDefinitions(SchemaName='nope')")).status).toBe(404);
		expect(
			(await raw().get(`RelationshipDefinitions(SchemaName='accountleads_association')/${O2M}`))
				.status,
		).toBe(400);
		expect(
			(await raw().get("EntityDefinitions(LogicalName='nope')/OneToManyRelationships")).status,
		).toBe(404);
		expect(s.sim.log.count({ kind: 'metadata.relationships', status: 404 })).toBe(3);
	});
});
