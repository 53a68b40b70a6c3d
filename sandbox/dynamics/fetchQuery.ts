/**
 * `GET /{set}?fetchXml=<url-encoded FetchXML>` of the Dataverse simulator: parses with `fetchxml.ts` (tables resolved
 * by logical name, unknown columns refused), checks that the fetch's table is the URL's entity set, runs it over the
 * table's rows and answers `{ "@odata.context", value, … }`. The paging annotations
 * (`@Microsoft.Dynamics.CRM.fetchxmlpagingcookie`, `…morerecords`) and the count annotations
 * (`…totalrecordcount`, `…totalrecordcountlimitexceeded`) are sent only when `Prefer: odata.include-annotations`
 * asks for them (`*`, `Microsoft.Dynamics.CRM.*` or by name).
 */
import { HttpError, type Reply, type SandboxRequest } from '../kit';
import type { DvData } from './data';
import {
	FetchXmlError,
	INVALID_ARGUMENT,
	parseFetchXml,
	runFetch,
	type EntityResolver,
	type FetchQuery,
	type FetchResult,
	type Row,
} from './fetchxml';
import { annotationsApplied, includeAnnotations, wantsAnnotation } from './query';
import { wireName, type TableDef } from './schema';
import { API_PATH, odataJson } from './wire';

const CRM = 'Microsoft.Dynamics.CRM.';

/** FetchXML's errors as the kit's `HttpError`, so they leave with their status and `{error:{code,message}}`. */
function asHttp<T>(run: () => T): T {
	try {
		return run();
	} catch (err) {
		if (err instanceof FetchXmlError) throw new HttpError(err.status, err.message, err.code);
		throw err;
	}
}

function resolver(data: DvData): EntityResolver {
	return (name) => {
		const t = data.byLogical(name);
		if (!t) return undefined;
		return {
			logicalName: t.logicalName,
			entitySetName: t.entitySetName,
			primaryKey: t.primaryId,
			// FetchXML names lookups by their logical name (`parentcustomerid`), not `_parentcustomerid_value`.
			attributes: t.attributes.map((a) => a.logicalName),
		};
	};
}

export function fetchQueryReply(
	data: DvData,
	req: SandboxRequest,
	t: TableDef,
	xml: string,
): Reply {
	const query: FetchQuery = asHttp(() => parseFetchXml(xml, resolver(data)));
	if (query.entitySetName !== t.entitySetName)
		throw new HttpError(
			400,
			`The FetchXML entity '${query.entity}' does not match the entity set '${t.entitySetName}' of the request (entity '${t.logicalName}'): send it to /${query.entitySetName}.`,
			INVALID_ARGUMENT,
		);

	// Rows by logical name (what FetchXML conditions and orders name), values as on the wire.
	const etags = new Map<string, unknown>();
	const rows: Row[] = data
		.coll(t)
		.list()
		.map((rec) => {
			const wire = data.toWire(t, rec);
			etags.set(rec.id, wire['@odata.etag']);
			const row: Row = {};
			for (const a of t.attributes) row[a.logicalName] = wire[wireName(a)];
			return row;
		});
	const result: FetchResult = asHttp(() =>
		runFetch(query, rows, { now: data.clock.now(), primaryKey: t.primaryId }),
	);

	// Back to wire names (`_parentcustomerid_value`), with the row's ETag when it has its primary key.
	const value = result.rows.map((r) => {
		const id = r[t.primaryId];
		const out: Row = typeof id === 'string' ? { '@odata.etag': etags.get(id) } : {};
		for (const a of t.attributes) if (a.logicalName in r) out[wireName(a)] = r[a.logicalName];
		return out;
	});
	const body: Record<string, unknown> = {
		'@odata.context': `${req.baseUrl}${API_PATH}/$metadata#${t.entitySetName}`,
	};
	const put = (name: string, v: unknown) => {
		if (v !== undefined && wantsAnnotation(req, CRM + name)) body[`@${CRM}${name}`] = v;
	};
	put('totalrecordcount', result.totalRecordCount);
	put('totalrecordcountlimitexceeded', result.totalRecordCountLimitExceeded);
	// Both paging annotations only when there is a next page (the Web API omits them on the last one).
	if (result.moreRecords) {
		put('fetchxmlpagingcookie', result.pagingCookie);
		put('morerecords', true);
	}
	body.value = value;
	return odataJson(
		body,
		200,
		includeAnnotations(req) !== '' ? { 'Preference-Applied': annotationsApplied(req) } : {},
	);
}
