/** Plain-text output helpers for the demo (no colours: it must read well in any terminal and in CI logs). */

/** A value as one short cell: lists joined with commas, booleans as yes/no, nothing as "-". */
export function cell(value: unknown): string {
	if (value === undefined || value === null || value === '') return '-';
	if (Array.isArray(value)) return value.length === 0 ? '-' : value.map(cell).join(',');
	if (typeof value === 'boolean') return value ? 'yes' : 'no';
	if (typeof value === 'object') return JSON.stringify(value);
	return String(value);
}

/** Left-aligned columns (right-aligned when every cell of the column is a number), indented. */
export function table(
	columns: readonly string[],
	rows: ReadonlyArray<readonly unknown[]>,
	indent = '   ',
): string[] {
	const text = rows.map((row) => row.map(cell));
	const numeric = columns.map(
		(_, c) => rows.length > 0 && rows.every((row) => typeof row[c] === 'number'),
	);
	const widths = columns.map((name, c) =>
		Math.max(name.length, ...text.map((row) => row[c].length)),
	);
	const line = (cells: readonly string[]) =>
		indent +
		cells
			.map((value, c) => (numeric[c] ? value.padStart(widths[c]) : value.padEnd(widths[c])))
			.join('  ')
			.trimEnd();
	return [line(columns), ...text.map(line)];
}

/** `text` broken at spaces into lines of at most `width` characters; the first line starts with `first`, the rest with `rest`. */
export function wrap(
	text: string,
	width: number,
	first: string,
	rest = ' '.repeat(first.length),
): string[] {
	const lines: string[] = [];
	let line = '';
	for (const word of text.split(' ')) {
		const prefix = lines.length === 0 ? first : rest;
		if (line !== '' && prefix.length + line.length + 1 + word.length > width) {
			lines.push(prefix + line);
			line = word;
		} else line = line === '' ? word : `${line} ${word}`;
	}
	lines.push((lines.length === 0 ? first : rest) + line);
	return lines;
}

/** `n thing` / `n things`. */
export function plural(n: number, word: string, pluralWord = `${word}s`): string {
	return `${n} ${n === 1 ? word : pluralWord}`;
}
