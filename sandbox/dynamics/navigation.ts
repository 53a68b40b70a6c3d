/**
 * The navigation properties of the simulator's tables, derived from the lookups in `tables.ts` and the relationships
 * in `schema.ts` — the same names `…@odata.bind`, `$ref` associations, `$expand`, lookup paths in `$filter` and the
 * relationship metadata (`relationships.ts`) use:
 *
 * - single-valued: one per lookup target (`parentcustomerid_account`, `parentcustomerid_contact`, `primarycontactid`,
 *   `new_AccountId` — a custom lookup's schema name —, …) and the owner lookup `ownerid` (read-only here: expandable, not bindable);
 * - collection-valued: the one-to-many relationships' schema names on the referenced table
 *   (`contact_customer_accounts` on accounts) and the N:N relationships' names on both tables.
 */
import type { DvData, Fields, LookupValue, Rec } from './data';
import type { EntitySchema, FilterNode, Operand } from './odata';
import {
	MANY_TO_MANY,
	ONE_TO_MANY,
	type AttrDef,
	type ManyToManyDef,
	type OneToManyDef,
	type TableDef,
} from './schema';

export type NavProp =
	| { kind: 'single'; name: string; attr: AttrDef; target: TableDef; rel?: OneToManyDef }
	| { kind: 'oneToMany'; name: string; rel: OneToManyDef; child: TableDef }
	| { kind: 'manyToMany'; name: string; rel: ManyToManyDef; other: TableDef; self: 1 | 2 };

/** Every navigation property of table `t`. */
export function navigationProperties(data: DvData, t: TableDef): NavProp[] {
	const out: NavProp[] = [];
	for (const a of t.attributes) {
		for (const [target, name] of Object.entries(a.targets ?? {})) {
			const table = data.byLogical(target);
			if (!table) continue;
			const rel = ONE_TO_MANY.find(
				(r) =>
					r.referencing === t.logicalName && r.lookup === a.logicalName && r.referenced === target,
			);
			out.push({ kind: 'single', name, attr: a, target: table, rel });
		}
	}
	for (const rel of ONE_TO_MANY) {
		const child = data.byLogical(rel.referencing);
		if (rel.referenced === t.logicalName && child)
			out.push({ kind: 'oneToMany', name: rel.schemaName, rel, child });
	}
	for (const rel of MANY_TO_MANY) {
		const self = rel.entity1 === t.logicalName ? 1 : rel.entity2 === t.logicalName ? 2 : 0;
		const other = data.byLogical(self === 1 ? rel.entity2 : rel.entity1);
		if (self !== 0 && other)
			out.push({ kind: 'manyToMany', name: rel.schemaName, rel, other, self });
	}
	return out;
}

/** The navigation property `name` of table `t` (names are case-sensitive), or undefined. */
export function findNavigation(data: DvData, t: TableDef, name: string): NavProp | undefined {
	return navigationProperties(data, t).find((n) => n.name === name);
}

/** The row a single-valued navigation property points at (none when the lookup is empty or names another table). */
export function referencedRow(
	data: DvData,
	nav: Extract<NavProp, { kind: 'single' }>,
	rec: Rec,
): Rec | undefined {
	const v = rec.fields[nav.attr.logicalName] as LookupValue | null | undefined;
	if (!v || v.logicalName !== nav.target.logicalName) return undefined;
	return data.coll(nav.target).get(v.id);
}

/** The rows a collection-valued navigation property of `rec` holds, in primary-key order. */
export function relatedRows(
	data: DvData,
	t: TableDef,
	nav: Exclude<NavProp, { kind: 'single' }>,
	rec: Rec,
): Rec[] {
	let rows: Rec[];
	if (nav.kind === 'oneToMany') {
		const lookup = nav.rel.lookup;
		rows = data
			.coll(nav.child)
			.list()
			.filter((r) => {
				const v = r.fields[lookup] as LookupValue | null | undefined;
				return v?.id === rec.id && v.logicalName === t.logicalName;
			});
	} else {
		const mine = nav.self === 1 ? nav.rel.entity1Attribute : nav.rel.entity2Attribute;
		const theirs = nav.self === 1 ? nav.rel.entity2Attribute : nav.rel.entity1Attribute;
		const ids = data.store
			.collection<Fields>(nav.rel.intersect)
			.list()
			.filter((l) => l.fields[mine] === rec.id)
			.map((l) => String(l.fields[theirs]));
		rows = ids.map((id) => data.coll(nav.other).get(id)).filter((r): r is Rec => r !== undefined);
	}
	return rows.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

/** The table a navigation property leads to. */
export function navTarget(nav: NavProp): TableDef {
	return nav.kind === 'single' ? nav.target : nav.kind === 'oneToMany' ? nav.child : nav.other;
}

/** What `$filter` on table `t` may follow: its single-valued navigation properties (with targets) and collections. */
export function navigationSchema(
	data: DvData,
	t: TableDef,
): Required<Pick<EntitySchema, 'navigation' | 'collections'>> {
	const navigation: NonNullable<EntitySchema['navigation']> = {};
	const collections = new Set<string>();
	for (const n of navigationProperties(data, t)) {
		if (n.kind === 'single')
			navigation[n.name] = { entity: n.target.logicalName, attributes: data.selectable(n.target) };
		else collections.add(n.name);
	}
	return { navigation, collections };
}

/** The lookup paths (`parentcustomerid_account/name`) a parsed `$filter` reads. */
export function filterPaths(node: FilterNode): string[] {
	const out = new Set<string>();
	const operand = (o: Operand) => {
		if (o.kind === 'property' && o.name.includes('/')) out.add(o.name);
	};
	const walk = (n: FilterNode): void => {
		if (n.kind === 'compare') [n.left, n.right].forEach(operand);
		else if (n.kind === 'string') n.args.forEach(operand);
		else if (n.kind === 'crm') operand({ kind: 'property', name: n.property });
		else if (n.kind === 'not') walk(n.operand);
		else {
			walk(n.left);
			walk(n.right);
		}
	};
	walk(node);
	return [...out];
}

/** Adds the values of lookup paths to a wire row (`row['parentcustomerid_account/name']`; null without a target). */
export function addPathValues(
	data: DvData,
	t: TableDef,
	rec: Rec,
	row: Fields,
	paths: string[],
): Fields {
	for (const path of paths) {
		const [name, column] = path.split('/');
		const nav = findNavigation(data, t, name);
		const target = nav?.kind === 'single' ? referencedRow(data, nav, rec) : undefined;
		row[path] = target && nav ? (data.toWire(navTarget(nav), target)[column] ?? null) : null;
	}
	return row;
}
