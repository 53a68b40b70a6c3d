/**
 * The HTTP clients of a HubSpot connector: one for every endpoint but search, one for search (its own per-second
 * budget, inside the 10-second one), both on the core's `HttpClient` (retry policy, per-credential rate budgets
 * shared by every connector of the same credential and host, error taxonomy) over `@hubspot/api-client` or a
 * transport that applies the credential itself.
 */
import { HttpClient, type HttpLogger } from '../../http/client';
import { CrmError } from '../../http/errors';
import { fingerprint } from '../../http/auth/types';
import { getRateBudget, type RateBudget } from '../../http/rateLimiter';
import type { RetryOptions } from '../../http/retry';
import type { HttpRequest, Transport } from '../../http/types';
import { hubspotDialect, hubspotRateHeaders } from './dialect';
import { hubspotClassifier } from './errors';
import { HUBSPOT_API_URL, HubSpotApiClientTransport } from './transport';

/** HubSpot's default (Professional/Enterprise) burst limit: requests per 10 seconds per app. */
export const HUBSPOT_DEFAULT_REQUESTS_PER_10S = 190;
/** HubSpot's search limit, requests per second per token. */
export const HUBSPOT_DEFAULT_SEARCH_PER_SECOND = 5;

/** Rate limit settings of a connector; budgets are shared by every connector of the same credential and host. */
export interface HubSpotRateLimitOptions {
	/** Requests per 10 seconds: 100 (Free/Starter) or 190 (Professional/Enterprise, the default). */
	requestsPer10Seconds?: number;
	/** Search requests per second. Default 5. */
	searchPerSecond?: number;
	/** Requests in flight at once per credential. Default 6. */
	maxConcurrent?: number;
}

/** Options of {@link HubSpotConnector}. */
export interface HubSpotConnectorOptions {
	/** API base URL. Default `https://api.hubapi.com` (the sandbox's URL in tests). */
	baseUrl?: string;
	/** Private-app (or OAuth) access token: requests go through `@hubspot/api-client`. */
	accessToken?: string;
	/** A transport that applies the credential itself (inside n8n with OAuth2: n8n's request helper). */
	transport?: Transport;
	/** Non-secret identity of the credential for the shared budgets (default: a hash of the token). */
	credentialKey?: string;
	/** Rate limits, or `false` for none. */
	rateLimit?: HubSpotRateLimitOptions | false;
	/** Retry policy options (default: 6 attempts, ≤120 s waiting per call). */
	retry?: RetryOptions;
	/** First wait after a 10-second-window 429 (doubling per consecutive 429). Default 1000 ms. */
	rateLimitBackoffMs?: number;
	/** Batch requests in flight at once. Default 3. */
	batchConcurrency?: number;
	/** Timeout of each attempt of each request, in ms (default: the transport's, 60 s). */
	timeoutMs?: number;
	/** Allow plain http to non-loopback hosts. Default false. */
	allowInsecure?: boolean;
	logger?: HttpLogger;
	/** Clock (epoch ms). */
	now?: () => number;
}

/** A request of the connector: `search: true` sends it through the search client. */
export type HubSpotRequest = HttpRequest & { search?: boolean };

/** What the parts of the connector (records, batches, search, associations …) need of it. */
export interface HubSpotCaller {
	readonly baseUrl: string;
	/** Client for every endpoint except search (for calls that need the response headers). */
	readonly http: HttpClient;
	/** Sends one request (relative path) and returns the parsed body. */
	call<T>(request: HubSpotRequest): Promise<T>;
}

/** The clients of one connector. */
export interface HubSpotClients {
	baseUrl: string;
	http: HttpClient;
	searchHttp: HttpClient;
}

/** Builds the connector's two clients and the shared rate budgets behind them. */
export function createHubSpotClients(options: HubSpotConnectorOptions): HubSpotClients {
	const baseUrl = (options.baseUrl ?? HUBSPOT_API_URL).replace(/\/+$/, '');
	let transport = options.transport;
	if (!transport) {
		if (!options.accessToken) {
			throw new CrmError('HubSpot: no credential — give an access token or a transport', {
				kind: 'authentication',
			});
		}
		transport = new HubSpotApiClientTransport({
			accessToken: options.accessToken,
			baseUrl,
			allowInsecure: options.allowInsecure,
		});
	}
	// On a 429 HubSpot also sends X-HubSpot-RateLimit-Remaining: 0 with the window's length, which the shared budget
	// would read as "hold everything for the whole 10 s window". The 429 already pauses the budget, for the wait the
	// classifier picks per policy (1 s, 2 s, 4 s … for the rolling window), so that header is dropped from 429s.
	const wire = transport;
	transport = {
		send: async (request) => {
			const res = await wire.send(request);
			if (res.status !== 429 || res.headers['x-hubspot-ratelimit-remaining'] === undefined)
				return res;
			const headers = { ...res.headers };
			delete headers['x-hubspot-ratelimit-remaining'];
			return { ...res, headers };
		},
	};
	const identity =
		options.credentialKey ??
		(options.accessToken ? fingerprint('hubspot-token', [options.accessToken]) : 'hubspot');
	const host = (() => {
		try {
			return new URL(baseUrl).host;
		} catch {
			return baseUrl;
		}
	})();
	const limits = options.rateLimit === false ? undefined : (options.rateLimit ?? {});
	const general: RateBudget | false = limits
		? getRateBudget(`hubspot:${identity}@${host}`, {
				maxRequests: limits.requestsPer10Seconds ?? HUBSPOT_DEFAULT_REQUESTS_PER_10S,
				intervalMs: 10_000,
				maxConcurrent: limits.maxConcurrent ?? 6,
				now: options.now,
			})
		: false;
	const search: RateBudget | false = limits
		? getRateBudget(`hubspot-search:${identity}@${host}`, {
				maxRequests: limits.searchPerSecond ?? HUBSPOT_DEFAULT_SEARCH_PER_SECOND,
				intervalMs: 1000,
				maxConcurrent: limits.maxConcurrent ?? 6,
				now: options.now,
			})
		: false;
	const retry: RetryOptions = { maxAttempts: 6, maxTotalWaitMs: 120_000, ...options.retry };
	const common = {
		baseUrl,
		dialect: hubspotDialect,
		classify: hubspotClassifier({ rateLimitBackoffMs: options.rateLimitBackoffMs }),
		logger: options.logger,
		now: options.now,
		retry,
		timeoutMs: options.timeoutMs,
	};
	const http = new HttpClient({ ...common, transport, rateLimit: general });
	// A search request counts against both limits: its own per-second budget, then the 10-second one.
	const inner: Transport = transport;
	const searchTransport: Transport = general
		? {
				send: (request) =>
					general.schedule(async () => {
						const res = await inner.send(request);
						general.observe(res.headers, hubspotRateHeaders);
						return res;
					}),
			}
		: inner;
	const searchHttp = new HttpClient({ ...common, transport: searchTransport, rateLimit: search });
	return { baseUrl, http, searchHttp };
}
