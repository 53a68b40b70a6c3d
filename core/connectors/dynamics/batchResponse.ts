/**
 * Reading a Dataverse `$batch` response (`multipart/mixed; boundary=batchresponse_…`, OData v4.0 §11.7.4): top-level
 * `application/http` parts and nested change sets (`multipart/mixed; boundary=changesetresponse_…`), each answer with
 * its `Content-ID` (change sets carry one; a failed change set is answered by its failing request alone, with that
 * request's `Content-ID`), status line, headers and JSON body. Answers are matched to requests by `Content-ID`, never
 * by position: nothing in OData promises that a failed change set's answer sits where its request did.
 */
import { CrmError } from '../../http/errors';

/** One answer inside a batch response. */
export interface BatchPartResponse {
	/** The `Content-ID` of the request it answers (change-set parts). */
	contentId?: string;
	status: number;
	/** Header names lower-cased. */
	headers: Record<string, string>;
	/** The parsed JSON body, the text when it is not JSON, undefined when empty. */
	body: unknown;
}

/** The `boundary` parameter of a `multipart/mixed` content type (quoted or not), or undefined. */
export function multipartBoundary(contentType: string | undefined): string | undefined {
	const [type, ...params] = (contentType ?? '').split(';');
	if (type.trim().toLowerCase() !== 'multipart/mixed') return undefined;
	for (const p of params) {
		const m = /^\s*boundary\s*=\s*"?([^"]+)"?\s*$/i.exec(p);
		if (m) return m[1];
	}
	return undefined;
}

function badResponse(why: string): CrmError {
	// The batch reached Dataverse and was answered, but the answer cannot be read: what happened to each request is
	// unknown (the caller treats it as a lost answer).
	return new CrmError(`Dynamics 365: the $batch response could not be read (${why})`, {
		kind: 'fatal',
		status: 200,
		retryable: false,
	});
}

/**
 * The parts between the `--boundary` lines, up to `--boundary--`. A delimiter is `--boundary` at the start of the
 * text or of a line, `--` after it on the closing one, then spaces or tabs to the end of the line. Scanned with
 * `indexOf` (every change set has its own boundary: a regular expression per boundary would be compiled 1,000 times
 * per batch).
 */
function splitParts(text: string, boundary: string): string[] {
	const parts = multipartParts(text, boundary);
	if (!parts) throw badResponse(`no closing delimiter --${boundary}--`);
	return parts;
}

/** The parts of a multipart body, or undefined when it has no closing delimiter. */
function multipartParts(text: string, boundary: string): string[] | undefined {
	const dash = `--${boundary}`;
	const parts: string[] = [];
	let last = -1;
	for (let i = text.indexOf(dash); i >= 0; i = text.indexOf(dash, i + dash.length)) {
		if (i > 0 && text[i - 1] !== '\n') continue;
		let end = i + dash.length;
		const closing = text.startsWith('--', end);
		if (closing) end += 2;
		while (text[end] === ' ' || text[end] === '\t') end++;
		const eol = end === text.length || text[end] === '\n' || text.startsWith('\r\n', end);
		if (!eol) continue;
		let start = i;
		if (start > 0) start -= text[start - 2] === '\r' ? 2 : 1;
		if (last >= 0) parts.push(text.slice(last, start).replace(/^\r?\n/, ''));
		last = end;
		if (closing) return parts;
	}
	return undefined;
}

/** `Name: value` lines up to the first empty line (names lower-cased), and the text after it. */
function readHeaders(text: string): { headers: Record<string, string>; rest: string } {
	const headers: Record<string, string> = {};
	let pos = 0;
	while (pos < text.length) {
		const nl = text.indexOf('\n', pos);
		const line = (nl < 0 ? text.slice(pos) : text.slice(pos, nl)).replace(/\r$/, '');
		pos = nl < 0 ? text.length : nl + 1;
		if (line === '') break;
		const colon = line.indexOf(':');
		if (colon > 0)
			headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
	}
	return { headers, rest: text.slice(pos) };
}

/** One `application/http` answer: MIME headers (with `Content-ID`), status line, headers, body. */
function readAnswer(part: string): BatchPartResponse {
	const mime = readHeaders(part);
	const text = mime.rest.replace(/^(\r?\n)+/, '');
	const nl = text.indexOf('\n');
	const line = (nl < 0 ? text : text.slice(0, nl)).replace(/\r$/, '');
	const m = /^HTTP\/\d(?:\.\d)? (\d{3})\b/.exec(line);
	if (!m) throw badResponse(`status line "${line.slice(0, 60)}"`);
	const inner = readHeaders(nl < 0 ? '' : text.slice(nl + 1));
	const raw = inner.rest.trim();
	let body: unknown = undefined;
	if (raw) {
		try {
			body = JSON.parse(raw);
		} catch {
			body = raw;
		}
	}
	const contentId = mime.headers['content-id'] ?? inner.headers['content-id'];
	return {
		status: Number(m[1]),
		headers: inner.headers,
		body,
		...(contentId !== undefined ? { contentId } : {}),
	};
}

/** Every answer of a `$batch` response body, change sets flattened (in the order written). */
export function parseBatchResponse(
	body: string,
	contentType: string | undefined,
): BatchPartResponse[] {
	const boundary = multipartBoundary(contentType);
	if (boundary === undefined) throw badResponse(`content type "${contentType ?? ''}"`);
	const out: BatchPartResponse[] = [];
	for (const part of splitParts(body, boundary)) {
		const mime = readHeaders(part);
		const changeset = multipartBoundary(mime.headers['content-type']);
		if (changeset === undefined) out.push(readAnswer(part));
		else for (const p of splitParts(mime.rest, changeset)) out.push(readAnswer(p));
	}
	return out;
}
