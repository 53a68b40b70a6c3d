/**
 * An in-memory SyncStore (tests, dry runs, one-off syncs). Keeps every rule of the interface: commits are atomic
 * (validated and copied first, then applied in one go), reads hand out copies (a caller mutating a result never
 * changes the store), the run lock is a lease on an injectable clock, and every method is scoped by syncId.
 */
import type {
	ConflictDecision,
	LockLease,
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
	meta: SyncMeta;
	lock?: LockLease;
}

const copy = <T>(v: T): T => structuredClone(v);
const sideKey = (side: Side, id: string) => `${side}:${id}`;
const failureKey = (side: Side, id: string) => `${side}:${id}`;
const decisionKey = (linkId: string, field: string) => `${linkId}\u0000${field}`;

export class MemorySyncStore implements SyncStore {
	private readonly syncs = new Map<string, SyncState>();
	/** Commits applied (for tests). */
	commits = 0;

	constructor(private readonly now: () => number = Date.now) {}

	private state(syncId: string): SyncState {
		let s = this.syncs.get(syncId);
		if (!s) {
			s = {
				links: new Map(),
				bySide: new Map(),
				failures: new Map(),
				decisions: new Map(),
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
		const s = this.state(syncId);
		const now = this.now();
		if (s.lock && s.lock.owner !== owner && s.lock.expiresAt > now) return undefined;
		s.lock = { syncId, owner, expiresAt: now + leaseMs };
		return { ...s.lock };
	}

	async renewLock(syncId: string, owner: string, leaseMs: number): Promise<boolean> {
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

	/** The current lock holder (for messages and tests). */
	lockOf(syncId: string): LockLease | undefined {
		const lock = this.state(syncId).lock;
		return lock && lock.expiresAt > this.now() ? { ...lock } : undefined;
	}

	async getMeta(syncId: string): Promise<SyncMeta> {
		return copy(this.state(syncId).meta);
	}

	async getLinksByIds(syncId: string, side: Side, ids: string[]): Promise<Map<string, SyncLink>> {
		const s = this.state(syncId);
		const out = new Map<string, SyncLink>();
		for (const id of ids) {
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
		const size = Math.max(1, options.pageSize ?? 500);
		let after = '';
		for (;;) {
			const s = this.state(syncId);
			const page = [...s.links.values()]
				.filter((l) => l.linkId > after && (!options.status || l.status === options.status))
				.sort((x, y) => (x.linkId < y.linkId ? -1 : x.linkId > y.linkId ? 1 : 0))
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
		const all = [...this.state(syncId).failures.values()].map(copy);
		for (let i = 0; i < all.length; i += 500) yield all.slice(i, i + 500);
	}

	async listDecisions(syncId: string): Promise<ConflictDecision[]> {
		return [...this.state(syncId).decisions.values()].map(copy);
	}

	async putDecision(syncId: string, decision: ConflictDecision): Promise<void> {
		this.state(syncId).decisions.set(decisionKey(decision.linkId, decision.field), copy(decision));
	}

	async commit(syncId: string, changes: StateChanges): Promise<void> {
		// Validate and copy everything first: nothing is applied unless all of it can be.
		const c = copy(changes);
		const stamp = new Date(this.now()).toISOString();
		for (const l of c.upsertLinks ?? []) {
			if (!l.linkId) throw new Error('commit: a link without linkId');
			if (l.status === 'linked' && (!l.aId || !l.bId))
				throw new Error(`commit: linked link ${l.linkId} needs both aId and bId`);
			if (l.status === 'pending' && (!l.pendingSide || !l.pendingKey))
				throw new Error(`commit: pending link ${l.linkId} needs pendingSide and pendingKey`);
		}
		const s = this.state(syncId);
		const links = new Map(s.links);
		const bySide = new Map(s.bySide);
		const unindex = (linkId: string) => {
			const old = links.get(linkId);
			if (!old) return;
			if (old.aId && bySide.get(sideKey('a', old.aId)) === linkId)
				bySide.delete(sideKey('a', old.aId));
			if (old.bId && bySide.get(sideKey('b', old.bId)) === linkId)
				bySide.delete(sideKey('b', old.bId));
			links.delete(linkId);
		};
		for (const id of c.deleteLinks ?? []) unindex(id);
		for (const l of c.upsertLinks ?? []) {
			unindex(l.linkId);
			for (const side of ['a', 'b'] as const) {
				const id = side === 'a' ? l.aId : l.bId;
				const holder = id ? bySide.get(sideKey(side, id)) : undefined;
				if (holder && holder !== l.linkId)
					throw new Error(`commit: ${side} record ${id} is already in link ${holder}`);
			}
			links.set(l.linkId, { ...l, updatedAt: stamp });
			if (l.aId) bySide.set(sideKey('a', l.aId), l.linkId);
			if (l.bId) bySide.set(sideKey('b', l.bId), l.linkId);
		}
		const failures = new Map(s.failures);
		for (const f of c.clearFailures ?? []) failures.delete(failureKey(f.side, f.recordId));
		for (const f of c.upsertFailures ?? []) failures.set(failureKey(f.side, f.recordId), f);
		const decisions = new Map(s.decisions);
		for (const d of c.clearDecisions ?? []) decisions.delete(decisionKey(d.linkId, d.field));
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
		s.meta = meta;
		this.commits++;
	}

	async reset(syncId: string): Promise<void> {
		this.syncs.delete(syncId);
	}
}
