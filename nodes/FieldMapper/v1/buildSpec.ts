/**
 * Turns Field Mapper parameters into the core's `MappingSpec`. This is parameter parsing only (editor shapes,
 * text inputs such as "a, b, c" or a JSON lookup table); what a rule means is decided by the core's
 * `compileMapping`, which also validates the spec.
 */
import type { INode } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import type { FieldRule, FieldType, MappingSpec, Transform } from '../../../core/records/types';

/** Where a parameter problem is reported: the node and the item whose parameters were read. */
export interface SpecContext {
	node: INode;
	itemIndex: number;
}

/** A mapping that cannot be used as configured: a `NodeOperationError` whose message names the rule. */
function specError(ctx: SpecContext, message: string): NodeOperationError {
	return new NodeOperationError(ctx.node, `Invalid mapping: ${message}`, {
		itemIndex: ctx.itemIndex,
		description: 'Fix this field mapping in the node parameters. Nothing was mapped.',
	});
}

/** One transform step as the editor stores it (`mappings.rules[].transforms.steps[]`). */
export interface TransformStepParameters {
	type?: string;
	separator?: string;
	decimalSeparator?: 'auto' | '.' | ',';
	trueValues?: string;
	falseValues?: string;
	inputFormat?: string;
	output?: 'iso' | 'date' | 'epochMs';
	timezone?: string;
	tableFormat?: 'pairs' | 'json';
	table?: { pairs?: Array<{ from?: string; to?: unknown }> };
	tableJson?: string | Record<string, unknown>;
	notFound?: 'empty' | 'fallback' | 'error';
	fallback?: unknown;
	caseInsensitive?: boolean;
	pattern?: string;
	replacement?: string;
	regex?: boolean;
	ignoreCase?: boolean;
	rounding?: 'error' | 'round' | 'floor' | 'ceil' | 'trunc';
	length?: number;
}

/** One mapping rule as the editor stores it (`mappings.rules[]`). */
export interface RuleParameters {
	target?: string;
	valueFrom?: 'source' | 'constant';
	source?: string;
	constant?: unknown;
	default?: unknown;
	transforms?: { steps?: TransformStepParameters[] };
	type?: FieldType;
	required?: boolean;
	checks?: {
		oneOf?: string | unknown[];
		min?: number;
		max?: number;
		minLength?: number;
		maxLength?: number;
		pattern?: string;
	};
}

/** The "Options" collection of the "Define Below" mode. */
export interface MappingOptions {
	keepUnmapped?: boolean;
	/** Write target fields without a value as null (the spec's `dropUndefined: false`). */
	writeNulls?: boolean;
}

/** `rule 2 (target "email")`: how messages name a rule, 1-based, the same way the core's spec errors do. */
export function ruleLabel(index: number, target?: unknown): string {
	const name = typeof target === 'string' && target.trim() !== '' ? ` (target "${target}")` : '';
	return `rule ${index + 1}${name}`;
}

const commaList = (text: string): string[] =>
	text
		.split(',')
		.map((part) => part.trim())
		.filter((part) => part !== '');

/**
 * Values typed into a text box arrive as strings; when the rule's Type is number, integer or boolean and the
 * text is exactly such a literal, it is converted (so Type "Number" with Fixed Value "5" writes 5).
 * Values from expressions already have their type and are left alone.
 */
export function coerceTyped(value: unknown, type: FieldType | undefined): unknown {
	if (typeof value !== 'string') return value;
	const text = value.trim();
	if (
		(type === 'number' || type === 'integer') &&
		/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(text)
	) {
		return Number(text);
	}
	if (type === 'boolean' && /^(true|false)$/i.test(text)) return text.toLowerCase() === 'true';
	return value;
}

function lookupTable(
	ctx: SpecContext,
	step: TransformStepParameters,
	label: string,
): Record<string, unknown> {
	if ((step.tableFormat ?? 'pairs') === 'json') {
		let table: unknown = step.tableJson;
		if (typeof table === 'string') {
			try {
				table = JSON.parse(table);
			} catch (error) {
				throw specError(
					ctx,
					`${label}: the lookup table is not valid JSON (${(error as Error).message}). Write an object such as {"DE": "Germany"}.`,
				);
			}
		}
		if (table === null || typeof table !== 'object' || Array.isArray(table)) {
			throw specError(
				ctx,
				`${label}: the lookup table must be a JSON object such as {"DE": "Germany"}.`,
			);
		}
		return table as Record<string, unknown>;
	}
	const table: Record<string, unknown> = {};
	for (const [index, pair] of (step.table?.pairs ?? []).entries()) {
		const from = pair.from ?? '';
		if (from in table) {
			throw specError(
				ctx,
				`${label}: the lookup table lists "${from}" twice (pair ${index + 1}). Keep one.`,
			);
		}
		table[from] = pair.to ?? '';
	}
	if (Object.keys(table).length === 0) {
		throw specError(ctx, `${label}: the lookup table is empty. Add at least one pair.`);
	}
	return table;
}

function buildTransform(ctx: SpecContext, step: TransformStepParameters, label: string): Transform {
	switch (step.type) {
		case 'trim':
		case 'lowercase':
		case 'uppercase':
		case 'titlecase':
		case 'toString':
		case 'emptyToNull':
			return { type: step.type };
		case 'toNumber':
			return { type: 'toNumber', ...decimalSeparator(step) };
		case 'toInteger':
			return { type: 'toInteger', ...decimalSeparator(step), rounding: step.rounding ?? 'error' };
		case 'toBoolean': {
			const trueValues = commaList(step.trueValues ?? '');
			const falseValues = commaList(step.falseValues ?? '');
			return {
				type: 'toBoolean',
				...(trueValues.length > 0 && { trueValues }),
				...(falseValues.length > 0 && { falseValues }),
			};
		}
		case 'toDate':
			return {
				type: 'toDate',
				output: step.output ?? 'iso',
				...(step.inputFormat?.trim() && { inputFormat: step.inputFormat.trim() }),
				...(step.timezone?.trim() && { timezone: step.timezone.trim() }),
			};
		case 'split':
		case 'join':
			return { type: step.type, separator: step.separator ?? ',' };
		case 'lookup': {
			const notFound = step.notFound ?? 'error';
			return {
				type: 'lookup',
				table: lookupTable(ctx, step, label),
				...(step.caseInsensitive === true && { caseInsensitive: true }),
				...(notFound === 'error' && { strict: true }),
				...(notFound === 'fallback' && { fallback: step.fallback ?? '' }),
			};
		}
		case 'replace':
			if (!step.pattern) {
				throw specError(
					ctx,
					`${label}: "Find" of the Replace Text transform is empty. Enter the text to replace.`,
				);
			}
			return {
				type: 'replace',
				pattern: step.pattern,
				replacement: step.replacement ?? '',
				regex: step.regex === true,
				...(step.regex === true && step.ignoreCase === true && { flags: 'i' }),
			};
		case 'truncate':
			return { type: 'truncate', length: step.length ?? 255 };
		default:
			throw specError(
				ctx,
				`${label}: unknown transform "${String(step.type)}". Pick one from the list.`,
			);
	}
}

function buildRule(ctx: SpecContext, params: RuleParameters, index: number): FieldRule {
	const label = ruleLabel(index, params.target);
	const target = typeof params.target === 'string' ? params.target.trim() : '';
	if (target === '') {
		throw specError(ctx, `${label}: "Target Field" is empty. Enter the name of the output field.`);
	}
	const type = params.type ?? 'any';
	const rule: FieldRule = { target, type };

	if ((params.valueFrom ?? 'source') === 'constant') {
		rule.constant = coerceTyped(params.constant ?? '', type);
	} else {
		const source = typeof params.source === 'string' ? params.source.trim() : '';
		if (source === '') {
			throw specError(
				ctx,
				`${label}: "Source Field" is empty. Enter the path of the incoming field (e.g. email), or set "Value From" to Fixed Value.`,
			);
		}
		rule.source = source;
		if (params.default !== undefined && params.default !== '')
			rule.default = coerceTyped(params.default, type);
	}

	const steps = params.transforms?.steps ?? [];
	if (steps.length > 0) {
		rule.transforms = steps.map((step, stepIndex) =>
			buildTransform(ctx, step, `${label}, transform ${stepIndex + 1}`),
		);
	}
	if (params.required === true) rule.required = true;

	const checks = params.checks ?? {};
	for (const key of ['min', 'max', 'minLength', 'maxLength'] as const) {
		if (typeof checks[key] === 'number') rule[key] = checks[key];
	}
	if (typeof checks.pattern === 'string' && checks.pattern !== '') rule.pattern = checks.pattern;
	if (checks.oneOf !== undefined && checks.oneOf !== '') {
		const values = Array.isArray(checks.oneOf) ? checks.oneOf : commaList(String(checks.oneOf));
		rule.oneOf = values.map((value) => coerceTyped(value, type));
	}
	return rule;
}

/** The spec of the "Define Below" mode. */
export function buildSpecFromRules(
	ctx: SpecContext,
	rules: RuleParameters[],
	options: MappingOptions = {},
): MappingSpec {
	if (rules.length === 0) {
		throw specError(ctx, 'no field mappings are defined — add at least one under "Mappings"');
	}
	return {
		rules: rules.map((rule, index) => buildRule(ctx, rule, index)),
		keepUnmapped: options.keepUnmapped === true,
		dropUndefined: options.writeNulls !== true,
	};
}

/** The spec of the "JSON" mode: an object with `rules`, or just the rules array; as text or already parsed. */
export function parseJsonSpec(ctx: SpecContext, json: unknown): MappingSpec {
	let value = json;
	if (typeof value === 'string') {
		try {
			value = JSON.parse(value);
		} catch (error) {
			throw specError(
				ctx,
				`"Mapping (JSON)" is not valid JSON (${(error as Error).message}) — check quotes, commas and brackets`,
			);
		}
	}
	if (Array.isArray(value)) value = { rules: value };
	if (value === null || typeof value !== 'object' || !Array.isArray((value as MappingSpec).rules)) {
		throw specError(
			ctx,
			'"Mapping (JSON)" must be an object with a "rules" array, e.g. {"rules": [{"target": "Email", "source": "email"}]}, or just the rules array',
		);
	}
	const spec = value as MappingSpec;
	if (spec.rules.length === 0) {
		throw specError(
			ctx,
			'"Mapping (JSON)" has no rules — add at least one, e.g. {"target": "Email", "source": "email"}',
		);
	}
	return spec;
}

/** `auto` (the default) leaves the separator out, so the core detects it. */
function decimalSeparator(step: TransformStepParameters): { decimalSeparator?: '.' | ',' } {
	const sep = step.decimalSeparator;
	return sep === '.' || sep === ',' ? { decimalSeparator: sep } : {};
}
