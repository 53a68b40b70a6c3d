/**
 * The requests of the Dynamics 365 node's extra operations, built without a server: function calls with parameter
 * aliases (values quoted, doubled and percent-encoded), actions with a JSON body, bound calls, names refused before
 * sending; which navigation properties are single-valued; GETs as top-level `$batch` parts; the navigation properties
 * of a table from its relationship metadata.
 */
import { batchBody } from '../../../../core/connectors/dynamics/batch';
import { aliasValue, executeRequest } from '../../../../core/connectors/dynamics/execute';
import type { DataverseClient } from '../../../../core/connectors/dynamics/client';
import { singleValued } from '../../../../core/connectors/dynamics/relate';
import {
	listDataverseNavigations,
	navigationsOf,
} from '../../../../core/connectors/dynamics/relationships';
import type { DataverseSchema } from '../../../../core/connectors/dynamics/schema';

const GUID = '2b2f7c1e-0000-4000-8000-00000000000a';

describe('aliasValue', () => {
	it('quotes text with quotes doubled, then percent-encodes what could end the value or add a parameter', () => {
		expect(aliasValue("O'Brien & co")).toBe("'O''Brien%20%26%20co'");
		expect(decodeURIComponent(aliasValue("x' or '1'='1"))).toBe("'x'' or ''1''=''1'");
		expect(aliasValue('a#b?c=d')).toBe("'a%23b%3Fc%3Dd'");
	});
	it('numbers, booleans and null plain; a GUID bare; lists and objects as JSON', () => {
		expect([aliasValue(1033), aliasValue(true), aliasValue(null)]).toEqual([
			'1033',
			'true',
			'null',
		]);
		expect(aliasValue(`{${GUID.toUpperCase()}}`)).toBe(GUID);
		expect(decodeURIComponent(aliasValue(['contact', "o'x"]))).toBe('["contact","o\'x"]');
	});
});

describe('executeRequest', () => {
	it('a function: GET with aliases in order, a top-level part', () => {
		expect(
			executeRequest(
				{
					kind: 'function',
					name: 'GetTimeZoneCodeByLocalizedName',
					parameters: { LocalizedStandardName: 'Pacific Standard Time', LocaleId: 1033 },
				},
				'1',
			),
		).toEqual({
			contentId: '1',
			method: 'GET',
			path: "GetTimeZoneCodeByLocalizedName(LocalizedStandardName=@p1,LocaleId=@p2)?@p1='Pacific%20Standard%20Time'&@p2=1033",
			topLevel: true,
		});
		expect(executeRequest({ kind: 'function', name: 'WhoAmI', parameters: {} }, '2')).toMatchObject(
			{ path: 'WhoAmI()' },
		);
	});
	it('a bound action: POST to the qualified name with the parameters as body', () => {
		expect(
			executeRequest(
				{
					kind: 'action',
					name: 'QualifyLead',
					bound: { set: 'leads', id: GUID },
					parameters: { CreateAccount: true, Status: 3 },
				},
				'3',
			),
		).toEqual({
			contentId: '3',
			method: 'POST',
			path: `leads(${GUID})/Microsoft.Dynamics.CRM.QualifyLead`,
			body: { CreateAccount: true, Status: 3 },
		});
	});
	it('refuses names, parameter names and row ids that could change the URL', () => {
		const call = (name: string, parameters: Record<string, unknown> = {}, id?: string) =>
			executeRequest(
				{ kind: 'function', name, parameters, ...(id ? { bound: { set: 'leads', id } } : {}) },
				'1',
			);
		expect(call("WhoAmI()?$x='")).toMatch(/is not a function or action name/);
		expect(call('WhoAmI', { 'a=@p9&b': 1 })).toMatch(/is not a parameter name/);
		expect(call('X', {}, `${GUID})/../accounts(`)).toMatch(/is not a GUID/);
	});
});

describe('singleValued', () => {
	const schema = {
		fields: [
			{ name: 'primarycontactid', type: 'reference', crmType: 'Lookup', referenceTo: ['contact'] },
			{
				name: 'parentcustomerid',
				type: 'reference',
				crmType: 'Customer',
				referenceTo: ['account', 'contact'],
			},
			{ name: 'ownerid', type: 'reference', crmType: 'Owner', referenceTo: ['systemuser', 'team'] },
			{ name: 'new_accountid', type: 'reference', crmType: 'Lookup', referenceTo: ['account'] },
		],
	} as unknown as DataverseSchema;
	it('lookups (per target when several, the schema-name casing of custom ones) vs collections', () => {
		expect(singleValued(schema, 'primarycontactid')).toBe(true);
		expect(singleValued(schema, 'parentcustomerid_account')).toBe(true);
		expect(singleValued(schema, 'ownerid')).toBe(true);
		expect(singleValued(schema, 'new_AccountId')).toBe(true);
		expect(singleValued(schema, 'contact_customer_accounts')).toBe(false);
		expect(singleValued(schema, 'accountleads_association')).toBe(false);
	});
});

it('batchBody: writes in change sets with a Content-ID, GETs as top-level parts without one', () => {
	const body = batchBody(
		'https://org.example.com/api/data/v9.2',
		[
			{ contentId: '1', method: 'GET', path: 'WhoAmI()', topLevel: true },
			{ contentId: '2', method: 'POST', path: 'accounts', body: { name: 'A' } },
		],
		'batch_x',
	);
	const parts = body.split('--batch_x').slice(1, -1);
	expect(parts).toHaveLength(2);
	expect(parts[0]).not.toContain('changeset_');
	expect(parts[0]).not.toContain('Content-ID');
	expect(parts[0]).toContain('GET https://org.example.com/api/data/v9.2/WhoAmI() HTTP/1.1');
	expect(parts[1]).toMatch(/Content-Type: multipart\/mixed; boundary=changeset_/);
	expect(parts[1]).toContain('Content-ID: 2');
	expect(body.endsWith('--batch_x--\r\n')).toBe(true);
});

describe('relationship metadata → navigation properties', () => {
	// The shape of `EntityDefinitions(LogicalName='account')?$expand=OneToManyRelationships(…),…` (Microsoft's names).
	const account = {
		LogicalName: 'account',
		OneToManyRelationships: [
			{
				SchemaName: 'contact_customer_accounts',
				ReferencingEntity: 'contact',
				ReferencedEntityNavigationPropertyName: 'contact_customer_accounts',
			},
		],
		ManyToOneRelationships: [
			{
				SchemaName: 'account_primary_contact',
				ReferencedEntity: 'contact',
				ReferencingEntityNavigationPropertyName: 'primarycontactid',
			},
		],
		ManyToManyRelationships: [
			{
				SchemaName: 'accountleads_association',
				Entity1LogicalName: 'account',
				Entity2LogicalName: 'lead',
				Entity1NavigationPropertyName: 'accountleads_association',
				Entity2NavigationPropertyName: 'accountleads_association',
			},
		],
	};

	it('one-to-many, many-to-one and this side of many-to-many, by name', () => {
		expect(navigationsOf('account', account)).toEqual([
			{
				name: 'accountleads_association',
				kind: 'manyToMany',
				schemaName: 'accountleads_association',
				otherTable: 'lead',
			},
			{
				name: 'contact_customer_accounts',
				kind: 'oneToMany',
				schemaName: 'contact_customer_accounts',
				otherTable: 'contact',
			},
			{
				name: 'primarycontactid',
				kind: 'manyToOne',
				schemaName: 'account_primary_contact',
				otherTable: 'contact',
			},
		]);
	});

	it('reads them in one request, the three collections expanded', async () => {
		const calls: Array<{ path: string; query: unknown }> = [];
		const client = {
			get: async (path: string, options: { query: unknown }) => {
				calls.push({ path, query: options.query });
				return account;
			},
		} as unknown as DataverseClient;
		const navs = await listDataverseNavigations(client, 'account');
		expect(navs.map((n) => n.name)).toEqual([
			'accountleads_association',
			'contact_customer_accounts',
			'primarycontactid',
		]);
		expect(calls).toHaveLength(1);
		expect(calls[0].path).toBe("EntityDefinitions(LogicalName='account')");
		expect(String((calls[0].query as { $expand: string }).$expand)).toMatch(
			/^OneToManyRelationships\(\$select=.*ReferencedEntityNavigationPropertyName\),ManyToOneRelationships\(\$select=.*ReferencingEntityNavigationPropertyName\),ManyToManyRelationships\(\$select=.*Entity2NavigationPropertyName\)$/,
		);
	});
});
