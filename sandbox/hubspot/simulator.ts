/**
 * The HubSpot CRM simulator (`hubspot` in the sandbox contract). Faithful enough that
 * `@hubspot/api-client` pointed at it with `basePath` cannot tell it from HubSpot for: objects (standard
 * and custom) with CRUD, list paging, batch read/create/update/upsert/archive, search, properties and
 * groups, schemas, associations v4, owners, pipelines, forms submissions, OAuth and private-app tokens,
 * and HubSpot's rate limits with their headers and 429 bodies. See sandbox/README.md, "HubSpot".
 *
 * This file is the shell: options, the server, and the services it composes — the record store (`data.ts`,
 * writes planned in `writes.ts`), objects (`objects.ts`), batch (`batch.ts`), search (`searchIndex.ts`),
 * properties (`properties.ts`), custom object schemas (`customObjects.ts`), associations (`associationsApi.ts`),
 * owners and pipelines (`owners.ts`), forms (`forms.ts`), auth (`auth.ts`), rate limits (`rateLimits.ts`),
 * sample records (`seed.ts`).
 */
import {
	SandboxServer,
	SeededRandom,
	Store,
	empty,
	guidGenerator,
	json,
	seedCounts,
	systemClock,
	type Clock,
	type Collection,
	type FaultInjector,
	type LatencySetting,
	type RateLimiter,
	type OAuthServer,
	type RequestLog,
} from '../kit';
import { AssociationStore } from './associations';
import { AssociationsApi } from './associationsApi';
import { HubSpotAuth } from './auth';
import { BatchService, type HubSpotBatchMode, type HubSpotReadResultOrder } from './batch';
import { CustomObjects, type CustomObjectSpec } from './customObjects';
import { HubSpotData, type Fields, type Rec } from './data';
import { LegacyContactsApi } from './legacyContacts';
import { FormsApi, type FormSubmission, type HubSpotForm } from './forms';
import { ObjectsApi } from './objects';
import { OwnersAndPipelines, type HubSpotOwner } from './owners';
import { PropertiesApi } from './properties';
import { DEFAULT_HUBSPOT_RATE_LIMITS, HubSpotLimits, type HubSpotRateLimits } from './rateLimits';
import { standardObjectTypes, type ObjectTypeDef } from './schema';
import type { SearchLimits } from './search';
import { SearchIndex } from './searchIndex';
import { seedRecords } from './seed';
import { errorBody, faultReplies } from './wire';

export { DEFAULT_HUBSPOT_RATE_LIMITS, type HubSpotRateLimits } from './rateLimits';
export type { HubSpotBatchMode, HubSpotReadResultOrder } from './batch';
export type { HubSpotOwner, Pipeline, PipelineStage } from './owners';
export type { FormField, FormSubmission, HubSpotForm } from './forms';
export { hubspotError } from './wire';

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
	readonly owners: HubSpotOwner[];
	readonly forms: HubSpotForm[];
	readonly submissions: FormSubmission[];
	private readonly data: HubSpotData;
	private readonly search: SearchIndex;
	private readonly batch: BatchService;
	private readonly auth: HubSpotAuth;
	private readonly limits: HubSpotLimits;
	private readonly ownersAndPipelines: OwnersAndPipelines;
	private readonly formsApi: FormsApi;
	private readonly customObjects: CustomObjects;
	private readonly rng: SeededRandom;
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
		this.store = new Store({ clock: this.clock, strictTimestamps: options.strictTimestamps });
		this.data = new HubSpotData(this.store, this.associations);
		this.search = new SearchIndex(this.store, this.clock, this.data, options.searchLimits);
		for (const def of standardObjectTypes(this.clock.now())) this.data.addType(def);

		this.server = new SandboxServer({
			name: 'hubspot',
			port: options.port,
			clock: this.clock,
			seed,
			latency: options.latency,
			errorReply: (err) => errorBody(err),
		});
		this.batch = new BatchService(
			this.server,
			this.clock,
			this.data,
			options.maxBatchSize ?? 100,
			options.batchMode ?? 'atomic',
			options.readResultOrder ?? 'request',
		);
		this.server.faults.setReplies(
			faultReplies(this.privateAppId, (remaining) => this.limits.tenSecondlyHeaders(remaining)),
		);

		this.auth = new HubSpotAuth(
			this.server,
			this.clock,
			{
				portalId: this.portalId,
				accessToken: this.accessToken,
				clientId: this.clientId,
				clientSecret: this.clientSecret,
				privateAppId: this.privateAppId,
				oauthAppId: this.oauthAppId,
			},
			options.accessTokenTtlSeconds,
		);
		this.oauth = this.auth.oauth;
		this.limits = new HubSpotLimits(this.clock, this.portalId, this.oauthAppId);
		this.rateLimiter = this.limits.rateLimiter;
		this.setRateLimits(
			options.rateLimits === false
				? false
				: { ...DEFAULT_HUBSPOT_RATE_LIMITS, ...options.rateLimits },
		);
		this.server.use(this.auth.middleware());
		this.server.use(this.rateLimiter.middleware());
		this.setSearchIndexDelay(options.searchIndexDelayMs ?? 0);

		this.ownersAndPipelines = new OwnersAndPipelines(this.data, this.clock);
		this.owners = this.ownersAndPipelines.owners;
		this.formsApi = new FormsApi(this.data, this.clock, this.portalId);
		this.forms = this.formsApi.forms;
		this.submissions = this.formsApi.submissions;
		this.customObjects = new CustomObjects(this.data, this.clock, this.portalId, (def) =>
			this.ownersAndPipelines.attachDynamicOptions(def),
		);
		this.ownersAndPipelines.seed();
		this.formsApi.seed();
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
		this.limits.set(limits);
	}

	/** The current rate limits, or false. */
	getRateLimits(): HubSpotRateLimits | false {
		return this.limits.get();
	}

	setBatchMode(mode: HubSpotBatchMode): void {
		this.batch.mode = mode;
	}

	getBatchMode(): HubSpotBatchMode {
		return this.batch.mode;
	}

	/** Answers batch reads (objects and associations) in request order or reversed (HubSpot promises no order). */
	setReadResultOrder(order: HubSpotReadResultOrder): void {
		this.batch.readResultOrder = order;
	}

	/**
	 * Answers the next `count` batch writes that return records (create, update, upsert) with their results and errors
	 * in reverse input order (reads: {@link setReadResultOrder}). HubSpot documents no order for batch results (clients
	 * match them by `objectWriteTraceId` or key); this makes a test see an order other than the request's.
	 */
	answerBatchesInReverse(count = 1): void {
		this.batch.reversedBatches = Math.max(0, Math.floor(count));
	}

	/**
	 * Sets how long writes take to become searchable (clock ms; 0 = at once). Records written so far count as
	 * indexed; later writes reach search `ms` after they were made.
	 */
	setSearchIndexDelay(ms: number): void {
		this.search.setDelay(ms);
	}

	setSearchLimits(limits: Partial<SearchLimits>): void {
		this.search.setLimits(limits);
	}

	/** Issues an OAuth access token directly (as if the code flow had run), for tests. */
	issueOAuthToken(ttlSeconds?: number): string {
		return this.auth.issueOAuthToken(ttlSeconds);
	}

	/** Clears records, associations, submissions, the log, faults, rate-limit counts and reversed batch answers (custom objects and properties stay). */
	reset(): void {
		this.store.clear();
		this.batch.reversedBatches = 0;
		this.data.clearUnique();
		this.associations.clearLinks();
		this.submissions.length = 0;
		this.search.clear();
		this.server.log.reset();
		this.server.faults.clearFaults();
		this.rateLimiter.reset();
	}

	// ---- object types and test set-up --------------------------------------------------------------------

	/** The object type for a path segment (`contacts`, `contact`, `0-1`, `p123_cars`, `2-…`), if any. */
	objectType(name: string): ObjectTypeDef | undefined {
		return this.data.objectType(name);
	}

	/** The records of an object type. */
	collection(typeName: string): Collection<Fields> {
		return this.data.coll(this.data.mustType(typeName));
	}

	/**
	 * Test set-up behind the API's back (no request, no validation): creates a record with these property values,
	 * keeping the unique-value index (so reads and upserts by `email` find it). Its id.
	 */
	insertDirect(typeName: string, fields: Record<string, string | null>): string {
		return this.data.insert(this.data.mustType(typeName), fields).id;
	}

	/** Test set-up: changes a live record's values (its last-modified time moves to the clock's now). */
	updateDirect(typeName: string, id: string, fields: Record<string, string | null>): void {
		const def = this.data.mustType(typeName);
		if (!this.data.coll(def).get(id)) throw new Error(`no live ${def.name} record ${id}`);
		this.data.patch(def, id, fields);
	}

	/** Test set-up: archives (deletes) a record as the UI would; false when there is no live record with that id. */
	archiveDirect(typeName: string, id: string): boolean {
		return this.data.archiveRecord(this.data.mustType(typeName), id);
	}

	/** The live record holding a unique value, if any. */
	findByUnique(def: ObjectTypeDef, prop: string, value: string): Rec | undefined {
		return this.data.findByUnique(def, prop, value);
	}

	/** Defines a custom object (what `POST /crm/v3/schemas` does). */
	defineCustomObject(body: CustomObjectSpec): ObjectTypeDef {
		return this.customObjects.define(body);
	}

	/** Creates sample records deterministically (companies, then contacts and deals associated to them). */
	seed(counts: { contacts?: number; companies?: number; deals?: number }): {
		contacts: number;
		companies: number;
		deals: number;
	} {
		seedRecords(this.data, this.rng, this.seeded, counts);
		this.seeded += Math.max(counts.contacts ?? 0, counts.companies ?? 0, counts.deals ?? 0);
		return {
			contacts: counts.contacts ?? 0,
			companies: counts.companies ?? 0,
			deals: counts.deals ?? 0,
		};
	}

	// ---- routes --------------------------------------------------------------------------------------------

	/** Registers every route, in this order (the first matching route answers; 405 `Allow` lists follow it). */
	private installRoutes(): void {
		const s = this.server;
		this.auth.install(s);
		this.limits.installAccountInfo(s);
		new ObjectsApi(this.data, this.search, this.batch).install(s);
		new LegacyContactsApi(this.data).install(s);
		new PropertiesApi(this.data, this.clock).install(s);
		this.customObjects.install(s);
		new AssociationsApi(this.data, this.clock, this.batch).install(s);
		this.ownersAndPipelines.install(s);
		this.formsApi.install(s);
	}

	private installAdmin(): void {
		const s = this.server;
		this.limits.installAdmin(s);
		this.batch.installAdmin(s);
		this.search.installAdmin(s);
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
