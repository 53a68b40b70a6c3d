/**
 * Date parsing without a date library: ISO 8601, RFC 2822, epoch seconds/milliseconds, and Luxon-style
 * input formats (`dd/MM/yyyy HH:mm`). Wall-clock times without an offset are read in an IANA time zone
 * (through `Intl`), or UTC by default.
 */

/** Calendar and clock fields of a wall-clock time. */
interface WallClock {
	year: number;
	month: number; // 1-12
	day: number;
	hour: number;
	minute: number;
	second: number;
	millisecond: number;
}

export type DateParse =
	| { ok: true; date: Date; dateOnly: boolean; wall?: WallClock }
	| { ok: false; reason: string };

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const MONTH_NAMES = [
	'january',
	'february',
	'march',
	'april',
	'may',
	'june',
	'july',
	'august',
	'september',
	'october',
	'november',
	'december',
];

function daysInMonth(year: number, month: number): number {
	return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

/** Checks ranges; returns a reason naming the first impossible field, or undefined. */
function checkWall(w: WallClock): string | undefined {
	if (w.month < 1 || w.month > 12) return `month ${w.month} does not exist`;
	const dim = daysInMonth(w.year, w.month);
	if (w.day < 1 || w.day > dim)
		return `day ${w.day} does not exist in ${MONTH_NAMES[w.month - 1][0].toUpperCase()}${MONTH_NAMES[w.month - 1].slice(1)} ${w.year}`;
	if (w.hour > 23) return `hour ${w.hour} does not exist`;
	if (w.minute > 59) return `minute ${w.minute} does not exist`;
	if (w.second > 59) return `second ${w.second} does not exist`;
	return undefined;
}

// ---------------------------------------------------------------------------------------------
// Time zones

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
	let formatter = formatters.get(timeZone);
	if (!formatter) {
		formatter = new Intl.DateTimeFormat('en-US', {
			timeZone,
			hourCycle: 'h23',
			year: 'numeric',
			month: '2-digit',
			day: '2-digit',
			hour: '2-digit',
			minute: '2-digit',
			second: '2-digit',
			era: 'short',
		});
		formatters.set(timeZone, formatter);
	}
	return formatter;
}

/** True when `timeZone` is an IANA zone name this runtime knows (or `UTC`). */
export function isValidTimeZone(timeZone: string): boolean {
	try {
		formatterFor(timeZone);
		return true;
	} catch {
		return false;
	}
}

/** Wall-clock fields of an instant in a zone. */
function wallIn(timeZone: string, instant: number): WallClock {
	const parts: Record<string, string> = {};
	for (const part of formatterFor(timeZone).formatToParts(new Date(instant)))
		parts[part.type] = part.value;
	let year = Number(parts.year);
	if (parts.era === 'BC' || parts.era === 'B') year = 1 - year;
	return {
		year,
		month: Number(parts.month),
		day: Number(parts.day),
		hour: Number(parts.hour) % 24,
		minute: Number(parts.minute),
		second: Number(parts.second),
		millisecond: ((instant % 1000) + 1000) % 1000,
	};
}

function wallToUtcMs(w: WallClock): number {
	const date = new Date(0);
	date.setUTCFullYear(w.year, w.month - 1, w.day);
	date.setUTCHours(w.hour, w.minute, w.second, w.millisecond);
	return date.getTime();
}

/** Offset of `timeZone` from UTC at `instant`, in ms (positive east of Greenwich). */
function zoneOffset(timeZone: string, instant: number): number {
	return wallToUtcMs(wallIn(timeZone, instant)) - instant;
}

/**
 * The instant at which the wall clock in `timeZone` shows `w`. In a DST overlap (the clock shows `w`
 * twice) the earlier instant is returned; in a DST gap (no instant shows `w`) the time is shifted
 * forward by the gap (02:30 in a 02:00→03:00 jump becomes 03:30), as Luxon and Temporal do.
 */
function zonedToInstant(w: WallClock, timeZone: string): number {
	const asUtc = wallToUtcMs(w);
	if (timeZone === 'UTC') return asUtc;
	const day = 86_400_000;
	const before = zoneOffset(timeZone, asUtc - day);
	const offsets = new Set([before, zoneOffset(timeZone, asUtc), zoneOffset(timeZone, asUtc + day)]);
	const matches = [...offsets]
		.map((offset) => asUtc - offset)
		.filter((instant) => zoneOffset(timeZone, instant) === asUtc - instant);
	return matches.length > 0 ? Math.min(...matches) : asUtc - before;
}

/** `YYYY-MM-DD` of an instant in a zone. */
export function formatDateInZone(date: Date, timeZone = 'UTC'): string {
	const w = wallIn(timeZone, date.getTime());
	return `${w.year < 0 ? '-' : ''}${pad(Math.abs(w.year), 4)}-${pad(w.month)}-${pad(w.day)}`;
}

function finish(
	w: WallClock,
	offsetMinutes: number | undefined,
	timeZone: string | undefined,
	dateOnly: boolean,
): DateParse {
	const problem = checkWall(w);
	if (problem) return { ok: false, reason: problem };
	const instant =
		offsetMinutes !== undefined
			? wallToUtcMs(w) - offsetMinutes * 60_000
			: zonedToInstant(w, timeZone ?? 'UTC');
	const date = new Date(instant);
	if (Number.isNaN(date.getTime()))
		return { ok: false, reason: 'it is outside the range of representable dates' };
	return { ok: true, date, dateOnly, wall: w };
}

function parseOffset(text: string): number | undefined {
	if (/^z$/i.test(text)) return 0;
	const m = /^([+-])(\d{2}):?(\d{2})?$/.exec(text);
	if (!m) return undefined;
	const hours = Number(m[2]);
	const minutes = Number(m[3] ?? '0');
	if (hours > 23 || minutes > 59) return undefined;
	return (m[1] === '-' ? -1 : 1) * (hours * 60 + minutes);
}

function fraction(text: string | undefined): number {
	if (!text) return 0;
	return Math.floor(Number(`0.${text}`) * 1000 + 1e-6);
}

// ---------------------------------------------------------------------------------------------
// Built-in formats

const ISO =
	/^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?)?$/i;

const RFC2822 =
	/^(?:(mon|tue|wed|thu|fri|sat|sun),\s*)?(\d{1,2})\s+(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)\s+(\d{4}|\d{2})\s+(\d{2}):(\d{2})(?::(\d{2}))?(?:\s+([+-]\d{4}|ut|gmt|z|[ecmp][sd]t))?$/i;

const RFC_ZONES: Record<string, number> = {
	ut: 0,
	gmt: 0,
	z: 0,
	est: -300,
	edt: -240,
	cst: -360,
	cdt: -300,
	mst: -420,
	mdt: -360,
	pst: -480,
	pdt: -420,
};

function parseIso(text: string, timeZone: string | undefined): DateParse | undefined {
	const m = ISO.exec(text);
	if (!m) return undefined;
	const w: WallClock = {
		year: Number(m[1]),
		month: Number(m[2]),
		day: Number(m[3]),
		hour: Number(m[4] ?? 0),
		minute: Number(m[5] ?? 0),
		second: Number(m[6] ?? 0),
		millisecond: fraction(m[7]),
	};
	const offset = m[8] === undefined ? undefined : parseOffset(m[8]);
	if (m[8] !== undefined && offset === undefined)
		return { ok: false, reason: `the offset "${m[8]}" is not valid` };
	return finish(w, offset, timeZone, m[4] === undefined);
}

function parseRfc2822(text: string, timeZone: string | undefined): DateParse | undefined {
	const m = RFC2822.exec(text);
	if (!m) return undefined;
	let year = Number(m[4]);
	if (m[4].length === 2) year += year < 50 ? 2000 : 1900;
	const w: WallClock = {
		year,
		month: MONTHS.indexOf(m[3].toLowerCase()) + 1,
		day: Number(m[2]),
		hour: Number(m[5]),
		minute: Number(m[6]),
		second: Number(m[7] ?? 0),
		millisecond: 0,
	};
	let offset: number | undefined;
	if (m[8] !== undefined) {
		const zone = m[8].toLowerCase();
		if (zone in RFC_ZONES) offset = RFC_ZONES[zone];
		else {
			offset = parseOffset(m[8]);
			if (offset === undefined) return { ok: false, reason: `the zone "${m[8]}" is not valid` };
		}
	}
	return finish(w, offset, timeZone, false);
}

/** Epoch numbers: magnitudes below 1e11 are seconds (up to year 5138), larger ones milliseconds. */
export function fromEpoch(value: number, unit?: 's' | 'ms'): DateParse {
	if (!Number.isFinite(value)) return { ok: false, reason: 'it is not a finite number' };
	const ms = (unit ?? (Math.abs(value) < 1e11 ? 's' : 'ms')) === 's' ? value * 1000 : value;
	const date = new Date(Math.round(ms));
	if (Number.isNaN(date.getTime()))
		return { ok: false, reason: 'it is outside the range of representable dates' };
	return { ok: true, date, dateOnly: false };
}

// ---------------------------------------------------------------------------------------------
// Luxon-style input formats

type FieldName =
	| keyof WallClock
	| 'monthName'
	| 'ampm'
	| 'offset'
	| 'epochS'
	| 'epochMs'
	| 'weekday'
	| 'year2';

interface FormatToken {
	regex: string;
	field?: FieldName;
}

const TOKENS: Record<string, FormatToken> = {
	yyyy: { regex: '(\\d{4})', field: 'year' },
	yy: { regex: '(\\d{2})', field: 'year2' },
	y: { regex: '(\\d{1,6})', field: 'year' },
	MMMM: { regex: '([A-Za-z]+)', field: 'monthName' },
	MMM: { regex: '([A-Za-z]{3})', field: 'monthName' },
	MM: { regex: '(\\d{2})', field: 'month' },
	M: { regex: '(\\d{1,2})', field: 'month' },
	dd: { regex: '(\\d{2})', field: 'day' },
	d: { regex: '(\\d{1,2})', field: 'day' },
	HH: { regex: '(\\d{2})', field: 'hour' },
	H: { regex: '(\\d{1,2})', field: 'hour' },
	hh: { regex: '(\\d{2})', field: 'hour' },
	h: { regex: '(\\d{1,2})', field: 'hour' },
	mm: { regex: '(\\d{2})', field: 'minute' },
	m: { regex: '(\\d{1,2})', field: 'minute' },
	ss: { regex: '(\\d{2})', field: 'second' },
	s: { regex: '(\\d{1,2})', field: 'second' },
	SSS: { regex: '(\\d{3})', field: 'millisecond' },
	S: { regex: '(\\d{1,3})', field: 'millisecond' },
	a: { regex: '(am|pm|AM|PM|a\\.m\\.|p\\.m\\.)', field: 'ampm' },
	Z: { regex: '(Z|[+-]\\d{1,2}(?::?\\d{2})?)', field: 'offset' },
	ZZ: { regex: '(Z|[+-]\\d{2}:\\d{2})', field: 'offset' },
	ZZZ: { regex: '(Z|[+-]\\d{4})', field: 'offset' },
	X: { regex: '(-?\\d+(?:\\.\\d+)?)', field: 'epochS' },
	x: { regex: '(-?\\d+)', field: 'epochMs' },
	EEE: { regex: '([A-Za-z]{3})', field: 'weekday' },
	EEEE: { regex: '([A-Za-z]+)', field: 'weekday' },
};

/** A compiled input format. */
export interface DateFormat {
	readonly source: string;
	parse(text: string, timeZone?: string): DateParse;
}

/**
 * Compiles a Luxon-style format: `yyyy yy MM M MMM MMMM dd d HH H hh h a mm m ss s SSS S Z ZZ ZZZ X x EEE EEEE`;
 * text in single quotes is literal (`''` is a quote); other non-letters are literal.
 *
 * @throws Error naming the unknown token, or a missing year.
 */
export function compileDateFormat(format: string): DateFormat {
	if (format.trim() === '') throw new Error('the input format is empty');
	let regex = '^';
	const fields: FieldName[] = [];
	let i = 0;
	while (i < format.length) {
		const ch = format[i];
		if (ch === "'") {
			const end = format.indexOf("'", i + 1);
			if (end === i + 1) {
				regex += "'";
				i += 2;
				continue;
			}
			if (end < 0)
				throw new Error(`unterminated quoted text at position ${i} (quote literal text like 'T')`);
			regex += escapeRegex(format.slice(i + 1, end));
			i = end + 1;
			continue;
		}
		if (/[A-Za-z]/.test(ch)) {
			let j = i;
			while (j < format.length && format[j] === ch) j++;
			const run = format.slice(i, j);
			const token = TOKENS[run];
			if (!token) {
				throw new Error(
					`"${run}" is not a supported token (use yyyy, yy, MM, M, MMM, MMMM, dd, d, HH, H, hh, h, a, mm, m, ss, s, SSS, Z, ZZ, ZZZ, X, x, EEE; quote literal letters like 'T')`,
				);
			}
			regex += token.regex;
			if (token.field) fields.push(token.field);
			i = j;
			continue;
		}
		regex += escapeRegex(ch);
		i++;
	}
	regex += '$';
	const hasEpoch = fields.includes('epochS') || fields.includes('epochMs');
	if (!hasEpoch && !fields.includes('year') && !fields.includes('year2')) {
		throw new Error(
			'it has no year (add yyyy or yy, or use X / x for epoch seconds / milliseconds)',
		);
	}
	const compiled = new RegExp(regex, 'i');
	const hasTime = fields.some(
		(f) => f === 'hour' || f === 'minute' || f === 'second' || f === 'millisecond',
	);

	return {
		source: format,
		parse(text: string, timeZone?: string): DateParse {
			const m = compiled.exec(text.trim());
			if (!m) return { ok: false, reason: `it does not match the input format "${format}"` };
			const w: WallClock = {
				year: 1970,
				month: 1,
				day: 1,
				hour: 0,
				minute: 0,
				second: 0,
				millisecond: 0,
			};
			let offset: number | undefined;
			let ampm: string | undefined;
			for (let k = 0; k < fields.length; k++) {
				const value = m[k + 1];
				const field = fields[k];
				switch (field) {
					case 'epochS':
						return fromEpoch(Number(value), 's');
					case 'epochMs':
						return fromEpoch(Number(value), 'ms');
					case 'year2': {
						const yy = Number(value);
						w.year = yy < 60 ? 2000 + yy : 1900 + yy;
						break;
					}
					case 'monthName': {
						const lower = value.toLowerCase();
						const index = lower.length === 3 ? MONTHS.indexOf(lower) : MONTH_NAMES.indexOf(lower);
						if (index < 0) return { ok: false, reason: `"${value}" is not an English month name` };
						w.month = index + 1;
						break;
					}
					case 'ampm':
						ampm = value.toLowerCase().replace(/\./g, '');
						break;
					case 'offset':
						offset = parseOffset(
							value.length === 2 || value.length === 3
								? `${value[0]}${value.slice(1).padStart(2, '0')}`
								: value,
						);
						if (offset === undefined)
							return { ok: false, reason: `the offset "${value}" is not valid` };
						break;
					case 'millisecond':
						w.millisecond = value.length === 3 ? Number(value) : fraction(value);
						break;
					case 'weekday':
						break;
					default:
						w[field] = Number(value);
				}
			}
			if (ampm !== undefined) {
				if (w.hour < 1 || w.hour > 12)
					return { ok: false, reason: `hour ${w.hour} does not exist on a 12-hour clock` };
				w.hour = (w.hour % 12) + (ampm === 'pm' ? 12 : 0);
			}
			return finish(w, offset, timeZone, !hasTime && offset === undefined);
		},
	};
}

function escapeRegex(text: string): string {
	return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

// ---------------------------------------------------------------------------------------------

/**
 * Parses a date from a value: a `Date`; a number (epoch seconds below 1e11, else milliseconds); a string
 * in ISO 8601 (`2024-03-05`, `2024-03-05T10:15:00.123+01:00`, space instead of `T`), RFC 2822
 * (`Tue, 05 Mar 2024 10:15:00 +0000`) or epoch digits (10+ digits); or, with `format`, only that format.
 * Times without an offset are read in `timeZone` (IANA), default UTC.
 */
export function parseDate(
	value: unknown,
	options: { format?: DateFormat; timeZone?: string } = {},
): DateParse {
	const { format, timeZone } = options;
	if (value instanceof Date) {
		return Number.isNaN(value.getTime())
			? { ok: false, reason: 'it is an invalid Date' }
			: { ok: true, date: new Date(value.getTime()), dateOnly: false };
	}
	if (typeof value === 'number') {
		if (format) return format.parse(String(value), timeZone);
		return fromEpoch(value);
	}
	if (typeof value !== 'string')
		return {
			ok: false,
			reason: `it is ${value === null ? 'null' : Array.isArray(value) ? 'a list' : `a ${typeof value}`}, not a date`,
		};
	const text = value.trim();
	if (text === '') return { ok: false, reason: 'it is empty' };
	if (format) return format.parse(text, timeZone);
	if (/^-?\d+$/.test(text)) {
		if (text.replace('-', '').length >= 10) return fromEpoch(Number(text));
		return {
			ok: false,
			reason:
				'it is a short number: not an epoch timestamp (10+ digits) nor a date — set an input format such as "yyyyMMdd"',
		};
	}
	return (
		parseIso(text, timeZone) ??
		parseRfc2822(text, timeZone) ?? {
			ok: false,
			reason: 'it is not in ISO 8601 (2024-03-05T10:15:00Z), RFC 2822 or epoch form',
		}
	);
}

/** Formats a parsed date as requested by the `toDate` transform. */
export function formatParsedDate(
	parsed: Extract<DateParse, { ok: true }>,
	output: 'iso' | 'date' | 'epochMs',
	timeZone?: string,
): string | number {
	if (output === 'epochMs') return parsed.date.getTime();
	if (output === 'date') {
		if (parsed.dateOnly && parsed.wall)
			return `${pad(parsed.wall.year, 4)}-${pad(parsed.wall.month)}-${pad(parsed.wall.day)}`;
		return formatDateInZone(parsed.date, timeZone ?? 'UTC');
	}
	return parsed.date.toISOString();
}
