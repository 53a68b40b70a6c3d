/**
 * Dataverse wire details shared by the simulator's handlers: the OData error body `{error:{code, message}}`, the
 * error codes and messages Dataverse answers with, weak ETags from `versionnumber`, and parsing of record keys
 * (`(<guid>)` or alternate keys `(emailaddress1='a@b.c')`).
 */
import { HttpError, json, type Reply } from '../kit';

/** The API root below the server URL. */
export const API_PATH = '/api/data/v9.2';

/** Error codes and messages as Dataverse answers them (see README.md for where each comes from). */
export const DV = {
	/** 404, a record that does not exist. */
	notFound: (entity: string, id: string) =>
		new HttpError(404, `${entity} With Id = ${id} Does Not Exist`, '0x80040217'),
	/** 404, an unknown entity set, function or action. */
	noSegment: (segment: string) =>
		new HttpError(404, `Resource not found for the segment '${segment}'.`, '0x8006088a'),
	/** 400, an unknown property in `$select` or a body. */
	noProperty: (prop: string, entity: string) =>
		new HttpError(
			400,
			`Could not find a property named '${prop}' on type 'Microsoft.Dynamics.CRM.${entity}'.`,
			'0x0',
		),
	/** 412, `If-None-Match: *` upsert that found the record. */
	exists: () =>
		new HttpError(412, 'A record with matching key values already exists.', '0x80040237'),
	/** 412, an `If-Match` ETag that is no longer current. */
	stale: () =>
		new HttpError(
			412,
			"The version of the existing record doesn't match the RowVersion property provided.",
			'0x80060882',
		),
	/** 400, a body property the table does not have. */
	undeclared: (prop: string, entity: string) =>
		new HttpError(
			400,
			`The property '${prop}' does not exist on type 'Microsoft.Dynamics.CRM.${entity}'. Make sure to only use property names that are defined by the type.`,
			'0x80060888',
		),
	/** 400, an `@odata.bind` naming no single-valued navigation property. */
	noNavigation: (nav: string, entity: string) =>
		new HttpError(
			400,
			`An undeclared property '${nav}' which only has property annotations in the payload but no property value was found in the payload. In OData, only declared navigation properties and declared named streams can be represented as properties without values. (entity '${entity}')`,
			'0x80060888',
		),
	/** 412, a write that would give two records the same alternate key values (status unclear, see README). */
	duplicateKey: (key: string, attrs: string[]) =>
		new HttpError(
			412,
			`A record that has the attribute values ${attrs.join(', ')} already exists. The entity key ${key} requires that this set of attributes contains unique values. Select unique values and try again.`,
			'0x80060892',
		),
	/** 404, unknown metadata (wording not documented, see README). */
	metadataNotFound: (message: string) => new HttpError(404, message, '0x80040217'),
	/** 400, bad input. */
	bad: (message: string, code = '0x80040203') => new HttpError(400, message, code),
};

/** Every answer carries `OData-Version: 4.0`. */
export const ODATA_HEADERS = { 'OData-Version': '4.0' };

/** The OData error reply for an `HttpError` (codes that are not Dataverse hex codes become `0x0`). */
export function errorReply(err: HttpError): Reply {
	const code = err.code && /^0x[0-9a-f]+$/i.test(err.code) ? err.code : '0x0';
	return json({ error: { code, message: err.message } }, err.status, {
		...ODATA_HEADERS,
		'Content-Type': 'application/json; odata.metadata=minimal',
	});
}

/** A JSON reply with the OData content type and version header. */
export function odataJson(
	body: unknown,
	status = 200,
	headers: Record<string, string> = {},
): Reply {
	return json(body, status, {
		'Content-Type': 'application/json; odata.metadata=minimal',
		...ODATA_HEADERS,
		...headers,
	});
}

/** The weak ETag of a record's `versionnumber`. */
export function etag(version: unknown): string {
	return `W/"${String(version)}"`;
}

const GUID = /^\{?([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\}?$/i;

/** A GUID normalised to lower case without braces, or undefined. */
export function parseGuid(s: string): string | undefined {
	const m = GUID.exec(s.trim());
	return m ? m[1].toLowerCase() : undefined;
}

/** A parsed record key: the primary key, or alternate key attribute values. */
export type RecordKey = { id: string } | { alternate: Record<string, string | number> };

/**
 * Parses what stands between the parentheses of `set(…)`: a GUID, or `name='value'` / `name=123` pairs separated by
 * commas (quotes inside values doubled, as OData escapes them).
 */
export function parseKey(raw: string): RecordKey {
	const id = parseGuid(raw);
	if (id) return { id };
	const alternate: Record<string, string | number> = {};
	let rest = raw.trim();
	while (rest.length > 0) {
		const m = /^([A-Za-z_][A-Za-z0-9_]*)\s*=\s*/.exec(rest);
		if (!m) throw DV.bad(`Bad Request - Error in query syntax.`, '0x80060888');
		rest = rest.slice(m[0].length);
		let value: string | number;
		if (rest.startsWith("'")) {
			let i = 1;
			let v = '';
			for (;;) {
				if (i >= rest.length) throw DV.bad('Bad Request - Error in query syntax.', '0x80060888');
				if (rest[i] === "'") {
					if (rest[i + 1] === "'") {
						v += "'";
						i += 2;
						continue;
					}
					break;
				}
				v += rest[i++];
			}
			value = v;
			rest = rest.slice(i + 1);
		} else {
			const n = /^-?\d+(\.\d+)?/.exec(rest);
			if (!n) throw DV.bad('Bad Request - Error in query syntax.', '0x80060888');
			value = Number(n[0]);
			rest = rest.slice(n[0].length);
		}
		alternate[m[1]] = value;
		rest = rest.replace(/^\s*,\s*/, '');
	}
	return { alternate };
}

/** The values of a `Prefer` header (comma-separated, several headers joined). */
export function preferences(header: string | string[] | undefined): Map<string, string> {
	const out = new Map<string, string>();
	const all = Array.isArray(header) ? header.join(',') : (header ?? '');
	// Split on commas outside quotes: `odata.include-annotations="A,B"` is one preference.
	for (const part of all.match(/(?:[^,"]|"[^"]*")+/g) ?? []) {
		const t = part.trim();
		if (!t) continue;
		const eq = t.indexOf('=');
		if (eq < 0) out.set(t.toLowerCase(), '');
		else
			out.set(
				t.slice(0, eq).trim().toLowerCase(),
				t
					.slice(eq + 1)
					.trim()
					.replace(/^"|"$/g, ''),
			);
	}
	return out;
}

/** Percent-encodes a query value, leaving the characters OData keeps readable (`$ , ( ) ' =`). */
export function encodeQueryValue(v: string): string {
	return encodeURIComponent(v).replace(/%24/g, '$').replace(/%2C/g, ',').replace(/%3D/g, '=');
}
