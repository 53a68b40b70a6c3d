/**
 * The `$filter` tokenizer: ODL's literal forms (quoted strings with \'\' escaping, numbers with an optional
 * type suffix, unquoted GUIDs, dates, date-times), identifiers (dotted for `Microsoft.Dynamics.CRM.*`, slashed for
 * navigation paths), punctuation, and the JSON strings of query-function arrays. Errors are ODL's.
 */
import { invalidCharacter, syntaxError, unterminatedLiteral } from './odataErrors';

export type TokenType =
	| 'ident'
	| 'string'
	| 'json'
	| 'number'
	| 'guid'
	| 'date'
	| 'datetime'
	| 'punct'
	| 'eof';

export interface Token {
	type: TokenType;
	/** Decoded value (strings without quotes, identifiers as written). */
	value: string;
	pos: number;
}

const GUID_RE =
	/^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}(?![\w-])/;
const DATETIME_RE =
	/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,7})?)?(Z|[+-]\d{2}:\d{2})(?![\w:.])/;
const DATE_RE = /^\d{4}-\d{2}-\d{2}(?![\w:.-])/;
const NUMBER_RE = /^-?\d+(\.\d+)?([eE][+-]?\d+)?[mMdDfFlL]?(?![\w.])/;
const IDENT_RE = /^[A-Za-z_@$][\w]*(?:[./][A-Za-z_][\w]*)*/;

export function tokenize(text: string): Token[] {
	const out: Token[] = [];
	let i = 0;
	while (i < text.length) {
		const c = text[i];
		if (c === ' ' || c === '\t' || c === '\n' || c === '\r') {
			i++;
			continue;
		}
		const rest = text.slice(i);
		let m: RegExpExecArray | null;
		if (c === "'") {
			// OData escapes a quote inside a string by doubling it: 'O''Bryan'.
			let v = '';
			let j = i + 1;
			for (;;) {
				if (j >= text.length) throw unterminatedLiteral(text.length, text);
				if (text[j] === "'") {
					if (text[j + 1] === "'") {
						v += "'";
						j += 2;
						continue;
					}
					break;
				}
				v += text[j++];
			}
			out.push({ type: 'string', value: v, pos: i });
			i = j + 1;
		} else if (c === '"') {
			// Only inside the JSON arrays of query functions (PropertyValues=["O'Brian"]).
			const end = /^"(?:[^"\\]|\\.)*"/.exec(rest);
			if (!end) throw unterminatedLiteral(text.length, text);
			out.push({ type: 'json', value: JSON.parse(end[0]) as string, pos: i });
			i += end[0].length;
		} else if ((m = GUID_RE.exec(rest))) {
			out.push({ type: 'guid', value: m[0].toLowerCase(), pos: i });
			i += m[0].length;
		} else if ((m = DATETIME_RE.exec(rest))) {
			out.push({ type: 'datetime', value: m[0], pos: i });
			i += m[0].length;
		} else if ((m = DATE_RE.exec(rest))) {
			out.push({ type: 'date', value: m[0], pos: i });
			i += m[0].length;
		} else if ((m = NUMBER_RE.exec(rest))) {
			out.push({ type: 'number', value: m[0], pos: i });
			i += m[0].length;
		} else if ((m = IDENT_RE.exec(rest))) {
			out.push({ type: 'ident', value: m[0], pos: i });
			i += m[0].length;
		} else if ('(),[]='.includes(c)) {
			out.push({ type: 'punct', value: c, pos: i });
			i++;
		} else if (/\d/.test(c)) {
			throw syntaxError(i, text);
		} else {
			throw invalidCharacter(c, i, text);
		}
	}
	out.push({ type: 'eof', value: '', pos: text.length });
	return out;
}
