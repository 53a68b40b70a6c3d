/**
 * A record of every API request a simulator answered, so tests and benchmarks can ask "how many calls,
 * of which kind". Admin requests (`/__sandbox/...`) are not recorded.
 */

/** One recorded request. */
export interface RequestLogEntry {
	/** 1-based sequence number since the log was created (not reset by `reset()`). */
	seq: number;
	method: string;
	path: string;
	/** Query parameters; a repeated key maps to an array. */
	query: Record<string, string | string[]>;
	/** HTTP status answered, or 0 when the connection was dropped without an answer. */
	status: number;
	/** Wall-clock handling time in ms (for figures only). */
	durationMs: number;
	/** Label set by the simulator (`query`, `batch.create`, `token`, …). */
	kind?: string;
	/** Clock time (epoch ms) when the request arrived. */
	at: number;
	/** Name of the injected fault that shaped this answer, if any. */
	fault?: string;
	/** True when the connection was destroyed without an answer. */
	dropped?: boolean;
}

/** Filters for {@link RequestLog.count} and {@link RequestLog.entries}. All given criteria must match. */
export interface RequestLogFilter {
	kind?: string;
	method?: string;
	pathPrefix?: string;
	/** One status or several. */
	status?: number | readonly number[];
}

/** Label used by {@link RequestLog.byKind} for requests without a kind. */
export const UNLABELLED = '(none)';

/** Query parameters whose values are credentials: the log keeps the name and records `***` (e.g. jsforce's `oauth_token`). */
export const SECRET_QUERY_PARAMS: ReadonlySet<string> = new Set([
	'oauth_token',
	'access_token',
	'refresh_token',
	'client_secret',
	'password',
	'assertion',
	'code',
	'hapikey',
	'api_key',
	'apikey',
]);

/** Converts URLSearchParams into a plain object, keeping repeated keys as arrays; credential values are masked. */
export function queryToObject(query: URLSearchParams): Record<string, string | string[]> {
	const out: Record<string, string | string[]> = {};
	for (const [key, raw] of query) {
		const value = SECRET_QUERY_PARAMS.has(key.toLowerCase()) ? '***' : raw;
		const prev = out[key];
		if (prev === undefined) out[key] = value;
		else if (Array.isArray(prev)) prev.push(value);
		else out[key] = [prev, value];
	}
	return out;
}

/** An in-memory request log, bounded to `maxEntries` (oldest dropped first). */
export class RequestLog {
	private items: RequestLogEntry[] = [];
	private nextSeq = 1;

	constructor(private readonly maxEntries = 100_000) {}

	/** Appends an entry (the log assigns `seq`). */
	record(entry: Omit<RequestLogEntry, 'seq'>): RequestLogEntry {
		const full: RequestLogEntry = { seq: this.nextSeq++, ...entry };
		this.items.push(full);
		if (this.items.length > this.maxEntries)
			this.items.splice(0, this.items.length - this.maxEntries);
		return full;
	}

	/** Entries matching the filter, oldest first (copies). */
	entries(filter: RequestLogFilter = {}): RequestLogEntry[] {
		return this.items.filter((e) => matches(e, filter)).map((e) => ({ ...e }));
	}

	/** How many entries match the filter. */
	count(filter: RequestLogFilter = {}): number {
		let n = 0;
		for (const e of this.items) if (matches(e, filter)) n++;
		return n;
	}

	/** Counts per kind (requests without a kind under {@link UNLABELLED}). */
	byKind(filter: RequestLogFilter = {}): Record<string, number> {
		const out: Record<string, number> = {};
		for (const e of this.items) {
			if (!matches(e, filter)) continue;
			const k = e.kind ?? UNLABELLED;
			out[k] = (out[k] ?? 0) + 1;
		}
		return out;
	}

	/** The most recent entry, if any. */
	last(): RequestLogEntry | undefined {
		const e = this.items[this.items.length - 1];
		return e ? { ...e } : undefined;
	}

	/** Forgets all entries. */
	reset(): void {
		this.items = [];
	}
}

function matches(e: RequestLogEntry, f: RequestLogFilter): boolean {
	if (f.kind !== undefined && e.kind !== f.kind) return false;
	if (f.method !== undefined && e.method !== f.method.toUpperCase()) return false;
	if (f.pathPrefix !== undefined && !e.path.startsWith(f.pathPrefix)) return false;
	if (f.status !== undefined) {
		const statuses = typeof f.status === 'number' ? [f.status] : f.status;
		if (!statuses.includes(e.status)) return false;
	}
	return true;
}

/** Parses a filter from query parameters (`kind`, `method`, `pathPrefix`, `status` repeated or comma-joined). */
export function filterFromQuery(query: URLSearchParams): RequestLogFilter {
	const filter: RequestLogFilter = {};
	const kind = query.get('kind');
	if (kind !== null) filter.kind = kind;
	const method = query.get('method');
	if (method !== null) filter.method = method;
	const prefix = query.get('pathPrefix');
	if (prefix !== null) filter.pathPrefix = prefix;
	const statuses = query
		.getAll('status')
		.flatMap((s) => s.split(','))
		.map((s) => Number(s.trim()))
		.filter((n) => Number.isInteger(n));
	if (statuses.length > 0) filter.status = statuses;
	return filter;
}
