/**
 * Locale-tolerant number parsing: `1234.5`, `1,234.50`, `1.234,50`, `1 234,5`, `1'234.50`, `-3e5`.
 * Ambiguous inputs (`1,234` could be 1234 or 1.234) are refused unless the decimal separator is given.
 */

export type NumberParse =
	| { ok: true; value: number }
	| { ok: false; reason: string; ambiguous?: boolean };

/** Group separators written with spaces or apostrophes between digits (fr, ch, …). */
const SPACE_GROUPS = /(?<=\d)[ \u00a0\u202f\u2009'’](?=\d{3}(?:\D|$))/g;

function countOf(text: string, ch: string): number {
	let n = 0;
	for (const c of text) if (c === ch) n++;
	return n;
}

/**
 * Parses a number written as text.
 *
 * @param decimalSeparator `.` or `,`; the other one is then the thousands separator. Without it: when
 *   both appear, the last one is the decimal separator; a separator that appears more than once groups
 *   thousands; a single `.` is decimal; a single `,` is decimal unless exactly three digits follow it,
 *   which is ambiguous and refused.
 */
export function parseLocaleNumber(input: string, decimalSeparator?: '.' | ','): NumberParse {
	let text = input.trim();
	if (text === '') return { ok: false, reason: 'it is empty' };
	text = text.replace(SPACE_GROUPS, '');
	let sign = '';
	if (text[0] === '+' || text[0] === '-') {
		sign = text[0] === '-' ? '-' : '';
		text = text.slice(1);
	}

	let decimal: '.' | ',' | undefined = decimalSeparator;
	if (decimal === undefined) {
		const dots = countOf(text, '.');
		const commas = countOf(text, ',');
		if (dots > 0 && commas > 0) decimal = text.lastIndexOf('.') > text.lastIndexOf(',') ? '.' : ',';
		else if (commas > 1) decimal = '.';
		else if (dots > 1) decimal = ',';
		else if (commas === 1) {
			if (/^\d{1,3},\d{3}$/.test(text)) {
				return {
					ok: false,
					ambiguous: true,
					reason: '"," could be a thousands or a decimal separator',
				};
			}
			decimal = ',';
		} else decimal = '.';
	}
	const group = decimal === '.' ? ',' : '.';

	const decimalAt = text.indexOf(decimal);
	if (decimalAt >= 0 && text.indexOf(decimal, decimalAt + 1) >= 0) {
		return { ok: false, reason: `the decimal separator "${decimal}" appears more than once` };
	}
	let integerPart = decimalAt >= 0 ? text.slice(0, decimalAt) : text;
	let rest = decimalAt >= 0 ? text.slice(decimalAt + 1) : '';
	let exponent = '';
	const expMatch = /[eE][+-]?\d+$/.exec(decimalAt >= 0 ? rest : integerPart);
	if (expMatch) {
		exponent = expMatch[0];
		if (decimalAt >= 0) rest = rest.slice(0, -exponent.length);
		else integerPart = integerPart.slice(0, -exponent.length);
	}

	if (integerPart.includes(group)) {
		if (exponent !== '')
			return { ok: false, reason: 'thousands separators and an exponent cannot be combined' };
		const grouping = group === ',' ? /^\d{1,3}(?:,\d{3})+$/ : /^\d{1,3}(?:\.\d{3})+$/;
		if (!grouping.test(integerPart)) {
			return {
				ok: false,
				reason: `"${group}" is used as the thousands separator but the digit groups are not of three`,
			};
		}
		integerPart = integerPart.split(group).join('');
	}
	if (!/^\d*$/.test(integerPart) || !/^\d*$/.test(rest) || (integerPart === '' && rest === '')) {
		return { ok: false, reason: 'it contains characters other than digits, a sign and separators' };
	}
	const normalized = `${sign}${integerPart === '' ? '0' : integerPart}${rest === '' ? '' : `.${rest}`}${exponent}`;
	const value = Number(normalized);
	if (!Number.isFinite(value)) return { ok: false, reason: 'it is too large to be a number' };
	return { ok: true, value: Object.is(value, -0) ? 0 : value };
}
