/**
 * Table definitions (`EntityDefinitions`) as the Dataverse Web API serves them: the entity, its `Attributes` (derived
 * types such as `PicklistAttributeMetadata` through a cast segment, with `$expand=OptionSet`), its `Keys`, with
 * `$select` and `$expand` of those. Labels use Dataverse's `Label` shape (`LocalizedLabels` + `UserLocalizedLabel`,
 * language 1033). MetadataIds are stable GUIDs derived from the names.
 */
import { createHash } from 'node:crypto';
import type { SandboxRequest, SandboxServer } from '../kit';
import { attributeTypeName, isLookup, metadataType, type AttrDef, type TableDef } from './schema';
import { API_PATH, DV, odataJson, parseGuid } from './wire';

type Json = Record<string, unknown>;

/** A stable GUID for a metadata item. */
export function metadataId(name: string): string {
	const h = createHash('md5').update(`dv-metadata:${name}`).digest('hex');
	return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}

function label(text: string, owner: string): Json {
	const l = {
		Label: text,
		LanguageCode: 1033,
		IsManaged: true,
		MetadataId: metadataId(`label:${owner}`),
		HasChanged: null,
	};
	return { LocalizedLabels: [l], UserLocalizedLabel: l };
}

function managed(value: unknown, name: string): Json {
	return { Value: value, CanBeChanged: true, ManagedPropertyLogicalName: name };
}

/** Splits `$select` / `$expand` lists at top-level commas (`Attributes($select=a,b),Keys`). */
function splitTop(s: string): string[] {
	const out: string[] = [];
	let depth = 0;
	let cur = '';
	for (const ch of s) {
		if (ch === '(') depth++;
		if (ch === ')') depth--;
		if (ch === ',' && depth === 0) {
			out.push(cur.trim());
			cur = '';
		} else cur += ch;
	}
	if (cur.trim()) out.push(cur.trim());
	return out;
}

/** `$expand` items → name, nested `$select` and nested `$filter` (as written). */
function expands(raw: string | null): Map<string, { sel?: string[]; filter?: string }> {
	const out = new Map<string, { sel?: string[]; filter?: string }>();
	for (const item of splitTop(raw ?? '')) {
		const m = /^([A-Za-z]+)(?:\((.*)\))?$/.exec(item);
		if (!m) throw DV.bad(`Invalid $expand: ${item}`, '0x80060888');
		const sel = /\$select=([^;)]*)/.exec(m[2] ?? '')?.[1];
		const filter = /\$filter=([^;]*)/.exec(m[2] ?? '')?.[1];
		out.set(m[1], { sel: sel ? sel.split(',').map((x) => x.trim()) : undefined, filter });
	}
	return out;
}

/** Expands one of EntityMetadata's relationship collections (`relationships.ts`), or undefined for other names. */
export type RelationshipExpander = (
	t: TableDef,
	name: string,
	select: string[] | undefined,
	filter: string | undefined,
) => Json[] | undefined;

function pick(obj: Json, select: string[] | undefined, keep: string[]): Json {
	if (!select) return obj;
	const out: Json = {};
	for (const [k, v] of Object.entries(obj))
		if (k.startsWith('@') || keep.includes(k) || select.includes(k)) out[k] = v;
	return out;
}

export class MetadataApi {
	constructor(
		private readonly tables: TableDef[],
		private readonly relationships?: RelationshipExpander,
	) {}

	install(s: SandboxServer): void {
		const b = `${API_PATH}/EntityDefinitions`;
		s.get(
			b,
			(req) =>
				this.reply(
					req,
					{ value: this.tables.map((t) => this.entity(req, t, req.query)) },
					'#EntityDefinitions',
				),
			{
				kind: 'metadata.entities',
			},
		);
		s.get(
			`${b}(:key)`,
			(req) =>
				this.reply(req, this.entity(req, this.table(req), req.query), '#EntityDefinitions/$entity'),
			{
				kind: 'metadata.entity',
			},
		);
		s.get(`${b}(:key)/Attributes`, (req) => this.attributes(req, undefined), {
			kind: 'metadata.attributes',
		});
		s.get(`${b}(:key)/Attributes/:cast`, (req) => this.attributes(req, req.params.cast), {
			kind: 'metadata.attributes',
		});
		s.get(`${b}(:key)/Attributes(:attr)`, (req) => this.oneAttribute(req, undefined), {
			kind: 'metadata.attribute',
		});
		s.get(`${b}(:key)/Attributes(:attr)/:cast`, (req) => this.oneAttribute(req, req.params.cast), {
			kind: 'metadata.attribute',
		});
	}

	private sel(raw: string | null): string[] | undefined {
		return raw === null ? undefined : raw.split(',').map((x) => x.trim());
	}

	private reply(req: SandboxRequest, body: Json, context: string) {
		return odataJson({
			'@odata.context': `${req.baseUrl}${API_PATH}/$metadata${context}`,
			...body,
		});
	}

	private table(req: SandboxRequest): TableDef {
		const raw = req.params.key;
		const name = /^LogicalName\s*=\s*'([^']*)'$/.exec(raw)?.[1];
		const id = parseGuid(raw);
		const t = this.tables.find((x) =>
			name !== undefined
				? x.logicalName === name
				: id !== undefined && metadataId(`entity:${x.logicalName}`) === id,
		);
		if (!t) throw DV.metadataNotFound(`Could not find entity with name ${name ?? raw}`);
		return t;
	}

	private entity(req: SandboxRequest, t: TableDef, q: URLSearchParams): Json {
		const full: Json = {
			MetadataId: metadataId(`entity:${t.logicalName}`),
			LogicalName: t.logicalName,
			SchemaName: schemaName(t.logicalName, t.isCustom),
			EntitySetName: t.entitySetName,
			LogicalCollectionName: t.entitySetName,
			PrimaryIdAttribute: t.primaryId,
			PrimaryNameAttribute: t.primaryName,
			ObjectTypeCode: t.objectTypeCode,
			IsCustomEntity: t.isCustom,
			IsActivity: false,
			OwnershipType: t.logicalName === 'systemuser' ? 'BusinessOwned' : 'UserOwned',
			DisplayName: label(t.displayName, t.logicalName),
			DisplayCollectionName: label(t.displayCollectionName, `${t.logicalName}:collection`),
			ChangeTrackingEnabled: t.changeTracking !== false,
		};
		const out = pick(full, this.sel(q.get('$select')), ['MetadataId']);
		for (const [name, { sel, filter }] of expands(q.get('$expand'))) {
			const related = this.relationships?.(t, name, sel, filter);
			if (related) out[name] = related;
			else if (name === 'Attributes')
				out.Attributes = t.attributes.map((a) => pick(this.attribute(t, a), sel, ['MetadataId']));
			else if (name === 'Keys')
				out.Keys = t.keys.map((k) => pick(this.key(t, k), sel, ['MetadataId']));
			else throw DV.noProperty(name, 'EntityMetadata');
		}
		void req;
		return out;
	}

	private key(t: TableDef, k: TableDef['keys'][number]): Json {
		return {
			MetadataId: metadataId(`key:${t.logicalName}:${k.logicalName}`),
			LogicalName: k.logicalName,
			SchemaName: k.logicalName,
			EntityLogicalName: t.logicalName,
			KeyAttributes: k.keyAttributes,
			EntityKeyIndexStatus: 'Active',
			DisplayName: label(k.logicalName, `key:${k.logicalName}`),
		};
	}

	/** One attribute's metadata (the derived type's properties included, `OptionSet` only when expanded). */
	private attribute(t: TableDef, a: AttrDef): Json {
		const out: Json = {
			'@odata.type': metadataType(a.type),
			MetadataId: metadataId(`attr:${t.logicalName}:${a.logicalName}`),
			LogicalName: a.logicalName,
			SchemaName:
				a.schemaName ?? schemaName(a.logicalName, t.isCustom && a.logicalName.startsWith('new_')),
			EntityLogicalName: t.logicalName,
			AttributeType: a.type,
			AttributeTypeName: { Value: attributeTypeName(a.type) },
			DisplayName: label(a.displayName, `${t.logicalName}.${a.logicalName}`),
			IsPrimaryId: a.logicalName === t.primaryId,
			IsPrimaryName: a.logicalName === t.primaryName,
			IsCustomAttribute: a.logicalName.startsWith('new_'),
			IsValidForCreate: !a.readOnly && !t.readOnly,
			IsValidForUpdate: !a.readOnly && !a.createOnly && !t.readOnly,
			IsValidForRead: true,
			RequiredLevel: managed(a.required ?? 'None', 'canmodifyrequirementlevelsettings'),
			AttributeOf: null,
		};
		if (a.maxLength !== undefined) out.MaxLength = a.maxLength;
		if (isLookup(a)) out.Targets = Object.keys(a.targets ?? {});
		if (a.type === 'String') {
			out.Format = a.format ?? 'Text';
			out.FormatName = { Value: a.format ?? 'Text' };
		}
		if (a.type === 'DateTime')
			out.Format = a.dateFormat === 'DateOnly' ? 'DateOnly' : 'DateAndTime';
		if (a.type === 'DateTime')
			out.DateTimeBehavior = { Value: a.dateFormat === 'DateOnly' ? 'DateOnly' : 'UserLocal' };
		if (a.type === 'Money')
			Object.assign(out, { Precision: 2, MinValue: -922337203685477, MaxValue: 922337203685477 });
		return out;
	}

	/** The attributes of a table, or only those of one derived type (`/Attributes/Microsoft.Dynamics.CRM.…`). */
	private attributes(req: SandboxRequest, cast: string | undefined) {
		const t = this.table(req);
		const sel = this.sel(req.query.get('$select'));
		const all = t.attributes.map((a) => this.attribute(t, a));
		const value = cast === undefined ? all : all.filter((x) => x['@odata.type'] === `#${cast}`);
		const ctx = `#EntityDefinitions('${t.logicalName}')/Attributes${cast ? `/${cast}` : ''}`;
		return this.reply(req, { value: value.map((x) => pick(x, sel, ['MetadataId'])) }, ctx);
	}

	private oneAttribute(req: SandboxRequest, cast: string | undefined) {
		const t = this.table(req);
		const name = /^LogicalName\s*=\s*'([^']*)'$/.exec(req.params.attr)?.[1];
		const id = parseGuid(req.params.attr);
		const a = t.attributes.find((x) =>
			name !== undefined
				? x.logicalName === name
				: metadataId(`attr:${t.logicalName}:${x.logicalName}`) === id,
		);
		if (!a)
			throw DV.metadataNotFound(
				`Could not find attribute ${name ?? req.params.attr} on entity ${t.logicalName}`,
			);
		const full = this.attribute(t, a);
		if (cast !== undefined && `#${cast}` !== full['@odata.type'])
			throw DV.bad(`The attribute ${a.logicalName} is not of type ${cast}.`, '0x80060888');
		const out = pick(full, this.sel(req.query.get('$select')), ['MetadataId']);
		for (const [exp] of expands(req.query.get('$expand'))) {
			if ((exp === 'OptionSet' || exp === 'GlobalOptionSet') && a.options) {
				out[exp] = exp === 'GlobalOptionSet' ? null : this.optionSet(t, a);
			} else
				throw DV.noProperty(
					exp,
					(cast ?? 'AttributeMetadata').replace('Microsoft.Dynamics.CRM.', ''),
				);
		}
		const ctx = `#EntityDefinitions('${t.logicalName}')/Attributes${cast ? `/${cast}` : ''}/$entity`;
		return this.reply(req, out, ctx);
	}

	private optionSet(t: TableDef, a: AttrDef): Json {
		const name = `${t.logicalName}_${a.logicalName}`;
		return {
			MetadataId: metadataId(`optionset:${name}`),
			HasChanged: null,
			IsCustomOptionSet: false,
			IsGlobal: false,
			IsManaged: true,
			Name: name,
			OptionSetType: a.type,
			DisplayName: label(a.displayName, `optionset:${name}`),
			Options: (a.options ?? []).map(([value, text]) => ({
				Value: value,
				Color: null,
				IsManaged: true,
				ExternalValue: null,
				ParentValues: [],
				MetadataId: null,
				HasChanged: null,
				Label: label(text, `option:${name}:${value}`),
				Description: label('', `optiondesc:${name}:${value}`),
				...(a.type === 'Status' ? { State: 0 } : {}),
			})),
		};
	}
}

function schemaName(logical: string, custom: boolean): string {
	if (custom) return logical.replace(/_([a-z])/, (_m, c: string) => `_${c.toUpperCase()}`);
	return logical.charAt(0).toUpperCase() + logical.slice(1);
}
