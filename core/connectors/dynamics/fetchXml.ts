/**
 * FetchXML queries over the Web API, paged to the end: `GET /{set}?fetchXml=…` with `Prefer:
 * odata.include-annotations="Microsoft.Dynamics.CRM.fetchxmlpagingcookie,Microsoft.Dynamics.CRM.morerecords"`; while
 * the answer says `morerecords`, the next page is asked with `page` = the annotation's `pagenumber` and
 * `paging-cookie` = its `pagingcookie` (URL-encoded twice by Dataverse, decoded here and XML-escaped into the
 * attribute), as "Page results using FetchXml" (learn.microsoft.com) describes. The cookie lets Dataverse resume
 * after the last row of the previous page instead of counting an offset. A fetch with `top` is one page (Dataverse
 * refuses `top` with paging); a fetch without `count` gets pages of 5,000.
 */
import { CrmError } from '../../http/errors';
import type { DataverseClient } from './client';

type Json = Record<string, unknown>;

const ANNOTATIONS =
	'Microsoft.Dynamics.CRM.fetchxmlpagingcookie,Microsoft.Dynamics.CRM.morerecords';

const escapeAttr = (s: string) =>
	s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** The `<fetch …>` opening tag of a query, and the entity it reads (`<entity name="…">`). */
export function parseFetchHead(xml: string): { head: string; entity: string; top: boolean } {
	const head = /<fetch\b[^>]*>/i.exec(xml)?.[0];
	const entity = /<entity\b[^>]*\bname\s*=\s*["']([^"']+)["']/i.exec(xml)?.[1];
	if (!head || !entity)
		throw new CrmError(
			'Dynamics 365: the FetchXML has no <fetch> element with an <entity name="…"> inside',
			{
				kind: 'validation',
				hint: 'Paste a complete query, e.g. from Advanced Find → Download FetchXML.',
			},
		);
	return { head, entity, top: /\btop\s*=/i.test(head) };
}

/** The query with `page`, `count` and `paging-cookie` on `<fetch>` set (the user's own values of these replaced). */
export function withPaging(
	xml: string,
	head: string,
	page: number,
	count: number | undefined,
	cookie?: string,
): string {
	let tag = head.replace(/\s(page|paging-cookie)\s*=\s*("[^"]*"|'[^']*')/gi, '');
	if (count !== undefined && !/\scount\s*=/i.test(tag))
		tag = tag.replace(/\s*\/?>$/, (end) => ` count="${count}"${end}`);
	const extra = ` page="${page}"${cookie ? ` paging-cookie="${escapeAttr(cookie)}"` : ''}`;
	tag = tag.replace(/^<fetch\b/i, `<fetch${extra}`);
	return xml.replace(head, tag);
}

/** `pagenumber` and the twice-decoded `pagingcookie` of the paging annotation. */
export function readPagingAnnotation(value: unknown): { page: number; cookie: string } | undefined {
	if (typeof value !== 'string') return undefined;
	const page = Number(/\bpagenumber\s*=\s*"(\d+)"/i.exec(value)?.[1]);
	const raw = /\bpagingcookie\s*=\s*"([^"]*)"/i.exec(value)?.[1];
	if (!Number.isFinite(page) || raw === undefined) return undefined;
	return { page, cookie: decodeURIComponent(decodeURIComponent(raw)) };
}

/**
 * The pages of a FetchXML query against entity set `set`, to the last one (only the current page is held). Each page's
 * rows are as the Web API sends them (lookups as `_x_value`, aliased columns by alias).
 */
export async function* dataverseFetchXmlPages(
	client: DataverseClient,
	set: string,
	xml: string,
	options: { pageSize?: number; signal?: AbortSignal } = {},
): AsyncIterable<Json[]> {
	const { head, top } = parseFetchHead(xml);
	let page = 1;
	let cookie: string | undefined;
	for (;;) {
		options.signal?.throwIfAborted();
		const query = top ? xml : withPaging(xml, head, page, options.pageSize ?? 5000, cookie);
		const body = await client.get<Json>(set, {
			query: { fetchXml: query },
			annotations: ANNOTATIONS,
			signal: options.signal,
		});
		yield (body.value as Json[] | undefined) ?? [];
		if (top || body['@Microsoft.Dynamics.CRM.morerecords'] !== true) return;
		const next = readPagingAnnotation(body['@Microsoft.Dynamics.CRM.fetchxmlpagingcookie']);
		// Without a cookie Dataverse still pages by number (slower: it counts the offset).
		page = next?.page ?? page + 1;
		cookie = next?.cookie;
	}
}
