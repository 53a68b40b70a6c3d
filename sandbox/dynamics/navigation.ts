/**
 * The navigation properties of the simulator's tables, derived from the lookups in `tables.ts` and the relationships
 * in `schema.ts` — the same names `…@odata.bind`, `$ref` associations, `$expand`, lookup paths in `$filter` and the
 * relationship metadata (`relationships.ts`) use:
 *
 * - single-valued: one per lookup target (`parentcustomerid_account`, `parentcustomerid_contact`, `primarycontactid`,
 *   `new_accountid`, …) and the owner lookup `ownerid` (read-only here: expandable, not bindable);
 * - collection-valued: the one-to-many relationships' schema names on the referenced table
 *   (`contact_customer_accounts` on accounts) and the N:N relationships' names on both tables.
 */
import type { DvData, Fields, LookupValue, Rec } from './data';
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
