/**
 * Secondary indexes of a kit {@link Collection}: per index, a key computed from each stored record version → the
 * ids of the records with that key. The collection keeps them in step with every write, purge, restore and
 * transaction rollback, so a lookup costs O(matches) instead of a scan of the collection.
 */
import type { Fields, StoredRecord } from './store';

/** Computes a record's key for an index, or `undefined` to leave the record out of it. */
export type IndexKey<F extends Fields> = (record: StoredRecord<F>) => string | undefined;

interface Index<F extends Fields> {
	keyOf: IndexKey<F>;
	ids: Map<string, Set<string>>;
}

/** @internal The indexes of one collection. */
export class RecordIndexes<F extends Fields> {
	private readonly indexes = new Map<string, Index<F>>();

	/** Adds (or replaces) an index and fills it from `records`. */
	define(name: string, keyOf: IndexKey<F>, records: Iterable<StoredRecord<F>>): void {
		const index: Index<F> = { keyOf, ids: new Map() };
		this.indexes.set(name, index);
		for (const r of records) add(index, r);
	}

	has(name: string): boolean {
		return this.indexes.has(name);
	}

	/** Ids filed under `key` in index `name` (empty when none or no such index). */
	ids(name: string, key: string): ReadonlySet<string> {
		return this.indexes.get(name)?.ids.get(key) ?? EMPTY;
	}

	/** A record version replaces another (either may be absent: create, purge). */
	replace(prev: StoredRecord<F> | undefined, next: StoredRecord<F> | undefined): void {
		for (const index of this.indexes.values()) {
			if (prev) remove(index, prev);
			if (next) add(index, next);
		}
	}

	/** Refills every index from `records` (after the collection's contents were swapped). */
	rebuild(records: Iterable<StoredRecord<F>>): void {
		const all = [...records];
		for (const index of this.indexes.values()) {
			index.ids.clear();
			for (const r of all) add(index, r);
		}
	}
}

const EMPTY: ReadonlySet<string> = new Set();

function add<F extends Fields>(index: Index<F>, r: StoredRecord<F>): void {
	const key = index.keyOf(r);
	if (key === undefined) return;
	let ids = index.ids.get(key);
	if (!ids) index.ids.set(key, (ids = new Set()));
	ids.add(r.id);
}

function remove<F extends Fields>(index: Index<F>, r: StoredRecord<F>): void {
	const key = index.keyOf(r);
	if (key === undefined) return;
	const ids = index.ids.get(key);
	if (!ids) return;
	ids.delete(r.id);
	if (ids.size === 0) index.ids.delete(key);
}
