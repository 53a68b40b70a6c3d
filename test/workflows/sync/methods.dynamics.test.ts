/**
 * The CRM Sync node's pickers with Dynamics 365 on a side, called as n8n's editor calls them (the node's methods,
 * loaded from the built package) against the Dataverse simulator: the tables and a table's fields come from
 * Dataverse's metadata through the credential the side's Dynamics 365 authentication names.
 */
import type { IDataObject, ILoadOptionsFunctions, INode, INodeType } from 'n8n-workflow';

import { clearRateBudgets } from '../../../core/http/rateLimiter';
import { DynamicsSimulator, type DynamicsSimContract } from '../../../sandbox/dynamics';
import { loadPackage, nodeTypeName } from '../../helpers/engine';

const sim = new DynamicsSimulator({ seed: 5 });
let c: DynamicsSimContract;
let nodeType: INodeType;

beforeAll(async () => {
	c = await sim.start();
	const { nodeTypes } = await loadPackage();
	nodeType = nodeTypes.getByNameAndVersion(nodeTypeName('crmSync'), 1);
});
afterAll(async () => {
	clearRateBudgets();
	await sim.stop();
});
beforeEach(() => clearRateBudgets());

/** Credential types the methods asked for, and the ones n8n was asked to sign requests with. */
interface Calls {
	credentials: string[];
	signedWith: string[];
}

/**
 * A load-options context over the node's parameters. n8n's `httpRequestWithAuthentication` is stood in for by a
 * bearer token the simulator issued (the credential's preAuthentication is tested with the Dynamics 365 node).
 */
function context(parameters: IDataObject, calls: Calls): ILoadOptionsFunctions {
	const node = {
		name: 'CRM Sync',
		type: nodeTypeName('crmSync'),
		typeVersion: 1,
		parameters,
		credentials: {
			crmDynamicsClientCredentialsApi: { id: 'dv-cc', name: 'Dataverse (client credentials)' },
			crmDynamicsOAuth2Api: { id: 'dv-oauth', name: 'Dataverse (OAuth2)' },
		},
	} as unknown as INode;
	const token = sim.issueToken();
	return {
		getNode: () => node,
		getNodeParameter: (name: string, fallback?: unknown) => parameters[name] ?? fallback,
		getCurrentNodeParameter: (name: string) => parameters[name],
		getCredentials: async (type: string) => {
			calls.credentials.push(type);
			return { environmentUrl: c.serverUrl };
		},
		helpers: {
			httpRequestWithAuthentication: async (
				type: string,
				o: { url: string; method: string; qs?: IDataObject; headers?: Record<string, string> },
			) => {
				calls.signedWith.push(type);
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

const newCalls = (): Calls => ({ credentials: [], signedWith: [] });
const methods = () => nodeType.methods!.loadOptions!;
/** Option-set reads (`…/Attributes/Microsoft.Dynamics.CRM.PicklistAttributeMetadata` and the like). */
const optionSetReads = () =>
	sim.log.entries().filter((e) => /AttributeMetadata/.test(e.path)).length;

/** Dynamics 365 on side B (client credentials), Salesforce on A. */
const SF_DV = {
	systemA: 'salesforce',
	salesforceAuthentication: 'oAuth2',
	systemB: 'dynamics',
	dynamicsAuthentication: 'clientCredentials',
	objectA: 'Contact',
	objectB: 'contacts',
};

describe('CRM Sync pickers with Dynamics 365', () => {
	it("lists side B's Dynamics tables through the client-credentials credential", async () => {
		const calls = newCalls();
		const before = sim.log.count({ kind: 'metadata.entities' });
		const objects = await methods().getObjectTypesB.call(context(SF_DV, calls));
		expect(objects.map((o) => o.value)).toEqual(expect.arrayContaining(['contacts', 'accounts']));
		expect(objects.find((o) => o.value === 'contacts')?.name).toBe('Contact');
		expect(sim.log.count({ kind: 'metadata.entities' }) - before).toBe(1);
		expect(calls.credentials).toEqual(['crmDynamicsClientCredentialsApi']);
		expect(new Set(calls.signedWith)).toEqual(new Set(['crmDynamicsClientCredentialsApi']));
	});

	it("lists a Dynamics table's fields for mappings and match keys, option sets read", async () => {
		const calls = newCalls();
		const sets = optionSetReads();
		const fields = await methods().getFieldsB.call(context(SF_DV, calls));
		expect(fields.map((f) => f.value)).toEqual(
			expect.arrayContaining(['emailaddress1', 'lastname', 'firstname', 'jobtitle', 'telephone1']),
		);
		expect(fields.find((f) => f.value === 'lastname')?.description).toContain('required on create');
		// The pickers' connector reads option sets (a run's does not: test/workflows/sync/dynamics.test.ts).
		expect(optionSetReads() - sets).toBeGreaterThan(0);

		const keys = await methods().getMatchFieldsB.call(context(SF_DV, newCalls()));
		const email = keys.find((k) => k.value === 'emailaddress1');
		expect(email?.description).toContain('good match key');
	});

	it('follows the system and the authentication choice on side A (OAuth2)', async () => {
		const dvA = {
			systemA: 'dynamics',
			dynamicsAuthentication: 'oAuth2',
			systemB: 'hubspot',
			hubspotAuthentication: 'privateApp',
			objectA: 'accounts',
			objectB: 'companies',
		};
		const calls = newCalls();
		const fields = await methods().getFieldsA.call(context(dvA, calls));
		expect(fields.map((f) => f.value)).toEqual(expect.arrayContaining(['name', 'industrycode']));
		expect(calls.credentials).toEqual(['crmDynamicsOAuth2Api']);
		expect(new Set(calls.signedWith)).toEqual(new Set(['crmDynamicsOAuth2Api']));
	});
});
