/**
 * The GraphQL API simulator (`graphql` in the sandbox contract): a real executable schema (graphql-js) over the kit's
 * store — contacts and companies as Relay connections, `node(id)`, contact mutations with per-field errors and
 * partial data, tombstones for change feeds — behind API-key, static-token or OAuth2 client-credentials auth, a rate
 * limit with `Retry-After`, depth / cost / root-field limits and the kit's faults. See README.md.
 *
 * Routes: `POST /graphql`, `GET /graphql?query=…`, `POST /oauth/token`.
 */
import type { GraphQLSchema } from 'graphql';
import {
	OAuthServer,
	RateLimiter,
	SandboxServer,
	SeededRandom,
	Store,
	numericIdGenerator,
	principalOf,
	systemClock,
	windowRule,
	type Clock,
	type Collection,
	type FaultInjector,
	type LatencySetting,
	type RequestLog,
	type SandboxRequest,
} from '../kit';
import { installGraphqlAdmin } from './admin';
import { seedCompany, seedContact, type PageLimits } from './data';
import { handleGraphql, requestError } from './endpoint';
import {
	errorReply,
	faultReplies,
	graphqlStyleRateLimit,
	rateLimitBody,
	unauthorized,
} from './wire';
import type { OperationLimits } from './limits';
import { buildGraphqlSchema } from './schema';

/** What a client needs to talk to the GraphQL simulator. */
export interface GraphqlSimContract {
	/** The endpoint, e.g. `http://127.0.0.1:4004/graphql`. */
	url: string;
	/** A personal access token that never expires: `Authorization: Bearer <token>`. */
	token: string;
	/** Alternative: send as `X-API-Key`. */
	apiKey: string;
	/** OAuth2 client-credentials token endpoint (alternative). */
	tokenUrl: string;
	clientId: string;
	clientSecret: string;
}

/** Limits of the simulator (defaults in {@link DEFAULT_GRAPHQL_LIMITS}). */
export interface GraphqlLimits extends OperationLimits {
	/** Largest `first` of a connection. */
	maxPageSize: number;
	/** Most lexical tokens in one document. */
	maxTokens: number;
}

export const DEFAULT_GRAPHQL_LIMITS: GraphqlLimits = {
	maxDepth: 10,
	maxCost: 50_000,
	maxRootFields: 100,
	defaultPageSize: 20,
	maxPageSize: 100,
	maxTokens: 50_000,
};

/** Options for {@link GraphqlSimulator}. */
export interface GraphqlSimulatorOptions {
	/** 0 (default) = random free port. */
	port?: number;
	clock?: Clock;
	/** Seed for sample data, latency jitter and fault probabilities (default 1). */
	seed?: number;
	apiKey?: string;
	token?: string;
	clientId?: string;
	clientSecret?: string;
	/** Access token lifetime of client-credentials tokens (default 3600 s). */
	tokenTtlSeconds?: number;
	/** Sample records to create at construction. */
	records?: { contacts?: number; companies?: number };
	/** Requests per window per credential (default 100 per 1000 ms); `false` disables. */
	rateLimit?: { limit: number; windowMs: number } | false;
	/**
	 * How an exceeded limit is answered: `http` (default) 429 + `Retry-After`; `graphql` 200 with `data: null` and a
	 * `RATE_LIMITED` error (GitHub's GraphQL API), the wait only in `X-RateLimit-Reset`.
	 */
	rateLimitStyle?: 'http' | 'graphql';
	limits?: Partial<GraphqlLimits>;
	latency?: LatencySetting;
}

export const DEFAULT_GRAPHQL_API_KEY = 'sandbox-graphql-api-key';
export const DEFAULT_GRAPHQL_TOKEN = 'sandbox-graphql-personal-token';

/** The GraphQL simulator. */
export class GraphqlSimulator {
	readonly server: SandboxServer;
	readonly store: Store;
	readonly contacts: Collection;
	readonly companies: Collection;
	readonly oauth: OAuthServer;
	readonly rateLimiter: RateLimiter;
	readonly clock: Clock;
	readonly schema: GraphQLSchema;
	readonly limits: GraphqlLimits;
	private readonly credentials: {
		apiKey: string;
		token: string;
		clientId: string;
		clientSecret: string;
	};
	private readonly rng: SeededRandom;
	private rateLimit: { limit: number; windowMs: number } | false = false;
	private readonly rateLimitStyle: 'http' | 'graphql';

	constructor(options: GraphqlSimulatorOptions = {}) {
		this.clock = options.clock ?? systemClock;
		this.credentials = {
			apiKey: options.apiKey ?? DEFAULT_GRAPHQL_API_KEY,
			token: options.token ?? DEFAULT_GRAPHQL_TOKEN,
			clientId: options.clientId ?? 'sandbox-graphql-client',
			clientSecret: options.clientSecret ?? 'sandbox-graphql-secret',
		};
		this.rng = new SeededRandom(options.seed ?? 1);
		this.limits = { ...DEFAULT_GRAPHQL_LIMITS, ...options.limits };
		this.store = new Store({ clock: this.clock });
		this.contacts = this.store.collection('contacts', { idGenerator: numericIdGenerator(1) });
		this.companies = this.store.collection('companies', { idGenerator: numericIdGenerator(1) });
		this.schema = buildGraphqlSchema();
		this.server = new SandboxServer({
			name: 'graphql',
			port: options.port,
			clock: this.clock,
			seed: options.seed,
			latency: options.latency,
			errorReply,
		});
		this.server.faults.setReplies(faultReplies);
		this.oauth = new OAuthServer({
			clock: this.clock,
			clients: [
				{
					clientId: this.credentials.clientId,
					clientSecret: this.credentials.clientSecret,
					grants: ['client_credentials'],
					subject: `client:${this.credentials.clientId}`,
				},
			],
			accessTokenTtlSeconds: options.tokenTtlSeconds ?? 3600,
			apiKeys: { keys: { [this.credentials.apiKey]: 'api-key' }, header: 'X-API-Key' },
			unauthorized,
		});
		const issuePersonalToken = () =>
			this.oauth.issue({
				clientId: 'personal-access-token',
				subject: 'user:sandbox',
				ttlSeconds: Infinity,
				accessToken: this.credentials.token,
			});
		issuePersonalToken();
		// The "expireTokens" fault expires OAuth access tokens; the personal access token does not expire.
		this.server.faults.onExpireTokens(() => {
			const n = this.oauth.expireAll() - 1;
			issuePersonalToken();
			return n;
		});
		this.rateLimitStyle = options.rateLimitStyle ?? 'http';
		this.rateLimiter = new RateLimiter({ clock: this.clock });
		this.setRateLimit(options.rateLimit ?? { limit: 100, windowMs: 1000 });
		this.server.use(this.oauth.middleware({ skip: (req) => req.kind === 'token' }));
		this.server.use(this.rateLimiter.middleware());
		this.server.post('/oauth/token', this.oauth.tokenHandler, { kind: 'token' });
		const endpoint = {
			schema: this.schema,
			limits: this.limits,
			maxTokens: this.limits.maxTokens,
			context: (req: SandboxRequest) => {
				const p = principalOf(req);
				return {
					contacts: this.contacts,
					companies: this.companies,
					pageLimits: this.pageLimits,
					viewer: { subject: p?.subject ?? 'anonymous', authenticatedBy: p?.via ?? 'none' },
				};
			},
		};
		this.server.route(['GET', 'POST'], '/graphql', (req) => handleGraphql(req, endpoint), {
			kind: 'graphql',
		});
		this.server.route(
			['PUT', 'PATCH', 'DELETE'],
			'/graphql',
			() =>
				requestError(405, 'GraphQL requests are GET or POST.', 'METHOD_NOT_ALLOWED', {
					Allow: 'GET, POST',
				}),
			{ kind: 'graphql' },
		);
		installGraphqlAdmin(this);
		if (options.records) this.seed(options.records);
	}

	private get pageLimits(): PageLimits {
		return { defaultSize: this.limits.defaultPageSize, maxSize: this.limits.maxPageSize };
	}

	get log(): RequestLog {
		return this.server.log;
	}

	get faults(): FaultInjector {
		return this.server.faults;
	}

	async start(): Promise<GraphqlSimContract> {
		await this.server.start();
		return this.contract();
	}

	stop(): Promise<void> {
		return this.server.stop();
	}

	contract(): GraphqlSimContract {
		const url = this.server.url;
		return { url: `${url}/graphql`, tokenUrl: `${url}/oauth/token`, ...this.credentials };
	}

	/** Creates sample records deterministically (companies first, contacts linked to them). */
	seed(counts: { contacts?: number; companies?: number }): { contacts: number; companies: number } {
		const companyIds = this.companies.list().map((r) => r.id);
		const baseCompanies = this.companies.count({ includeDeleted: true });
		for (let i = 0; i < (counts.companies ?? 0); i++)
			companyIds.push(this.companies.create(seedCompany(this.rng, baseCompanies + i)).id);
		const baseContacts = this.contacts.count({ includeDeleted: true });
		for (let i = 0; i < (counts.contacts ?? 0); i++)
			this.contacts.create(seedContact(this.rng, baseContacts + i, companyIds));
		return { contacts: counts.contacts ?? 0, companies: counts.companies ?? 0 };
	}

	/** Sets the rate limit (per credential), or disables it with `false`. Counts restart. */
	setRateLimit(limit: { limit: number; windowMs: number } | false): void {
		this.rateLimit = limit;
		if (limit === false) {
			this.rateLimiter.removeRule('graphql');
			return;
		}
		const rule = windowRule({
			name: 'graphql',
			limit: limit.limit,
			windowMs: limit.windowMs,
			mode: 'fixed',
			clock: this.clock,
			key: (req) => principalOf(req)?.subject ?? 'anonymous',
			headers: 'x-ratelimit',
			resetStyle: 'epoch-seconds',
			body: rateLimitBody,
		});
		if (this.rateLimitStyle === 'graphql')
			rule.reject = (_req, state) => graphqlStyleRateLimit(state, this.clock.now());
		this.rateLimiter.setRule(rule);
	}

	getRateLimit(): { limit: number; windowMs: number } | false {
		return this.rateLimit;
	}

	/** Clears records, the log, faults and rate-limit counts. */
	reset(): void {
		this.store.clear();
		this.server.log.reset();
		this.server.faults.clearFaults();
		this.rateLimiter.reset();
	}
}
