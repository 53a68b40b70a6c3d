/**
 * Node parameters read per item at the cost of what can differ between items. n8n's `getNodeParameter(name, i)`
 * walks and copies the whole parameter (a resource mapper's schema too) and evaluates every expression in it, for
 * every item. Only expressions can differ between items (a raw string starting with `=`), so:
 * - a parameter holding no expression is evaluated once, for the first item asking, and shared by all items;
 * - a resource mapper whose expressions are all whole field values has only those values evaluated per item
 *   (`getNodeParameter('<name>.value.<field>', i)`, the same evaluation n8n does for that value inside the whole);
 * - anything else is evaluated per item as before.
 * Values shared between items are read-only: callers copy what they change.
 */
import type {
	IExecuteFunctions,
	IGetNodeParameterOptions,
	ResourceMapperValue,
} from 'n8n-workflow';

/** Whether a raw parameter value holds an n8n expression anywhere (a string starting with `=`). */
export function hasExpression(value: unknown): boolean {
	if (typeof value === 'string') return value.startsWith('=');
	if (Array.isArray(value)) return value.some(hasExpression);
	if (value !== null && typeof value === 'object') return Object.values(value).some(hasExpression);
	return false;
}

/** A field key that can be addressed as one step of a parameter path (lodash `get`) and copied as a plain key. */
const PLAIN_KEY = /^[A-Za-z0-9_$-]+$/;
const RESERVED = new Set(['__proto__', 'constructor', 'prototype']);

/** The raw (unevaluated) value of a dotted parameter path on the node, or undefined. */
function rawParameter(ctx: IExecuteFunctions, name: string): unknown {
	let value: unknown = ctx.getNode().parameters;
	for (const step of name.split('.')) {
		if (value === null || typeof value !== 'object' || !Object.hasOwn(value, step))
			return undefined;
		value = (value as Record<string, unknown>)[step];
	}
	return value;
}

/** The keys of a resource mapper's value to evaluate per item, or undefined when the whole mapper must be. */
function expressionFields(raw: unknown): string[] | undefined {
	if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) return undefined;
	const { value, ...rest } = raw as Record<string, unknown>;
	if (hasExpression(rest)) return undefined;
	if (value === null || typeof value !== 'object' || Array.isArray(value)) return undefined;
	const keys: string[] = [];
	for (const [key, v] of Object.entries(value)) {
		if (!hasExpression(v)) continue;
		// `$parameter['&…']` reads the value's siblings, which only the whole evaluation passes.
		if (typeof v !== 'string' || v.includes('$parameter')) return undefined;
		if (!PLAIN_KEY.test(key) || RESERVED.has(key)) return undefined;
		keys.push(key);
	}
	return keys;
}

/** One execution's parameter reader (see the file comment). */
export class ItemParameters {
	private readonly statics = new Map<string, boolean>();
	private readonly once = new Map<string, unknown>();
	private readonly mapperFields = new Map<string, string[] | undefined>();

	constructor(private readonly ctx: IExecuteFunctions) {}

	private isStatic(name: string): boolean {
		let known = this.statics.get(name);
		if (known === undefined) {
			const raw = rawParameter(this.ctx, name);
			known = raw !== undefined && !hasExpression(raw);
			this.statics.set(name, known);
		}
		return known;
	}

	/** `getNodeParameter(name, i, fallback, options)`, evaluated once for all items when it holds no expression. */
	get(name: string, i: number, fallback?: unknown, options?: IGetNodeParameterOptions): unknown {
		const read = () =>
			this.ctx.getNodeParameter(name, i, fallback as undefined, options) as unknown;
		if (!this.isStatic(name)) return read();
		const key = `${name}\u0000${options ? JSON.stringify(options) : ''}`;
		if (this.once.has(key)) return this.once.get(key);
		const value = read(); // an error is not kept: the next item evaluates (and fails) again, as before
		this.once.set(key, value);
		return value;
	}

	/** A resource mapper parameter for item `i`, with only its per-item field values evaluated per item. */
	mapper(name: string, i: number, fallback: Partial<ResourceMapperValue>): ResourceMapperValue {
		if (this.isStatic(name)) return this.get(name, i, fallback) as ResourceMapperValue;
		if (!this.mapperFields.has(name))
			this.mapperFields.set(name, expressionFields(rawParameter(this.ctx, name)));
		const keys = this.mapperFields.get(name);
		if (!keys) return this.ctx.getNodeParameter(name, i, fallback) as ResourceMapperValue;
		const raw = rawParameter(this.ctx, name) as ResourceMapperValue;
		const value: Record<string, unknown> = { ...(raw.value as Record<string, unknown>) };
		for (const key of keys)
			value[key] = this.ctx.getNodeParameter(`${name}.value.${key}`, i) as unknown;
		return { ...raw, value: value as ResourceMapperValue['value'] };
	}

	/** A resource mapper's matching columns for item `i` (the whole mapper is evaluated only when they hold an expression). */
	matchingColumns(name: string, i: number): string[] {
		const raw = rawParameter(this.ctx, name);
		const columns =
			raw !== null &&
			typeof raw === 'object' &&
			!hasExpression((raw as ResourceMapperValue).matchingColumns)
				? (this.get(`${name}.matchingColumns`, i, []) as string[] | undefined)
				: (this.ctx.getNodeParameter(name, i, { matchingColumns: [] }) as ResourceMapperValue)
						.matchingColumns;
		return columns ?? [];
	}
}

const readers = new WeakMap<IExecuteFunctions, ItemParameters>();

/** The parameter reader of this execution context (one per node run: the raw parameters do not change within it). */
export function itemParameters(ctx: IExecuteFunctions): ItemParameters {
	let reader = readers.get(ctx);
	if (!reader) {
		reader = new ItemParameters(ctx);
		readers.set(ctx, reader);
	}
	return reader;
}
