/**
 * The checks every store makes before it writes (the rules in types.ts's header), shared so that the three
 * stores refuse the same commits with the same messages: argument checks, the shape of a link by its status,
 * no NUL character anywhere (PostgreSQL text and jsonb cannot hold one), one record in at most one link.
 */
import type { OpenConflict, Side, StateChanges, SyncFailure, SyncLink } from './types';

const STATUSES: ReadonlySet<string> = new Set(['linked', 'pending', 'excluded']);

export function checkPageSize(pageSize: number): number {
	if (!Number.isInteger(pageSize) || pageSize < 1) {
		throw new Error(`pageSize must be a positive integer, got ${String(pageSize)}`);
	}
	return pageSize;
}

export function checkLease(leaseMs: number): number {
	if (!Number.isFinite(leaseMs) || leaseMs <= 0) {
		throw new Error(`leaseMs must be a positive number of milliseconds, got ${String(leaseMs)}`);
	}
	return leaseMs;
}

function checkSide(side: unknown, what: string): Side {
	if (side !== 'a' && side !== 'b')
		throw new Error(`${what}: side must be 'a' or 'b', got ${JSON.stringify(side)}`);
	return side;
}

/** The path of the first string (value or object key) holding U+0000 inside `value`, if any. */
function nulPath(value: unknown, path: string): string | undefined {
	if (typeof value === 'string') return value.includes('\u0000') ? path : undefined;
	if (Array.isArray(value)) {
		for (let i = 0; i < value.length; i++) {
			const found = nulPath(value[i], `${path}[${i}]`);
			if (found) return found;
		}
		return undefined;
	}
	if (value && typeof value === 'object') {
		for (const [key, v] of Object.entries(value)) {
			if (key.includes('\u0000')) return `${path} (a key)`;
			const found = nulPath(v, `${path}.${key}`);
			if (found) return found;
		}
	}
	return undefined;
}

/** Refuses any string holding the NUL character (U+0000): no store can keep it (PostgreSQL refuses it). */
export function checkNoNul(value: unknown, what: string): void {
	const path = nulPath(value, what);
	if (path)
		throw new Error(
			`${path} contains the NUL character (U+0000), which the sync state cannot store: nothing was written`,
		);
}

/** `syncId` checked as a store key (a non-empty string without NUL). */
export function checkSyncId(syncId: string): string {
	if (typeof syncId !== 'string' || syncId === '')
		throw new Error(`syncId must be a non-empty string, got ${JSON.stringify(syncId)}`);
	checkNoNul(syncId, 'syncId');
	return syncId;
}

/** Ids that can be stored (a read for an id holding NUL finds nothing instead of failing in the database). */
export function storableIds(ids: string[]): string[] {
	return ids.filter((id) => typeof id === 'string' && !id.includes('\u0000'));
}

/** What a valid commit writes: the changes checked, upserts deduplicated (the last of one key wins). */
export interface CheckedChanges {
	links: SyncLink[];
	failures: SyncFailure[];
	/** Open conflicts to write, deduplicated by linkId + field (the last wins). */
	conflicts: OpenConflict[];
	/** linkIds whose stored row goes away before the upserts are written (deleted or replaced). */
	replaced: string[];
}

/**
 * Checks a commit before anything is written; throws (nothing applied) on the first problem. Within one commit
 * the final state counts: deletes and clears apply before upserts, and a record id may move from one link to
 * another. Whether an id is still held by a link outside the commit is the store's check (it needs the state).
 */
export function checkChanges(syncId: string, changes: StateChanges): CheckedChanges {
	checkSyncId(syncId);
	checkNoNul(changes, 'commit');
	const links = [...new Map((changes.upsertLinks ?? []).map((l) => [l.linkId, l])).values()];
	for (const l of links) {
		if (typeof l.linkId !== 'string' || !l.linkId) throw new Error('commit: a link without linkId');
		if (!STATUSES.has(l.status))
			throw new Error(`commit: link ${l.linkId} has an unknown status ${JSON.stringify(l.status)}`);
		if (l.status === 'linked' && (!l.aId || !l.bId))
			throw new Error(`commit: linked link ${l.linkId} needs both aId and bId`);
		if (l.status === 'pending' && (!l.pendingSide || !l.pendingKey))
			throw new Error(`commit: pending link ${l.linkId} needs pendingSide and pendingKey`);
		if (l.pendingSide !== undefined) checkSide(l.pendingSide, `commit: link ${l.linkId}`);
		if (!l.base || typeof l.base !== 'object' || Array.isArray(l.base))
			throw new Error(`commit: link ${l.linkId} needs a base object`);
	}
	for (const side of ['a', 'b'] as const) {
		const holder = new Map<string, string>();
		for (const l of links) {
			const id = side === 'a' ? l.aId : l.bId;
			if (!id) continue;
			const other = holder.get(id);
			if (other !== undefined)
				throw new Error(
					`commit: ${side} record ${id} would be in two links (${other} and ${l.linkId}); a record is in one link at most`,
				);
			holder.set(id, l.linkId);
		}
	}
	const failures = [
		...new Map(
			(changes.upsertFailures ?? []).map((f) => [
				`${checkSide(f.side, `commit: failure of ${f.recordId}`)}:${f.recordId}`,
				f,
			]),
		).values(),
	];
	for (const f of changes.clearFailures ?? []) checkSide(f.side, `commit: cleared failure`);
	const conflicts = [
		...new Map(
			(changes.upsertConflicts ?? []).map((c) => [`${c.linkId}\u0000${c.field}`, c]),
		).values(),
	];
	for (const c of conflicts) {
		if (typeof c.linkId !== 'string' || !c.linkId || typeof c.field !== 'string' || !c.field)
			throw new Error('commit: an open conflict needs linkId and field');
		if (c.base !== null && (typeof c.base !== 'object' || Array.isArray(c.base)))
			throw new Error(`commit: open conflict ${c.linkId} ${c.field} needs a base object or null`);
		if (typeof c.openSince !== 'string' || !c.openSince)
			throw new Error(`commit: open conflict ${c.linkId} ${c.field} needs openSince`);
	}
	const replaced = [...new Set([...(changes.deleteLinks ?? []), ...links.map((l) => l.linkId)])];
	return { links, failures, conflicts, replaced };
}

/** The message of a commit refused because a link outside it still holds one of its record ids. */
export function heldElsewhere(side: Side, id: string, holder: string): Error {
	return new Error(
		`commit: ${side} record ${id} is already in link ${holder}; a record is in one link at most (delete or change that link in the same commit)`,
	);
}
