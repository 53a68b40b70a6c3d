/**
 * Field paths: `firstName`, `address.city`, `emails[0]`, `lines[2].sku`, and quoted keys for names that
 * contain dots or brackets: `["@odata.etag"]`, `attrs['a.b']`.
 */

/** One step of a parsed path: an object key or an array index. */
export type PathSegment = string | number;

/** A path that could not be parsed; the message says where and why. */
export class PathSyntaxError extends Error {
	override readonly name = 'PathSyntaxError';

	constructor(
		readonly path: string,
		readonly reason: string,
	) {
		super(`invalid path "${path}": ${reason}`);
	}
}

/** Keys that would reach an object's prototype: never read or written through a path. */
const FORBIDDEN_KEYS = new Set(['__proto__', 'prototype', 'constructor']);

/**
 * Parses a path into segments. Dots separate keys; `[n]` is an array index; `["key"]` / `['key']`
 * is a literal key (backslash escapes the quote). Throws {@link PathSyntaxError} for empty segments,
 * unterminated brackets and prototype keys (`__proto__`, `constructor`, `prototype`).
 */
export function parsePath(path: string): PathSegment[] {
	if (typeof path !== 'string' || path.trim() === '')
		throw new PathSyntaxError(String(path), 'the path is empty');
	const segments: PathSegment[] = [];
	let i = 0;
	let current = '';
	let expectKey = true; // at the start or right after a dot: a key must follow
	const pushKey = () => {
		if (current === '') throw new PathSyntaxError(path, `empty key at position ${i}`);
		segments.push(current);
		current = '';
	};
	while (i < path.length) {
		const ch = path[i];
		if (ch === '.') {
			if (current === '' && !(segments.length > 0 && !expectKey))
				throw new PathSyntaxError(path, `empty key at position ${i}`);
			if (current !== '') pushKey();
			expectKey = true;
			i++;
			continue;
		}
		if (ch === '[') {
			if (current !== '') pushKey();
			else if (expectKey && segments.length > 0)
				throw new PathSyntaxError(path, `"[" right after "." at position ${i}`);
			const close = readBracket(path, i);
			segments.push(close.segment);
			i = close.end;
			expectKey = false;
			if (i < path.length && path[i] !== '.' && path[i] !== '[') {
				throw new PathSyntaxError(path, `expected "." or "[" after "]" at position ${i}`);
			}
			continue;
		}
		if (ch === ']') throw new PathSyntaxError(path, `unexpected "]" at position ${i}`);
		current += ch;
		expectKey = false;
		i++;
	}
	if (current !== '') pushKey();
	else if (expectKey) throw new PathSyntaxError(path, 'the path ends with "."');
	for (const segment of segments) {
		if (typeof segment === 'string' && FORBIDDEN_KEYS.has(segment)) {
			throw new PathSyntaxError(path, `"${segment}" is not allowed as a key`);
		}
	}
	return segments;
}

function readBracket(path: string, start: number): { segment: PathSegment; end: number } {
	let i = start + 1;
	const quote = path[i];
	if (quote === '"' || quote === "'") {
		let key = '';
		i++;
		while (i < path.length && path[i] !== quote) {
			if (path[i] === '\\' && i + 1 < path.length) i++;
			key += path[i];
			i++;
		}
		if (i >= path.length)
			throw new PathSyntaxError(path, `unterminated quoted key starting at position ${start}`);
		i++; // closing quote
		if (path[i] !== ']')
			throw new PathSyntaxError(path, `expected "]" after the quoted key at position ${i}`);
		if (key === '') throw new PathSyntaxError(path, `empty quoted key at position ${start}`);
		return { segment: key, end: i + 1 };
	}
	const close = path.indexOf(']', i);
	if (close < 0) throw new PathSyntaxError(path, `unterminated "[" at position ${start}`);
	const inner = path.slice(i, close).trim();
	if (!/^\d+$/.test(inner)) {
		throw new PathSyntaxError(
			path,
			`"[${inner}]" is not an array index (use a number, or quotes for a key: ["${inner}"])`,
		);
	}
	return { segment: Number(inner), end: close + 1 };
}

function hasOwn(value: object, key: PropertyKey): boolean {
	return Object.prototype.hasOwnProperty.call(value, key);
}

/**
 * Reads the value at `path` (a string or parsed segments). Returns `undefined` when any step is
 * missing. Only own properties are read (never inherited ones). When `path` is a string and the object
 * has an own key spelled exactly like it (e.g. `@odata.etag`), that key wins over the dotted reading.
 */
export function getPath(source: unknown, path: string | readonly PathSegment[]): unknown {
	if (typeof path === 'string') {
		if (
			source !== null &&
			typeof source === 'object' &&
			!Array.isArray(source) &&
			hasOwn(source, path)
		) {
			return (source as Record<string, unknown>)[path];
		}
		return getSegments(source, parsePath(path));
	}
	return getSegments(source, path);
}

function getSegments(source: unknown, segments: readonly PathSegment[]): unknown {
	let current: unknown = source;
	for (const segment of segments) {
		if (current === null || current === undefined) return undefined;
		if (typeof segment === 'number') {
			if (!Array.isArray(current)) return undefined;
			current = current[segment];
			continue;
		}
		if (typeof current !== 'object' || !hasOwn(current, segment)) return undefined;
		current = (current as Record<string, unknown>)[segment];
	}
	return current;
}

/**
 * Writes `value` at `path` inside `target`, creating plain objects (or arrays for numeric segments)
 * on the way. Throws when an intermediate value exists but is not an object (e.g. writing `a.b` when
 * `a` is the string "x"), so no value is silently overwritten.
 */
export function setPath(
	target: Record<string, unknown>,
	path: string | readonly PathSegment[],
	value: unknown,
): void {
	const segments = typeof path === 'string' ? parsePath(path) : path;
	if (segments.length === 0) throw new PathSyntaxError('', 'the path is empty');
	let current: Record<string | number, unknown> = target;
	for (let i = 0; i < segments.length - 1; i++) {
		const segment = segments[i];
		if (typeof segment === 'string' && FORBIDDEN_KEYS.has(segment))
			throw new PathSyntaxError(segments.join('.'), `"${segment}" is not allowed as a key`);
		let next = current[segment];
		if (next === undefined || next === null) {
			next = typeof segments[i + 1] === 'number' ? [] : {};
			current[segment] = next;
		} else if (typeof next !== 'object') {
			throw new Error(
				`cannot set "${formatPath(segments)}": "${formatPath(segments.slice(0, i + 1))}" already holds a ${typeof next}, not an object`,
			);
		}
		current = next as Record<string | number, unknown>;
	}
	const last = segments[segments.length - 1];
	if (typeof last === 'string' && FORBIDDEN_KEYS.has(last))
		throw new PathSyntaxError(segments.join('.'), `"${last}" is not allowed as a key`);
	current[last] = value;
}

/** Renders segments back to a path string (`a.b[0]["c.d"]`). */
export function formatPath(segments: readonly PathSegment[]): string {
	let out = '';
	for (const segment of segments) {
		if (typeof segment === 'number') out += `[${segment}]`;
		else if (/^[^.[\]"']+$/.test(segment)) out += out === '' ? segment : `.${segment}`;
		else out += `[${JSON.stringify(segment)}]`;
	}
	return out;
}
