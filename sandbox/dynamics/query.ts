/**
 * Collection GETs of the Dataverse simulator (`GET /{set}`): `$filter` / `$orderby` (evaluated by `odata.ts`),
 * `$select`, `$top`, `$count`, `$expand` (`expand.ts`; the expanded collections are not paged), server-driven paging
 * (`Prefer: odata.maxpagesize`, `@odata.nextLink` with a `$skiptoken` paging cookie), and `?fetchXml=` (handed to
 * `fetchQueryReply` in `fetchQuery.ts`). The related-rows route (`GET /{set}({id})/{nav}`) runs here too, over its
 * rows ({@link ListScope}).
 *
 * Paging is keyset paging, as Dataverse's cookie suggests: rows are sorted by the `$orderby` keys with the primary
 * key as the final tie-breaker, and the cookie carries the last served row's values of those keys
 * (`<cookie page="1"><lastname last="Smith" first="Adams" /><contactid last="{GUID}" first="{GUID}" /></cookie>`).
 * The next page is the rows strictly after that position, so rows deleted or inserted before it meanwhile neither
 * shift nor repeat later rows.
 */
import { HttpError, type Reply, type SandboxRequest } from '../kit';
import type { ChangeTracker } from './changes';
import type { DvData, Rec } from './data';
import { contextSelect, expandRow, parseExpand } from './expand';
import { addPathValues, filterPaths, navigationSchema } from './navigation';
import {
	buildPagingCookie,
	cookieGuid,
	parsePagingCookie,
	type CookieKey,
	type PagingCookie,
} from './fetchxmlCookie';
import { fetchQueryReply } from './fetchQuery';
import { indexedRows } from './filterIndex';
import {
	matches,
	parseCount,
	parseFilter,
	parseOrderBy,
	parseTop,
	skipNotSupported,
	type EntitySchema,
	type OrderKey,
	type Row,
} from './odata';
import { wireName, type TableDef } from './schema';
import { API_PATH, DV, encodeQueryValue, odataJson, preferences } from './wire';

/** Largest (and default) page size Dataverse serves. */
export const MAX_PAGE_SIZE = 5000;

/** Query options the simulator does not evaluate: 501 in Dataverse's error shape. */
const NOT_SIMULATED = ['$apply'];

const NUMERIC = new Set(['Money', 'Integer', 'BigInt', 'Picklist', 'State', 'Status']);

/** The `odata.include-annotations` preference (`*`, or a comma list of names / `namespace.*` patterns). */
export function includeAnnotations(req: SandboxRequest): string {
	return preferences(req.headers.prefer).get('odata.include-annotations') ?? '';
}

/** Whether the client asked for the annotation `name` (`Microsoft.Dynamics.CRM.morerecords`). */
export function wantsAnnotation(req: SandboxRequest, name: string): boolean {
	return includeAnnotations(req)
		.split(',')
		.map((p) => p.trim())
		.some((p) => p === '*' || p === name || (p.endsWith('.*') && name.startsWith(p.slice(0, -1))));
}

/** The `Preference-Applied` item echoing the annotations asked for. */
export function annotationsApplied(req: SandboxRequest): string {
	return `odata.include-annotations="${includeAnnotations(req)}"`;
}

/** The query schema of a table: wire names (`_parentcustomerid_value`) for `$filter` / `$orderby` errors. */
export function querySchema(data: DvData, t: TableDef): EntitySchema {
	return { entity: t.logicalName, attributes: data.selectable(t), primaryKey: t.primaryId };
}

interface Entry {
	rec: Rec;
	/** The record in wire terms (what `$filter` and `$orderby` see). */
	row: Row;
}

/** The rows a collection GET starts from when it is not the whole table (`GET /accounts({id})/contact_customer_accounts`). */
export interface ListScope {
	rows: Rec[];
	/** The path below the API root that next links point at (`accounts({id})/contact_customer_accounts`). */
	path: string;
}

/** `GET /{set}` with `select` already validated by the caller. */
export function listRecords(
	data: DvData,
	req: SandboxRequest,
	t: TableDef,
	select: string[] | undefined,
	tracker?: ChangeTracker,
	scope?: ListScope,
): Reply {
	const q = req.query;
	// `Prefer: odata.track-changes`: the normal pages, the delta link on the last one (`changes.ts`).
	const tracking = tracker?.wants(req) && !q.has('fetchXml') ? tracker : undefined;
	tracking?.checkRequest(req, t);
	const pending = NOT_SIMULATED.filter((p) => q.has(p));
	if (pending.length > 0)
		throw new HttpError(
			501,
			`${pending.join(', ')}: not simulated by the Dataverse sandbox.`,
			'0x80040216',
		);
	const fetchXml = q.get('fetchXml');
	if (fetchXml !== null) return fetchQueryReply(data, req, t, fetchXml);
	if (q.has('$skip')) throw skipNotSupported();

	// Every option is parsed before a row is read, so a bad option fails whatever the data.
	const schema = querySchema(data, t);
	const filterText = q.get('$filter');
	// `$filter` may follow single-valued lookups (`parentcustomerid_account/name eq 'X'`); `$orderby` may not.
	const filter =
		filterText !== null
			? parseFilter(filterText, { ...schema, ...navigationSchema(data, t) })
			: undefined;
	const paths = filter ? filterPaths(filter) : [];
	const orderText = q.get('$orderby');
	const order = orderText !== null ? parseOrderBy(orderText, schema) : undefined;
	const topRaw = q.get('$top');
	const top = topRaw !== null ? parseTop(topRaw) : undefined;
	const expandText = q.get('$expand');
	const expand = expandText !== null ? parseExpand(data, t, expandText) : [];
	const countRaw = q.get('$count');
	const count = countRaw !== null && parseCount(countRaw);
	const prefs = preferences(req.headers.prefer);
	const asked = prefs.has('odata.maxpagesize') ? Number(prefs.get('odata.maxpagesize')) : undefined;
	if (asked !== undefined && !(Number.isInteger(asked) && asked > 0))
		throw DV.bad(
			`The value '${prefs.get('odata.maxpagesize')}' of odata.maxpagesize is not valid.`,
			'0x80060888',
		);
	const pageSize = Math.min(asked ?? MAX_PAGE_SIZE, MAX_PAGE_SIZE);

	// The primary key is the final sort key, so the order is total and a cookie position is exact.
	const keys: OrderKey[] = (order?.keys ?? []).filter((k) => k.attribute !== t.primaryId);
	keys.push(
		order?.keys.find((k) => k.attribute === t.primaryId) ?? {
			attribute: t.primaryId,
			descending: false,
		},
	);
	const byKeys = parseOrderBy(
		keys.map((k) => `${k.attribute}${k.descending ? ' desc' : ''}`).join(','),
	);

	const now = data.clock.now();
	// A look-up by value (`col eq 'v'`, `In(…)`) starts from the rows an index gives, not from the whole table.
	const from = scope?.rows ?? (filter && indexedRows(data, t, filter)) ?? data.coll(t).list();
	let rows: Entry[] = from.map((rec) => ({
		rec,
		row: addPathValues(data, t, rec, data.toWire(t, rec), paths),
	}));
	if (filter) rows = rows.filter((e) => matches(filter, e.row, { now }));
	const total = rows.length;
	rows.sort((a, b) => byKeys(a.row, b.row));
	const skip = q.get('$skiptoken');
	if (skip !== null) {
		const position = cookiePosition(skip, t, keys);
		rows = rows.filter((e) => byKeys(e.row, position) > 0);
	}
	if (top !== undefined) rows = rows.slice(0, top);
	const page = top !== undefined && asked === undefined ? rows : rows.slice(0, pageSize);

	const apiUrl = `${req.baseUrl}${API_PATH}`;
	const body: Record<string, unknown> = {
		'@odata.context': `${apiUrl}/$metadata#${t.entitySetName}${contextSelect(select, expand)}`,
	};
	if (count) body['@odata.count'] = Math.min(total, MAX_PAGE_SIZE);
	// The token of a tracked query is taken when its first page is built and carried by the page cookies, so changes
	// made while the client pages come with the delta link.
	const token = tracking
		? (/deltatoken="([^"]*)"/.exec(skip ?? '')?.[1] ?? tracking.token())
		: undefined;
	const annotate = includeAnnotations(req) !== '';
	const ctx = { mode: 'list' as const, annotate, apiUrl, now };
	body.value = page.map((e) => ({
		...data.toWire(t, e.rec, select, annotate),
		...expandRow(data, t, e.rec, expand, ctx),
	}));
	if (rows.length > page.length) {
		const pageNo = Number(/pagenumber="(\d+)"/.exec(skip ?? '')?.[1] ?? '1') + 1;
		const cookie = makeCookie(t, keys, page[0].row, page[page.length - 1].row, pageNo - 1);
		// Keep the other query options as they came (`$select=a,b`), and percent-encode the cookie (`%20`, not `+`).
		const parts: string[] = [];
		for (const [k, v] of q) if (k !== '$skiptoken') parts.push(`${k}=${encodeQueryValue(v)}`);
		parts.push(
			`$skiptoken=${encodeQueryValue(skipToken(buildPagingCookie(cookie), pageNo, token))}`,
		);
		body['@odata.nextLink'] = `${apiUrl}/${scope?.path ?? t.entitySetName}?${parts.join('&')}`;
	} else if (tracking && token) body['@odata.deltaLink'] = tracking.deltaLink(req, t, token);
	const applied: string[] = [];
	if (tracking) applied.push('odata.track-changes');
	if (asked !== undefined) applied.push(`odata.maxpagesize=${pageSize}`);
	if (annotate) applied.push(annotationsApplied(req));
	return odataJson(
		body,
		200,
		applied.length > 0 ? { 'Preference-Applied': applied.join(',') } : {},
	);
}

/**
 * Dataverse's `$skiptoken` is a paging cookie: `<cookie pagenumber="2" pagingcookie="…" istracking="False" />`, where
 * `pagingcookie` is the inner cookie URL-encoded twice.
 */
export function skipToken(cookieXml: string, nextPage: number, deltaToken?: string): string {
	const twice = encodeURIComponent(encodeURIComponent(cookieXml));
	// A tracked query's pages carry its delta token (our attribute; Dataverse's cookie is opaque here).
	const tracking = deltaToken
		? `istracking="True" deltatoken="${deltaToken}"`
		: 'istracking="False"';
	return `<cookie pagenumber="${nextPage}" pagingcookie="${twice}" ${tracking} />`;
}

/** Whether a wire column holds GUIDs (the primary key, `Uniqueidentifier`s, `_x_value` lookups). */
function isGuidColumn(t: TableDef, name: string): boolean {
	const a = t.attributes.find((x) => wireName(x) === name);
	return !!a && (a.type === 'Uniqueidentifier' || name !== a.logicalName);
}

function cookieText(t: TableDef, name: string, v: unknown): string | undefined {
	if (v === null || v === undefined) return undefined;
	return isGuidColumn(t, name) ? cookieGuid(String(v)) : String(v);
}

function makeCookie(
	t: TableDef,
	keys: OrderKey[],
	first: Row,
	last: Row,
	page: number,
): PagingCookie {
	return {
		page,
		keys: keys.map((k) => {
			const c: CookieKey = { attribute: k.attribute };
			const l = cookieText(t, k.attribute, last[k.attribute]);
			const f = cookieText(t, k.attribute, first[k.attribute]);
			if (l !== undefined) c.last = l;
			if (f !== undefined) c.first = f;
			return c;
		}),
	};
}

/** The last served row's sort-key values, read back from a `$skiptoken` (typed as the columns are). */
function cookiePosition(token: string, t: TableDef, keys: OrderKey[]): Row {
	const invalid = () => DV.bad('The $skiptoken is not valid.', '0x80060888');
	const encoded = /pagingcookie="([^"]*)"/.exec(token)?.[1];
	let cookie: PagingCookie | undefined;
	try {
		cookie = encoded
			? parsePagingCookie(decodeURIComponent(decodeURIComponent(encoded)))
			: undefined;
	} catch {
		cookie = undefined;
	}
	if (!cookie) throw invalid();
	const pos: Row = {};
	for (const k of keys) {
		const c = cookie.keys.find((x) => x.attribute === k.attribute);
		// A cookie from another `$orderby` (or a hand-made one) cannot be placed in this order.
		if (!c || (k.attribute === t.primaryId && c.last === undefined)) throw invalid();
		const a = t.attributes.find((x) => wireName(x) === k.attribute);
		if (c.last === undefined) pos[k.attribute] = null;
		else if (isGuidColumn(t, k.attribute))
			pos[k.attribute] = c.last.replace(/[{}]/g, '').toLowerCase();
		else if (a && NUMERIC.has(a.type)) pos[k.attribute] = Number(c.last);
		else pos[k.attribute] = c.last;
	}
	return pos;
}
