/**
 * Conflict strategies: who wins when a field changed on both sides to different values (or differs at first link).
 * `undefined` means "not settled": the conflict goes to review and the field is left untouched on both sides.
 */
import type { CrmRecord } from '../records/types';
import type { Strategy } from './config';
import type { Json } from './store/types';

/** What a strategy (or the custom callback) sees. */
export interface ConflictContext {
	linkId: string;
	/** The field pair's key. */
	field: string;
	fieldA: string;
	fieldB: string;
	/** Last-synced values (undefined at first link). */
	base?: { a: Json; b: Json };
	a: unknown;
	b: unknown;
	/** `b` as it would be written to side a (through toA), and `a` as written to b (through toB). */
	aAsB: unknown;
	bAsA: unknown;
	recordA: CrmRecord;
	recordB: CrmRecord;
}

/** A settled conflict: one side's value, or an explicit value (in side a's terms, sent to b through toB). */
export type Resolution = { winner: 'a' | 'b' } | { value: unknown };

/** The custom strategy's callback (the n8n node implements it with an expression). */
export type ResolveConflict = (ctx: ConflictContext) => Resolution | undefined;

/** Blank: null, undefined, '' (or only spaces), empty list. */
export function isBlank(value: unknown): boolean {
	return (
		value === null ||
		value === undefined ||
		(typeof value === 'string' && value.trim() === '') ||
		(Array.isArray(value) && value.length === 0)
	);
}

function time(record: CrmRecord): number | undefined {
	const t = record.updatedAt ? Date.parse(record.updatedAt) : NaN;
	return Number.isFinite(t) ? t : undefined;
}

/** Settles a conflict by `strategy`; undefined → review. */
export function resolveConflict(
	strategy: Strategy,
	ctx: ConflictContext,
	custom?: ResolveConflict,
): Resolution | undefined {
	switch (strategy) {
		case 'aWins':
			return { winner: 'a' };
		case 'bWins':
			return { winner: 'b' };
		case 'aUnlessBlank':
			return { winner: isBlank(ctx.a) && !isBlank(ctx.b) ? 'b' : 'a' };
		case 'bUnlessBlank':
			return { winner: isBlank(ctx.b) && !isBlank(ctx.a) ? 'a' : 'b' };
		case 'mostRecent': {
			const ta = time(ctx.recordA);
			const tb = time(ctx.recordB);
			// A tie, or a side without a time, is not guessed.
			if (ta === undefined || tb === undefined || ta === tb) return undefined;
			return { winner: ta > tb ? 'a' : 'b' };
		}
		case 'custom': {
			const r = custom?.(ctx);
			if (!r) return undefined;
			if ('winner' in r && (r.winner === 'a' || r.winner === 'b')) return { winner: r.winner };
			if ('value' in r) return { value: r.value };
			return undefined;
		}
		default:
			return undefined;
	}
}
