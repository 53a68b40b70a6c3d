/**
 * Record routes of the Dataverse simulator: create (`POST /{set}`), retrieve / update / upsert / delete
 * (`/{set}({key})`, key = GUID or alternate key), `/{set}/$count`, and collection GETs with `$select`, `$top`,
 * `$count` and server-driven paging (`Prefer: odata.maxpagesize`, `@odata.nextLink` with a `$skiptoken` that carries
 * the last primary key, so paging is stable while records change).
 */
import {
	HttpError,
	empty,
	text,
	type Reply,
	type SandboxRequest,
	type SandboxServer,
} from '../kit';
import type { DvData, Rec } from './data';
import type { TableDef } from './schema';
import { API_PATH, DV, ODATA_HEADERS, etag, odataJson, parseKey, preferences } from './wire';

/** Largest (and default) page size Dataverse serves. */
export const MAX_PAGE_SIZE = 5000;

/**
 * INTEGRATION POINT: `$filter`, `$orderby` and `fetchXml` are evaluated by `odata*.ts` / `fetchxml.ts` (written in
 * parallel). Until they are wired in here, those parameters answer 501 in Dataverse's error shape.
 */
export type CollectionQueryHook = (t: TableDef, rows: Rec[], req: SandboxRequest) => Rec[];

const NOT_YET = ['$filter', '$orderby', 'fetchXml', '$expand', '$apply'];

export class RecordsApi {
	/** Set by the later $filter/$orderby/FetchXML integration; until then those parameters answer 501. */
	queryHook?: CollectionQueryHook;

	constructor(
		private readonly data: DvData,
		private readonly callerId: () => string,
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
	): string {
		const cols = select ? `(${select.join(',')})` : '';
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
		return (preferences(req.headers.prefer).get('odata.include-annotations') ?? '') !== '';
	}

	/** The `Preference-Applied` item echoing the annotations asked for. */
	private annotationsApplied(req: SandboxRequest): string {
		return `odata.include-annotations="${preferences(req.headers.prefer).get('odata.include-annotations')}"`;
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
		const rec = this.data.find(t, key);
		if (!rec) throw DV.notFound(t.logicalName, 'id' in key ? key.id : req.params.key);
		const tag = etag(rec.fields.versionnumber);
		// Conditional retrieval: an unchanged record answers 304 without a body.
		if (req.header('if-none-match') === tag) return empty(304, { ...ODATA_HEADERS, ETag: tag });
		return odataJson(
			{
				'@odata.context': this.context(req, t, select, '/$entity'),
				...this.data.toWire(t, rec, select, this.annotate(req)),
			},
			200,
			{
				ETag: tag,
				...(this.annotate(req) ? { 'Preference-Applied': this.annotationsApplied(req) } : {}),
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
		// `/$count` is capped at 5,000 like `@odata.count`.
		return text(String(Math.min(this.data.coll(t).count(), MAX_PAGE_SIZE)), 200, {
			...ODATA_HEADERS,
		});
	}

	private list(req: SandboxRequest): Reply {
		const t = this.table(req);
		const q = req.query;
		if (q.has('$skip')) throw DV.bad('The query parameter $skip is not supported', '0x80060888');
		const pending = NOT_YET.filter((p) => q.has(p));
		let rows = this.data.coll(t).list();
		if (pending.length > 0) {
			if (!this.queryHook || pending.some((p) => p === '$expand' || p === '$apply'))
				throw new HttpError(
					501,
					`${pending.join(', ')}: not simulated yet by the Dataverse sandbox.`,
					'0x80040216',
				);
			rows = this.queryHook(t, rows, req);
		} else {
			// Stable order by primary key, so a `$skiptoken` (the last key served) resumes exactly after it.
			rows = [...rows].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
		}
		const select = this.select(t, req);
		const topRaw = q.get('$top');
		let top: number | undefined;
		if (topRaw !== null) {
			top = Number(topRaw);
			if (!Number.isInteger(top) || top < 0)
				throw DV.bad(`Invalid value '${topRaw}' for $top query option found.`, '0x80060888');
		}
		const countRaw = q.get('$count');
		if (countRaw !== null && countRaw !== 'true' && countRaw !== 'false')
			throw DV.bad(`'${countRaw}' is not a valid count option.`, '0x80060888');
		const total = rows.length;
		const prefs = preferences(req.headers.prefer);
		const asked = prefs.has('odata.maxpagesize')
			? Number(prefs.get('odata.maxpagesize'))
			: undefined;
		if (asked !== undefined && !(Number.isInteger(asked) && asked > 0))
			throw DV.bad(
				`The value '${prefs.get('odata.maxpagesize')}' of odata.maxpagesize is not valid.`,
				'0x80060888',
			);
		const pageSize = Math.min(asked ?? MAX_PAGE_SIZE, MAX_PAGE_SIZE);
		const skip = q.get('$skiptoken');
		if (skip !== null) {
			const last = lastKeyOf(skip, t.primaryId);
			rows = rows.filter((r) => r.id > last);
		}
		if (top !== undefined) rows = rows.slice(0, top);
		const page = top !== undefined && asked === undefined ? rows : rows.slice(0, pageSize);
		const body: Record<string, unknown> = { '@odata.context': this.context(req, t, select) };
		if (countRaw === 'true') body['@odata.count'] = Math.min(total, MAX_PAGE_SIZE);
		const annotate = this.annotate(req);
		body.value = page.map((r) => this.data.toWire(t, r, select, annotate));
		if (rows.length > page.length) {
			const pageNo = Number(/pagenumber="(\d+)"/.exec(skip ?? '')?.[1] ?? '1') + 1;
			// Keep the other query options as they came (`$select=a,b`), and percent-encode the cookie (`%20`, not `+`).
			const parts: string[] = [];
			for (const [k, v] of q) if (k !== '$skiptoken') parts.push(`${k}=${encodeQueryValue(v)}`);
			parts.push(
				`$skiptoken=${encodeQueryValue(skipToken(t.primaryId, page[0].id, page[page.length - 1].id, pageNo))}`,
			);
			body['@odata.nextLink'] = `${req.baseUrl}${API_PATH}/${t.entitySetName}?${parts.join('&')}`;
		}
		const applied: string[] = [];
		if (asked !== undefined) applied.push(`odata.maxpagesize=${pageSize}`);
		if (annotate) applied.push(this.annotationsApplied(req));
		return odataJson(
			body,
			200,
			applied.length > 0 ? { 'Preference-Applied': applied.join(',') } : {},
		);
	}
}

/**
 * Dataverse's `$skiptoken` is a paging cookie: `<cookie pagenumber="2" pagingcookie="…" istracking="False" />`, where
 * `pagingcookie` is URL-encoded twice and holds the first and last primary keys of the page served.
 */
export function skipToken(
	primaryId: string,
	first: string,
	last: string,
	nextPage: number,
): string {
	const inner = `<cookie page="${nextPage - 1}"><${primaryId} last="{${last.toUpperCase()}}" first="{${first.toUpperCase()}}" /></cookie>`;
	const twice = encodeURIComponent(encodeURIComponent(inner));
	return `<cookie pagenumber="${nextPage}" pagingcookie="${twice}" istracking="False" />`;
}

function lastKeyOf(token: string, primaryId: string): string {
	const cookie = /pagingcookie="([^"]*)"/.exec(token)?.[1];
	let inner = '';
	try {
		inner = cookie ? decodeURIComponent(decodeURIComponent(cookie)) : '';
	} catch {
		inner = '';
	}
	const last = new RegExp(`<${primaryId} last="\\{([0-9A-Fa-f-]{36})\\}"`).exec(inner)?.[1];
	if (!last) throw DV.bad('The $skiptoken is not valid.', '0x80060888');
	return last.toLowerCase();
}

/** Percent-encodes a query value, leaving the characters OData keeps readable (`$ , ( ) ' =`). */
function encodeQueryValue(v: string): string {
	return encodeURIComponent(v).replace(/%24/g, '$').replace(/%2C/g, ',').replace(/%3D/g, '=');
}
