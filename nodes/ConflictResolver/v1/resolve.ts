/**
 * Conflict Resolver v1's logic, thin over the sync engine: each differing field is settled by the engine's
 * `resolveConflict` (core/sync/strategies.ts) and the CRM Sync node's Custom Rules (nodes/shared/conflictRules.ts),
 * equality and blanks by the engine's `sameValue` / `isBlank`. Nothing here decides a conflict on its own.
 */
import type { IDataObject } from 'n8n-workflow';

import type { CrmRecord } from '../../../core/records/types';
import {
	isBlank,
	resolveConflict,
	sameValue,
	type ConflictContext,
	type ResolveConflict,
	type Strategy,
} from '../../../core/sync';

export const STRATEGY_LABEL: Record<Strategy, string> = {
	aWins: 'A Wins',
	bWins: 'B Wins',
	mostRecent: 'Most Recent',
	aUnlessBlank: 'A Unless Blank',
	bUnlessBlank: 'B Unless Blank',
	custom: 'Custom Rules',
	review: 'Review',
};

export interface Settings {
	strategy: Strategy;
	/** Per-field strategies by field name (a conflict item's field key, side A or side B field). */
	overrides: Map<string, Strategy>;
	custom: ResolveConflict;
}

/** One differing field: its names, both values, the last-synced values if known. */
export interface FieldConflict {
	field: string;
	fieldA: string;
	fieldB: string;
	a: unknown;
	b: unknown;
	base?: { a: unknown; b: unknown };
}

export interface Times {
	a?: string;
	b?: string;
}

export type Outcome =
	| {
			settled: true;
			winner: 'a' | 'b' | 'value';
			value: unknown;
			strategy: Strategy;
			reason: string;
	  }
	| { settled: false; strategy: Strategy; reason: string };

export function strategyFor(settings: Settings, c: FieldConflict): Strategy {
	const { overrides } = settings;
	return (
		overrides.get(c.field) ??
		overrides.get(c.fieldA) ??
		overrides.get(c.fieldB) ??
		settings.strategy
	);
}

const validTime = (t?: string) => (t && Number.isFinite(Date.parse(t)) ? t : undefined);

function record(updatedAt: string | undefined, fields: Record<string, unknown>): CrmRecord {
	return { type: 'record', source: 'conflictResolver', fields, updatedAt: validTime(updatedAt) };
}

/** Why a strategy that gave no answer left the field unsettled. */
function unsettledReason(strategy: Strategy, times: Times): string {
	if (strategy === 'review') return 'Review: every conflict of this field is left to a person';
	if (strategy === 'mostRecent') {
		const missing = (['a', 'b'] as const).filter((s) => !validTime(times[s]));
		if (missing.length)
			return `Most Recent: no update time for ${missing.map((s) => s.toUpperCase()).join(' and ')} — set A Updated At / B Updated At (CRM Sync Conflicts items carry no times)`;
		return 'Most Recent: both records have the same update time';
	}
	if (strategy === 'custom') return 'Custom Rules: no rule holds (or the rule says Send to Review)';
	return `${STRATEGY_LABEL[strategy]}: not settled`;
}

function settledReason(
	strategy: Strategy,
	c: FieldConflict,
	winner: 'a' | 'b' | 'value',
	times: Times,
) {
	const label = STRATEGY_LABEL[strategy];
	if (winner === 'value') return `${label}: a rule set the value`;
	const side = winner.toUpperCase();
	if (strategy === 'aUnlessBlank' && winner === 'b') return `${label}: A is blank, B's value kept`;
	if (strategy === 'bUnlessBlank' && winner === 'a') return `${label}: B is blank, A's value kept`;
	if (strategy === 'mostRecent') return `${label}: ${side} changed last (${String(times[winner])})`;
	if (strategy === 'custom') return `${label}: a rule keeps ${side}`;
	if (isBlank(winner === 'a' ? c.a : c.b)) return `${label}: ${side}'s blank value kept`;
	return `${label}: ${side}'s value kept`;
}

/** Settles one differing field by its strategy (the engine's), or says why it stays open. */
export function settle(
	settings: Settings,
	c: FieldConflict,
	times: Times,
	records: { a: Record<string, unknown>; b: Record<string, unknown> } = { a: {}, b: {} },
): Outcome {
	const strategy = strategyFor(settings, c);
	const ctx: ConflictContext = {
		linkId: '',
		field: c.field,
		fieldA: c.fieldA,
		fieldB: c.fieldB,
		base: c.base as ConflictContext['base'],
		a: c.a,
		b: c.b,
		aAsB: c.a,
		bAsA: c.b,
		recordA: record(times.a, records.a),
		recordB: record(times.b, records.b),
	};
	const r = resolveConflict(strategy, ctx, settings.custom);
	if (!r) return { settled: false, strategy, reason: unsettledReason(strategy, times) };
	if ('winner' in r)
		return {
			settled: true,
			winner: r.winner,
			value: r.winner === 'a' ? c.a : c.b,
			strategy,
			reason: settledReason(strategy, c, r.winner, times),
		};
	return {
		settled: true,
		winner: 'value',
		value: r.value,
		strategy,
		reason: settledReason(strategy, c, 'value', times),
	};
}

export type Routed = { output: 'resolved' | 'review'; json: IDataObject };

/** A CRM Sync Conflicts item: resolved with winner "a"/"b" or a value (what CRM Sync Resolve Conflicts takes). */
export function resolveConflictItem(settings: Settings, json: IDataObject, times: Times): Routed {
	const field = json.field;
	if (typeof field !== 'string' || field === '')
		throw new Error(
			'field: missing — Input Shape "CRM Sync Conflicts" takes the items of a CRM Sync Conflicts output (field, a, b); for any two records choose Input Shape "Pair of Records"',
		);
	for (const side of ['a', 'b'] as const)
		if (!(side in json))
			throw new Error(
				`${side}: missing on the conflict of field "${field}" — a CRM Sync Conflicts item has the values a and b; pass the items unchanged or choose Input Shape "Pair of Records"`,
			);
	const base = json.base as IDataObject | null | undefined;
	const c: FieldConflict = {
		field,
		fieldA: typeof json.fieldA === 'string' ? json.fieldA : field,
		fieldB: typeof json.fieldB === 'string' ? json.fieldB : field,
		a: json.a,
		b: json.b,
		base: base && typeof base === 'object' ? { a: base.a, b: base.b } : undefined,
	};
	const rest = { ...json };
	delete rest.winner;
	delete rest.value;
	const o = settle(settings, c, times);
	if (!o.settled)
		return { output: 'review', json: { ...rest, resolvedBy: o.strategy, reason: o.reason } };
	const decision = o.winner === 'value' ? { value: o.value as IDataObject } : { winner: o.winner };
	return {
		output: 'resolved',
		json: {
			...rest,
			...decision,
			resolvedValue: o.value as IDataObject,
			resolvedBy: o.strategy,
			reason: o.reason,
		},
	};
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/;

/**
 * Pair mode has no field types (any two records come in): two e-mail addresses compare without case
 * ("Ann@X.com" is "ann@x.com"), two ISO date-times as instants ("…T10:00:00Z" is "…T10:00:00.000+00:00").
 */
function inferredType(a: unknown, b: unknown): 'email' | 'datetime' | undefined {
	const both = (re: RegExp) =>
		typeof a === 'string' && typeof b === 'string' && re.test(a.trim()) && re.test(b.trim());
	if (both(EMAIL)) return 'email';
	if (both(ISO_TIME)) return 'datetime';
	return undefined;
}

/** Two records: each differing field settled; all settled → the merged record, else review with the open fields. */
export function resolvePair(
	settings: Settings,
	pair: { a: IDataObject; b: IDataObject; base?: IDataObject },
	fields: string[] | undefined,
	times: Times,
): Routed {
	const names = fields ?? [...new Set([...Object.keys(pair.a), ...Object.keys(pair.b)])];
	const merged: IDataObject = {};
	const resolved: IDataObject = {};
	const unsettled: IDataObject = {};
	for (const name of names) {
		const a = pair.a[name];
		const b = pair.b[name];
		if (sameValue(a, b, inferredType(a, b))) {
			merged[name] = a === undefined ? b : a;
			continue;
		}
		const base = pair.base ? { a: pair.base[name], b: pair.base[name] } : undefined;
		const o = settle(
			settings,
			{ field: name, fieldA: name, fieldB: name, a, b, base },
			times,
			pair,
		);
		if (o.settled) {
			merged[name] = o.value as IDataObject;
			resolved[name] = {
				winner: o.winner,
				value: o.value as IDataObject,
				resolvedBy: o.strategy,
				reason: o.reason,
			};
		} else {
			unsettled[name] = {
				...(pair.base ? { base: pair.base[name] as IDataObject } : {}),
				a: a as IDataObject,
				b: b as IDataObject,
				resolvedBy: o.strategy,
				reason: o.reason,
			};
		}
	}
	if (Object.keys(unsettled).length)
		return {
			output: 'review',
			json: {
				unsettled,
				merged,
				resolved,
				a: pair.a,
				b: pair.b,
				...(pair.base ? { base: pair.base } : {}),
			},
		};
	return { output: 'resolved', json: { merged, resolved } };
}
