/**
 * Three-way change detection per field pair. The base stores both sides' last-synced values
 * (`base[key] = { a, b }`); a side changed when its value differs from its own base value (compared by field type:
 * blanks equal, numbers vs numeric strings, date-times by instant, multi-picklists in any order). One side changed
 * → its value flows to the other (through that direction's transforms); both changed to the same value → no
 * conflict; to different values, or differing at first link (no base) → a conflict settled by the strategy, or
 * sent to review (field left untouched, base kept). A stored decision settles a field whatever its state.
 */
import type { FieldType } from '../connectors/contract';
import { compileTransform, type CompiledTransform } from '../records/transforms';
import type { CrmRecord, Transform } from '../records/types';
import type { ResolvedConfig, Strategy } from './config';
import { isBlank, resolveConflict, type ResolveConflict } from './strategies';
import type { ConflictDecision, Json, Side } from './store/types';

/** Field types per side (from describe), for value comparison. */
export type FieldTypes = Record<Side, Map<string, FieldType>>;

function asList(v: unknown): string[] {
	const items = Array.isArray(v) ? v.map(String) : String(v).split(';');
	return items
		.map((s) => s.trim())
		.filter(Boolean)
		.sort();
}

const numeric = (v: unknown): number | undefined => {
	if (typeof v === 'number') return Number.isFinite(v) ? v : undefined;
	if (
		typeof v === 'string' &&
		v.trim() !== '' &&
		/^[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/i.test(v.trim())
	)
		return Number(v);
	return undefined;
};

/** Epoch ms of a date-time: a Date, epoch ms (number or digits, as HubSpot sends them), or an ISO-8601 text. */
function instant(v: unknown): number {
	if (v instanceof Date) return v.getTime();
	if (typeof v === 'number') return v;
	const text = String(v).trim();
	return /^\d{11,}$/.test(text) ? Number(text) : Date.parse(text);
}

/**
 * A value in the representation a field of `type` accepts: an instant given as epoch ms (HubSpot sends date and
 * date-time properties so, as digits) becomes an ISO date (`date`) or date-time (`datetime`); an ISO date-time for
 * a `date` field keeps its date part; a blank for a `boolean` field is false. Everything else is left as it is (the CRM validates it).
 */
export function asType(v: unknown, type?: FieldType): unknown {
	// A checkbox has no blank: Salesforce stores false (its default on create) where HubSpot has no value.
	if (type === 'boolean' && isBlank(v)) return false;
	if ((type !== 'date' && type !== 'datetime') || isBlank(v)) return v;
	const text = v instanceof Date ? v.toISOString() : String(v).trim();
	const epoch = typeof v === 'number' || /^\d{11,}$/.test(text);
	if (!epoch && !(type === 'date' && /^\d{4}-\d{2}-\d{2}T/.test(text))) return v;
	const t = instant(v);
	if (!Number.isFinite(t)) return v;
	const iso = new Date(t).toISOString();
	return type === 'date' ? iso.slice(0, 10) : iso;
}

/** Equal as values of a field of `type`: null/undefined/'' alike, 5 and "5" alike, instants, sets. */
export function sameValue(x: unknown, y: unknown, type?: FieldType): boolean {
	// A blank checkbox is false (see asType): Salesforce's defaulted false is no change of HubSpot's blank.
	if (type === 'boolean') {
		x = isBlank(x) ? false : x;
		y = isBlank(y) ? false : y;
	}
	const bx = isBlank(x);
	const by = isBlank(y);
	if (bx || by) return bx && by;
	if (type === 'multipicklist' || Array.isArray(x) || Array.isArray(y))
		return asList(x).join('\u0000') === asList(y).join('\u0000');
	if (type === 'datetime' || type === 'date') {
		const tx = instant(x);
		const ty = instant(y);
		if (Number.isFinite(tx) && Number.isFinite(ty))
			return type === 'date'
				? new Date(tx).toISOString().slice(0, 10) === new Date(ty).toISOString().slice(0, 10)
				: tx === ty;
	}
	if (type === 'email') return String(x).trim().toLowerCase() === String(y).trim().toLowerCase();
	if (type === 'boolean' || typeof x === 'boolean' || typeof y === 'boolean')
		return String(x).trim().toLowerCase() === String(y).trim().toLowerCase();
	const nx = numeric(x);
	const ny = numeric(y);
	if (
		nx !== undefined &&
		ny !== undefined &&
		(type === 'number' || typeof x === 'number' || typeof y === 'number')
	)
		return nx === ny;
	return String(x) === String(y);
}

/** A value as stored in the base (plain JSON). */
export function toJson(v: unknown): Json {
	if (v === undefined || v === null) return null;
	if (v instanceof Date) return v.toISOString();
	if (typeof v === 'number' || typeof v === 'string' || typeof v === 'boolean') return v;
	return JSON.parse(JSON.stringify(v)) as Json;
}

/** A transform that failed on a value. */
export class TransformFailure extends Error {}

/** Compiled transforms per field pair and direction. */
export class Transforms {
	private readonly cache = new Map<string, CompiledTransform[]>();
	apply(key: string, dir: 'toA' | 'toB', steps: Transform[] | undefined, value: unknown): unknown {
		if (!steps?.length) return value;
		const id = `${key}\u0000${dir}`;
		let compiled = this.cache.get(id);
		if (!compiled) {
			compiled = steps.map((t) =>
				compileTransform(t, { fixInput: `correct the value of "${key}"` }),
			);
			this.cache.set(id, compiled);
		}
		let out = value;
		for (const step of compiled) {
			const r = step.apply(out);
			if (!r.ok) throw new TransformFailure(`"${key}" ${dir}: ${r.problem} — ${r.fix}`);
			out = r.value;
		}
		return out;
	}
}

export interface FieldChange {
	side: Side;
	field: string;
	key: string;
	from: unknown;
	to: unknown;
}

export interface ConflictEntry {
	linkId: string;
	field: string;
	fieldA: string;
	fieldB: string;
	aId?: string;
	bId?: string;
	base?: { a: Json; b: Json };
	a: unknown;
	b: unknown;
	strategy: Strategy;
}

export interface PairDiff {
	/** Field values to write per side. */
	write: Record<Side, Record<string, unknown>>;
	changes: FieldChange[];
	/** The base once every write succeeded. */
	base: Record<string, Json>;
	/** Pair keys whose base depends on the write to that side. */
	keysTo: Record<Side, string[]>;
	conflicts: ConflictEntry[];
	/** Conflicts settled by a strategy (not sent to review). */
	settled: Array<{ field: string; strategy: Strategy }>;
	/** Decisions applied (pair keys). */
	decided: string[];
	errors: string[];
}

export interface DiffContext {
	config: ResolvedConfig;
	types: FieldTypes;
	transforms: Transforms;
	custom?: ResolveConflict;
}

const baseOf = (v: Json | undefined): { a: Json; b: Json } | undefined =>
	v && typeof v === 'object' && !Array.isArray(v) && 'a' in v && 'b' in v
		? { a: v.a, b: v.b }
		: undefined;

/** Plans one linked pair. */
export function diffPair(
	ctx: DiffContext,
	linkId: string,
	oldBase: Record<string, Json>,
	recA: CrmRecord,
	recB: CrmRecord,
	decisions?: Map<string, ConflictDecision['decision']>,
): PairDiff {
	const out: PairDiff = {
		write: { a: {}, b: {} },
		changes: [],
		base: { ...oldBase },
		keysTo: { a: [], b: [] },
		conflicts: [],
		settled: [],
		decided: [],
		errors: [],
	};
	for (const f of ctx.config.fields) {
		const a = recA.fields[f.a];
		const b = recB.fields[f.b];
		const ta = ctx.types.a.get(f.a);
		const tb = ctx.types.b.get(f.b);
		try {
			const aAsB = () => ctx.transforms.apply(f.key, 'toB', f.toB, a);
			const bAsA = () => ctx.transforms.apply(f.key, 'toA', f.toA, b);
			const flow = (to: Side, raw: unknown) => {
				const value = asType(raw, to === 'a' ? ta : tb);
				const current = to === 'a' ? a : b;
				const field = to === 'a' ? f.a : f.b;
				const other = to === 'a' ? b : a;
				out.base[f.key] =
					to === 'a'
						? { a: toJson(value), b: toJson(other) }
						: { a: toJson(other), b: toJson(value) };
				if (sameValue(current, value, to === 'a' ? ta : tb)) return;
				out.write[to][field] = isBlank(value) ? null : value;
				out.keysTo[to].push(f.key);
				out.changes.push({ side: to, field, key: f.key, from: current, to: value });
			};
			const decision = decisions?.get(f.key);
			if (decision) {
				out.decided.push(f.key);
				if ('winner' in decision) {
					if (decision.winner === 'a') flow('b', aAsB());
					else flow('a', bAsA());
				} else {
					const vb = ctx.transforms.apply(f.key, 'toB', f.toB, decision.value);
					flow('a', decision.value);
					flow('b', vb);
					out.base[f.key] = { a: toJson(decision.value), b: toJson(vb) };
				}
				continue;
			}
			const base = baseOf(oldBase[f.key]);
			const aChanged = base ? !sameValue(a, base.a, ta) : true;
			const bChanged = base ? !sameValue(b, base.b, tb) : true;
			if (!aChanged && !bChanged) continue;
			// Both changed (or first pairing): the same value is no conflict. An e-mail on either side is compared
			// as one (without case) even where the other side stores it as plain text.
			const tSame = ta === 'email' || tb === 'email' ? 'email' : tb;
			if (aChanged && bChanged && sameValue(aAsB(), b, tSame)) {
				out.base[f.key] = { a: toJson(a), b: toJson(b) };
				continue;
			}
			if (f.direction === 'aToB' && !aChanged) {
				out.base[f.key] = { a: toJson(a), b: toJson(b) };
				continue;
			}
			if (f.direction === 'bToA' && !bChanged) {
				out.base[f.key] = { a: toJson(a), b: toJson(b) };
				continue;
			}
			if (f.direction === 'aToB' || (aChanged && !bChanged)) {
				flow('b', aAsB());
				continue;
			}
			if (f.direction === 'bToA' || (!aChanged && bChanged)) {
				flow('a', bAsA());
				continue;
			}
			const strategy = f.conflict ?? ctx.config.conflict;
			const resolution = resolveConflict(
				strategy,
				{
					linkId,
					field: f.key,
					fieldA: f.a,
					fieldB: f.b,
					base,
					a,
					b,
					aAsB: aAsB(),
					bAsA: bAsA(),
					recordA: recA,
					recordB: recB,
				},
				ctx.custom,
			);
			if (!resolution) {
				out.conflicts.push({
					linkId,
					field: f.key,
					fieldA: f.a,
					fieldB: f.b,
					aId: recA.id,
					bId: recB.id,
					base,
					a,
					b,
					strategy,
				});
			} else if ('winner' in resolution) {
				out.settled.push({ field: f.key, strategy });
				if (resolution.winner === 'a') flow('b', aAsB());
				else flow('a', bAsA());
			} else {
				out.settled.push({ field: f.key, strategy });
				const vb = ctx.transforms.apply(f.key, 'toB', f.toB, resolution.value);
				flow('a', resolution.value);
				flow('b', vb);
				out.base[f.key] = { a: toJson(resolution.value), b: toJson(vb) };
			}
		} catch (error) {
			if (!(error instanceof TransformFailure)) throw error;
			out.errors.push(error.message);
		}
	}
	return out;
}

/** The fields of a create on side `to` from a record of the other side, and the base it leaves. */
export function planCreate(
	ctx: DiffContext,
	from: Side,
	record: CrmRecord,
): { fields: Record<string, unknown>; base: Record<string, Json>; errors: string[] } {
	const to: Side = from === 'a' ? 'b' : 'a';
	const fields: Record<string, unknown> = {};
	const base: Record<string, Json> = {};
	const errors: string[] = [];
	for (const f of ctx.config.fields) {
		const source = record.fields[f[from]];
		const flows = f.direction === 'both' || f.direction === (from === 'a' ? 'aToB' : 'bToA');
		let value: unknown = null;
		try {
			if (flows)
				value =
					to === 'b'
						? ctx.transforms.apply(f.key, 'toB', f.toB, source)
						: ctx.transforms.apply(f.key, 'toA', f.toA, source);
			value = asType(value, ctx.types[to].get(f[to]));
		} catch (error) {
			if (!(error instanceof TransformFailure)) throw error;
			errors.push(error.message);
			continue;
		}
		if (flows && !isBlank(value)) fields[f[to]] = value;
		base[f.key] =
			from === 'a'
				? { a: toJson(source), b: toJson(flows ? value : null) }
				: { a: toJson(flows ? value : null), b: toJson(source) };
	}
	for (const key of ctx.config.matchKeys) {
		const v = record.fields[key[from]];
		if (fields[key[to]] === undefined && !isBlank(v)) fields[key[to]] = v;
	}
	return { fields, base, errors };
}
