/**
 * The retry policy: jittered exponential backoff that honours what the server asks (`Retry-After`, reset
 * headers), a cap on the total time spent waiting, one credential renewal on 401, and the safety rule for
 * writes: a request that is not idempotent is resent only when it provably was not processed.
 */
import { CrmError, abortedError, isCrmError } from './errors';
import type { RateHeaderReader } from './dialect';
import { getHeader, serverRequestedDelay, type ServerDelay } from './rateHeaders';
import { redactUrl } from './redact';
import type { HttpMethod, HttpRequest, RequestSummary, RetryReport } from './types';

/** How a backoff delay is randomised: `full` = U(0, d), `equal` = d/2 + U(0, d/2), `none` = d. */
export type JitterMode = 'full' | 'equal' | 'none';

/** What {@link RetryOptions.onRetry} receives before each wait. */
export interface RetryEvent {
	/** The attempt that failed (1-based). */
	attempt: number;
	/** The wait before the next attempt. */
	delayMs: number;
	/** Human-readable reason (redacted). */
	reason: string;
	error: CrmError;
}

/** Options of {@link RetryPolicy}. */
export interface RetryOptions {
	/** Attempts in total, including the first. Default 5; 1 disables retries. */
	maxAttempts?: number;
	/** First backoff step. Default 500 ms. */
	baseDelayMs?: number;
	/** Largest backoff step (a server-requested wait may be longer). Default 30 000 ms. */
	maxDelayMs?: number;
	/** Cap on the sum of all waits of one call. Default 120 000 ms. */
	maxTotalWaitMs?: number;
	/** Default `full`. */
	jitter?: JitterMode;
	/** Random source in [0, 1). Default `Math.random`. */
	random?: () => number;
	/** Sleep function. Default: `setTimeout`-based, abortable. */
	sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
	/** Clock (epoch ms), for HTTP-date `Retry-After`. Default `Date.now`. */
	now?: () => number;
	/** Called before every wait, e.g. for logging. */
	onRetry?: (event: RetryEvent) => void;
	/** The API's own rate-limit headers (its dialect's reader), for the waits the server asks for. */
	rateHeaders?: RateHeaderReader;
}

/** Hooks {@link RetryPolicy.execute} uses. */
export interface RetryHooks {
	/**
	 * Called once, on the first 401: renew the credential and return true to resend immediately
	 * (the client wires this to `AuthProvider.onUnauthorized`).
	 */
	refreshAuth?: (error: CrmError) => Promise<boolean>;
}

/** The decision for one failed attempt. */
export type RetryDecision =
	| { retry: true; delayMs: number; reason: string }
	| { retry: false; note?: string; replaceWith?: CrmError };

const IDEMPOTENT_BY_DEFAULT: ReadonlySet<HttpMethod> = new Set<HttpMethod>([
	'GET',
	'HEAD',
	'PUT',
	'DELETE',
]);

/** Whether a request may be repeated harmlessly: its `idempotent` flag, else GET/HEAD/PUT/DELETE yes, POST/PATCH no. */
export function isIdempotent(request: Pick<HttpRequest, 'method' | 'idempotent'>): boolean {
	return (
		request.idempotent ?? IDEMPOTENT_BY_DEFAULT.has(request.method.toUpperCase() as HttpMethod)
	);
}

/** The note on a write that is not retried because it may have been applied. */
export const UNSAFE_WRITE_NOTE =
	'not retried: the write may have been applied; make it idempotent (upsert by key) to allow retries';

/**
 * The safety rule. Returns why a resend is safe, or undefined when it is not: idempotent requests always;
 * others only if they never reached the server, or the server rejected them before processing
 * (429 / rate-limit codes, 503 with `Retry-After`).
 */
export function safeToResend(
	error: CrmError,
	request: Pick<HttpRequest, 'method' | 'idempotent'>,
): string | undefined {
	if (isIdempotent(request)) return 'idempotent request';
	if (error.reachedServer === false) return 'the request never reached the server';
	if (error.kind === 'rateLimited') return 'rejected by the rate limit before processing';
	if (error.status === 503 && getHeader(error.responseHeaders, 'retry-after') !== undefined) {
		return 'rejected with 503 + Retry-After before processing';
	}
	return undefined;
}

function seconds(ms: number): string {
	const s = ms / 1000;
	return `${Number.isInteger(s) ? s : s.toFixed(1)} s`;
}

function describe(error: CrmError): string {
	const what =
		error.status !== undefined ? `HTTP ${error.status}` : (error.networkCode ?? 'network error');
	return `${what} ${error.kind}`;
}

/** Abortable `setTimeout` sleep. */
export function defaultSleep(ms: number, signal?: AbortSignal): Promise<void> {
	return new Promise<void>((resolve, reject) => {
		if (signal?.aborted) {
			reject(abortedError());
			return;
		}
		const onAbort = () => {
			clearTimeout(timer);
			reject(abortedError());
		};
		const timer = setTimeout(() => {
			signal?.removeEventListener('abort', onAbort);
			resolve();
		}, ms);
		signal?.addEventListener('abort', onAbort, { once: true });
	});
}

/** A fresh, empty report. */
export function emptyRetryReport(): RetryReport {
	return { attempts: 0, waitsMs: [], totalWaitMs: 0, reasons: [] };
}

/** Retry policy; one instance can serve many concurrent calls (it keeps no per-call state). */
export class RetryPolicy {
	readonly maxAttempts: number;
	readonly baseDelayMs: number;
	readonly maxDelayMs: number;
	readonly maxTotalWaitMs: number;
	readonly jitter: JitterMode;
	private readonly random: () => number;
	private readonly sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
	private readonly now: () => number;
	private readonly onRetry?: (event: RetryEvent) => void;
	private readonly rateHeaders?: RateHeaderReader;

	constructor(options: RetryOptions = {}) {
		this.maxAttempts = options.maxAttempts ?? 5;
		this.baseDelayMs = options.baseDelayMs ?? 500;
		this.maxDelayMs = options.maxDelayMs ?? 30_000;
		this.maxTotalWaitMs = options.maxTotalWaitMs ?? 120_000;
		this.jitter = options.jitter ?? 'full';
		this.random = options.random ?? Math.random;
		this.sleep = options.sleep ?? defaultSleep;
		this.now = options.now ?? Date.now;
		this.onRetry = options.onRetry;
		this.rateHeaders = options.rateHeaders;
		const check = (name: string, value: number, min: number) => {
			if (!Number.isFinite(value) || value < min) {
				throw new CrmError(`Invalid retry option ${name}=${value}: must be a number ≥ ${min}`, {
					kind: 'fatal',
				});
			}
		};
		check('maxAttempts', this.maxAttempts, 1);
		check('baseDelayMs', this.baseDelayMs, 0);
		check('maxDelayMs', this.maxDelayMs, 0);
		check('maxTotalWaitMs', this.maxTotalWaitMs, 0);
	}

	/** The wait the server asked for with this error (`Retry-After`, or a reset header when exhausted / 429). */
	serverDelay(error: CrmError): ServerDelay | undefined {
		const fromHeaders = serverRequestedDelay(
			error.status,
			error.responseHeaders,
			this.now(),
			this.rateHeaders,
		);
		// `retryAfterMs` was computed when the response arrived (or set by a connector's classify hook): it wins.
		if (error.retryAfterMs !== undefined)
			return {
				delayMs: error.retryAfterMs,
				source: fromHeaders?.source ?? 'server-requested delay',
			};
		return fromHeaders;
	}

	/** The exponential backoff step for an attempt (1-based), jittered, capped by `maxDelayMs`. */
	backoff(attempt: number): number {
		const exp = Math.min(this.maxDelayMs, this.baseDelayMs * 2 ** Math.max(0, attempt - 1));
		const r = this.random();
		if (this.jitter === 'none') return Math.round(exp);
		if (this.jitter === 'equal') return Math.round(exp / 2 + (r * exp) / 2);
		return Math.round(r * exp);
	}

	/**
	 * The wait after failed attempt `attempt` (1-based): what the server asked for (never less; a small jitter of at
	 * most `min(baseDelayMs, 1 s)` on top spreads clients), else the jittered backoff.
	 */
	computeDelay(attempt: number, error: CrmError): number {
		const server = this.serverDelay(error);
		if (!server) return this.backoff(attempt);
		const spread =
			this.jitter === 'none' ? 0 : Math.round(this.random() * Math.min(this.baseDelayMs, 1000));
		return Math.ceil(server.delayMs) + spread;
	}

	/** Decides what to do after attempt `attempt` failed with `error`, having waited `waitedMs` so far. */
	decide(
		error: CrmError,
		request: Pick<HttpRequest, 'method' | 'idempotent'>,
		attempt: number,
		waitedMs: number,
	): RetryDecision {
		if (error.retryable === false) return { retry: false };
		const retryableKind = error.kind === 'transient' || error.kind === 'rateLimited';
		if (!retryableKind && error.retryable !== true) return { retry: false };
		const safe = safeToResend(error, request);
		if (!safe) return { retry: false, note: UNSAFE_WRITE_NOTE };
		if (attempt >= this.maxAttempts) {
			return {
				retry: false,
				note:
					this.maxAttempts > 1
						? `gave up after ${attempt} attempts (waited ${seconds(waitedMs)} in total)`
						: undefined,
			};
		}
		const server = this.serverDelay(error);
		const delayMs = this.computeDelay(attempt, error);
		if (server && server.delayMs > this.maxTotalWaitMs - waitedMs) {
			const retryAt = new Date(this.now() + server.delayMs).toISOString();
			const note = `the server asked to wait ${seconds(server.delayMs)} (${server.source}), more than the retry wait budget allows (maxTotalWaitMs ${seconds(this.maxTotalWaitMs)}, ${seconds(waitedMs)} used) — not retried; try again after ${retryAt}`;
			if (error.kind === 'rateLimited') return { retry: false, note };
			const replaced = error.with({ kind: 'rateLimited', retryAfterMs: server.delayMs });
			return { retry: false, note, replaceWith: replaced };
		}
		if (waitedMs + delayMs > this.maxTotalWaitMs) {
			return {
				retry: false,
				note: `stopped retrying: the next wait of ${seconds(delayMs)} would exceed the total retry wait cap of ${seconds(this.maxTotalWaitMs)} (maxTotalWaitMs); waited ${seconds(waitedMs)} over ${attempt} attempts`,
			};
		}
		const why = server ? `${server.source} ${seconds(server.delayMs)}` : `backoff, ${safe}`;
		return {
			retry: true,
			delayMs,
			reason: `attempt ${attempt}: ${describe(error)} → retry in ${delayMs} ms (${why})`,
		};
	}

	/**
	 * Runs `attempt` until it succeeds or the policy gives up. `attempt` must throw a {@link CrmError} for a
	 * failed attempt; any other exception (a bug) propagates at once, unretried. The returned value comes with
	 * the report; a thrown `CrmError` carries it as `error.retry` and `error.attempts`.
	 */
	async execute<T>(
		request: Pick<HttpRequest, 'method' | 'url' | 'idempotent' | 'signal'>,
		attempt: (attemptNumber: number) => Promise<T>,
		hooks: RetryHooks = {},
	): Promise<{ value: T; report: RetryReport }> {
		const report = emptyRetryReport();
		const summary: RequestSummary = { method: request.method, url: redactUrl(request.url) };
		let refreshed = false;
		const fail = (error: CrmError): CrmError => {
			error.retry = { ...report, waitsMs: [...report.waitsMs], reasons: [...report.reasons] };
			error.attempts = report.attempts;
			return error;
		};
		for (;;) {
			if (request.signal?.aborted) throw fail(abortedError(summary));
			report.attempts++;
			const n = report.attempts;
			try {
				const value = await attempt(n);
				return { value, report };
			} catch (thrown) {
				if (!isCrmError(thrown)) throw thrown;
				let error: CrmError = thrown;
				if (error.kind === 'authentication' && error.status === 401 && hooks.refreshAuth) {
					if (!refreshed) {
						refreshed = true;
						let renewed: boolean;
						try {
							renewed = await hooks.refreshAuth(error);
						} catch (refreshError) {
							if (!isCrmError(refreshError)) throw refreshError;
							report.reasons.push(`attempt ${n}: HTTP 401 → renewing the credential failed`);
							throw fail(refreshError);
						}
						if (renewed) {
							report.reasons.push(`attempt ${n}: HTTP 401 → credential renewed, sending again`);
							continue;
						}
					} else {
						error.addNote('still unauthorized after renewing the credential once');
					}
				}
				const decision = this.decide(error, request, n, report.totalWaitMs);
				if (!decision.retry) {
					if (decision.replaceWith) error = decision.replaceWith;
					if (decision.note) {
						error.addNote(decision.note);
						report.reasons.push(`attempt ${n}: ${describe(error)} → ${decision.note}`);
					}
					throw fail(error);
				}
				report.reasons.push(decision.reason);
				this.onRetry?.({ attempt: n, delayMs: decision.delayMs, reason: decision.reason, error });
				try {
					await this.sleep(decision.delayMs, request.signal);
				} catch (sleepError) {
					throw fail(isCrmError(sleepError) ? sleepError : abortedError(summary));
				}
				report.waitsMs.push(decision.delayMs);
				report.totalWaitMs += decision.delayMs;
			}
		}
	}
}
