/**
 * How lookups become `@odata.bind`s, built without a server: the navigation properties from the table's many-to-one
 * relationships when the metadata names them (a custom lookup's schema name), else the conventions (logical name,
 * `{lookup}_{target}`, the owner's one name); null clears every navigation property of a multi-target lookup.
 */
import type { DataverseEntity, DataverseSchema } from '../../../../core/connectors/dynamics/schema';
import { lookupNavigations } from '../../../../core/connectors/dynamics/schema';
import { singleValued } from '../../../../core/connectors/dynamics/relate';
import { lookupNavigation, prepareWrites } from '../../../../core/connectors/dynamics/writeRequest';

const ref = (name: string, crmType: string, referenceTo: string[]) => ({
	name,
	type: 'reference',
	crmType,
	referenceTo,
	createable: true,
	updateable: true,
	readOnly: false,
});
const entity = (logicalName: string, name: string) => ({ logicalName, name }) as DataverseEntity;
const entities = [entity('account', 'accounts'), entity('contact', 'contacts')];
const fields = [
	ref('new_accountid', 'Lookup', ['account']),
	ref('parentcustomerid', 'Customer', ['account', 'contact']),
	ref('ownerid', 'Owner', ['systemuser', 'team']),
];
const schema = (navigations?: DataverseSchema['navigations']) =>
	({
		name: 'new_projects',
		idField: 'new_projectid',
		fields,
		lookups: new Set(fields.map((f) => f.name)),
		navigations,
	}) as unknown as DataverseSchema;
const GUID = '2b2f7c1e-0000-4000-8000-00000000000a';

const bodyOf = (s: DataverseSchema, values: Record<string, unknown>) => {
	const [r] = prepareWrites(s, entities, 'update', [{ id: GUID, fields: values }], undefined);
	if (!r.ok) throw new Error(r.message);
	return r.request.body;
};

it('lookupNavigations: lookup → target → navigation property, rows without one skipped', () => {
	expect(
		lookupNavigations({
			ManyToOneRelationships: [
				{
					ReferencingAttribute: 'new_accountid',
					ReferencedEntity: 'account',
					ReferencingEntityNavigationPropertyName: 'new_AccountId',
				},
				{ ReferencingAttribute: 'ownerid', ReferencedEntity: 'owner' },
			],
		}),
	).toEqual({ new_accountid: { account: 'new_AccountId' } });
	expect(lookupNavigations({})).toEqual({});
});

it('binds through the metadata navigation property, else by convention', () => {
	const known = schema({ new_accountid: { account: 'new_AccountId' } });
	expect(lookupNavigation(known, 'new_accountid', 'account')).toBe('new_AccountId');
	expect(bodyOf(known, { new_accountid: GUID })).toEqual({
		'new_AccountId@odata.bind': `/accounts(${GUID})`,
	});
	const bare = schema();
	expect(bodyOf(bare, { new_accountid: GUID })).toEqual({
		'new_accountid@odata.bind': `/accounts(${GUID})`,
	});
	expect(bodyOf(bare, { parentcustomerid: `contacts(${GUID})` })).toEqual({
		'parentcustomerid_contact@odata.bind': `/contacts(${GUID})`,
	});
	expect(lookupNavigation(bare, 'ownerid', 'team')).toBe('ownerid');
	expect(singleValued(known, 'new_AccountId')).toBe(true);
	expect(singleValued(known, 'new_account_new_project')).toBe(false);
});

it('null clears: one bind for a single target, one per target for a multi-target lookup; never the owner', () => {
	const s = schema();
	expect(bodyOf(s, { new_accountid: null })).toEqual({ 'new_accountid@odata.bind': null });
	expect(() => bodyOf(s, { ownerid: null })).toThrow(
		/not sent: ownerid cannot be cleared: every row has an owner/,
	);
	expect(bodyOf(s, { parentcustomerid: null })).toEqual({
		'parentcustomerid_account@odata.bind': null,
		'parentcustomerid_contact@odata.bind': null,
	});
});
