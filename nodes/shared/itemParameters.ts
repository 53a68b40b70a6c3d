/**
 * Node parameters read per item at the cost of what can differ between items. n8n's `getNodeParameter(name, i)`
 * walks and copies the whole parameter (a resource mapper's schema too) and evaluates every expression in it, for
 * every item. Only expressions can differ between items (a raw string starting with `=`), so:
 * - a parameter holding no expression is evaluated once, for the first item asking, and shared by all items;
 * - a resource mapper whose expressions are all in its field values has only its `value` evaluated per item, not its
 *   schema (one entry per field of the object, walked and copied for nothing); and a field value that is exactly
 *   `={{ $json.Field }}` (what dragging an input field in gives) is read from the item itself when it holds a string,
 *   a finite number or a boolean — what n8n's evaluation returns for it unchanged, at a fraction of the cost (n8n
 *   builds a data proxy and a global context per expression: ~0.1 ms each) — and anything else is evaluated by n8n;
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

/** The raw (unevaluated) value of a dotted parameter path in `parameters`, or undefined. */
function rawParameter(parameters: unknown, name: string): unknown {
	let value = parameters;
	for (const step of name.split('.')) {
		if (value === null || typeof value !== 'object' || !Object.hasOwn(value, step))
			return undefined;
		value = (value as Record<string, unknown>)[step];
	}
	return value;
}

/** Whether a resource mapper's expressions are all inside its `value` (the fields), so the rest is the same for every item. */
function onlyValueVaries(raw: unknown): boolean {
	if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) return false;
	return Object.entries(raw).every(([key, part]) => key === 'value' || !hasExpression(part));
}

/** `={{ $json.Field }}`, `={{ $json["Field"] }}` or `={{ $json['Field'] }}`: the field read. */
const JSON_FIELD = /^=\{\{\s*\$json(?:\.([A-Za-z_$][\w$]*)|\[\s*(["'])([^"'\\\n]*)\2\s*\])\s*\}\}$/;
const RESERVED = new Set(['__proto__', 'constructor', 'prototype']);

/** The input field a value expression reads and nothing else, or undefined. */
export function jsonFieldOf(expression: unknown): string | undefined {
	if (typeof expression !== 'string') return undefined;
	const m = JSON_FIELD.exec(expression);
	const field = m ? (m[1] ?? m[3]) : undefined;
	return field !== undefined && !RESERVED.has(field) ? field : undefined;
}

/** Values n8n's `{{ $json.Field }}` returns as they are in the item. */
const isPlain = (v: unknown): v is string | number | boolean =>
	typeof v === 'string' || typeof v === 'boolean' || (typeof v === 'number' && Number.isFinite(v));

/** How a mapper's value is produced per item: its static entries, and the input field each expression entry reads. */
interface ValuePlan {
	/** Every entry is static or reads one input field. */
	direct: boolean;
	/** Expression entries: key → the input field read (for `direct` plans). */
	reads: Array<[key: string, field: string]>;
}

function valuePlan(value: unknown): ValuePlan {
	if (value === null || typeof value !== 'object' || Array.isArray(value))
		return { direct: false, reads: [] };
	const reads: Array<[string, string]> = [];
	for (const [key, v] of Object.entries(value)) {
		if (!hasExpression(v)) continue;
		const field = jsonFieldOf(v);
		if (field === undefined || RESERVED.has(key)) return { direct: false, reads: [] };
		reads.push([key, field]);
	}
	return { direct: true, reads };
}

/** One execution's parameter reader (see the file comment). */
export class ItemParameters {
	private readonly statics = new Map<string, boolean>();
	private readonly once = new Map<string, unknown>();
	private readonly valueOnly = new Map<string, ValuePlan | false>();
	private items?: ReadonlyArray<{ json: Record<string, unknown> }>;

	private parameters?: unknown;

	constructor(private readonly ctx: IExecuteFunctions) {}

	/** The raw value of a parameter path (`getNode()` copies the whole node at every call: read it once). */
	private raw(name: string): unknown {
		this.parameters ??= this.ctx.getNode().parameters;
		return rawParameter(this.parameters, name);
	}

	private isStatic(name: string): boolean {
		let known = this.statics.get(name);
		if (known === undefined) {
			const raw = this.raw(name);
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

	/**
	 * A resource mapper parameter for item `i`: when only its `value` holds expressions, only the value is evaluated per
	 * item (`getNodeParameter('<name>.value', i)`: the same evaluation, siblings included, that n8n gives it inside the
	 * whole, and, as for the whole, no type validation), and the schema and settings are shared.
	 */
	mapper(name: string, i: number, fallback: Partial<ResourceMapperValue>): ResourceMapperValue {
		if (this.isStatic(name)) return this.get(name, i, fallback) as ResourceMapperValue;
		let plan = this.valueOnly.get(name);
		if (plan === undefined) {
			const raw = this.raw(name);
			plan = onlyValueVaries(raw) && valuePlan((raw as ResourceMapperValue).value);
			this.valueOnly.set(name, plan);
		}
		if (plan === false) return this.ctx.getNodeParameter(name, i, fallback) as ResourceMapperValue;
		const raw = this.raw(name) as ResourceMapperValue;
		const direct = plan.direct
			? this.readDirect(raw.value as Record<string, unknown>, plan, i)
			: undefined;
		const value =
			direct ??
			(this.ctx.getNodeParameter(`${name}.value`, i, undefined, {
				skipValidation: true,
			}) as ResourceMapperValue['value']);
		return { ...raw, value };
	}

	/** The mapper's value for item `i` read from the item, or undefined when a field read is not a plain value. */
	private readDirect(
		value: Record<string, unknown>,
		plan: ValuePlan,
		i: number,
	): ResourceMapperValue['value'] | undefined {
		this.items ??= this.ctx.getInputData() as Array<{ json: Record<string, unknown> }>;
		const json = this.items[i]?.json;
		if (!json) return undefined;
		const out: Record<string, unknown> = { ...value };
		for (const [key, field] of plan.reads) {
			const v = Object.hasOwn(json, field) ? json[field] : undefined;
			if (!isPlain(v)) return undefined;
			out[key] = v;
		}
		return out as ResourceMapperValue['value'];
	}

	/** A resource mapper's matching columns for item `i` (the whole mapper is evaluated only when they hold an expression). */
	matchingColumns(name: string, i: number): string[] {
		const raw = this.raw(name);
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
