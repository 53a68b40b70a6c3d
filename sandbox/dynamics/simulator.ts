/**
 * The Dataverse (Dynamics 365) Web API v9.2 simulator (`dynamics` in the sandbox contract). `dynamics-web-api` pointed
 * at it (`serverUrl`, a token from its token endpoint) cannot tell it from Dataverse for: create / retrieve / update /
 * upsert (by id and alternate key, `If-Match` / `If-None-Match`) / delete, ETags, `@odata.bind` lookups, collection
 * reads with `$select` / `$top` / `$count` and server-driven paging, `/$count`, `WhoAmI`, and EntityDefinitions.
 * See dynamics/README.md for what is not simulated (yet).
 *
 * This file is the shell: options, the server, the record store (`data.ts`), record routes (`records.ts`), metadata
 * (`metadata.ts`), auth (`auth.ts`), sample records (`seed.ts`), wire details (`wire.ts`), service protection
 * (`limits.ts`), `$ref` associations (`associations.ts`), actions and functions (`actions.ts`), `$expand`
 * (`expand.ts`, `navigation.ts`) and relationship definitions (`relationships.ts`).
 */
import {
	HttpError,
	SandboxServer,
	SeededRandom,
	Store,
	empty,
	guidGenerator,
	json,
	seedCounts,
	setHeader,
	systemClock,
	type Clock,
	type Collection,
	type FaultInjector,
	type LatencySetting,
	type OAuthServer,
	type RequestLog,
} from '../kit';
import { ActionsApi } from './actions';
import { AssociationsApi } from './associations';
import { DvAuth, type DvIdentity } from './auth';
import { BatchApi } from './batch';
import { ChangeTracker } from './changes';
import { DvData, type Fields } from './data';
import { ServiceProtection, type ServiceProtectionLimits } from './limits';
import { MetadataApi } from './metadata';
import { RecordsApi } from './records';
import { RelationshipsApi } from './relationships';
import { seedRecords, seedUsers } from './seed';
import type { TableDef } from './schema';
import { API_PATH, DV, errorReply } from './wire';

/** What a client needs to talk to the Dataverse simulator. */
export interface DynamicsSimContract {
	/** `serverUrl` of dynamics-web-api; the Web API is under `{serverUrl}/api/data/v9.2/`. */
	serverUrl: string;
	/** `{serverUrl}/api/data/v9.2` (no trailing slash). */
	apiUrl: string;
	/** `POST` form-encoded `grant_type=client_credentials&client_id&client_secret&scope`. */
	tokenUrl: string;
	tenantId: string;
	clientId: string;
	clientSecret: string;
	/** `{serverUrl}/.default`. */
	scope: string;
}

/** Options for {@link DynamicsSimulator}. */
export interface DynamicsSimulatorOptions {
	/** 0 (default) = random free port. */
	port?: number;
	clock?: Clock;
	/** Seed for ids, credentials, sample data, latency jitter and fault probabilities (default 1). */
	seed?: number;
	latency?: LatencySetting;
	/** Days a change tracking delta token stays valid (Dataverse's `ExpireChangeTrackingInDays`, default 7). */
	changeTrackingExpiryDays?: number;
	/** Turns change tracking on or off per table by logical name (`{ new_project: true }`). */
	changeTracking?: Record<string, boolean>;
	/** Sample records created at construction. */
	records?: { accounts?: number; contacts?: number; projects?: number };
	/** Service protection limits per user (default: Dataverse's 6,000 requests / 1,200,000 ms / 52 concurrent per 300 s); `false` = off. */
	serviceProtection?: Partial<ServiceProtectionLimits> | false;
}

/** The Dataverse simulator. */
export class DynamicsSimulator {
	readonly server: SandboxServer;
	readonly store: Store;
	readonly clock: Clock;
	readonly oauth: OAuthServer;
	readonly identity: DvIdentity;
	/** systemuserids of the seeded users (the application user first). */
	readonly userIds: string[];
	readonly records: RecordsApi;
	/** Change tracking: the per-table change log behind delta links. */
	readonly changes: ChangeTracker;
	readonly associations: AssociationsApi;
	/** Service protection limits (limits.ts). */
	readonly protection: ServiceProtection;
	private readonly data: DvData;
	private readonly rng: SeededRandom;
	private seeded = 0;

	constructor(options: DynamicsSimulatorOptions = {}) {
		this.clock = options.clock ?? systemClock;
		const seed = options.seed ?? 1;
		this.rng = new SeededRandom(seed);
		const ids = guidGenerator(seed ^ 0x44_56);
		this.identity = {
			tenantId: ids(),
			clientId: ids(),
			clientSecret: `sandbox~${ids().replace(/-/g, '')}`,
			appUserId: ids(),
			businessUnitId: ids(),
			organizationId: ids(),
		};
		this.store = new Store({ clock: this.clock });
		this.data = new DvData(this.store, this.clock, seed);
		for (const [name, on] of Object.entries(options.changeTracking ?? {})) {
			const t = this.data.byLogical(name);
			if (!t) throw new Error(`no table ${name}`);
			t.changeTracking = on;
		}
		this.changes = new ChangeTracker(this.data, this.store, options.changeTrackingExpiryDays ?? 7);
		this.server = new SandboxServer({
			name: 'dynamics',
			port: options.port,
			clock: this.clock,
			seed,
			latency: options.latency,
			errorReply: (err) => errorReply(this.unrouted(err)),
		});
		// Every Web API answer (401s and injected faults included) says `OData-Version: 4.0`; the token endpoint is Entra's.
		this.server.onResponse((req, reply) => {
			if (req.kind !== 'token') setHeader(reply, 'OData-Version', '4.0');
		});
		const auth = new DvAuth(this.server, this.clock, this.identity);
		this.oauth = auth.oauth;
		this.server.use(auth.middleware());
		// After auth: the limits are per user (the token's subject). Inner `$batch` requests are marked internal.
		this.protection = new ServiceProtection(this.clock, () => this.server.getLatency());
		this.protection.set(options.serviceProtection ?? {});
		this.server.use(this.protection.middleware());
		auth.install(this.server);
		// Before the record routes: `POST /{set}` would otherwise take `$batch` for an entity set.
		new BatchApi(this.server, this.store).install(this.server);
		// Before the record routes: `GET /RelationshipDefinitions` would otherwise match `GET /{set}`.
		const relationships = new RelationshipsApi(this.data);
		relationships.install(this.server);
		new MetadataApi(this.data.tables, relationships.expander).install(this.server);
		// Before the record routes: `GET /RetrieveVersion()` would otherwise match `GET /{set}`.
		new ActionsApi(this.data, () => this.identity.appUserId).install(this.server);
		this.associations = new AssociationsApi(this.data);
		this.associations.install(this.server);
		this.records = new RecordsApi(this.data, () => this.identity.appUserId, this.changes);
		this.records.install(this.server);
		this.userIds = seedUsers(this.data, this.identity.appUserId);
		this.installAdmin();
		if (options.records) this.seed(options.records);
	}

	/** The kit's generic 404 for an unrouted path becomes Dataverse's "Resource not found for the segment". */
	private unrouted(err: HttpError): HttpError {
		if (err.code !== 'not_found') return err;
		const m = /^No route for \S+ (\S+)$/.exec(err.message);
		const path = m?.[1] ?? '';
		const seg = path.startsWith(`${API_PATH}/`)
			? decodeURIComponent(path.slice(API_PATH.length + 1).split(/[/(]/)[0])
			: path;
		return DV.noSegment(seg);
	}

	get log(): RequestLog {
		return this.server.log;
	}

	get faults(): FaultInjector {
		return this.server.faults;
	}

	async start(): Promise<DynamicsSimContract> {
		await this.server.start();
		return this.contract();
	}

	stop(): Promise<void> {
		return this.server.stop();
	}

	contract(): DynamicsSimContract {
		const url = this.server.url;
		return {
			serverUrl: url,
			apiUrl: `${url}${API_PATH}`,
			tenantId: this.identity.tenantId,
			tokenUrl: `${url}/${this.identity.tenantId}/oauth2/v2.0/token`,
			clientId: this.identity.clientId,
			clientSecret: this.identity.clientSecret,
			scope: `${url}/.default`,
		};
	}

	/** The records of a table by logical name (`contact`) — for assertions in tests. */
	collection(logicalName: string): Collection<Fields> {
		const t = this.data.byLogical(logicalName);
		if (!t) throw new Error(`no table ${logicalName}`);
		return this.data.coll(t);
	}

	/** Creates a record directly (not through the API, as another user would in Dataverse): keys checked, stamped. */
	createDirect(logicalName: string, fields: Fields): { id: string } {
		const t = this.table(logicalName);
		return this.data.create(t, { ...fields }, this.identity.appUserId);
	}

	/** Changes a live record directly; its `modifiedon` and version move as an API update's would. */
	updateDirect(logicalName: string, id: string, fields: Fields): void {
		const t = this.table(logicalName);
		const rec = this.data.coll(t).get(id);
		if (!rec) throw new Error(`no ${logicalName} ${id}`);
		this.data.update(t, rec, { ...fields });
	}

	/** Deletes a live record directly (change tracking reports it as an API delete's). */
	deleteDirect(logicalName: string, id: string): void {
		const t = this.table(logicalName);
		const rec = this.data.coll(t).get(id);
		if (!rec) throw new Error(`no ${logicalName} ${id}`);
		this.data.delete(t, rec);
	}

	private table(logicalName: string): TableDef {
		const t = this.data.byLogical(logicalName);
		if (!t) throw new Error(`no table ${logicalName}`);
		return t;
	}

	/** The table definitions. */
	get tables(): readonly TableDef[] {
		return this.data.tables;
	}

	/** Issues an access token directly (as if the client-credentials flow had run), for tests. */
	issueToken(ttlSeconds?: number): string {
		return this.oauth.issue({
			clientId: this.identity.clientId,
			subject: this.identity.appUserId,
			ttlSeconds,
		}).accessToken;
	}

	/** Creates sample records deterministically (accounts, then contacts under some of them, then projects). */
	seed(counts: { accounts?: number; contacts?: number; projects?: number }): void {
		seedRecords(this.data, this.rng, this.identity.appUserId, this.seeded, counts);
		this.seeded += Math.max(counts.accounts ?? 0, counts.contacts ?? 0, counts.projects ?? 0);
	}

	/** Clears records (system users are re-seeded), the log and faults. */
	reset(): void {
		this.store.clear();
		this.changes.clear();
		seedUsers(this.data, this.identity.appUserId, this.userIds);
		this.server.log.reset();
		this.server.faults.clearFaults();
		this.protection.reset();
	}

	private installAdmin(): void {
		const s = this.server;
		this.protection.installAdmin(s, () => this.identity.appUserId);
		s.admin('POST', '/seed', async (req) => {
			const counts = seedCounts(await req.json<Record<string, unknown>>(), [
				'accounts',
				'contacts',
				'projects',
			]);
			this.seed(counts);
			return json({ created: counts }, 201);
		});
		s.admin('POST', '/reset', () => {
			this.reset();
			return empty();
		});
	}
}
