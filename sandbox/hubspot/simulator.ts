/**
 * The HubSpot CRM simulator (`hubspot` in the sandbox contract). Faithful enough that
 * `@hubspot/api-client` pointed at it with `basePath` cannot tell it from HubSpot for: objects (standard
 * and custom) with CRUD, list paging, batch read/create/update/upsert/archive, search, properties and
 * groups, schemas, associations v4, owners, pipelines, forms submissions, OAuth and private-app tokens,
 * and HubSpot's rate limits with their headers and 429 bodies. See sandbox/README.md, "HubSpot".
 */
import { randomUUID } from 'node:crypto';
import {
	HttpError,
	OAuthServer,
	RateLimiter,
	SandboxServer,
	SeededRandom,
	Store,
	WindowLimiter,
	empty,
	guidGenerator,
	json,
	numericIdGenerator,
	principalOf,
	seedCounts,
	systemClock,
	type Clock,
	type Collection,
	type FaultInjector,
	type LatencySetting,
	type LimitState,
	type RateLimitRule,
	type Reply,
	type ReplyHeaders,
	type RequestLog,
	type SandboxRequest,
	type StoredRecord,
} from '../kit';
import { AssociationStore, type AssociationType } from './associations';
import {
	FIELD_TYPES,
	PROPERTY_TYPES,
	checkValue,
	customObjectBaseProperties,
	makeProperty,
	propertyJson,
	standardObjectTypes,
	type ObjectTypeDef,
	type PropertyDef,
	type PropertyOption,
	type PropertySpec,
	type PropertyType,
	type ValueError,
} from './schema';
import { DEFAULT_SEARCH_LIMITS, parseSearch, type SearchLimits, type ValueGetter } from './search';

/** What a client needs to talk to the HubSpot simulator. */
export interface HubSpotContract {
	/** API root (`basePath` of `@hubspot/api-client`), e.g. `http://127.0.0.1:4001`. */
	baseUrl: string;
	/** A private-app token (`pat-na1-…`); never expires. */
	accessToken: string;
	/** The account (hub) id. */
	portalId: string;
	/** OAuth app credentials for the authorization-code flow. */
	clientId: string;
	clientSecret: string;
	/** `GET` here with `client_id`, `redirect_uri`, `scope`, `state`: approves at once and redirects back with `code`. */
	authorizeUrl: string;
	/** `POST` form-encoded: `grant_type=authorization_code|refresh_token`. */
	tokenUrl: string;
	/** Host of the forms submission API (`/submissions/v3/integration/submit/{portalId}/{formGuid}`). */
	formsBaseUrl: string;
}

/** Order of batch read results (see {@link HubSpotSimulatorOptions.readResultOrder}). */
export type HubSpotReadResultOrder = 'request' | 'reversed';

/** HubSpot's rate limits as the simulator applies them. */
export interface HubSpotRateLimits {
	/** Private-app requests per rolling 10 s per app and account (`TEN_SECONDLY_ROLLING`): 100 (Free/Starter), 190 (Pro/Enterprise), 250 (API Limit Increase pack). */
	tenSecondly: number;
	/** OAuth (public app) requests per rolling 10 s per app and account (`TEN_SECONDLY_ROLLING`): 110. Default: `tenSecondly` when that is set lower, else 110. */
	oauthTenSecondly?: number;
	/** Private-app requests per day per account (`DAILY`): 250,000 (Free/Starter), 650,000 (Pro), 1,000,000 (Enterprise); reset at midnight (UTC + `dailyResetOffsetMs`). OAuth apps have no daily limit. */
	daily: number;
	/** Search requests per second per account (`SECONDLY`). */
	searchPerSecond: number;
	/** Shifts the daily reset from UTC midnight (the account's time zone). */
	dailyResetOffsetMs?: number;
}

/** Default limits: a Professional account (HubSpot developer changelog, "Increasing our API limits"). */
export const DEFAULT_HUBSPOT_RATE_LIMITS: HubSpotRateLimits = {
	tenSecondly: 190,
	oauthTenSecondly: 110,
	daily: 650_000,
	searchPerSecond: 5,
};

/**
 * How batch writes treat invalid inputs: `atomic` (what HubSpot does for create/update/upsert: one
 * invalid input fails the whole call with 400, a duplicate unique value with 409), or `partial` (207
 * MULTI_STATUS: the valid inputs are written, each invalid one gets its own error).
 */
export type HubSpotBatchMode = 'atomic' | 'partial';

/** Options for {@link HubSpotSimulator}. */
export interface HubSpotSimulatorOptions {
	/** 0 (default) = random free port. */
	port?: number;
	clock?: Clock;
	/** Seed for tokens, sample data, latency jitter and fault probabilities (default 1). */
	seed?: number;
	latency?: LatencySetting;
	/** Account id (default `12345678`). */
	portalId?: string;
	/** The private-app token (default derived from the seed). */
	accessToken?: string;
	clientId?: string;
	clientSecret?: string;
	/** OAuth access token lifetime (HubSpot: 1800 s). */
	accessTokenTtlSeconds?: number;
	/** Rate limits, or `false` for none. */
	rateLimits?: Partial<HubSpotRateLimits> | false;
	batchMode?: HubSpotBatchMode;
	searchLimits?: Partial<SearchLimits>;
	/** Maximum inputs per batch call (100). */
	maxBatchSize?: number;
	/**
	 * Order of the results of batch reads (`…/batch/read` of objects and of v4 associations): `request` (default) or
	 * `reversed`. HubSpot does not promise the input order for these results; clients must match them by id.
	 */
	readResultOrder?: HubSpotReadResultOrder;
	/** Sample records created at construction. */
	records?: { contacts?: number; companies?: number; deals?: number };
	/** See the kit's `StoreOptions.strictTimestamps` (default true). */
	strictTimestamps?: boolean;
	/**
	 * How long a write takes to become searchable, in clock ms (default 0: at once). Until then search matches and
	 * returns the record as it was before the write (a new record not at all), as HubSpot's search index lags writes.
	 */
	searchIndexDelayMs?: number;
}

/** A CRM owner (user). */
export interface HubSpotOwner {
	id: string;
	email: string;
	firstName: string;
	lastName: string;
	userId: number;
	archived: boolean;
}

/** A pipeline stage. */
export interface PipelineStage {
	id: string;
	label: string;
	displayOrder: number;
	metadata: Record<string, string>;
}

/** A pipeline. */
export interface Pipeline {
	id: string;
	label: string;
	displayOrder: number;
	stages: PipelineStage[];
}

/** A form field. */
export interface FormField {
	name: string;
	label: string;
	fieldType: string;
	required: boolean;
	objectTypeId: string;
}

/** A form the submission endpoint validates against. */
export interface HubSpotForm {
	id: string;
	name: string;
	fields: FormField[];
	/** Answer with `redirectUri` instead of `inlineMessage`. */
	redirectUri?: string;
	inlineMessage?: string;
}

/** A recorded form submission. */
export interface FormSubmission {
	formGuid: string;
	submittedAt: number;
	fields: Record<string, string>;
	contactId?: string;
	secure: boolean;
	context?: unknown;
}

type Fields = Record<string, string | null>;
type Rec = StoredRecord<Fields>;

/** A per-input error inside a 207 batch answer (HubSpot's `StandardError`). */
interface BatchError {
	status: 'error';
	category: string;
	message: string;
	context?: Record<string, string[]>;
	errors?: unknown[];
}

type Outcome =
	| { ok: true; run: () => { record: Rec; isNew: boolean } }
	| {
			ok: false;
			kind: 'validation' | 'conflict' | 'notfound' | 'injected';
			httpStatus: number;
			error: BatchError;
	  };

const ISO = (ms: number) => new Date(ms).toISOString();

/** A HubSpot-shaped error: `{status:'error', message, correlationId, category, ...extra}`. */
export function hubspotError(
	status: number,
	category: string,
	message: string,
	extra?: Record<string, unknown>,
): HttpError {
	return new HttpError(status, message, category, extra);
}

const KIT_CATEGORIES: Record<string, string> = {
	not_found: 'OBJECT_NOT_FOUND',
	malformed_json: 'VALIDATION_ERROR',
	method_not_allowed: 'VALIDATION_ERROR',
	payload_too_large: 'VALIDATION_ERROR',
	malformed_path: 'VALIDATION_ERROR',
	invalid_client: 'VALIDATION_ERROR',
	invalid_request: 'VALIDATION_ERROR',
	internal_error: 'INTERNAL_ERROR',
};

const UNAUTHENTICATED_KINDS = new Set([
	'oauth.authorize',
	'oauth.token',
	'oauth.token-info',
	'oauth.refresh-token',
	'forms.submit',
]);

/** The HubSpot simulator. */
export class HubSpotSimulator {
	readonly server: SandboxServer;
	readonly store: Store;
	readonly oauth: OAuthServer;
	readonly rateLimiter: RateLimiter;
	readonly associations = new AssociationStore();
	readonly clock: Clock;
	readonly portalId: string;
	readonly accessToken: string;
	readonly clientId: string;
	readonly clientSecret: string;
	/** Id of the private app behind {@link accessToken}. */
	readonly privateAppId = 2_000_001;
	/** Id of the OAuth app. */
	readonly oauthAppId = 3_000_001;
	readonly owners: HubSpotOwner[] = [];
	readonly forms: HubSpotForm[] = [];
	readonly submissions: FormSubmission[] = [];
	private readonly pipelines = new Map<string, Pipeline[]>();
	private readonly types = new Map<string, ObjectTypeDef>();
	private readonly byName = new Map<string, ObjectTypeDef>();
	private readonly collections = new Map<string, Collection<Fields>>();
	private readonly unique = new Map<string, Map<string, string>>();
	private readonly getters = new Map<string, ValueGetter>();
	private readonly oauthTokens = new Set<string>();
	private readonly searchCache = new Map<string, { seq: string; records: Rec[] }>();
	/** With a search index delay: what search sees per object type, and the writes not yet indexed (in write order). */
	private searchIndexDelayMs = 0;
	private readonly searchIndex = new Map<string, Map<string, Rec>>();
	private readonly indexQueue: Array<{
		visibleAt: number;
		type: string;
		id: string;
		record: Rec | undefined;
	}> = [];
	private readonly rng: SeededRandom;
	private readonly maxBatchSize: number;
	private batchMode: HubSpotBatchMode;
	/** Order of batch read results; see {@link setReadResultOrder}. */
	private readResultOrder: HubSpotReadResultOrder;
	private searchLimits: SearchLimits;
	private limits: HubSpotRateLimits | false = false;
	private tenSecondly?: WindowLimiter;
	private tenSecondlyOAuth?: WindowLimiter;
	private daily?: WindowLimiter;
	private secondly?: WindowLimiter;
	private customSeq = 0;
	/** Batch answers still to give in reverse order (see answerBatchesInReverse). */
	private reversedBatches = 0;
	private seeded = 0;

	constructor(options: HubSpotSimulatorOptions = {}) {
		this.clock = options.clock ?? systemClock;
		const seed = options.seed ?? 1;
		this.rng = new SeededRandom(seed);
		this.portalId = options.portalId ?? '12345678';
		const guids = guidGenerator(seed ^ 0x4855);
		this.accessToken = options.accessToken ?? `pat-na1-${guids()}`;
		this.clientId = options.clientId ?? guids();
		this.clientSecret = options.clientSecret ?? guids();
		this.maxBatchSize = options.maxBatchSize ?? 100;
		this.batchMode = options.batchMode ?? 'atomic';
		this.readResultOrder = options.readResultOrder ?? 'request';
		this.searchLimits = { ...DEFAULT_SEARCH_LIMITS, ...options.searchLimits };
		this.store = new Store({ clock: this.clock, strictTimestamps: options.strictTimestamps });
		this.store.onChange((e) => {
			if (this.searchIndexDelayMs <= 0) return;
			const record = this.store.get(e.type)?.get(e.id, { includeDeleted: true }) as Rec | undefined;
			this.indexQueue.push({
				visibleAt: this.clock.now() + this.searchIndexDelayMs,
				type: e.type,
				id: e.id,
				record,
			});
		});
		const now = this.clock.now();
		for (const def of standardObjectTypes(now)) this.addType(def);

		this.server = new SandboxServer({
			name: 'hubspot',
			port: options.port,
			clock: this.clock,
			seed,
			latency: options.latency,
			errorReply: (err) => this.errorBody(err),
		});
		this.server.faults.setReplies({
			rateLimited: (_req, retryAfter, status) =>
				json(
					{
						status: 'error',
						message: 'You have reached your ten_secondly_rolling limit.',
						errorType: 'RATE_LIMIT',
						correlationId: randomUUID(),
						policyName: 'TEN_SECONDLY_ROLLING',
						groupName: `publicapi:private-app-api-calls-ten-secondly:${this.privateAppId}`,
					},
					status,
					{ ...this.tenSecondlyHeaders(0), 'Retry-After': String(retryAfter) },
				),
			serverError: (_req, status, message) =>
				json(
					{
						status: 'error',
						message,
						correlationId: randomUUID(),
						category: status === 502 || status === 504 ? 'BAD_GATEWAY' : 'INTERNAL_ERROR',
					},
					status,
				),
		});

		this.oauth = new OAuthServer({
			clock: this.clock,
			clients: [
				{
					clientId: this.clientId,
					clientSecret: this.clientSecret,
					grants: ['authorization_code', 'refresh_token'],
					defaultScopes: [
						'oauth',
						'crm.objects.contacts.read',
						'crm.objects.contacts.write',
						'crm.objects.companies.read',
						'crm.objects.companies.write',
						'crm.objects.deals.read',
						'crm.objects.deals.write',
						'crm.schemas.custom.read',
						'forms',
					],
				},
			],
			users: [{ username: 'sandbox-admin@example.com', password: 'not-used', id: '9001' }],
			accessTokenTtlSeconds: options.accessTokenTtlSeconds ?? 1800,
			tokenPrefix: 'CJSP',
			shapeToken: (base) => ({
				token_type: 'bearer',
				...(base.refresh_token !== undefined ? { refresh_token: base.refresh_token } : {}),
				access_token: base.access_token,
				expires_in: base.expires_in,
			}),
			errorReply: (status, code, description) => this.oauthError(status, code, description),
			unauthorized: (_req, reason) => this.unauthorized(reason),
		});
		this.oauth.issue({
			clientId: `private-app:${this.privateAppId}`,
			subject: `portal:${this.portalId}`,
			ttlSeconds: Infinity,
			accessToken: this.accessToken,
			scope: ['crm.objects.contacts.write'],
		});
		// The "expireTokens" fault expires OAuth access tokens; private-app tokens do not expire.
		this.server.faults.onExpireTokens(() => {
			let n = 0;
			for (const t of this.oauthTokens) if (this.oauth.expire(t)) n++;
			return n;
		});

		this.rateLimiter = new RateLimiter({ clock: this.clock });
		this.setRateLimits(
			options.rateLimits === false
				? false
				: { ...DEFAULT_HUBSPOT_RATE_LIMITS, ...options.rateLimits },
		);
		this.server.use(
			this.oauth.middleware({
				skip: (req) => req.kind === undefined || UNAUTHENTICATED_KINDS.has(req.kind),
			}),
		);
		this.server.use(this.rateLimiter.middleware());

		this.setSearchIndexDelay(options.searchIndexDelayMs ?? 0);
		this.seedAccount();
		this.installRoutes();
		this.installAdmin();
		if (options.records) this.seed(options.records);
	}

	// ---- lifecycle -----------------------------------------------------------------------------------

	get log(): RequestLog {
		return this.server.log;
	}

	get faults(): FaultInjector {
		return this.server.faults;
	}

	async start(): Promise<HubSpotContract> {
		await this.server.start();
		return this.contract();
	}

	stop(): Promise<void> {
		return this.server.stop();
	}

	contract(): HubSpotContract {
		const url = this.server.url;
		return {
			baseUrl: url,
			accessToken: this.accessToken,
			portalId: this.portalId,
			clientId: this.clientId,
			clientSecret: this.clientSecret,
			authorizeUrl: `${url}/oauth/authorize`,
			tokenUrl: `${url}/oauth/v1/token`,
			formsBaseUrl: url,
		};
	}

	// ---- configuration ---------------------------------------------------------------------------------

	/** Sets the rate limits (counts restart), or removes them with `false`. */
	setRateLimits(limits: HubSpotRateLimits | false): void {
		for (const name of ['TEN_SECONDLY_ROLLING', 'TEN_SECONDLY_ROLLING_OAUTH', 'SECONDLY', 'DAILY'])
			this.rateLimiter.removeRule(name);
		this.tenSecondly = this.tenSecondlyOAuth = this.daily = this.secondly = undefined;
		if (limits === false) {
			this.limits = false;
			return;
		}
		const oauthMax = limits.oauthTenSecondly ?? Math.min(110, limits.tenSecondly);
		this.limits = { ...limits, oauthTenSecondly: oauthMax };
		this.tenSecondly = new WindowLimiter({
			limit: limits.tenSecondly,
			windowMs: 10_000,
			mode: 'sliding',
		});
		this.tenSecondlyOAuth = new WindowLimiter({
			limit: oauthMax,
			windowMs: 10_000,
			mode: 'sliding',
		});
		this.secondly = new WindowLimiter({
			limit: limits.searchPerSecond,
			windowMs: 1000,
			mode: 'sliding',
		});
		this.daily = new WindowLimiter({
			limit: limits.daily,
			windowMs: 86_400_000,
			mode: 'fixed',
			alignOffsetMs: limits.dailyResetOffsetMs ?? 0,
		});
		const limited = (req: SandboxRequest) =>
			req.kind !== undefined &&
			!UNAUTHENTICATED_KINDS.has(req.kind) &&
			!req.kind.startsWith('account.');
		const isSearch = (req: SandboxRequest) => req.kind === 'search';
		const appKey = (req: SandboxRequest) => principalOf(req)?.clientId ?? 'anonymous';
		const isPrivateApp = (req: SandboxRequest) => appKey(req).startsWith('private-app:');
		const retryAfter = (state: LimitState) =>
			String(Math.max(1, Math.ceil(state.retryAfterMs / 1000)));
		const tooMany = (
			policyName: string,
			message: string,
			groupName: string,
			state: LimitState,
			headers: ReplyHeaders,
		): Reply =>
			json(
				{
					status: 'error',
					message,
					errorType: 'RATE_LIMIT',
					correlationId: randomUUID(),
					policyName,
					groupName,
				},
				429,
				{ ...headers, 'Retry-After': retryAfter(state) },
			);
		const group = (req: SandboxRequest) => {
			const app = appKey(req);
			return app.startsWith('private-app:')
				? `publicapi:private-app-api-calls-ten-secondly:${app.slice(12)}`
				: `publicapi:oauth-api-calls-ten-secondly:${this.oauthAppId}`;
		};
		const rules: RateLimitRule[] = [
			{
				name: 'SECONDLY',
				limiter: this.secondly,
				appliesTo: (req) => limited(req) && isSearch(req),
				key: () => this.portalId,
				reject: (_req, state) =>
					tooMany(
						'SECONDLY',
						'You have reached your secondly limit.',
						`publicapi:search-api-calls-secondly:${this.portalId}`,
						state,
						{},
					),
			},
			{
				name: 'TEN_SECONDLY_ROLLING',
				limiter: this.tenSecondly,
				appliesTo: (req) => limited(req) && !isSearch(req) && isPrivateApp(req),
				key: appKey,
				reject: (req, state) =>
					tooMany(
						'TEN_SECONDLY_ROLLING',
						'You have reached your ten_secondly_rolling limit.',
						group(req),
						state,
						this.tenSecondlyHeaders(0),
					),
				successHeaders: (_req, state) => this.tenSecondlyHeaders(state.remaining),
			},
			{
				name: 'TEN_SECONDLY_ROLLING_OAUTH',
				limiter: this.tenSecondlyOAuth,
				appliesTo: (req) => limited(req) && !isSearch(req) && !isPrivateApp(req),
				key: appKey,
				reject: (req, state) =>
					tooMany(
						'TEN_SECONDLY_ROLLING',
						'You have reached your ten_secondly_rolling limit.',
						group(req),
						state,
						this.tenSecondlyHeaders(0, oauthMax),
					),
				successHeaders: (_req, state) => this.tenSecondlyHeaders(state.remaining, oauthMax),
			},
			{
				name: 'DAILY',
				limiter: this.daily,
				appliesTo: (req) => limited(req) && isPrivateApp(req),
				key: () => this.portalId,
				reject: (_req, state) =>
					tooMany(
						'DAILY',
						'You have reached your daily limit.',
						`publicapi:api-calls-daily:${this.portalId}`,
						state,
						{
							'X-HubSpot-RateLimit-Daily': String(limits.daily),
							'X-HubSpot-RateLimit-Daily-Remaining': '0',
						},
					),
				// Search answers carry no X-HubSpot-RateLimit-* headers, as on HubSpot.
				successHeaders: (req, state): ReplyHeaders =>
					isSearch(req)
						? {}
						: {
								'X-HubSpot-RateLimit-Daily': String(limits.daily),
								'X-HubSpot-RateLimit-Daily-Remaining': String(state.remaining),
							},
			},
		];
		for (const r of rules) this.rateLimiter.setRule(r);
	}

	/** The current rate limits, or false. */
	getRateLimits(): HubSpotRateLimits | false {
		return this.limits === false ? false : { ...this.limits };
	}

	private tenSecondlyHeaders(
		remaining: number,
		max = this.limits === false ? 0 : this.limits.tenSecondly,
	): ReplyHeaders {
		if (this.limits === false) return {};
		return {
			'X-HubSpot-RateLimit-Interval-Milliseconds': '10000',
			'X-HubSpot-RateLimit-Max': String(max),
			'X-HubSpot-RateLimit-Remaining': String(remaining),
			'X-HubSpot-RateLimit-Secondly': String(Math.ceil(max / 10)),
			'X-HubSpot-RateLimit-Secondly-Remaining': String(
				Math.max(0, Math.min(Math.ceil(max / 10), remaining)),
			),
		};
	}

	setBatchMode(mode: HubSpotBatchMode): void {
		this.batchMode = mode;
	}

	getBatchMode(): HubSpotBatchMode {
		return this.batchMode;
	}

	/** Answers batch reads (objects and associations) in request order or reversed (HubSpot promises no order). */
	setReadResultOrder(order: HubSpotReadResultOrder): void {
		this.readResultOrder = order;
	}

	/** Batch read results in the configured order. */
	private inReadOrder<T>(results: T[]): T[] {
		return this.readResultOrder === 'reversed' ? [...results].reverse() : results;
	}

	/**
	 * Answers the next `count` batch writes that return records (create, update, upsert) with their results and errors
	 * in reverse input order (reads: {@link setReadResultOrder}). HubSpot documents no order for batch results (clients
	 * match them by `objectWriteTraceId` or key); this makes a test see an order other than the request's.
	 */
	answerBatchesInReverse(count = 1): void {
		this.reversedBatches = Math.max(0, Math.floor(count));
	}

	/**
	 * Sets how long writes take to become searchable (clock ms; 0 = at once). Records written so far count as
	 * indexed; later writes reach search `ms` after they were made.
	 */
	setSearchIndexDelay(ms: number): void {
		if (!(ms >= 0) || !Number.isFinite(ms))
			throw new RangeError(`searchIndexDelayMs must be a non-negative number, got ${ms}`);
		this.searchIndexDelayMs = ms;
		this.searchIndex.clear();
		this.indexQueue.length = 0;
		this.searchCache.clear();
		if (ms === 0) return;
		for (const type of this.store.types()) {
			const byId = new Map<string, Rec>();
			for (const r of (this.store.get(type) as Collection<Fields>).list()) byId.set(r.id, r as Rec);
			this.searchIndex.set(type, byId);
		}
	}

	/** The records search sees for a type: all current ones, or (with an index delay) the versions indexed by now. */
	private searchable(def: ObjectTypeDef, filter: (r: Rec) => boolean): Rec[] {
		if (this.searchIndexDelayMs <= 0) return this.coll(def).list({ filter }) as Rec[];
		const now = this.clock.now();
		while (this.indexQueue.length > 0 && this.indexQueue[0].visibleAt <= now) {
			const { type, id, record } = this.indexQueue.shift() as (typeof this.indexQueue)[number];
			let byId = this.searchIndex.get(type);
			if (!byId) this.searchIndex.set(type, (byId = new Map()));
			if (record && record.deletedAt === null) byId.set(id, record);
			else byId.delete(id);
		}
		const indexed = this.searchIndex.get(def.objectTypeId);
		return indexed ? [...indexed.values()].filter(filter) : [];
	}

	setSearchLimits(limits: Partial<SearchLimits>): void {
		this.searchLimits = { ...this.searchLimits, ...limits };
	}

	/** Issues an OAuth access token directly (as if the code flow had run), for tests. */
	issueOAuthToken(ttlSeconds?: number): string {
		const t = this.oauth.issue({
			clientId: this.clientId,
			subject: 'sandbox-admin@example.com',
			ttlSeconds,
			scope: ['oauth', 'crm.objects.contacts.read'],
		});
		this.oauthTokens.add(t.accessToken);
		return t.accessToken;
	}

	/** Clears records, associations, submissions, the log, faults, rate-limit counts and reversed batch answers (custom objects and properties stay). */
	reset(): void {
		this.store.clear();
		this.reversedBatches = 0;
		for (const idx of this.unique.values()) idx.clear();
		this.associations.clearLinks();
		this.submissions.length = 0;
		this.searchCache.clear();
		this.searchIndex.clear();
		this.indexQueue.length = 0;
		this.server.log.reset();
		this.server.faults.clearFaults();
		this.rateLimiter.reset();
	}

	// ---- object types ----------------------------------------------------------------------------------

	private addType(def: ObjectTypeDef): void {
		this.types.set(def.objectTypeId, def);
		for (const n of [def.name, ...def.aliases]) this.byName.set(n.toLowerCase(), def);
		this.collections.set(
			def.objectTypeId,
			this.store.collection<Fields>(def.objectTypeId, {
				idGenerator: numericIdGenerator(def.idBase),
			}),
		);
		this.unique.set(def.objectTypeId, new Map());
	}

	/** The object type for a path segment (`contacts`, `contact`, `0-1`, `p123_cars`, `2-…`), if any. */
	objectType(name: string): ObjectTypeDef | undefined {
		const def = this.byName.get(name.toLowerCase());
		return def && !def.custom?.archived ? def : undefined;
	}

	private mustType(name: string): ObjectTypeDef {
		const def = this.objectType(name);
		if (!def)
			throw hubspotError(400, 'VALIDATION_ERROR', `Unable to infer object type from: ${name}`);
		return def;
	}

	/** The records of an object type. */
	collection(typeName: string): Collection<Fields> {
		return this.collections.get(this.mustType(typeName).objectTypeId) as Collection<Fields>;
	}

	/**
	 * Test set-up behind the API's back (no request, no validation): creates a record with these property values,
	 * keeping the unique-value index (so reads and upserts by `email` find it). Its id.
	 */
	insertDirect(typeName: string, fields: Record<string, string | null>): string {
		return this.insert(this.mustType(typeName), fields).id;
	}

	/** Test set-up: changes a live record's values (its last-modified time moves to the clock's now). */
	updateDirect(typeName: string, id: string, fields: Record<string, string | null>): void {
		const def = this.mustType(typeName);
		if (!this.coll(def).get(id)) throw new Error(`no live ${def.name} record ${id}`);
		this.patch(def, id, fields);
	}

	/** Test set-up: archives (deletes) a record as the UI would; false when there is no live record with that id. */
	archiveDirect(typeName: string, id: string): boolean {
		return this.archiveRecord(this.mustType(typeName), id);
	}

	private coll(def: ObjectTypeDef): Collection<Fields> {
		return this.collections.get(def.objectTypeId) as Collection<Fields>;
	}

	private getter(def: ObjectTypeDef): ValueGetter {
		let g = this.getters.get(def.objectTypeId);
		if (!g) {
			const created = def.properties.has('createdate') ? 'createdate' : 'hs_createdate';
			const lastMod = def.lastModifiedProperty;
			g = (r, prop) => {
				if (prop === 'hs_object_id') return r.id;
				if (prop === lastMod) return ISO(r.updatedAt);
				const v = (r.fields as Fields)[prop];
				if (prop === created) return v ?? ISO(r.createdAt);
				return v ?? null;
			};
			this.getters.set(def.objectTypeId, g);
		}
		return g;
	}

	/** Properties always returned with explicitly requested ones. */
	private alwaysProps(def: ObjectTypeDef): string[] {
		return [
			def.properties.has('createdate') ? 'createdate' : 'hs_createdate',
			def.lastModifiedProperty,
			'hs_object_id',
		];
	}

	private recordJson(
		def: ObjectTypeDef,
		r: Rec,
		requested?: string[],
		all = false,
	): Record<string, unknown> {
		const get = this.getter(def);
		const live = (name: string) => def.properties.get(name)?.archived === false;
		let names: string[];
		if (all) {
			names = [
				...new Set([
					...Object.keys(r.fields).filter((k) => r.fields[k] !== null && live(k)),
					...this.alwaysProps(def),
				]),
			];
		} else if (requested && requested.length > 0) {
			names = [...new Set([...requested.filter(live), ...this.alwaysProps(def)])];
		} else names = def.defaultProperties;
		names.sort();
		const properties: Record<string, string | null> = {};
		for (const n of names) properties[n] = get(r, n);
		return {
			id: r.id,
			properties,
			createdAt: ISO(r.createdAt),
			updatedAt: ISO(r.updatedAt),
			archived: r.deletedAt !== null,
			...(r.deletedAt !== null ? { archivedAt: ISO(r.deletedAt) } : {}),
		};
	}

	// ---- writes ------------------------------------------------------------------------------------------

	private validate(def: ObjectTypeDef, input: unknown): { fields: Fields; errors: ValueError[] } {
		const fields: Fields = {};
		const errors: ValueError[] = [];
		if (input === undefined || input === null) return { fields, errors };
		if (typeof input !== 'object' || Array.isArray(input)) {
			errors.push({
				code: 'INVALID_TYPE',
				message: 'properties must be an object of property name to value',
				name: 'properties',
			});
			return { fields, errors };
		}
		for (const [name, raw] of Object.entries(input as Record<string, unknown>)) {
			const p = def.properties.get(name);
			if (!p || p.archived) {
				errors.push({
					code: 'PROPERTY_DOESNT_EXIST',
					message: `Property "${name}" does not exist`,
					name,
				});
				continue;
			}
			if (p.readOnlyValue) {
				if (name === 'hs_object_id') continue;
				errors.push({
					code: 'READ_ONLY_VALUE',
					message: `${name} is a read only property; its value cannot be set.`,
					name,
				});
				continue;
			}
			const checked = checkValue(p, raw);
			if (checked.ok) fields[name] = checked.value;
			else errors.push(checked.error);
		}
		return { fields, errors };
	}

	private uniqueKey(prop: string, value: string): string {
		return `${prop}\u0000${value.toLowerCase()}`;
	}

	private uniqueProps(def: ObjectTypeDef): PropertyDef[] {
		return [...def.properties.values()].filter((p) => p.hasUniqueValue && !p.archived);
	}

	/** The live record holding a unique value, if any. */
	findByUnique(def: ObjectTypeDef, prop: string, value: string): Rec | undefined {
		const id = this.unique.get(def.objectTypeId)?.get(this.uniqueKey(prop, value));
		return id === undefined ? undefined : this.coll(def).get(id);
	}

	private conflict(
		def: ObjectTypeDef,
		fields: Fields,
		selfId: string | undefined,
		claims: Map<string, string>,
	): { prop: string; value: string; existingId: string } | undefined {
		for (const p of this.uniqueProps(def)) {
			const v = fields[p.name];
			if (v === null || v === undefined) continue;
			const key = this.uniqueKey(p.name, v);
			const owner = this.unique.get(def.objectTypeId)?.get(key);
			if (owner !== undefined && owner !== selfId && this.coll(def).has(owner))
				return { prop: p.name, value: v, existingId: owner };
			const claimed = claims.get(key);
			if (claimed !== undefined && claimed !== (selfId ?? ''))
				return {
					prop: p.name,
					value: v,
					existingId: claimed.startsWith('#') ? '(an earlier input of this batch)' : claimed,
				};
		}
		return undefined;
	}

	private claim(
		def: ObjectTypeDef,
		fields: Fields,
		selfId: string,
		claims: Map<string, string>,
	): void {
		for (const p of this.uniqueProps(def)) {
			const v = fields[p.name];
			if (v !== null && v !== undefined) claims.set(this.uniqueKey(p.name, v), selfId);
		}
	}

	private conflictMessage(
		def: ObjectTypeDef,
		c: { prop: string; value: string; existingId: string },
	): string {
		if (def.objectTypeId === '0-1' && c.prop === 'email')
			return `Contact already exists. Existing ID: ${c.existingId}`;
		return `${def.label.charAt(0)}${def.label.slice(1).toLowerCase().replace(/_/g, ' ')} with ${c.prop} "${c.value}" already exists (${c.prop} must be unique). Existing ID: ${c.existingId}`;
	}

	private index(
		def: ObjectTypeDef,
		before: Fields | undefined,
		after: Fields | undefined,
		id: string,
	): void {
		const idx = this.unique.get(def.objectTypeId) as Map<string, string>;
		for (const p of this.uniqueProps(def)) {
			const old = before?.[p.name];
			const now = after?.[p.name];
			if (old === now) continue;
			if (old !== null && old !== undefined && idx.get(this.uniqueKey(p.name, old)) === id)
				idx.delete(this.uniqueKey(p.name, old));
			if (now !== null && now !== undefined) idx.set(this.uniqueKey(p.name, now), id);
		}
	}

	private insert(def: ObjectTypeDef, fields: Fields): Rec {
		const clean: Fields = {};
		for (const [k, v] of Object.entries(fields)) if (v !== null) clean[k] = v;
		const r = this.coll(def).create(clean);
		this.index(def, undefined, r.fields, r.id);
		return r;
	}

	private patch(def: ObjectTypeDef, id: string, fields: Fields): Rec {
		const before = this.coll(def).get(id) as Rec;
		// Writing the values a record already has changes nothing (lastmodifieddate stays), as on HubSpot.
		if (Object.entries(fields).every(([k, v]) => (before.fields[k] ?? null) === v)) return before;
		const r = this.coll(def).update(id, fields) as Rec;
		this.index(def, before.fields, r.fields, id);
		return r;
	}

	private archiveRecord(def: ObjectTypeDef, id: string): boolean {
		const r = this.coll(def).get(id);
		if (!r) return false;
		this.coll(def).delete(id);
		this.index(def, r.fields, undefined, id);
		this.associations.dropRecord(def.objectTypeId, id);
		return true;
	}

	/** Finds a live (or, with `archived`, archived) record by id or a unique property. */
	private lookup(
		def: ObjectTypeDef,
		id: string,
		idProperty: string | null | undefined,
		archived = false,
	): Rec | undefined {
		const coll = this.coll(def);
		if (!idProperty || idProperty === 'hs_object_id') {
			const r = coll.get(id, { includeDeleted: archived });
			return r && (r.deletedAt !== null) === archived ? r : undefined;
		}
		const p = def.properties.get(idProperty);
		if (!p || !p.hasUniqueValue) {
			throw hubspotError(
				400,
				'VALIDATION_ERROR',
				`${idProperty} is not a unique identifier property of ${def.name}; use hs_object_id or a property with hasUniqueValue (${
					this.uniqueProps(def)
						.map((x) => x.name)
						.join(', ') || 'none defined'
				})`,
			);
		}
		const checked = checkValue(p, id);
		if (!checked.ok || checked.value === null) return undefined;
		if (archived)
			return coll
				.list({ deletedOnly: true })
				.find((r) => (r.fields[idProperty] ?? '').toLowerCase() === checked.value?.toLowerCase());
		return this.findByUnique(def, idProperty, checked.value);
	}

	private notFound(def: ObjectTypeDef, id: string, idProperty?: string | null): HttpError {
		return hubspotError(
			404,
			'OBJECT_NOT_FOUND',
			`No ${def.label.toLowerCase()} with ${idProperty && idProperty !== 'hs_object_id' ? `${idProperty} ` : 'id '}${id} exists (it may have been archived or never existed).`,
			{
				context: { id: [id] },
			},
		);
	}

	/** Checks and links `associations` of a create input. */
	private planAssociations(
		def: ObjectTypeDef,
		raw: unknown,
	):
		| { ok: true; links: Array<{ to: string; toId: string; typeId: number }> }
		| { ok: false; message: string } {
		if (raw === undefined || raw === null) return { ok: true, links: [] };
		if (!Array.isArray(raw))
			return {
				ok: false,
				message:
					'associations must be an array of {to:{id}, types:[{associationCategory, associationTypeId}]}',
			};
		const links: Array<{ to: string; toId: string; typeId: number }> = [];
		for (const [i, a] of raw.entries()) {
			const toId = String((a as { to?: { id?: unknown } })?.to?.id ?? '');
			const types = (a as { types?: unknown })?.types;
			if (toId === '' || !Array.isArray(types) || types.length === 0)
				return { ok: false, message: `associations[${i}] needs to.id and a non-empty types array` };
			for (const t of types) {
				const typeId = Number((t as { associationTypeId?: unknown })?.associationTypeId);
				const type = this.associations.type(typeId);
				if (!type || type.fromObjectTypeId !== def.objectTypeId) {
					return {
						ok: false,
						message: `associations[${i}]: association type ${String((t as { associationTypeId?: unknown })?.associationTypeId)} is not valid from ${def.name}`,
					};
				}
				if (!this.collections.get(type.toObjectTypeId)?.has(toId)) {
					return {
						ok: false,
						message: `associations[${i}]: ${this.types.get(type.toObjectTypeId)?.name ?? type.toObjectTypeId} ${toId} does not exist`,
					};
				}
				links.push({ to: type.toObjectTypeId, toId, typeId });
			}
		}
		return { ok: true, links };
	}

	/**
	 * Plans one write (create, update or upsert) without applying it; `claims` holds the unique values
	 * taken by earlier inputs of the same batch.
	 */
	private planWrite(
		def: ObjectTypeDef,
		mode: 'create' | 'update' | 'upsert',
		input: unknown,
		claims: Map<string, string>,
		index: number,
	): Outcome {
		const obj = (typeof input === 'object' && input !== null ? input : {}) as Record<
			string,
			unknown
		>;
		const trace = typeof obj.objectWriteTraceId === 'string' ? obj.objectWriteTraceId : undefined;
		const context = (extra: Record<string, string[]> = {}): Record<string, string[]> => ({
			...extra,
			...(trace !== undefined ? { objectWriteTraceId: [trace] } : {}),
		});
		const fail = (
			kind: 'validation' | 'conflict' | 'notfound',
			httpStatus: number,
			category: string,
			message: string,
			ctx: Record<string, string[]> = {},
			errors?: unknown[],
		): Outcome => ({
			ok: false,
			kind,
			httpStatus,
			error: {
				status: 'error',
				category,
				message,
				context: context(ctx),
				...(errors ? { errors } : {}),
			},
		});
		const { fields, errors } = this.validate(def, obj.properties);
		if (errors.length > 0)
			return fail(
				'validation',
				400,
				'VALIDATION_ERROR',
				validationMessage(errors),
				{},
				errorDetails(errors),
			);

		let target: Rec | undefined;
		let idValue: string | undefined;
		if (mode !== 'create') {
			if (obj.id === undefined || obj.id === null || String(obj.id) === '')
				return fail('validation', 400, 'VALIDATION_ERROR', `inputs[${index}].id is required`);
			idValue = String(obj.id);
			const idProperty = typeof obj.idProperty === 'string' ? obj.idProperty : undefined;
			if (mode === 'upsert' && idProperty && idProperty !== 'hs_object_id') {
				const p = def.properties.get(idProperty);
				if (!p || !p.hasUniqueValue) {
					return fail(
						'validation',
						400,
						'VALIDATION_ERROR',
						`idProperty ${idProperty} is not a unique property of ${def.name}; upsert needs hs_object_id or a property with hasUniqueValue (${this.uniqueProps(
							def,
						)
							.map((x) => x.name)
							.join(', ')})`,
					);
				}
				const checked = checkValue(p, idValue);
				if (!checked.ok || checked.value === null)
					return fail(
						'validation',
						400,
						'VALIDATION_ERROR',
						validationMessage([
							checked.ok
								? { code: 'INVALID_TYPE', message: 'id is empty', name: idProperty }
								: checked.error,
						]),
					);
				target = this.findByUnique(def, idProperty, checked.value);
				if (!target) {
					if (fields[idProperty] !== undefined && fields[idProperty] !== checked.value) {
						return fail(
							'validation',
							400,
							'VALIDATION_ERROR',
							`inputs[${index}]: properties.${idProperty} (${fields[idProperty]}) differs from id (${idValue})`,
						);
					}
					fields[idProperty] = checked.value;
				}
			} else {
				try {
					target = this.lookup(def, idValue, idProperty);
				} catch (err) {
					if (err instanceof HttpError)
						return fail('validation', 400, 'VALIDATION_ERROR', err.message);
					throw err;
				}
				if (!target) {
					return fail(
						'notfound',
						404,
						'OBJECT_NOT_FOUND',
						`Could not get some ${def.label} objects, they may be deleted or not exist. Check that ids are valid.`,
						{ ids: [idValue] },
					);
				}
			}
		}
		const assoc =
			mode === 'create'
				? this.planAssociations(def, obj.associations)
				: { ok: true as const, links: [] };
		if (!assoc.ok) return fail('validation', 400, 'VALIDATION_ERROR', assoc.message);
		const c = this.conflict(def, fields, target?.id, claims);
		if (c)
			return fail('conflict', 409, 'CONFLICT', this.conflictMessage(def, c), {
				...(target ? { ids: [target.id] } : {}),
			});
		const selfId = target?.id ?? `#${index}`;
		this.claim(def, fields, selfId, claims);
		return {
			ok: true,
			run: () => {
				if (target) return { record: this.patch(def, target.id, fields), isNew: false };
				const record = this.insert(def, fields);
				for (const l of assoc.links)
					this.associations.link(def.objectTypeId, record.id, l.to, l.toId, l.typeId);
				return { record, isNew: true };
			},
		};
	}

	// ---- routes ------------------------------------------------------------------------------------------

	private installRoutes(): void {
		const s = this.server;
		// OAuth
		s.get(
			'/oauth/authorize',
			(req) => {
				if (!req.query.has('response_type')) req.query.set('response_type', 'code');
				return this.oauth.authorizeHandler(req);
			},
			{ kind: 'oauth.authorize' },
		);
		s.post('/oauth/v1/token', (req) => this.token(req), { kind: 'oauth.token' });
		s.get('/oauth/v1/access-tokens/:token', (req) => this.tokenInfo(req.params.token), {
			kind: 'oauth.token-info',
		});
		s.delete(
			'/oauth/v1/refresh-tokens/:token',
			(req) => {
				this.oauth.revoke(req.params.token);
				return empty(204);
			},
			{ kind: 'oauth.refresh-token' },
		);
		s.post(
			'/oauth/v2/private-apps/get/access-token-info',
			async (req) => {
				const body = (await req.json<{ tokenKey?: unknown }>()) ?? {};
				if (body.tokenKey !== this.accessToken)
					throw hubspotError(404, 'OBJECT_NOT_FOUND', 'No private app token matches tokenKey');
				return json({
					userId: 9001,
					hubId: Number(this.portalId),
					appId: this.privateAppId,
					scopes: [
						'crm.objects.contacts.read',
						'crm.objects.contacts.write',
						'crm.objects.companies.read',
						'crm.objects.companies.write',
						'crm.objects.deals.read',
						'crm.objects.deals.write',
						'crm.schemas.custom.read',
						'forms',
					],
				});
			},
			{ kind: 'oauth.token-info' },
		);
		// account
		s.get(
			'/account-info/v3/details',
			() =>
				json({
					portalId: Number(this.portalId),
					accountType: 'STANDARD',
					timeZone: 'Etc/UTC',
					companyCurrency: 'USD',
					additionalCurrencies: [],
					utcOffset: '+00:00',
					utcOffsetMilliseconds: 0,
					uiDomain: 'app.hubspot.com',
					dataHostingLocation: 'na1',
				}),
			{ kind: 'account.details' },
		);
		s.get(
			'/account-info/v3/api-usage/daily/private-apps',
			() => {
				const limits = this.limits;
				const used =
					limits === false || !this.daily
						? 0
						: limits.daily - this.daily.peek(this.clock.now(), this.portalId).remaining;
				return json({
					results: [
						{
							name: 'private-apps-api-calls-daily',
							usageLimit: limits === false ? null : limits.daily,
							currentUsage: used,
							collectedAt: ISO(this.clock.now()),
							fetchStatus: 'SUCCESS',
						},
					],
				});
			},
			{ kind: 'account.usage' },
		);

		// objects
		s.get('/crm/v3/objects/:type', (req) => this.list(req), { kind: 'list' });
		s.post('/crm/v3/objects/:type', (req) => this.create(req), { kind: 'create' });
		s.post('/crm/v3/objects/:type/search', (req) => this.search(req), { kind: 'search' });
		for (const op of ['read', 'create', 'update', 'upsert', 'archive']) {
			s.post(`/crm/v3/objects/:type/batch/${op}`, (req) => this.batch(req, op), {
				kind: `batch.${op}`,
			});
		}
		s.get('/crm/v3/objects/:type/:id', (req) => this.getOne(req), { kind: 'get' });
		s.patch('/crm/v3/objects/:type/:id', (req) => this.updateOne(req), { kind: 'update' });
		s.delete(
			'/crm/v3/objects/:type/:id',
			(req) => {
				const def = this.mustType(req.params.type);
				const r = this.lookup(def, req.params.id, req.query.get('idProperty'));
				if (r) this.archiveRecord(def, r.id);
				return empty(204);
			},
			{ kind: 'archive' },
		);

		// properties
		s.get('/crm/v3/properties/:type', (req) => this.listProperties(req), {
			kind: 'properties.list',
		});
		s.post('/crm/v3/properties/:type', (req) => this.createProperty(req), {
			kind: 'properties.create',
		});
		for (const op of ['read', 'create', 'archive']) {
			s.post(`/crm/v3/properties/:type/batch/${op}`, (req) => this.propertiesBatch(req, op), {
				kind: `properties.batch.${op}`,
			});
		}
		s.get(
			'/crm/v3/properties/:type/groups',
			(req) => {
				const def = this.mustType(req.params.type);
				return json({
					results: [...def.groups.values()].filter((g) => !g.archived).map((g) => ({ ...g })),
				});
			},
			{ kind: 'properties.groups' },
		);
		s.post('/crm/v3/properties/:type/groups', (req) => this.createGroup(req), {
			kind: 'properties.groups',
		});
		s.get('/crm/v3/properties/:type/groups/:name', (req) => json({ ...this.mustGroup(req) }), {
			kind: 'properties.groups',
		});
		s.patch(
			'/crm/v3/properties/:type/groups/:name',
			async (req) => {
				const g = this.mustGroup(req);
				const body = (await req.json<{ label?: unknown; displayOrder?: unknown }>()) ?? {};
				if (typeof body.label === 'string') g.label = body.label;
				if (typeof body.displayOrder === 'number') g.displayOrder = body.displayOrder;
				return json({ ...g });
			},
			{ kind: 'properties.groups' },
		);
		s.delete(
			'/crm/v3/properties/:type/groups/:name',
			(req) => {
				this.mustGroup(req).archived = true;
				return empty(204);
			},
			{ kind: 'properties.groups' },
		);
		s.get(
			'/crm/v3/properties/:type/:name',
			(req) => {
				const def = this.mustType(req.params.type);
				return json(
					propertyJson(
						this.mustProperty(def, req.params.name, req.query.get('archived') === 'true'),
					),
				);
			},
			{ kind: 'properties.get' },
		);
		s.patch('/crm/v3/properties/:type/:name', (req) => this.updateProperty(req), {
			kind: 'properties.update',
		});
		s.delete(
			'/crm/v3/properties/:type/:name',
			(req) => {
				const def = this.mustType(req.params.type);
				const p = this.mustProperty(def, req.params.name);
				if (p.hubspotDefined)
					throw hubspotError(
						400,
						'VALIDATION_ERROR',
						`${p.name} is a HubSpot-defined property of ${def.name} and cannot be archived`,
					);
				p.archived = true;
				p.archivedAt = this.clock.now();
				return empty(204);
			},
			{ kind: 'properties.archive' },
		);

		// schemas (both paths HubSpot serves)
		for (const base of ['/crm/v3/schemas', '/crm-object-schemas/v3/schemas']) {
			s.get(
				base,
				(req) =>
					json({
						results: [...this.types.values()]
							.filter(
								(d) => d.custom && d.custom.archived === (req.query.get('archived') === 'true'),
							)
							.map((d) => this.schemaJson(d)),
					}),
				{ kind: 'schemas.list' },
			);
			s.post(base, (req) => this.createSchema(req), { kind: 'schemas.create' });
			s.get(
				`${base}/:objectType`,
				(req) => json(this.schemaJson(this.mustSchema(req.params.objectType))),
				{ kind: 'schemas.get' },
			);
			s.patch(`${base}/:objectType`, (req) => this.updateSchema(req), { kind: 'schemas.update' });
			s.delete(
				`${base}/:objectType`,
				(req) => {
					const def = this.mustSchema(req.params.objectType);
					if (this.coll(def).count() > 0) {
						throw hubspotError(
							400,
							'VALIDATION_ERROR',
							`Object type ${def.name} still has ${this.coll(def).count()} records; archive them before deleting the schema`,
						);
					}
					(def.custom as NonNullable<ObjectTypeDef['custom']>).archived = true;
					return empty(204);
				},
				{ kind: 'schemas.archive' },
			);
		}

		// associations v4
		s.post('/crm/v4/associations/:from/:to/batch/create', (req) => this.assocBatchCreate(req), {
			kind: 'associations.create',
		});
		s.post(
			'/crm/v4/associations/:from/:to/batch/associate/default',
			(req) => this.assocBatchDefault(req),
			{ kind: 'associations.default' },
		);
		s.post('/crm/v4/associations/:from/:to/batch/read', (req) => this.assocBatchRead(req), {
			kind: 'associations.read',
		});
		s.post(
			'/crm/v4/associations/:from/:to/batch/archive',
			(req) => this.assocBatchArchive(req, false),
			{ kind: 'associations.archive' },
		);
		s.post(
			'/crm/v4/associations/:from/:to/batch/labels/archive',
			(req) => this.assocBatchArchive(req, true),
			{ kind: 'associations.archive' },
		);
		for (const base of ['/crm/v4/associations', '/crm/associations/v4']) {
			s.get(
				`${base}/:from/:to/labels`,
				(req) => {
					const [from, to] = [this.mustType(req.params.from), this.mustType(req.params.to)];
					return json({
						results: this.associations
							.typesBetween(from.objectTypeId, to.objectTypeId)
							.map(labelJson),
					});
				},
				{ kind: 'associations.labels' },
			);
			s.post(`${base}/:from/:to/labels`, (req) => this.createLabel(req), {
				kind: 'associations.labels',
			});
			s.delete(
				`${base}/:from/:to/labels/:typeId`,
				(req) => {
					if (!this.associations.removeLabel(Number(req.params.typeId))) {
						throw hubspotError(
							400,
							'VALIDATION_ERROR',
							`Association type ${req.params.typeId} is not a user-defined label and cannot be removed`,
						);
					}
					return empty(204);
				},
				{ kind: 'associations.labels' },
			);
		}
		s.get(
			'/crm/v4/objects/:type/:id/associations/:toType',
			(req) => {
				const def = this.mustType(req.params.type);
				const to = this.mustType(req.params.toType);
				if (!this.coll(def).has(req.params.id)) throw this.notFound(def, req.params.id);
				return json({ results: this.linkedJson(def, req.params.id, to) });
			},
			{ kind: 'associations.list' },
		);
		s.put(
			'/crm/v4/objects/:type/:id/associations/default/:toType/:toId',
			(req) => {
				const def = this.mustType(req.params.type);
				const to = this.mustType(req.params.toType);
				const result = this.associateDefault(def, to, req.params.id, req.params.toId);
				if ('error' in result) throw hubspotError(400, result.error.category, result.error.message);
				return json({
					status: 'COMPLETE',
					results: [result.result],
					startedAt: ISO(req.startedAt),
					completedAt: ISO(this.clock.now()),
				});
			},
			{ kind: 'associations.default' },
		);
		s.put(
			'/crm/v4/objects/:type/:id/associations/:toType/:toId',
			async (req) => {
				const def = this.mustType(req.params.type);
				const to = this.mustType(req.params.toType);
				const types = await req.json<unknown>();
				const result = this.associateLabelled(def, to, req.params.id, req.params.toId, types);
				if ('error' in result) throw hubspotError(400, result.error.category, result.error.message);
				return json(result.result, 201);
			},
			{ kind: 'associations.create' },
		);
		s.delete(
			'/crm/v4/objects/:type/:id/associations/:toType/:toId',
			(req) => {
				const def = this.mustType(req.params.type);
				const to = this.mustType(req.params.toType);
				this.associations.unlink(def.objectTypeId, req.params.id, to.objectTypeId, req.params.toId);
				return empty(204);
			},
			{ kind: 'associations.archive' },
		);

		// owners
		s.get('/crm/v3/owners', (req) => this.listOwners(req), { kind: 'owners.list' });
		s.get(
			'/crm/v3/owners/:id',
			(req) => {
				const byUser = req.query.get('idProperty') === 'userId';
				const o = this.owners.find(
					(x) =>
						(byUser ? String(x.userId) : x.id) === req.params.id &&
						x.archived === (req.query.get('archived') === 'true'),
				);
				if (!o)
					throw hubspotError(
						404,
						'OBJECT_NOT_FOUND',
						`No owner with ${byUser ? 'userId' : 'id'} ${req.params.id}`,
					);
				return json(this.ownerJson(o));
			},
			{ kind: 'owners.get' },
		);

		// pipelines
		s.get(
			'/crm/v3/pipelines/:type',
			(req) =>
				json({ results: this.pipelinesOf(req.params.type).map((p) => this.pipelineJson(p)) }),
			{ kind: 'pipelines.list' },
		);
		s.get('/crm/v3/pipelines/:type/:id', (req) => json(this.pipelineJson(this.mustPipeline(req))), {
			kind: 'pipelines.get',
		});
		s.get(
			'/crm/v3/pipelines/:type/:id/stages',
			(req) => json({ results: this.mustPipeline(req).stages.map((st) => this.stageJson(st)) }),
			{ kind: 'pipelines.stages' },
		);

		// forms
		s.get('/marketing/v3/forms', () => json({ results: this.forms.map((f) => this.formJson(f)) }), {
			kind: 'forms.list',
		});
		s.get(
			'/marketing/v3/forms/:id',
			(req) => {
				const f = this.forms.find((x) => x.id === req.params.id);
				if (!f) throw hubspotError(404, 'OBJECT_NOT_FOUND', `No form with id ${req.params.id}`);
				return json(this.formJson(f));
			},
			{ kind: 'forms.get' },
		);
		s.post(
			'/submissions/v3/integration/submit/:portalId/:formGuid',
			(req) => this.submitForm(req, false),
			{ kind: 'forms.submit' },
		);
		s.post(
			'/submissions/v3/integration/secure/submit/:portalId/:formGuid',
			(req) => this.submitForm(req, true),
			{ kind: 'forms.secure-submit' },
		);
	}

	// ---- auth ----------------------------------------------------------------------------------------

	private async token(req: SandboxRequest): Promise<Reply> {
		const form =
			req.contentType === 'application/x-www-form-urlencoded' ? await req.form() : undefined;
		if (form && form.get('client_id') !== null && form.get('client_id') !== this.clientId) {
			return this.oauthError(400, 'invalid_client', 'invalid client credentials');
		}
		const reply = await this.oauth.tokenHandler(req);
		if (reply.status === 200 && typeof reply.body === 'string') {
			const body = JSON.parse(reply.body) as Record<string, unknown>;
			if (typeof body.access_token === 'string') this.oauthTokens.add(body.access_token);
			if (body.refresh_token === undefined && form?.get('grant_type') === 'refresh_token') {
				// HubSpot repeats the (unchanged) refresh token on refresh.
				const ordered = {
					token_type: body.token_type,
					refresh_token: form.get('refresh_token'),
					access_token: body.access_token,
					expires_in: body.expires_in,
				};
				return json(ordered, 200, reply.headers);
			}
		}
		return reply;
	}

	private tokenInfo(token: string): Reply {
		const t = this.oauth.lookup(token);
		const now = this.clock.now();
		if (!t || t.forcedExpired || now >= t.expiresAt || t.clientId !== this.clientId) {
			throw hubspotError(404, 'OBJECT_NOT_FOUND', 'The access token is unknown or expired');
		}
		return json({
			token,
			user: t.subject,
			hub_domain: `sandbox-${this.portalId}.hubspot.com`,
			scopes: t.scope,
			scope_to_scope_group_pks: [],
			trial_scopes: [],
			trial_scope_to_scope_group_pks: [],
			hub_id: Number(this.portalId),
			app_id: this.oauthAppId,
			expires_in: Math.max(0, Math.floor((t.expiresAt - now) / 1000)),
			user_id: 9001,
			token_type: 'access',
		});
	}

	private oauthError(status: number, code: string, description: string): Reply {
		const map: Record<string, [string, string]> = {
			invalid_client: ['BAD_CLIENT_ID', 'missing or invalid client_id / client_secret'],
			unsupported_grant_type: ['BAD_GRANT_TYPE', description],
			unauthorized_client: ['BAD_GRANT_TYPE', description],
			invalid_request: ['BAD_REQUEST', description],
		};
		let [hsStatus, message] = map[code] ?? ['BAD_REQUEST', description];
		if (code === 'invalid_grant') {
			if (/refresh/.test(description))
				[hsStatus, message] = ['BAD_REFRESH_TOKEN', 'missing or unknown refresh token'];
			else if (/redirect_uri/.test(description))
				[hsStatus, message] = [
					'BAD_REDIRECT_URI',
					'redirect_uri does not match the one used to get the code',
				];
			else [hsStatus, message] = ['BAD_AUTH_CODE', 'missing or unknown auth code'];
		}
		return json(
			{ status: hsStatus, message, correlationId: randomUUID() },
			status === 401 ? 400 : status,
		);
	}

	private unauthorized(reason: 'missing' | 'invalid' | 'expired'): Reply {
		const message =
			reason === 'missing'
				? 'Authentication credentials not found. This API supports OAuth 2.0 authentication and you can find more details at https://developers.hubspot.com/docs/methods/auth/oauth-overview'
				: reason === 'expired'
					? 'The OAuth token used to make this call expired.'
					: 'Authentication credentials are invalid. Check that the access token (private app token or OAuth token) is correct.';
		return json(
			{
				status: 'error',
				message,
				correlationId: randomUUID(),
				category: reason === 'expired' ? 'EXPIRED_AUTHENTICATION' : 'INVALID_AUTHENTICATION',
			},
			401,
		);
	}

	private errorBody(err: HttpError): Reply {
		const category =
			err.code && /^[A-Z_]+$/.test(err.code)
				? err.code
				: (KIT_CATEGORIES[err.code ?? ''] ?? 'VALIDATION_ERROR');
		const message =
			err.code === 'not_found'
				? `Resource not found: ${err.message.replace(/^No route for /, '')}`
				: err.message;
		return json(
			{ status: 'error', message, correlationId: randomUUID(), category, ...err.details },
			err.status,
			{ ...err.headers },
		);
	}

	// ---- object handlers -------------------------------------------------------------------------------

	private propsParam(req: SandboxRequest): string[] | undefined {
		const all = req.query
			.getAll('properties')
			.flatMap((p) => p.split(','))
			.map((p) => p.trim())
			.filter((p) => p !== '');
		return all.length > 0 ? all : undefined;
	}

	private async jsonBody<T>(req: SandboxRequest): Promise<T> {
		const body = await req.json<T>();
		if (body === undefined || body === null || typeof body !== 'object')
			throw hubspotError(
				400,
				'VALIDATION_ERROR',
				'Invalid input JSON: a JSON object body is required',
			);
		return body;
	}

	private list(req: SandboxRequest): Reply {
		const def = this.mustType(req.params.type);
		const rawLimit = req.query.get('limit');
		const limit = rawLimit === null ? 10 : Number(rawLimit);
		if (!Number.isInteger(limit) || limit < 1)
			throw hubspotError(
				400,
				'VALIDATION_ERROR',
				`limit must be a positive integer, got ${rawLimit}`,
			);
		const size = Math.min(limit, 100);
		const after = req.query.get('after');
		if (after !== null && !/^\d+$/.test(after))
			throw hubspotError(
				400,
				'VALIDATION_ERROR',
				`after must be the paging token from a previous page, got ${after}`,
			);
		const archived = req.query.get('archived') === 'true';
		const from = after === null ? 0 : Number(after);
		const page: Rec[] = [];
		let next: Rec | undefined;
		for (const r of this.coll(def).list(archived ? { deletedOnly: true } : {})) {
			if (Number(r.id) < from) continue;
			if (page.length < size) page.push(r);
			else {
				next = r;
				break;
			}
		}
		const props = this.propsParam(req);
		const nextAfter = next ? next.id : undefined;
		return json({
			results: page.map((r) => this.withAssociations(def, r, this.recordJson(def, r, props), req)),
			...(nextAfter !== undefined
				? {
						paging: {
							next: { after: nextAfter, link: `${req.baseUrl}${req.path}?after=${nextAfter}` },
						},
					}
				: {}),
		});
	}

	private getOne(req: SandboxRequest): Reply {
		const def = this.mustType(req.params.type);
		const r = this.lookup(
			def,
			req.params.id,
			req.query.get('idProperty'),
			req.query.get('archived') === 'true',
		);
		if (!r) throw this.notFound(def, req.params.id, req.query.get('idProperty'));
		return json(this.withAssociations(def, r, this.recordJson(def, r, this.propsParam(req)), req));
	}

	/** Adds the `associations` block a GET asks for with `?associations=companies,deals`. */
	private withAssociations(
		def: ObjectTypeDef,
		r: Rec,
		out: Record<string, unknown>,
		req: SandboxRequest,
	): Record<string, unknown> {
		const names = req.query
			.getAll('associations')
			.flatMap((x) => x.split(','))
			.map((x) => x.trim())
			.filter((x) => x !== '');
		if (names.length === 0) return out;
		const associations: Record<string, unknown> = {};
		for (const name of names) {
			const to = this.objectType(name);
			if (!to) continue;
			const results = this.associations
				.linked(def.objectTypeId, r.id, to.objectTypeId)
				.flatMap((l) =>
					l.typeIds.map((id) => ({
						id: l.toId,
						type: this.associations.type(id)?.name ?? String(id),
					})),
				);
			if (results.length > 0) associations[name] = { results };
		}
		if (Object.keys(associations).length > 0) out.associations = associations;
		return out;
	}

	private async create(req: SandboxRequest): Promise<Reply> {
		const def = this.mustType(req.params.type);
		const body = await this.jsonBody<Record<string, unknown>>(req);
		const plan = this.planWrite(def, 'create', body, new Map(), 0);
		if (!plan.ok)
			throw hubspotError(
				plan.httpStatus,
				plan.error.category,
				plan.error.message,
				plan.error.errors ? { errors: plan.error.errors } : undefined,
			);
		const { record } = plan.run();
		return json(this.recordJson(def, record, undefined, true), 201);
	}

	private async updateOne(req: SandboxRequest): Promise<Reply> {
		const def = this.mustType(req.params.type);
		const r = this.lookup(def, req.params.id, req.query.get('idProperty'));
		if (!r) throw this.notFound(def, req.params.id, req.query.get('idProperty'));
		const body = await this.jsonBody<Record<string, unknown>>(req);
		const plan = this.planWrite(def, 'update', { ...body, id: r.id }, new Map(), 0);
		if (!plan.ok)
			throw hubspotError(
				plan.httpStatus,
				plan.error.category,
				plan.error.message,
				plan.error.errors ? { errors: plan.error.errors } : undefined,
			);
		return json(this.recordJson(def, plan.run().record, undefined, true));
	}

	private async search(req: SandboxRequest): Promise<Reply> {
		const def = this.mustType(req.params.type);
		const body = await req.json<unknown>();
		const get = this.getter(def);
		const q = parseSearch(def, body, get, this.searchLimits, (typeName) => {
			const to = this.objectType(typeName);
			return to
				? (r) =>
						this.associations.linked(def.objectTypeId, r.id, to.objectTypeId).map((l) => l.toId)
				: undefined;
		});
		const max = this.searchLimits.maxResults;
		if (q.after + q.limit > max) {
			throw hubspotError(
				400,
				'VALIDATION_ERROR',
				`Search results are limited to the first ${max} matches: after (${q.after}) + limit (${q.limit}) exceeds ${max}. Narrow the filters (e.g. by hs_object_id or ${def.lastModifiedProperty} ranges) to reach later records.`,
			);
		}
		// With an index delay the result depends on the clock too: no caching then.
		const seq =
			this.searchIndexDelayMs > 0
				? `t${this.clock.now()}:${this.indexQueue.length}:${this.store.lastSeq}:${this.associations.version}`
				: `${this.store.lastSeq}:${this.associations.version}`;
		let hit = this.searchCache.get(q.key);
		if (!hit || hit.seq !== seq) {
			const records = q.order(this.searchable(def, q.matches)) as Rec[];
			hit = { seq, records };
			this.searchCache.set(q.key, hit);
			if (this.searchCache.size > 16)
				this.searchCache.delete(this.searchCache.keys().next().value as string);
		}
		const page = hit.records.slice(q.after, q.after + q.limit);
		const next = q.after + q.limit < hit.records.length ? String(q.after + q.limit) : undefined;
		return json({
			total: hit.records.length,
			results: page.map((r) => this.recordJson(def, r, q.properties)),
			...(next !== undefined ? { paging: { next: { after: next } } } : {}),
		});
	}

	private async batch(req: SandboxRequest, op: string): Promise<Reply> {
		const def = this.mustType(req.params.type);
		const body = await this.jsonBody<{
			inputs?: unknown;
			properties?: unknown;
			idProperty?: unknown;
			archived?: unknown;
		}>(req);
		if (!Array.isArray(body.inputs))
			throw hubspotError(400, 'VALIDATION_ERROR', 'inputs must be an array');
		const inputs = body.inputs as unknown[];
		if (inputs.length > this.maxBatchSize) {
			throw hubspotError(
				400,
				'VALIDATION_ERROR',
				`Batch input of ${inputs.length} exceeds the limit of ${this.maxBatchSize} inputs per request; split it into several calls.`,
			);
		}
		const startedAt = ISO(req.startedAt);
		const done = (results: unknown[], errors: BatchError[], status: number) => {
			if (op !== 'read' && this.reversedBatches > 0 && results.length + errors.length > 0) {
				this.reversedBatches--;
				results.reverse();
				errors.reverse();
			}
			return json(
				{
					status: 'COMPLETE',
					results,
					...(errors.length > 0 ? { numErrors: errors.length, errors } : {}),
					startedAt,
					completedAt: ISO(this.clock.now()),
				},
				errors.length > 0 ? 207 : status,
			);
		};
		const idOf = (x: unknown) => {
			const id = (x as { id?: unknown } | null)?.id;
			return id === undefined || id === null ? undefined : String(id);
		};

		if (op === 'archive') {
			for (const input of inputs) {
				const id = idOf(input);
				if (id !== undefined) this.archiveRecord(def, id);
			}
			return empty(204);
		}
		if (op === 'read') {
			const idProperty = typeof body.idProperty === 'string' ? body.idProperty : undefined;
			const props = Array.isArray(body.properties) ? (body.properties as string[]) : undefined;
			const archived = body.archived === true;
			const results: unknown[] = [];
			const missing: string[] = [];
			const seen = new Set<string>();
			for (const input of inputs) {
				const id = idOf(input);
				if (id === undefined || seen.has(id)) continue;
				seen.add(id);
				const r = this.lookup(def, id, idProperty, archived);
				if (r) results.push(this.recordJson(def, r, props));
				else missing.push(id);
			}
			const errors: BatchError[] = missing.length
				? [
						{
							status: 'error',
							category: 'OBJECT_NOT_FOUND',
							message: `Could not get some ${def.label} objects, they may be deleted or not exist. Check that ids are valid.`,
							context: { ids: missing },
						},
					]
				: [];
			return done(this.inReadOrder(results), errors, 200);
		}

		const mode = op as 'create' | 'update' | 'upsert';
		if (mode !== 'create') {
			const counts = new Map<string, number>();
			for (const input of inputs) {
				const key = `${String((input as { idProperty?: unknown } | null)?.idProperty ?? 'hs_object_id')}:${(idOf(input) ?? '').toLowerCase()}`;
				counts.set(key, (counts.get(key) ?? 0) + 1);
			}
			const dups = [...counts].filter(([, c]) => c > 1).map(([k]) => k.slice(k.indexOf(':') + 1));
			if (dups.length > 0)
				throw hubspotError(
					400,
					'VALIDATION_ERROR',
					`Duplicate IDs found in batch input: [${dups.join(', ')}]. IDs must be unique`,
				);
		}
		const injected = this.server.faults.batchFailures(req, inputs, (x) => idOf(x));
		const claims = new Map<string, string>();
		const plans: Outcome[] = inputs.map((input, i) => {
			const f = injected.get(i);
			if (f) {
				const trace = (input as { objectWriteTraceId?: unknown } | null)?.objectWriteTraceId;
				const id = idOf(input);
				return {
					ok: false,
					kind: 'injected',
					httpStatus: f.status,
					error: {
						status: 'error',
						category:
							/^[A-Z_]+$/.test(f.code) && f.code !== 'INJECTED_FAILURE'
								? f.code
								: f.status >= 500
									? 'INTERNAL_ERROR'
									: 'VALIDATION_ERROR',
						message: f.message,
						context: {
							...(id !== undefined ? { ids: [id] } : {}),
							...(typeof trace === 'string' ? { objectWriteTraceId: [trace] } : {}),
						},
					},
				};
			}
			return this.planWrite(def, mode, input, claims, i);
		});
		if (this.batchMode === 'atomic') {
			const firstBlocking = plans.find(
				(p): p is Extract<Outcome, { ok: false }> =>
					!p.ok && (p.kind === 'validation' || p.kind === 'conflict'),
			);
			if (firstBlocking) {
				throw hubspotError(
					firstBlocking.httpStatus,
					firstBlocking.error.category,
					firstBlocking.error.message,
					{
						...(firstBlocking.error.errors ? { errors: firstBlocking.error.errors } : {}),
						...(firstBlocking.error.context ? { context: firstBlocking.error.context } : {}),
					},
				);
			}
		}
		const results: unknown[] = [];
		const errors: BatchError[] = [];
		for (const [i, p] of plans.entries()) {
			if (!p.ok) {
				errors.push(p.error);
				continue;
			}
			const { record, isNew } = p.run();
			const trace = (inputs[i] as { objectWriteTraceId?: unknown } | null)?.objectWriteTraceId;
			results.push({
				...this.recordJson(def, record, undefined, true),
				...(mode === 'upsert' ? { new: isNew } : {}),
				...(typeof trace === 'string' ? { objectWriteTraceId: trace } : {}),
			});
		}
		return done(results, errors, mode === 'create' ? 201 : 200);
	}

	// ---- properties --------------------------------------------------------------------------------------

	private mustProperty(def: ObjectTypeDef, name: string, archived = false): PropertyDef {
		const p = def.properties.get(name);
		if (!p || p.archived !== archived)
			throw hubspotError(404, 'OBJECT_NOT_FOUND', `Property ${name} does not exist on ${def.name}`);
		return p;
	}

	private mustGroup(req: SandboxRequest) {
		const def = this.mustType(req.params.type);
		const g = def.groups.get(req.params.name);
		if (!g || g.archived)
			throw hubspotError(
				404,
				'OBJECT_NOT_FOUND',
				`Property group ${req.params.name} does not exist on ${def.name}`,
			);
		return g;
	}

	private listProperties(req: SandboxRequest): Reply {
		const def = this.mustType(req.params.type);
		const archived = req.query.get('archived') === 'true';
		return json({
			results: [...def.properties.values()]
				.filter((p) => p.archived === archived)
				.map(propertyJson),
		});
	}

	/** Checks a property spec; returns the error message or undefined. */
	private checkPropertySpec(
		def: ObjectTypeDef,
		spec: Partial<PropertySpec>,
		creating: boolean,
	): string | undefined {
		if (creating) {
			if (typeof spec.name !== 'string' || !/^[a-z][a-z0-9_]*$/.test(spec.name))
				return `name must be lower-case letters, digits and underscores, starting with a letter (got ${JSON.stringify(spec.name)})`;
			if (typeof spec.label !== 'string' || spec.label === '')
				return `label is required for property ${spec.name}`;
			if (spec.groupName === undefined) return `groupName is required for property ${spec.name}`;
		}
		if (spec.type !== undefined && !PROPERTY_TYPES.includes(spec.type))
			return `type ${JSON.stringify(spec.type)} is not valid; use one of ${PROPERTY_TYPES.join(', ')}`;
		if (creating && spec.type === undefined) return `type is required for property ${spec.name}`;
		if (creating && spec.fieldType === undefined)
			return `fieldType is required for property ${spec.name}`;
		const type = spec.type;
		if (
			type !== undefined &&
			spec.fieldType !== undefined &&
			!FIELD_TYPES[type].includes(spec.fieldType)
		) {
			return `fieldType ${spec.fieldType} is not valid for type ${type}; use one of ${FIELD_TYPES[type].join(', ')}`;
		}
		if (spec.groupName !== undefined && !def.groups.has(spec.groupName))
			return `Property group ${spec.groupName} does not exist on ${def.name}`;
		if (spec.options !== undefined) {
			if (
				!Array.isArray(spec.options) ||
				spec.options.some((o) => typeof o?.label !== 'string' || typeof o?.value !== 'string')
			)
				return 'options must be an array of {label, value} strings';
			const values = spec.options.map((o) => o.value);
			if (new Set(values).size !== values.length) return 'option values must be unique';
		}
		return undefined;
	}

	private buildProperty(spec: PropertySpec): PropertyDef {
		const options =
			spec.type === 'bool' && (spec.options === undefined || spec.options.length === 0)
				? [
						{ label: 'Yes', value: 'true' },
						{ label: 'No', value: 'false' },
					]
				: spec.options;
		return makeProperty({ ...spec, options }, this.clock.now(), false);
	}

	private async createProperty(req: SandboxRequest): Promise<Reply> {
		const def = this.mustType(req.params.type);
		const spec = await this.jsonBody<PropertySpec>(req);
		const problem = this.checkPropertySpec(def, spec, true);
		if (problem) throw hubspotError(400, 'VALIDATION_ERROR', problem);
		const existing = def.properties.get(spec.name);
		if (existing && !existing.archived)
			throw hubspotError(
				409,
				'OBJECT_ALREADY_EXISTS',
				`Property named '${spec.name}' already exists.`,
			);
		const p = this.buildProperty(spec);
		def.properties.set(p.name, p);
		return json(propertyJson(p), 201);
	}

	private async updateProperty(req: SandboxRequest): Promise<Reply> {
		const def = this.mustType(req.params.type);
		const p = this.mustProperty(def, req.params.name);
		const body = await this.jsonBody<Partial<PropertySpec>>(req);
		if (
			p.hubspotDefined &&
			(body.type !== undefined || body.fieldType !== undefined || body.options !== undefined)
		) {
			throw hubspotError(
				400,
				'VALIDATION_ERROR',
				`${p.name} is a HubSpot-defined property; its type, fieldType and options are read-only`,
			);
		}
		const merged = {
			...body,
			type: body.type ?? p.type,
			fieldType: body.fieldType ?? (body.type !== undefined ? undefined : p.fieldType),
		};
		const problem = this.checkPropertySpec(def, merged, false);
		if (problem) throw hubspotError(400, 'VALIDATION_ERROR', problem);
		if (typeof body.label === 'string') p.label = body.label;
		if (typeof body.description === 'string') p.description = body.description;
		if (typeof body.groupName === 'string') p.groupName = body.groupName;
		if (typeof body.displayOrder === 'number') p.displayOrder = body.displayOrder;
		if (typeof body.hidden === 'boolean') p.hidden = body.hidden;
		if (typeof body.formField === 'boolean') p.formField = body.formField;
		if (body.type !== undefined) p.type = body.type as PropertyType;
		if (merged.fieldType !== undefined) p.fieldType = merged.fieldType;
		if (body.options !== undefined)
			p.options = makeProperty({ ...p, options: body.options }, 0, false).options;
		p.updatedAt = this.clock.now();
		return json(propertyJson(p));
	}

	private async propertiesBatch(req: SandboxRequest, op: string): Promise<Reply> {
		const def = this.mustType(req.params.type);
		const body = await this.jsonBody<{ inputs?: unknown; archived?: unknown }>(req);
		if (!Array.isArray(body.inputs))
			throw hubspotError(400, 'VALIDATION_ERROR', 'inputs must be an array');
		const inputs = body.inputs as Array<Record<string, unknown>>;
		const startedAt = ISO(req.startedAt);
		const done = (results: unknown[], errors: BatchError[], status: number) =>
			json(
				{
					status: 'COMPLETE',
					results,
					...(errors.length ? { numErrors: errors.length, errors } : {}),
					startedAt,
					completedAt: ISO(this.clock.now()),
				},
				errors.length ? 207 : status,
			);
		switch (op) {
			case 'read': {
				const archived = body.archived === true;
				const results: unknown[] = [];
				const errors: BatchError[] = [];
				for (const i of inputs) {
					const p = def.properties.get(String(i?.name));
					if (p && p.archived === archived) results.push(propertyJson(p));
					else
						errors.push({
							status: 'error',
							category: 'OBJECT_NOT_FOUND',
							message: `Property ${String(i?.name)} does not exist on ${def.name}`,
							context: { name: [String(i?.name)] },
						});
				}
				return done(results, errors, 200);
			}
			case 'create': {
				const results: unknown[] = [];
				const errors: BatchError[] = [];
				for (const spec of inputs as unknown as PropertySpec[]) {
					const problem =
						this.checkPropertySpec(def, spec, true) ??
						(def.properties.get(spec.name) && !def.properties.get(spec.name)?.archived
							? `Property named '${spec.name}' already exists.`
							: undefined);
					if (problem) {
						errors.push({
							status: 'error',
							category: 'VALIDATION_ERROR',
							message: problem,
							context: { name: [String(spec?.name)] },
						});
						continue;
					}
					const p = this.buildProperty(spec);
					def.properties.set(p.name, p);
					results.push(propertyJson(p));
				}
				return done(results, errors, 201);
			}
			case 'archive':
				for (const i of inputs) {
					const p = def.properties.get(String(i?.name));
					if (p && !p.hubspotDefined && !p.archived) {
						p.archived = true;
						p.archivedAt = this.clock.now();
					}
				}
				return empty(204);
			default:
				throw hubspotError(
					404,
					'OBJECT_NOT_FOUND',
					`Unknown batch operation ${op}; use read, create or archive`,
				);
		}
	}

	private async createGroup(req: SandboxRequest): Promise<Reply> {
		const def = this.mustType(req.params.type);
		const body = await this.jsonBody<{ name?: unknown; label?: unknown; displayOrder?: unknown }>(
			req,
		);
		if (typeof body.name !== 'string' || !/^[a-z][a-z0-9_]*$/.test(body.name))
			throw hubspotError(
				400,
				'VALIDATION_ERROR',
				`name must be lower-case letters, digits and underscores (got ${JSON.stringify(body.name)})`,
			);
		if (typeof body.label !== 'string' || body.label === '')
			throw hubspotError(400, 'VALIDATION_ERROR', 'label is required');
		const existing = def.groups.get(body.name);
		if (existing && !existing.archived)
			throw hubspotError(
				409,
				'OBJECT_ALREADY_EXISTS',
				`Property group named '${body.name}' already exists.`,
			);
		const g = {
			name: body.name,
			label: body.label,
			displayOrder: typeof body.displayOrder === 'number' ? body.displayOrder : -1,
			archived: false,
		};
		def.groups.set(g.name, g);
		return json({ ...g }, 201);
	}

	// ---- schemas -----------------------------------------------------------------------------------------

	private mustSchema(name: string): ObjectTypeDef {
		const def = this.objectType(name);
		if (!def || !def.custom)
			throw hubspotError(404, 'OBJECT_NOT_FOUND', `No custom object schema ${name}`);
		return def;
	}

	private schemaJson(def: ObjectTypeDef): Record<string, unknown> {
		const c = def.custom as NonNullable<ObjectTypeDef['custom']>;
		const associations = [...this.types.values()].flatMap((other) => {
			const t = this.associations.defaultType(def.objectTypeId, other.objectTypeId);
			return t && other !== def ? [assocDefinitionJson(t, c.createdAt)] : [];
		});
		return {
			id: c.id,
			objectTypeId: def.objectTypeId,
			fullyQualifiedName: def.name,
			name: c.shortName,
			labels: c.labels,
			...(c.description !== undefined ? { description: c.description } : {}),
			primaryDisplayProperty: c.primaryDisplayProperty,
			requiredProperties: c.requiredProperties,
			searchableProperties: def.searchableProperties,
			secondaryDisplayProperties: c.secondaryDisplayProperties,
			properties: [...def.properties.values()].filter((p) => !p.archived).map(propertyJson),
			associations,
			metaType: 'PORTAL_SPECIFIC',
			archived: c.archived,
			createdAt: ISO(c.createdAt),
			updatedAt: ISO(c.updatedAt),
		};
	}

	/** Defines a custom object (what `POST /crm/v3/schemas` does). */
	defineCustomObject(body: {
		name: string;
		labels: { singular: string; plural: string };
		properties: PropertySpec[];
		primaryDisplayProperty?: string;
		requiredProperties?: string[];
		searchableProperties?: string[];
		secondaryDisplayProperties?: string[];
		associatedObjects?: string[];
		description?: string;
	}): ObjectTypeDef {
		if (typeof body.name !== 'string' || !/^[A-Za-z][A-Za-z0-9_]*$/.test(body.name))
			throw hubspotError(
				400,
				'VALIDATION_ERROR',
				`name must start with a letter and hold only letters, digits and underscores (got ${JSON.stringify(body.name)})`,
			);
		const fqn = `p${this.portalId}_${body.name.toLowerCase()}`;
		if (this.byName.has(fqn))
			throw hubspotError(
				409,
				'OBJECT_ALREADY_EXISTS',
				`Object type with name ${body.name} already exists`,
			);
		if (
			!body.labels ||
			typeof body.labels.singular !== 'string' ||
			typeof body.labels.plural !== 'string'
		)
			throw hubspotError(400, 'VALIDATION_ERROR', 'labels.singular and labels.plural are required');
		if (!Array.isArray(body.properties) || body.properties.length === 0)
			throw hubspotError(400, 'VALIDATION_ERROR', 'properties must define at least one property');
		const names = new Set(body.properties.map((p) => p?.name));
		for (const key of [
			'requiredProperties',
			'searchableProperties',
			'secondaryDisplayProperties',
		] as const) {
			const missing = (body[key] ?? []).filter((n) => !names.has(n));
			if (missing.length > 0)
				throw hubspotError(
					400,
					'VALIDATION_ERROR',
					`${key} names properties that are not defined: ${missing.join(', ')}`,
				);
		}
		if (body.primaryDisplayProperty !== undefined && !names.has(body.primaryDisplayProperty)) {
			throw hubspotError(
				400,
				'VALIDATION_ERROR',
				`primaryDisplayProperty ${body.primaryDisplayProperty} is not one of the defined properties`,
			);
		}
		const targets = (body.associatedObjects ?? []).map((a) => {
			const t =
				this.objectType(a) ??
				[...this.types.values()].find((d) => d.label === String(a).toUpperCase());
			if (!t)
				throw hubspotError(400, 'VALIDATION_ERROR', `associatedObjects: unknown object type ${a}`);
			return t;
		});
		const now = this.clock.now();
		this.customSeq++;
		const objectTypeId = `2-${3_508_480 + this.customSeq * 7}`;
		const group = `${body.name.toLowerCase()}_information`;
		const def: ObjectTypeDef = {
			name: fqn,
			objectTypeId,
			label: body.labels.singular.toUpperCase().replace(/\s+/g, '_'),
			aliases: [objectTypeId, body.name.toLowerCase()],
			properties: new Map(),
			groups: new Map([
				[
					group,
					{
						name: group,
						label: `${body.labels.singular} information`,
						displayOrder: 0,
						archived: false,
					},
				],
			]),
			defaultProperties: [
				...new Set([
					'hs_createdate',
					'hs_lastmodifieddate',
					'hs_object_id',
					...(body.primaryDisplayProperty ? [body.primaryDisplayProperty] : []),
				]),
			],
			searchableProperties:
				body.searchableProperties ??
				(body.primaryDisplayProperty ? [body.primaryDisplayProperty] : []),
			lastModifiedProperty: 'hs_lastmodifieddate',
			idBase: 70_000_001 + this.customSeq * 10_000_000,
			custom: {
				id: String(1_000 + this.customSeq),
				shortName: body.name,
				labels: body.labels,
				...(body.description !== undefined ? { description: body.description } : {}),
				primaryDisplayProperty: body.primaryDisplayProperty,
				requiredProperties: body.requiredProperties ?? [],
				secondaryDisplayProperties: body.secondaryDisplayProperties ?? [],
				createdAt: now,
				updatedAt: now,
				archived: false,
			},
		};
		for (const p of customObjectBaseProperties(now, group)) def.properties.set(p.name, p);
		for (const spec of body.properties) {
			const problem = this.checkPropertySpec(
				def,
				{ ...spec, groupName: spec.groupName ?? group },
				true,
			);
			if (problem) throw hubspotError(400, 'VALIDATION_ERROR', `properties: ${problem}`);
			const p = this.buildProperty({ ...spec, groupName: spec.groupName ?? group });
			def.properties.set(p.name, p);
		}
		this.addType(def);
		this.attachDynamicOptions(def);
		for (const t of targets)
			this.associations.addDefaultPair(
				objectTypeId,
				t.objectTypeId,
				`${body.name.toLowerCase()}_to_${t.aliases[0] ?? t.name}`,
			);
		return def;
	}

	private async createSchema(req: SandboxRequest): Promise<Reply> {
		const body = await this.jsonBody<Parameters<HubSpotSimulator['defineCustomObject']>[0]>(req);
		return json(this.schemaJson(this.defineCustomObject(body)), 201);
	}

	private async updateSchema(req: SandboxRequest): Promise<Reply> {
		const def = this.mustSchema(req.params.objectType);
		const c = def.custom as NonNullable<ObjectTypeDef['custom']>;
		const body = await this.jsonBody<Record<string, unknown>>(req);
		const check = (key: string): string[] | undefined => {
			const v = body[key];
			if (v === undefined) return undefined;
			if (!Array.isArray(v) || v.some((n) => typeof n !== 'string' || !def.properties.has(n)))
				throw hubspotError(
					400,
					'VALIDATION_ERROR',
					`${key} must list existing properties of ${def.name}`,
				);
			return v as string[];
		};
		const required = check('requiredProperties');
		const searchable = check('searchableProperties');
		const secondary = check('secondaryDisplayProperties');
		if (required) c.requiredProperties = required;
		if (searchable) def.searchableProperties = searchable;
		if (secondary) c.secondaryDisplayProperties = secondary;
		if (typeof body.primaryDisplayProperty === 'string') {
			if (!def.properties.has(body.primaryDisplayProperty))
				throw hubspotError(
					400,
					'VALIDATION_ERROR',
					`primaryDisplayProperty ${body.primaryDisplayProperty} is not a property of ${def.name}`,
				);
			c.primaryDisplayProperty = body.primaryDisplayProperty;
		}
		if (typeof body.description === 'string') c.description = body.description;
		const labels = body.labels as { singular?: unknown; plural?: unknown } | undefined;
		if (labels && typeof labels.singular === 'string' && typeof labels.plural === 'string')
			c.labels = { singular: labels.singular, plural: labels.plural };
		c.updatedAt = this.clock.now();
		// PATCH answers the object type definition: the schema without its properties and associations.
		const rest = this.schemaJson(def);
		delete rest.properties;
		delete rest.associations;
		return json(rest);
	}

	// ---- associations --------------------------------------------------------------------------------------

	private linkedJson(from: ObjectTypeDef, id: string, to: ObjectTypeDef): unknown[] {
		return this.associations.linked(from.objectTypeId, id, to.objectTypeId).map((l) => ({
			toObjectId: Number(l.toId),
			associationTypes: l.typeIds.map((t) =>
				labelJson(this.associations.type(t) as AssociationType),
			),
		}));
	}

	private pairError(
		from: ObjectTypeDef,
		to: ObjectTypeDef,
		fromId: string,
		toId: string,
	): BatchError | undefined {
		if (!this.coll(from).has(fromId))
			return {
				status: 'error',
				category: 'OBJECT_NOT_FOUND',
				message: `No ${from.label.toLowerCase()} with id ${fromId} exists`,
				context: { fromObjectId: [fromId] },
			};
		if (!this.coll(to).has(toId))
			return {
				status: 'error',
				category: 'OBJECT_NOT_FOUND',
				message: `No ${to.label.toLowerCase()} with id ${toId} exists`,
				context: { toObjectId: [toId] },
			};
		return undefined;
	}

	private associateDefault(
		from: ObjectTypeDef,
		to: ObjectTypeDef,
		fromId: string,
		toId: string,
	): { result: unknown } | { error: BatchError } {
		const t = this.associations.defaultType(from.objectTypeId, to.objectTypeId);
		if (!t)
			return {
				error: {
					status: 'error',
					category: 'VALIDATION_ERROR',
					message: `There is no default association type from ${from.name} to ${to.name}`,
				},
			};
		const missing = this.pairError(from, to, fromId, toId);
		if (missing) return { error: missing };
		this.associations.link(from.objectTypeId, fromId, to.objectTypeId, toId, t.typeId);
		return {
			result: {
				from: { id: fromId },
				to: { id: toId },
				associationSpec: { associationCategory: t.category, associationTypeId: t.typeId },
			},
		};
	}

	private associateLabelled(
		from: ObjectTypeDef,
		to: ObjectTypeDef,
		fromId: string,
		toId: string,
		types: unknown,
	): { result: unknown } | { error: BatchError } {
		if (!Array.isArray(types) || types.length === 0)
			return {
				error: {
					status: 'error',
					category: 'VALIDATION_ERROR',
					message: 'types must be a non-empty array of {associationCategory, associationTypeId}',
				},
			};
		const ids: number[] = [];
		for (const raw of types) {
			const spec = (raw ?? {}) as { associationCategory?: unknown; associationTypeId?: unknown };
			const t = this.associations.type(Number(spec.associationTypeId));
			if (!t || t.fromObjectTypeId !== from.objectTypeId || t.toObjectTypeId !== to.objectTypeId) {
				return {
					error: {
						status: 'error',
						category: 'VALIDATION_ERROR',
						message: `associationTypeId ${String(spec.associationTypeId)} is not a valid association type from ${from.name} to ${to.name}`,
					},
				};
			}
			if (spec.associationCategory !== t.category) {
				return {
					error: {
						status: 'error',
						category: 'VALIDATION_ERROR',
						message: `associationTypeId ${t.typeId} has category ${t.category}, not ${String(spec.associationCategory)}`,
					},
				};
			}
			ids.push(t.typeId);
		}
		const missing = this.pairError(from, to, fromId, toId);
		if (missing) return { error: missing };
		for (const id of ids)
			this.associations.link(from.objectTypeId, fromId, to.objectTypeId, toId, id);
		const labels =
			this.associations
				.linked(from.objectTypeId, fromId, to.objectTypeId)
				.find((l) => l.toId === toId)
				?.typeIds.map((id) => this.associations.type(id)?.label)
				.filter((l): l is string => typeof l === 'string') ?? [];
		return {
			result: {
				fromObjectTypeId: from.objectTypeId,
				fromObjectId: Number(fromId),
				toObjectTypeId: to.objectTypeId,
				toObjectId: Number(toId),
				labels,
			},
		};
	}

	private async assocInputs(
		req: SandboxRequest,
	): Promise<{ from: ObjectTypeDef; to: ObjectTypeDef; inputs: Array<Record<string, unknown>> }> {
		const from = this.mustType(req.params.from);
		const to = this.mustType(req.params.to);
		const body = await this.jsonBody<{ inputs?: unknown }>(req);
		if (!Array.isArray(body.inputs))
			throw hubspotError(400, 'VALIDATION_ERROR', 'inputs must be an array');
		if (body.inputs.length > 2000)
			throw hubspotError(
				400,
				'VALIDATION_ERROR',
				`Batch input of ${body.inputs.length} exceeds the limit of 2000 inputs per request`,
			);
		return { from, to, inputs: body.inputs as Array<Record<string, unknown>> };
	}

	private batchReply(
		req: SandboxRequest,
		results: unknown[],
		errors: BatchError[],
		status: number,
	): Reply {
		return json(
			{
				status: 'COMPLETE',
				results,
				...(errors.length ? { numErrors: errors.length, errors } : {}),
				startedAt: ISO(req.startedAt),
				completedAt: ISO(this.clock.now()),
			},
			errors.length ? 207 : status,
		);
	}

	private async assocBatchCreate(req: SandboxRequest): Promise<Reply> {
		const { from, to, inputs } = await this.assocInputs(req);
		const results: unknown[] = [];
		const errors: BatchError[] = [];
		for (const i of inputs) {
			const r = this.associateLabelled(
				from,
				to,
				String((i?.from as { id?: unknown })?.id ?? ''),
				String((i?.to as { id?: unknown })?.id ?? ''),
				i?.types,
			);
			if ('error' in r) errors.push(r.error);
			else results.push(r.result);
		}
		return this.batchReply(req, results, errors, 201);
	}

	private async assocBatchDefault(req: SandboxRequest): Promise<Reply> {
		const { from, to, inputs } = await this.assocInputs(req);
		// This endpoint answers 200 only: an invalid pair fails the whole call (checked before anything is linked).
		for (const i of inputs) {
			const fromId = String((i?.from as { id?: unknown })?.id ?? '');
			const toId = String((i?.to as { id?: unknown })?.id ?? '');
			const problem = this.associations.defaultType(from.objectTypeId, to.objectTypeId)
				? this.pairError(from, to, fromId, toId)
				: undefined;
			if (problem)
				throw hubspotError(
					400,
					problem.category === 'OBJECT_NOT_FOUND' ? 'VALIDATION_ERROR' : problem.category,
					problem.message,
					{ context: problem.context },
				);
		}
		const results: unknown[] = [];
		for (const i of inputs) {
			const r = this.associateDefault(
				from,
				to,
				String((i?.from as { id?: unknown })?.id ?? ''),
				String((i?.to as { id?: unknown })?.id ?? ''),
			);
			if ('error' in r) throw hubspotError(400, r.error.category, r.error.message);
			results.push(r.result);
		}
		return this.batchReply(req, results, [], 200);
	}

	private async assocBatchRead(req: SandboxRequest): Promise<Reply> {
		const { from, to, inputs } = await this.assocInputs(req);
		const results: unknown[] = [];
		const errors: BatchError[] = [];
		for (const i of inputs) {
			const id = String(i?.id ?? '');
			if (!this.coll(from).has(id)) {
				errors.push({
					status: 'error',
					category: 'OBJECT_NOT_FOUND',
					message: `No ${from.label.toLowerCase()} with id ${id} exists`,
					context: { fromObjectId: [id] },
				});
				continue;
			}
			const linked = this.linkedJson(from, id, to);
			if (linked.length === 0) {
				errors.push({
					status: 'error',
					category: 'OBJECT_NOT_FOUND',
					message: `No ${to.label} is associated to ${from.label} ${id}.`,
					context: { fromObjectId: [id] },
				});
				continue;
			}
			results.push({ from: { id }, to: linked });
		}
		return this.batchReply(req, this.inReadOrder(results), errors, 200);
	}

	private async assocBatchArchive(req: SandboxRequest, labelsOnly: boolean): Promise<Reply> {
		const { from, to, inputs } = await this.assocInputs(req);
		for (const i of inputs) {
			const fromId = String((i?.from as { id?: unknown })?.id ?? '');
			if (labelsOnly) {
				const toId = String((i?.to as { id?: unknown })?.id ?? '');
				const types = Array.isArray(i?.types)
					? (i.types as Array<{ associationTypeId?: unknown }>).map((t) =>
							Number(t?.associationTypeId),
						)
					: [];
				this.associations.unlink(from.objectTypeId, fromId, to.objectTypeId, toId, types);
			} else {
				for (const t of Array.isArray(i?.to) ? (i.to as Array<{ id?: unknown }>) : []) {
					this.associations.unlink(from.objectTypeId, fromId, to.objectTypeId, String(t?.id ?? ''));
				}
			}
		}
		return empty(204);
	}

	private async createLabel(req: SandboxRequest): Promise<Reply> {
		const from = this.mustType(req.params.from);
		const to = this.mustType(req.params.to);
		const body = await this.jsonBody<{ label?: unknown; name?: unknown; inverseLabel?: unknown }>(
			req,
		);
		if (
			typeof body.label !== 'string' ||
			body.label === '' ||
			typeof body.name !== 'string' ||
			body.name === ''
		) {
			throw hubspotError(400, 'VALIDATION_ERROR', 'label and name are required');
		}
		if (
			this.associations
				.typesBetween(from.objectTypeId, to.objectTypeId)
				.some((t) => t.name === body.name)
		) {
			throw hubspotError(
				409,
				'OBJECT_ALREADY_EXISTS',
				`An association label named ${body.name} already exists between ${from.name} and ${to.name}`,
			);
		}
		const t = this.associations.addLabel(
			from.objectTypeId,
			to.objectTypeId,
			body.label,
			body.name,
			typeof body.inverseLabel === 'string' ? body.inverseLabel : undefined,
		);
		const inverse = this.associations.type(t.inverseTypeId) as AssociationType;
		return json({ results: [labelJson(t), labelJson(inverse)] });
	}

	// ---- owners, pipelines, forms ---------------------------------------------------------------------------

	private ownerJson(o: HubSpotOwner): Record<string, unknown> {
		const at = ISO(this.store.clock.now() - 86_400_000 * 30);
		return {
			id: o.id,
			email: o.email,
			type: 'PERSON',
			firstName: o.firstName,
			lastName: o.lastName,
			userId: o.userId,
			userIdIncludingInactive: o.userId,
			createdAt: at,
			updatedAt: at,
			archived: o.archived,
			teams: [],
		};
	}

	private listOwners(req: SandboxRequest): Reply {
		const archived = req.query.get('archived') === 'true';
		const email = req.query.get('email');
		const limit = Math.min(Math.max(Number(req.query.get('limit') ?? 100) || 100, 1), 500);
		const after = Number(req.query.get('after') ?? 0) || 0;
		const all = this.owners.filter(
			(o) =>
				o.archived === archived &&
				(email === null || o.email.toLowerCase() === email.toLowerCase()),
		);
		const page = all.slice(after, after + limit);
		const next = after + limit < all.length ? String(after + limit) : undefined;
		return json({
			results: page.map((o) => this.ownerJson(o)),
			...(next
				? { paging: { next: { after: next, link: `${req.baseUrl}/crm/v3/owners/?after=${next}` } } }
				: {}),
		});
	}

	private pipelinesOf(typeName: string): Pipeline[] {
		const def = this.mustType(typeName);
		const list = this.pipelines.get(def.objectTypeId);
		if (!list)
			throw hubspotError(
				400,
				'VALIDATION_ERROR',
				`${def.name} do not have pipelines; pipelines exist for deals and tickets`,
			);
		return list;
	}

	private mustPipeline(req: SandboxRequest): Pipeline {
		const p = this.pipelinesOf(req.params.type).find((x) => x.id === req.params.id);
		if (!p)
			throw hubspotError(
				404,
				'OBJECT_NOT_FOUND',
				`No ${req.params.type} pipeline with id ${req.params.id}`,
			);
		return p;
	}

	private stageJson(st: PipelineStage): Record<string, unknown> {
		const at = ISO(Date.UTC(2020, 0, 1));
		return {
			id: st.id,
			label: st.label,
			displayOrder: st.displayOrder,
			metadata: st.metadata,
			createdAt: at,
			updatedAt: at,
			archived: false,
			writePermissions: 'CRM_PERMISSIONS_ENFORCEMENT',
		};
	}

	private pipelineJson(p: Pipeline): Record<string, unknown> {
		const at = ISO(Date.UTC(2020, 0, 1));
		return {
			id: p.id,
			label: p.label,
			displayOrder: p.displayOrder,
			stages: p.stages.map((s) => this.stageJson(s)),
			createdAt: at,
			updatedAt: at,
			archived: false,
		};
	}

	private formJson(f: HubSpotForm): Record<string, unknown> {
		const at = ISO(Date.UTC(2023, 5, 1));
		return {
			id: f.id,
			name: f.name,
			formType: 'hubspot',
			createdAt: at,
			updatedAt: at,
			archived: false,
			fieldGroups: f.fields.map((fl) => ({
				groupType: 'default_group',
				richTextType: 'text',
				fields: [
					{
						objectTypeId: fl.objectTypeId,
						name: fl.name,
						label: fl.label,
						required: fl.required,
						hidden: false,
						fieldType: fl.fieldType,
					},
				],
			})),
			configuration: {
				language: 'en',
				createNewContactForNewEmail: false,
				editable: true,
				allowLinkToResetKnownValues: false,
				postSubmitAction: f.redirectUri
					? { type: 'redirect_url', value: f.redirectUri }
					: { type: 'thank_you', value: f.inlineMessage ?? 'Thanks for submitting the form.' },
				archivable: true,
				recaptchaEnabled: false,
				notifyContactOwner: false,
				notifyRecipients: [],
				prePopulateKnownValues: true,
				cloneable: true,
				lifecycleStages: [],
			},
			displayOptions: {
				renderRawHtml: false,
				theme: 'default_style',
				submitButtonText: 'Submit',
				style: {},
			},
			legalConsentOptions: { type: 'none' },
		};
	}

	private async submitForm(req: SandboxRequest, secure: boolean): Promise<Reply> {
		const formError = (
			status: number,
			message: string,
			errors: Array<{ message: string; errorType: string }>,
		) => json({ status: 'error', message, correlationId: randomUUID(), errors }, status);
		if (req.params.portalId !== this.portalId) {
			return formError(404, 'The request is not valid', [
				{ message: `Portal ${req.params.portalId} was not found`, errorType: 'PORTAL_NOT_FOUND' },
			]);
		}
		const form = this.forms.find((f) => f.id === req.params.formGuid);
		if (!form)
			return formError(404, 'The request is not valid', [
				{ message: `Form ${req.params.formGuid} was not found`, errorType: 'FORM_NOT_FOUND' },
			]);
		const body = await req.json<{ fields?: unknown; context?: unknown; submittedAt?: unknown }>();
		if (!body || !Array.isArray(body.fields))
			return formError(400, 'The request is not valid', [
				{
					message: "Error in 'fields'. Required field 'fields' is missing",
					errorType: 'REQUIRED_FIELD',
				},
			]);
		const values: Record<string, string> = {};
		const errors: Array<{ message: string; errorType: string }> = [];
		for (const [i, f] of (
			body.fields as Array<{ name?: unknown; value?: unknown; objectTypeId?: unknown }>
		).entries()) {
			const name = typeof f?.name === 'string' ? f.name : '';
			const def = form.fields.find(
				(x) =>
					x.name === name && (f.objectTypeId === undefined || f.objectTypeId === x.objectTypeId),
			);
			if (!def) {
				errors.push({
					message: `Error in 'fields[${i}]'. Field '${name}' is not in the form definition`,
					errorType: 'FIELD_NOT_IN_FORM_DEFINITION',
				});
				continue;
			}
			values[name] = f.value === undefined || f.value === null ? '' : String(f.value);
		}
		for (const f of form.fields) {
			if (f.required && (values[f.name] ?? '').trim() === '')
				errors.push({
					message: `Error in 'fields.${f.name}'. Required field '${f.name}' is missing`,
					errorType: 'REQUIRED_FIELD',
				});
		}
		if (
			values.email !== undefined &&
			values.email !== '' &&
			!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(values.email)
		) {
			errors.push({
				message: "Error in 'fields.email'. Invalid email address",
				errorType: 'INVALID_EMAIL',
			});
		}
		if (errors.length > 0) return formError(400, 'The request is not valid', errors);
		let contactId: string | undefined;
		if (values.email) {
			const contacts = this.types.get('0-1') as ObjectTypeDef;
			const props: Record<string, string> = {};
			for (const f of form.fields)
				if (
					f.objectTypeId === '0-1' &&
					contacts.properties.has(f.name) &&
					values[f.name] !== undefined &&
					values[f.name] !== ''
				)
					props[f.name] = values[f.name];
			const plan = this.planWrite(
				contacts,
				'upsert',
				{ idProperty: 'email', id: values.email, properties: props },
				new Map(),
				0,
			);
			if (plan.ok) contactId = plan.run().record.id;
		}
		this.submissions.push({
			formGuid: form.id,
			submittedAt: this.clock.now(),
			fields: values,
			contactId,
			secure,
			context: body.context,
		});
		return json(
			form.redirectUri
				? { redirectUri: form.redirectUri }
				: { inlineMessage: form.inlineMessage ?? 'Thanks for submitting the form.' },
		);
	}

	// ---- seed & admin -----------------------------------------------------------------------------------------

	private attachDynamicOptions(def: ObjectTypeDef): void {
		const owner = def.properties.get('hubspot_owner_id');
		if (owner)
			owner.dynamicOptions = () =>
				this.owners
					.filter((o) => !o.archived)
					.map((o, i) => ({
						label: `${o.firstName} ${o.lastName} (${o.email})`,
						value: o.id,
						displayOrder: i,
						hidden: false,
					}));
		const stageOptions = (typeId: string): PropertyOption[] =>
			(this.pipelines.get(typeId) ?? []).flatMap((p) =>
				p.stages.map((st) => ({
					label: `${st.label} (${p.label})`,
					value: st.id,
					displayOrder: st.displayOrder,
					hidden: false,
				})),
			);
		const pipelineOptions = (typeId: string): PropertyOption[] =>
			(this.pipelines.get(typeId) ?? []).map((p) => ({
				label: p.label,
				value: p.id,
				displayOrder: p.displayOrder,
				hidden: false,
			}));
		if (def.objectTypeId === '0-3') {
			(def.properties.get('pipeline') as PropertyDef).dynamicOptions = () => pipelineOptions('0-3');
			(def.properties.get('dealstage') as PropertyDef).dynamicOptions = () => stageOptions('0-3');
		}
		if (def.objectTypeId === '0-5') {
			(def.properties.get('hs_pipeline') as PropertyDef).dynamicOptions = () =>
				pipelineOptions('0-5');
			(def.properties.get('hs_pipeline_stage') as PropertyDef).dynamicOptions = () =>
				stageOptions('0-5');
		}
	}

	private seedAccount(): void {
		this.owners.push(
			{
				id: '80000001',
				email: 'alex.owner@example.com',
				firstName: 'Alex',
				lastName: 'Owner',
				userId: 9001,
				archived: false,
			},
			{
				id: '80000002',
				email: 'sam.seller@example.com',
				firstName: 'Sam',
				lastName: 'Seller',
				userId: 9002,
				archived: false,
			},
			{
				id: '80000003',
				email: 'former.rep@example.com',
				firstName: 'Former',
				lastName: 'Rep',
				userId: 9003,
				archived: true,
			},
		);
		const stage = (
			id: string,
			label: string,
			i: number,
			metadata: Record<string, string>,
		): PipelineStage => ({ id, label, displayOrder: i, metadata });
		this.pipelines.set('0-3', [
			{
				id: 'default',
				label: 'Sales Pipeline',
				displayOrder: 0,
				stages: [
					['appointmentscheduled', 'Appointment Scheduled', '0.2'],
					['qualifiedtobuy', 'Qualified To Buy', '0.4'],
					['presentationscheduled', 'Presentation Scheduled', '0.6'],
					['decisionmakerboughtin', 'Decision Maker Bought-In', '0.8'],
					['contractsent', 'Contract Sent', '0.9'],
					['closedwon', 'Closed Won', '1.0'],
					['closedlost', 'Closed Lost', '0.0'],
				].map(([id, label, p], i) =>
					stage(id, label, i, { isClosed: String(id.startsWith('closed')), probability: p }),
				),
			},
		]);
		this.pipelines.set('0-5', [
			{
				id: '0',
				label: 'Support Pipeline',
				displayOrder: 0,
				stages: [
					['1', 'New', 'OPEN'],
					['2', 'Waiting on contact', 'OPEN'],
					['3', 'Waiting on us', 'OPEN'],
					['4', 'Closed', 'CLOSED'],
				].map(([id, label, state], i) =>
					stage(id, label, i, { ticketState: state, isClosed: String(state === 'CLOSED') }),
				),
			},
		]);
		for (const def of this.types.values()) this.attachDynamicOptions(def);
		const guids = guidGenerator(0xf0f0);
		this.forms.push({
			id: guids(),
			name: 'Contact us',
			fields: [
				{ name: 'email', label: 'Email', fieldType: 'email', required: true, objectTypeId: '0-1' },
				{
					name: 'firstname',
					label: 'First name',
					fieldType: 'single_line_text',
					required: false,
					objectTypeId: '0-1',
				},
				{
					name: 'lastname',
					label: 'Last name',
					fieldType: 'single_line_text',
					required: false,
					objectTypeId: '0-1',
				},
				{
					name: 'company',
					label: 'Company name',
					fieldType: 'single_line_text',
					required: false,
					objectTypeId: '0-1',
				},
			],
		});
		this.forms.push({
			id: guids(),
			name: 'Newsletter',
			fields: [
				{ name: 'email', label: 'Email', fieldType: 'email', required: true, objectTypeId: '0-1' },
			],
			redirectUri: 'https://example.com/thanks',
		});
	}

	/** Creates sample records deterministically (companies, then contacts and deals associated to them). */
	seed(counts: { contacts?: number; companies?: number; deals?: number }): {
		contacts: number;
		companies: number;
		deals: number;
	} {
		const words = [
			'Acme',
			'Globex',
			'Initech',
			'Umbrella',
			'Hooli',
			'Vandelay',
			'Stark',
			'Wayne',
			'Tyrell',
			'Cyberdyne',
		];
		const first = [
			'Ada',
			'Grace',
			'Alan',
			'Edsger',
			'Barbara',
			'Donald',
			'Frances',
			'Ken',
			'Margaret',
			'Dennis',
		];
		const last = [
			'Lovelace',
			'Hopper',
			'Turing',
			'Dijkstra',
			'Liskov',
			'Knuth',
			'Allen',
			'Thompson',
			'Hamilton',
			'Ritchie',
		];
		const companies = this.types.get('0-2') as ObjectTypeDef;
		const contacts = this.types.get('0-1') as ObjectTypeDef;
		const deals = this.types.get('0-3') as ObjectTypeDef;
		const companyIds: string[] = this.coll(companies)
			.list()
			.map((r) => r.id);
		const base = this.seeded;
		for (let i = 0; i < (counts.companies ?? 0); i++) {
			const name = `${this.rng.pick(words)} ${base + i + 1}`;
			const r = this.insert(companies, {
				name,
				domain: `${name.toLowerCase().replace(/[^a-z0-9]+/g, '-')}.example.com`,
				industry: this.rng.pick(['Software', 'Retail', 'Finance']),
				numberofemployees: String(this.rng.int(1, 5000)),
			});
			companyIds.push(r.id);
		}
		for (let i = 0; i < (counts.contacts ?? 0); i++) {
			const f = this.rng.pick(first);
			const l = this.rng.pick(last);
			const r = this.insert(contacts, {
				email: `${f}.${l}.${base + i + 1}@example.com`.toLowerCase(),
				firstname: f,
				lastname: l,
				lifecyclestage: this.rng.pick(['lead', 'customer', 'subscriber']),
			});
			if (companyIds.length > 0)
				this.associations.link('0-1', r.id, '0-2', this.rng.pick(companyIds), 279);
		}
		for (let i = 0; i < (counts.deals ?? 0); i++) {
			const r = this.insert(deals, {
				dealname: `Deal ${base + i + 1}`,
				amount: String(this.rng.int(1, 500) * 100),
				pipeline: 'default',
				dealstage: this.rng.pick(['appointmentscheduled', 'qualifiedtobuy', 'closedwon']),
			});
			if (companyIds.length > 0)
				this.associations.link('0-3', r.id, '0-2', this.rng.pick(companyIds), 341);
		}
		this.seeded += Math.max(counts.contacts ?? 0, counts.companies ?? 0, counts.deals ?? 0);
		return {
			contacts: counts.contacts ?? 0,
			companies: counts.companies ?? 0,
			deals: counts.deals ?? 0,
		};
	}

	private installAdmin(): void {
		const s = this.server;
		s.admin('GET', '/rate-limit', () => json({ rateLimits: this.getRateLimits() }));
		s.admin('PUT', '/rate-limit', async (req) => {
			const body = (await req.json<Record<string, unknown>>()) ?? {};
			if (body.enabled === false) this.setRateLimits(false);
			else {
				const current = this.limits === false ? DEFAULT_HUBSPOT_RATE_LIMITS : this.limits;
				const pick = (k: keyof HubSpotRateLimits, min: number) => {
					const v = body[k];
					if (v === undefined) return current[k] as number;
					if (!Number.isInteger(v) || (v as number) < min)
						throw new HttpError(400, `${k} must be an integer >= ${min}`, 'invalid_rate_limit');
					return v as number;
				};
				this.setRateLimits({
					tenSecondly: pick('tenSecondly', 0),
					oauthTenSecondly:
						body.oauthTenSecondly === undefined && body.tenSecondly !== undefined
							? undefined
							: pick('oauthTenSecondly', 0),
					daily: pick('daily', 0),
					searchPerSecond: pick('searchPerSecond', 0),
					dailyResetOffsetMs: pick('dailyResetOffsetMs', 0),
				});
			}
			return json({ rateLimits: this.getRateLimits() });
		});
		s.admin('GET', '/batch-mode', () => json({ mode: this.batchMode }));
		s.admin('PUT', '/batch-mode', async (req) => {
			const body = await req.json<{ mode?: unknown }>();
			if (body?.mode !== 'atomic' && body?.mode !== 'partial')
				throw new HttpError(400, 'mode must be atomic or partial', 'invalid_mode');
			this.setBatchMode(body.mode);
			return json({ mode: this.batchMode });
		});
		s.admin('GET', '/search-index-delay', () => json({ ms: this.searchIndexDelayMs }));
		s.admin('PUT', '/search-index-delay', async (req) => {
			const body = await req.json<{ ms?: unknown }>();
			if (typeof body?.ms !== 'number' || !(body.ms >= 0) || !Number.isFinite(body.ms))
				throw new HttpError(
					400,
					'ms must be a non-negative number of milliseconds',
					'invalid_delay',
				);
			this.setSearchIndexDelay(body.ms);
			return json({ ms: this.searchIndexDelayMs });
		});
		s.admin('POST', '/seed', async (req) => {
			const counts = seedCounts(await req.json<Record<string, unknown>>(), [
				'contacts',
				'companies',
				'deals',
			]);
			return json({ created: this.seed(counts) }, 201);
		});
		s.admin('GET', '/form-submissions', () => json({ submissions: this.submissions }));
		s.admin('POST', '/reset', () => {
			this.reset();
			return empty();
		});
	}
}

function validationMessage(errors: ValueError[]): string {
	return `Property values were not valid: ${JSON.stringify(errors.map((e) => ({ isValid: false, message: e.message, error: e.code, name: e.name, localizedErrorMessage: e.message })))}`;
}

function errorDetails(errors: ValueError[]): unknown[] {
	return errors.map((e) => ({
		message: e.message,
		code: e.code,
		context: { propertyName: [e.name] },
	}));
}

function labelJson(t: AssociationType): Record<string, unknown> {
	return { category: t.category, typeId: t.typeId, label: t.label };
}

function assocDefinitionJson(t: AssociationType, at: number): Record<string, unknown> {
	return {
		id: String(t.typeId),
		fromObjectTypeId: t.fromObjectTypeId,
		toObjectTypeId: t.toObjectTypeId,
		name: t.name.toUpperCase(),
		createdAt: ISO(at),
		updatedAt: ISO(at),
	};
}
