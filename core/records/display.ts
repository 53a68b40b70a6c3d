/** Renders values inside human messages: short, unambiguous, never a whole payload. */

/** Longest rendering of a value in a message (characters, quotes included). */
export const MAX_VALUE_CHARS = 60;

function truncate(text: string, max: number): string {
	const chars = Array.from(text);
	return chars.length > max ? `${chars.slice(0, max - 1).join('')}…` : text;
}

/**
 * Describes a value for a message: strings quoted (`"bob@"`), long values cut to ~60 characters with
 * `…`, `undefined` as `(missing)`, dates as ISO strings, objects and arrays as compact JSON.
 */
export function describeValue(value: unknown, max = MAX_VALUE_CHARS): string {
	if (value === undefined) return '(missing)';
	if (value === null) return 'null';
	if (typeof value === 'string') {
		const quoted = JSON.stringify(value);
		if (Array.from(quoted).length <= max) return quoted;
		return `${JSON.stringify(
			Array.from(value)
				.slice(0, max - 3)
				.join(''),
		).slice(0, -1)}…"`;
	}
	if (typeof value === 'number' || typeof value === 'boolean') return String(value);
	if (typeof value === 'bigint') return `${value}n`;
	if (value instanceof Date)
		return Number.isNaN(value.getTime()) ? 'Invalid Date' : value.toISOString();
	try {
		return truncate(JSON.stringify(value) ?? String(value), max);
	} catch {
		return truncate(Object.prototype.toString.call(value), max);
	}
}

/** What kind of value this is, in words (`text`, `a number`, `a list`, …), for type messages. */
export function kindOf(value: unknown): string {
	if (value === null) return 'null';
	if (Array.isArray(value)) return 'a list';
	if (value instanceof Date) return 'a Date object';
	switch (typeof value) {
		case 'string':
			return 'text';
		case 'number':
			return 'a number';
		case 'boolean':
			return 'a boolean';
		case 'object':
			return 'an object';
		default:
			return `a ${typeof value}`;
	}
}
