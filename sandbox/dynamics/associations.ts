/**
 * Associate / disassociate through `$ref` (Dataverse Web API "Associate and disassociate table rows"):
 * `POST /{set}({id})/{collectionNav}/$ref` `{"@odata.id": "<api>/{set}({id})"}`, `PUT /{set}({id})/{lookupNav}/$ref`,
 * `DELETE /{set}({id})/{collectionNav}({relatedId})/$ref` (or `…/$ref?$id=<url>`), `DELETE /{set}({id})/{lookupNav}/$ref`;
 * and `GET /{set}({id})/{nav}` to read related rows. One-to-many associations write the child's lookup (so
 * `_x_value` reflects them); many-to-many ones live in an intersect collection of the store (`accountleads`).
 */
import { HttpError, empty, type Reply, type SandboxRequest, type SandboxServer } from '../kit';
import type { DvData, Fields, LookupValue, Rec } from './data';
import { relatedRows } from './navigation';
import { listRecords } from './query';
import {
	MANY_TO_MANY,
	ONE_TO_MANY,
	type AttrDef,
	type ManyToManyDef,
	type OneToManyDef,
	type TableDef,
} from './schema';
import { API_PATH, DV, ODATA_HEADERS, odataJson, parseGuid, parseKey } from './wire';

type Nav =
	| { kind: 'single'; attr: AttrDef; target: TableDef }
	| { kind: 'oneToMany'; rel: OneToManyDef; child: TableDef }
	| { kind: 'manyToMany'; rel: ManyToManyDef; other: TableDef; self: 1 | 2 };

export class AssociationsApi {
	constructor(private readonly data: DvData) {
		for (const r of MANY_TO_MANY) data.store.collection(r.intersect);
	}

	install(s: SandboxServer): void {
		const base = `${API_PATH}/:set(:key)`;
		s.post(`${base}/:nav/$ref`, (req) => this.associate(req), { kind: 'records.associate' });
		s.put(`${base}/:nav/$ref`, (req) => this.associate(req), { kind: 'records.associate' });
		s.delete(`${base}/:nav(:related)/$ref`, (req) => this.disassociate(req), {
			kind: 'records.disassociate',
		});
		s.delete(`${base}/:nav/$ref`, (req) => this.disassociate(req), {
			kind: 'records.disassociate',
		});
		s.get(`${base}/:nav`, (req) => this.related(req), { kind: 'records.related' });
	}

	private row(req: SandboxRequest): { t: TableDef; rec: Rec } {
		const t = this.data.bySet(req.params.set);
		if (!t) throw DV.noSegment(req.params.set);
		const key = parseKey(req.params.key);
		const rec = this.data.find(t, key);
		if (!rec) throw DV.notFound(t.logicalName, 'id' in key ? key.id : req.params.key);
		return { t, rec };
	}

	/** The navigation property `name` of table `t`, or Dataverse's 404 for an unknown segment. */
	private nav(t: TableDef, name: string): Nav {
		for (const a of t.attributes) {
			const target = Object.entries(a.targets ?? {}).find(([, n]) => n === name)?.[0];
			if (target && a.type !== 'Owner' && !a.readOnly)
				return { kind: 'single', attr: a, target: this.data.byLogical(target)! };
		}
		const o = ONE_TO_MANY.find((r) => r.schemaName === name && r.referenced === t.logicalName);
		if (o) return { kind: 'oneToMany', rel: o, child: this.data.byLogical(o.referencing)! };
		const m = MANY_TO_MANY.find(
			(r) => r.schemaName === name && (r.entity1 === t.logicalName || r.entity2 === t.logicalName),
		);
		if (m) {
			const self = m.entity1 === t.logicalName ? 1 : 2;
			return {
				kind: 'manyToMany',
				rel: m,
				self,
				other: this.data.byLogical(self === 1 ? m.entity2 : m.entity1)!,
			};
		}
		throw DV.noSegment(name);
	}

	/** The row an `@odata.id` (absolute under the API, or relative) names; it must be of table `expected`. */
	private target(req: SandboxRequest, ref: unknown, expected: TableDef): Rec {
		const apiUrl = `${req.baseUrl}${API_PATH}/`;
		if (typeof ref !== 'string')
			throw DV.bad("The '@odata.id' of the reference is missing or not a string.", '0x80048d19');
		const rel = ref.startsWith(apiUrl) ? ref.slice(apiUrl.length) : ref.replace(/^\//, '');
		const m = /^([A-Za-z0-9_]+)\(([^)]*)\)$/.exec(rel);
		const t = m ? this.data.bySet(m[1]) : undefined;
		if (!m || !t)
			throw DV.bad(`The URI '${ref}' is not valid for an @odata.id reference.`, '0x80048d19');
		if (t.logicalName !== expected.logicalName)
			throw DV.bad(
				`The reference '${ref}' is not a '${expected.logicalName}' record (the navigation property expects one).`,
				'0x80048d19',
			);
		const key = parseKey(decodeURIComponent(m[2]));
		const rec = this.data.find(t, key);
		if (!rec) throw DV.notFound(t.logicalName, parseGuid(m[2]) ?? m[2]);
		return rec;
	}

	private async associate(req: SandboxRequest): Promise<Reply> {
		const { t, rec } = this.row(req);
		const nav = this.nav(t, req.params.nav);
		const body = await req.json<Record<string, unknown>>();
		const ref = body && typeof body === 'object' ? body['@odata.id'] : undefined;
		// Collection-valued properties take POST, single-valued ones PUT (as in Microsoft's examples).
		if ((nav.kind === 'single') !== (req.method === 'PUT'))
			throw DV.bad(
				nav.kind === 'single'
					? `Use PUT to set the single-valued navigation property '${req.params.nav}'.`
					: `Use POST to add a reference to the collection-valued navigation property '${req.params.nav}'.`,
				'0x80060888',
			);
		if (nav.kind === 'single') {
			const target = this.target(req, ref, nav.target);
			this.setLookup(t, rec, nav.attr.logicalName, {
				id: target.id,
				logicalName: nav.target.logicalName,
			});
		} else if (nav.kind === 'oneToMany') {
			const child = this.target(req, ref, nav.child);
			this.setLookup(nav.child, child, nav.rel.lookup, { id: rec.id, logicalName: t.logicalName });
		} else {
			const other = this.target(req, ref, nav.other);
			const link = this.link(nav, rec.id, other.id);
			// Associating twice fails on the intersect table's unique key (wording from memory, see README).
			if (this.links(nav.rel).find((l) => sameLink(l.fields, link)))
				throw new HttpError(412, 'Cannot insert duplicate key.', '0x80040237');
			this.links(nav.rel).create(link);
		}
		return empty(204, { ...ODATA_HEADERS });
	}

	private disassociate(req: SandboxRequest): Reply {
		const { t, rec } = this.row(req);
		const nav = this.nav(t, req.params.nav);
		if (nav.kind === 'single') {
			if (req.params.related !== undefined)
				throw DV.noSegment(`${req.params.nav}(${req.params.related})`);
			this.setLookup(t, rec, nav.attr.logicalName, null);
			return empty(204, { ...ODATA_HEADERS });
		}
		const other = nav.kind === 'oneToMany' ? nav.child : nav.other;
		let related: Rec;
		if (req.params.related !== undefined) {
			const key = parseKey(req.params.related);
			const found = this.data.find(other, key);
			if (!found) throw DV.notFound(other.logicalName, 'id' in key ? key.id : req.params.related);
			related = found;
		} else if (req.query.has('$id')) related = this.target(req, req.query.get('$id'), other);
		else
			throw DV.bad(
				`The related record of '${req.params.nav}' is missing (use ({id})/$ref or ?$id=).`,
				'0x80060888',
			);
		// Removing a link that does not exist is a no-op (our choice, see README).
		if (nav.kind === 'oneToMany') {
			const v = related.fields[nav.rel.lookup] as LookupValue | null | undefined;
			if (v?.id === rec.id) this.setLookup(other, related, nav.rel.lookup, null);
		} else {
			const link = this.link(nav, rec.id, related.id);
			const found = this.links(nav.rel).find((l) => sameLink(l.fields, link));
			if (found) this.links(nav.rel).delete(found.id);
		}
		return empty(204, { ...ODATA_HEADERS });
	}

	/** `GET /{set}({id})/{nav}`: the related rows (a collection) or the referenced row. */
	private related(req: SandboxRequest): Reply {
		const { t, rec } = this.row(req);
		const nav = this.nav(t, req.params.nav);
		const ctx = (set: string) => `${req.baseUrl}${API_PATH}/$metadata#${set}`;
		if (nav.kind === 'single') {
			const v = rec.fields[nav.attr.logicalName] as LookupValue | null | undefined;
			const target = v ? this.data.coll(nav.target).get(v.id) : undefined;
			if (!target) return empty(204, { ...ODATA_HEADERS });
			return odataJson({
				'@odata.context': `${ctx(nav.target.entitySetName)}/$entity`,
				...this.data.toWire(nav.target, target),
			});
		}
		// The related rows are a collection like any other: `$select`, `$filter`, `$orderby`, `$top`, `$expand` and
		// paging apply (the `{nav}@odata.nextLink` of an expanded collection points here).
		const other = nav.kind === 'oneToMany' ? nav.child : nav.other;
		const rows = relatedRows(this.data, t, { ...nav, name: req.params.nav }, rec);
		const raw = req.query.get('$select');
		const select = raw === null ? undefined : raw.split(',').map((x) => x.trim());
		for (const n of select ?? [])
			if (!this.data.selectable(other).has(n)) throw DV.noProperty(n, other.logicalName);
		return listRecords(this.data, req, other, select, undefined, {
			rows,
			path: `${req.params.set}(${req.params.key})/${req.params.nav}`,
		});
	}

	private setLookup(t: TableDef, rec: Rec, attr: string, value: LookupValue | null): void {
		this.data.update(t, rec, { [attr]: value });
	}

	private links(rel: ManyToManyDef) {
		return this.data.store.collection<Fields>(rel.intersect);
	}

	private side(nav: Extract<Nav, { kind: 'manyToMany' }>, which: 1 | 2): string {
		return which === 1 ? nav.rel.entity1Attribute : nav.rel.entity2Attribute;
	}

	private link(nav: Extract<Nav, { kind: 'manyToMany' }>, selfId: string, otherId: string): Fields {
		return {
			[this.side(nav, nav.self)]: selfId,
			[this.side(nav, nav.self === 1 ? 2 : 1)]: otherId,
		};
	}

	/** The N:N links of a row, for tests. */
	linked(rel: string, id: string): string[] {
		const r = MANY_TO_MANY.find((x) => x.schemaName === rel);
		if (!r) return [];
		return this.links(r)
			.list()
			.flatMap((l) =>
				l.fields[r.entity1Attribute] === id
					? [String(l.fields[r.entity2Attribute])]
					: l.fields[r.entity2Attribute] === id
						? [String(l.fields[r.entity1Attribute])]
						: [],
			);
	}
}

function sameLink(a: Fields, b: Fields): boolean {
	return Object.keys(b).every((k) => a[k] === b[k]);
}
