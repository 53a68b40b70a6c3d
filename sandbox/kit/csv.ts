/**
 * RFC 4180 CSV reading and writing, for simulators whose wire format is CSV (e.g. Salesforce Bulk API 2.0
 * uploads and result sets).
 */

/**
 * Parses CSV text into rows of fields. Handles quoted fields with embedded delimiters, quotes (`""`) and
 * line breaks, CRLF or LF line endings, a UTF-8 BOM, and a missing final line break.
 * @throws SyntaxError on an unterminated quoted field or a stray quote inside an unquoted field.
 */
export function parseCsv(text: string, delimiter = ','): string[][] {
	const rows: string[][] = [];
	let row: string[] = [];
	let field = '';
	let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
	let fieldStarted = false;
	const n = text.length;
	while (i < n) {
		const ch = text[i];
		if (ch === '"' && !fieldStarted) {
			// quoted field
			i++;
			let closed = false;
			while (i < n) {
				const c = text[i];
				if (c === '"') {
					if (text[i + 1] === '"') {
						field += '"';
						i += 2;
						continue;
					}
					closed = true;
					i++;
					break;
				}
				field += c;
				i++;
			}
			if (!closed)
				throw new SyntaxError(`CSV: unterminated quoted field in row ${rows.length + 1}`);
			fieldStarted = true;
			const next = text[i];
			if (i < n && next !== delimiter && next !== '\n' && next !== '\r') {
				throw new SyntaxError(
					`CSV: unexpected character after closing quote in row ${rows.length + 1}`,
				);
			}
			continue;
		}
		if (ch === delimiter) {
			row.push(field);
			field = '';
			fieldStarted = false;
			i++;
			continue;
		}
		if (ch === '\n' || ch === '\r') {
			row.push(field);
			rows.push(row);
			row = [];
			field = '';
			fieldStarted = false;
			i += ch === '\r' && text[i + 1] === '\n' ? 2 : 1;
			continue;
		}
		if (ch === '"')
			throw new SyntaxError(`CSV: stray quote inside unquoted field in row ${rows.length + 1}`);
		field += ch;
		fieldStarted = true;
		i++;
	}
	if (fieldStarted || row.length > 0) {
		row.push(field);
		rows.push(row);
	}
	return rows;
}

/** Parses CSV with a header row into objects keyed by column name. */
export function parseCsvObjects(text: string, delimiter = ','): Array<Record<string, string>> {
	const [header, ...rows] = parseCsv(text, delimiter);
	if (!header) return [];
	return rows.map((row) => {
		const obj: Record<string, string> = {};
		header.forEach((name, idx) => {
			obj[name] = row[idx] ?? '';
		});
		return obj;
	});
}

function quoteField(value: string, delimiter: string): string {
	if (
		value.includes('"') ||
		value.includes(delimiter) ||
		value.includes('\n') ||
		value.includes('\r')
	) {
		return `"${value.replace(/"/g, '""')}"`;
	}
	return value;
}

/**
 * Serialises rows into CSV. Fields are quoted only when needed; `null`/`undefined` become empty
 * fields; rows end with `lineEnding` (default LF, as Salesforce Bulk API 2.0 results use).
 */
export function stringifyCsv(
	rows: ReadonlyArray<ReadonlyArray<string | number | boolean | null | undefined>>,
	options: { delimiter?: string; lineEnding?: '\n' | '\r\n' } = {},
): string {
	const delimiter = options.delimiter ?? ',';
	const eol = options.lineEnding ?? '\n';
	return rows
		.map(
			(row) =>
				row
					.map((v) => quoteField(v === null || v === undefined ? '' : String(v), delimiter))
					.join(delimiter) + eol,
		)
		.join('');
}
