/**
 * The HubSpot CRM node's dynamic lists, as n8n's editor calls them (loaded from the built package): objects from the
 * account (standard + custom via the schemas API), properties, association labels, and the resource mapper's fields
 * fed by the properties API (unique properties offered as match columns).
 */
import type { ILoadOptionsFunctions, INode, INodeType, ResourceMapperFields } from 'n8n-workflow';

import { clearRateBudgets } from '../../../core/http/rateLimiter';
import { HubSpotSimulator, type HubSpotContract } from '../../../sandbox';
import { loadPackage, nodeTypeName } from '../../helpers/engine';

const sim = new HubSpotSimulator({ rateLimits: false });
let contract: HubSpotContract;
let nodeType: INodeType;

beforeAll(async () => {
	contract = await sim.start();
	sim.defineCustomObject({
		name: 'car',
		labels: { singular: 'Car', plural: 'Cars' },
		primaryDisplayProperty: 'vin',
		requiredProperties: ['vin'],
		properties: [
			{ name: 'vin', label: 'VIN', type: 'string', fieldType: 'text', hasUniqueValue: true },
		] as never,
	});
	const { nodeTypes } = await loadPackage();
	nodeType = nodeTypes.getByNameAndVersion(nodeTypeName('hubSpot'), 1);
});
afterAll(async () => {
	clearRateBudgets();
	await sim.stop();
});

/** The part of ILoadOptionsFunctions the methods use, over the current parameters. */
function context(parameters: Record<string, unknown>): ILoadOptionsFunctions {
	const node = {
		name: 'HubSpot CRM',
		type: nodeTypeName('hubSpot'),
		typeVersion: 1,
		parameters: { authentication: 'privateApp', ...parameters },
		credentials: { crmHubSpotPrivateAppApi: { id: 'hubspot-sandbox', name: 'HubSpot sandbox' } },
	} as unknown as INode;
	return {
		getNode: () => node,
		getCurrentNodeParameter: (name: string) => parameters[name],
		getCredentials: async () => ({ accessToken: contract.accessToken, baseUrl: contract.baseUrl }),
		helpers: {},
	} as unknown as ILoadOptionsFunctions;
}

it("lists the standard objects and the account's custom objects", async () => {
	const options = await nodeType.methods!.loadOptions!.getObjectTypes.call(context({}));
	expect(options.map((o) => o.value)).toEqual(
		expect.arrayContaining([
			'contacts',
			'companies',
			'deals',
			'tickets',
			'products',
			'line_items',
			`p${contract.portalId}_car`,
		]),
	);
	expect(options.find((o) => o.value === `p${contract.portalId}_car`)?.name).toBe('Cars (custom)');
});

it('lists properties and association labels', async () => {
	const properties = await nodeType.methods!.loadOptions!.getProperties.call(
		context({ objectType: 'contacts' }),
	);
	expect(properties.map((p) => p.value)).toEqual(
		expect.arrayContaining(['email', 'firstname', 'lifecyclestage']),
	);
	const labels = await nodeType.methods!.loadOptions!.getAssociationLabels.call(
		context({ objectType: 'contacts', toObjectType: 'companies' }),
	);
	expect(labels[0]).toEqual({ name: 'Default (Unlabelled)', value: 'default' });
	expect(labels.map((l) => l.name)).toContain('Primary');
});

it('feeds the resource mapper from the properties API, with unique properties as match columns', async () => {
	const getFields = nodeType.methods!.resourceMapping!.getFields;
	const upsert = (await getFields.call(
		context({ objectType: 'contacts', operation: 'upsert' }),
	)) as ResourceMapperFields;
	const email = upsert.fields.find((f) => f.id === 'email');
	expect(email).toMatchObject({ canBeUsedToMatch: true, defaultMatch: true, type: 'string' });
	expect(upsert.fields.find((f) => f.id === 'lifecyclestage')).toMatchObject({
		type: 'options',
		canBeUsedToMatch: false,
	});
	expect(
		upsert.fields.find((f) => f.id === 'lifecyclestage')?.options?.map((o) => o.value),
	).toContain('lead');
	expect(upsert.fields.find((f) => f.id === 'lastmodifieddate')).toBeUndefined();
	const create = (await getFields.call(
		context({ objectType: 'contacts', operation: 'create' }),
	)) as ResourceMapperFields;
	expect(create.fields.every((f) => f.canBeUsedToMatch === false)).toBe(true);
	expect(create.fields.find((f) => f.id === 'hs_object_id')).toBeUndefined();
	const update = (await getFields.call(
		context({ objectType: 'contacts', operation: 'update' }),
	)) as ResourceMapperFields;
	expect(update.fields.find((f) => f.id === 'hs_object_id')).toMatchObject({
		canBeUsedToMatch: true,
		defaultMatch: true,
	});
	const cars = (await getFields.call(
		context({ objectType: `p${contract.portalId}_car`, operation: 'upsert' }),
	)) as ResourceMapperFields;
	expect(cars.fields.find((f) => f.id === 'vin')).toMatchObject({ canBeUsedToMatch: true });
});
