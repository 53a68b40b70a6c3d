/**
 * The Dataverse simulator's records: one kit `Collection` per table (so the request log, `onChange` and the change
 * log see every write), an org-wide `versionnumber` (Dataverse's rowversion, the ETag source), alternate-key
 * uniqueness, validation of write bodies (types, lengths, option values, `@odata.bind` lookups) and the wire shape
 * of a record.
 */
import { guidGenerator, type Clock, type Collection, type Store, type StoredRecord } from '../kit';
import { isLookup, wireName, type AttrDef, type TableDef } from './schema';
import { tables } from './tables';
import { DV, etag, parseGuid, parseKey, type RecordKey } from './wire';

export type Fields = Record<string, unknown>;
export type Rec = StoredRecord<Fields>;
/** A lookup value as stored. */
export interface LookupValue {
	id: string;
	logicalName: string;
}

/** Tables, records and the rules every write follows. */
export class DvData {
	readonly tables: TableDef[] = tables();
	private version = 1_000_000;
	private readonly newGuid: () => string;

	constructor(
		readonly store: Store,
		readonly clock: Clock,
		seed: number,
	) {
		this.newGuid = guidGenerator(seed ^ 0xd7);
		for (const t of this.tables) {
			const c = store.collection(t.logicalName, { idGenerator: this.newGuid });
			// Alternate keys are looked up through an index (normalised value → id) instead of a scan per write.
			for (const k of t.keys)
				c.defineIndex(k.logicalName, (r) =>
					r.deletedAt === null ? keyString(k.keyAttributes, r.fields) : undefined,
				);
		}
	}

	/** A table by entity set name (`contacts`) or logical name (`contact`). */
	bySet(set: string): TableDef | undefined {
		return this.tables.find((t) => t.entitySetName === set);
	}

	byLogical(name: string): TableDef | undefined {
		return this.tables.find((t) => t.logicalName === name);
	}

	coll(t: TableDef): Collection<Fields> {
		return this.store.collection<Fields>(t.logicalName);
	}

	attr(t: TableDef, name: string): AttrDef | undefined {
		return t.attributes.find((a) => a.logicalName === name);
	}

	/** A GUID from the simulator's seeded sequence. */
	guid(): string {
		return this.newGuid();
	}

	/** Finds a live record by primary key or alternate key. */
	find(t: TableDef, key: RecordKey): Rec | undefined {
		if ('id' in key) return this.coll(t).get(key.id);
		const names = Object.keys(key.alternate).sort();
		const def = t.keys.find((k) => [...k.keyAttributes].sort().join(',') === names.join(','));
		if (!def) {
			// Dataverse names the key attributes it could not match to a key; the wording is ours (see README).
			throw DV.bad(
				`The key attributes specified (${names.join(', ')}) do not match an alternate key defined for entity '${t.logicalName}'.`,
				'0x80060890',
			);
		}
		const indexed = keyString(def.keyAttributes, key.alternate);
		if (indexed !== undefined)
			return this.coll(t)
				.lookup(def.logicalName, indexed)
				.find((r) => r.deletedAt === null);
		return this.coll(t).find((r) => names.every((n) => sameValue(r.fields[n], key.alternate[n])));
	}

	/** Validates a write body into stored field values (lookups as {@link LookupValue}). */
	parseBody(t: TableDef, body: unknown, baseUrl: string): Fields {
		if (typeof body !== 'object' || body === null || Array.isArray(body))
			throw DV.bad('The request body must be a JSON object.', '0x80048d19');
		const out: Fields = {};
		for (const [k, v] of Object.entries(body as Fields)) {
			if (k.startsWith('@odata.') || (k.includes('@') && !k.endsWith('@odata.bind'))) continue;
			if (k.endsWith('@odata.bind')) {
				const nav = k.slice(0, -'@odata.bind'.length);
				const a = this.bindable(t, nav);
				if (!a) throw DV.noNavigation(nav, t.logicalName);
				const target = Object.entries(a.targets ?? {}).find(([, n]) => n === nav)![0];
				// "Disassociate tables on update": `{nav}@odata.bind: null` clears the lookup.
				out[a.logicalName] = v === null ? null : this.resolveBind(target, v, baseUrl);
				continue;
			}
			// …or the navigation property itself set to null (`"primarycontactid": null`).
			const cleared = v === null ? this.bindable(t, k) : undefined;
			if (cleared) {
				out[cleared.logicalName] = null;
				continue;
			}
			const a = this.attr(t, k);
			if (!a) {
				if (/^_.+_value$/.test(k))
					throw DV.bad(
						'CRM do not support direct update of Entity Reference properties, Use Navigation properties instead.',
						'0x80048d19',
					);
				throw DV.undeclared(k, t.logicalName);
			}
			if (isLookup(a)) throw DV.undeclared(k, t.logicalName);
			// Dataverse ignores values sent for system-set columns (createdon, fullname, versionnumber).
			if (a.readOnly) continue;
			out[k] = this.checkValue(t, a, v);
		}
		return out;
	}

	/** The writable lookup whose single-valued navigation property is `nav` (case-sensitive). */
	private bindable(t: TableDef, nav: string): AttrDef | undefined {
		const a = t.attributes.find((x) => x.targets && Object.values(x.targets).includes(nav));
		return a && !a.readOnly && a.type !== 'Owner' ? a : undefined;
	}

	private resolveBind(target: string, v: unknown, baseUrl: string): LookupValue {
		if (typeof v !== 'string')
			throw DV.bad('An @odata.bind value must be a URL string.', '0x80048d19');
		const m = /([A-Za-z0-9_]+)\(([^)]*)\)\s*$/.exec(
			v.startsWith(baseUrl) ? v.slice(baseUrl.length) : v,
		);
		const tt = m ? this.bySet(m[1]) : undefined;
		if (!m || !tt)
			throw DV.bad(`The URI '${v}' is not valid for an @odata.bind annotation.`, '0x80048d19');
		if (tt.logicalName !== target)
			throw DV.bad(`The navigation property expects a '${target}' record: ${v}`, '0x80048d19');
		const rec = this.find(tt, parseKey(decodeURIComponent(m[2])));
		if (!rec) throw DV.notFound(tt.logicalName, parseGuid(m[2]) ?? m[2]);
		return { id: rec.id, logicalName: tt.logicalName };
	}

	private checkValue(t: TableDef, a: AttrDef, v: unknown): unknown {
		if (v === null) return null;
		const convert = (edm: string) =>
			DV.bad(
				`Cannot convert the literal '${String(v)}' to the expected type '${edm}'.`,
				'0x80048d19',
			);
		switch (a.type) {
			case 'String':
			case 'Memo':
				if (typeof v !== 'string') throw convert('Edm.String');
				if (a.maxLength !== undefined && v.length > a.maxLength)
					throw DV.bad(
						`A validation error occurred.  The length of the '${a.logicalName}' attribute of the '${t.logicalName}' entity exceeded the maximum allowed length of '${a.maxLength}'.`,
						'0x80044331',
					);
				return v;
			case 'Money':
				if (typeof v !== 'number' || !Number.isFinite(v)) throw convert('Edm.Decimal');
				return v;
			case 'Integer':
			case 'BigInt':
			case 'Picklist':
			case 'State':
			case 'Status':
				if (!Number.isInteger(v)) throw convert(a.type === 'BigInt' ? 'Edm.Int64' : 'Edm.Int32');
				if (a.options && !a.options.some(([n]) => n === v))
					throw DV.bad(
						`A validation error occurred. The value ${String(v)} of '${a.logicalName}' on record of type '${t.logicalName}' is outside the valid range. Accepted Values: ${a.options.map(([n]) => n).join(',')}`,
						'0x8004431a',
					);
				return v;
			case 'DateTime':
				if (a.dateFormat === 'DateOnly') {
					if (typeof v !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(v)) throw convert('Edm.Date');
					return v;
				}
				if (typeof v !== 'string' || Number.isNaN(Date.parse(v)))
					throw convert('Edm.DateTimeOffset');
				return new Date(v).toISOString().replace(/\.\d{3}Z$/, 'Z');
			case 'Uniqueidentifier': {
				const g = typeof v === 'string' ? parseGuid(v) : undefined;
				if (!g) throw convert('Edm.Guid');
				return g;
			}
			default:
				return v;
		}
	}

	/** Creates a record (the primary key from `id`, the body, or a new GUID); checks alternate keys. */
	create(t: TableDef, fields: Fields, ownerId: string, id?: string): Rec {
		const pkValue = (fields[t.primaryId] as string | undefined) ?? id ?? this.guid();
		if (this.coll(t).get(pkValue)) throw DV.exists();
		// A deleted row's id may be used again (e.g. an upsert by id after a delete): drop the tombstone first.
		if (this.coll(t).get(pkValue, { includeDeleted: true })) this.coll(t).purge(pkValue);
		const all: Fields = { ...fields };
		delete all[t.primaryId];
		if (this.attr(t, 'statecode') && all.statecode === undefined) all.statecode = 0;
		if (this.attr(t, 'statuscode') && all.statuscode === undefined) all.statuscode = 1;
		if (this.attr(t, 'ownerid')) all.ownerid = { id: ownerId, logicalName: 'systemuser' };
		this.checkKeys(t, all, undefined);
		return this.coll(t).create(this.computed(t, all), { id: pkValue });
	}

	/** Applies a validated patch to a live record. */
	update(t: TableDef, rec: Rec, patch: Fields): Rec {
		const merged = { ...rec.fields, ...patch };
		delete merged[t.primaryId];
		this.checkKeys(t, merged, rec.id);
		return this.coll(t).replace(rec.id, this.computed(t, merged))!;
	}

	/** The latest org-wide version number (change tracking tokens name it). */
	get currentVersion(): number {
		return this.version;
	}

	/** A fresh org-wide version number (a delete takes one, as Dataverse's rowversion grows with deletes too). */
	nextVersion(): number {
		return ++this.version;
	}

	delete(t: TableDef, rec: Rec): void {
		this.coll(t).delete(rec.id);
	}

	/** Full names and a fresh org-wide version number. */
	private computed(t: TableDef, f: Fields): Fields {
		if (this.attr(t, 'fullname') && this.attr(t, 'lastname')) {
			f.fullname = [f.firstname, f.lastname]
				.filter((x) => typeof x === 'string' && x !== '')
				.join(' ');
		}
		f.versionnumber = ++this.version;
		return f;
	}

	private checkKeys(t: TableDef, f: Fields, selfId: string | undefined): void {
		for (const k of t.keys) {
			if (k.keyAttributes.some((a) => f[a] === null || f[a] === undefined)) continue;
			const indexed = keyString(k.keyAttributes, f);
			const clash =
				indexed !== undefined
					? this.coll(t)
							.lookup(k.logicalName, indexed)
							.some((r) => r.id !== selfId && r.deletedAt === null)
					: this.coll(t).find(
							(r) => r.id !== selfId && k.keyAttributes.every((a) => sameValue(r.fields[a], f[a])),
						);
			if (clash) throw DV.duplicateKey(k.logicalName, k.keyAttributes);
		}
	}

	/**
	 * A record as Dataverse returns it: `@odata.etag`, the primary key, then the (selected) columns. With `annotate`
	 * (`Prefer: odata.include-annotations="*"`), lookups carry `…@Microsoft.Dynamics.CRM.lookuplogicalname` and
	 * `…@Microsoft.Dynamics.CRM.associatednavigationproperty`, option sets and lookups
	 * `…@OData.Community.Display.V1.FormattedValue`.
	 */
	toWire(t: TableDef, rec: Rec, select?: string[], annotate = false): Fields {
		const out: Fields = { '@odata.etag': etag(rec.fields.versionnumber) };
		for (const a of t.attributes) {
			const name = wireName(a);
			if (select && !select.includes(name) && a.logicalName !== t.primaryId) continue;
			const value = this.wireValue(t, a, rec);
			if (annotate && value !== null) Object.assign(out, this.annotations(a, name, rec));
			out[name] = value;
		}
		return out;
	}

	private annotations(a: AttrDef, name: string, rec: Rec): Fields {
		const v = rec.fields[a.logicalName];
		const fv = `${name}@OData.Community.Display.V1.FormattedValue`;
		if (a.options) return { [fv]: a.options.find(([n]) => n === v)?.[1] ?? String(v) };
		if (!isLookup(a)) return {};
		const lv = v as LookupValue;
		const target = this.byLogical(lv.logicalName);
		const targetRec = target ? this.coll(target).get(lv.id) : undefined;
		return {
			[fv]: targetRec ? String(targetRec.fields[target!.primaryName] ?? '') : '',
			[`${name}@Microsoft.Dynamics.CRM.associatednavigationproperty`]: a.targets?.[lv.logicalName],
			[`${name}@Microsoft.Dynamics.CRM.lookuplogicalname`]: lv.logicalName,
		};
	}

	private wireValue(t: TableDef, a: AttrDef, rec: Rec): unknown {
		if (a.logicalName === t.primaryId) return rec.id;
		if (a.logicalName === 'createdon') return iso(rec.createdAt);
		if (a.logicalName === 'modifiedon') return iso(rec.updatedAt);
		if (a.logicalName === 'versionnumber') return rec.fields.versionnumber;
		const v = rec.fields[a.logicalName];
		if (v === undefined || v === null) return null;
		if (isLookup(a)) return (v as LookupValue).id;
		return v;
	}

	/** The names `$select` accepts for a table (wire names). */
	selectable(t: TableDef): Set<string> {
		return new Set(t.attributes.map(wireName));
	}
}

/**
 * The index key of an alternate key's values, normalised as {@link sameValue} compares them (strings without case,
 * numbers and booleans as they are, each tagged with its type); undefined when a value is missing or of another kind
 * (then the key is compared by a scan).
 */
function keyString(attrs: readonly string[], f: Fields): string | undefined {
	const parts: string[] = [];
	for (const a of attrs) {
		const v = f[a];
		if (typeof v === 'string') parts.push(`s${v.toLowerCase()}`);
		else if (typeof v === 'number' && !Number.isNaN(v)) parts.push(`n${String(v)}`);
		else if (typeof v === 'boolean') parts.push(`b${String(v)}`);
		else return undefined;
	}
	return parts.join('\u0000');
}

function sameValue(a: unknown, b: unknown): boolean {
	return typeof a === 'string' && typeof b === 'string'
		? a.toLowerCase() === b.toLowerCase()
		: a === b;
}

/** Dataverse timestamps have whole seconds and a `Z`. */
export function iso(ms: number): string {
	return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}
