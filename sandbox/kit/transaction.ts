/**
 * Undo logs for atomic groups of store writes (an OData change set): {@link Store.transaction} opens one,
 * {@link Transaction.run} scopes it to an async call chain (AsyncLocalStorage), and every write made inside that
 * chain records the prior version of the record it touches and the change-log entry it added. `rollback()` puts
 * exactly those records back (newest first) and takes exactly those entries out of the change log; `commit()`
 * keeps the writes (a nested transaction hands its log to the enclosing one). Cost: O(writes of the transaction),
 * whatever the size of the store. Writes that other requests make meanwhile (outside the chain) are not recorded and
 * survive a rollback. Listeners (`onChange`) are not told of a rollback, as with `Store.restore`.
 */
import { AsyncLocalStorage } from 'node:async_hooks';

import type { Fields, StoredRecord } from './store';

/** @internal What a transaction needs from a collection and from the store. */
export interface UndoTarget {
	undo(id: string, prev: StoredRecord<Fields> | undefined): void;
}

/** @internal */
export interface TransactionOwner {
	unrecord(seqs: readonly number[]): void;
}

interface UndoEntry {
	target: UndoTarget;
	id: string;
	prev: StoredRecord<Fields> | undefined;
}

const scope = new AsyncLocalStorage<Transaction>();

/** An undo log over one store's writes; see the module comment. */
export class Transaction {
	private readonly entries: UndoEntry[] = [];
	private readonly seqs: number[] = [];
	private state: 'open' | 'committed' | 'rolledBack' = 'open';

	/** @internal Use `Store.transaction()`. */
	constructor(
		readonly owner: TransactionOwner,
		private readonly parent: Transaction | undefined,
	) {}

	/** The open transaction of `owner` in the current async call chain, if any. */
	static active(owner: TransactionOwner): Transaction | undefined {
		const tx = scope.getStore();
		return tx && tx.owner === owner && tx.state === 'open' ? tx : undefined;
	}

	/** Whether neither committed nor rolled back yet. */
	get open(): boolean {
		return this.state === 'open';
	}

	/** Number of record writes recorded so far. */
	get size(): number {
		return this.entries.length;
	}

	/** Runs `fn` with this transaction active: the store's writes made by `fn` (and what it awaits) are recorded. */
	run<T>(fn: () => T): T {
		return scope.run(this, fn);
	}

	/** @internal A write is about to replace `prev` (undefined: a create) in `target`. */
	noteWrite(target: UndoTarget, id: string, prev: StoredRecord<Fields> | undefined): void {
		this.entries.push({ target, id, prev });
	}

	/** @internal The change-log entry a write added. */
	noteEvent(seq: number): void {
		this.seqs.push(seq);
	}

	/** Keeps the writes; a nested transaction's log moves to the enclosing one (which may still roll back). */
	commit(): void {
		this.close('committed');
		if (this.parent?.open) {
			for (const e of this.entries) this.parent.entries.push(e);
			for (const s of this.seqs) this.parent.seqs.push(s);
		}
		this.entries.length = 0;
		this.seqs.length = 0;
	}

	/** Puts back every record this transaction touched and removes its change-log entries. */
	rollback(): void {
		this.close('rolledBack');
		for (let i = this.entries.length - 1; i >= 0; i--) {
			const e = this.entries[i];
			e.target.undo(e.id, e.prev);
		}
		this.owner.unrecord(this.seqs);
		this.entries.length = 0;
		this.seqs.length = 0;
	}

	private close(state: 'committed' | 'rolledBack'): void {
		if (this.state !== 'open') throw new Error(`transaction already ${this.state}`);
		this.state = state;
	}
}
