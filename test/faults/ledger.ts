/**
 * Counting for the trigger fault tests: per record, the edits made and the states emitted. A record's state is the
 * number of its edit (`e3` = third edit); an emitted item covers that edit and the earlier ones. lost = edits never
 * covered, twice = the same record state emitted more than once, unknown = an emitted record no edit was made to.
 */

/** Edits made per record and states emitted; a record's state is the number of its edit (`e3` = third edit). */
export class Ledger {
	private readonly made = new Map<string, number>();
	private readonly emitted: string[] = [];
	private unknown = 0;

	/** Records an edit of `id` and returns its value (`e<n>`). */
	edit(id: string): string {
		const n = (this.made.get(id) ?? 0) + 1;
		this.made.set(id, n);
		return `e${n}`;
	}

	/** The value the next edit of `id` will write (for creates, whose id is known only after). */
	static first = 'e1';

	see(id: string, value: unknown): void {
		if (!this.made.has(id)) {
			this.unknown++;
			return;
		}
		this.emitted.push(`${id}:${String(value)}`);
	}

	get emittedCount(): number {
		return this.emitted.length;
	}

	report(): { made: number; emitted: number; lost: number; twice: number; unknown: number } {
		const best = new Map<string, number>();
		for (const e of this.emitted) {
			const [id, value] = e.split(':');
			const n = Number(/^e(\d+)$/.exec(value)?.[1] ?? 0);
			best.set(id, Math.max(best.get(id) ?? 0, n));
		}
		let made = 0;
		let lost = 0;
		for (const [id, n] of this.made) {
			made += n;
			lost += Math.max(0, n - (best.get(id) ?? 0));
		}
		return {
			made,
			emitted: this.emitted.length,
			lost,
			twice: this.emitted.length - new Set(this.emitted).size,
			unknown: this.unknown,
		};
	}
}
