/**
 * The CRM Sync node's dynamic lists against both simulators, called as n8n calls them: each side's object and
 * field pickers load from that side's system, through the credential its authentication choice names.
 */
import type { IDataObject, IHttpRequestOptions, ILoadOptionsFunctions } from 'n8n-workflow';

import { clearRateBudgets } from '../../../core/http/rateLimiter';
import { buildUrl } from '../../../core/http/url';
import { loadOptions } from '../../../nodes/shared/crmSync/sides';
import { World } from '../../sync/world';

const world = new World();

beforeAll(async () => {
	await world.start();
});
afterAll(async () => {
	await world.stop();
});
beforeEach(() => clearRateBudgets());

interface Calls {
	credentials: string[];
	salesforceRequests: number;
}

/** A load-options context over the node's parameters; Salesforce by OAuth2 (n8n adds the token), HubSpot by private app. */
function context(parameters: IDataObject, calls: Calls): ILoadOptionsFunctions {
	const { sf, hs } = world.contracts();
	const node = {
		id: 'n',
		name: 'CRM Sync',
		type: 'x',
		typeVersion: 1,
		position: [0, 0],
		parameters,
		credentials: {
			crmSalesforceOAuth2Api: { id: 'sf', name: 'sf' },
			crmHubSpotPrivateAppApi: { id: 'hs', name: 'hs' },
		},
	};
	const ctx = {
		getNode: () => node,
		getNodeParameter: (name: string, fallback?: unknown) => parameters[name] ?? fallback,
		getCurrentNodeParameter: (name: string) => parameters[name],
		getCredentials: async (type: string) => {
			calls.credentials.push(type);
			if (type === 'crmSalesforceOAuth2Api')
				return { oauthTokenData: { access_token: sf.accessToken, instance_url: sf.instanceUrl } };
			if (type === 'crmHubSpotPrivateAppApi')
				return { accessToken: hs.accessToken, baseUrl: hs.baseUrl };
			throw new Error(`no credential of type ${type} in this test`);
		},
		helpers: {
			httpRequestWithAuthentication: async (type: string, options: IHttpRequestOptions) => {
				if (type !== 'crmSalesforceOAuth2Api') throw new Error(`unexpected credential ${type}`);
				calls.salesforceRequests++;
				const res = await fetch(buildUrl(options.url, options.qs as Record<string, string>), {
					method: options.method,
					headers: {
						...(options.headers as Record<string, string>),
						Authorization: `Bearer ${sf.accessToken}`,
					},
					body: options.body as string | undefined,
				});
				return {
					statusCode: res.status,
					headers: Object.fromEntries(res.headers),
					body: await res.text(),
				};
			},
		},
	};
	return ctx as unknown as ILoadOptionsFunctions;
}

const SF_HS = {
	systemA: 'salesforce',
	salesforceAuthentication: 'oAuth2',
	systemB: 'hubspot',
	hubspotAuthentication: 'privateApp',
	objectA: 'Contact',
	objectB: 'contacts',
};
const newCalls = (): Calls => ({ credentials: [], salesforceRequests: 0 });

describe('CRM Sync pickers', () => {
	it("lists each side's objects from that side's system and credential", async () => {
		const a = newCalls();
		const objectsA = await loadOptions.getObjectTypesA.call(context(SF_HS, a));
		expect(objectsA.map((o) => o.value)).toEqual(expect.arrayContaining(['Contact', 'Account']));
		expect(objectsA.map((o) => o.value)).not.toContain('contacts');
		expect(a.credentials).toEqual(['crmSalesforceOAuth2Api']);
		expect(a.salesforceRequests).toBeGreaterThan(0);

		const b = newCalls();
		const objectsB = await loadOptions.getObjectTypesB.call(context(SF_HS, b));
		expect(objectsB.map((o) => o.value)).toEqual(expect.arrayContaining(['contacts', 'companies']));
		expect(objectsB.map((o) => o.value)).not.toContain('Contact');
		expect(b).toEqual({ credentials: ['crmHubSpotPrivateAppApi'], salesforceRequests: 0 });
	});

	it('follows the systems when the sides are swapped (HubSpot on A, Salesforce on B)', async () => {
		const swapped = { ...SF_HS, systemA: 'hubspot', systemB: 'salesforce', objectA: 'contacts' };
		const calls = newCalls();
		const fieldsA = await loadOptions.getFieldsA.call(context(swapped, calls));
		expect(fieldsA.map((f) => f.value)).toContain('email');
		expect(calls).toEqual({ credentials: ['crmHubSpotPrivateAppApi'], salesforceRequests: 0 });
		const objectsB = await loadOptions.getObjectTypesB.call(context(swapped, calls));
		expect(objectsB.map((o) => o.value)).toContain('Contact');
		expect(calls.credentials).toEqual(['crmHubSpotPrivateAppApi', 'crmSalesforceOAuth2Api']);
	});

	it('shows each field as "Label (API name)" with its type and what limits it', async () => {
		const fields = await loadOptions.getFieldsA.call(context(SF_HS, newCalls()));
		const email = fields.find((f) => f.value === 'Email');
		expect(email?.name).toBe('Email'); // label and API name alike: shown once
		expect(email?.description).toMatch(/^e-mail/);
		const lastName = fields.find((f) => f.value === 'LastName');
		expect(lastName?.name).toBe('Last Name (LastName)');
		expect(lastName?.description).toContain('required on create');
		const id = fields.find((f) => f.value === 'Id');
		expect(id?.description).toContain('read-only');
		// By label, as a user scans the list.
		const names = fields.map((f) => f.name);
		expect(names).toEqual([...names].sort((x, y) => x.localeCompare(y)));

		const hsFields = await loadOptions.getFieldsB.call(context(SF_HS, newCalls()));
		const hsEmail = hsFields.find((f) => f.value === 'email');
		expect(hsEmail?.name).toMatch(/\(email\)$/);
	});

	it('lists the fields that can pair records first in the match key pickers, flagged', async () => {
		for (const method of ['getMatchFieldsA', 'getMatchFieldsB'] as const) {
			const keys = await loadOptions[method].call(context(SF_HS, newCalls()));
			const values = keys.map((k) => String(k.value));
			const email = values.findIndex((v) => v.toLowerCase() === 'email');
			const lastName = values.findIndex((v) => v.toLowerCase() === 'lastname');
			expect(email).toBeGreaterThanOrEqual(0);
			expect(email).toBeLessThan(lastName);
			expect(keys[email].description).toContain('good match key');
			expect(keys[lastName].description).not.toContain('good match key');
			// Flagged ones form one block at the top.
			const flagged = keys.map((k) => String(k.description).includes('good match key'));
			expect(flagged.indexOf(false)).toBeGreaterThan(flagged.lastIndexOf(true));
		}
		const sfKeys = await loadOptions.getMatchFieldsA.call(context(SF_HS, newCalls()));
		expect(sfKeys[0]).toMatchObject({ value: 'External_Id__c' }); // unique in Salesforce: first
		const hsKeys = await loadOptions.getMatchFieldsB.call(context(SF_HS, newCalls()));
		expect(hsKeys[0]).toMatchObject({ value: 'email' }); // unique in HubSpot: first
		// The CRM's own record IDs and references (owner) are listed, not recommended.
		for (const own of ['hs_object_id', 'hubspot_owner_id'])
			expect(hsKeys.find((k) => k.value === own)?.description).not.toContain('good match key');
		const sfAll = await loadOptions.getFieldsA.call(context(SF_HS, newCalls()));
		// True/false fields cannot pair records: offered to mappings, not as keys.
		const booleans = sfAll.filter((f) => String(f.description).startsWith('true/false'));
		expect(booleans.length).toBeGreaterThan(0);
		for (const b of booleans) expect(sfKeys.map((k) => k.value)).not.toContain(b.value);
	});

	it('asks for the object first when none is chosen', async () => {
		await expect(
			loadOptions.getFieldsB.call(context({ ...SF_HS, objectB: '' }, newCalls())),
		).rejects.toThrow('Choose the Side B Object first');
	});
});
