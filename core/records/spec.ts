/**
 * Validation of a `MappingSpec`'s shape with zod, and the error raised for an unusable spec. The
 * semantic checks (paths, regexes, conflicting targets, …) live with the compiler in `mapping.ts`;
 * both report into the same list, so one `MappingSpecError` names every problem at once.
 */

import { z } from 'zod';

import type { FieldType, Transform } from './types';

/** One problem with a mapping spec. */
export interface MappingSpecProblem {
	/** Zero-based index of the rule at fault (absent for spec-level problems). */
	ruleIndex?: number;
	/** The rule's target, when it has a readable one. */
	target?: string;
	/** The full message, starting with the rule (`rule 3 (target "email"): …`). */
	message: string;
}

/**
 * The mapping spec cannot be used. The message lists every problem, each naming the rule (1-based, as
 * a user counts, with its target) and what to change.
 */
export class MappingSpecError extends Error {
	override readonly name = 'MappingSpecError';

	constructor(readonly problems: MappingSpecProblem[]) {
		super(
			problems.length === 1
				? problems[0].message
				: `${problems.length} problems: ${problems.map((p, i) => `(${i + 1}) ${p.message}`).join('; ')}`,
		);
	}
}

export const FIELD_TYPES = [
	'any',
	'string',
	'number',
	'integer',
	'boolean',
	'date',
	'datetime',
	'email',
	'url',
	'array',
] as const satisfies readonly FieldType[];

export const TRANSFORM_TYPES = [
	'trim',
	'lowercase',
	'uppercase',
	'titlecase',
	'toNumber',
	'toInteger',
	'toBoolean',
	'toDate',
	'toString',
	'split',
	'join',
	'lookup',
	'replace',
	'truncate',
	'emptyToNull',
] as const satisfies ReadonlyArray<Transform['type']>;

const separator = z.enum(['.', ',']);

const transformSchemas: Record<Transform['type'], z.ZodObject<z.ZodRawShape>> = {
	trim: z.object({ type: z.literal('trim') }).strict(),
	lowercase: z.object({ type: z.literal('lowercase') }).strict(),
	uppercase: z.object({ type: z.literal('uppercase') }).strict(),
	titlecase: z.object({ type: z.literal('titlecase') }).strict(),
	toNumber: z
		.object({ type: z.literal('toNumber'), decimalSeparator: separator.optional() })
		.strict(),
	toInteger: z
		.object({
			type: z.literal('toInteger'),
			decimalSeparator: separator.optional(),
			rounding: z.enum(['error', 'round', 'floor', 'ceil', 'trunc']).optional(),
		})
		.strict(),
	toBoolean: z
		.object({
			type: z.literal('toBoolean'),
			trueValues: z.array(z.string()).min(1).optional(),
			falseValues: z.array(z.string()).min(1).optional(),
		})
		.strict(),
	toDate: z
		.object({
			type: z.literal('toDate'),
			inputFormat: z.string().optional(),
			output: z.enum(['iso', 'date', 'epochMs']).optional(),
			timezone: z.string().optional(),
		})
		.strict(),
	toString: z.object({ type: z.literal('toString') }).strict(),
	split: z.object({ type: z.literal('split'), separator: z.string() }).strict(),
	join: z.object({ type: z.literal('join'), separator: z.string() }).strict(),
	lookup: z
		.object({
			type: z.literal('lookup'),
			table: z.record(z.unknown()),
			fallback: z.unknown().optional(),
			strict: z.boolean().optional(),
			caseInsensitive: z.boolean().optional(),
		})
		.strict(),
	replace: z
		.object({
			type: z.literal('replace'),
			pattern: z.string(),
			replacement: z.string(),
			regex: z.boolean().optional(),
			flags: z.string().optional(),
		})
		.strict(),
	truncate: z
		.object({ type: z.literal('truncate'), length: z.number().int().nonnegative() })
		.strict(),
	emptyToNull: z.object({ type: z.literal('emptyToNull') }).strict(),
};

const count = z.number().int().nonnegative();

const ruleSchema = z
	.object({
		target: z.string(),
		source: z.string().optional(),
		constant: z.unknown().optional(),
		default: z.unknown().optional(),
		transforms: z.array(z.unknown()).optional(),
		type: z.enum(FIELD_TYPES).optional(),
		required: z.boolean().optional(),
		minLength: count.optional(),
		maxLength: count.optional(),
		min: z.number().finite().optional(),
		max: z.number().finite().optional(),
		pattern: z.string().optional(),
		oneOf: z.array(z.unknown()).optional(),
	})
	.strict();

const specSchema = z
	.object({
		rules: z.array(z.unknown()),
		keepUnmapped: z.boolean().optional(),
		dropUndefined: z.boolean().optional(),
	})
	.strict();

function pathText(path: ReadonlyArray<string | number>): string {
	return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? p : `.${p}`)).join('');
}

const article = (word: string) => (/^[aeiou]/i.test(word) ? `an ${word}` : `a ${word}`);

/** Turns one zod issue into plain words. */
function describeIssue(issue: z.ZodIssue, allowedKeys: readonly string[]): string {
	const where = issue.path.length > 0 ? `"${pathText(issue.path)}"` : 'it';
	switch (issue.code) {
		case z.ZodIssueCode.invalid_type:
			if (issue.received === 'undefined') return `${where} is required`;
			if (issue.expected === 'integer') return `${where} must be a whole number`;
			return `${where} must be ${article(issue.expected)}, not ${issue.received}`;
		case z.ZodIssueCode.unrecognized_keys:
			return `unknown setting${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"${k}"`).join(', ')} — check the spelling (allowed: ${allowedKeys.join(', ')})`;
		case z.ZodIssueCode.invalid_enum_value:
			return `${where} is ${JSON.stringify(issue.received)}; use one of ${issue.options.map((o) => JSON.stringify(o)).join(', ')}`;
		case z.ZodIssueCode.too_small:
			if (issue.type === 'array')
				return `${where} must list at least ${String(issue.minimum)} value${issue.minimum === 1 ? '' : 's'}`;
			return `${where} must be at least ${String(issue.minimum)}`;
		case z.ZodIssueCode.not_finite:
			return `${where} must be a finite number`;
		default:
			return `${where}: ${issue.message}`;
	}
}

/** How messages name a rule: `rule 3 (target "email")`, 1-based. */
export function ruleName(index: number, rule: unknown): string {
	const target =
		rule !== null && typeof rule === 'object' ? (rule as { target?: unknown }).target : undefined;
	return typeof target === 'string' && target.trim() !== ''
		? `rule ${index + 1} (target "${target}")`
		: `rule ${index + 1}`;
}

/** Checks the spec's top-level shape; returns the rules (unchecked) or pushes problems. */
export function checkSpecShape(
	spec: unknown,
	problems: MappingSpecProblem[],
): unknown[] | undefined {
	if (spec === null || typeof spec !== 'object' || Array.isArray(spec)) {
		problems.push({
			message:
				'the mapping spec must be an object with a "rules" list, e.g. {"rules": [{"target": "email", "source": "emailAddress"}]}',
		});
		return undefined;
	}
	const parsed = specSchema.safeParse(spec);
	if (!parsed.success) {
		for (const issue of parsed.error.issues)
			problems.push({
				message: `mapping spec: ${describeIssue(issue, Object.keys(specSchema.shape))}`,
			});
		return undefined;
	}
	if (parsed.data.rules.length === 0) {
		problems.push({
			message:
				'the mapping spec has no rules — add at least one, e.g. {"target": "email", "source": "emailAddress"}',
		});
		return undefined;
	}
	return parsed.data.rules;
}

/** Checks one rule's shape (transforms included); returns true when it can be compiled further. */
export function checkRuleShape(
	rule: unknown,
	index: number,
	problems: MappingSpecProblem[],
): boolean {
	const name = ruleName(index, rule);
	const target =
		rule !== null &&
		typeof rule === 'object' &&
		typeof (rule as { target?: unknown }).target === 'string'
			? (rule as { target: string }).target
			: undefined;
	const report = (message: string) =>
		problems.push({ ruleIndex: index, target, message: `${name}: ${message}` });
	if (rule === null || typeof rule !== 'object' || Array.isArray(rule)) {
		report('must be an object such as {"target": "email", "source": "emailAddress"}');
		return false;
	}
	let valid = true;
	const parsed = ruleSchema.safeParse(rule);
	if (!parsed.success) {
		valid = false;
		for (const issue of parsed.error.issues)
			report(describeIssue(issue, Object.keys(ruleSchema.shape)));
	}
	const transforms = (rule as { transforms?: unknown }).transforms;
	if (Array.isArray(transforms)) {
		transforms.forEach((transform, t) => {
			const label = `transform ${t + 1}`;
			const type =
				transform !== null && typeof transform === 'object'
					? (transform as { type?: unknown }).type
					: undefined;
			if (typeof type !== 'string' || !(TRANSFORM_TYPES as readonly string[]).includes(type)) {
				valid = false;
				report(
					`${label}: ${type === undefined ? 'has no "type"' : `${JSON.stringify(type)} is not a known transform type`} — use one of ${TRANSFORM_TYPES.join(', ')}`,
				);
				return;
			}
			const schema = transformSchemas[type as Transform['type']];
			const result = schema.safeParse(transform);
			if (!result.success) {
				valid = false;
				for (const issue of result.error.issues)
					report(`${label} (${type}): ${describeIssue(issue, Object.keys(schema.shape))}`);
			}
		});
	}
	return valid;
}
