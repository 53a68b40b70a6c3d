/**
 * The node's dynamic lists against the simulator: the Object picker (listSearch), field options (loadOptions) and
 * the resource mapper fields fed by describe. Called as n8n calls them, with a load-options context whose
 * requests go to the simulator with the OAuth2 credential's token.
 */
import type { IHttpRequestOptions, ILoadOptionsFunctions } from 'n8n-workflow';

import { buildUrl } from '../../../core/http/url';
import { searchObjects } from '../../../nodes/shared/salesforce/listSearch';
import { getFields } from '../../../nodes/shared/salesforce/loadOptions';
import {
	getCreateFields,
	getUpdateFields,
	getUpsertFields,
} from '../../../nodes/Salesforce/v1/methods/resourceMapping';
import type { SalesforceSimulator, SalesforceSimContract } from '../../../sandbox/salesforce';
import { startSimulator } from './helpers';

let sim: SalesforceSimulator;
let contract: SalesforceSimContract;

beforeAll(async () => {
	({ sim, contract } = await startSimulator());
});
afterAll(async () => {
	await sim.stop();
});

function loadOptionsContext(objectName: string): ILoadOptionsFunctions {
	const node = {
		id: 'n',
		name: 'Salesforce',
		type: 'x',
		typeVersion: 1,
		position: [0, 0],
		parameters: {},
		credentials: { crmSalesforceOAuth2Api: { id: 'c1', name: 'sf' } },
	};
	const context = {
		getNode: () => node,
		getNodeParameter: (name: string, fallback?: unknown) =>
			name === 'authentication' ? 'oAuth2' : fallback,
		getCurrentNodeParameter: (name: string) => (name === 'object' ? objectName : undefined),
		getCredentials: async () => ({
			oauthTokenData: { access_token: contract.accessToken, instance_url: contract.instanceUrl },
		}),
		helpers: {
			// What n8n's requestOAuth2 does for these calls: add the bearer token, return the full response.
			httpRequestWithAuthentication: async (_type: string, options: IHttpRequestOptions) => {
				const res = await fetch(buildUrl(options.url, options.qs as Record<string, string>), {
					method: options.method,
					headers: {
						...(options.headers as Record<string, string>),
						Authorization: `Bearer ${contract.accessToken}`,
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
	return context as unknown as ILoadOptionsFunctions;
}

describe('Salesforce node methods', () => {
	it("lists the org's objects, standard and custom, filtered by name or label", async () => {
		const all = await searchObjects.call(loadOptionsContext(''));
		const values = all.results.map((r) => r.value);
		expect(values).toEqual(
			expect.arrayContaining(['Account', 'Contact', 'Lead', 'Opportunity', 'Case', 'Task', 'User']),
		);
		expect(values.some((v) => String(v).endsWith('__c'))).toBe(true);
		const filtered = await searchObjects.call(loadOptionsContext(''), 'opport');
		expect(filtered.results).toEqual([{ name: 'Opportunity (Opportunity)', value: 'Opportunity' }]);
	});

	it("offers the object's fields", async () => {
		const fields = await getFields.call(loadOptionsContext('Contact'));
		expect(fields).toEqual(
			expect.arrayContaining([expect.objectContaining({ value: 'Email', description: 'email' })]),
		);
	});

	it('feeds the resource mapper from describe: required fields on create, Id to match updates, external IDs for upserts', async () => {
		const create = await getCreateFields.call(loadOptionsContext('Contact'));
		const lastName = create.fields.find((f) => f.id === 'LastName');
		expect(lastName).toMatchObject({ required: true, type: 'string', canBeUsedToMatch: false });
		expect(create.fields.find((f) => f.id === 'Id')).toBeUndefined();
		const leadSource = create.fields.find((f) => f.id === 'LeadSource');
		expect(leadSource?.type).toBe('options');
		expect(leadSource?.options).toEqual(expect.arrayContaining([{ name: 'Web', value: 'Web' }]));

		const update = await getUpdateFields.call(loadOptionsContext('Contact'));
		expect(update.fields.find((f) => f.id === 'Id')).toMatchObject({
			canBeUsedToMatch: true,
			defaultMatch: true,
		});
		expect(update.fields.find((f) => f.id === 'LastName')).toMatchObject({
			required: false,
			canBeUsedToMatch: false,
		});

		const upsert = await getUpsertFields.call(loadOptionsContext('Contact'));
		expect(
			upsert.fields
				.filter((f) => f.canBeUsedToMatch)
				.map((f) => f.id)
				.sort(),
		).toEqual(['External_Id__c', 'Id']);
	});
});
