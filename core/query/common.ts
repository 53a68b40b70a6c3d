/** Shared pieces of the query-safety helpers: the error type and exact number/date rendering. */

/** A value or name cannot be put into a query safely; the message says which and why. */
export class QueryValueError extends Error {
	override readonly name = 'QueryValueError';
}

/** Short rendering of an offending value for messages. */
export function show(value: unknown): string {
	let text: string;
	try {
		text =
			typeof value === 'string'
				? JSON.stringify(value)
				: value instanceof Date
					? `Date(${String(value)})`
					: String(JSON.stringify(value) ?? String(value));
	} catch {
		text = Object.prototype.toString.call(value);
	}
	return text.length > 60 ? `${text.slice(0, 59)}…` : text;
}

/** Expands `1.5e-7` / `1e+21` notation into plain digits. */
function expandExponent(text: string): string {
	const match = /^(-?)(\d)(?:\.(\d+))?e([+-]\d+)$/.exec(text);
	if (!match) return text;
	const [, sign, lead, rest = '', exp] = match;
	const digits = lead + rest;
	const point = 1 + Number(exp); // position of the decimal point within `digits`
	if (point <= 0) return `${sign}0.${'0'.repeat(-point)}${digits}`;
	if (point >= digits.length) return `${sign}${digits}${'0'.repeat(point - digits.length)}`;
	return `${sign}${digits.slice(0, point)}.${digits.slice(point)}`;
}

/**
 * A number as a plain decimal literal (no exponent, which SOQL and OData decimals reject), `-0` as `0`.
 *
 * @throws QueryValueError for NaN and ±Infinity, which no query language can express.
 */
export function plainNumber(value: number | bigint, language: string): string {
	if (typeof value === 'bigint') return value.toString();
	if (!Number.isFinite(value)) {
		throw new QueryValueError(
			`${String(value)} cannot be used in ${language}: it is not a finite number — check the value before querying`,
		);
	}
	if (Object.is(value, -0)) return '0';
	return expandExponent(String(value));
}

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

function checkDate(value: Date, language: string): Date {
	if (Number.isNaN(value.getTime()))
		throw new QueryValueError(
			`an invalid Date cannot be used in ${language} — check the value before querying`,
		);
	const year = value.getUTCFullYear();
	if (year < 0 || year > 9999)
		throw new QueryValueError(
			`the date ${value.toISOString()} is outside years 0000-9999 and cannot be used in ${language}`,
		);
	return value;
}

/** `YYYY-MM-DD` of a Date (UTC), or of a string already in that form (validated). */
export function isoDate(value: Date | string, language: string): string {
	if (typeof value === 'string') {
		const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
		const date = m ? new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]))) : undefined;
		if (
			!m ||
			!date ||
			date.getUTCDate() !== Number(m[3]) ||
			date.getUTCMonth() !== Number(m[2]) - 1
		) {
			throw new QueryValueError(
				`${show(value)} is not a date in YYYY-MM-DD form and cannot be used as a date in ${language}`,
			);
		}
		return value;
	}
	const d = checkDate(value, language);
	return `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
}

/**
 * `YYYY-MM-DDThh:mm:ssZ` (UTC) of a Date or of an ISO 8601 string with an offset; milliseconds are kept
 * only when `withMillis` and non-zero.
 */
export function isoDateTime(value: Date | string, language: string, withMillis: boolean): string {
	let date: Date;
	if (typeof value === 'string') {
		if (
			!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/i.test(value) ||
			Number.isNaN(Date.parse(value))
		) {
			throw new QueryValueError(
				`${show(value)} is not an ISO 8601 date-time with an offset (e.g. 2024-03-05T10:15:00Z) and cannot be used in ${language}`,
			);
		}
		date = new Date(value);
	} else {
		date = value;
	}
	const d = checkDate(date, language);
	const base = `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}T${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
	const ms = d.getUTCMilliseconds();
	return withMillis && ms !== 0 ? `${base}.${pad(ms, 3)}Z` : `${base}Z`;
}

/** Counts the single quotes of trusted template text, to spot `${}` placed inside a quoted literal. */
export function insideQuotes(text: string, backslashEscapes: boolean): boolean {
	let inside = false;
	for (let i = 0; i < text.length; i++) {
		const ch = text[i];
		if (backslashEscapes && inside && ch === '\\') {
			i++;
			continue;
		}
		if (ch === "'") inside = !inside;
	}
	return inside;
}
