/**
 * Relationship definitions (learn.microsoft.com, *Query table definitions using the Web API* › "Querying relationship
 * metadata"): `RelationshipDefinitions` (typed `RelationshipMetadataBase`, rows of the derived types with
 * `@odata.type`), its casts `/Microsoft.Dynamics.CRM.OneToManyRelationshipMetadata` and
 * `/Microsoft.Dynamics.CRM.ManyToManyRelationshipMetadata`, single definitions by MetadataId or
 * `(SchemaName='…')`, and per table `EntityDefinitions(…)/OneToManyRelationships`, `/ManyToOneRelationships`,
 * `/ManyToManyRelationships` (also as `$expand` of an EntityDefinition). `$select` and `$filter` over the primitive
 * properties (enum literals `Microsoft.Dynamics.CRM.RelationshipType'OneToManyRelationship'` accepted).
 *
 * The definitions come from `schema.ts` (`ONE_TO_MANY`, `MANY_TO_MANY`) and the lookups' navigation property names in
 * `tables.ts` — the names `@odata.bind`, `$ref` associations and `$expand` accept.
 */
import type { Reply, SandboxRequest, SandboxServer } from '../kit';
import type { DvData } from './data';
import { metadataId, type RelationshipExpander } from './metadata';
import { matches, parseFilter } from './odata';
import {
	MANY_TO_MANY,
	ONE_TO_MANY,
	type ManyToManyDef,
	type OneToManyDef,
	type TableDef,
} from './schema';
import { API_PATH, DV, odataJson, parseGuid } from './wire';

type Json = Record<string, unknown>;
const NS = 'Microsoft.Dynamics.CRM.';
const BASE = 'RelationshipMetadataBase';
const O2M = 'OneToManyRelationshipMetadata';
const M2M = 'ManyToManyRelationshipMetadata';

const BASE_PROPS = [
	'MetadataId',
	'HasChanged',
	'SchemaName',
	'RelationshipType',
	'IsCustomRelationship',
	'IsManaged',
	'IsValidForAdvancedFind',
	'IsCustomizable',
];
const PROPS: Record<string, string[]> = {
	[BASE]: BASE_PROPS,
	[O2M]: [
		...BASE_PROPS,
		'ReferencedAttribute',
		'ReferencedEntity',
		'ReferencingAttribute',
		'ReferencingEntity',
		'ReferencedEntityNavigationPropertyName',
		'ReferencingEntityNavigationPropertyName',
	],
	[M2M]: [
		...BASE_PROPS,
		'Entity1LogicalName',
		'Entity2LogicalName',
		'IntersectEntityName',
		'Entity1IntersectAttribute',
		'Entity2IntersectAttribute',
		'Entity1NavigationPropertyName',
		'Entity2NavigationPropertyName',
	],
};

/** One relationship definition, its type (`OneToManyRelationshipMetadata` / `ManyToManyRelationshipMetadata`). */
interface Definition {
	type: string;
	json: Json;
}

export class RelationshipsApi {
	constructor(private readonly data: DvData) {}

	install(s: SandboxServer): void {
		const r = `${API_PATH}/RelationshipDefinitions`;
		const kind = { kind: 'metadata.relationships' };
		s.get(r, (req) => this.list(req, undefined), kind);
		s.get(`${r}/:cast`, (req) => this.list(req, req.params.cast), kind);
		s.get(`${r}(:key)`, (req) => this.one(req, undefined), kind);
		s.get(`${r}(:key)/:cast`, (req) => this.one(req, req.params.cast), kind);
		const e = `${API_PATH}/EntityDefinitions(:key)`;
		for (const nav of [
			'OneToManyRelationships',
			'ManyToOneRelationships',
			'ManyToManyRelationships',
		])
			s.get(`${e}/${nav}`, (req) => this.ofEntity(req, nav), kind);
	}

	/** `EntityDefinitions(…)?$expand=OneToManyRelationships($select=…;$filter=…)` (see `metadata.ts`). */
	readonly expander: RelationshipExpander = (t, name, select, filter) => {
		const defs = this.forEntity(t, name);
		if (!defs) return undefined;
		const type = name === 'ManyToManyRelationships' ? M2M : O2M;
		return this.query(defs, type, select?.join(','), filter);
	};

	/** Every definition, in schema order (one-to-many first). */
	definitions(): Definition[] {
		return [
			...ONE_TO_MANY.map((r) => ({ type: O2M, json: this.oneToMany(r) })),
			...MANY_TO_MANY.map((r) => ({ type: M2M, json: this.manyToMany(r) })),
		];
	}

	/** The relationships of table `t` behind one of EntityMetadata's navigation properties (for `$expand` too). */
	forEntity(t: TableDef, nav: string): Definition[] | undefined {
		const all = this.definitions();
		const j = (d: Definition, k: string) => d.json[k] === t.logicalName;
		if (nav === 'OneToManyRelationships') return all.filter((d) => j(d, 'ReferencedEntity'));
		if (nav === 'ManyToOneRelationships') return all.filter((d) => j(d, 'ReferencingEntity'));
		if (nav === 'ManyToManyRelationships')
			return all.filter((d) => j(d, 'Entity1LogicalName') || j(d, 'Entity2LogicalName'));
		return undefined;
	}

	/** Applies `$select` / `$filter` (as written in the URL or inside `$expand`) to definitions of `declared` type. */
	query(
		defs: Definition[],
		declared: string,
		select?: string | null,
		filter?: string | null,
	): Json[] {
		const props = PROPS[declared];
		const sel = select ? select.split(',').map((x) => x.trim()) : undefined;
		for (const p of sel ?? []) if (!props.includes(p)) throw DV.noProperty(p, declared);
		const node = filter
			? parseFilter(filter.replace(/Microsoft\.Dynamics\.CRM\.\w+'(\w*)'/g, "'$1'"), {
					entity: declared,
					attributes: props,
				})
			: undefined;
		return defs
			.filter((d) => !node || matches(node, d.json))
			.map((d) => {
				const out: Json = d.type !== declared ? { '@odata.type': `#${NS}${d.type}` } : {};
				for (const [k, v] of Object.entries(d.json))
					if (!sel || k === 'MetadataId' || sel.includes(k)) out[k] = v;
				return out;
			});
	}

	private oneToMany(r: OneToManyDef): Json {
		const referenced = this.data.byLogical(r.referenced)!;
		const lookup = this.data.attr(this.data.byLogical(r.referencing)!, r.lookup)!;
		return {
			...this.base(r.schemaName, 'OneToManyRelationship'),
			ReferencedAttribute: referenced.primaryId,
			ReferencedEntity: r.referenced,
			ReferencingAttribute: r.lookup,
			ReferencingEntity: r.referencing,
			ReferencedEntityNavigationPropertyName: r.schemaName,
			ReferencingEntityNavigationPropertyName: lookup.targets![r.referenced],
		};
	}

	private manyToMany(r: ManyToManyDef): Json {
		return {
			...this.base(r.schemaName, 'ManyToManyRelationship'),
			Entity1LogicalName: r.entity1,
			Entity2LogicalName: r.entity2,
			IntersectEntityName: r.intersect,
			Entity1IntersectAttribute: r.entity1Attribute,
			Entity2IntersectAttribute: r.entity2Attribute,
			Entity1NavigationPropertyName: r.schemaName,
			Entity2NavigationPropertyName: r.schemaName,
		};
	}

	private base(schemaName: string, type: string): Json {
		const custom = schemaName.startsWith('new_');
		return {
			MetadataId: metadataId(`relationship:${schemaName}`),
			HasChanged: null,
			SchemaName: schemaName,
			RelationshipType: type,
			IsCustomRelationship: custom,
			IsManaged: !custom,
			IsValidForAdvancedFind: true,
			IsCustomizable: {
				Value: true,
				CanBeChanged: !custom,
				ManagedPropertyLogicalName: 'iscustomizable',
			},
		};
	}

	/** `Microsoft.Dynamics.CRM.OneToManyRelationshipMetadata` → its type name; anything else is an unknown segment. */
	private castType(cast: string | undefined): string {
		if (cast === undefined) return BASE;
		const name = cast.startsWith(NS) ? cast.slice(NS.length) : '';
		if (name !== O2M && name !== M2M) throw DV.noSegment(cast);
		return name;
	}

	private ctx(req: SandboxRequest, path: string, select: string | null, suffix = ''): string {
		const cols = select ? `(${select})` : '';
		return `${req.baseUrl}${API_PATH}/$metadata#${path}${cols}${suffix}`;
	}

	private list(req: SandboxRequest, cast: string | undefined): Reply {
		const type = this.castType(cast);
		const defs = this.definitions().filter((d) => type === BASE || d.type === type);
		const select = req.query.get('$select');
		const value = this.query(defs, type, select, req.query.get('$filter'));
		const path = `RelationshipDefinitions${cast ? `/${cast}` : ''}`;
		return odataJson({ '@odata.context': this.ctx(req, path, select), value });
	}

	private one(req: SandboxRequest, cast: string | undefined): Reply {
		const type = this.castType(cast);
		const raw = req.params.key;
		const name = /^SchemaName\s*=\s*'([^']*)'$/.exec(raw)?.[1];
		const id = parseGuid(raw);
		const def = this.definitions().find((d) =>
			name !== undefined ? d.json.SchemaName === name : d.json.MetadataId === id,
		);
		if (!def) throw DV.metadataNotFound(`Could not find relationship ${name ?? raw}`);
		if (type !== BASE && def.type !== type)
			throw DV.bad(
				`The relationship ${String(def.json.SchemaName)} is not of type ${cast}.`,
				'0x80060888',
			);
		const select = req.query.get('$select');
		const [row] = this.query([def], type, select);
		const path = `RelationshipDefinitions${cast ? `/${cast}` : ''}`;
		return odataJson({ '@odata.context': this.ctx(req, path, select, '/$entity'), ...row });
	}

	private ofEntity(req: SandboxRequest, nav: string): Reply {
		const raw = req.params.key;
		const name = /^LogicalName\s*=\s*'([^']*)'$/.exec(raw)?.[1];
		const id = parseGuid(raw);
		const t = this.data.tables.find((x) =>
			name !== undefined ? x.logicalName === name : metadataId(`entity:${x.logicalName}`) === id,
		);
		if (!t) throw DV.metadataNotFound(`Could not find entity with name ${name ?? raw}`);
		const type = nav === 'ManyToManyRelationships' ? M2M : O2M;
		const select = req.query.get('$select');
		const value = this.query(this.forEntity(t, nav)!, type, select, req.query.get('$filter'));
		const path = `EntityDefinitions('${t.logicalName}')/${nav}`;
		return odataJson({ '@odata.context': this.ctx(req, path, select), value });
	}
}
