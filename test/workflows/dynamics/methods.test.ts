/**
 * The Dynamics 365 node's dynamic lists, as n8n's editor calls them (loaded from the built package), against the
 * Dataverse simulator: tables from metadata, columns, and the resource mapper's fields from describe — option sets as
 * options (Dataverse's integers), lookups as reference fields, alternate keys and the row id as match columns.
 */
import type { INodeType, ResourceMapperFields } from 'n8n-workflow';

import { clearRateBudgets } from '../../../core/http/rateLimiter';
import { DynamicsSimulator, type DynamicsSimContract } from '../../../sandbox/dynamics';
import { loadPackage, nodeTypeName } from '../../helpers/engine';
import { loadOptionsContext } from './loadOptions';

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

const context = (parameters: Record<string, unknown>) => loadOptionsContext(sim, c, parameters);

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
