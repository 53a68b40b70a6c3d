/**
 * The Dynamics 365 node's dynamic lists, as n8n's editor calls them (loaded from the built package), against the
 * Dataverse simulator: tables from metadata, columns, and the resource mapper's fields from describe — option sets as
 * options (Dataverse's integers), lookups as reference fields, alternate keys and the row id as match columns.
 */
import type { ILoadOptionsFunctions, INode, INodeType, ResourceMapperFields } from 'n8n-workflow';

import { clearRateBudgets } from '../../../core/http/rateLimiter';
import { DynamicsSimulator, type DynamicsSimContract } from '../../../sandbox/dynamics';
import { loadPackage, nodeTypeName } from '../../helpers/engine';

const sim = new DynamicsSimulator({ seed: 3 });
let c: DynamicsSimContract;
let nodeType: INodeType;

beforeAll(async () => {
	c = await sim.start();
	const { nodeTypes } = await loadPackage();
	nodeType = nodeTypes.getByNameAndVersion(nodeTypeName('dynamics365'), 1);
});
afterAll(async () => {
	clearRateBudgets();
	await sim.stop();
});

/**
 * The part of ILoadOptionsFunctions the methods use. n8n's `httpRequestWithAuthentication` is stood in for by a
 * bearer token the simulator issued (the credential's preAuthentication is tested in credentialTests.test.ts).
 */
function context(parameters: Record<string, unknown>): ILoadOptionsFunctions {
	const node = {
		name: 'Dynamics 365',
		type: nodeTypeName('dynamics365'),
		typeVersion: 1,
		parameters: { authentication: 'clientCredentials', ...parameters },
		credentials: {
			crmDynamicsClientCredentialsApi: { id: 'dynamics-sandbox', name: 'Dynamics sandbox' },
		},
	} as unknown as INode;
	const token = sim.issueToken();
	return {
		getNode: () => node,
		getCurrentNodeParameter: (name: string) => parameters[name],
		getCredentials: async () => ({ environmentUrl: c.serverUrl }),
		helpers: {
			httpRequestWithAuthentication: async (
				_type: string,
				o: {
					url: string;
					method: string;
					qs?: Record<string, string>;
					headers?: Record<string, string>;
				},
			) => {
				const url = new URL(o.url);
				for (const [k, v] of Object.entries(o.qs ?? {})) url.searchParams.set(k, String(v));
				const res = await fetch(url, {
					method: o.method,
					headers: { ...o.headers, Authorization: `Bearer ${token}` },
				});
				return {
					statusCode: res.status,
					headers: Object.fromEntries(res.headers.entries()),
					body: await res.text(),
				};
			},
		},
	} as unknown as ILoadOptionsFunctions;
}

it('lists the tables from EntityDefinitions', async () => {
	const options = await nodeType.methods!.loadOptions!.getTables.call(context({}));
	expect(options.map((o) => o.value)).toEqual(expect.arrayContaining(['contacts', 'accounts']));
	expect(options.find((o) => o.value === 'contacts')?.name).toBe('Contact');
});

it('lists the columns of the chosen table', async () => {
	const options = await nodeType.methods!.loadOptions!.getColumns.call(
		context({ table: 'contacts' }),
	);
	expect(options.map((o) => o.value)).toEqual(
		expect.arrayContaining(['lastname', 'emailaddress1', 'parentcustomerid']),
	);
});

it('resource mapper: option sets as options, lookups as references, keys to match on', async () => {
	const upsert = (await nodeType.methods!.resourceMapping!.getFields.call(
		context({ table: 'contacts', operation: 'upsert' }),
	)) as ResourceMapperFields;
	const byId = Object.fromEntries(upsert.fields.map((f) => [f.id, f]));
	expect(byId.gendercode).toMatchObject({ type: 'options' });
	expect(byId.gendercode.options).toEqual(
		expect.arrayContaining([expect.objectContaining({ value: 1 })]),
	);
	expect(byId.parentcustomerid.displayName).toMatch(/account \/ contact|contact \/ account/);
	expect(byId.emailaddress1).toMatchObject({ canBeUsedToMatch: true });
	expect(byId.contactid).toMatchObject({ canBeUsedToMatch: true });
	expect(byId.lastname).toMatchObject({ canBeUsedToMatch: false });
	expect(byId.fullname).toBeUndefined(); // read-only: never offered

	const create = (await nodeType.methods!.resourceMapping!.getFields.call(
		context({ table: 'contacts', operation: 'create' }),
	)) as ResourceMapperFields;
	expect(create.fields.find((f) => f.id === 'lastname')).toMatchObject({ required: true });
	expect(create.fields.find((f) => f.id === 'contactid')).toBeUndefined();
});
