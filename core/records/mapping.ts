/**
 * Field mapping: `compileMapping(spec)` validates a `MappingSpec` once and returns a mapper that turns
 * one input object into one output object, or into the complete list of its problems.
 *
 * Per rule: read the source path (or the constant) → use the default when the value is missing, null or
 * "" (as read, or after the transforms emptied it; the default itself goes through the transforms) →
 * transforms in order → required check → type check (zod) → constraints. Every problem of every field is
 * reported, each message naming the record, the field, the offending value and the fix.
 */

import { describeValue, kindOf } from './display';
import { formatPath, getPath, parsePath, type PathSegment, setPath } from './path';
import {
	checkRuleShape,
	checkSpecShape,
	MappingSpecError,
	type MappingSpecProblem,
	ruleName,
} from './spec';
import { type CompiledTransform, compileTransform, type StepResult } from './transforms';
import type { CompiledMapping, FieldRule, MappingIssue, MappingResult, MappingSpec } from './types';
import { compileConstraints, compileTypeCheck, type ValueCheck } from './validation';

export { MappingSpecError, type MappingSpecProblem } from './spec';

interface CompiledRule {
	index: number;
	target: string;
	targetPath: PathSegment[];
	source?: string;
	sourcePath?: PathSegment[];
	hasConstant: boolean;
	constant: unknown;
	hasDefault: boolean;
	default: unknown;
	/** Transforms whose fixes talk about the source/constant… */
	transforms: CompiledTransform[];
	/** …and the same transforms whose fixes talk about the default (used when the default applies). */
	defaultTransforms: CompiledTransform[];
	required: boolean;
	typeCheck?: ValueCheck;
	defaultTypeCheck?: ValueCheck;
	constraints: ValueCheck[];
	defaultConstraints: ValueCheck[];
}

const isEmpty = (value: unknown) => value === undefined || value === null || value === '';
const hasOwn = (value: object, key: string) => Object.prototype.hasOwnProperty.call(value, key);

function compileRule(
	rule: FieldRule,
	index: number,
	problems: MappingSpecProblem[],
): CompiledRule | undefined {
	const name = ruleName(index, rule);
	const report = (message: string) =>
		problems.push({ ruleIndex: index, target: rule.target, message: `${name}: ${message}` });
	const before = problems.length;

	let targetPath: PathSegment[] = [];
	if (rule.target.trim() === '') {
		report(
			'the target is empty — give the name of the field to write, e.g. "email" or "address.city"',
		);
	} else {
		try {
			targetPath = parsePath(rule.target);
			if (targetPath.some((segment) => typeof segment === 'number')) {
				report(
					`the target "${rule.target}" contains an array index — targets are field names, with dots for nested objects (e.g. "address.city")`,
				);
			}
		} catch (error) {
			report(
				`the target is an ${(error as Error).message} — use field names separated by dots, e.g. "address.city"`,
			);
		}
	}

	const hasSource = rule.source !== undefined;
	const hasConstant = rule.constant !== undefined;
	if (hasSource && hasConstant) {
		report(
			`has both a source (${JSON.stringify(rule.source)}) and a constant — keep one: a source to copy an input value, or a constant for a fixed value`,
		);
	} else if (!hasSource && !hasConstant) {
		report(
			'has neither a source nor a constant — set "source" to the input field to read (e.g. "emailAddress"), or "constant" to a fixed value',
		);
	}
	let sourcePath: PathSegment[] | undefined;
	if (hasSource) {
		try {
			sourcePath = parsePath(rule.source as string);
		} catch (error) {
			report(
				`the source is an ${(error as Error).message} — write a path such as "email", "address.city" or "emails[0]"`,
			);
		}
	}
	if (
		rule.minLength !== undefined &&
		rule.maxLength !== undefined &&
		rule.minLength > rule.maxLength
	) {
		report(
			`minLength (${rule.minLength}) is greater than maxLength (${rule.maxLength}) — no value could pass; swap or correct them`,
		);
	}
	if (rule.min !== undefined && rule.max !== undefined && rule.min > rule.max) {
		report(
			`min (${rule.min}) is greater than max (${rule.max}) — no value could pass; swap or correct them`,
		);
	}

	const fixInput = hasConstant
		? "change the rule's constant"
		: `correct the source value in "${rule.source ?? ''}"`;
	const fixDefault = "change the rule's default";
	const transforms: CompiledTransform[] = [];
	const defaultTransforms: CompiledTransform[] = [];
	(rule.transforms ?? []).forEach((transform, t) => {
		try {
			transforms.push(compileTransform(transform, { fixInput }));
			defaultTransforms.push(compileTransform(transform, { fixInput: fixDefault }));
		} catch (error) {
			report(`transform ${t + 1} (${transform.type}): ${(error as Error).message}`);
		}
	});
	let constraints: ValueCheck[] = [];
	let defaultConstraints: ValueCheck[] = [];
	try {
		constraints = compileConstraints(rule, fixInput);
		defaultConstraints = compileConstraints(rule, fixDefault);
	} catch (error) {
		report((error as Error).message);
	}
	if (problems.length > before) return undefined;

	return {
		index,
		target: rule.target,
		targetPath,
		source: rule.source,
		sourcePath,
		hasConstant,
		constant: rule.constant,
		hasDefault: rule.default !== undefined,
		default: rule.default,
		transforms,
		defaultTransforms,
		required: rule.required === true,
		typeCheck: compileTypeCheck(rule.type, fixInput),
		defaultTypeCheck: compileTypeCheck(rule.type, fixDefault),
		constraints,
		defaultConstraints,
	};
}

/** Targets must not collide: the same target twice, or `address` and `address.city`. */
function checkTargets(rules: CompiledRule[], problems: MappingSpecProblem[]): void {
	const byKey = new Map<string, CompiledRule>();
	for (const rule of rules) {
		const key = formatPath(rule.targetPath);
		const previous = byKey.get(key);
		if (previous) {
			problems.push({
				ruleIndex: rule.index,
				target: rule.target,
				message: `${ruleName(rule.index, rule)}: the target "${rule.target}" is also written by rule ${previous.index + 1} — each target can be set by one rule only; remove or rename one`,
			});
			continue;
		}
		byKey.set(key, rule);
	}
	for (const rule of rules) {
		for (let length = 1; length < rule.targetPath.length; length++) {
			const parent = byKey.get(formatPath(rule.targetPath.slice(0, length)));
			if (parent) {
				problems.push({
					ruleIndex: rule.index,
					target: rule.target,
					message: `${ruleName(rule.index, rule)}: the target "${rule.target}" is inside "${parent.target}", which rule ${parent.index + 1} sets as a whole — write either the object or its fields, not both`,
				});
			}
		}
	}
}

function runTransforms(
	value: unknown,
	transforms: readonly CompiledTransform[],
):
	| { ok: true; value: unknown }
	| { ok: false; step: number; result: Extract<StepResult, { ok: false }> } {
	let current = value;
	for (let i = 0; i < transforms.length; i++) {
		const result = transforms[i].apply(current);
		if (!result.ok) return { ok: false, step: i, result };
		current = result.value;
	}
	return { ok: true, value: current };
}

/** The constant and the default of one rule, supplied when mapping (see `MappingCache`). */
export interface RuleValues {
	constant?: unknown;
	default?: unknown;
}

/**
 * A compiled spec that can map with other constants and defaults than the spec's own: they are data (never
 * looked at when compiling), so specs that differ only in them can share one compiled mapping.
 */
export interface MappingTemplate {
	/**
	 * Maps one input object, as `CompiledMapping.map`. `values[i]` replaces the constant and default of rule `i`
	 * (a rule compiled with a constant or default must be given one); without `values`, the spec's own apply.
	 */
	map(
		input: Record<string, unknown>,
		recordLabel?: string,
		values?: ReadonlyArray<RuleValues | undefined>,
	): MappingResult;
}

/**
 * Compiles (and validates) a mapping spec.
 *
 * @throws MappingSpecError as `compileMappingTemplate`.
 */
export function compileMapping(spec: MappingSpec): CompiledMapping {
	const template = compileMappingTemplate(spec);
	return { map: (input, recordLabel) => template.map(input, recordLabel) };
}

/**
 * Compiles (and validates) a mapping spec into a mapping whose rules' constants and defaults can be given per call.
 *
 * @throws MappingSpecError listing every problem of the spec, each naming the rule (1-based index and
 *   target) and the fix: both/neither source and constant, empty or malformed targets and sources,
 *   duplicate or overlapping targets, unknown transform types or settings, bad regular expressions,
 *   unknown date-format tokens, invalid time zones, contradictory constraints.
 */
export function compileMappingTemplate(spec: MappingSpec): MappingTemplate {
	const problems: MappingSpecProblem[] = [];
	const rawRules = checkSpecShape(spec, problems);
	if (!rawRules) throw new MappingSpecError(problems);
	const shapeOk = rawRules.map((rule, index) => checkRuleShape(rule, index, problems));
	const rules: CompiledRule[] = [];
	rawRules.forEach((rule, index) => {
		if (!shapeOk[index]) return;
		const compiled = compileRule(rule as FieldRule, index, problems);
		if (compiled) rules.push(compiled);
	});
	checkTargets(rules, problems);
	if (problems.length > 0)
		throw new MappingSpecError(problems.sort((a, b) => (a.ruleIndex ?? -1) - (b.ruleIndex ?? -1)));

	const keepUnmapped = spec.keepUnmapped === true;
	const dropUndefined = spec.dropUndefined !== false;
	/** Top-level input keys some rule reads (by exact key or first path segment). */
	const readKeys = new Set<string>();
	/** Top-level keys written whole by a rule (their input values are never copied). */
	const ownedKeys = new Set<string>();
	for (const rule of rules) {
		if (rule.source !== undefined) {
			readKeys.add(rule.source);
			const first = rule.sourcePath?.[0];
			if (typeof first === 'string') readKeys.add(first);
		}
		if (rule.targetPath.length === 1) ownedKeys.add(String(rule.targetPath[0]));
	}

	return {
		map(
			input: Record<string, unknown>,
			recordLabel?: string,
			values?: ReadonlyArray<RuleValues | undefined>,
		): MappingResult {
			const output: Record<string, unknown> = {};
			const issues: MappingIssue[] = [];
			const source: Record<string, unknown> =
				input !== null && typeof input === 'object' ? input : {};
			const copied = new Set<string>();
			if (keepUnmapped) {
				for (const key of Object.keys(source)) {
					if (readKeys.has(key) || ownedKeys.has(key) || key === '__proto__') continue;
					output[key] = source[key];
					copied.add(key);
				}
			}
			for (const rule of rules)
				mapRule(rule, values?.[rule.index] ?? rule, source, output, issues, copied, recordLabel);
			return issues.length > 0
				? { ok: false, issues, partial: output }
				: { ok: true, value: output };
		},
	};

	function mapRule(
		rule: CompiledRule,
		ruleValues: RuleValues,
		input: Record<string, unknown>,
		output: Record<string, unknown>,
		issues: MappingIssue[],
		copied: Set<string>,
		recordLabel: string | undefined,
	): void {
		const prefix = recordLabel
			? `${recordLabel}, field "${rule.target}": `
			: `Field "${rule.target}": `;
		const issue = (code: MappingIssue['code'], message: string) => {
			const entry: MappingIssue = {
				field: rule.target,
				code,
				message: prefix + message,
				rule: rule.index,
			};
			if (rule.source !== undefined) entry.source = rule.source;
			issues.push(entry);
		};

		let raw: unknown;
		if (rule.hasConstant) raw = ruleValues.constant;
		else if (rule.source !== undefined && hasOwn(input, rule.source)) raw = input[rule.source];
		else raw = getPath(input, rule.sourcePath ?? []);

		let usedDefault = rule.hasDefault && isEmpty(raw);
		let outcome = runTransforms(
			usedDefault ? ruleValues.default : raw,
			usedDefault ? rule.defaultTransforms : rule.transforms,
		);
		if (outcome.ok && !usedDefault && rule.hasDefault && isEmpty(outcome.value)) {
			usedDefault = true;
			outcome = runTransforms(ruleValues.default, rule.defaultTransforms);
		}
		if (!outcome.ok) {
			const { result, step } = outcome;
			const transforms = usedDefault ? rule.defaultTransforms : rule.transforms;
			const origin = usedDefault ? ' (the default)' : '';
			issue(
				'transform',
				`${describeValue(result.value)}${origin} ${result.problem} (transform ${step + 1}, ${transforms[step].name}) — ${result.fix}`,
			);
			return;
		}
		const value = outcome.value;

		if (rule.required && (isEmpty(value) || (Array.isArray(value) && value.length === 0))) {
			let why: string;
			if (rule.hasConstant) why = 'the constant is empty';
			else if (!isEmpty(raw))
				why = `it is empty after the transforms (source "${rule.source}" was ${describeValue(raw)})`;
			else
				why = `the source "${rule.source}" is ${raw === undefined ? 'missing' : raw === null ? 'null' : 'empty'}`;
			const fix = rule.hasConstant
				? "set the rule's constant"
				: `fill "${rule.source}" in the input, or give the rule a default`;
			issue('required', `is required but ${why} — ${fix}`);
			return;
		}

		let failed = false;
		const typeCheck = usedDefault ? rule.defaultTypeCheck : rule.typeCheck;
		const typeFailure = typeCheck?.(value);
		if (typeFailure) {
			failed = true;
			issue('type', `${describeValue(value)} ${typeFailure.problem} — ${typeFailure.fix}`);
		}
		if (value !== null && value !== undefined) {
			for (const check of usedDefault ? rule.defaultConstraints : rule.constraints) {
				const failure = check(value);
				if (failure) {
					failed = true;
					issue('constraint', `${describeValue(value)} ${failure.problem} — ${failure.fix}`);
				}
			}
		}
		if (failed) return;
		if (value === undefined && dropUndefined) return;

		const top = rule.targetPath[0];
		if (rule.targetPath.length > 1 && typeof top === 'string' && copied.has(top)) {
			const existing = output[top];
			if (existing !== null && typeof existing === 'object')
				output[top] = structuredClone(existing);
			copied.delete(top); // cloned once; the input is never mutated
		}
		let written = true;
		try {
			setPath(output, rule.targetPath, value);
		} catch {
			written = false; // targets are validated at compile time: only a scalar copied by keepUnmapped can block the write
		}
		if (!written) {
			issue(
				'type',
				`cannot be written: "${String(top)}" already holds ${kindOf(output[String(top)])} copied from the input (keepUnmapped), not an object — turn off keepUnmapped or choose another target`,
			);
		}
	}
}
