/**
 * The navigation properties of a table's relationships, from its definition (Web API "Query table definitions" ›
 * relationship metadata): `EntityDefinitions(LogicalName='…')?$expand=OneToManyRelationships(…),
 * ManyToOneRelationships(…),ManyToManyRelationships(…)` — what Associate / Disassociate name:
 * - one-to-many (this table is the "one"): `ReferencedEntityNavigationPropertyName`, collection-valued;
 * - many-to-one (a lookup of this table): `ReferencingEntityNavigationPropertyName`, single-valued;
 * - many-to-many: `Entity1NavigationPropertyName` when this table is `Entity1LogicalName`, else Entity2's
 *   (both for a self-referencing one), collection-valued.
 */
import type { DataverseClient } from './client';

type Json = Record<string, unknown>;

/** One navigation property of a table. */
export interface DataverseNavigation {
	/** The navigation property (what `$ref` URLs name). */
	name: string;
	kind: 'oneToMany' | 'manyToOne' | 'manyToMany';
	/** The relationship's schema name. */
	schemaName: string;
	/** The logical name of the table at the other end. */
	otherTable: string;
}

const O2M = 'SchemaName,ReferencingEntity,ReferencedEntityNavigationPropertyName';
const M2O = 'SchemaName,ReferencedEntity,ReferencingEntityNavigationPropertyName';
const M2M =
	'SchemaName,Entity1LogicalName,Entity2LogicalName,Entity1NavigationPropertyName,Entity2NavigationPropertyName';

const list = (v: unknown): Json[] => (Array.isArray(v) ? (v as Json[]) : []);
const text = (v: unknown): string => (typeof v === 'string' ? v : '');

/** The navigation properties of a table definition as read (the three relationship collections expanded). */
export function navigationsOf(logicalName: string, def: Json): DataverseNavigation[] {
	const out: DataverseNavigation[] = [];
	const add = (n: DataverseNavigation) => n.name && out.push(n);
	for (const r of list(def.OneToManyRelationships))
		add({
			name: text(r.ReferencedEntityNavigationPropertyName),
			kind: 'oneToMany',
			schemaName: text(r.SchemaName),
			otherTable: text(r.ReferencingEntity),
		});
	for (const r of list(def.ManyToOneRelationships))
		add({
			name: text(r.ReferencingEntityNavigationPropertyName),
			kind: 'manyToOne',
			schemaName: text(r.SchemaName),
			otherTable: text(r.ReferencedEntity),
		});
	for (const r of list(def.ManyToManyRelationships))
		for (const [self, other] of [
			['1', '2'],
			['2', '1'],
		])
			if (r[`Entity${self}LogicalName`] === logicalName)
				add({
					name: text(r[`Entity${self}NavigationPropertyName`]),
					kind: 'manyToMany',
					schemaName: text(r.SchemaName),
					otherTable: text(r[`Entity${other}LogicalName`]),
				});
	return out.sort((a, b) => a.name.localeCompare(b.name));
}

/** Reads the navigation properties of the table `logicalName` (one request). */
export async function listDataverseNavigations(
	client: DataverseClient,
	logicalName: string,
): Promise<DataverseNavigation[]> {
	const def = await client.get<Json>(`EntityDefinitions(LogicalName='${logicalName}')`, {
		query: {
			$select: 'LogicalName',
			$expand: `OneToManyRelationships($select=${O2M}),ManyToOneRelationships($select=${M2O}),ManyToManyRelationships($select=${M2M})`,
		},
	});
	return navigationsOf(logicalName, def);
}
