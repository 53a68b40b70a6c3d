/**
 * Type and constraint checks of a mapped value, with zod for the types. Each failed check says what is
 * wrong with the value and how to fix it (which transform to add, which setting to change).
 */

import { z } from 'zod';

import { describeValue, kindOf } from './display';
import type { FieldRule, FieldType } from './types';

/** A failed check; the mapping prefixes it with the record, the field and the value. */
export interface CheckFailure {
	code: 'type' | 'constraint';
	problem: string;
	fix: string;
}

export type ValueCheck = (value: unknown) => CheckFailure | undefined;

const httpUrl = z
	.string()
	.url()
	.refine((text) => {
		try {
			return /^https?:$/i.test(new URL(text).protocol);
		} catch {
			return false;
		}
	});

/** zod schema of each field type (`any` has none). */
export const TYPE_SCHEMAS: Record<Exclude<FieldType, 'any'>, z.ZodTypeAny> = {
	string: z.string(),
	number: z.number().finite(),
	integer: z.number().int().finite(),
	boolean: z.boolean(),
	date: z.string().date(),
	datetime: z.string().datetime({ offset: true }),
	email: z.string().email(),
	url: httpUrl,
	array: z.array(z.unknown()),
};

/** Why a value is not of `type`, and the fix. `fixInput` says how to correct the input. */
function typeFailure(
	type: Exclude<FieldType, 'any'>,
	value: unknown,
	fixInput: string,
): CheckFailure {
	const kind = kindOf(value);
	const isText = typeof value === 'string';
	const failure = (problem: string, fix: string): CheckFailure => ({ code: 'type', problem, fix });
	switch (type) {
		case 'string':
			return failure(
				`is ${kind}, not text`,
				typeof value === 'object'
					? `map a text field instead, or ${fixInput}`
					: `add a toString transform, or ${fixInput}`,
			);
		case 'number':
			if (typeof value === 'number') return failure('is not a finite number', fixInput);
			return failure(
				`is ${kind}, not a number`,
				isText ? `add a toNumber transform, or ${fixInput}` : fixInput,
			);
		case 'integer':
			if (typeof value === 'number') {
				return failure(
					'is not a whole number',
					`add a toInteger transform (with rounding), or ${fixInput}`,
				);
			}
			return failure(
				`is ${kind}, not a whole number`,
				isText ? `add a toInteger transform, or ${fixInput}` : fixInput,
			);
		case 'boolean':
			return failure(
				`is ${kind}, not true/false`,
				isText || typeof value === 'number'
					? `add a toBoolean transform, or ${fixInput}`
					: fixInput,
			);
		case 'date':
			return failure(
				isText ? 'is not a date in YYYY-MM-DD form' : `is ${kind}, not a date in YYYY-MM-DD form`,
				`add a toDate transform with output "date", or ${fixInput}`,
			);
		case 'datetime':
			return failure(
				isText
					? 'is not an ISO 8601 date-time with a time zone (e.g. 2024-03-05T10:15:00Z)'
					: `is ${kind}, not an ISO 8601 date-time`,
				`add a toDate transform, or ${fixInput}`,
			);
		case 'email':
			return failure(
				isText ? 'is not a valid email address' : `is ${kind}, not an email address`,
				`${fixInput} or change the field's type`,
			);
		case 'url':
			return failure(
				isText ? 'is not a valid http(s) URL' : `is ${kind}, not a URL`,
				`${fixInput} or change the field's type`,
			);
		case 'array':
			return failure(
				`is ${kind}, not a list`,
				isText ? `add a split transform, or ${fixInput}` : fixInput,
			);
	}
}

/** The type check of a rule (undefined for `any`). Null and undefined are not type-checked. */
export function compileTypeCheck(
	type: FieldType | undefined,
	fixInput: string,
): ValueCheck | undefined {
	if (type === undefined || type === 'any') return undefined;
	const schema = TYPE_SCHEMAS[type];
	return (value) =>
		value === null || value === undefined || schema.safeParse(value).success
			? undefined
			: typeFailure(type, value, fixInput);
}

function sameValue(a: unknown, b: unknown): boolean {
	if (a === b) return true;
	if (typeof a === 'object' && a !== null && typeof b === 'object' && b !== null) {
		try {
			return JSON.stringify(a) === JSON.stringify(b);
		} catch {
			return false;
		}
	}
	return false;
}

/**
 * The constraint checks of a rule: minLength/maxLength (strings in characters, lists in elements),
 * min/max (numbers), pattern (a JavaScript regular expression, not anchored: use ^…$ to match the whole
 * value) and oneOf (strings/numbers; both applied to each element of a list).
 *
 * @throws Error when `pattern` is not a valid regular expression (the compiler reports it as a spec problem).
 */
export function compileConstraints(rule: FieldRule, fixInput: string): ValueCheck[] {
	const checks: ValueCheck[] = [];
	const constraint = (problem: string, fix: string): CheckFailure => ({
		code: 'constraint',
		problem,
		fix,
	});
	const lengthOf = (value: unknown) =>
		typeof value === 'string'
			? Array.from(value).length
			: Array.isArray(value)
				? value.length
				: undefined;
	const unit = (value: unknown, n: number) =>
		typeof value === 'string'
			? `${n} character${n === 1 ? '' : 's'} long`
			: `${n} element${n === 1 ? '' : 's'} long`;

	if (rule.minLength !== undefined) {
		const min = rule.minLength;
		checks.push((value) => {
			const length = lengthOf(value);
			return length !== undefined && length < min
				? constraint(
						`is ${unit(value, length)}, shorter than the minimum of ${min}`,
						`${fixInput}, or lower the rule's minLength`,
					)
				: undefined;
		});
	}
	if (rule.maxLength !== undefined) {
		const max = rule.maxLength;
		checks.push((value) => {
			const length = lengthOf(value);
			if (length === undefined || length <= max) return undefined;
			const fix =
				typeof value === 'string'
					? `add a truncate transform (length ${max}), ${fixInput}, or raise the rule's maxLength`
					: `${fixInput}, or raise the rule's maxLength`;
			return constraint(`is ${unit(value, length)}, longer than the maximum of ${max}`, fix);
		});
	}
	if (rule.min !== undefined) {
		const min = rule.min;
		checks.push((value) =>
			typeof value === 'number' && value < min
				? constraint(`is below the minimum of ${min}`, `${fixInput}, or change the rule's min`)
				: undefined,
		);
	}
	if (rule.max !== undefined) {
		const max = rule.max;
		checks.push((value) =>
			typeof value === 'number' && value > max
				? constraint(`is above the maximum of ${max}`, `${fixInput}, or change the rule's max`)
				: undefined,
		);
	}
	const eachScalar = (value: unknown, test: (element: unknown) => boolean): unknown => {
		const elements = Array.isArray(value) ? value : [value];
		return elements.find((element) => element !== null && element !== undefined && !test(element));
	};
	if (rule.pattern !== undefined) {
		let regex: RegExp | undefined;
		let syntaxError = '';
		try {
			regex = new RegExp(rule.pattern);
		} catch (error) {
			syntaxError = (error as Error).message;
		}
		if (!regex)
			throw new Error(
				`pattern ${JSON.stringify(rule.pattern)} is not a valid regular expression: ${syntaxError}`,
			);
		const compiled = regex;
		checks.push((value) => {
			const offending = eachScalar(value, (element) =>
				typeof element === 'string' || typeof element === 'number'
					? compiled.test(String(element))
					: true,
			);
			if (offending === undefined) return undefined;
			const which = Array.isArray(value) ? `has an element ${describeValue(offending)} that ` : '';
			return constraint(
				`${which}does not match the pattern /${rule.pattern}/`,
				`${fixInput}, or change the rule's pattern`,
			);
		});
	}
	if (rule.oneOf !== undefined) {
		const allowed = rule.oneOf;
		const shown =
			allowed
				.slice(0, 10)
				.map((v) => describeValue(v, 30))
				.join(', ') + (allowed.length > 10 ? `, … (${allowed.length} in all)` : '');
		checks.push((value) => {
			const offending = eachScalar(value, (element) =>
				allowed.some((candidate) => sameValue(candidate, element)),
			);
			if (offending === undefined) return undefined;
			const which = Array.isArray(value) ? `has an element ${describeValue(offending)} that ` : '';
			return constraint(
				`${which}is not one of the allowed values (${shown})`,
				`${fixInput}, add a lookup transform to translate it, or add it to the allowed values`,
			);
		});
	}
	return checks;
}
