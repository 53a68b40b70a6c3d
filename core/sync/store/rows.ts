/**
 * What the SQL stores share: rows of the tables in `schema.ts` turned back into the interface's objects,
 * and the shallow merge of `StateChanges.meta`.
 */
import type {
	Json,
	OpenConflict,
	Side,
	StateChanges,
	SyncFailure,
	SyncLink,
	SyncMeta,
} from './types';

/** A `links` row; `J` is how the dialect returns JSON columns (SQLite: text, PostgreSQL: parsed). */
export interface LinkRow<J> {
	link_id: string;
	a_id: string | null;
	b_id: string | null;
	status: string;
	base: J;
	pending_side: string | null;
	pending_key: J | null;
	updated_at: string | Date;
}

export function toLink<J>(row: LinkRow<J>, json: (value: J) => Json): SyncLink {
	const link: SyncLink = {
		linkId: String(row.link_id),
		status: row.status as SyncLink['status'],
		base: json(row.base) as Record<string, Json>,
	};
	if (row.a_id !== null) link.aId = String(row.a_id);
	if (row.b_id !== null) link.bId = String(row.b_id);
	if (row.pending_side !== null) link.pendingSide = row.pending_side as Side;
	if (row.pending_key !== null) link.pendingKey = json(row.pending_key) as SyncLink['pendingKey'];
	link.updatedAt =
		row.updated_at instanceof Date ? row.updated_at.toISOString() : String(row.updated_at);
	return link;
}

export interface FailureRow {
	side: string;
	record_id: string;
	link_id: string | null;
	category: string;
	code: string;
	message: string;
	attempts: number | string;
	first_failed_at: string;
	last_failed_at: string;
}

export function failureFromRow(row: FailureRow): SyncFailure {
	const failure: SyncFailure = {
		side: row.side as Side,
		recordId: String(row.record_id),
		category: String(row.category),
		code: String(row.code),
		message: String(row.message),
		attempts: Number(row.attempts),
		firstFailedAt: String(row.first_failed_at),
		lastFailedAt: String(row.last_failed_at),
	};
	if (row.link_id !== null) failure.linkId = String(row.link_id);
	return failure;
}

/** What a `conflicts` row keeps in its `data` JSON column (all but the key and `open_since`). */
export function conflictData(c: OpenConflict): Record<string, Json> {
	const data: Record<string, Json> = {
		fieldA: c.fieldA,
		fieldB: c.fieldB,
		base: c.base,
		a: c.a,
		b: c.b,
		strategy: c.strategy,
	};
	if (c.aId !== undefined) data.aId = c.aId;
	if (c.bId !== undefined) data.bId = c.bId;
	return data;
}

/** A `conflicts` row (its `data` parsed) as the interface's object. */
export function conflictFromRow(row: {
	link_id: string;
	field: string;
	open_since: string;
	data: Record<string, Json>;
}): OpenConflict {
	const d = row.data;
	const c: OpenConflict = {
		linkId: String(row.link_id),
		field: String(row.field),
		fieldA: String(d.fieldA),
		fieldB: String(d.fieldB),
		base: (d.base ?? null) as OpenConflict['base'],
		a: d.a ?? null,
		b: d.b ?? null,
		strategy: String(d.strategy),
		openSince: String(row.open_since),
	};
	if (typeof d.aId === 'string') c.aId = d.aId;
	if (typeof d.bId === 'string') c.bId = d.bId;
	return c;
}

/** The id column of one side (the only place a side becomes SQL text: anything else is refused). */
export function linkColumn(side: Side): 'a_id' | 'b_id' {
	if (side === 'a') return 'a_id';
	if (side === 'b') return 'b_id';
	throw new Error(`side must be 'a' or 'b', got ${JSON.stringify(side)}`);
}

export { checkLease, checkPageSize } from './rules';

/** `changes.meta` applied to `current`: each given watermark / backfilled / info key replaces the stored one. */
export function mergeMeta(current: SyncMeta, changes: NonNullable<StateChanges['meta']>): SyncMeta {
	return {
		watermarks: { ...current.watermarks, ...changes.watermarks },
		backfilled: { ...current.backfilled, ...changes.backfilled },
		info: { ...current.info, ...changes.info },
	};
}

/** `items` in slices of `size` (a commit writes one statement per slice and kind of change, not one per row). */
export function* chunks<T>(items: T[], size = 1000): Generator<T[]> {
	for (let i = 0; i < items.length; i += size) yield items.slice(i, i + size);
}
