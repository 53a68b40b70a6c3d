/**
 * In-memory record storage for simulators: one {@link Collection} per object type, ids from pluggable
 * generators, created/updated timestamps from an injectable clock, soft delete (for queryAll /
 * getDeleted / tombstones), stable insertion order, and a change log with sequence numbers for
 * "updated/deleted since" endpoints and delta links.
 *
 * Records are immutable snapshots (frozen): every write stores a new object, so a page a handler has
 * built never changes under it.
 */
import { systemClock, type Clock } from './clock';
import { numericIdGenerator, type IdGenerator } from './ids';
import { RecordIndexes, type IndexKey } from './storeIndex';
import { Transaction, type TransactionOwner, type UndoTarget } from './transaction';

/** Field values of a record. */
export type Fields = Record<string, unknown>;

/** A stored record (frozen). */
export interface StoredRecord<F extends Fields = Fields> {
	readonly id: string;
	readonly type: string;
	readonly fields: Readonly<F>;
	/** Epoch ms. */
	readonly createdAt: number;
	/** Epoch ms of the last create/update/delete/restore. */
	readonly updatedAt: number;
	/** Epoch ms of the soft delete, or null. */
	readonly deletedAt: number | null;
	/** 1 on create, +1 on every change (usable as an ETag). */
	readonly version: number;
	/** Insertion position within its collection (stable order). */
	readonly position: number;
}

/** What happened to a record. */
export type ChangeKind = 'created' | 'updated' | 'deleted' | 'restored' | 'purged';

/** One entry of the change log. */
export interface ChangeEvent {
	/** Store-wide, strictly increasing sequence number. */
	readonly seq: number;
	readonly kind: ChangeKind;
	readonly type: string;
	readonly id: string;
	/** Epoch ms (the record's timestamp for this change). */
	readonly at: number;
}

/** A time window over the change log: `since < at <= until` (either bound optional). */
export interface ChangeWindow {
	since?: number;
	until?: number;
	kinds?: readonly ChangeKind[];
}

/** @internal One collection's contents inside a {@link StoreSnapshot}. */
export interface CollectionState {
	byId: ReadonlyMap<string, StoredRecord<Fields>>;
	order: readonly string[];
	nextPosition: number;
}

/** What {@link Store.snapshot} returns (opaque to callers). */
export interface StoreSnapshot {
	readonly seq: number;
	readonly logLength: number;
	readonly collections: ReadonlyMap<string, CollectionState>;
}

/** Options for {@link Store}. */
export interface StoreOptions {
	clock?: Clock;
	/**
	 * When true (default), timestamps are strictly increasing across the store: a write in the same
	 * millisecond as the previous one gets the previous stamp + 1 ms, so watermark tests are
	 * deterministic. Set false to get real clock values, ties included (to test tie handling).
	 */
	strictTimestamps?: boolean;
}

/** Options for {@link Store.collection}. */
export interface CollectionOptions {
	idGenerator?: IdGenerator;
}

/** Thrown when creating a record whose id already exists. */
export class DuplicateIdError extends Error {
	constructor(
		readonly type: string,
		readonly id: string,
	) {
		super(`${type} ${id} already exists`);
		this.name = 'DuplicateIdError';
	}
}

/** Holds every collection, the shared clock and the change log. */
export class Store implements TransactionOwner {
	readonly clock: Clock;
	private readonly strict: boolean;
	private lastStamp = Number.NEGATIVE_INFINITY;
	private seq = 0;
	private readonly log: ChangeEvent[] = [];
	private readonly collections = new Map<string, Collection<Fields>>();
	private readonly listeners = new Set<(event: ChangeEvent) => void>();

	constructor(options: StoreOptions = {}) {
		this.clock = options.clock ?? systemClock;
		this.strict = options.strictTimestamps ?? true;
	}

	/** The collection for `type`, created on first use (later options are ignored). */
	collection<F extends Fields = Fields>(
		type: string,
		options: CollectionOptions = {},
	): Collection<F> {
		let c = this.collections.get(type);
		if (!c) {
			c = new Collection<Fields>(type, this, options.idGenerator ?? numericIdGenerator());
			this.collections.set(type, c);
		}
		return c as unknown as Collection<F>;
	}

	/** An existing collection, if any. */
	get<F extends Fields = Fields>(type: string): Collection<F> | undefined {
		return this.collections.get(type) as Collection<F> | undefined;
	}

	/** Names of all collections. */
	types(): string[] {
		return [...this.collections.keys()];
	}

	/** The latest change sequence number (0 before any change). */
	get lastSeq(): number {
		return this.seq;
	}

	/** Change events in a time window, optionally for some types, in order. */
	changes(window: ChangeWindow & { types?: readonly string[] } = {}): ChangeEvent[] {
		return this.log.filter(
			(e) => inWindow(e, window) && (!window.types || window.types.includes(e.type)),
		);
	}

	/** Change events after a sequence number (for delta tokens), optionally for some types. */
	changesAfter(seq: number, types?: readonly string[]): ChangeEvent[] {
		const start = lowerBound(this.log, seq);
		const out: ChangeEvent[] = [];
		for (let i = start; i < this.log.length; i++) {
			const e = this.log[i];
			if (!types || types.includes(e.type)) out.push(e);
		}
		return out;
	}

	/** Empties every collection and the change log (the clock and id generators carry on). */
	clear(): void {
		for (const c of this.collections.values()) c.clearRecords();
		this.log.length = 0;
	}

	/**
	 * A copy of every collection's records and of the change log position, to put back with {@link restore} (an
	 * atomic group of writes that failed half-way, e.g. an OData change set). Records are immutable, so this copies
	 * maps of references, not records.
	 */
	snapshot(): StoreSnapshot {
		return {
			seq: this.seq,
			logLength: this.log.length,
			collections: new Map([...this.collections].map(([type, c]) => [type, c.state()])),
		};
	}

	/**
	 * Puts the records and the change log back as they were at `snapshot` time: writes since then disappear as if
	 * never made (no `purged` events, the change log is cut back and sequence numbers are reused). Listeners are not
	 * told. Writes made meanwhile by other requests are undone too — use it around writes that run as one unit.
	 */
	restore(snapshot: StoreSnapshot): void {
		for (const [type, c] of this.collections) {
			const state = snapshot.collections.get(type);
			if (state) c.setState(state);
			else c.clearRecords();
		}
		this.log.length = snapshot.logLength;
		this.seq = snapshot.seq;
	}

	/**
	 * Opens an undo log for an atomic group of writes: run the writes inside `tx.run(...)`, then `tx.commit()` or
	 * `tx.rollback()` (see {@link Transaction}). Unlike {@link snapshot}, it costs O(writes), not O(store), and a
	 * rollback leaves writes made by other, concurrent requests alone. Opened inside another transaction's `run`,
	 * it nests (its commit hands its writes to the enclosing one).
	 */
	transaction(): Transaction {
		return new Transaction(this, Transaction.active(this));
	}

	/** @internal The transaction the current async call chain writes under, if any. */
	activeTransaction(): Transaction | undefined {
		return Transaction.active(this);
	}

	/**
	 * @internal Takes a rolled-back transaction's entries out of the change log. When they are the newest entries,
	 * their sequence numbers are reused (as after {@link restore}); otherwise they are removed where they are and the
	 * sequence carries on.
	 */
	unrecord(seqs: readonly number[]): void {
		if (seqs.length === 0) return;
		const mine = new Set(seqs);
		const first = Math.min(...seqs);
		const start = lowerBound(this.log, first - 1);
		if (this.log.length - start === mine.size && this.log[this.log.length - 1]?.seq === this.seq) {
			this.log.length = start;
			this.seq = first - 1;
			return;
		}
		const kept = this.log.slice(start).filter((e) => !mine.has(e.seq));
		this.log.length = start;
		for (const e of kept) this.log.push(e);
	}

	/** @internal A timestamp for a write. */
	stamp(): number {
		let t = this.clock.now();
		if (this.strict && t <= this.lastStamp) t = this.lastStamp + 1;
		if (t > this.lastStamp) this.lastStamp = t;
		return t;
	}

	/**
	 * Calls `listener` after every change, once the new record version is stored (read it with
	 * `collection(event.type).get(event.id, { includeDeleted: true })`); returns an unsubscribe function.
	 */
	onChange(listener: (event: ChangeEvent) => void): () => void {
		this.listeners.add(listener);
		return () => this.listeners.delete(listener);
	}

	/** @internal Appends to the change log. */
	record(kind: ChangeKind, type: string, id: string, at: number): void {
		this.seq++;
		const event = Object.freeze({ seq: this.seq, kind, type, id, at });
		this.log.push(event);
		this.activeTransaction()?.noteEvent(this.seq);
		for (const listener of this.listeners) listener(event);
	}
}

function inWindow(e: ChangeEvent, w: ChangeWindow): boolean {
	if (w.since !== undefined && !(e.at > w.since)) return false;
	if (w.until !== undefined && !(e.at <= w.until)) return false;
	if (w.kinds && !w.kinds.includes(e.kind)) return false;
	return true;
}

/** First index whose seq is greater than `seq` (log is sorted by seq). */
function lowerBound(log: readonly ChangeEvent[], seq: number): number {
	let lo = 0;
	let hi = log.length;
	while (lo < hi) {
		const mid = (lo + hi) >>> 1;
		if (log[mid].seq <= seq) lo = mid + 1;
		else hi = mid;
	}
	return lo;
}

/** Options for {@link Collection.list}. */
export interface ListOptions<F extends Fields> {
	/** Include soft-deleted records (default false). */
	includeDeleted?: boolean;
	/** Only soft-deleted records. */
	deletedOnly?: boolean;
	filter?: (record: StoredRecord<F>) => boolean;
}

/** The records of one object type. */
export class Collection<F extends Fields = Fields> implements UndoTarget {
	private readonly byId = new Map<string, StoredRecord<F>>();
	private readonly indexes = new RecordIndexes<F>();
	private order: string[] = [];
	private nextPosition = 0;

	constructor(
		readonly type: string,
		private readonly store: Store,
		private readonly nextId: IdGenerator,
	) {}

	/** Creates a record with a generated id (or `options.id`). @throws DuplicateIdError */
	create(fields: F, options: { id?: string } = {}): StoredRecord<F> {
		const id = options.id ?? this.nextId();
		if (this.byId.has(id)) throw new DuplicateIdError(this.type, id);
		const at = this.store.stamp();
		const record = freeze<F>({
			id,
			type: this.type,
			fields: { ...fields },
			createdAt: at,
			updatedAt: at,
			deletedAt: null,
			version: 1,
			position: this.nextPosition++,
		});
		this.noteUndo(id, undefined);
		this.byId.set(id, record);
		this.indexes.replace(undefined, record);
		this.order.push(id);
		this.store.record('created', this.type, id, at);
		return record;
	}

	/** A record by id; soft-deleted ones only with `includeDeleted`. */
	get(id: string, options: { includeDeleted?: boolean } = {}): StoredRecord<F> | undefined {
		const r = this.byId.get(id);
		if (!r || (r.deletedAt !== null && !options.includeDeleted)) return undefined;
		return r;
	}

	/** Whether a live (not deleted) record exists. */
	has(id: string): boolean {
		return this.get(id) !== undefined;
	}

	/**
	 * Merges `patch` into a live record (`undefined` values are ignored, `null` is stored). Returns the new
	 * snapshot, or undefined when there is no live record with that id.
	 */
	update(id: string, patch: Partial<F>): StoredRecord<F> | undefined {
		const r = this.get(id);
		if (!r) return undefined;
		const fields: Fields = { ...r.fields };
		for (const [k, v] of Object.entries(patch)) if (v !== undefined) fields[k] = v;
		return this.write(r, { fields: fields as F }, 'updated');
	}

	/** Replaces all fields of a live record. */
	replace(id: string, fields: F): StoredRecord<F> | undefined {
		const r = this.get(id);
		if (!r) return undefined;
		return this.write(r, { fields: { ...fields } }, 'updated');
	}

	/** Soft-deletes a live record; returns its tombstone, or undefined if none. */
	delete(id: string): StoredRecord<F> | undefined {
		const r = this.get(id);
		if (!r) return undefined;
		return this.write(r, {}, 'deleted');
	}

	/** Undeletes a soft-deleted record. */
	restore(id: string): StoredRecord<F> | undefined {
		const r = this.byId.get(id);
		if (!r || r.deletedAt === null) return undefined;
		return this.write(r, {}, 'restored');
	}

	/** Removes a record for good (live or deleted), e.g. emptying a recycle bin. */
	purge(id: string): boolean {
		const r = this.byId.get(id);
		if (!r) return false;
		this.noteUndo(id, r);
		this.byId.delete(id);
		this.indexes.replace(r, undefined);
		this.order = this.order.filter((x) => x !== id);
		this.store.record('purged', this.type, id, this.store.stamp());
		return true;
	}

	/** Removes many records for good in one pass (O(n) instead of O(n) per id); returns how many existed. */
	purgeMany(ids: Iterable<string>): number {
		const gone = new Set<string>();
		for (const id of ids) {
			const r = this.byId.get(id);
			if (!r || gone.has(id)) continue;
			this.noteUndo(id, r);
			this.byId.delete(id);
			this.indexes.replace(r, undefined);
			gone.add(id);
		}
		if (gone.size === 0) return 0;
		this.order = this.order.filter((x) => !gone.has(x));
		const at = this.store.stamp();
		for (const id of gone) this.store.record('purged', this.type, id, at);
		return gone.size;
	}

	/** Records in stable (creation) order. */
	list(options: ListOptions<F> = {}): StoredRecord<F>[] {
		const out: StoredRecord<F>[] = [];
		for (const id of this.order) {
			const r = this.byId.get(id) as StoredRecord<F>;
			const deleted = r.deletedAt !== null;
			if (options.deletedOnly ? !deleted : deleted && !options.includeDeleted) continue;
			if (options.filter && !options.filter(r)) continue;
			out.push(r);
		}
		return out;
	}

	/**
	 * Like {@link list}, from the first record (in creation order) for which `before` is false, at most `limit` records:
	 * a page of a list read by a cursor that grows with creation order (e.g. numeric ids), found by binary search
	 * instead of a scan. `before` must hold for a prefix of the records only.
	 */
	listFrom(
		before: (record: StoredRecord<F>) => boolean,
		options: ListOptions<F> & { limit: number },
	): StoredRecord<F>[] {
		let lo = 0;
		let hi = this.order.length;
		while (lo < hi) {
			const mid = (lo + hi) >>> 1;
			if (before(this.byId.get(this.order[mid]) as StoredRecord<F>)) lo = mid + 1;
			else hi = mid;
		}
		const out: StoredRecord<F>[] = [];
		for (let i = lo; i < this.order.length && out.length < options.limit; i++) {
			const r = this.byId.get(this.order[i]) as StoredRecord<F>;
			const deleted = r.deletedAt !== null;
			if (options.deletedOnly ? !deleted : deleted && !options.includeDeleted) continue;
			if (options.filter && !options.filter(r)) continue;
			out.push(r);
		}
		return out;
	}

	/** The first live record matching a predicate. */
	find(predicate: (record: StoredRecord<F>) => boolean): StoredRecord<F> | undefined {
		for (const id of this.order) {
			const r = this.byId.get(id) as StoredRecord<F>;
			if (r.deletedAt === null && predicate(r)) return r;
		}
		return undefined;
	}

	/** Live records whose field equals `value` (strict equality; strings compared case-insensitively when `caseInsensitive`). */
	findBy(
		field: keyof F & string,
		value: unknown,
		options: { caseInsensitive?: boolean } = {},
	): StoredRecord<F>[] {
		const norm = (v: unknown) =>
			options.caseInsensitive && typeof v === 'string' ? v.toLowerCase() : v;
		const target = norm(value);
		return this.list({ filter: (r) => norm(r.fields[field]) === target });
	}

	/** Number of live records (or all with `includeDeleted`). */
	count(options: { includeDeleted?: boolean } = {}): number {
		if (options.includeDeleted) return this.order.length;
		let n = 0;
		for (const r of this.byId.values()) if (r.deletedAt === null) n++;
		return n;
	}

	/** This collection's change events in a window. */
	changes(window: ChangeWindow = {}): ChangeEvent[] {
		return this.store.changes({ ...window, types: [this.type] });
	}

	/**
	 * Ids of records created or updated (or restored) in the window that are live now, each once, in order
	 * of their latest such change (Salesforce `getUpdated`).
	 */
	updatedIds(window: { since?: number; until?: number } = {}): string[] {
		const latest = new Map<string, number>();
		for (const e of this.changes({ ...window, kinds: ['created', 'updated', 'restored'] })) {
			latest.delete(e.id);
			latest.set(e.id, e.seq);
		}
		return [...latest.keys()].filter((id) => this.has(id));
	}

	/** Records deleted in the window that are still deleted or purged now (Salesforce `getDeleted`). */
	deletedIds(
		window: { since?: number; until?: number } = {},
	): Array<{ id: string; deletedAt: number }> {
		const latest = new Map<string, number>();
		for (const e of this.changes({ ...window, kinds: ['deleted'] })) {
			latest.delete(e.id);
			latest.set(e.id, e.at);
		}
		return [...latest]
			.filter(([id]) => !this.has(id))
			.map(([id, deletedAt]) => ({ id, deletedAt }));
	}

	/**
	 * What changed after a sequence number, collapsed to each record's current state: `changed` holds live
	 * records, `deleted` the ids that are gone; `seq` is the token for the next call.
	 */
	deltaSince(seq: number): {
		changed: StoredRecord<F>[];
		deleted: Array<{ id: string; at: number }>;
		seq: number;
	} {
		const touched = new Map<string, ChangeEvent>();
		for (const e of this.store.changesAfter(seq, [this.type])) {
			touched.delete(e.id);
			touched.set(e.id, e);
		}
		const changed: StoredRecord<F>[] = [];
		const deleted: Array<{ id: string; at: number }> = [];
		for (const [id, e] of touched) {
			const live = this.get(id);
			if (live) changed.push(live);
			else deleted.push({ id, at: e.at });
		}
		return { changed, deleted, seq: this.store.lastSeq };
	}

	/** @internal Used by {@link Store.snapshot}. */
	state(): CollectionState {
		return { byId: new Map(this.byId), order: [...this.order], nextPosition: this.nextPosition };
	}

	/** @internal Used by {@link Store.restore}. */
	setState(state: CollectionState): void {
		this.byId.clear();
		for (const [id, r] of state.byId) this.byId.set(id, r as StoredRecord<F>);
		this.order = [...state.order];
		this.nextPosition = state.nextPosition;
		this.indexes.rebuild(this.byId.values());
	}

	/** @internal Used by {@link Store.clear}. */
	clearRecords(): void {
		this.byId.clear();
		this.order = [];
		this.indexes.rebuild([]);
	}

	/**
	 * Adds a secondary index: `keyOf` files each record version under a key (or nowhere, with `undefined`); kept in
	 * step with every write, purge, restore and rollback. Read it with {@link lookup}.
	 */
	defineIndex(name: string, keyOf: IndexKey<F>): void {
		this.indexes.define(name, keyOf, this.byId.values());
	}

	/** Whether index `name` is defined. */
	hasIndex(name: string): boolean {
		return this.indexes.has(name);
	}

	/** Records (live or deleted, as `keyOf` filed them) under `key` in index `name`, in creation order. */
	lookup(name: string, key: string): StoredRecord<F>[] {
		if (!this.indexes.has(name)) throw new Error(`${this.type}: no index '${name}'`);
		const out: StoredRecord<F>[] = [];
		for (const id of this.indexes.ids(name, key)) out.push(this.byId.get(id)!);
		return out.length > 1 ? out.sort((a, b) => a.position - b.position) : out;
	}

	/** @internal Puts `prev` back for `id` (undefined: the record was created, so it goes). Transaction rollback. */
	undo(id: string, prev: StoredRecord<Fields> | undefined): void {
		const cur = this.byId.get(id);
		const back = prev as StoredRecord<F> | undefined;
		if (!back) {
			if (!cur) return;
			this.byId.delete(id);
			this.indexes.replace(cur, undefined);
			const i = this.order.lastIndexOf(id);
			if (i >= 0) this.order.splice(i, 1);
			if (cur.position === this.nextPosition - 1) this.nextPosition--;
			return;
		}
		this.byId.set(id, back);
		this.indexes.replace(cur, back);
		if (cur) return;
		// A purged record: back to its place in creation order.
		let lo = 0;
		let hi = this.order.length;
		while (lo < hi) {
			const mid = (lo + hi) >>> 1;
			if (this.byId.get(this.order[mid])!.position < back.position) lo = mid + 1;
			else hi = mid;
		}
		this.order.splice(lo, 0, id);
	}

	private noteUndo(id: string, prev: StoredRecord<F> | undefined): void {
		this.store.activeTransaction()?.noteWrite(this, id, prev as StoredRecord<Fields> | undefined);
	}

	private write(
		prev: StoredRecord<F>,
		changes: { fields?: F },
		kind: 'updated' | 'deleted' | 'restored',
	): StoredRecord<F> {
		const at = this.store.stamp();
		const next = freeze<F>({
			...prev,
			fields: changes.fields ?? prev.fields,
			updatedAt: at,
			deletedAt: kind === 'deleted' ? at : kind === 'restored' ? null : prev.deletedAt,
			version: prev.version + 1,
		});
		this.noteUndo(prev.id, prev);
		this.byId.set(prev.id, next);
		this.indexes.replace(prev, next);
		this.store.record(kind, this.type, prev.id, at);
		return next;
	}
}

function freeze<F extends Fields>(r: StoredRecord<F>): StoredRecord<F> {
	Object.freeze(r.fields);
	return Object.freeze(r);
}
