/**
 * `POST /crm/v3/objects/{type}/search` for the HubSpot simulator, over the query parser in `search.ts`: the
 * 10,000-result ceiling, a small cache of ordered results per query, and the search index delay (writes reach
 * search `searchIndexDelayMs` clock ms after they were made; until then search sees the version before them).
 */
import {
	HttpError,
	json,
	type Clock,
	type Collection,
	type Reply,
	type SandboxRequest,
	type SandboxServer,
	type Store,
} from '../kit';
import type { Fields, HubSpotData, Rec } from './data';
import type { ObjectTypeDef } from './schema';
import { DEFAULT_SEARCH_LIMITS, parseSearch, type SearchLimits } from './search';
import { hubspotError } from './wire';

/** Search over the store, with its limits, result cache and (optional) index delay. */
export class SearchIndex {
	private limits: SearchLimits;
	private readonly cache = new Map<string, { seq: string; records: Rec[] }>();
	/** With an index delay: what search sees per object type, and the writes not yet indexed (in write order). */
	private delayMs = 0;
	private readonly indexed = new Map<string, Map<string, Rec>>();
	private readonly queue: Array<{
		visibleAt: number;
		type: string;
		id: string;
		record: Rec | undefined;
	}> = [];

	constructor(
		private readonly store: Store,
		private readonly clock: Clock,
		private readonly data: HubSpotData,
		limits: Partial<SearchLimits> | undefined,
	) {
		this.limits = { ...DEFAULT_SEARCH_LIMITS, ...limits };
		this.store.onChange((e) => {
			if (this.delayMs <= 0) return;
			const record = this.store.get(e.type)?.get(e.id, { includeDeleted: true }) as Rec | undefined;
			this.queue.push({
				visibleAt: this.clock.now() + this.delayMs,
				type: e.type,
				id: e.id,
				record,
			});
		});
	}

	/**
	 * Sets how long writes take to become searchable (clock ms; 0 = at once). Records written so far count as
	 * indexed; later writes reach search `ms` after they were made.
	 */
	setDelay(ms: number): void {
		if (!(ms >= 0) || !Number.isFinite(ms))
			throw new RangeError(`searchIndexDelayMs must be a non-negative number, got ${ms}`);
		this.delayMs = ms;
		this.indexed.clear();
		this.queue.length = 0;
		this.cache.clear();
		if (ms === 0) return;
		for (const type of this.store.types()) {
			const byId = new Map<string, Rec>();
			for (const r of (this.store.get(type) as Collection<Fields>).list()) byId.set(r.id, r as Rec);
			this.indexed.set(type, byId);
		}
	}

	setLimits(limits: Partial<SearchLimits>): void {
		this.limits = { ...this.limits, ...limits };
	}

	/** Forgets cached results, the index and pending writes (the delay stays). */
	clear(): void {
		this.cache.clear();
		this.indexed.clear();
		this.queue.length = 0;
	}

	/** The records search sees for a type: all current ones, or (with an index delay) the versions indexed by now. */
	private searchable(def: ObjectTypeDef, filter: (r: Rec) => boolean): Rec[] {
		if (this.delayMs <= 0) return this.data.coll(def).list({ filter }) as Rec[];
		const now = this.clock.now();
		while (this.queue.length > 0 && this.queue[0].visibleAt <= now) {
			const { type, id, record } = this.queue.shift() as (typeof this.queue)[number];
			let byId = this.indexed.get(type);
			if (!byId) this.indexed.set(type, (byId = new Map()));
			if (record && record.deletedAt === null) byId.set(id, record);
			else byId.delete(id);
		}
		const indexed = this.indexed.get(def.objectTypeId);
		return indexed ? [...indexed.values()].filter(filter) : [];
	}

	/** `POST /crm/v3/objects/:type/search`. */
	async handle(req: SandboxRequest): Promise<Reply> {
		const data = this.data;
		const def = data.mustType(req.params.type);
		const body = await req.json<unknown>();
		const get = data.getter(def);
		const q = parseSearch(def, body, get, this.limits, (typeName) => {
			const to = data.objectType(typeName);
			return to
				? (r) =>
						data.associations.linked(def.objectTypeId, r.id, to.objectTypeId).map((l) => l.toId)
				: undefined;
		});
		const max = this.limits.maxResults;
		if (q.after + q.limit > max) {
			throw hubspotError(
				400,
				'VALIDATION_ERROR',
				`Search results are limited to the first ${max} matches: after (${q.after}) + limit (${q.limit}) exceeds ${max}. Narrow the filters (e.g. by hs_object_id or ${def.lastModifiedProperty} ranges) to reach later records.`,
			);
		}
		// With an index delay the result depends on the clock too: no caching then.
		const seq =
			this.delayMs > 0
				? `t${this.clock.now()}:${this.queue.length}:${this.store.lastSeq}:${data.associations.version}`
				: `${this.store.lastSeq}:${data.associations.version}`;
		let hit = this.cache.get(q.key);
		if (!hit || hit.seq !== seq) {
			const records = q.order(this.searchable(def, q.matches)) as Rec[];
			hit = { seq, records };
			this.cache.set(q.key, hit);
			if (this.cache.size > 16) this.cache.delete(this.cache.keys().next().value as string);
		}
		const page = hit.records.slice(q.after, q.after + q.limit);
		const next = q.after + q.limit < hit.records.length ? String(q.after + q.limit) : undefined;
		return json({
			total: hit.records.length,
			results: page.map((r) => data.recordJson(def, r, q.properties)),
			...(next !== undefined ? { paging: { next: { after: next } } } : {}),
		});
	}

	/** `GET|PUT /__sandbox/search-index-delay`. */
	installAdmin(s: SandboxServer): void {
		s.admin('GET', '/search-index-delay', () => json({ ms: this.delayMs }));
		s.admin('PUT', '/search-index-delay', async (req) => {
			const body = await req.json<{ ms?: unknown }>();
			if (typeof body?.ms !== 'number' || !(body.ms >= 0) || !Number.isFinite(body.ms))
				throw new HttpError(
					400,
					'ms must be a non-negative number of milliseconds',
					'invalid_delay',
				);
			this.setDelay(body.ms);
			return json({ ms: this.delayMs });
		});
	}
}
