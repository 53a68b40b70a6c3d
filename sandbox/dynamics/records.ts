/**
 * Record routes of the Dataverse simulator: create (`POST /{set}`), retrieve / update / upsert / delete
 * (`/{set}({key})`, key = GUID or alternate key), `/{set}/$count`, and collection GETs with `$select`, `$top`,
 * `$count`, `$filter`, `$orderby`, `fetchXml` and server-driven paging (the collection GET is in `query.ts`).
 */
import {
	HttpError,
	empty,
	text,
	type Reply,
	type SandboxRequest,
	type SandboxServer,
} from '../kit';
import type { ChangeTracker } from './changes';
import type { DvData, Rec } from './data';
import { contextSelect, expandRow, parseExpand, type ExpandItem } from './expand';
import { MAX_PAGE_SIZE, annotationsApplied, includeAnnotations, listRecords } from './query';
import type { TableDef } from './schema';
import { API_PATH, DV, ODATA_HEADERS, etag, odataJson, parseKey, preferences } from './wire';

export class RecordsApi {
	constructor(
		private readonly data: DvData,
		private readonly callerId: () => string,
		private readonly changes?: ChangeTracker,
	) {}

	install(s: SandboxServer): void {
		const base = API_PATH;
		s.get(`${base}/:set/$count`, (req) => this.count(req), { kind: 'records.count' });
		s.get(`${base}/:set(:key)`, (req) => this.retrieve(req), { kind: 'records.retrieve' });
		s.patch(`${base}/:set(:key)`, (req) => this.upsert(req), { kind: 'records.update' });
		s.delete(`${base}/:set(:key)`, (req) => this.remove(req), { kind: 'records.delete' });
		s.get(`${base}/:set`, (req) => this.list(req), { kind: 'records.list' });
		s.post(`${base}/:set`, (req) => this.create(req), { kind: 'records.create' });
	}

	private table(req: SandboxRequest): TableDef {
		const t = this.data.bySet(req.params.set);
		if (!t) throw DV.noSegment(req.params.set);
		return t;
	}

	private writable(t: TableDef, verb: string): void {
		if (t.readOnly)
			throw new HttpError(
				403,
				`Principal user (Id=${this.callerId()}, type=8) is missing prv${verb}${t.displayName} privilege on OTC=${t.objectTypeCode} for entity '${t.logicalName}'.`,
				'0x80040220',
			);
	}

	private select(t: TableDef, req: SandboxRequest): string[] | undefined {
		const raw = req.query.get('$select');
		if (raw === null) return undefined;
		const names = raw
			.split(',')
			.map((x) => x.trim())
			.filter(Boolean);
		const ok = this.data.selectable(t);
		for (const n of names) if (!ok.has(n)) throw DV.noProperty(n, t.logicalName);
		return names;
	}

	private context(
		req: SandboxRequest,
		t: TableDef,
		select: string[] | undefined,
		suffix = '',
		expand: ExpandItem[] = [],
	): string {
		const cols = contextSelect(select, expand);
		return `${req.baseUrl}${API_PATH}/$metadata#${t.entitySetName}${cols}${suffix}`;
	}

	private entityUrl(req: SandboxRequest, t: TableDef, id: string): string {
		return `${req.baseUrl}${API_PATH}/${t.entitySetName}(${id})`;
	}

	private representation(req: SandboxRequest, t: TableDef, rec: Rec, status: number): Reply {
		const select = this.select(t, req);
		return odataJson(
			{
				'@odata.context': this.context(req, t, select, '/$entity'),
				...this.data.toWire(t, rec, select, this.annotate(req)),
			},
			status,
			{
				'OData-EntityId': this.entityUrl(req, t, rec.id),
				'Preference-Applied': 'return=representation',
			},
		);
	}

	/** Whether the client asked for annotations (`odata.include-annotations="*"` or naming some). */
	private annotate(req: SandboxRequest): boolean {
		return includeAnnotations(req) !== '';
	}

	private wantsRepresentation(req: SandboxRequest): boolean {
		return preferences(req.headers.prefer).get('return') === 'representation';
	}

	private async create(req: SandboxRequest): Promise<Reply> {
		const t = this.table(req);
		this.writable(t, 'Create');
		const fields = this.data.parseBody(t, await req.json(), `${req.baseUrl}${API_PATH}/`);
		const rec = this.data.create(t, fields, this.callerId());
		if (this.wantsRepresentation(req)) return this.representation(req, t, rec, 201);
		return empty(204, { ...ODATA_HEADERS, 'OData-EntityId': this.entityUrl(req, t, rec.id) });
	}

	private retrieve(req: SandboxRequest): Reply {
		const t = this.table(req);
		const key = parseKey(req.params.key);
		const select = this.select(t, req);
		const expandText = req.query.get('$expand');
		const expand = expandText !== null ? parseExpand(this.data, t, expandText) : [];
		const rec = this.data.find(t, key);
		if (!rec) throw DV.notFound(t.logicalName, 'id' in key ? key.id : req.params.key);
		const tag = etag(rec.fields.versionnumber);
		// Conditional retrieval: an unchanged record answers 304 without a body.
		if (req.header('if-none-match') === tag) return empty(304, { ...ODATA_HEADERS, ETag: tag });
		const ctx = {
			mode: 'entity' as const,
			annotate: this.annotate(req),
			apiUrl: `${req.baseUrl}${API_PATH}`,
			now: this.data.clock.now(),
		};
		return odataJson(
			{
				'@odata.context': this.context(req, t, select, '/$entity', expand),
				...this.data.toWire(t, rec, select, this.annotate(req)),
				...expandRow(this.data, t, rec, expand, ctx),
			},
			200,
			{
				ETag: tag,
				...(this.annotate(req) ? { 'Preference-Applied': annotationsApplied(req) } : {}),
			},
		);
	}

	/** PATCH: update, or create when nothing matches (upsert); `If-Match` / `If-None-Match` restrict it. */
	private async upsert(req: SandboxRequest): Promise<Reply> {
		const t = this.table(req);
		this.writable(t, 'Write');
		const key = parseKey(req.params.key);
		const ifMatch = req.header('if-match');
		const ifNoneMatch = req.header('if-none-match');
		const fields = this.data.parseBody(t, await req.json(), `${req.baseUrl}${API_PATH}/`);
		const found = this.data.find(t, key);
		let rec: Rec;
		if (found) {
			if (ifNoneMatch === '*') throw DV.exists();
			if (ifMatch !== undefined && ifMatch !== '*' && ifMatch !== etag(found.fields.versionnumber))
				throw DV.stale();
			rec = this.data.update(t, found, fields);
		} else {
			if (ifMatch !== undefined)
				throw DV.notFound(t.logicalName, 'id' in key ? key.id : req.params.key);
			const keyFields = 'alternate' in key ? key.alternate : {};
			rec = this.data.create(
				t,
				{ ...fields, ...keyFields },
				this.callerId(),
				'id' in key ? key.id : undefined,
			);
		}
		if (this.wantsRepresentation(req)) return this.representation(req, t, rec, found ? 200 : 201);
		return empty(204, { ...ODATA_HEADERS, 'OData-EntityId': this.entityUrl(req, t, rec.id) });
	}

	private remove(req: SandboxRequest): Reply {
		const t = this.table(req);
		this.writable(t, 'Delete');
		const key = parseKey(req.params.key);
		const rec = this.data.find(t, key);
		if (!rec) throw DV.notFound(t.logicalName, 'id' in key ? key.id : req.params.key);
		const ifMatch = req.header('if-match');
		if (ifMatch !== undefined && ifMatch !== '*' && ifMatch !== etag(rec.fields.versionnumber))
			throw DV.stale();
		this.data.delete(t, rec);
		return empty(204, { ...ODATA_HEADERS });
	}

	private count(req: SandboxRequest): Reply {
		const t = this.table(req);
		// With a delta token, `/$count` counts the changes since it (documented).
		const n =
			this.changes && req.query.has('$deltatoken')
				? this.changes.count(req, t)
				: this.data.coll(t).count();
		// `/$count` is capped at 5,000 like `@odata.count`.
		return text(String(Math.min(n, MAX_PAGE_SIZE)), 200, {
			...ODATA_HEADERS,
		});
	}

	/** Collection GETs (`$filter`, `$orderby`, paging, `fetchXml`) live in `query.ts`. */
	private list(req: SandboxRequest): Reply {
		const t = this.table(req);
		const select = req.query.has('fetchXml') ? undefined : this.select(t, req);
		// Following a delta link (`changes.ts`); the first tracked query is a normal list with a delta link at its end.
		if (this.changes && req.query.has('$deltatoken')) return this.changes.delta(req, t, select);
		return listRecords(this.data, req, t, select, this.changes);
	}
}
