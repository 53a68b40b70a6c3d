/**
 * The FetchXML paging cookie, in the shapes the Web API uses (learn.microsoft.com, "Page results using
 * FetchXml", Web API tab):
 *
 * - the cookie itself: `<cookie page="1"><fullname last="…" first="…" /><contactid last="{GUID}"
 *   first="{GUID}" /></cookie>` — one element per ordered column, then the primary key; a null value is
 *   written `lastnull="1"` / `firstnull="1"`; GUIDs upper-case in braces;
 * - the `@Microsoft.Dynamics.CRM.fetchxmlpagingcookie` annotation: `<cookie pagenumber="2"
 *   pagingcookie="%253ccookie%2520page%253d%25221%2522%253e…" istracking="False" />`, where the cookie is
 *   URL-encoded twice with lower-case hex (`%3c`, `%20`, `%7b`; `-` stays as is).
 *
 * Shared by the simulator and by tests of the connector, so both sides agree on one format.
 */
import { escapeXmlAttr, parseXml } from './xml';

export interface CookieKey {
	attribute: string;
	/** `undefined` = null (`lastnull="1"`). */
	last?: string;
	first?: string;
}

export interface PagingCookie {
	/** The page the cookie was issued with (the page just returned). */
	page: number;
	keys: CookieKey[];
}

export interface PagingAnnotation {
	/** The page to ask for next. */
	pageNumber: number;
	/** The cookie XML, decoded twice: put it (XML-escaped) into `<fetch paging-cookie=…>`. */
	pagingCookie: string;
	isTracking: boolean;
}

const UNRESERVED = /[A-Za-z0-9\-_.~]/;

/** Percent-encodes every UTF-8 byte outside the unreserved set, with lower-case hex as Dataverse does. */
export function dataverseUrlEncode(s: string): string {
	let out = '';
	for (const ch of s) {
		if (UNRESERVED.test(ch)) out += ch;
		else for (const b of Buffer.from(ch, 'utf8')) out += '%' + b.toString(16).padStart(2, '0');
	}
	return out;
}

/** Formats a GUID the way cookies carry it: `{70BF4D48-34CB-ED11-B596-0022481D68CD}`. */
export function cookieGuid(id: string): string {
	return `{${id.replace(/[{}]/g, '').toUpperCase()}}`;
}

export function buildPagingCookie(cookie: PagingCookie): string {
	const parts = cookie.keys.map((k) => {
		const last = k.last === undefined ? 'lastnull="1"' : `last="${escapeXmlAttr(k.last)}"`;
		const first = k.first === undefined ? 'firstnull="1"' : `first="${escapeXmlAttr(k.first)}"`;
		return `<${k.attribute} ${last} ${first} />`;
	});
	return `<cookie page="${cookie.page}">${parts.join('')}</cookie>`;
}

/** Reads a cookie (`<cookie page="1">…</cookie>`); `undefined` when it is not one. */
export function parsePagingCookie(xml: string): PagingCookie | undefined {
	try {
		const root = parseXml(xml);
		const page = Number(root.attrs.page);
		if (root.name !== 'cookie' || !Number.isInteger(page)) return undefined;
		const keys = root.children.map((c) => {
			const k: CookieKey = { attribute: c.name };
			if (c.attrs.lastnull !== '1' && c.attrs.last !== undefined) k.last = c.attrs.last;
			if (c.attrs.firstnull !== '1' && c.attrs.first !== undefined) k.first = c.attrs.first;
			return k;
		});
		return { page, keys };
	} catch {
		return undefined;
	}
}

/** The annotation value for a page: `pageNumber` is the next page, the cookie that of this page. */
export function formatPagingAnnotation(
	pageNumber: number,
	cookieXml: string,
	isTracking = false,
): string {
	const encoded = dataverseUrlEncode(dataverseUrlEncode(cookieXml));
	return `<cookie pagenumber="${pageNumber}" pagingcookie="${encoded}" istracking="${isTracking ? 'True' : 'False'}" />`;
}

/** Reads the annotation back (what a client does before asking for the next page). */
export function parsePagingAnnotation(annotation: string): PagingAnnotation {
	const root = parseXml(annotation);
	if (root.name !== 'cookie') throw new Error(`Not a paging cookie annotation: ${annotation}`);
	return {
		pageNumber: Number(root.attrs.pagenumber),
		pagingCookie: decodeURIComponent(decodeURIComponent(root.attrs.pagingcookie ?? '')),
		isTracking: (root.attrs.istracking ?? '').toLowerCase() === 'true',
	};
}
