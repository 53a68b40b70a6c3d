/**
 * The Salesforce simulator (`salesforce` in the sandbox contract): the REST API v62 at the root of its own
 * origin, good enough that jsforce cannot tell it from an org for CRUD, describe, sObject Collections,
 * Composite, SOQL query / queryAll with `nextRecordsUrl` paging, getUpdated / getDeleted, Bulk API 2.0
 * (see `bulk.ts`), OAuth (password, refresh token, client credentials, JWT bearer, authorization code),
 * SOAP `login`, the identity URL, `Sforce-Limit-Info`, the daily request limit, a concurrency limit for
 * long-running requests, and every kit fault.
 */
import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import {
	HttpError,
	OAuthServer,
	SandboxServer,
	SeededRandom,
	Store,
	WindowLimiter,
	compilePattern,
	sleep as kitSleep,
	empty,
	json,
	salesforceIdGenerator,
	salesforceTokenShape,
	setHeader,
	systemClock,
	text,
	type Clock,
	type FaultInjector,
	type LatencySetting,
	type Reply,
	type RequestLog,
	type SandboxRequest,
	type StoredRecord,
	type TokenContext,
} from '../kit';
import { BulkService, type BulkOptions } from './bulk';
import {
	OrgData,
	SfApiError,
	notFound,
	parseDateTime,
	sfDateTime,
	type SfError,
	type Table,
} from './data';
import { describeGlobalEntry, describeObject } from './schema';
import { insertUser, seedOrg, type SeedCounts, type SimUser } from './seed';
import { compileSoql, type CompiledQuery } from './soql';

/** What a client needs to talk to the Salesforce simulator. */
export interface SalesforceSimContract {
	instanceUrl: string;
	loginUrl: string;
	clientId: string;
	clientSecret: string;
	username: string;
	password: string;
	accessToken: string;
	/** API version served by default (`62.0`). */
	apiVersion: string;
	/** PEM of the private key whose public half is the connected app's certificate (JWT bearer flow). */
	jwtPrivateKey: string;
}

/** Options for {@link SalesforceSimulator}. */
export interface SalesforceSimulatorOptions {
	/** 0 (default) = random free port. */
	port?: number;
	clock?: Clock;
	/** Seed for sample data, latency jitter and fault probabilities (default 1). */
	seed?: number;
	latency?: LatencySetting;
	orgId?: string;
	username?: string;
	password?: string;
	clientId?: string;
	clientSecret?: string;
	/** Access token lifetime (default 7200 s, a Salesforce session's default). */
	accessTokenTtlSeconds?: number;
	/** Daily API request limit (rolling 24 h; default 15,000 as a Developer Edition org). */
	dailyRequestLimit?: number;
	/** Long-running requests allowed at once (default 25). */
	concurrentLongRunningLimit?: number;
	/** A request counts as long-running after this long (clock ms; default 20,000). */
	longRunningAfterMs?: number;
	/** RSA key pair for the JWT bearer flow (default: generated at start-up). */
	jwtKeyPair?: { publicKey: string | KeyObject; privateKey: string };
	/** Sample records created at construction. */
	records?: SeedCounts;
	/** Bulk API 2.0 behaviour. */
	bulk?: Partial<BulkOptions>;
	/** Query cursors expire after this long unused (default 15 min). */
	queryLocatorTtlMs?: number;
	/** Delay function for server-side processing time (default real timers). */
	sleep?: (ms: number) => Promise<void>;
	/** See `StoreOptions.strictTimestamps` (default false: real clock values, ties included, as Salesforce). */
	strictTimestamps?: boolean;
}

/** The API version the simulator answers by default and the newest it knows. */
export const SF_API_VERSION = '62.0';
const MIN_VERSION = 31;
const MAX_VERSION = 62;

/** Default credentials. */
export const SF_DEFAULTS = {
	orgId: '00D5g000004SANDBX',
	username: 'integration@sandbox.example.com',
	password: 'sandbox-password',
	clientId: '3MVG9sandbox.connected.app.consumer.key',
	clientSecret: 'sandbox-consumer-secret',
};

/** Internal call context: one HTTP request or one Composite subrequest. */
export interface ApiCtx {
	method: string;
	params: Record<string, string>;
	query: URLSearchParams;
	header(name: string): string | undefined;
	json(): Promise<unknown>;
	text(): Promise<string>;
	/** `62.0`. */
	version: string;
	baseUrl: string;
	/** The HTTP request (absent for Composite subrequests). */
	req?: SandboxRequest;
}

type ApiHandler = (ctx: ApiCtx) => Reply | Promise<Reply>;

interface ApiRoute {
	methods: string[];
	regex: RegExp;
	handler: ApiHandler;
	kind: string;
}

interface Cursor {
	id: string;
	records: StoredRecord[];
	query: CompiledQuery;
	batchSize: number;
	expiresAt: number;
}

const MAX_COLLECTION = 200;
const MAX_COMPOSITE = 25;

/** Salesforce-shaped JSON error body. */
export function sfErrors(
	status: number,
	errorCode: string,
	message: string,
	fields?: string[],
): Reply {
	return json([{ message, errorCode, ...(fields ? { fields } : {}) }], status);
}

/** The Salesforce simulator. */
export class SalesforceSimulator {
	readonly server: SandboxServer;
	readonly store: Store;
	readonly org: OrgData;
	readonly oauth: OAuthServer;
	readonly bulk: BulkService;
	readonly clock: Clock;
	readonly orgId: string;
	readonly username: string;
	readonly password: string;
	readonly clientId: string;
	readonly clientSecret: string;
	/** PEM of the JWT bearer test private key. */
	readonly jwtPrivateKey: string;
	private readonly jwtAudiences: string[];
	private readonly oauthOptions: { jwtAudience?: string | string[] };
	private readonly apiRoutes: ApiRoute[] = [];
	private readonly cursors = new Map<string, Cursor>();
	private readonly nextCursorId = salesforceIdGenerator('01g', { fifteen: true });
	private readonly rng: SeededRandom;
	private readonly daily: WindowLimiter;
	private dailyLimit: number;
	private concurrentLimit: number;
	private readonly longRunningAfterMs: number;
	private readonly inFlight = new Map<SandboxRequest, number>();
	private readonly queryLocatorTtlMs: number;
	private staticToken?: string;
	private processing?: { delayMs: number; kinds?: string[] };
	private readonly sleep: (ms: number) => Promise<void>;

	constructor(options: SalesforceSimulatorOptions = {}) {
		this.clock = options.clock ?? systemClock;
		this.rng = new SeededRandom(options.seed ?? 1);
		this.orgId = options.orgId ?? SF_DEFAULTS.orgId;
		this.username = options.username ?? SF_DEFAULTS.username;
		this.password = options.password ?? SF_DEFAULTS.password;
		this.clientId = options.clientId ?? SF_DEFAULTS.clientId;
		this.clientSecret = options.clientSecret ?? SF_DEFAULTS.clientSecret;
		this.queryLocatorTtlMs = options.queryLocatorTtlMs ?? 15 * 60_000;
		this.sleep = options.sleep ?? kitSleep;
		this.longRunningAfterMs = options.longRunningAfterMs ?? 20_000;
		this.concurrentLimit = options.concurrentLongRunningLimit ?? 25;
		this.dailyLimit = options.dailyRequestLimit ?? 15_000;
		this.daily = new WindowLimiter({
			limit: this.dailyLimit,
			windowMs: 86_400_000,
			mode: 'sliding',
		});

		this.store = new Store({
			clock: this.clock,
			strictTimestamps: options.strictTimestamps ?? false,
		});
		this.org = new OrgData({ store: this.store, clock: this.clock });
		const users = this.org.mustTable('User');
		const user = users.insert({
			Username: this.username,
			FirstName: 'Integration',
			LastName: 'User',
			Email: this.username,
			Alias: 'integ',
			IsActive: true,
			TimeZoneSidKey: 'GMT',
		});
		this.org.userId = user.id;

		const keys =
			options.jwtKeyPair ??
			generateKeyPairSync('rsa', {
				modulusLength: 2048,
				publicKeyEncoding: { type: 'spki', format: 'pem' },
				privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
			});
		this.jwtPrivateKey = keys.privateKey;
		this.jwtAudiences = ['https://login.salesforce.com', 'https://test.salesforce.com'];
		this.oauthOptions = { jwtAudience: this.jwtAudiences };

		this.server = new SandboxServer({
			name: 'salesforce',
			port: options.port,
			clock: this.clock,
			seed: options.seed,
			latency: options.latency,
			errorReply: (err) => this.httpErrorReply(err),
		});
		this.server.faults.setReplies({
			rateLimited: (_req, retryAfter, status) =>
				json(
					[
						{
							message: 'ConcurrentRequests (Concurrent API Requests) Limit exceeded.',
							errorCode: 'REQUEST_LIMIT_EXCEEDED',
						},
					],
					status,
					{ 'Retry-After': String(retryAfter) },
				),
			serverError: (_req, status, message) =>
				json(
					[
						{
							message:
								status === 503
									? 'Server temporarily unavailable'
									: `An unexpected error occurred. Please include this ErrorId if you contact support: ${message}`,
							errorCode: status === 503 ? 'SERVER_UNAVAILABLE' : 'UNKNOWN_EXCEPTION',
						},
					],
					status,
				),
		});
		const sfShape = salesforceTokenShape({ orgId: this.orgId });
		const sfUser = { username: this.username, password: this.password, id: user.id };
		const oauthOptions = {
			clock: this.clock,
			clients: [
				{
					clientId: this.clientId,
					clientSecret: this.clientSecret,
					jwtPublicKey: keys.publicKey,
					subject: this.username,
				},
			],
			users: [{ username: this.username, password: this.password, id: user.id }],
			accessTokenTtlSeconds: options.accessTokenTtlSeconds ?? 7200,
			refreshTokenGrants: ['password', 'authorization_code', 'refresh_token'] as Array<
				'password' | 'authorization_code' | 'refresh_token'
			>,
			jwtMaxLifetimeSeconds: 300,
			tokenPrefix: `${this.orgId.slice(0, 15)}!`,
			authSchemes: ['Bearer', 'OAuth'],
			// client-credentials tokens act for the connected app's run-as user: name it in the identity URL
			shapeToken: (base: Record<string, unknown>, ctx: TokenContext) =>
				sfShape(
					base,
					ctx.user ? ctx : { ...ctx, user: ctx.subject === this.username ? sfUser : undefined },
				),
			errorReply: (_status: number, error: string, description: string) => {
				const code =
					error === 'invalid_client' && /client_id|unknown/i.test(description)
						? 'invalid_client_id'
						: error;
				const desc = code === 'invalid_client_id' ? 'client identifier invalid' : description;
				return json({ error: code, error_description: desc }, 400);
			},
			unauthorized: () =>
				json([{ message: 'Session expired or invalid', errorCode: 'INVALID_SESSION_ID' }], 401, {
					'WWW-Authenticate': 'Token',
				}),
		};
		// the audience list gains the server's own URL once it listens (see start())
		Object.defineProperty(oauthOptions, 'jwtAudience', {
			get: () => this.oauthOptions.jwtAudience,
			enumerable: true,
		});
		this.oauth = new OAuthServer(oauthOptions);
		this.oauth.attachFaults(this.server.faults);

		const open = new Set(['token', 'authorize', 'revoke', 'soap.login', 'versions', 'identity']);
		this.server.use(this.oauth.middleware({ skip: (req) => open.has(req.kind ?? '') }));
		this.server.use((req, next) => this.limitMiddleware(req, next));
		this.server.onResponse((_req, reply) => {
			setHeader(reply, 'Sforce-Limit-Info', `api-usage=${this.apiUsage()}/${this.dailyLimit}`);
		});

		this.bulk = new BulkService(this, options.bulk ?? {});
		this.installRoutes();
		this.bulk.install();
		this.installAdmin();
		if (options.records) seedOrg(this.org, this.rng, options.records);
	}

	/** The request log. */
	get log(): RequestLog {
		return this.server.log;
	}

	/** Fault injection. */
	get faults(): FaultInjector {
		return this.server.faults;
	}

	/** Starts the server and returns the contract (with a pre-issued access token). */
	async start(): Promise<SalesforceSimContract> {
		await this.server.start();
		this.bulk.resume();
		this.oauthOptions.jwtAudience = [...this.jwtAudiences, this.server.url];
		return this.contract();
	}

	/** Stops the server and pending bulk work. */
	async stop(): Promise<void> {
		this.bulk.stop();
		await this.server.stop();
	}

	/** The contract (after `start`). A pre-issued access token is created once and reused. */
	contract(): SalesforceSimContract {
		const url = this.server.url;
		const current = this.staticToken ? this.oauth.lookup(this.staticToken) : undefined;
		let accessToken = this.staticToken;
		if (
			!accessToken ||
			!current ||
			current.forcedExpired ||
			current.expiresAt <= this.clock.now()
		) {
			accessToken = this.oauth.issue({
				clientId: this.clientId,
				subject: this.username,
				scope: ['api', 'refresh_token'],
				ttlSeconds: 365 * 86_400,
			}).accessToken;
			this.staticToken = accessToken;
		}
		return {
			instanceUrl: url,
			loginUrl: url,
			clientId: this.clientId,
			clientSecret: this.clientSecret,
			username: this.username,
			password: this.password,
			accessToken,
			apiVersion: SF_API_VERSION,
			jwtPrivateKey: this.jwtPrivateKey,
		};
	}

	/** Creates sample records (Accounts, Contacts, Leads, Opportunities, Cases, Tasks, Invoices). */
	seed(counts: SeedCounts): Record<string, number> {
		return seedOrg(this.org, this.rng, counts);
	}

	/** Adds a user (a record owner; `User` is not creatable through the API); its id. `reset()` removes it again. */
	addUser(user: SimUser): string {
		return insertUser(this.org, user);
	}

	/** The table of an object (e.g. `sim.table('Contact').collection.count()`). */
	table(name: string): Table {
		return this.org.mustTable(name);
	}

	/** Sets the daily request limit (counts are kept). */
	setDailyRequestLimit(limit: number): void {
		this.dailyLimit = limit;
		this.daily.configure({ limit });
	}

	/** API requests counted in the rolling 24 hours. */
	apiUsage(): number {
		const s = this.daily.peek(this.clock.now(), 'org');
		return s.limit - s.remaining;
	}

	/**
	 * Makes admitted requests (optionally only some kinds) take `delayMs` of server-side processing time, so
	 * they occupy a concurrency slot like Salesforce's long-running transactions; `undefined` turns it off.
	 */
	setProcessingTime(setting: { delayMs: number; kinds?: string[] } | undefined): void {
		this.processing = setting;
	}

	/** API requests being processed now (admitted by the limits, not yet answered). */
	inFlightCount(): number {
		return this.inFlight.size;
	}

	/** Sets how many long-running requests may run at once. */
	setConcurrentLongRunningLimit(limit: number): void {
		this.concurrentLimit = limit;
	}

	/** Clears records and users (keeping the integration user), cursors, bulk jobs, the log, faults and limit counts. */
	reset(): void {
		for (const t of this.org.allTables()) {
			const ids = t.collection.list({ includeDeleted: true }).map((r) => r.id);
			t.purge(t.object.name === 'User' ? ids.filter((id) => id !== this.org.userId) : ids);
		}
		this.cursors.clear();
		this.bulk.reset();
		this.server.log.reset();
		this.server.faults.clearFaults();
		this.daily.reset();
	}

	// ---- middleware --------------------------------------------------------------------------------

	private async limitMiddleware(req: SandboxRequest, next: () => Promise<Reply>): Promise<Reply> {
		if (['token', 'authorize', 'revoke', 'soap.login', 'versions'].includes(req.kind ?? ''))
			return next();
		const now = this.clock.now();
		const state = this.daily.peek(now, 'org');
		if (!state.allowed)
			return sfErrors(403, 'REQUEST_LIMIT_EXCEEDED', 'TotalRequests Limit exceeded.');
		let longRunning = 0;
		for (const started of this.inFlight.values())
			if (now - started >= this.longRunningAfterMs) longRunning++;
		if (longRunning >= this.concurrentLimit)
			return sfErrors(403, 'REQUEST_LIMIT_EXCEEDED', 'ConcurrentPerOrgLongTxn Limit exceeded.');
		this.daily.consume(now, 'org');
		this.inFlight.set(req, now);
		try {
			const slow = this.processing;
			if (slow && slow.delayMs > 0 && (!slow.kinds || slow.kinds.includes(req.kind ?? '')))
				await this.sleep(slow.delayMs);
			return await next();
		} finally {
			this.inFlight.delete(req);
		}
	}

	private httpErrorReply(err: HttpError): Reply {
		const map: Record<string, [string, string?]> = {
			malformed_json: ['JSON_PARSER_ERROR'],
			not_found: ['NOT_FOUND', 'The requested resource does not exist'],
			method_not_allowed: ['METHOD_NOT_ALLOWED'],
			payload_too_large: ['REQUEST_ENTITY_TOO_LARGE'],
			malformed_path: ['MALFORMED_ID'],
			malformed_csv: ['INVALIDREQUEST'],
			invalid_client: ['invalid_client_id'],
		};
		const [code, fixed] = map[err.code ?? ''] ?? [err.code ?? 'UNKNOWN_EXCEPTION'];
		const allow = err.headers.Allow;
		const message =
			err.code === 'method_not_allowed' && allow !== undefined
				? `HTTP Method '${/Method (\S+)/.exec(err.message)?.[1] ?? ''}' not allowed. Allowed are ${String(allow).replace(/\s+/g, '')}`
				: fixed;
		return json([{ message: message ?? err.message, errorCode: code }], err.status, {
			...err.headers,
		});
	}

	// ---- routing -----------------------------------------------------------------------------------

	/** Registers an API route under `/services/data/:version` on the server and for Composite. */
	api(method: string | string[], pattern: string, handler: ApiHandler, kind: string): void {
		const methods = Array.isArray(method) ? method : [method];
		const full = `/services/data/:version${pattern}`;
		this.apiRoutes.push({ methods, regex: compilePattern(full), handler, kind });
		this.server.route(methods, full, (req) => this.runHttp(req, handler), {
			kind,
			maxBodyBytes: kind === 'bulk.ingest.upload' ? 150 * 1024 * 1024 : undefined,
		});
	}

	private async runHttp(req: SandboxRequest, handler: ApiHandler): Promise<Reply> {
		const ctx: ApiCtx = {
			method: req.method,
			params: req.params,
			query: req.query,
			header: (n) => req.header(n),
			json: () => req.json(),
			text: () => req.text(),
			version: '',
			baseUrl: req.baseUrl,
			req,
		};
		return this.runCtx(ctx, handler);
	}

	private async runCtx(ctx: ApiCtx, handler: ApiHandler): Promise<Reply> {
		try {
			ctx.version = checkVersion(ctx.params.version);
			return await handler(ctx);
		} catch (err) {
			if (err instanceof SfApiError) return json(err.body(), err.status);
			throw err;
		}
	}

	/** Runs an API call internally (Composite subrequests). */
	async dispatch(method: string, url: string, body: unknown, baseUrl: string): Promise<Reply> {
		const u = new URL(url, 'http://internal');
		for (const route of this.apiRoutes) {
			const m = route.regex.exec(u.pathname);
			if (!m || !route.methods.includes(method)) continue;
			const params: Record<string, string> = {};
			for (const [k, v] of Object.entries(m.groups ?? {}))
				if (v !== undefined) params[k === '__rest' ? '*' : k] = decodeURIComponent(v);
			const ctx: ApiCtx = {
				method,
				params,
				query: u.searchParams,
				header: () => undefined,
				json: async () => body,
				text: async () => (typeof body === 'string' ? body : JSON.stringify(body ?? '')),
				version: '',
				baseUrl,
			};
			return this.runCtx(ctx, route.handler);
		}
		return sfErrors(404, 'NOT_FOUND', 'The requested resource does not exist');
	}

	private installRoutes(): void {
		const s = this.server;
		s.post('/services/oauth2/token', this.oauth.tokenHandler, { kind: 'token' });
		s.get('/services/oauth2/authorize', this.oauth.authorizeHandler, { kind: 'authorize' });
		s.route(
			['GET', 'POST'],
			'/services/oauth2/revoke',
			async (req) => {
				const token =
					req.query.get('token') ??
					(req.method === 'POST' ? (await req.form()).get('token') : null);
				if (!token || !this.oauth.revoke(token))
					return json(
						{
							error: 'unsupported_token_type',
							error_description: 'this token type is not supported',
						},
						400,
					);
				return empty(200);
			},
			{ kind: 'revoke' },
		);
		s.get('/services/oauth2/userinfo', (req) => json(this.identity(req, true)), {
			kind: 'identity.userinfo',
		});
		s.get(
			'/id/:org/:user',
			(req) => {
				const token = req.query.get('oauth_token');
				const auth = token ? this.oauth.lookup(token) : undefined;
				if (token && (!auth || auth.forcedExpired || auth.expiresAt <= this.clock.now())) {
					return text('Bad_OAuth_Token', 403);
				}
				if (!token) {
					const result = this.oauth.authenticate(req);
					if (!result.ok) return text('Bad_OAuth_Token', 403);
				}
				if (req.params.org !== this.orgId || req.params.user !== this.org.userId)
					return text('Bad_Id', 404);
				return json(this.identity(req, false));
			},
			{ kind: 'identity' },
		);
		s.post('/services/Soap/u/:version', (req) => this.soapLogin(req), { kind: 'soap.login' });
		s.get('/services/data', () => json(this.versions()), { kind: 'versions' });

		this.api(
			'GET',
			'',
			(ctx) =>
				json({
					...this.resources(ctx.version),
					identity: `${ctx.baseUrl}/id/${this.orgId}/${this.org.userId}`,
				}),
			'resources',
		);
		this.api('GET', '/limits', () => json(this.limits()), 'limits');
		this.api(
			'GET',
			'/sobjects',
			(ctx) =>
				json({
					encoding: 'UTF-8',
					maxBatchSize: 200,
					sobjects: this.org.allTables().map((t) => describeGlobalEntry(t.object, ctx.version)),
				}),
			'describeGlobal',
		);
		this.api(
			'GET',
			'/sobjects/:type',
			(ctx) => {
				const t = this.org.mustTable(ctx.params.type);
				return json({
					objectDescribe: describeGlobalEntry(t.object, ctx.version),
					recentItems: [],
				});
			},
			'sobject.info',
		);
		this.api('POST', '/sobjects/:type', (ctx) => this.createOne(ctx), 'sobject.create');
		this.api(
			'GET',
			'/sobjects/:type/describe',
			(ctx) => json(describeObject(this.org.mustTable(ctx.params.type).object, ctx.version)),
			'describe',
		);
		this.api('GET', '/sobjects/:type/updated', (ctx) => this.updated(ctx), 'updated');
		this.api('GET', '/sobjects/:type/deleted', (ctx) => this.deleted(ctx), 'deleted');
		this.api('GET', '/sobjects/:type/:id', (ctx) => this.getOne(ctx), 'sobject.get');
		this.api('PATCH', '/sobjects/:type/:id', (ctx) => this.updateOne(ctx), 'sobject.update');
		this.api('DELETE', '/sobjects/:type/:id', (ctx) => this.deleteOne(ctx), 'sobject.delete');
		this.api(
			'GET',
			'/sobjects/:type/:field/:value',
			(ctx) => this.getByExternalId(ctx),
			'sobject.getByExternalId',
		);
		this.api(
			'PATCH',
			'/sobjects/:type/:field/:value',
			(ctx) => this.upsertOne(ctx),
			'sobject.upsert',
		);
		this.api(
			'DELETE',
			'/sobjects/:type/:field/:value',
			(ctx) => this.deleteByExternalId(ctx),
			'sobject.deleteByExternalId',
		);

		this.api(
			'POST',
			'/composite/sobjects',
			(ctx) => this.collectionWrite(ctx, 'create'),
			'collections.create',
		);
		this.api(
			'PATCH',
			'/composite/sobjects',
			(ctx) => this.collectionWrite(ctx, 'update'),
			'collections.update',
		);
		this.api(
			'DELETE',
			'/composite/sobjects',
			(ctx) => this.collectionDelete(ctx),
			'collections.delete',
		);
		this.api(
			['GET', 'POST'],
			'/composite/sobjects/:type',
			(ctx) => this.collectionRetrieve(ctx),
			'collections.retrieve',
		);
		this.api(
			'PATCH',
			'/composite/sobjects/:type/:field',
			(ctx) => this.collectionWrite(ctx, 'upsert'),
			'collections.upsert',
		);
		this.api('POST', '/composite', (ctx) => this.composite(ctx), 'composite');
		this.api('POST', '/composite/batch', (ctx) => this.compositeBatch(ctx), 'composite.batch');

		this.api('GET', '/query', (ctx) => this.query(ctx, false), 'query');
		this.api('GET', '/queryAll', (ctx) => this.query(ctx, true), 'queryAll');
		this.api('GET', '/query/:locator', (ctx) => this.queryMore(ctx), 'queryMore');
		this.api('GET', '/queryAll/:locator', (ctx) => this.queryMore(ctx), 'queryMore');
	}

	// ---- identity, versions, limits, SOAP login -------------------------------------------------------

	private identity(req: SandboxRequest, openId: boolean): Record<string, unknown> {
		const user = this.org.mustTable('User').get(this.org.userId) as StoredRecord;
		const base = req.baseUrl;
		const v = SF_API_VERSION;
		const urls = {
			enterprise: `${base}/services/Soap/c/${v}/${this.orgId}`,
			metadata: `${base}/services/Soap/m/${v}/${this.orgId}`,
			partner: `${base}/services/Soap/u/${v}/${this.orgId}`,
			rest: `${base}/services/data/v${v}/`,
			sobjects: `${base}/services/data/v${v}/sobjects/`,
			search: `${base}/services/data/v${v}/search/`,
			query: `${base}/services/data/v${v}/query/`,
			recent: `${base}/services/data/v${v}/recent/`,
			profile: `${base}/${user.id}`,
			custom_domain: base,
		};
		const common = {
			organization_id: this.orgId,
			email: user.fields.Email,
			email_verified: true,
			given_name: user.fields.FirstName,
			family_name: user.fields.LastName,
			zoneinfo: 'GMT',
			locale: 'en_US',
			language: 'en_US',
			user_type: 'STANDARD',
			active: true,
			utcOffset: 0,
			urls,
		};
		if (openId) {
			return {
				sub: `${base}/id/${this.orgId}/${user.id}`,
				user_id: user.id,
				name: user.fields.Name,
				preferred_username: this.username,
				nickname: 'integ',
				...common,
			};
		}
		return {
			id: `${base}/id/${this.orgId}/${user.id}`,
			asserted_user: true,
			user_id: user.id,
			username: this.username,
			nick_name: 'integ',
			display_name: user.fields.Name,
			first_name: user.fields.FirstName,
			last_name: user.fields.LastName,
			timezone: 'GMT',
			status: { created_date: null, body: null },
			photos: {},
			is_lightning_login_user: false,
			is_app_installed: true,
			last_modified_date: sfDateTime(user.updatedAt),
			...common,
		};
	}

	private versions(): unknown[] {
		const out: unknown[] = [];
		const seasons = ['Spring', 'Summer', 'Winter'];
		for (let v = MIN_VERSION; v <= MAX_VERSION; v++) {
			const season = seasons[v % 3];
			const year = 24 + Math.floor((v - 60) / 3) + (season === 'Winter' ? 1 : 0);
			out.push({
				label: `${season} '${String(year).padStart(2, '0')}`,
				url: `/services/data/v${v}.0`,
				version: `${v}.0`,
			});
		}
		return out;
	}

	private resources(version: string): Record<string, string> {
		const b = `/services/data/v${version}`;
		const names = ['sobjects', 'query', 'queryAll', 'composite', 'limits', 'jobs'];
		return Object.fromEntries(names.map((n) => [n, `${b}/${n}`]));
	}

	private limits(): Record<string, unknown> {
		const remaining = this.dailyLimit - this.apiUsage();
		const jobs = this.bulk.jobCounts();
		return {
			DailyApiRequests: { Max: this.dailyLimit, Remaining: remaining },
			DailyBulkV2QueryJobs: { Max: 10000, Remaining: 10000 - jobs.query },
			DailyBulkV2QueryFileStorageMB: { Max: 976562, Remaining: 976562 },
			DailyBulkApiBatches: { Max: 15000, Remaining: 15000 - jobs.ingest },
			DataStorageMB: { Max: 5, Remaining: 5 },
			FileStorageMB: { Max: 20, Remaining: 20 },
			ConcurrentAsyncGetReportInstances: { Max: 200, Remaining: 200 },
			DailyAsyncApexExecutions: { Max: 250000, Remaining: 250000 },
		};
	}

	private async soapLogin(req: SandboxRequest): Promise<Reply> {
		const body = await req.text();
		const pick = (tag: string) => {
			const m = new RegExp(`<${tag}>([\\s\\S]*?)</${tag}>`).exec(body);
			return m ? unescapeXml(m[1]) : undefined;
		};
		const username = pick('username');
		const password = pick('password');
		const fault = (code: string, message: string) =>
			text(
				`<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:sf="urn:fault.partner.soap.sforce.com"><soapenv:Body><soapenv:Fault><faultcode>sf:${code}</faultcode><faultstring>${code}: ${message}</faultstring></soapenv:Fault></soapenv:Body></soapenv:Envelope>`,
				500,
				{},
				'text/xml;charset=UTF-8',
			);
		if (!/<login[\s>]/.test(body))
			return fault('INVALID_OPERATION', 'Only login is supported by the sandbox SOAP endpoint');
		if (username !== this.username || password !== this.password) {
			return fault(
				'INVALID_LOGIN',
				'Invalid username, password, security token; or user locked out.',
			);
		}
		const vm = /^(\d+)\.0$/.exec(req.params.version);
		if (!vm || Number(vm[1]) < MIN_VERSION || Number(vm[1]) > MAX_VERSION)
			return fault('UNSUPPORTED_API_VERSION', `Unsupported API version ${req.params.version}`);
		const version = req.params.version;
		const token = this.oauth.issue({
			clientId: this.clientId,
			subject: this.username,
			scope: ['api'],
		});
		const base = req.baseUrl;
		const user = this.org.mustTable('User').get(this.org.userId) as StoredRecord;
		return text(
			`<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns="urn:partner.soap.sforce.com" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><soapenv:Body><loginResponse><result>` +
				`<metadataServerUrl>${base}/services/Soap/m/${version}/${this.orgId}</metadataServerUrl><passwordExpired>false</passwordExpired><sandbox>true</sandbox>` +
				`<serverUrl>${base}/services/Soap/u/${version}/${this.orgId}</serverUrl><sessionId>${escapeXml(token.accessToken)}</sessionId><userId>${user.id}</userId>` +
				`<userInfo><organizationId>${this.orgId}</organizationId><userEmail>${escapeXml(String(user.fields.Email))}</userEmail><userFullName>${escapeXml(String(user.fields.Name))}</userFullName><userId>${user.id}</userId><userName>${escapeXml(this.username)}</userName></userInfo>` +
				`</result></loginResponse></soapenv:Body></soapenv:Envelope>`,
			200,
			{},
			'text/xml;charset=UTF-8',
		);
	}

	// ---- single-record CRUD --------------------------------------------------------------------------

	private async body(ctx: ApiCtx): Promise<Record<string, unknown>> {
		const b = await ctx.json();
		if (typeof b !== 'object' || b === null || Array.isArray(b)) {
			throw new SfApiError(400, 'JSON_PARSER_ERROR', 'The request body must be a JSON object');
		}
		return b as Record<string, unknown>;
	}

	private writable(table: Table, op: 'create' | 'update' | 'delete'): void {
		const o = table.object;
		const ok = op === 'create' ? o.createable : op === 'update' ? o.updateable : o.deletable;
		if (!ok)
			throw new SfApiError(
				400,
				'INVALID_TYPE_FOR_OPERATION',
				`entity type ${o.name} does not support ${op}`,
			);
	}

	private async createOne(ctx: ApiCtx): Promise<Reply> {
		const table = this.org.mustTable(ctx.params.type);
		this.writable(table, 'create');
		const input = await this.body(ctx);
		const v = this.org.validate(table, input, 'create', 'json');
		if (v.parseError) throw new SfApiError(400, v.parseError.errorCode, v.parseError.message);
		if (v.errors.length > 0)
			return json(
				v.errors.map((e) => ({ message: e.message, errorCode: e.errorCode, fields: e.fields })),
				400,
			);
		const r = table.insert(v.fields);
		return json({ id: r.id, success: true, errors: [] }, 201, {
			Location: `/services/data/v${ctx.version}/sobjects/${table.object.name}/${r.id}`,
		});
	}

	private fieldList(table: Table, raw: string | null) {
		if (raw === null || raw.trim() === '') return undefined;
		return raw.split(',').map((name) => {
			const f = table.object.byName.get(name.trim().toLowerCase());
			if (!f)
				throw new SfApiError(
					400,
					'INVALID_FIELD',
					`No such column '${name.trim()}' on sobject of type ${table.object.name}`,
				);
			return f;
		});
	}

	/** Resolves a record id in the URL: 404 unless a live record of this type. */
	private liveRecord(table: Table, rawId: string): StoredRecord {
		const id = this.org.canonicalId(rawId);
		if (!id)
			throw notFound(`Provided external ID field does not exist or is not accessible: ${rawId}`);
		if (id.slice(0, 3) !== table.object.keyPrefix) throw notFound();
		const r = table.get(id, true);
		if (!r) throw notFound();
		if (r.deletedAt !== null) throw new SfApiError(404, 'ENTITY_IS_DELETED', 'entity is deleted');
		return r;
	}

	private getOne(ctx: ApiCtx): Reply {
		const table = this.org.mustTable(ctx.params.type);
		const r = this.liveRecord(table, ctx.params.id);
		return json(
			this.org.recordJson(table, r, ctx.version, this.fieldList(table, ctx.query.get('fields'))),
		);
	}

	private async updateOne(ctx: ApiCtx): Promise<Reply> {
		const table = this.org.mustTable(ctx.params.type);
		this.writable(table, 'update');
		const r = this.liveRecord(table, ctx.params.id);
		const input = await this.body(ctx);
		const v = this.org.validate(table, input, 'update', 'json', { existingId: r.id });
		if (v.parseError) throw new SfApiError(400, v.parseError.errorCode, v.parseError.message);
		if (v.errors.length > 0)
			return json(
				v.errors.map((e) => ({ message: e.message, errorCode: e.errorCode, fields: e.fields })),
				400,
			);
		table.patch(r.id, v.fields);
		return empty(204);
	}

	private deleteOne(ctx: ApiCtx): Reply {
		const table = this.org.mustTable(ctx.params.type);
		this.writable(table, 'delete');
		const r = this.liveRecord(table, ctx.params.id);
		table.remove(r.id);
		return empty(204);
	}

	private externalField(table: Table, name: string) {
		const f = table.object.byName.get(name.toLowerCase());
		if (!f)
			throw notFound(`Provided external ID field does not exist or is not accessible: ${name}`);
		if (!(f.externalId || f.idLookup)) {
			throw new SfApiError(
				400,
				'INVALID_FIELD',
				`Field ${f.name} is not an External ID or indexed field for ${table.object.name}`,
			);
		}
		return f;
	}

	private matches(table: Table, fieldName: string, value: string): string[] {
		if (fieldName === 'Id') {
			const id = this.org.canonicalId(value);
			return id && table.get(id) ? [id] : [];
		}
		return table.lookup(fieldName, value);
	}

	private getByExternalId(ctx: ApiCtx): Reply {
		const table = this.org.mustTable(ctx.params.type);
		const f = this.externalField(table, ctx.params.field);
		const ids = this.matches(table, f.name, ctx.params.value);
		if (ids.length === 0) throw notFound();
		if (ids.length > 1)
			return json(
				ids.map((id) => `/services/data/v${ctx.version}/sobjects/${table.object.name}/${id}`),
				300,
			);
		return json(
			this.org.recordJson(
				table,
				table.get(ids[0]) as StoredRecord,
				ctx.version,
				this.fieldList(table, ctx.query.get('fields')),
			),
		);
	}

	private deleteByExternalId(ctx: ApiCtx): Reply {
		const table = this.org.mustTable(ctx.params.type);
		this.writable(table, 'delete');
		const f = this.externalField(table, ctx.params.field);
		const ids = this.matches(table, f.name, ctx.params.value);
		if (ids.length === 0) throw notFound();
		if (ids.length > 1)
			return json(
				ids.map((id) => `/services/data/v${ctx.version}/sobjects/${table.object.name}/${id}`),
				300,
			);
		table.remove(ids[0]);
		return empty(204);
	}

	private async upsertOne(ctx: ApiCtx): Promise<Reply> {
		const table = this.org.mustTable(ctx.params.type);
		this.writable(table, 'update');
		const f = this.externalField(table, ctx.params.field);
		const input = await this.body(ctx);
		const value = ctx.params.value;
		const result = this.upsertRecord(
			table,
			f.name,
			value,
			input,
			ctx.query.get('updateOnly') === 'true',
			undefined,
		);
		if ('multiple' in result) {
			return json(
				result.multiple.map(
					(id) => `/services/data/v${ctx.version}/sobjects/${table.object.name}/${id}`,
				),
				300,
			);
		}
		if ('parseError' in result)
			throw new SfApiError(400, result.parseError.errorCode, result.parseError.message);
		if ('notFound' in result) throw notFound();
		if ('errors' in result)
			return json(
				result.errors.map((e) => ({
					message: e.message,
					errorCode: e.errorCode,
					fields: e.fields,
				})),
				400,
			);
		return json(
			{ id: result.id, success: true, errors: [], created: result.created },
			result.created ? 201 : 200,
			result.created
				? { Location: `/services/data/v${ctx.version}/sobjects/${table.object.name}/${result.id}` }
				: {},
		);
	}

	/** Upserts one record by an external-id field value (shared by REST, Collections and Bulk). */
	upsertRecord(
		table: Table,
		fieldName: string,
		value: string,
		input: Record<string, unknown>,
		updateOnly: boolean,
		claims: Map<string, string> | undefined,
		source: 'json' | 'csv' = 'json',
	):
		| { id: string; created: boolean }
		| { multiple: string[] }
		| { errors: SfError[] }
		| { parseError: SfError }
		| { notFound: true } {
		const ids = this.matches(table, fieldName, value);
		if (ids.length > 1) return { multiple: ids };
		const body = { ...input };
		for (const k of Object.keys(body))
			if (k.toLowerCase() === fieldName.toLowerCase()) delete body[k];
		if (ids.length === 1) {
			const v = this.org.validate(table, body, 'update', source, { existingId: ids[0], claims });
			if (v.parseError) return { parseError: v.parseError };
			if (v.errors.length > 0) return { errors: v.errors };
			table.patch(ids[0], v.fields);
			return { id: ids[0], created: false };
		}
		if (updateOnly || fieldName === 'Id') return { notFound: true };
		const v = this.org.validate(table, { ...body, [fieldName]: value }, 'create', source, {
			claims,
		});
		if (v.parseError) return { parseError: v.parseError };
		if (v.errors.length > 0) return { errors: v.errors };
		const r = table.insert(v.fields);
		return { id: r.id, created: true };
	}

	// ---- sObject Collections -------------------------------------------------------------------------

	private async collectionBody(
		ctx: ApiCtx,
	): Promise<{ allOrNone: boolean; records: Array<Record<string, unknown>> }> {
		const b = (await ctx.json()) as { allOrNone?: unknown; records?: unknown } | undefined;
		if (!b || !Array.isArray(b.records))
			throw new SfApiError(400, 'JSON_PARSER_ERROR', 'Required field records is missing');
		if (b.records.length > MAX_COLLECTION) {
			throw new SfApiError(
				400,
				'EXCEEDED_ID_LIMIT',
				`record limit reached. cannot submit more than ${MAX_COLLECTION} records into this call`,
			);
		}
		for (const r of b.records)
			if (typeof r !== 'object' || r === null || Array.isArray(r))
				throw new SfApiError(400, 'JSON_PARSER_ERROR', 'Each record must be a JSON object');
		return {
			allOrNone: b.allOrNone === true,
			records: b.records as Array<Record<string, unknown>>,
		};
	}

	private async collectionWrite(ctx: ApiCtx, op: 'create' | 'update' | 'upsert'): Promise<Reply> {
		const { allOrNone, records } = await this.collectionBody(ctx);
		const upsertTable = op === 'upsert' ? this.org.mustTable(ctx.params.type) : undefined;
		const extField = upsertTable ? this.externalField(upsertTable, ctx.params.field) : undefined;
		const injected = ctx.req
			? this.server.faults.batchFailures(ctx.req, records, (r) =>
					typeof r.Id === 'string' ? r.Id : typeof r.id === 'string' ? r.id : undefined,
				)
			: new Map();
		const claims = new Map<string, string>();
		const seenIds = new Set<string>();
		type Result = {
			id?: string;
			success: boolean;
			errors: Array<{ statusCode: string; message: string; fields: string[] }>;
			created?: boolean;
		};
		const fail = (errors: SfError[], id?: string): Result => ({
			...(id ? { id } : {}),
			success: false,
			errors: errors.map((e) => ({
				statusCode: e.errorCode,
				message: e.message,
				fields: e.fields,
			})),
			...(op === 'upsert' ? { created: false } : {}),
		});
		let parseError: SfError | undefined;
		const work = () =>
			records.map((rec, i): Result => {
				const failure = injected.get(i);
				if (failure)
					return fail([{ errorCode: failure.code, message: failure.message, fields: [] }]);
				const typeName = (rec.attributes as { type?: unknown } | undefined)?.type;
				const table =
					upsertTable ?? (typeof typeName === 'string' ? this.org.table(typeName) : undefined);
				if (!table) {
					return fail([
						{
							errorCode: 'INVALID_TYPE',
							message:
								typeof typeName === 'string'
									? `sObject type '${typeName}' is not supported.`
									: 'Must specify a type in attributes',
							fields: [],
						},
					]);
				}
				if (op === 'create') {
					if (!table.object.createable)
						return fail([
							{
								errorCode: 'INVALID_TYPE_FOR_OPERATION',
								message: `entity type ${table.object.name} does not support insert`,
								fields: [],
							},
						]);
					const v = this.org.validate(table, rec, 'create', 'json', { claims });
					if (v.parseError) parseError ??= v.parseError;
					if (v.parseError || v.errors.length > 0) return fail(v.errors);
					return { id: table.insert(v.fields).id, success: true, errors: [] };
				}
				if (op === 'update') {
					const rawId = rec.Id ?? rec.id;
					const id = this.org.canonicalId(rawId);
					if (!id)
						return fail([
							{
								errorCode: 'MISSING_ARGUMENT',
								message: 'Id not specified in an update call',
								fields: [],
							},
						]);
					if (seenIds.has(id))
						return fail(
							[
								{
									errorCode: 'DUPLICATE_VALUE',
									message: 'Duplicate id in list: ' + id,
									fields: [],
								},
							],
							id,
						);
					seenIds.add(id);
					const existing = table.get(id, true);
					if (!existing || id.slice(0, 3) !== table.object.keyPrefix)
						return fail(
							[
								{
									errorCode: 'INVALID_CROSS_REFERENCE_KEY',
									message: 'invalid cross reference id',
									fields: [],
								},
							],
							id,
						);
					if (existing.deletedAt !== null)
						return fail(
							[{ errorCode: 'ENTITY_IS_DELETED', message: 'entity is deleted', fields: [] }],
							id,
						);
					const v = this.org.validate(table, rec, 'update', 'json', { existingId: id, claims });
					if (v.parseError) parseError ??= v.parseError;
					if (v.parseError || v.errors.length > 0) return fail(v.errors, id);
					table.patch(id, v.fields);
					return { id, success: true, errors: [] };
				}
				// upsert
				const f = extField as NonNullable<typeof extField>;
				const value = Object.entries(rec).find(
					([k]) => k.toLowerCase() === f.name.toLowerCase(),
				)?.[1];
				if (value === undefined || value === null || value === '') {
					return fail([
						{ errorCode: 'MISSING_ARGUMENT', message: `${f.name} not specified`, fields: [] },
					]);
				}
				const key = `upsert:${String(value).toLowerCase()}`;
				if (claims.has(key))
					return fail([
						{
							errorCode: 'DUPLICATE_EXTERNAL_ID',
							message: `Duplicate external id specified: ${String(value)}`,
							fields: [f.name],
						},
					]);
				claims.set(key, '');
				const result = this.upsertRecord(table, f.name, String(value), rec, false, claims);
				if ('multiple' in result) {
					return fail([
						{
							errorCode: 'DUPLICATE_EXTERNAL_ID',
							message: `${f.name}: more than one record found for external id field: [${result.multiple.join(', ')}]`,
							fields: [f.name],
						},
					]);
				}
				if ('parseError' in result) {
					parseError ??= result.parseError;
					return fail([]);
				}
				if ('notFound' in result)
					return fail([
						{
							errorCode: 'NOT_FOUND',
							message: 'The requested resource does not exist',
							fields: [],
						},
					]);
				if ('errors' in result) return fail(result.errors);
				return { id: result.id, success: true, errors: [], created: result.created };
			});
		const rolledBack = (results: Result[]) => allOrNone && results.some((r) => !r.success);
		const results = this.org.atomic(work, (r) => rolledBack(r) || parseError !== undefined);
		if (parseError) throw new SfApiError(400, parseError.errorCode, parseError.message);
		if (rolledBack(results)) {
			return json(
				results.map((r) =>
					r.success
						? {
								...(op !== 'create' && r.id ? { id: r.id } : {}),
								success: false,
								errors: [
									{
										statusCode: 'ALL_OR_NONE_OPERATION_ROLLED_BACK',
										message:
											'Record rolled back because not all records were valid and the request was using AllOrNone header',
										fields: [],
									},
								],
								...(op === 'upsert' ? { created: false } : {}),
							}
						: r,
				),
			);
		}
		return json(results);
	}

	private collectionDelete(ctx: ApiCtx): Reply {
		const raw = (ctx.query.get('ids') ?? '')
			.split(',')
			.map((s) => s.trim())
			.filter((s) => s !== '');
		if (raw.length === 0)
			throw new SfApiError(400, 'MISSING_ARGUMENT', 'ids parameter is required');
		if (raw.length > MAX_COLLECTION)
			throw new SfApiError(
				400,
				'EXCEEDED_ID_LIMIT',
				`record limit reached. cannot submit more than ${MAX_COLLECTION} records into this call`,
			);
		const allOrNone = ctx.query.get('allOrNone') === 'true';
		const injected = ctx.req
			? this.server.faults.batchFailures(ctx.req, raw, (id) => id)
			: new Map();
		type Result = {
			id: string;
			success: boolean;
			errors: Array<{ statusCode: string; message: string; fields: string[] }>;
		};
		const work = () =>
			raw.map((rawId, i): Result => {
				const failure = injected.get(i);
				const failed = (statusCode: string, message: string): Result => ({
					id: rawId,
					success: false,
					errors: [{ statusCode, message, fields: [] }],
				});
				if (failure) return failed(failure.code, failure.message);
				const id = this.org.canonicalId(rawId);
				if (!id) return failed('MALFORMED_ID', `malformed id ${rawId}`);
				const found = this.org.findById(id, true);
				if (!found) return failed('INVALID_CROSS_REFERENCE_KEY', 'invalid cross reference id');
				if (found.record.deletedAt !== null)
					return failed('ENTITY_IS_DELETED', 'entity is deleted');
				if (!found.table.object.deletable)
					return failed(
						'INVALID_TYPE_FOR_OPERATION',
						`entity type ${found.table.object.name} does not support delete`,
					);
				found.table.remove(id);
				return { id, success: true, errors: [] };
			});
		const rolledBack = (results: Result[]) => allOrNone && results.some((r) => !r.success);
		const results = this.org.atomic(work, rolledBack);
		if (rolledBack(results)) {
			return json(
				results.map((r) =>
					r.success
						? {
								id: r.id,
								success: false,
								errors: [
									{
										statusCode: 'ALL_OR_NONE_OPERATION_ROLLED_BACK',
										message:
											'Record rolled back because not all records were valid and the request was using AllOrNone header',
										fields: [],
									},
								],
							}
						: r,
				),
			);
		}
		return json(results);
	}

	private async collectionRetrieve(ctx: ApiCtx): Promise<Reply> {
		const table = this.org.mustTable(ctx.params.type);
		let ids: string[];
		let fieldNames: string;
		if (ctx.method === 'POST') {
			const b = (await ctx.json()) as { ids?: unknown; fields?: unknown } | undefined;
			if (!b || !Array.isArray(b.ids) || !Array.isArray(b.fields))
				throw new SfApiError(400, 'JSON_PARSER_ERROR', 'ids and fields are required');
			ids = b.ids.map(String);
			fieldNames = b.fields.map(String).join(',');
		} else {
			ids = (ctx.query.get('ids') ?? '').split(',').filter((s) => s !== '');
			fieldNames = ctx.query.get('fields') ?? '';
		}
		if (ids.length > 2000)
			throw new SfApiError(
				400,
				'EXCEEDED_ID_LIMIT',
				'record limit reached. cannot submit more than 2000 records into this call',
			);
		const fields = this.fieldList(table, fieldNames);
		if (!fields) throw new SfApiError(400, 'MISSING_ARGUMENT', 'fields parameter is required');
		return json(
			ids.map((raw) => {
				const id = this.org.canonicalId(raw);
				const r = id ? table.get(id) : undefined;
				return r ? this.org.recordJson(table, r, ctx.version, fields) : null;
			}),
		);
	}

	// ---- Composite -----------------------------------------------------------------------------------

	private async composite(ctx: ApiCtx): Promise<Reply> {
		const b = (await ctx.json()) as { allOrNone?: unknown; compositeRequest?: unknown } | undefined;
		if (!b || !Array.isArray(b.compositeRequest) || b.compositeRequest.length === 0) {
			throw new SfApiError(400, 'JSON_PARSER_ERROR', 'compositeRequest is required');
		}
		if (b.compositeRequest.length > MAX_COMPOSITE) {
			throw new SfApiError(
				400,
				'INVALID_INPUT',
				`Maximum number of subrequests allowed is ${MAX_COMPOSITE}`,
			);
		}
		const subs = b.compositeRequest as Array<{
			method?: unknown;
			url?: unknown;
			referenceId?: unknown;
			body?: unknown;
		}>;
		const refIds = new Set<string>();
		for (const s of subs) {
			if (
				typeof s.method !== 'string' ||
				typeof s.url !== 'string' ||
				typeof s.referenceId !== 'string' ||
				!/^[A-Za-z][A-Za-z0-9_]*$/.test(s.referenceId)
			) {
				throw new SfApiError(
					400,
					'INVALID_INPUT',
					'Each subrequest needs method, url and a referenceId made of letters, digits and underscores (starting with a letter)',
				);
			}
			if (refIds.has(s.referenceId))
				throw new SfApiError(400, 'INVALID_INPUT', `Duplicate referenceId: ${s.referenceId}`);
			refIds.add(s.referenceId);
			if (/\/(composite|jobs)(\/|$|\?)/.test(s.url) && !/\/composite\/sobjects/.test(s.url)) {
				throw new SfApiError(
					400,
					'INVALID_INPUT',
					`Resource not supported in a composite subrequest: ${s.url}`,
				);
			}
		}
		const allOrNone = b.allOrNone === true;
		type Sub = {
			body: unknown;
			httpHeaders: Record<string, string>;
			httpStatusCode: number;
			referenceId: string;
		};
		const halted = (referenceId: string, message: string): Sub => ({
			body: [{ errorCode: 'PROCESSING_HALTED', message }],
			httpHeaders: {},
			httpStatusCode: 400,
			referenceId,
		});
		const ROLLED_BACK =
			'The transaction was rolled back since another operation in the same transaction failed.';
		const run = async () => {
			const results: Sub[] = [];
			const bodies = new Map<string, unknown>();
			let failed = false;
			for (const s of subs) {
				const referenceId = s.referenceId as string;
				if (failed && allOrNone) {
					results.push(halted(referenceId, ROLLED_BACK));
					continue;
				}
				let url: string;
				let body: unknown;
				try {
					url = substitute(s.url as string, bodies, true) as string;
					body = substitute(s.body, bodies, false);
				} catch (err) {
					results.push(halted(referenceId, (err as Error).message));
					failed = true;
					continue;
				}
				const reply = await this.dispatch(
					(s.method as string).toUpperCase(),
					url,
					body,
					ctx.baseUrl,
				);
				const parsed =
					reply.body === undefined || reply.body === '' ? null : safeJson(reply.body.toString());
				const headers: Record<string, string> = {};
				for (const [k, v] of Object.entries(reply.headers))
					if (k.toLowerCase() === 'location') headers.Location = String(v);
				results.push({
					body: parsed,
					httpHeaders: headers,
					httpStatusCode: reply.status,
					referenceId,
				});
				if (reply.status >= 400) failed = true;
				else bodies.set(referenceId, parsed);
			}
			return { results, failed };
		};
		const outcome = allOrNone ? await this.org.atomicAsync(run, (o) => o.failed) : await run();
		let results = outcome.results;
		if (allOrNone && outcome.failed) {
			results = results.map((r) =>
				r.httpStatusCode < 400 ? halted(r.referenceId, ROLLED_BACK) : r,
			);
		}
		return json({ compositeResponse: results });
	}

	private async compositeBatch(ctx: ApiCtx): Promise<Reply> {
		const b = (await ctx.json()) as { haltOnError?: unknown; batchRequests?: unknown } | undefined;
		if (!b || !Array.isArray(b.batchRequests) || b.batchRequests.length === 0)
			throw new SfApiError(400, 'JSON_PARSER_ERROR', 'batchRequests is required');
		if (b.batchRequests.length > MAX_COMPOSITE)
			throw new SfApiError(
				400,
				'INVALID_INPUT',
				`Maximum number of subrequests allowed is ${MAX_COMPOSITE}`,
			);
		const results: Array<{ statusCode: number; result: unknown }> = [];
		let halted = false;
		for (const raw of b.batchRequests as Array<{
			method?: unknown;
			url?: unknown;
			richInput?: unknown;
		}>) {
			if (halted) {
				results.push({
					statusCode: 412,
					result: [
						{
							errorCode: 'BATCH_PROCESSING_HALTED',
							message: 'Batch processing halted per request',
						},
					],
				});
				continue;
			}
			if (typeof raw.method !== 'string' || typeof raw.url !== 'string')
				throw new SfApiError(400, 'INVALID_INPUT', 'Each batch request needs method and url');
			const rel = raw.url.replace(/^\/?(services\/data\/)?/, '');
			const reply = await this.dispatch(
				raw.method.toUpperCase(),
				`/services/data/${rel}`,
				raw.richInput,
				ctx.baseUrl,
			);
			const body =
				reply.body === undefined || reply.body === '' ? null : safeJson(reply.body.toString());
			results.push({ statusCode: reply.status, result: body });
			if (reply.status >= 400 && b.haltOnError === true) halted = true;
		}
		return json({ hasErrors: results.some((r) => r.statusCode >= 400), results });
	}

	// ---- SOQL ----------------------------------------------------------------------------------------

	private batchSize(ctx: ApiCtx): number {
		const h = ctx.header('sforce-query-options');
		const m = h ? /batchSize\s*=\s*(\d+)/i.exec(h) : null;
		if (!m) return 2000;
		return Math.min(2000, Math.max(200, Number(m[1])));
	}

	private query(ctx: ApiCtx, all: boolean): Reply {
		const q = ctx.query.get('q');
		if (q === null || q.trim() === '')
			throw new SfApiError(400, 'MALFORMED_QUERY', 'A query string (q) is required');
		const compiled = compileSoql(this.org, q, ctx.version, this.clock.now());
		const { records, totalSize } = compiled.run({ includeDeleted: all });
		if (compiled.count) return json({ totalSize, done: true, records: [] });
		const size = this.batchSize(ctx);
		if (records.length <= size)
			return json({ totalSize, done: true, records: records.map(compiled.toJson) });
		this.pruneCursors();
		const cursor: Cursor = {
			id: this.nextCursorId(),
			records,
			query: compiled,
			batchSize: size,
			expiresAt: this.clock.now() + this.queryLocatorTtlMs,
		};
		this.cursors.set(cursor.id, cursor);
		return this.page(cursor, 0, ctx.version, all);
	}

	private page(cursor: Cursor, start: number, version: string, all: boolean): Reply {
		const end = Math.min(cursor.records.length, start + cursor.batchSize);
		const done = end >= cursor.records.length;
		cursor.expiresAt = this.clock.now() + this.queryLocatorTtlMs;
		if (done) this.cursors.delete(cursor.id);
		return json({
			totalSize: cursor.records.length,
			done,
			...(done
				? {}
				: {
						nextRecordsUrl: `/services/data/v${version}/${all ? 'queryAll' : 'query'}/${cursor.id}-${end}`,
					}),
			records: cursor.records.slice(start, end).map(cursor.query.toJson),
		});
	}

	private queryMore(ctx: ApiCtx): Reply {
		const m = /^(01g[0-9A-Za-z]{12})-(\d+)$/.exec(ctx.params.locator);
		const cursor = m ? this.cursors.get(m[1]) : undefined;
		if (!m || !cursor || cursor.expiresAt <= this.clock.now()) {
			if (m) this.cursors.delete(m[1]);
			throw new SfApiError(400, 'INVALID_QUERY_LOCATOR', 'invalid query locator');
		}
		const start = Number(m[2]);
		if (start >= cursor.records.length)
			throw new SfApiError(400, 'INVALID_QUERY_LOCATOR', 'invalid query locator');
		return this.page(
			cursor,
			start,
			ctx.version,
			ctx.req ? ctx.req.path.includes('/queryAll/') : false,
		);
	}

	private pruneCursors(): void {
		const now = this.clock.now();
		for (const [id, c] of this.cursors) if (c.expiresAt <= now) this.cursors.delete(id);
		while (this.cursors.size >= 50) this.cursors.delete(this.cursors.keys().next().value as string);
	}

	// ---- getUpdated / getDeleted ---------------------------------------------------------------------

	private window(ctx: ApiCtx): { startMin: number; endMin: number } {
		const parse = (name: string) => {
			const raw = ctx.query.get(name);
			if (raw === null || raw === '')
				throw new SfApiError(400, 'MISSING_ARGUMENT', `${name} parameter is required`);
			const t = parseDateTime(raw.replace(' ', '+'));
			if (t === undefined)
				throw new SfApiError(400, 'INVALID_REPLICATION_DATE', `${name}: invalid date ${raw}`);
			return Math.floor(t / 60_000) * 60_000;
		};
		const startMin = parse('start');
		const endMin = parse('end');
		const now = this.clock.now();
		if (endMin < startMin)
			throw new SfApiError(400, 'INVALID_REPLICATION_DATE', 'EndDate before StartDate');
		if (startMin < now - 30 * 86_400_000)
			throw new SfApiError(
				400,
				'INVALID_REPLICATION_DATE',
				'startDate cannot be more than 30 days ago',
			);
		return { startMin, endMin: Math.min(endMin, Math.floor(now / 60_000) * 60_000) };
	}

	private updated(ctx: ApiCtx): Reply {
		const table = this.org.mustTable(ctx.params.type);
		const { startMin, endMin } = this.window(ctx);
		const ids =
			endMin <= startMin
				? []
				: table.collection.updatedIds({ since: startMin - 1, until: endMin - 1 });
		return json({ ids, latestDateCovered: sfDateTime(Math.max(startMin, endMin)) });
	}

	private deleted(ctx: ApiCtx): Reply {
		const table = this.org.mustTable(ctx.params.type);
		const { startMin, endMin } = this.window(ctx);
		const deleted =
			endMin <= startMin
				? []
				: table.collection.deletedIds({ since: startMin - 1, until: endMin - 1 });
		const earliest = table.collection.changes({ kinds: ['deleted'] })[0]?.at ?? startMin;
		return json({
			deletedRecords: deleted.map((d) => ({ id: d.id, deletedDate: sfDateTime(d.deletedAt) })),
			earliestDateAvailable: sfDateTime(Math.floor(earliest / 60_000) * 60_000),
			latestDateCovered: sfDateTime(Math.max(startMin, endMin)),
		});
	}

	// ---- admin -------------------------------------------------------------------------------------

	private installAdmin(): void {
		const s = this.server;
		s.admin('GET', '/limits', () =>
			json({
				dailyRequestLimit: this.dailyLimit,
				apiUsage: this.apiUsage(),
				concurrentLongRunningLimit: this.concurrentLimit,
			}),
		);
		s.admin('PUT', '/limits', async (req) => {
			const b =
				(await req.json<{
					dailyRequestLimit?: unknown;
					concurrentLongRunningLimit?: unknown;
					resetUsage?: unknown;
				}>()) ?? {};
			const int = (v: unknown) => typeof v === 'number' && Number.isInteger(v) && v >= 0;
			if (b.dailyRequestLimit !== undefined) {
				if (!int(b.dailyRequestLimit))
					throw new HttpError(
						400,
						'dailyRequestLimit must be a non-negative integer',
						'invalid_limits',
					);
				this.setDailyRequestLimit(b.dailyRequestLimit as number);
			}
			if (b.concurrentLongRunningLimit !== undefined) {
				if (!int(b.concurrentLongRunningLimit))
					throw new HttpError(
						400,
						'concurrentLongRunningLimit must be a non-negative integer',
						'invalid_limits',
					);
				this.setConcurrentLongRunningLimit(b.concurrentLongRunningLimit as number);
			}
			if (b.resetUsage === true) this.daily.reset();
			return json({
				dailyRequestLimit: this.dailyLimit,
				apiUsage: this.apiUsage(),
				concurrentLongRunningLimit: this.concurrentLimit,
			});
		});
		s.admin('POST', '/seed', async (req) => {
			const b = (await req.json<SeedCounts>()) ?? {};
			for (const [k, v] of Object.entries(b)) {
				if (!(Number.isInteger(v) && (v as number) >= 0 && (v as number) <= 1_000_000))
					throw new HttpError(400, `${k} must be an integer 0..1000000`, 'invalid_seed');
			}
			return json({ created: this.seed(b) }, 201);
		});
		s.admin('POST', '/reset', () => {
			this.reset();
			return empty();
		});
		s.admin('POST', '/tokens', async (req) => {
			const b = (await req.json<{ ttlSeconds?: unknown }>()) ?? {};
			const ttl = typeof b.ttlSeconds === 'number' && b.ttlSeconds > 0 ? b.ttlSeconds : undefined;
			const t = this.oauth.issue({
				clientId: this.clientId,
				subject: this.username,
				scope: ['api'],
				ttlSeconds: ttl,
				withRefreshToken: true,
			});
			return json(
				{ accessToken: t.accessToken, refreshToken: t.refreshToken, expiresAt: t.expiresAt },
				201,
			);
		});
	}
}

/** `v62.0` → `62.0`, or a 404 NOT_FOUND for an unknown version. */
function checkVersion(raw: string | undefined): string {
	const m = raw ? /^v(\d+)\.0$/.exec(raw) : null;
	if (!m || Number(m[1]) < MIN_VERSION || Number(m[1]) > MAX_VERSION) throw notFound();
	return `${m[1]}.0`;
}

function safeJson(s: string): unknown {
	try {
		return JSON.parse(s);
	} catch {
		return s;
	}
}

/** Replaces `@{ref.path}` references in a Composite subrequest's URL or body. */
function substitute(value: unknown, bodies: Map<string, unknown>, inUrl: boolean): unknown {
	if (typeof value === 'string') {
		const whole = /^@\{([^}]+)\}$/.exec(value);
		if (whole && !inUrl) return resolveRef(whole[1], bodies);
		return value.replace(/@\{([^}]+)\}/g, (_m, expr: string) => {
			const v = resolveRef(expr, bodies);
			return inUrl ? encodeURIComponent(String(v)) : String(v);
		});
	}
	if (Array.isArray(value)) return value.map((v) => substitute(v, bodies, inUrl));
	if (value && typeof value === 'object') {
		return Object.fromEntries(
			Object.entries(value).map(([k, v]) => [k, substitute(v, bodies, inUrl)]),
		);
	}
	return value;
}

function resolveRef(expr: string, bodies: Map<string, unknown>): unknown {
	const parts = expr.split('.');
	const refId = parts[0];
	if (!bodies.has(refId))
		throw new Error(
			`Invalid reference specified. No value for ${expr} found in ${refId}. Provided referenceId ('${refId}') must be of a preceding successful subrequest.`,
		);
	let cur: unknown = bodies.get(refId);
	for (const part of parts.slice(1)) {
		const m = /^([^[\]]+)((?:\[\d+\])*)$/.exec(part);
		if (!m) throw new Error(`Invalid reference specified: ${expr}`);
		cur = (cur as Record<string, unknown> | null)?.[m[1]];
		for (const idx of m[2].match(/\d+/g) ?? []) cur = (cur as unknown[] | null)?.[Number(idx)];
	}
	if (cur === undefined)
		throw new Error(`Invalid reference specified. No value for ${expr} found in ${refId}.`);
	return cur;
}

function escapeXml(s: string): string {
	return s
		.replace(/&/g, '&amp;')
		.replace(/</g, '&lt;')
		.replace(/>/g, '&gt;')
		.replace(/"/g, '&quot;');
}

function unescapeXml(s: string): string {
	return s
		.replace(/&lt;/g, '<')
		.replace(/&gt;/g, '>')
		.replace(/&quot;/g, '"')
		.replace(/&apos;/g, "'")
		.replace(/&amp;/g, '&');
}
