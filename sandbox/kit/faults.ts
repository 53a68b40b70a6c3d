/**
 * Fault injection a test switches on at runtime: 429 bursts, 5xx answers, slow answers, dropped
 * connections, expired tokens and partial batch failures. Each fault applies to matching requests for a
 * number of requests (`count`), a span of clock time (`durationMs`) and/or with a probability drawn from a
 * seeded generator, so runs are reproducible.
 */
import { sleep as realSleep, systemClock, type Clock } from './clock';
import { HttpError, json, type Middleware, type Reply, type SandboxRequest } from './http';
import { SeededRandom } from './rng';

/** Which requests a fault applies to; all given criteria must hold. */
export interface FaultMatch {
	/** Regular expression (or its source) tested against the request path. */
	path?: string | RegExp;
	/** Methods (any case). */
	methods?: string[];
	/** Request-log kinds (as set by the route). */
	kinds?: string[];
}

/** Settings common to every fault. */
export interface FaultBase {
	/** How many matching requests (or batch calls) it affects. Default 1 unless `durationMs` or `probability` is set (then unlimited). */
	count?: number;
	/** Affect each matching request with this probability (0..1), drawn from the seeded generator. */
	probability?: number;
	/** Active for this many ms of clock time from when it is added. */
	durationMs?: number;
	match?: FaultMatch;
}

/** Answer 429 (or another status) with `Retry-After`. */
export interface RateLimitFault extends FaultBase {
	type: 'rateLimit';
	/** Seconds for `Retry-After` (default: the remaining duration, else 1). */
	retryAfterSeconds?: number;
	status?: number;
}

/** Answer a 5xx. */
export interface ServerErrorFault extends FaultBase {
	type: 'serverError';
	/** Default 500. */
	status?: number;
	message?: string;
}

/** Delay the answer by `delayMs` (added before handling). */
export interface SlowFault extends FaultBase {
	type: 'slow';
	delayMs: number;
}

/**
 * Destroy the connection without answering: `beforeBody` (nothing read), `afterBody` (body read, nothing
 * done) or `afterHandler` (the request was fully processed — state changed — but the answer is lost).
 */
export interface DropFault extends FaultBase {
	type: 'drop';
	when?: 'beforeBody' | 'afterBody' | 'afterHandler';
}

/** Fail chosen records of batch calls (consulted by a simulator's batch endpoint). */
export interface BatchFailureFault extends FaultBase {
	type: 'batchFailure';
	/** Item positions (0-based) to fail. Default `[0]` when neither `ids` nor `itemProbability` is given. */
	indexes?: number[];
	/** Record ids to fail (when the simulator can name an item's id). */
	ids?: string[];
	/** Fail each item with this probability instead. */
	itemProbability?: number;
	/** Per-item status to report (default 500). */
	status?: number;
	/** Per-item error code (default `INJECTED_FAILURE`). */
	code?: string;
	message?: string;
}

/** Any fault specification. */
export type FaultSpec =
	| RateLimitFault
	| ServerErrorFault
	| SlowFault
	| DropFault
	| BatchFailureFault;

/** A fault as listed, with its id and what is left of it. */
export type ActiveFault = FaultSpec & {
	id: string;
	remaining: number | null;
	until: number | null;
	hits: number;
};

/** The injected failure of one batch item. */
export interface ItemFailure {
	status: number;
	code: string;
	message: string;
}

/** How a simulator shapes fault answers in its vendor's wire format. */
export interface FaultReplies {
	rateLimited(req: SandboxRequest, retryAfterSeconds: number, status: number): Reply;
	serverError(req: SandboxRequest, status: number, message: string): Reply;
}

/** Generic JSON fault answers. */
export const defaultFaultReplies: FaultReplies = {
	rateLimited: (_req, retryAfter, status) =>
		json({ error: 'rate_limited', message: 'Too many requests (injected)' }, status, {
			'Retry-After': String(retryAfter),
		}),
	serverError: (_req, status, message) => json({ error: 'server_error', message }, status),
};

/** Options for {@link FaultInjector}. */
export interface FaultInjectorOptions {
	clock?: Clock;
	seed?: number;
	replies?: Partial<FaultReplies>;
	/** Delay function (default real timers). */
	sleep?: (ms: number) => Promise<void>;
}

interface Stored {
	id: string;
	spec: FaultSpec;
	remaining: number | null;
	until: number | null;
	regex?: RegExp;
	hits: number;
}

const TERMINAL = new Set(['rateLimit', 'serverError', 'drop']);

/** Holds the active faults and applies them (as server middleware and for batch endpoints). */
export class FaultInjector {
	private faults: Stored[] = [];
	private nextId = 1;
	private rng: SeededRandom;
	private readonly clock: Clock;
	private replies: FaultReplies;
	private readonly sleep: (ms: number) => Promise<void>;
	private readonly expireListeners = new Set<() => number>();

	constructor(options: FaultInjectorOptions = {}) {
		this.clock = options.clock ?? systemClock;
		this.rng = new SeededRandom(options.seed ?? 1);
		this.replies = { ...defaultFaultReplies, ...options.replies };
		this.sleep = options.sleep ?? realSleep;
	}

	/** Replaces how fault answers are shaped (a simulator sets its vendor's format). */
	setReplies(replies: Partial<FaultReplies>): void {
		this.replies = { ...this.replies, ...replies };
	}

	/** Re-seeds the generator used for probabilities. */
	reseed(seed: number): void {
		this.rng = new SeededRandom(seed);
	}

	/** Adds a fault and returns its id. Throws `HttpError(400)` on an invalid specification. */
	add(spec: FaultSpec): string {
		validateFault(spec);
		const id = `f${this.nextId++}`;
		const unlimited = spec.durationMs !== undefined || spec.probability !== undefined;
		const stored: Stored = {
			id,
			spec,
			remaining: spec.count ?? (unlimited ? null : 1),
			until: spec.durationMs !== undefined ? this.clock.now() + spec.durationMs : null,
			hits: 0,
		};
		if (spec.match?.path !== undefined) {
			stored.regex =
				typeof spec.match.path === 'string' ? new RegExp(spec.match.path) : spec.match.path;
		}
		this.faults.push(stored);
		return id;
	}

	/** Removes one fault; true if it existed. */
	remove(id: string): boolean {
		const before = this.faults.length;
		this.faults = this.faults.filter((f) => f.id !== id);
		return this.faults.length < before;
	}

	/** Removes every fault. */
	clearFaults(): void {
		this.faults = [];
	}

	/** The faults still active. */
	list(): ActiveFault[] {
		this.prune();
		return this.faults.map((f) => ({
			...f.spec,
			id: f.id,
			remaining: f.remaining,
			until: f.until,
			hits: f.hits,
		}));
	}

	/** Registers a callback that invalidates issued tokens (the OAuth server does this); returns an unsubscribe function. */
	onExpireTokens(listener: () => number): () => void {
		this.expireListeners.add(listener);
		return () => this.expireListeners.delete(listener);
	}

	/** Invalidates every issued access token now; returns how many were invalidated. */
	expireTokens(): number {
		let n = 0;
		for (const listener of this.expireListeners) n += listener();
		return n;
	}

	/**
	 * Which items of a batch call fail by injection. Consumes one use of each matching `batchFailure`
	 * fault. `idOf` names an item's record id for faults that target ids.
	 */
	batchFailures<T>(
		req: SandboxRequest,
		items: readonly T[],
		idOf?: (item: T, index: number) => string | undefined,
	): Map<number, ItemFailure> {
		const failures = new Map<number, ItemFailure>();
		for (const f of this.take(req, (s) => s.type === 'batchFailure', false)) {
			const spec = f.spec as BatchFailureFault;
			const failure: ItemFailure = {
				status: spec.status ?? 500,
				code: spec.code ?? 'INJECTED_FAILURE',
				message: spec.message ?? 'Injected failure for this record',
			};
			const useDefault =
				spec.indexes === undefined && spec.ids === undefined && spec.itemProbability === undefined;
			const indexes = new Set(spec.indexes ?? (useDefault ? [0] : []));
			const ids = new Set(spec.ids ?? []);
			items.forEach((item, i) => {
				const hit =
					indexes.has(i) ||
					(ids.size > 0 && idOf !== undefined && ids.has(idOf(item, i) ?? '\u0000')) ||
					(spec.itemProbability !== undefined && this.rng.chance(spec.itemProbability));
				if (hit && !failures.has(i)) failures.set(i, failure);
			});
		}
		return failures;
	}

	/** Server middleware applying slow, rate-limit, server-error and drop faults. */
	middleware(): Middleware {
		return async (req, next) => {
			const slow = this.take(req, (s) => s.type === 'slow', false);
			const delay = slow.reduce((sum, f) => sum + (f.spec as SlowFault).delayMs, 0);
			if (delay > 0) {
				req.fault = 'slow';
				await this.sleep(delay);
			}
			const [fault] = this.take(req, (s) => TERMINAL.has(s.type), true);
			if (!fault) return next();
			const spec = fault.spec;
			req.fault = spec.type === 'drop' ? `drop.${spec.when ?? 'beforeBody'}` : spec.type;
			switch (spec.type) {
				case 'rateLimit': {
					const left =
						fault.until !== null ? Math.ceil((fault.until - this.clock.now()) / 1000) : 1;
					return this.replies.rateLimited(
						req,
						spec.retryAfterSeconds ?? Math.max(1, left),
						spec.status ?? 429,
					);
				}
				case 'serverError':
					return this.replies.serverError(
						req,
						spec.status ?? 500,
						spec.message ?? 'Internal server error (injected)',
					);
				case 'drop': {
					const when = spec.when ?? 'beforeBody';
					if (when === 'afterBody') await req.readBody().catch(() => undefined);
					if (when === 'afterHandler') await next().catch(() => undefined);
					return req.destroyConnection();
				}
				default:
					return next();
			}
		};
	}

	/** Finds matching active faults, rolls their probability, and consumes one use of each hit. */
	private take(req: SandboxRequest, want: (s: FaultSpec) => boolean, firstOnly: boolean): Stored[] {
		this.prune();
		const hits: Stored[] = [];
		for (const f of this.faults) {
			if (!want(f.spec) || !this.matches(f, req)) continue;
			if (f.spec.probability !== undefined && !this.rng.chance(f.spec.probability)) continue;
			if (f.remaining !== null) f.remaining--;
			f.hits++;
			hits.push(f);
			if (firstOnly) break;
		}
		this.prune();
		return hits;
	}

	private matches(f: Stored, req: SandboxRequest): boolean {
		const m = f.spec.match;
		if (!m) return true;
		if (f.regex && !f.regex.test(req.path)) return false;
		if (m.methods && !m.methods.some((x) => x.toUpperCase() === req.method)) return false;
		if (m.kinds && (req.kind === undefined || !m.kinds.includes(req.kind))) return false;
		return true;
	}

	private prune(): void {
		const now = this.clock.now();
		this.faults = this.faults.filter(
			(f) => (f.remaining === null || f.remaining > 0) && (f.until === null || now < f.until),
		);
	}
}

function bad(message: string): never {
	throw new HttpError(400, `Invalid fault: ${message}`, 'invalid_fault');
}

function isNonNegInt(v: unknown): boolean {
	return typeof v === 'number' && Number.isInteger(v) && v >= 0;
}

/** Checks a fault specification (e.g. one posted to the admin endpoint). */
export function validateFault(spec: unknown): asserts spec is FaultSpec {
	if (typeof spec !== 'object' || spec === null) bad('expected an object');
	const s = spec as Record<string, unknown>;
	if (s.count !== undefined && (!isNonNegInt(s.count) || (s.count as number) < 1))
		bad('count must be a positive integer');
	if (
		s.probability !== undefined &&
		!(typeof s.probability === 'number' && s.probability >= 0 && s.probability <= 1)
	)
		bad('probability must be between 0 and 1');
	if (s.durationMs !== undefined && !isNonNegInt(s.durationMs))
		bad('durationMs must be a non-negative integer');
	if (s.match !== undefined) {
		const m = s.match as Record<string, unknown>;
		if (typeof m !== 'object' || m === null) bad('match must be an object');
		if (m.path !== undefined) {
			if (!(m.path instanceof RegExp)) {
				if (typeof m.path !== 'string') bad('match.path must be a regular expression source');
				try {
					new RegExp(m.path);
				} catch {
					bad(`match.path is not a valid regular expression: ${m.path}`);
				}
			}
		}
		for (const key of ['methods', 'kinds'] as const) {
			if (
				m[key] !== undefined &&
				!(Array.isArray(m[key]) && (m[key] as unknown[]).every((x) => typeof x === 'string'))
			)
				bad(`match.${key} must be an array of strings`);
		}
	}
	const status = s.status;
	switch (s.type) {
		case 'rateLimit':
			if (s.retryAfterSeconds !== undefined && !isNonNegInt(s.retryAfterSeconds))
				bad('retryAfterSeconds must be a non-negative integer');
			if (
				status !== undefined &&
				!(isNonNegInt(status) && (status as number) >= 400 && (status as number) <= 599)
			)
				bad('status must be 400..599');
			return;
		case 'serverError':
			if (
				status !== undefined &&
				!(isNonNegInt(status) && (status as number) >= 500 && (status as number) <= 599)
			)
				bad('status must be 500..599');
			return;
		case 'slow':
			if (!isNonNegInt(s.delayMs)) bad('delayMs must be a non-negative integer');
			return;
		case 'drop':
			if (
				s.when !== undefined &&
				!['beforeBody', 'afterBody', 'afterHandler'].includes(s.when as string)
			)
				bad('when must be beforeBody, afterBody or afterHandler');
			return;
		case 'batchFailure':
			if (s.indexes !== undefined && !(Array.isArray(s.indexes) && s.indexes.every(isNonNegInt)))
				bad('indexes must be non-negative integers');
			if (
				s.ids !== undefined &&
				!(Array.isArray(s.ids) && s.ids.every((x) => typeof x === 'string'))
			)
				bad('ids must be strings');
			if (
				s.itemProbability !== undefined &&
				!(typeof s.itemProbability === 'number' && s.itemProbability >= 0 && s.itemProbability <= 1)
			)
				bad('itemProbability must be between 0 and 1');
			if (
				status !== undefined &&
				!(isNonNegInt(status) && (status as number) >= 400 && (status as number) <= 599)
			)
				bad('status must be 400..599');
			return;
		default:
			bad(
				`unknown type ${JSON.stringify(s.type)} (rateLimit, serverError, slow, drop, batchFailure)`,
			);
	}
}
