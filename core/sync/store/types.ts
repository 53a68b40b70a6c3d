/**
 * Sync state: what a two-way sync remembers between runs, and the one interface its stores implement
 * (in-memory for tests, SQLite through `node:sqlite` by default, PostgreSQL for queue mode across hosts).
 *
 * Rules every store keeps:
 * - `commit` is atomic: all of a `StateChanges` is applied, or none of it (a crash mid-commit leaves the state
 *   as it was before the commit); within one commit the final state counts — deletes (`deleteLinks`,
 *   `clearFailures`, `clearDecisions`, `clearConflicts`) apply before upserts, the last of several upserts of one key wins, and a
 *   record id may move from one link to another;
 * - a record is in one link at most: a commit whose final state has one `aId` (or one `bId`) in two links of a
 *   sync is refused whole (one record linked twice would be written twice per change); a `linked` link has both
 *   ids, a `pending` one its `pendingSide` and `pendingKey`; the SQL stores back this with unique indexes;
 * - no stored string (ids, values, keys, messages) may hold the NUL character U+0000 (PostgreSQL cannot store
 *   it): such a commit is refused whole, with a message naming where it was; a read for such an id finds nothing;
 * - `listLinks` is in code-point order of `linkId` (SQLite BINARY, PostgreSQL "C"), failures by side and
 *   record id, decisions and open conflicts by link and field; `updatedAt` is the store clock's time of the commit that wrote it;
 * - reads see every earlier committed change (no caching across processes);
 * - the run lock is a lease: held by one owner at a time up to and including `expiresAt`, free again once it has
 *   passed without a renewal (its holder died), and only its owner renews or releases it; `lockHolder` says who
 *   holds it and until when (the expiry of the last renewal), seen from every instance on the same state;
 * - the schema is created and migrated by `open()` itself, versioned; opening a newer schema than the code knows
 *   fails with a clear message instead of writing to it;
 * - every method is scoped by `syncId`: two syncs sharing one store never see each other's state.
 */

/** Which side of a sync. */
export type Side = 'a' | 'b';

/** Plain JSON, as stored. */
export type Json = string | number | boolean | null | Json[] | { [key: string]: Json };

/**
 * One linked pair of records (or one record waiting for its partner).
 * `status`:
 * - `linked`: both ids known, `base` holds the last-synced values;
 * - `pending`: a create was (maybe) sent to `pendingSide`, written ahead before sending; the next run settles it
 *   by looking the record up with `pendingKey` (never creates it twice);
 * - `excluded`: the user excluded the pair (or record) from the sync; it is skipped.
 */
export interface SyncLink {
	/** Stable id of the link (chosen by the engine, unique per sync). */
	linkId: string;
	aId?: string;
	bId?: string;
	status: 'linked' | 'pending' | 'excluded';
	/** Last-synced values per mapped field pair (keyed by the pair's key), the base of the three-way comparison. */
	base: Record<string, Json>;
	/** Side a create was sent to, while `pending`. */
	pendingSide?: Side;
	/**
	 * The match key (field on `pendingSide` and value) that finds the created record, while `pending`; `upsert`: the
	 * write was an upsert by that key (it may have written over an existing record instead of creating one).
	 */
	pendingKey?: { field: string; value: string; upsert?: boolean };
	/** When the link was last written (ISO-8601, store clock). */
	updatedAt?: string;
}

/** A record whose write failed; retried on every later run until it succeeds or is excluded. */
export interface SyncFailure {
	/** Side the record was read from. */
	side: Side;
	/** Its id on that side. */
	recordId: string;
	/** The link, when the record is linked. */
	linkId?: string;
	/**
	 * validation | duplicate | permission | notFound | rateLimit | outcomeUnknown | other — or `awaiting`: a write
	 * the Sync Plan node handed to the workflow whose result the Sync State node has not committed (yet); retried
	 * like a failure by the next run if it never comes.
	 */
	category: string;
	code: string;
	message: string;
	/** How many runs it has failed in. */
	attempts: number;
	firstFailedAt: string;
	lastFailedAt: string;
}

/** A decision taken on a conflict sent to review: applied on the next run, then deleted. */
export interface ConflictDecision {
	linkId: string;
	/** The field pair key. */
	field: string;
	/** Which value wins, or an explicit value. */
	decision: { winner: Side } | { value: Json };
	decidedAt: string;
}

/**
 * A conflict a strategy could not settle (sent to review), not decided yet: part of the state from the commit of
 * the page it was found in until a decision settles it or its values agree again (someone edited one side). Listed
 * on every run meanwhile. Keyed by link and field pair.
 */
export interface OpenConflict {
	linkId: string;
	/** The field pair key. */
	field: string;
	fieldA: string;
	fieldB: string;
	aId?: string;
	bId?: string;
	/** Last-synced values; null when the pair differed at first link (no base). */
	base: { a: Json; b: Json } | null;
	/** The values as last read on each side. */
	a: Json;
	b: Json;
	/** The strategy that sent it to review (`review`, or one that could not decide: `mostRecent`, `custom`). */
	strategy: string;
	/** When it was first found (ISO-8601, the engine's clock). */
	openSince: string;
}

/** Per sync: change-feed watermarks per side and free metadata (config fingerprint, last run's summary). */
export interface SyncMeta {
	watermarks: Partial<Record<Side, Json>>;
	/** Backfill finished on a side (later runs read changes since the watermark). */
	backfilled: Partial<Record<Side, boolean>>;
	/** Free JSON the engine keeps (config fingerprint, last report). */
	info: Record<string, Json>;
}

/** Everything one commit changes, applied atomically. */
export interface StateChanges {
	/** Links to insert or replace (by linkId). */
	upsertLinks?: SyncLink[];
	/** Links to remove (by linkId). */
	deleteLinks?: string[];
	/** Failures to insert or replace (by side + recordId). */
	upsertFailures?: SyncFailure[];
	/** Failures resolved (by side + recordId). */
	clearFailures?: Array<{ side: Side; recordId: string }>;
	/** Decisions consumed. */
	clearDecisions?: Array<{ linkId: string; field: string }>;
	/** Open conflicts to insert or replace (by linkId + field). */
	upsertConflicts?: OpenConflict[];
	/** Open conflicts settled (decided, values agree, pair gone) — by linkId + field. */
	clearConflicts?: Array<{ linkId: string; field: string }>;
	/** Meta fields to replace (shallow: a given watermark / backfilled / info key replaces the stored one). */
	meta?: {
		watermarks?: Partial<Record<Side, Json>>;
		backfilled?: Partial<Record<Side, boolean>>;
		info?: Record<string, Json>;
	};
}

/** A held run lock. */
export interface LockLease {
	syncId: string;
	owner: string;
	/** Epoch ms (store clock) after which another owner may take it. */
	expiresAt: number;
}

/** The store interface. */
export interface SyncStore {
	/** Creates or migrates the schema (idempotent, safe to call from two processes at once). */
	open(): Promise<void>;
	close(): Promise<void>;

	/** Takes the run lock if it is free or expired; undefined when another owner holds it. */
	acquireLock(syncId: string, owner: string, leaseMs: number): Promise<LockLease | undefined>;
	/** Extends a held lease; false when it was lost (expired and taken by another owner). */
	renewLock(syncId: string, owner: string, leaseMs: number): Promise<boolean>;
	releaseLock(syncId: string, owner: string): Promise<void>;
	/**
	 * Who holds the run lock and until when (store clock, after the last renewal); undefined when free or expired.
	 * Optional for other implementations; the three stores of this package have it.
	 */
	lockHolder?(syncId: string): Promise<LockLease | undefined>;

	getMeta(syncId: string): Promise<SyncMeta>;
	/** The links of these ids on one side, keyed by that id (ids without a link are absent). */
	getLinksByIds(syncId: string, side: Side, ids: string[]): Promise<Map<string, SyncLink>>;
	/** Every link, page by page in linkId order (never all in memory). */
	listLinks(
		syncId: string,
		options?: { status?: SyncLink['status']; pageSize?: number },
	): AsyncIterable<SyncLink[]>;
	countLinks(syncId: string, status?: SyncLink['status']): Promise<number>;
	listFailures(syncId: string): AsyncIterable<SyncFailure[]>;
	listDecisions(syncId: string): Promise<ConflictDecision[]>;
	/** Records a decision taken on a reviewed conflict (replaces an earlier one for the same link and field). */
	putDecision(syncId: string, decision: ConflictDecision): Promise<void>;
	/** The open conflicts, by linkId then field. */
	listConflicts(syncId: string): Promise<OpenConflict[]>;

	/** Applies `changes` atomically. */
	commit(syncId: string, changes: StateChanges): Promise<void>;
	/** Forgets everything of one sync (links, failures, decisions, open conflicts, meta, lock). */
	reset(syncId: string): Promise<void>;
}
