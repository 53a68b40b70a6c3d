/**
 * A dry run is the real run on stand-ins: each connector's writes are recorded and answered in memory (and laid
 * over later reads, so the run sees what it "wrote"), and the store's commits go to an overlay. The plan it
 * reports is then exactly what the real run does, with zero writes to the CRMs and zero commits to the store.
 * Every write is assumed to succeed: one the CRM would refuse is in the plan of both, but a failure only in the
 * real run's report (and what depends on it, e.g. a retry, only in later runs).
 */
import type {
	ChangePage,
	ChangesOptions,
	ContractWriteOptions,
	CrmConnector,
	WriteInput,
	WriteOperation,
	WrittenRecord,
	Watermark,
} from '../connectors/contract';
import type { BatchItemResult } from '../batching/types';
import type { CrmRecord } from '../records/types';
import { MemorySyncStore } from './store/memory';
import type { Side, StateChanges, SyncLink, SyncMeta, SyncStore } from './store/types';

export class DryRunConnector implements CrmConnector {
	private readonly patches = new Map<string, Record<string, unknown>>();
	private readonly deleted = new Set<string>();
	private readonly created = new Map<string, CrmRecord>();
	private next = 0;

	constructor(
		private readonly inner: CrmConnector,
		private readonly label: string,
	) {}

	get system() {
		return this.inner.system;
	}
	listObjectTypes() {
		return this.inner.listObjectTypes();
	}
	describe(t: string) {
		return this.inner.describe(t);
	}
	capabilities(t: string) {
		return this.inner.capabilities(t);
	}
	startWatermark(t: string, at: 'now' | number | Date, o?: { kind?: ChangesOptions['kind'] }) {
		return this.inner.startWatermark(t, at, o);
	}

	private overlay(r: CrmRecord | undefined): CrmRecord | undefined {
		if (!r?.id || this.deleted.has(r.id)) return r && !r.id ? r : undefined;
		const patch = this.patches.get(r.id);
		return patch ? { ...r, fields: { ...r.fields, ...patch } } : r;
	}

	async getByIds(t: string, ids: string[], fields?: string[]) {
		const real = ids.filter((id) => !this.created.has(id));
		const got = real.length ? await this.inner.getByIds(t, real, fields) : [];
		const byId = new Map(real.map((id, i) => [id, got[i]]));
		return ids.map((id) => this.created.get(id) ?? this.overlay(byId.get(id)));
	}

	async findByKeys(t: string, field: string, values: string[], fields?: string[]) {
		const found = await this.inner.findByKeys(t, field, values, fields);
		return values.map((v, i) => [
			...found[i].map((r) => this.overlay(r)).filter((r): r is CrmRecord => r !== undefined),
			...[...this.created.values()].filter(
				(r) => String(r.fields[field] ?? '').toLowerCase() === v.toLowerCase(),
			),
		]);
	}

	async *changesSince(
		t: string,
		w: Watermark | null,
		o?: ChangesOptions,
	): AsyncIterable<ChangePage> {
		for await (const page of this.inner.changesSince(t, w, o))
			yield {
				...page,
				records: page.records.map((r) => (r.deleted ? r : (this.overlay(r) ?? r))),
			};
	}

	async write(
		op: WriteOperation,
		t: string,
		inputs: WriteInput[],
		options?: ContractWriteOptions,
	): Promise<Array<BatchItemResult<WrittenRecord>>> {
		const key = options?.key;
		// An upsert updates the one record with the key's value (read, never written), else creates.
		const found =
			op === 'upsert' && key
				? await this.findByKeys(
						t,
						key,
						inputs.map((i) => String(i.fields[key] ?? '').trim()),
						[key],
					)
				: [];
		return inputs.map((input, index) => {
			if (op === 'upsert' && found[index]?.length === 1) {
				const id = found[index][0].id as string;
				this.patches.set(id, { ...this.patches.get(id), ...input.fields });
				return { index, ok: true, value: { id, created: false } };
			}
			if (op === 'create' || op === 'upsert') {
				const id = `(dry-run ${this.label} ${++this.next})`;
				this.created.set(id, { id, type: t, fields: { ...input.fields }, source: this.system });
				return { index, ok: true, value: { id, created: true } };
			}
			const id = input.id as string;
			if (op === 'delete') this.deleted.add(id);
			else this.patches.set(id, { ...this.patches.get(id), ...input.fields });
			return { index, ok: true, value: { id } };
		});
	}
}

/** Reads the real store, commits to memory; the locks are the real store's. */
export class OverlayStore implements SyncStore {
	private readonly mem = new MemorySyncStore();
	/** linkIds changed or removed in the overlay. */
	private readonly touched = new Set<string>();

	constructor(private readonly real: SyncStore) {}

	open() {
		return Promise.resolve();
	}
	close() {
		return Promise.resolve();
	}
	acquireLock(s: string, o: string, l: number) {
		return this.real.acquireLock(s, o, l);
	}
	renewLock(s: string, o: string, l: number) {
		return this.real.renewLock(s, o, l);
	}
	releaseLock(s: string, o: string) {
		return this.real.releaseLock(s, o);
	}
	async lockHolder(s: string) {
		return this.real.lockHolder?.(s);
	}
	async getMeta(syncId: string): Promise<SyncMeta> {
		const [r, m] = await Promise.all([this.real.getMeta(syncId), this.mem.getMeta(syncId)]);
		return {
			watermarks: { ...r.watermarks, ...m.watermarks },
			backfilled: { ...r.backfilled, ...m.backfilled },
			info: { ...r.info, ...m.info },
		};
	}
	async getLinksByIds(syncId: string, side: Side, ids: string[]) {
		const out = new Map<string, SyncLink>();
		for (const [id, link] of await this.real.getLinksByIds(syncId, side, ids))
			if (!this.touched.has(link.linkId)) out.set(id, link);
		for (const [id, link] of await this.mem.getLinksByIds(syncId, side, ids)) out.set(id, link);
		return out;
	}
	async *listLinks(
		syncId: string,
		options?: { status?: SyncLink['status']; pageSize?: number },
	): AsyncIterable<SyncLink[]> {
		for await (const page of this.real.listLinks(syncId, options))
			yield page.filter((l) => !this.touched.has(l.linkId));
	}
	countLinks(syncId: string, status?: SyncLink['status']) {
		return this.real.countLinks(syncId, status);
	}
	listFailures(syncId: string) {
		return this.real.listFailures(syncId);
	}
	listDecisions(syncId: string) {
		return this.real.listDecisions(syncId);
	}
	async putDecision(): Promise<void> {}
	listConflicts(syncId: string) {
		return this.real.listConflicts(syncId);
	}
	async commit(syncId: string, changes: StateChanges): Promise<void> {
		for (const l of changes.upsertLinks ?? []) this.touched.add(l.linkId);
		for (const id of changes.deleteLinks ?? []) this.touched.add(id);
		await this.mem.commit(syncId, changes);
	}
	async reset(): Promise<void> {}
}
