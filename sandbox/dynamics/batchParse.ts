/**
 * Reading and writing `$batch` bodies (`multipart/mixed`, OData v4.0 §11.7): the request body's parts — single
 * `application/http` requests and nested change sets (`multipart/mixed; boundary=changeset_…`) — and the response
 * body with `batchresponse_…` / `changesetresponse_…` boundaries laid out as Dataverse writes them (and as
 * dynamics-web-api's `parseBatchResponse` reads them: it splits on the first line, and skips exactly one header
 * line of a change set part).
 */
import { STATUS_CODES } from 'node:http';
import { getHeader, type Reply } from '../kit';
import { DV } from './wire';

/** One request inside a batch. */
export interface InnerRequest {
	method: string;
	/** As written: absolute URL, `/api/data/v9.2/…`, relative to the service root, or `$1…`. */
	target: string;
	headers: Record<string, string>;
	body: string;
	/** The part's `Content-ID` (change sets). */
	contentId?: string;
}

/** A top-level part: one request, or a change set of requests. */
export type BatchItem =
	| { type: 'request'; request: InnerRequest }
	| { type: 'changeset'; requests: InnerRequest[] };

/** The `boundary` parameter of a `multipart/mixed` content type (quoted or not), or undefined. */
export function boundaryOf(contentType: string | undefined): string | undefined {
	const [type, ...params] = (contentType ?? '').split(';');
	if (type.trim().toLowerCase() !== 'multipart/mixed') return undefined;
	for (const p of params) {
		const m = /^\s*boundary\s*=\s*"?([^"]+)"?\s*$/i.exec(p);
		if (m) return m[1];
	}
	return undefined;
}

/**
 * The bodies of the parts between `--boundary` delimiter lines, up to the closing `--boundary--`. A delimiter is
 * `--boundary` at the start of the body or of a line (`--` after it on the closing one, then spaces or tabs to the
 * end of the line). Scanned with `indexOf`: every change set has its own boundary, and a regular expression per
 * boundary would be compiled once per change set.
 */
function splitParts(body: string, boundary: string): string[] {
	const dash = `--${boundary}`;
	const parts: string[] = [];
	let last = -1;
	for (let i = body.indexOf(dash); i >= 0; i = body.indexOf(dash, i + dash.length)) {
		if (i > 0 && body[i - 1] !== '\n') continue;
		let end = i + dash.length;
		const closing = body.startsWith('--', end);
		if (closing) end += 2;
		while (body[end] === ' ' || body[end] === '\t') end++;
		if (!(end === body.length || body[end] === '\n' || body.startsWith('\r\n', end))) continue;
		let start = i;
		if (start > 0) start -= body[start - 2] === '\r' ? 2 : 1;
		if (last >= 0) parts.push(body.slice(last, start).replace(/^\r?\n/, ''));
		last = end;
		if (closing) return parts;
	}
	throw DV.bad(`The batch body has no closing delimiter '--${boundary}--'.`, '0x80060888');
}

/** Splits `Name: value` lines up to the first empty line; returns them (lower-case names) and the rest. */
function readHeaders(text: string): { headers: Record<string, string>; rest: string } {
	const headers: Record<string, string> = {};
	let pos = 0;
	for (;;) {
		const nl = text.indexOf('\n', pos);
		const line = (nl < 0 ? text.slice(pos) : text.slice(pos, nl)).replace(/\r$/, '');
		pos = nl < 0 ? text.length : nl + 1;
		if (line === '') break;
		const colon = line.indexOf(':');
		if (colon <= 0) throw DV.bad(`Malformed header line in batch part: '${line}'.`, '0x80060888');
		headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
		if (nl < 0) break;
	}
	return { headers, rest: text.slice(pos) };
}

/** Parses one `application/http` part: its MIME headers, then the request line, headers and body. */
function readRequest(part: string): InnerRequest {
	const mime = readHeaders(part);
	const type = (mime.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
	if (type !== 'application/http')
		throw DV.bad(
			`The content type '${mime.headers['content-type'] ?? ''}' of a batch part is not 'application/http'.`,
			'0x80060888',
		);
	const text = mime.rest.replace(/^(\r?\n)+/, '');
	const nl = text.indexOf('\n');
	const line = (nl < 0 ? text : text.slice(0, nl)).replace(/\r$/, '');
	const m = /^([A-Z]+) (\S+)(?: HTTP\/1\.[01])?$/.exec(line);
	if (!m) throw DV.bad(`The request line '${line}' in a batch part is not valid.`, '0x80060888');
	const inner = readHeaders(nl < 0 ? '' : text.slice(nl + 1));
	return {
		method: m[1],
		target: m[2],
		headers: inner.headers,
		// The CRLF before the next delimiter belongs to the delimiter; writers often add another: trim it.
		body: inner.rest.replace(/\s+$/, ''),
		...(mime.headers['content-id'] !== undefined ? { contentId: mime.headers['content-id'] } : {}),
	};
}

/** Parses a `$batch` body into its parts (change sets nested one level, as OData allows). */
export function parseBatch(body: string, boundary: string): BatchItem[] {
	return splitParts(body, boundary).map((part): BatchItem => {
		const mime = readHeaders(part);
		const inner = boundaryOf(mime.headers['content-type']);
		if (inner === undefined) return { type: 'request', request: readRequest(part) };
		return { type: 'changeset', requests: splitParts(mime.rest, inner).map(readRequest) };
	});
}

/** One part of a batch response: an inner reply, with the `Content-ID` it answers (change sets). */
export interface ResponsePart {
	reply: Reply;
	contentId?: string;
}

/** A top-level response part: one answer, or a change set's answers. */
export type ResponseItem = ResponsePart | { changeset: ResponsePart[] };

/** `HTTP/1.1 204 No Content`, headers, blank line, body — one `application/http` part. */
function writePart(part: ResponsePart): string {
	const { reply } = part;
	const lines = ['Content-Type: application/http', 'Content-Transfer-Encoding: binary'];
	if (part.contentId !== undefined) lines.push(`Content-ID: ${part.contentId}`);
	lines.push('', `HTTP/1.1 ${reply.status} ${STATUS_CODES[reply.status] ?? 'Unknown'}`);
	for (const [name, value] of Object.entries(reply.headers)) {
		if (/^(content-length|date)$/i.test(name)) continue;
		lines.push(`${name}: ${Array.isArray(value) ? value.join(', ') : String(value)}`);
	}
	const body =
		reply.body === undefined || reply.status === 204 || reply.status === 304
			? ''
			: reply.body.toString();
	lines.push('', body);
	return lines.join('\r\n');
}

/** The whole response body for `items`, with the given boundary ids (`batchresponse_<id>`). */
export function writeBatchResponse(
	items: ResponseItem[],
	batchBoundary: string,
	changesetBoundary: () => string,
): string {
	const out: string[] = [];
	for (const item of items) {
		out.push(`--${batchBoundary}`);
		if ('changeset' in item) {
			const cs = changesetBoundary();
			// One header line only: dynamics-web-api skips exactly one line before the change set's parts.
			out.push(`Content-Type: multipart/mixed; boundary=${cs}`, '');
			for (const part of item.changeset) out.push(`--${cs}`, writePart(part));
			out.push(`--${cs}--`);
		} else out.push(writePart(item));
	}
	out.push(`--${batchBoundary}--`, '');
	return out.join('\r\n');
}

/** The `OData-EntityId` (or `Location`) of a reply: what `$n` stands for after a create. */
export function entityIdOf(reply: Reply): string | undefined {
	const v = getHeader(reply, 'OData-EntityId') ?? getHeader(reply, 'Location');
	return v === undefined ? undefined : String(v);
}
