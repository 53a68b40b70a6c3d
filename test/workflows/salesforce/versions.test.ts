/**
 * Node versions through n8n's engine: v2 stores the record operation Get Many as `getAll` (n8n's convention), v1
 * keeps `getMany` for workflows saved with it; both read the same records, and each refuses the other's value.
 */
import type { IDataObject, INodeProperties, INodeTypeDescription } from 'n8n-workflow';

import { Salesforce } from '../../../nodes/Salesforce/Salesforce.node';
import type { SalesforceSimulator, SalesforceSimContract } from '../../../sandbox/salesforce';
import { runWorkflow } from '../../helpers/engine';
import {
	object,
	passwordCredentials,
	salesforceNode,
	startSimulator,
	workflowWith,
} from './helpers';

let sim: SalesforceSimulator;
let contract: SalesforceSimContract;

beforeAll(async () => {
	({ sim, contract } = await startSimulator());
});
afterAll(async () => {
	await sim.stop();
});
beforeEach(() => sim.reset());

const getMany = (operation: string): IDataObject => ({
	resource: 'record',
	operation,
	object: object('Contact'),
	returnAll: true,
	fieldNames: ['LastName'],
	conditions: { condition: [{ field: 'MailingCity', operator: 'equal', value: 'Paris' }] },
	options: { sortBy: 'LastName' },
});

const run = async (typeVersion: number, parameters: IDataObject) =>
	await runWorkflow(
		workflowWith(
			'return [{}];',
			salesforceNode('SF', parameters, { typeVersion, onError: 'continueErrorOutput' }),
		),
		{ credentials: passwordCredentials(contract) },
	);

/** The parameters shown for one record operation, by name (as n8n decides from displayOptions). */
function shownFor(description: INodeTypeDescription, operation: string): string[] {
	const shown = (p: INodeProperties) => {
		const show = p.displayOptions?.show ?? {};
		return (
			(!show.resource || show.resource.includes('record')) &&
			(!show.operation || show.operation.includes(operation))
		);
	};
	return description.properties.filter(shown).map((p) => p.name);
}

describe('Salesforce node versions', () => {
	it('runs Get Many as v1 `getMany` and as v2 `getAll`, with the same result', async () => {
		const contacts = sim.table('Contact');
		for (const [last, city] of [
			['Zed', 'Paris'],
			['Amy', 'Paris'],
			['Bob', 'Lyon'],
		])
			contacts.insert({ LastName: last, MailingCity: city });

		const v1 = await run(1, getMany('getMany'));
		expect(v1.json('SF').map((r) => r.LastName)).toEqual(['Amy', 'Zed']);
		const v2 = await run(2, getMany('getAll'));
		expect(v2.json('SF').map((r) => r.LastName)).toEqual(['Amy', 'Zed']);
		expect(sim.log.count({ kind: 'query' })).toBe(2);
	});

	it("refuses the other version's value", async () => {
		const v2 = await run(2, getMany('getMany'));
		expect(v2.json('SF')).toEqual([]);
		expect(String(v2.json('SF', 1)[0].error)).toMatch(
			'The operation "getMany" of "record" is not supported',
		);
		const v1 = await run(1, getMany('getAll'));
		expect(String(v1.json('SF', 1)[0].error)).toMatch(
			'The operation "getAll" of "record" is not supported',
		);
		expect(sim.log.count({ kind: 'query' })).toBe(0);
	});

	it('v2 is the default, lists Get Many as getAll and shows the same parameters for it as v1 for getMany', () => {
		const node = new Salesforce();
		expect(node.description.defaultVersion).toBe(2);
		const v1 = node.nodeVersions[1].description;
		const v2 = node.nodeVersions[2].description;
		expect(v2.version).toBe(2);
		const operations = (d: INodeTypeDescription) =>
			d.properties
				.find((p) => p.name === 'operation' && p.displayOptions?.show?.resource?.includes('record'))
				?.options?.map((o) => ('value' in o ? [o.name, o.value] : []));
		expect(operations(v1)).toContainEqual(['Get Many', 'getMany']);
		expect(operations(v2)).toContainEqual(['Get Many', 'getAll']);
		expect(operations(v2)?.map(([, value]) => value)).not.toContain('getMany');
		expect(JSON.stringify(v2.properties)).not.toContain('getMany');
		expect(shownFor(v2, 'getAll')).toEqual(shownFor(v1, 'getMany'));
		expect(shownFor(v2, 'getAll')).toEqual(
			expect.arrayContaining(['object', 'returnAll', 'limit', 'fieldNames', 'conditions']),
		);
		// Everything else is v1's, unchanged.
		expect(v2.properties).toHaveLength(v1.properties.length);
		expect(shownFor(v2, 'create')).toEqual(shownFor(v1, 'create'));
		expect({ ...v2, properties: [], version: 1 }).toEqual({ ...v1, properties: [] });
	});
});
