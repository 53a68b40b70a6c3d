/**
 * The Dynamics 365 node's Relationship list (`getRelationships`, loaded from the built package as n8n's editor calls
 * it) against the Dataverse simulator: for every table it lists exactly the navigation properties the simulator takes
 * for `$ref` associations (the writable lookups per target, the one-to-many relationships on their "one" side, the
 * many-to-many ones on both), and every listed name works in an Associate and a Disassociate through n8n's engine,
 * checked in the simulator's stored rows and links.
 */
import type { IDataObject, INodePropertyOptions, INodeType } from 'n8n-workflow';

import { clearRateBudgets } from '../../../core/http/rateLimiter';
import { DynamicsSimulator, type DynamicsSimContract } from '../../../sandbox/dynamics';
import { MANY_TO_MANY, ONE_TO_MANY } from '../../../sandbox/dynamics/schema';
import { tables } from '../../../sandbox/dynamics/tables';
import { loadPackage, nodeTypeName } from '../../helpers/engine';
import { run } from './helpers';
import { loadOptionsContext } from './loadOptions';

const sim = new DynamicsSimulator({ seed: 31 });
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

const TABLES = tables();
const setOf = (logical: string) => TABLES.find((t) => t.logicalName === logical)!.entitySetName;
const logicalOf = (set: string) => TABLES.find((t) => t.entitySetName === set)!.logicalName;

/** What the simulator's tables and relationships define as associable from table `logical`. */
function associable(logical: string): string[] {
	const t = TABLES.find((x) => x.logicalName === logical)!;
	const lookups = t.attributes
		.filter((a) => a.type !== 'Owner' && !a.readOnly)
		.flatMap((a) => Object.values(a.targets ?? {}));
	const oneToMany = ONE_TO_MANY.filter((r) => r.referenced === logical).map((r) => r.schemaName);
	const manyToMany = MANY_TO_MANY.filter((r) => r.entity1 === logical || r.entity2 === logical).map(
		(r) => r.schemaName,
	);
	return [...lookups, ...oneToMany, ...manyToMany].sort();
}

/** Minimal valid fields of a new row. */
const NEW: Record<string, IDataObject> = {
	account: { name: 'Acme' },
	contact: { lastname: 'Doe' },
	lead: { subject: 'Interest', lastname: 'Lee' },
	opportunity: { name: 'Deal' },
	new_project: { new_name: 'Project' },
};
const fresh = (logical: string) => sim.createDirect(logical, { ...NEW[logical] }).id;
const lookupOf = (logical: string, id: string, attr: string) =>
	(sim.collection(logical).get(id)?.fields[attr] as { id?: string } | null | undefined)?.id ?? null;

/** Whether the link named by `nav` from row `id` of `table` to `relatedId` is in the store. */
function linked(table: string, id: string, nav: string, relatedId: string): boolean {
	const t = TABLES.find((x) => x.logicalName === table)!;
	const lookup = t.attributes.find((a) => Object.values(a.targets ?? {}).includes(nav));
	if (lookup) return lookupOf(table, id, lookup.logicalName) === relatedId;
	const o2m = ONE_TO_MANY.find((r) => r.schemaName === nav && r.referenced === table);
	if (o2m) return lookupOf(o2m.referencing, relatedId, o2m.lookup) === id;
	return sim.associations.linked(nav, id).includes(relatedId);
}

it('lists for every table exactly the navigation properties the simulator associates through', async () => {
	for (const t of TABLES) {
		const options = (await nodeType.methods!.loadOptions!.getRelationships.call(
			loadOptionsContext(sim, c, { table: t.entitySetName }),
		)) as INodePropertyOptions[];
		expect({ table: t.logicalName, names: options.map((o) => o.value).sort() }).toEqual({
			table: t.logicalName,
			names: associable(t.logicalName),
		});
	}
});

it('every listed name associates and disassociates through the node', async () => {
	const links: Array<IDataObject & { table: string; id: string; nav: string; relatedId: string }> =
		[];
	for (const t of TABLES.filter((x) => !x.readOnly)) {
		const options = (await nodeType.methods!.loadOptions!.getRelationships.call(
			loadOptionsContext(sim, c, { table: t.entitySetName }),
		)) as INodePropertyOptions[];
		for (const o of options) {
			// The option's name ends with the table at the other end (`new_AccountId → account`).
			const other = String(o.name).split(' → ')[1];
			links.push({
				table: t.entitySetName,
				id: fresh(t.logicalName),
				nav: String(o.value),
				relatedTable: setOf(other),
				relatedId: fresh(other),
			});
		}
	}
	expect(links.map((l) => l.nav)).toEqual(expect.arrayContaining(['new_AccountId']));
	const params = {
		resource: 'record',
		table: '={{ $json.table }}',
		recordId: '={{ $json.id }}',
		relationship: '={{ $json.nav }}',
		relatedTable: '={{ $json.relatedTable }}',
		relatedId: '={{ $json.relatedId }}',
	};
	const isLinked = (l: (typeof links)[number]) =>
		linked(logicalOf(l.table), l.id, l.nav, l.relatedId);
	expect(links.filter(isLinked)).toEqual([]);

	const assoc = await run(c, links, { ...params, operation: 'associate' });
	expect(assoc.failed).toEqual([]);
	expect(assoc.ok).toHaveLength(links.length);
	expect(links.filter((l) => !isLinked(l)).map((l) => `${l.table}/${l.nav}`)).toEqual([]);

	const dis = await run(c, links, { ...params, operation: 'disassociate' });
	expect(dis.failed).toEqual([]);
	expect(dis.ok).toHaveLength(links.length);
	expect(links.filter(isLinked).map((l) => `${l.table}/${l.nav}`)).toEqual([]);
});
