/**
 * Field transforms, compiled once per mapping. Each compiled step takes a value and returns the new
 * value or a problem (what is wrong and how to fix it); the mapping turns problems into `MappingIssue`s.
 * Steps pass `null`/`undefined` through (except `emptyToNull`), and apply element-wise to arrays where
 * that makes sense (e.g. `trim` after `split`).
 */

import {
	compileDateFormat,
	type DateFormat,
	formatParsedDate,
	isValidTimeZone,
	parseDate,
} from './dates';
import { kindOf } from './display';
import { parseLocaleNumber } from './numbers';
import type { Transform } from './types';

/** Outcome of one step. On failure, `value` is the offending value (an element, for arrays). */
export type StepResult =
	| { ok: true; value: unknown }
	| { ok: false; value: unknown; problem: string; fix: string };

export interface CompiledTransform {
	/** The transform's `type`. */
	readonly name: Transform['type'];
	apply(value: unknown): StepResult;
}

/** How the mapping tells the user to fix the input, e.g. `correct the source value in "price"`. */
export interface TransformContext {
	fixInput: string;
}

const DEFAULT_TRUE = ['true', 'yes', '1', 'on'];
const DEFAULT_FALSE = ['false', 'no', '0', 'off'];

const ok = (value: unknown): StepResult => ({ ok: true, value });
const fail = (value: unknown, problem: string, fix: string): StepResult => ({
	ok: false,
	value,
	problem,
	fix,
});

/** Leaves null/undefined untouched. */
function skipNullish(step: (value: unknown) => StepResult): (value: unknown) => StepResult {
	return (value) => (value === null || value === undefined ? ok(value) : step(value));
}

/** Applies a step to each element of an array (reporting the first failing element), or to a single value. */
function elementWise(step: (value: unknown) => StepResult): (value: unknown) => StepResult {
	const guarded = skipNullish(step);
	return (value) => {
		if (!Array.isArray(value)) return guarded(value);
		const out: unknown[] = [];
		for (let i = 0; i < value.length; i++) {
			const result = guarded(value[i]);
			if (!result.ok)
				return { ...result, problem: `(element ${i + 1} of ${value.length}) ${result.problem}` };
			out.push(result.value);
		}
		return ok(out);
	};
}

function onStrings(fn: (text: string) => unknown): (value: unknown) => StepResult {
	return elementWise((value) => ok(typeof value === 'string' ? fn(value) : value));
}

function titleCase(text: string): string {
	return text
		.toLowerCase()
		.replace(
			/(^|[\s\-/(])(\p{L})/gu,
			(_m, before: string, letter: string) => before + letter.toUpperCase(),
		);
}

function toNumberStep(
	decimalSeparator: '.' | ',' | undefined,
	context: TransformContext,
	transformName: string,
): (value: unknown) => StepResult {
	const generalFix = `${context.fixInput}, or add a replace transform before ${transformName} to remove other characters (currency symbols, units)`;
	return (value) => {
		if (typeof value === 'number') {
			return Number.isFinite(value)
				? ok(value)
				: fail(value, 'is not a finite number', context.fixInput);
		}
		if (typeof value === 'boolean') return ok(value ? 1 : 0);
		if (typeof value === 'bigint') {
			return Number.isSafeInteger(Number(value))
				? ok(Number(value))
				: fail(
						value,
						'is too large to convert to a number without losing digits',
						context.fixInput,
					);
		}
		if (typeof value !== 'string')
			return fail(
				value,
				`is ${kindOf(value)} and cannot be converted to a number`,
				context.fixInput,
			);
		if (value.trim() === '') return ok(null);
		const parsed = parseLocaleNumber(value, decimalSeparator);
		if (parsed.ok) return ok(parsed.value);
		if (parsed.ambiguous) {
			return fail(
				value,
				`is ambiguous: ${parsed.reason}`,
				`set the ${transformName} transform's decimalSeparator to "." or ","`,
			);
		}
		return fail(value, `cannot be converted to a number: ${parsed.reason}`, generalFix);
	};
}

function compileLookup(
	t: Extract<Transform, { type: 'lookup' }>,
	context: TransformContext,
): (value: unknown) => StepResult {
	const table = new Map<string, unknown>();
	for (const [key, mapped] of Object.entries(t.table)) {
		const k = t.caseInsensitive ? key.toLowerCase() : key;
		if (table.has(k) && table.get(k) !== mapped) {
			throw new Error(
				`the lookup table has keys that differ only in case ("${key}") with different values, which caseInsensitive cannot tell apart — remove one of them`,
			);
		}
		table.set(k, mapped);
	}
	const known = Object.keys(t.table);
	const knownText =
		known.length === 0
			? '(the table is empty)'
			: known
					.slice(0, 8)
					.map((k) => JSON.stringify(k))
					.join(', ') + (known.length > 8 ? `, … (${known.length} in all)` : '');
	return elementWise((value) => {
		const key =
			typeof value === 'string'
				? value
				: typeof value === 'number' || typeof value === 'boolean'
					? String(value)
					: undefined;
		if (key !== undefined) {
			const k = t.caseInsensitive ? key.toLowerCase() : key;
			if (table.has(k)) return ok(table.get(k));
		}
		if (t.strict) {
			return fail(
				value,
				`is not in the lookup table (known values: ${knownText})`,
				`add it to the lookup table, give the lookup a fallback and turn off strict, or ${context.fixInput}`,
			);
		}
		return ok(t.fallback);
	});
}

function compileReplace(
	t: Extract<Transform, { type: 'replace' }>,
): (value: unknown) => StepResult {
	let pattern: RegExp | undefined;
	if (t.regex) {
		const flags = t.flags ?? '';
		if (!/^[dimsuyv]*$/.test(flags.replace('g', '')) || new Set(flags).size !== flags.length) {
			throw new Error(
				`flags "${flags}" are not valid regular-expression flags (use letters among d, i, m, s, u, y; g is implied)`,
			);
		}
		let syntaxError = '';
		try {
			pattern = new RegExp(t.pattern, flags.includes('g') ? flags : `${flags}g`);
		} catch (error) {
			syntaxError = (error as Error).message;
		}
		if (!pattern)
			throw new Error(
				`pattern ${JSON.stringify(t.pattern)} is not a valid regular expression: ${syntaxError}`,
			);
	} else if (t.flags !== undefined) {
		throw new Error('flags only apply when regex is true');
	} else if (t.pattern === '') {
		throw new Error('pattern is empty — give the text to replace');
	}
	return elementWise((value) => {
		if (typeof value !== 'string' && typeof value !== 'number') return ok(value);
		const text = String(value);
		if (pattern) return ok(text.replace(pattern, t.replacement));
		return ok(text.split(t.pattern).join(t.replacement)); // literal: no `$` interpretation
	});
}

function compileToDate(
	t: Extract<Transform, { type: 'toDate' }>,
	context: TransformContext,
): (value: unknown) => StepResult {
	let format: DateFormat | undefined;
	if (t.inputFormat !== undefined) {
		let formatError = '';
		try {
			format = compileDateFormat(t.inputFormat);
		} catch (error) {
			formatError = (error as Error).message;
		}
		if (!format)
			throw new Error(`inputFormat ${JSON.stringify(t.inputFormat)} is not usable: ${formatError}`);
	}
	if (t.timezone !== undefined && !isValidTimeZone(t.timezone)) {
		throw new Error(
			`timezone ${JSON.stringify(t.timezone)} is not an IANA time zone (e.g. "Europe/Berlin", "America/New_York", "UTC")`,
		);
	}
	const output = t.output ?? 'iso';
	const fix = format
		? `${context.fixInput}, or change the toDate transform's inputFormat ("${format.source}") to match the data`
		: `${context.fixInput}, or set the toDate transform's inputFormat (e.g. "dd/MM/yyyy") to match the data`;
	return elementWise((value) => {
		if (typeof value === 'string' && value.trim() === '') return ok(null);
		const parsed = parseDate(value, { format, timeZone: t.timezone });
		if (!parsed.ok) return fail(value, `is not a valid date: ${parsed.reason}`, fix);
		return ok(formatParsedDate(parsed, output, t.timezone));
	});
}

function compileToBoolean(
	t: Extract<Transform, { type: 'toBoolean' }>,
	context: TransformContext,
): (value: unknown) => StepResult {
	const trueWords = new Set((t.trueValues ?? DEFAULT_TRUE).map((w) => w.trim().toLowerCase()));
	const falseWords = new Set((t.falseValues ?? DEFAULT_FALSE).map((w) => w.trim().toLowerCase()));
	const overlap = [...trueWords].filter((w) => falseWords.has(w));
	if (overlap.length > 0)
		throw new Error(`"${overlap[0]}" is in both trueValues and falseValues — keep it in one list`);
	const list = (words: Set<string>) => [...words].map((w) => JSON.stringify(w)).join(', ');
	return elementWise((value) => {
		if (typeof value === 'boolean') return ok(value);
		if (typeof value === 'number' || typeof value === 'string') {
			const word = String(value).trim().toLowerCase();
			if (word === '') return ok(null);
			if (trueWords.has(word)) return ok(true);
			if (falseWords.has(word)) return ok(false);
		}
		return fail(
			value,
			`is not a recognised yes/no value (true: ${list(trueWords)}; false: ${list(falseWords)})`,
			`add it to the toBoolean transform's trueValues or falseValues, or ${context.fixInput}`,
		);
	});
}

function stringify(value: unknown): StepResult {
	if (typeof value === 'string') return ok(value);
	if (value instanceof Date)
		return Number.isNaN(value.getTime())
			? fail(value, 'is an invalid Date', 'correct the source value')
			: ok(value.toISOString());
	if (typeof value === 'object') {
		try {
			return ok(JSON.stringify(value));
		} catch (error) {
			return fail(
				value,
				`cannot be turned into text: ${(error as Error).message.split('\n')[0]}`,
				'map a simpler field',
			);
		}
	}
	return ok(String(value));
}

/**
 * Compiles one transform.
 *
 * @throws Error whose message describes a problem with the transform's settings (bad regex, unknown
 *   date token, invalid time zone, contradictory words); the mapping prefixes it with the rule.
 */
export function compileTransform(t: Transform, context: TransformContext): CompiledTransform {
	const make = (apply: (value: unknown) => StepResult): CompiledTransform => ({
		name: t.type,
		apply,
	});
	switch (t.type) {
		case 'trim':
			return make(onStrings((s) => s.trim()));
		case 'lowercase':
			return make(onStrings((s) => s.toLowerCase()));
		case 'uppercase':
			return make(onStrings((s) => s.toUpperCase()));
		case 'titlecase':
			return make(onStrings(titleCase));
		case 'toNumber':
			return make(elementWise(toNumberStep(t.decimalSeparator, context, 'toNumber')));
		case 'toInteger': {
			const toNumber = toNumberStep(t.decimalSeparator, context, 'toInteger');
			const rounding = t.rounding ?? 'error';
			return make(
				elementWise((value) => {
					const number = toNumber(value);
					if (!number.ok || number.value === null) return number;
					let n = number.value as number;
					if (!Number.isInteger(n)) {
						if (rounding === 'error') {
							return fail(
								value,
								'is not a whole number',
								`set the toInteger transform's rounding to "round", "floor", "ceil" or "trunc", or ${context.fixInput}`,
							);
						}
						n = Math[rounding](n);
					}
					if (!Number.isSafeInteger(n))
						return fail(value, 'is too large to be an exact integer', context.fixInput);
					return ok(Object.is(n, -0) ? 0 : n);
				}),
			);
		}
		case 'toBoolean':
			return make(compileToBoolean(t, context));
		case 'toDate':
			return make(compileToDate(t, context));
		case 'toString':
			return make(elementWise(stringify));
		case 'split': {
			if (t.separator === '')
				throw new Error(
					'separator is empty — give the text that separates the parts, e.g. "," or ";"',
				);
			const splitOne = (value: unknown): StepResult => {
				if (value === null || value === undefined) return ok(value);
				if (typeof value === 'number' || typeof value === 'boolean') value = String(value);
				if (typeof value !== 'string')
					return fail(value, `is ${kindOf(value)} and cannot be split`, context.fixInput);
				return ok(value === '' ? [] : value.split(t.separator));
			};
			return make((value) => {
				if (!Array.isArray(value)) return splitOne(value);
				const out: unknown[] = [];
				for (const element of value) {
					const result = splitOne(element);
					if (!result.ok) return result;
					if (Array.isArray(result.value)) out.push(...(result.value as unknown[]));
					else out.push(result.value);
				}
				return ok(out);
			});
		}
		case 'join':
			return make((value) => {
				if (!Array.isArray(value)) return ok(value);
				const parts: string[] = [];
				for (const element of value) {
					if (element === null || element === undefined) parts.push('');
					else {
						const text = stringify(element);
						if (!text.ok) return text;
						parts.push(text.value as string);
					}
				}
				return ok(parts.join(t.separator));
			});
		case 'lookup':
			return make(compileLookup(t, context));
		case 'replace':
			return make(compileReplace(t));
		case 'truncate':
			return make(
				onStrings((s) => {
					const chars = Array.from(s);
					return chars.length > t.length ? chars.slice(0, t.length).join('') : s;
				}),
			);
		case 'emptyToNull':
			return make((value) =>
				ok(value === '' || (Array.isArray(value) && value.length === 0) ? null : value),
			);
		default: {
			const unknownType: never = t;
			throw new Error(
				`unknown transform ${JSON.stringify((unknownType as { type?: unknown }).type)}`,
			);
		}
	}
}
