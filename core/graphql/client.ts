/**
 * `GraphqlClient`: sends GraphQL operations over the core's `HttpClient` (auth, retries, rate budget, `Retry-After`).
 * The document is parsed with graphql-js to know what it is: a query (or subscription-free read) is safe to resend,
 * so it is sent as an idempotent request and retried after a lost answer; a mutation is not (unless the caller says
 * so), so a lost answer is reported, never silently repeated.
 */
import type { DocumentNode, OperationTypeNode } from 'graphql';
import type { HttpClient } from '../http/client';
import { CrmError, isCrmError } from '../http/errors';
import { defaultSleep } from '../http/retry';
import {
	graphqlResponseError,
	isGraphqlResult,
	type GraphqlErrorEntry,
	type GraphqlResult,
} from './errors';
import { graphqlThrottle } from './throttle';
import { vendor } from '../vendor';

/** One GraphQL request. */
export interface GraphqlRequest {
	/** The document (text or parsed). */
	query: string | DocumentNode;
	variables?: Record<string, unknown>;
	/** Required when the document holds several operations. */
	operationName?: string;
	/** Whether resending is harmless. Default: true for queries, false for mutations. */
	idempotent?: boolean;
	timeoutMs?: number;
	signal?: AbortSignal;
}

/** Options of {@link GraphqlClient}. */
export interface GraphqlClientOptions {
	/** The HTTP client (its base URL, auth, retry and rate budget apply). */
	http: HttpClient;
	/** The endpoint, absolute or relative to the HTTP client's base URL. Default `''` (the base URL itself). */
	url?: string;
	/** Extra headers for every GraphQL request. */
	headers?: Record<string, string>;
	/**
	 * Waiting out a rate limit reported inside a 2xx answer (`RATE_LIMITED` / `THROTTLED`, see throttle.ts; HTTP 429s
	 * are the HTTP client's retry policy's). Default 5 attempts, at most 120 s of waiting in all.
	 */
	throttle?: {
		maxAttempts?: number;
		maxTotalWaitMs?: number;
		sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
		now?: () => number;
	};
}

/** A parsed request: its document text and what kind of operation it runs. */
export interface PreparedOperation {
	text: string;
	operation: OperationTypeNode;
	operationName?: string;
}

/** Parses a request's document and finds its operation; a `validation` CrmError when it cannot be sent. */
export function prepareOperation(
	query: string | DocumentNode,
	operationName?: string,
): PreparedOperation {
	const { getOperationAST, parse, print } = vendor.graphql();
	let document: DocumentNode;
	try {
		document = typeof query === 'string' ? parse(query) : query;
	} catch (err) {
		throw new CrmError(`The GraphQL document does not parse: ${(err as Error).message}`, {
			kind: 'validation',
			hint: 'Check the query text (braces, quotes, field names).',
		});
	}
	const op = getOperationAST(document, operationName);
	if (!op) {
		throw new CrmError(
			operationName
				? `The GraphQL document has no operation named "${operationName}"`
				: 'The GraphQL document holds several operations: set the operation name',
			{ kind: 'validation' },
		);
	}
	return {
		text: typeof query === 'string' ? query : print(document),
		operation: op.operation,
		operationName: operationName ?? op.name?.value,
	};
}

/** Sends GraphQL requests. Safe for concurrent use. */
export class GraphqlClient {
	readonly http: HttpClient;
	private readonly url: string;
	private readonly headers?: Record<string, string>;
	private readonly throttle: Required<NonNullable<GraphqlClientOptions['throttle']>>;

	constructor(options: GraphqlClientOptions) {
		this.http = options.http;
		this.url = options.url ?? '';
		this.headers = options.headers;
		this.throttle = {
			maxAttempts: options.throttle?.maxAttempts ?? 5,
			maxTotalWaitMs: options.throttle?.maxTotalWaitMs ?? 120_000,
			sleep: options.throttle?.sleep ?? defaultSleep,
			now: options.throttle?.now ?? Date.now,
		};
	}

	/**
	 * Sends a request and returns the response body as is — `data` and `errors` both — when the server answered with
	 * a GraphQL response (2xx). HTTP failures (after the retry policy) throw the HTTP layer's `CrmError`, whose
	 * message carries the server's first GraphQL error when there is one.
	 */
	async execute<TData = Record<string, unknown>>(
		request: GraphqlRequest,
	): Promise<GraphqlResult<TData>> {
		const prepared = prepareOperation(request.query, request.operationName);
		const body: Record<string, unknown> = { query: prepared.text };
		if (request.variables && Object.keys(request.variables).length > 0)
			body.variables = request.variables;
		if (request.operationName) body.operationName = request.operationName;
		let waitedMs = 0;
		for (let attempt = 1; ; attempt++) {
			const res = await this.http.request<unknown>({
				method: 'POST',
				url: this.url,
				headers: { Accept: 'application/json', ...this.headers },
				body,
				idempotent: request.idempotent ?? prepared.operation === 'query',
				timeoutMs: request.timeoutMs,
				signal: request.signal,
				responseType: 'json',
			});
			if (!isGraphqlResult(res.body)) {
				throw new CrmError(
					`The answer is not a GraphQL response (no data and no errors; HTTP ${res.status} POST ${res.url})`,
					{
						kind: 'fatal',
						status: res.status,
						request: { method: 'POST', url: res.url },
						details: typeof res.body === 'string' ? res.body.slice(0, 500) : res.body,
						hint: 'Check the endpoint URL: it should be the GraphQL endpoint (often ending in /graphql).',
					},
				);
			}
			const throttled = graphqlThrottle(res.body, res.headers, this.throttle.now());
			if (!throttled) return res.body as GraphqlResult<TData>;
			// Refused before it ran: safe to send again, even a mutation.
			const delayMs = throttled.delayMs ?? 1000 * 2 ** (attempt - 1);
			this.http.budgetFor(res.url)?.on429(delayMs);
			if (
				attempt >= this.throttle.maxAttempts ||
				waitedMs + delayMs > this.throttle.maxTotalWaitMs
			) {
				throw new CrmError(
					`GraphQL rate limit: ${throttled.message} (${throttled.code}) — not sent again after ${attempt} attempt${attempt === 1 ? '' : 's'} (${waitedMs} ms waited; the server asks for ${delayMs} ms more)`,
					{
						kind: 'rateLimited',
						status: res.status,
						crmCode: throttled.code,
						crmMessage: throttled.message,
						retryAfterMs: delayMs,
						retryable: false,
						request: { method: 'POST', url: res.url },
						hint: `Try again after ${new Date(this.throttle.now() + delayMs).toISOString()}, or send fewer or cheaper requests.`,
					},
				);
			}
			await this.throttle.sleep(delayMs, request.signal);
			waitedMs += delayMs;
		}
	}

	/**
	 * Sends a request and returns its `data`. Any GraphQL error throws a `CrmError` (kind from `extensions.code`,
	 * the errors in `details.errors`): a partial answer is never taken for a whole one. Use {@link execute} to
	 * accept partial data.
	 */
	async query<TData = Record<string, unknown>>(request: GraphqlRequest): Promise<TData> {
		const result = await this.execute<TData>(request);
		if (result.errors && result.errors.length > 0)
			throw graphqlResponseError(result.errors, { method: 'POST', url: this.url || '(base URL)' });
		if (result.data === null || result.data === undefined)
			throw new CrmError('The GraphQL response has no data and no errors', { kind: 'fatal' });
		return result.data;
	}
}

/** The GraphQL errors carried by a `CrmError` from a 4xx/5xx GraphQL answer, if any. */
export function graphqlErrorsOf(error: unknown): GraphqlErrorEntry[] | undefined {
	if (!isCrmError(error)) return undefined;
	const details = error.details as { errors?: unknown } | undefined;
	const errors = details && Array.isArray(details.errors) ? details.errors : undefined;
	return errors?.filter(
		(e): e is GraphqlErrorEntry =>
			e !== null &&
			typeof e === 'object' &&
			typeof (e as { message?: unknown }).message === 'string',
	);
}
