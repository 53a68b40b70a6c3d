/**
 * An in-memory SyncStore (tests, dry runs, one-off syncs). Keeps every rule of the interface: commits are atomic
 * (validated and copied first, then applied in one go), reads hand out copies (a caller mutating a result never
 * changes the store), the run lock is a lease on an injectable clock, and every method is scoped by syncId.
 * Several instances may share one {@link MemorySyncState} (like several connections to one database).
 */
import {
	checkChanges,
	checkLease,
	checkPageSize,
	checkSyncId,
	checkNoNul,
	heldElsewhere,
	storableIds,
} from './rules';
import type {
	ConflictDecision,
	LockLease,
	OpenConflict,
	Side,
	StateChanges,
	SyncFailure,
	SyncLink,
	SyncMeta,
	SyncStore,
} from './types';

interface SyncState {
	links: Map<string, SyncLink>;
	/** `a:<id>` / `b:<id>` → linkId. */
	bySide: Map<string, string>;
	failures: Map<string, SyncFailure>;
	decisions: Map<string, ConflictDecision>;
	conflicts: Map<string, OpenConflict>;
	meta: SyncMeta;
	lock?: LockLease;
}

/** The state behind one or more MemorySyncStore instances (pass the same object to share it). */
export class MemorySyncState {
	readonly syncs = new Map<string, SyncState>();
}

const copy = <T>(v: T): T => structuredClone(v);
/** Code-point order (as SQLite's BINARY and PostgreSQL's "C" collation of UTF-8), not UTF-16 code units. */
export function compareCodePoints(x: string, y: string): number {
	const n = Math.min(x.length, y.length);
	for (let i = 0; i < n; i++) {
		const cx = x.codePointAt(i) as number;
		const cy = y.codePointAt(i) as number;
		if (cx !== cy) return cx < cy ? -1 : 1;
		if (cx > 0xffff) i++;
	}
	return x.length === y.length ? 0 : x.length < y.length ? -1 : 1;
}
const sideKey = (side: Side, id: string) => `${side}:${id}`;
const failureKey = (side: Side, id: string) => `${side}:${id}`;
const decisionKey = (linkId: string, field: string) => `${linkId}\u0000${field}`;

export class MemorySyncStore implements SyncStore {
	private readonly syncs: Map<string, SyncState>;
	/** Commits applied by this instance (for tests). */
	commits = 0;

	constructor(
		private readonly now: () => number = Date.now,
		shared: MemorySyncState = new MemorySyncState(),
	) {
		this.syncs = shared.syncs;
	}

	private state(syncId: string): SyncState {
		checkSyncId(syncId);
		let s = this.syncs.get(syncId);
		if (!s) {
			s = {
				links: new Map(),
				bySide: new Map(),
				failures: new Map(),
				decisions: new Map(),
				conflicts: new Map(),
				meta: { watermarks: {}, backfilled: {}, info: {} },
			};
			this.syncs.set(syncId, s);
		}
		return s;
	}

	async open(): Promise<void> {}
	async close(): Promise<void> {}

	async acquireLock(
		syncId: string,
		owner: string,
		leaseMs: number,
	): Promise<LockLease | undefined> {
		checkLease(leaseMs);
		const s = this.state(syncId);
		const now = this.now();
		// held up to and including expiresAt (as the SQL stores)
		if (s.lock && s.lock.owner !== owner && s.lock.expiresAt >= now) return undefined;
		s.lock = { syncId, owner, expiresAt: now + leaseMs };
		return { ...s.lock };
	}

	async renewLock(syncId: string, owner: string, leaseMs: number): Promise<boolean> {
		checkLease(leaseMs);
		const s = this.state(syncId);
		const now = this.now();
		if (!s.lock || s.lock.owner !== owner) return false;
		s.lock = { syncId, owner, expiresAt: now + leaseMs };
		return true;
	}

	async releaseLock(syncId: string, owner: string): Promise<void> {
		const s = this.state(syncId);
		if (s.lock?.owner === owner) s.lock = undefined;
	}

	async lockHolder(syncId: string): Promise<LockLease | undefined> {
		return this.lockOf(syncId);
	}

	/** The current lock holder, synchronously (for tests). */
	lockOf(syncId: string): LockLease | undefined {
		const lock = this.state(syncId).lock;
		return lock && lock.expiresAt >= this.now() ? { ...lock } : undefined;
	}

	async getMeta(syncId: string): Promise<SyncMeta> {
		return copy(this.state(syncId).meta);
	}

	async getLinksByIds(syncId: string, side: Side, ids: string[]): Promise<Map<string, SyncLink>> {
		const s = this.state(syncId);
		const out = new Map<string, SyncLink>();
		for (const id of storableIds(ids)) {
			const linkId = s.bySide.get(sideKey(side, id));
			const link = linkId ? s.links.get(linkId) : undefined;
			if (link) out.set(id, copy(link));
		}
		return out;
	}

	async *listLinks(
		syncId: string,
		options: { status?: SyncLink['status']; pageSize?: number } = {},
	): AsyncIterable<SyncLink[]> {
		const size = checkPageSize(options.pageSize ?? 500);
		let after: string | undefined;
		for (;;) {
			const s = this.state(syncId);
			const page = [...s.links.values()]
				.filter(
					(l) =>
						(after === undefined || compareCodePoints(l.linkId, after) > 0) &&
						(!options.status || l.status === options.status),
				)
				.sort((x, y) => compareCodePoints(x.linkId, y.linkId))
				.slice(0, size);
			if (!page.length) return;
			after = page[page.length - 1].linkId;
			yield page.map(copy);
			if (page.length < size) return;
		}
	}

	async countLinks(syncId: string, status?: SyncLink['status']): Promise<number> {
		let n = 0;
		for (const l of this.state(syncId).links.values()) if (!status || l.status === status) n++;
		return n;
	}

	async *listFailures(syncId: string): AsyncIterable<SyncFailure[]> {
		const all = [...this.state(syncId).failures.values()]
			.sort((x, y) => compareCodePoints(`${x.side}:${x.recordId}`, `${y.side}:${y.recordId}`))
			.map(copy);
		for (let i = 0; i < all.length; i += 500) yield all.slice(i, i + 500);
	}

	async listDecisions(syncId: string): Promise<ConflictDecision[]> {
		return [...this.state(syncId).decisions.values()]
			.sort((x, y) => compareCodePoints(x.linkId, y.linkId) || compareCodePoints(x.field, y.field))
			.map(copy);
	}

	async putDecision(syncId: string, decision: ConflictDecision): Promise<void> {
		checkNoNul(decision, 'putDecision');
		this.state(syncId).decisions.set(decisionKey(decision.linkId, decision.field), copy(decision));
	}

	async listConflicts(syncId: string): Promise<OpenConflict[]> {
		return [...this.state(syncId).conflicts.values()]
			.sort((x, y) => compareCodePoints(x.linkId, y.linkId) || compareCodePoints(x.field, y.field))
			.map(copy);
	}

	async commit(syncId: string, changes: StateChanges): Promise<void> {
		// Validate and copy everything first: nothing is applied unless all of it can be.
		const checked = checkChanges(syncId, changes);
		const c = copy(changes);
		const upserts = copy(checked.links);
		const stamp = new Date(this.now()).toISOString();
		const s = this.state(syncId);
		const links = new Map(s.links);
		const bySide = new Map(s.bySide);
		// The final state counts: every deleted or replaced link leaves the index before the upserts enter it.
		for (const linkId of checked.replaced) {
			const old = links.get(linkId);
			if (!old) continue;
			if (old.aId && bySide.get(sideKey('a', old.aId)) === linkId)
				bySide.delete(sideKey('a', old.aId));
			if (old.bId && bySide.get(sideKey('b', old.bId)) === linkId)
				bySide.delete(sideKey('b', old.bId));
			links.delete(linkId);
		}
		for (const l of upserts) {
			for (const side of ['a', 'b'] as const) {
				const id = side === 'a' ? l.aId : l.bId;
				const holder = id ? bySide.get(sideKey(side, id)) : undefined;
				if (id && holder !== undefined) throw heldElsewhere(side, id, holder);
			}
			const stored: SyncLink = { ...l, updatedAt: stamp };
			for (const key of Object.keys(stored) as Array<keyof SyncLink>)
				if (stored[key] === undefined) delete stored[key];
			links.set(l.linkId, stored);
			if (l.aId) bySide.set(sideKey('a', l.aId), l.linkId);
			if (l.bId) bySide.set(sideKey('b', l.bId), l.linkId);
		}
		const failures = new Map(s.failures);
		for (const f of c.clearFailures ?? []) failures.delete(failureKey(f.side, f.recordId));
		for (const f of c.upsertFailures ?? []) failures.set(failureKey(f.side, f.recordId), f);
		const decisions = new Map(s.decisions);
		for (const d of c.clearDecisions ?? []) decisions.delete(decisionKey(d.linkId, d.field));
		const conflicts = new Map(s.conflicts);
		for (const d of c.clearConflicts ?? []) conflicts.delete(decisionKey(d.linkId, d.field));
		for (const o of copy(checked.conflicts)) {
			const stored: OpenConflict = { ...o };
			for (const key of Object.keys(stored) as Array<keyof OpenConflict>)
				if (stored[key] === undefined) delete stored[key];
			conflicts.set(decisionKey(o.linkId, o.field), stored);
		}
		const meta: SyncMeta = {
			watermarks: { ...s.meta.watermarks, ...c.meta?.watermarks },
			backfilled: { ...s.meta.backfilled, ...c.meta?.backfilled },
			info: { ...s.meta.info, ...c.meta?.info },
		};
		// Apply in one step.
		s.links = links;
		s.bySide = bySide;
		s.failures = failures;
		s.decisions = decisions;
		s.conflicts = conflicts;
		s.meta = meta;
		this.commits++;
	}

	async reset(syncId: string): Promise<void> {
		this.syncs.delete(syncId);
	}
}
