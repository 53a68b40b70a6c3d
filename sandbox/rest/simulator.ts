/**
 * The generic REST API simulator (`rest` in the sandbox contract): JSON resources with CRUD, every
 * paging style the connector core supports, a batch endpoint with per-item results or all-or-nothing
 * failure, field validation errors, API-key or OAuth client-credentials auth, and rate-limit headers.
 *
 * Routes (under `/api` unless noted):
 * - `POST /oauth/token` — client credentials (form or JSON; Basic or body client auth)
 * - `GET /api/me` — who the credentials act for
 * - `GET /api/{resource}` — list; `?paging=cursor|offset|page|next|link`, `?updated_since=ISO`, `?sort=created_at|updated_at`,
 *   `?filter[field]=value` (equality, repeatable for any of several values; unique fields case-insensitively)
 * - `POST /api/{resource}` — create (201 + `Location`)
 * - `GET|PATCH|PUT|DELETE /api/{resource}/{id}`
 * - `GET /api/{resource}/deleted?since=ISO` — tombstones
 * - `POST /api/{resource}/batch` — `{operation: create|update|upsert|delete, items: [...], atomic?, upsert_key?}`
 */
import {
	HttpError,
	OAuthServer,
	RateLimiter,
	SandboxServer,
	SeededRandom,
	Store,
	empty,
	json,
	numericIdGenerator,
	principalOf,
	seedCounts,
	systemClock,
	windowRule,
	type Clock,
	type Collection,
	type FaultInjector,
	type LatencySetting,
	type RequestLog,
	type SandboxRequest,
	type StoredRecord,
	type WindowLimiter,
} from '../kit';
import {
	PAGING_STYLES,
	paginate,
	parsePagingStyle,
	type PageSizeLimits,
	type PagingStyle,
} from './paging';
import {
	alreadyAuthenticated,
	basicAuthMiddleware,
	DEFAULT_REST_BASIC,
	DEFAULT_REST_BEARER_TOKEN,
	REST_API_KEY_QUERY_PARAM,
	staticTokenMiddleware,
} from './auth';
import { DEFAULT_RESOURCES, validateFields, type FieldError, type ResourceDef } from './schema';
import { seedCompany, seedContact } from './seed';

/** What a client needs to talk to the REST simulator. */
export interface RestContract {
	/** API root, e.g. `http://127.0.0.1:4003/api` (resources are `{baseUrl}/contacts`, …). */
	baseUrl: string;
	/** Send as `X-API-Key` (or as the `api_key` query parameter). */
	apiKey: string;
	/** HTTP Basic user. */
	username: string;
	password: string;
	/** A static bearer token (`Authorization: Bearer …`) that never expires. */
	bearerToken: string;
	/** OAuth2 client-credentials token endpoint (alternative to the API key). */
	tokenUrl: string;
	clientId: string;
	clientSecret: string;
}

/** Batch behaviour when an item is invalid. */
export type BatchMode = 'per-item' | 'atomic';

/** Options for {@link RestSimulator}. */
export interface RestSimulatorOptions {
	/** 0 (default) = random free port. */
	port?: number;
	clock?: Clock;
	/** Seed for sample data, latency jitter and fault probabilities (default 1). */
	seed?: number;
	apiKey?: string;
	/** HTTP Basic user (default {@link DEFAULT_REST_BASIC}). */
	basic?: { username: string; password: string };
	/** Static bearer token (default {@link DEFAULT_REST_BEARER_TOKEN}). */
	bearerToken?: string;
	clientId?: string;
	clientSecret?: string;
	/** Access token lifetime (default 3600 s). */
	tokenTtlSeconds?: number;
	/** Sample records to create at construction. */
	records?: { contacts?: number; companies?: number };
	/** Requests per window per credential (default 100 per 1000 ms); `false` disables. */
	rateLimit?: { limit: number; windowMs: number } | false;
	/** Default paging style per resource (default contacts: cursor, companies: offset, others cursor). */
	paging?: Record<string, PagingStyle>;
	pageSize?: Partial<PageSizeLimits>;
	/** `per-item` (default): 200/207 with a result per item; `atomic`: one bad item fails the batch with 400. */
	batchMode?: BatchMode;
	/** Maximum items per batch call (default 100). */
	maxBatchSize?: number;
	latency?: LatencySetting;
	resources?: readonly ResourceDef[];
	/** See {@link StoreOptions.strictTimestamps} (default true). */
	strictTimestamps?: boolean;
}

/** The default API key of the REST simulator. */
export const DEFAULT_REST_API_KEY = 'sandbox-rest-api-key';

type BatchOperation = 'create' | 'update' | 'upsert' | 'delete';

interface ItemFailureResult {
	index: number;
	status: number;
	error: { code: string; message: string; errors?: Array<FieldError & { existing_id?: string }> };
}

type ItemPlan =
	| {
			ok: true;
			index: number;
			apply: () => { status: number; record?: StoredRecord; created?: boolean; id: string };
	  }
	| ({ ok: false } & ItemFailureResult);

/** The generic REST simulator. */
export class RestSimulator {
	readonly server: SandboxServer;
	readonly store: Store;
	readonly oauth: OAuthServer;
	readonly rateLimiter: RateLimiter;
	readonly clock: Clock;
	readonly apiKey: string;
	readonly basic: { username: string; password: string };
	readonly bearerToken: string;
	readonly clientId: string;
	readonly clientSecret: string;
	private readonly resources = new Map<string, ResourceDef>();
	private readonly collections = new Map<string, Collection>();
	private readonly paging = new Map<string, PagingStyle>();
	private readonly pageLimits: PageSizeLimits;
	private batchMode: BatchMode;
	private readonly maxBatchSize: number;
	private readonly rng: SeededRandom;
	private rateRule?: ReturnType<typeof windowRule>;

	constructor(options: RestSimulatorOptions = {}) {
		this.clock = options.clock ?? systemClock;
		this.apiKey = options.apiKey ?? DEFAULT_REST_API_KEY;
		this.basic = options.basic ?? DEFAULT_REST_BASIC;
		this.bearerToken = options.bearerToken ?? DEFAULT_REST_BEARER_TOKEN;
		this.clientId = options.clientId ?? 'sandbox-rest-client';
		this.clientSecret = options.clientSecret ?? 'sandbox-rest-secret';
		this.rng = new SeededRandom(options.seed ?? 1);
		this.pageLimits = {
			defaultSize: options.pageSize?.defaultSize ?? 25,
			maxSize: options.pageSize?.maxSize ?? 100,
		};
		this.batchMode = options.batchMode ?? 'per-item';
		this.maxBatchSize = options.maxBatchSize ?? 100;
		this.store = new Store({ clock: this.clock, strictTimestamps: options.strictTimestamps });
		for (const r of options.resources ?? DEFAULT_RESOURCES) {
			this.resources.set(r.name, r);
			this.collections.set(
				r.name,
				this.store.collection(r.name, { idGenerator: numericIdGenerator(1) }),
			);
			this.paging.set(
				r.name,
				options.paging?.[r.name] ?? (r.name === 'companies' ? 'offset' : 'cursor'),
			);
		}
		this.server = new SandboxServer({
			name: 'rest',
			port: options.port,
			clock: this.clock,
			seed: options.seed,
			latency: options.latency,
		});
		this.oauth = new OAuthServer({
			clock: this.clock,
			clients: [
				{
					clientId: this.clientId,
					clientSecret: this.clientSecret,
					grants: ['client_credentials'],
					subject: `client:${this.clientId}`,
				},
			],
			accessTokenTtlSeconds: options.tokenTtlSeconds ?? 3600,
			apiKeys: {
				keys: { [this.apiKey]: 'api-key' },
				header: 'X-API-Key',
				queryParam: REST_API_KEY_QUERY_PARAM,
			},
		});

		this.oauth.attachFaults(this.server.faults);
		this.rateLimiter = new RateLimiter({ clock: this.clock });
		this.setRateLimit(options.rateLimit ?? { limit: 100, windowMs: 1000 });
		this.server.use(basicAuthMiddleware(this.basic));
		this.server.use(staticTokenMiddleware(this.bearerToken));
		this.server.use(
			this.oauth.middleware({ skip: (req) => req.kind === 'token' || alreadyAuthenticated(req) }),
		);
		this.server.use(this.rateLimiter.middleware());
		this.installRoutes();
		this.installAdmin();
		if (options.records) this.seed(options.records);
	}

	/** The request log. */
	get log(): RequestLog {
		return this.server.log;
	}

	/** Fault injection. */
	get faults(): FaultInjector {
		return this.server.faults;
	}

	/** Starts the server and returns the contract. */
	async start(): Promise<RestContract> {
		await this.server.start();
		return this.contract();
	}

	/** Stops the server (closing keep-alive connections). */
	stop(): Promise<void> {
		return this.server.stop();
	}

	/** The contract (after `start`). */
	contract(): RestContract {
		const url = this.server.url;
		return {
			baseUrl: `${url}/api`,
			apiKey: this.apiKey,
			username: this.basic.username,
			password: this.basic.password,
			bearerToken: this.bearerToken,
			tokenUrl: `${url}/oauth/token`,
			clientId: this.clientId,
			clientSecret: this.clientSecret,
		};
	}

	/** The collection behind a resource. */
	collection(resource: string): Collection {
		const c = this.collections.get(resource);
		if (!c) throw new Error(`Unknown resource ${resource}`);
		return c;
	}

	/** Creates sample records deterministically (companies first, contacts linked to them). */
	seed(counts: { contacts?: number; companies?: number }): { contacts: number; companies: number } {
		const companies = this.collections.get('companies');
		const contacts = this.collections.get('contacts');
		const companyIds: string[] = companies ? companies.list().map((r) => r.id) : [];
		const nCompanies = companies ? (counts.companies ?? 0) : 0;
		const nContacts = contacts ? (counts.contacts ?? 0) : 0;
		const companyBase = companies?.count({ includeDeleted: true }) ?? 0;
		for (let i = 0; i < nCompanies; i++)
			companyIds.push(companies!.create(seedCompany(this.rng, companyBase + i)).id);
		const contactBase = contacts?.count({ includeDeleted: true }) ?? 0;
		for (let i = 0; i < nContacts; i++)
			contacts!.create(seedContact(this.rng, contactBase + i, companyIds));
		return { contacts: nContacts, companies: nCompanies };
	}

	/** Sets the rate limit (per credential), or disables it with `false`. Counts restart. */
	setRateLimit(limit: { limit: number; windowMs: number } | false): void {
		if (limit === false) {
			this.rateLimiter.removeRule('rest');
			this.rateRule = undefined;
			return;
		}
		this.rateRule = windowRule({
			name: 'rest',
			limit: limit.limit,
			windowMs: limit.windowMs,
			mode: 'fixed',
			clock: this.clock,
			key: (req) => principalOf(req)?.subject ?? 'anonymous',
			headers: 'x-ratelimit',
			resetStyle: 'epoch-seconds',
		});
		this.rateLimiter.setRule(this.rateRule);
	}

	/** The current rate limit, or false. */
	getRateLimit(): { limit: number; windowMs: number } | false {
		if (!this.rateRule) return false;
		const s = (this.rateRule.limiter as WindowLimiter).settings;
		return { limit: s.limit, windowMs: s.windowMs };
	}

	setBatchMode(mode: BatchMode): void {
		this.batchMode = mode;
	}

	getBatchMode(): BatchMode {
		return this.batchMode;
	}

	/** Sets a resource's default paging style. */
	setPaging(resource: string, style: PagingStyle): void {
		this.collection(resource);
		this.paging.set(resource, style);
	}

	/** Clears records, the log, faults and rate-limit counts. */
	reset(): void {
		this.store.clear();
		this.server.log.reset();
		this.server.faults.clearFaults();
		this.rateLimiter.reset();
	}

	// ---- routes ------------------------------------------------------------------------------------

	private resource(req: SandboxRequest): { def: ResourceDef; collection: Collection } {
		const name = req.params.resource;
		const def = this.resources.get(name);
		const collection = this.collections.get(name);
		if (!def || !collection) throw new HttpError(404, `Unknown resource ${name}`, 'not_found');
		return { def, collection };
	}

	private toJson = (r: StoredRecord): Record<string, unknown> => ({
		id: r.id,
		...r.fields,
		created_at: new Date(r.createdAt).toISOString(),
		updated_at: new Date(r.updatedAt).toISOString(),
	});

	private async jsonBody(req: SandboxRequest): Promise<unknown> {
		const type = req.contentType;
		if (type !== 'application/json' && !type.endsWith('+json')) {
			throw new HttpError(415, 'Content-Type must be application/json', 'unsupported_media_type');
		}
		return req.json();
	}

	private installRoutes(): void {
		const s = this.server;
		s.post('/oauth/token', this.oauth.tokenHandler, { kind: 'token' });
		s.get(
			'/api/me',
			(req) => {
				const p = principalOf(req);
				return json({ subject: p?.subject, auth: p?.via, client_id: p?.clientId ?? null });
			},
			{ kind: 'me' },
		);

		s.get('/api/:resource', (req) => this.list(req), { kind: 'list' });
		s.post('/api/:resource', (req) => this.create(req), { kind: 'create' });
		s.post('/api/:resource/batch', (req) => this.batch(req), { kind: 'batch' });
		s.get('/api/:resource/deleted', (req) => this.deleted(req), { kind: 'deleted' });
		s.get(
			'/api/:resource/:id',
			(req) => {
				const { def, collection } = this.resource(req);
				return json(this.toJson(this.mustGet(def, collection, req.params.id)));
			},
			{ kind: 'get' },
		);
		s.patch('/api/:resource/:id', (req) => this.update(req, true), { kind: 'update' });
		s.put('/api/:resource/:id', (req) => this.update(req, false), { kind: 'replace' });
		s.delete(
			'/api/:resource/:id',
			(req) => {
				const { def, collection } = this.resource(req);
				this.mustGet(def, collection, req.params.id);
				collection.delete(req.params.id);
				return empty(204);
			},
			{ kind: 'delete' },
		);
	}

	private mustGet(def: ResourceDef, collection: Collection, id: string): StoredRecord {
		const r = collection.get(id);
		if (!r) throw new HttpError(404, `No ${def.name} record with id ${id}`, 'not_found');
		return r;
	}

	private timeParam(req: SandboxRequest, name: string): number | undefined {
		const raw = req.query.get(name);
		if (raw === null || raw === '') return undefined;
		const t = Date.parse(raw);
		if (Number.isNaN(t)) {
			throw new HttpError(400, `${name} must be an ISO 8601 date-time`, 'invalid_parameter', {
				errors: [
					{ field: name, code: 'invalid_format', message: `${name} must be an ISO 8601 date-time` },
				],
			});
		}
		return t;
	}

	private list(req: SandboxRequest) {
		const { def, collection } = this.resource(req);
		const styleParam = req.query.get('paging');
		const style =
			styleParam !== null ? parsePagingStyle(styleParam) : (this.paging.get(def.name) ?? 'cursor');
		const since = this.timeParam(req, 'updated_since');
		const sort = req.query.get('sort') ?? 'created_at';
		if (sort !== 'created_at' && sort !== 'updated_at') {
			throw new HttpError(400, 'sort must be created_at or updated_at', 'invalid_parameter', {
				errors: [
					{
						field: 'sort',
						code: 'invalid_value',
						message: 'sort must be created_at or updated_at',
					},
				],
			});
		}
		const match = this.fieldFilter(def, req);
		let items = collection.list({
			filter: (r) => (since === undefined || r.updatedAt >= since) && match(r),
		});
		const keyOf =
			sort === 'updated_at'
				? (r: StoredRecord) => [r.updatedAt, r.position]
				: (r: StoredRecord) => [r.position];
		if (sort === 'updated_at')
			items = [...items].sort((a, b) => a.updatedAt - b.updatedAt || a.position - b.position);
		return paginate(style, req, { items, keyOf, toJson: this.toJson, sort }, this.pageLimits);
	}

	/** `?filter[field]=value` (repeated: any of the values); unique fields match case-insensitively. */
	private fieldFilter(def: ResourceDef, req: SandboxRequest): (r: StoredRecord) => boolean {
		const wanted = new Map<string, Set<string>>();
		for (const [name, value] of req.query.entries()) {
			const field = /^filter\[(.+)\]$/.exec(name)?.[1];
			if (field === undefined) continue;
			if (field !== 'id' && !def.fields[field])
				throw new HttpError(400, `${field} is not a field of ${def.name}`, 'invalid_parameter', {
					errors: [{ field: name, code: 'unknown_field', message: `${field} is not a field` }],
				});
			const fold = def.fields[field]?.unique === true;
			const set = wanted.get(field) ?? new Set<string>();
			set.add(fold ? value.toLowerCase() : value);
			wanted.set(field, set);
		}
		return (r) =>
			[...wanted].every(([field, values]) => {
				const raw = field === 'id' ? r.id : r.fields[field];
				if (raw === undefined || raw === null) return false;
				const text = String(raw);
				return values.has(def.fields[field]?.unique === true ? text.toLowerCase() : text);
			});
	}

	private deleted(req: SandboxRequest) {
		const { collection } = this.resource(req);
		const since = this.timeParam(req, 'since');
		const data = collection
			.deletedIds({ since })
			.map((d) => ({ id: d.id, deleted_at: new Date(d.deletedAt).toISOString() }));
		return json({ data });
	}

	private async create(req: SandboxRequest) {
		const { def, collection } = this.resource(req);
		const body = await this.jsonBody(req);
		const plan = this.planItem(def, collection, 'create', body, 0, new Map(), undefined);
		if (!plan.ok) throw this.itemError(plan);
		const result = plan.apply();
		return json(this.toJson(result.record!), 201, {
			Location: `${req.baseUrl}/api/${def.name}/${result.id}`,
		});
	}

	private async update(req: SandboxRequest, partial: boolean) {
		const { def, collection } = this.resource(req);
		this.mustGet(def, collection, req.params.id);
		const body = await this.jsonBody(req);
		const input =
			typeof body === 'object' && body !== null && !Array.isArray(body)
				? { ...(body as object), id: req.params.id }
				: body;
		const plan = this.planItem(
			def,
			collection,
			partial ? 'update' : 'replace',
			input,
			0,
			new Map(),
			undefined,
		);
		if (!plan.ok) throw this.itemError(plan);
		return json(this.toJson(plan.apply().record!));
	}

	private itemError(f: ItemFailureResult): HttpError {
		const first = f.error.errors?.[0];
		const message = first
			? `${f.error.code === 'conflict' ? 'Conflict' : 'Validation failed'}: ${first.message}`
			: f.error.message;
		return new HttpError(
			f.status,
			message,
			f.error.code,
			f.error.errors ? { errors: f.error.errors } : undefined,
		);
	}

	/**
	 * Checks one item and returns how to apply it. `claims` tracks unique values and ids taken by earlier
	 * items of the same batch, so a batch is judged as if applied in order.
	 */
	private planItem(
		def: ResourceDef,
		collection: Collection,
		op: BatchOperation | 'replace',
		item: unknown,
		index: number,
		claims: Map<string, string>,
		upsertKey: string | undefined,
	): ItemPlan {
		const fail = (
			status: number,
			code: string,
			message: string,
			errors?: ItemFailureResult['error']['errors'],
		): ItemPlan => ({
			ok: false,
			index,
			status,
			error: { code, message, ...(errors ? { errors } : {}) },
		});
		if (typeof item !== 'object' || item === null || Array.isArray(item)) {
			return fail(400, 'validation_failed', 'The item must be a JSON object', [
				{ field: '(item)', code: 'invalid_type', message: 'The item must be a JSON object' },
			]);
		}
		const obj = item as Record<string, unknown>;
		let targetId: string | undefined;
		let mode: 'create' | 'patch' | 'replace' | 'delete';
		if (op === 'create') mode = 'create';
		else if (op === 'upsert') {
			const key = upsertKey as string;
			const value = obj[key];
			if (value === undefined || value === null || value === '') {
				return fail(400, 'validation_failed', `${key} is required to upsert`, [
					{ field: key, code: 'required', message: `${key} is required to upsert` },
				]);
			}
			const existing =
				key === 'id'
					? collection.get(String(value))
					: collection.findBy(key, value, { caseInsensitive: true })[0];
			targetId = existing?.id;
			if (key === 'id' && !existing)
				return fail(404, 'not_found', `No ${def.name} record with id ${String(value)}`);
			mode = existing ? 'patch' : 'create';
		} else {
			if (typeof obj.id !== 'string' && typeof obj.id !== 'number') {
				return fail(400, 'validation_failed', 'id is required', [
					{ field: 'id', code: 'required', message: 'id is required' },
				]);
			}
			targetId = String(obj.id);
			if (!collection.get(targetId))
				return fail(404, 'not_found', `No ${def.name} record with id ${targetId}`);
			mode = op === 'delete' ? 'delete' : op === 'replace' ? 'replace' : 'patch';
		}
		if (targetId !== undefined) {
			const claimKey = `#id:${targetId}`;
			if (claims.has(claimKey))
				return fail(
					400,
					'duplicate_in_batch',
					`Record ${targetId} appears more than once in the batch`,
				);
			claims.set(claimKey, targetId);
		}
		if (mode === 'delete') {
			const id = targetId as string;
			return { ok: true, index, apply: () => (collection.delete(id), { status: 204, id }) };
		}
		const { fields, errors } = validateFields(def, obj, { partial: mode === 'patch' });
		if (errors.length > 0) return fail(400, 'validation_failed', errors[0].message, errors);
		const conflicts: Array<FieldError & { existing_id?: string }> = [];
		const newClaims: Array<[string, string]> = [];
		for (const [name, fd] of Object.entries(def.fields)) {
			const value = fields[name];
			if (!fd.unique || value === undefined || value === null) continue;
			const norm = `${name}:${typeof value === 'string' ? value.toLowerCase() : String(value)}`;
			const owner = collection
				.findBy(name, value, { caseInsensitive: true })
				.find((r) => r.id !== targetId);
			const claimedBy = claims.get(norm);
			if (owner || (claimedBy !== undefined && claimedBy !== targetId)) {
				conflicts.push({
					field: name,
					code: 'duplicate',
					message: `${name} ${JSON.stringify(value)} is already used${owner ? ` by ${def.name} ${owner.id}` : ' by an earlier item of this batch'}`,
					...(owner ? { existing_id: owner.id } : {}),
				});
			} else newClaims.push([norm, targetId ?? `#new:${index}`]);
		}
		if (conflicts.length > 0) return fail(409, 'conflict', conflicts[0].message, conflicts);
		for (const [k, v] of newClaims) claims.set(k, v);
		if (mode === 'create') {
			return {
				ok: true,
				index,
				apply: () => {
					const record = collection.create(fields);
					return { status: 201, record, id: record.id, created: true };
				},
			};
		}
		const id = targetId as string;
		return {
			ok: true,
			index,
			apply: () => {
				const record = (
					mode === 'replace' ? collection.replace(id, fields) : collection.update(id, fields)
				) as StoredRecord;
				return { status: 200, record, id, created: false };
			},
		};
	}

	private async batch(req: SandboxRequest) {
		const { def, collection } = this.resource(req);
		const body = await this.jsonBody(req);
		const envelope = (
			typeof body === 'object' && body !== null && !Array.isArray(body) ? body : {}
		) as Record<string, unknown>;
		const items = Array.isArray(body) ? body : envelope.items;
		if (!Array.isArray(items) || items.length === 0) {
			throw new HttpError(400, 'items must be a non-empty array', 'validation_failed', {
				errors: [{ field: 'items', code: 'required', message: 'items must be a non-empty array' }],
			});
		}
		if (items.length > this.maxBatchSize) {
			throw new HttpError(
				400,
				`A batch holds at most ${this.maxBatchSize} items (got ${items.length})`,
				'batch_too_large',
				{
					errors: [
						{ field: 'items', code: 'too_long', message: `at most ${this.maxBatchSize} items` },
					],
				},
			);
		}
		const op = (envelope.operation ?? 'create') as BatchOperation;
		if (!['create', 'update', 'upsert', 'delete'].includes(op)) {
			throw new HttpError(
				400,
				'operation must be create, update, upsert or delete',
				'validation_failed',
				{
					errors: [
						{
							field: 'operation',
							code: 'invalid_value',
							message: 'operation must be create, update, upsert or delete',
						},
					],
				},
			);
		}
		const upsertKey = (envelope.upsert_key ?? req.query.get('upsert_key') ?? undefined) as
			| string
			| undefined;
		if (
			op === 'upsert' &&
			(upsertKey === undefined || (upsertKey !== 'id' && !def.fields[upsertKey]?.unique))
		) {
			const uniques = Object.entries(def.fields)
				.filter(([, f]) => f.unique)
				.map(([n]) => n);
			throw new HttpError(
				400,
				`upsert_key must be id or a unique field (${uniques.join(', ')})`,
				'validation_failed',
				{
					errors: [
						{
							field: 'upsert_key',
							code: 'invalid_value',
							message: `upsert_key must be id or one of ${uniques.join(', ')}`,
						},
					],
				},
			);
		}
		const atomicParam = envelope.atomic ?? req.query.get('atomic');
		const atomic =
			atomicParam === undefined || atomicParam === null
				? this.batchMode === 'atomic'
				: atomicParam === true || atomicParam === 'true';
		req.kind = `batch.${op}`;

		const injected = this.server.faults.batchFailures(req, items, (item) => {
			const id = (item as { id?: unknown } | null)?.id;
			return typeof id === 'string' || typeof id === 'number' ? String(id) : undefined;
		});
		const claims = new Map<string, string>();
		const plans = items.map((item, index): ItemPlan => {
			const failure = injected.get(index);
			if (failure)
				return {
					ok: false,
					index,
					status: failure.status,
					error: { code: failure.code, message: failure.message },
				};
			return this.planItem(def, collection, op, item, index, claims, upsertKey);
		});
		const failures = plans.filter((p): p is { ok: false } & ItemFailureResult => !p.ok);
		if (atomic && failures.length > 0) {
			const f = failures[0];
			const status = f.status >= 500 ? f.status : 400;
			return json(
				{
					error:
						f.error.code === 'INJECTED_FAILURE' || f.status >= 500
							? f.error.code
							: 'validation_failed',
					message: `Item ${f.index} is invalid: ${f.error.message}. No items were written.`,
					index: f.index,
					errors: f.error.errors
						? f.error.errors.map((e) => ({ index: f.index, ...e }))
						: [{ index: f.index, code: f.error.code, message: f.error.message }],
				},
				status,
			);
		}
		const results = plans.map((p) => {
			if (!p.ok) return { index: p.index, status: p.status, error: p.error };
			const r = p.apply();
			return {
				index: p.index,
				status: r.status,
				id: r.id,
				...(op === 'upsert' ? { created: r.created } : {}),
				...(r.record ? { data: this.toJson(r.record) } : {}),
			};
		});
		const failed = failures.length;
		return json({ results, succeeded: results.length - failed, failed }, failed > 0 ? 207 : 200);
	}

	// ---- admin -------------------------------------------------------------------------------------

	private installAdmin(): void {
		const s = this.server;
		s.admin('GET', '/rate-limit', () => json({ rateLimit: this.getRateLimit() }));
		s.admin('PUT', '/rate-limit', async (req) => {
			const body = await req.json<{ limit?: unknown; windowMs?: unknown; enabled?: unknown }>();
			if (body?.enabled === false) this.setRateLimit(false);
			else if (
				body &&
				Number.isInteger(body.limit) &&
				(body.limit as number) >= 0 &&
				Number.isInteger(body.windowMs) &&
				(body.windowMs as number) > 0
			) {
				this.setRateLimit({ limit: body.limit as number, windowMs: body.windowMs as number });
			} else
				throw new HttpError(
					400,
					'expected {limit, windowMs} (integers) or {enabled:false}',
					'invalid_rate_limit',
				);
			return json({ rateLimit: this.getRateLimit() });
		});
		s.admin('GET', '/batch-mode', () => json({ mode: this.batchMode }));
		s.admin('PUT', '/batch-mode', async (req) => {
			const body = await req.json<{ mode?: unknown }>();
			if (body?.mode !== 'per-item' && body?.mode !== 'atomic')
				throw new HttpError(400, 'mode must be per-item or atomic', 'invalid_mode');
			this.setBatchMode(body.mode);
			return json({ mode: this.batchMode });
		});
		s.admin('PUT', '/paging', async (req) => {
			const body = await req.json<{ resource?: unknown; style?: unknown }>();
			if (typeof body?.resource !== 'string' || !this.resources.has(body.resource))
				throw new HttpError(400, 'unknown resource', 'invalid_resource');
			this.setPaging(body.resource, parsePagingStyle(String(body.style)));
			return json({ paging: Object.fromEntries(this.paging), styles: PAGING_STYLES });
		});
		s.admin('POST', '/seed', async (req) => {
			const counts = seedCounts(await req.json<{ contacts?: unknown; companies?: unknown }>(), [
				'contacts',
				'companies',
			]);
			return json({ created: this.seed(counts) }, 201);
		});
		s.admin('POST', '/reset', () => {
			this.reset();
			return empty();
		});
	}
}
