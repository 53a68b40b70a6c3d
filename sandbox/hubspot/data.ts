/**
 * The HubSpot simulator's record store: object types (standard and custom) over the kit's `Store`, one
 * collection per type, the unique-value index (`email`, `hasUniqueValue` properties), property reads,
 * record JSON, and the primitive writes (insert, patch, archive) every handler goes through.
 */
import {
	numericIdGenerator,
	type Collection,
	type HttpError,
	type Store,
	type StoredRecord,
} from '../kit';
import type { AssociationStore } from './associations';
import { checkValue, type ObjectTypeDef, type PropertyDef } from './schema';
import type { ValueGetter } from './search';
import { ISO, hubspotError } from './wire';

export type Fields = Record<string, string | null>;
export type Rec = StoredRecord<Fields>;

/** A unique value already held by another record (or an earlier input of the same batch). */
export interface UniqueConflict {
	prop: string;
	value: string;
	existingId: string;
}

/** Object types, their records and the unique-value index. */
export class HubSpotData {
	private readonly types = new Map<string, ObjectTypeDef>();
	private readonly byName = new Map<string, ObjectTypeDef>();
	private readonly collections = new Map<string, Collection<Fields>>();
	private readonly unique = new Map<string, Map<string, string>>();
	private readonly getters = new Map<string, ValueGetter>();

	constructor(
		readonly store: Store,
		readonly associations: AssociationStore,
	) {}

	// ---- object types ----------------------------------------------------------------------------------

	addType(def: ObjectTypeDef): void {
		this.types.set(def.objectTypeId, def);
		for (const n of [def.name, ...def.aliases]) this.byName.set(n.toLowerCase(), def);
		this.collections.set(
			def.objectTypeId,
			this.store.collection<Fields>(def.objectTypeId, {
				idGenerator: numericIdGenerator(def.idBase),
			}),
		);
		this.unique.set(def.objectTypeId, new Map());
	}

	/** The object type for a path segment (`contacts`, `contact`, `0-1`, `p123_cars`, `2-…`), if any. */
	objectType(name: string): ObjectTypeDef | undefined {
		const def = this.byName.get(name.toLowerCase());
		return def && !def.custom?.archived ? def : undefined;
	}

	/** Whether a name (lower-cased) is taken by a type, archived custom objects included. */
	hasName(name: string): boolean {
		return this.byName.has(name);
	}

	mustType(name: string): ObjectTypeDef {
		const def = this.objectType(name);
		if (!def)
			throw hubspotError(400, 'VALIDATION_ERROR', `Unable to infer object type from: ${name}`);
		return def;
	}

	/** The type with this object type id (`0-1`, `2-…`), archived custom objects included. */
	typeById(objectTypeId: string): ObjectTypeDef | undefined {
		return this.types.get(objectTypeId);
	}

	/** Every type, archived custom objects included, in creation order. */
	allTypes(): IterableIterator<ObjectTypeDef> {
		return this.types.values();
	}

	/** The records of an object type id, if there is such a type. */
	collectionById(objectTypeId: string): Collection<Fields> | undefined {
		return this.collections.get(objectTypeId);
	}

	coll(def: ObjectTypeDef): Collection<Fields> {
		return this.collections.get(def.objectTypeId) as Collection<Fields>;
	}

	getter(def: ObjectTypeDef): ValueGetter {
		let g = this.getters.get(def.objectTypeId);
		if (!g) {
			const created = def.properties.has('createdate') ? 'createdate' : 'hs_createdate';
			const lastMod = def.lastModifiedProperty;
			g = (r, prop) => {
				if (prop === 'hs_object_id') return r.id;
				if (prop === lastMod) return ISO(r.updatedAt);
				const v = (r.fields as Fields)[prop];
				if (prop === created) return v ?? ISO(r.createdAt);
				return v ?? null;
			};
			this.getters.set(def.objectTypeId, g);
		}
		return g;
	}

	/** Properties always returned with explicitly requested ones. */
	private alwaysProps(def: ObjectTypeDef): string[] {
		return [
			def.properties.has('createdate') ? 'createdate' : 'hs_createdate',
			def.lastModifiedProperty,
			'hs_object_id',
		];
	}

	recordJson(
		def: ObjectTypeDef,
		r: Rec,
		requested?: string[],
		all = false,
	): Record<string, unknown> {
		const get = this.getter(def);
		const live = (name: string) => def.properties.get(name)?.archived === false;
		let names: string[];
		if (all) {
			names = [
				...new Set([
					...Object.keys(r.fields).filter((k) => r.fields[k] !== null && live(k)),
					...this.alwaysProps(def),
				]),
			];
		} else if (requested && requested.length > 0) {
			names = [...new Set([...requested.filter(live), ...this.alwaysProps(def)])];
		} else names = def.defaultProperties;
		names.sort();
		const properties: Record<string, string | null> = {};
		for (const n of names) properties[n] = get(r, n);
		return {
			id: r.id,
			properties,
			createdAt: ISO(r.createdAt),
			updatedAt: ISO(r.updatedAt),
			archived: r.deletedAt !== null,
			...(r.deletedAt !== null ? { archivedAt: ISO(r.deletedAt) } : {}),
		};
	}

	// ---- unique values -----------------------------------------------------------------------------------

	private uniqueKey(prop: string, value: string): string {
		return `${prop}\u0000${value.toLowerCase()}`;
	}

	uniqueProps(def: ObjectTypeDef): PropertyDef[] {
		return [...def.properties.values()].filter((p) => p.hasUniqueValue && !p.archived);
	}

	/** The live record holding a unique value, if any. */
	findByUnique(def: ObjectTypeDef, prop: string, value: string): Rec | undefined {
		const id = this.unique.get(def.objectTypeId)?.get(this.uniqueKey(prop, value));
		return id === undefined ? undefined : this.coll(def).get(id);
	}

	conflict(
		def: ObjectTypeDef,
		fields: Fields,
		selfId: string | undefined,
		claims: Map<string, string>,
	): UniqueConflict | undefined {
		for (const p of this.uniqueProps(def)) {
			const v = fields[p.name];
			if (v === null || v === undefined) continue;
			const key = this.uniqueKey(p.name, v);
			const owner = this.unique.get(def.objectTypeId)?.get(key);
			if (owner !== undefined && owner !== selfId && this.coll(def).has(owner))
				return { prop: p.name, value: v, existingId: owner };
			const claimed = claims.get(key);
			if (claimed !== undefined && claimed !== (selfId ?? ''))
				return {
					prop: p.name,
					value: v,
					existingId: claimed.startsWith('#') ? '(an earlier input of this batch)' : claimed,
				};
		}
		return undefined;
	}

	claim(def: ObjectTypeDef, fields: Fields, selfId: string, claims: Map<string, string>): void {
		for (const p of this.uniqueProps(def)) {
			const v = fields[p.name];
			if (v !== null && v !== undefined) claims.set(this.uniqueKey(p.name, v), selfId);
		}
	}

	conflictMessage(def: ObjectTypeDef, c: UniqueConflict): string {
		if (def.objectTypeId === '0-1' && c.prop === 'email')
			return `Contact already exists. Existing ID: ${c.existingId}`;
		return `${def.label.charAt(0)}${def.label.slice(1).toLowerCase().replace(/_/g, ' ')} with ${c.prop} "${c.value}" already exists (${c.prop} must be unique). Existing ID: ${c.existingId}`;
	}

	private index(
		def: ObjectTypeDef,
		before: Fields | undefined,
		after: Fields | undefined,
		id: string,
	): void {
		const idx = this.unique.get(def.objectTypeId) as Map<string, string>;
		for (const p of this.uniqueProps(def)) {
			const old = before?.[p.name];
			const now = after?.[p.name];
			if (old === now) continue;
			if (old !== null && old !== undefined && idx.get(this.uniqueKey(p.name, old)) === id)
				idx.delete(this.uniqueKey(p.name, old));
			if (now !== null && now !== undefined) idx.set(this.uniqueKey(p.name, now), id);
		}
	}

	/** Empties the unique-value index (the records are cleared by the store). */
	clearUnique(): void {
		for (const idx of this.unique.values()) idx.clear();
	}

	// ---- writes ------------------------------------------------------------------------------------------

	insert(def: ObjectTypeDef, fields: Fields): Rec {
		const clean: Fields = {};
		for (const [k, v] of Object.entries(fields)) if (v !== null) clean[k] = v;
		const r = this.coll(def).create(clean);
		this.index(def, undefined, r.fields, r.id);
		return r;
	}

	patch(def: ObjectTypeDef, id: string, fields: Fields): Rec {
		const before = this.coll(def).get(id) as Rec;
		// Writing the values a record already has changes nothing (lastmodifieddate stays), as on HubSpot.
		if (Object.entries(fields).every(([k, v]) => (before.fields[k] ?? null) === v)) return before;
		const r = this.coll(def).update(id, fields) as Rec;
		this.index(def, before.fields, r.fields, id);
		return r;
	}

	archiveRecord(def: ObjectTypeDef, id: string): boolean {
		const r = this.coll(def).get(id);
		if (!r) return false;
		this.coll(def).delete(id);
		this.index(def, r.fields, undefined, id);
		this.associations.dropRecord(def.objectTypeId, id);
		return true;
	}

	// ---- reads -------------------------------------------------------------------------------------------

	/** Finds a live (or, with `archived`, archived) record by id or a unique property. */
	lookup(
		def: ObjectTypeDef,
		id: string,
		idProperty: string | null | undefined,
		archived = false,
	): Rec | undefined {
		const coll = this.coll(def);
		if (!idProperty || idProperty === 'hs_object_id') {
			const r = coll.get(id, { includeDeleted: archived });
			return r && (r.deletedAt !== null) === archived ? r : undefined;
		}
		const p = def.properties.get(idProperty);
		if (!p || !p.hasUniqueValue) {
			throw hubspotError(
				400,
				'VALIDATION_ERROR',
				`${idProperty} is not a unique identifier property of ${def.name}; use hs_object_id or a property with hasUniqueValue (${
					this.uniqueProps(def)
						.map((x) => x.name)
						.join(', ') || 'none defined'
				})`,
			);
		}
		const checked = checkValue(p, id);
		if (!checked.ok || checked.value === null) return undefined;
		if (archived)
			return coll
				.list({ deletedOnly: true })
				.find((r) => (r.fields[idProperty] ?? '').toLowerCase() === checked.value?.toLowerCase());
		return this.findByUnique(def, idProperty, checked.value);
	}

	notFound(def: ObjectTypeDef, id: string, idProperty?: string | null): HttpError {
		return hubspotError(
			404,
			'OBJECT_NOT_FOUND',
			`No ${def.label.toLowerCase()} with ${idProperty && idProperty !== 'hs_object_id' ? `${idProperty} ` : 'id '}${id} exists (it may have been archived or never existed).`,
			{
				context: { id: [id] },
			},
		);
	}
}
