/**
 * The HubSpot connector: every CRM call the nodes make, on the core's `HttpClient` (retry policy, per-credential
 * rate budgets, error taxonomy) over `@hubspot/api-client` (see `transport.ts`), with HubSpot's batch endpoints
 * for writes (≤100 inputs per call, every input its own result) and streamed reads.
 */
import { BATCH_CODES, type BatchItemError, type ItemOutcome } from '../../batching/types';
import {
	type BatchRunResult,
	runBatches,
	type RunBatchesOptions,
} from '../../batching/run-batches';
import { type ClassifyHook, HttpClient, type HttpLogger } from '../../http/client';
import { CrmError, isCrmError } from '../../http/errors';
import { fingerprint } from '../../http/auth/types';
import { getRateBudget, type RateBudget } from '../../http/rateLimiter';
import type { RetryOptions } from '../../http/retry';
import type { HttpRequest, Transport } from '../../http/types';
import { type ChangeCursor, type ChangesOptions, readChanges } from './changes';
import { hubspotDialect, hubspotRateHeaders } from './dialect';
import { hubspotClassifier } from './errors';
import {
	type CreateSettlement,
	isAnswerLost,
	lostRepeatableOutcome,
	MAX_LOST_CREATE_ROUNDS,
	settledOutcome,
	settleLostCreates,
	uniqueKeyOf,
} from './settle';
import { HUBSPOT_API_URL, HubSpotApiClientTransport } from './transport';
import type {
	HubSpotAssociatedRecord,
	HubSpotAssociationLabel,
	HubSpotBatchResponse,
	HubSpotErrorBody,
	HubSpotFilterGroup,
	HubSpotObject,
	HubSpotOwner,
	HubSpotPage,
	HubSpotPipeline,
	HubSpotProperty,
	HubSpotSchema,
	HubSpotSearchRequest,
	HubSpotSort,
} from './types';

/** HubSpot's forms submission host. */
export const HUBSPOT_FORMS_URL = 'https://api.hsforms.com';
/** HubSpot's batch size limit. */
export const HUBSPOT_BATCH_LIMIT = 100;
/** HubSpot's search page size limit. */
export const HUBSPOT_SEARCH_PAGE_LIMIT = 200;
/** HubSpot's search ceiling: no result past this position. */
export const HUBSPOT_SEARCH_CEILING = 10_000;
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

/** An object type the account has: standard or custom. */
export interface HubSpotObjectType {
	/** What the API paths take: `contacts`, `companies`, or a custom object's `p12345_cars` / `2-123456`. */
	name: string;
	label: string;
	objectTypeId?: string;
	custom: boolean;
	primaryDisplayProperty?: string;
}

/** Standard CRM objects every account has. */
export const STANDARD_OBJECT_TYPES: readonly HubSpotObjectType[] = [
	{
		name: 'contacts',
		label: 'Contacts',
		objectTypeId: '0-1',
		custom: false,
		primaryDisplayProperty: 'email',
	},
	{
		name: 'companies',
		label: 'Companies',
		objectTypeId: '0-2',
		custom: false,
		primaryDisplayProperty: 'name',
	},
	{
		name: 'deals',
		label: 'Deals',
		objectTypeId: '0-3',
		custom: false,
		primaryDisplayProperty: 'dealname',
	},
	{
		name: 'tickets',
		label: 'Tickets',
		objectTypeId: '0-5',
		custom: false,
		primaryDisplayProperty: 'subject',
	},
	{
		name: 'products',
		label: 'Products',
		objectTypeId: '0-7',
		custom: false,
		primaryDisplayProperty: 'name',
	},
	{
		name: 'line_items',
		label: 'Line Items',
		objectTypeId: '0-8',
		custom: false,
		primaryDisplayProperty: 'name',
	},
];

/** Input of a batch create. */
export interface CreateInput {
	properties: Record<string, unknown>;
	associations?: Array<{
		to: { id: string };
		types: Array<{ associationCategory: string; associationTypeId: number }>;
	}>;
}
/** Input of a batch update (by record id, or by a unique property with `idProperty`). */
export interface UpdateInput {
	id: string;
	properties: Record<string, unknown>;
}
/** Input of a batch upsert: `id` is the value of the unique property (e.g. the e-mail address). */
export interface UpsertInput {
	id: string;
	properties: Record<string, unknown>;
}

/** Options of the batch writes. */
export interface BatchWriteOptions {
	/** Unique property identifying records (update/read/upsert): `email`, a custom unique property; default the record id. */
	idProperty?: string;
	/** Properties to return (batch read). */
	properties?: string[];
	signal?: AbortSignal;
}

/** Options of {@link HubSpotConnector.searchAll}. */
export interface SearchAllOptions {
	filterGroups?: HubSpotFilterGroup[];
	query?: string;
	properties?: string[];
	/** Results per request (≤200). Default 200. */
	pageSize?: number;
	/** Stop after this many records. Default: all. */
	limit?: number;
	/** Only records with `hs_object_id` greater than this (resume point). */
	afterId?: string;
	signal?: AbortSignal;
}

export type { ChangeCursor, ChangesOptions } from './changes';
export { lastModifiedProperty } from './changes';

/** Whether records can be matched on a property (update by unique property, upsert): the record id, e-mail of contacts, unique properties. */
export function isUniqueProperty(
	objectType: string,
	property: Pick<HubSpotProperty, 'name' | 'hasUniqueValue'>,
): boolean {
	return (
		property.name === 'hs_object_id' ||
		property.hasUniqueValue === true ||
		((objectType === 'contacts' || objectType === '0-1') && property.name === 'email')
	);
}

/** Converts a property value to the string HubSpot expects (dates as epoch ms or YYYY-MM-DD are passed through). */
export function toHubSpotValue(value: unknown): string | null {
	if (value === null || value === undefined) return null;
	if (value instanceof Date) return String(value.getTime());
	if (typeof value === 'object' && typeof (value as { toMillis?: unknown }).toMillis === 'function')
		return String((value as { toMillis: () => number }).toMillis());
	if (Array.isArray(value)) return value.map((v) => String(v)).join(';');
	if (typeof value === 'object') return JSON.stringify(value);
	return String(value);
}

function toProperties(properties: Record<string, unknown>): Record<string, string | null> {
	const out: Record<string, string | null> = {};
	for (const [key, value] of Object.entries(properties)) {
		if (value === undefined) continue;
		out[key] = toHubSpotValue(value);
	}
	return out;
}

const encode = encodeURIComponent;

/**
 * Why a record id cannot be used: HubSpot record ids are digits; the value of a unique property (`idProperty`) may be
 * anything but empty, `.` or `..` (which a URL would resolve as a path step). Undefined when it is fine.
 */
export function recordIdProblem(id: unknown, idProperty?: string): string | undefined {
	const value = id === undefined || id === null ? '' : String(id).trim();
	if (!idProperty || idProperty === 'hs_object_id') {
		if (value === '') return 'the record ID is empty — give the numeric HubSpot record ID';
		if (!/^\d{1,20}$/.test(value))
			return `"${value.slice(0, 60)}" is not a HubSpot record ID (record IDs are digits, e.g. 51) — give the record's ID, or match on a unique property (e.g. email)`;
		return undefined;
	}
	if (value === '') return `the ${idProperty} is empty — give the ${idProperty} of the record`;
	if (value === '.' || value === '..') return `"${value}" is not a valid ${idProperty}`;
	return undefined;
}

/** A record id (or unique-property value) as one checked, encoded URL path segment. */
function recordPathSegment(id: string, idProperty?: string): string {
	const problem = recordIdProblem(id, idProperty);
	if (problem)
		throw new CrmError(`HubSpot: ${problem}`, { kind: 'validation', crmCode: 'INVALID_ID' });
	return encode(String(id).trim());
}

/** The connector. Create one per node execution; the rate budgets behind it are shared per credential. */
export class HubSpotConnector {
	/** Client for every endpoint except search. */
	readonly http: HttpClient;
	/** Client for the search endpoints (their own per-second budget, inside the 10-second one). */
	readonly searchHttp: HttpClient;
	readonly baseUrl: string;
	private readonly classifier: ClassifyHook;
	private readonly batchConcurrency: number;
	/** Unique properties per object type (for settling lost creates), read once per connector. */
	private readonly uniqueProperties = new Map<string, Promise<string[]>>();

	constructor(options: HubSpotConnectorOptions) {
		this.baseUrl = (options.baseUrl ?? HUBSPOT_API_URL).replace(/\/+$/, '');
		let transport = options.transport;
		if (!transport) {
			if (!options.accessToken) {
				throw new CrmError('HubSpot: no credential — give an access token or a transport', {
					kind: 'authentication',
				});
			}
			transport = new HubSpotApiClientTransport({
				accessToken: options.accessToken,
				baseUrl: this.baseUrl,
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
				return new URL(this.baseUrl).host;
			} catch {
				return this.baseUrl;
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
		this.classifier = hubspotClassifier({ rateLimitBackoffMs: options.rateLimitBackoffMs });
		const retry: RetryOptions = { maxAttempts: 6, maxTotalWaitMs: 120_000, ...options.retry };
		const common = {
			baseUrl: this.baseUrl,
			dialect: hubspotDialect,
			classify: this.classifier,
			logger: options.logger,
			now: options.now,
			retry,
			timeoutMs: options.timeoutMs,
		};
		this.http = new HttpClient({ ...common, transport, rateLimit: general });
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
		this.searchHttp = new HttpClient({ ...common, transport: searchTransport, rateLimit: search });
		this.batchConcurrency = options.batchConcurrency ?? 3;
	}

	/** Requests sent so far by this connector (all attempts, search included). */
	get requestsSent(): number {
		return this.http.requestsSent + this.searchHttp.requestsSent;
	}

	/** Sends one request (relative path) and returns the parsed body. */
	async call<T>(request: HttpRequest & { search?: boolean }): Promise<T> {
		const { search, ...rest } = request;
		return await (search ? this.searchHttp : this.http).json<T>(rest);
	}

	// ---------------------------------------------------------------------------------------------------
	// Account metadata

	/** Standard objects plus the account's custom objects (schemas API). */
	async listObjectTypes(): Promise<HubSpotObjectType[]> {
		const page = await this.call<HubSpotPage<HubSpotSchema>>({
			method: 'GET',
			url: '/crm/v3/schemas',
		});
		const custom = (page.results ?? [])
			.filter((s) => !s.archived)
			.map((s) => ({
				name: s.fullyQualifiedName ?? s.objectTypeId ?? s.name,
				label: s.labels?.plural ?? s.labels?.singular ?? s.name,
				objectTypeId: s.objectTypeId,
				custom: true,
				primaryDisplayProperty: s.primaryDisplayProperty,
			}));
		return [...STANDARD_OBJECT_TYPES, ...custom];
	}

	/** A custom object's schema (its required properties, labels …), by name, fully qualified name or `2-…` id. */
	async getSchema(objectType: string): Promise<HubSpotSchema> {
		return await this.call<HubSpotSchema>({
			method: 'GET',
			url: `/crm/v3/schemas/${encode(objectType)}`,
		});
	}

	/** Property definitions of an object type. */
	async getProperties(
		objectType: string,
		options: { archived?: boolean } = {},
	): Promise<HubSpotProperty[]> {
		const page = await this.call<HubSpotPage<HubSpotProperty>>({
			method: 'GET',
			url: `/crm/v3/properties/${encode(objectType)}`,
			qs: options.archived ? { archived: true } : undefined,
		});
		return page.results ?? [];
	}

	/** One property definition. */
	async getProperty(objectType: string, name: string): Promise<HubSpotProperty> {
		return await this.call<HubSpotProperty>({
			method: 'GET',
			url: `/crm/v3/properties/${encode(objectType)}/${encode(name)}`,
		});
	}

	/** Creates a property. */
	async createProperty(
		objectType: string,
		definition: Partial<HubSpotProperty> &
			Pick<HubSpotProperty, 'name' | 'label' | 'type' | 'fieldType'>,
	): Promise<HubSpotProperty> {
		return await this.call<HubSpotProperty>({
			method: 'POST',
			url: `/crm/v3/properties/${encode(objectType)}`,
			body: {
				groupName: definition.groupName ?? `${objectType.replace(/s$/, '')}information`,
				...definition,
			},
		});
	}

	/** Updates a property definition (label, options, group, …). */
	async updateProperty(
		objectType: string,
		name: string,
		changes: Partial<HubSpotProperty>,
	): Promise<HubSpotProperty> {
		return await this.call<HubSpotProperty>({
			method: 'PATCH',
			url: `/crm/v3/properties/${encode(objectType)}/${encode(name)}`,
			body: changes,
			idempotent: true,
		});
	}

	/** Owners (for dropdowns). */
	async listOwners(): Promise<HubSpotOwner[]> {
		const owners: HubSpotOwner[] = [];
		let after: string | undefined;
		for (let page = 0; page < 1000; page++) {
			const res = await this.call<HubSpotPage<HubSpotOwner>>({
				method: 'GET',
				url: '/crm/v3/owners',
				qs: { limit: 100, after },
			});
			owners.push(...(res.results ?? []));
			const next = res.paging?.next?.after;
			if (!next || next === after) break;
			after = next;
		}
		return owners;
	}

	/** Pipelines and their stages of an object type (deals, tickets). */
	async listPipelines(objectType: string): Promise<HubSpotPipeline[]> {
		const res = await this.call<HubSpotPage<HubSpotPipeline>>({
			method: 'GET',
			url: `/crm/v3/pipelines/${encode(objectType)}`,
		});
		return res.results ?? [];
	}

	// ---------------------------------------------------------------------------------------------------
	// Single records

	/** Creates one record. Not retried after it may have reached HubSpot (creating is not idempotent). */
	async createRecord(objectType: string, input: CreateInput): Promise<HubSpotObject> {
		return await this.call<HubSpotObject>({
			method: 'POST',
			url: `/crm/v3/objects/${encode(objectType)}`,
			body: { properties: toProperties(input.properties), associations: input.associations ?? [] },
		});
	}

	/** Reads one record by id or by a unique property (`idProperty`). */
	async getRecord(
		objectType: string,
		id: string,
		options: {
			properties?: string[];
			idProperty?: string;
			associations?: string[];
			archived?: boolean;
		} = {},
	): Promise<HubSpotObject> {
		return await this.call<HubSpotObject>({
			method: 'GET',
			url: `/crm/v3/objects/${encode(objectType)}/${recordPathSegment(id, options.idProperty)}`,
			qs: {
				properties: options.properties?.length ? options.properties.join(',') : undefined,
				associations: options.associations?.length ? options.associations.join(',') : undefined,
				idProperty: options.idProperty,
				archived: options.archived ? true : undefined,
			},
		});
	}

	/** Updates one record (idempotent: the same values again change nothing). */
	async updateRecord(
		objectType: string,
		id: string,
		properties: Record<string, unknown>,
		options: { idProperty?: string } = {},
	): Promise<HubSpotObject> {
		return await this.call<HubSpotObject>({
			method: 'PATCH',
			url: `/crm/v3/objects/${encode(objectType)}/${recordPathSegment(id, options.idProperty)}`,
			qs: { idProperty: options.idProperty },
			body: { properties: toProperties(properties) },
			idempotent: true,
		});
	}

	/** Archives (deletes) one record. */
	async deleteRecord(objectType: string, id: string): Promise<void> {
		await this.call<unknown>({
			method: 'DELETE',
			url: `/crm/v3/objects/${encode(objectType)}/${recordPathSegment(id)}`,
		});
	}

	/** Every record of a type, page by page (100 per request), streamed. */
	async *listRecords(
		objectType: string,
		options: {
			properties?: string[];
			archived?: boolean;
			limit?: number;
			signal?: AbortSignal;
		} = {},
	): AsyncGenerator<HubSpotObject[]> {
		let after: string | undefined;
		let remaining = options.limit ?? Number.POSITIVE_INFINITY;
		const seen = new Set<string>();
		while (remaining > 0) {
			const page = await this.call<HubSpotPage>({
				method: 'GET',
				url: `/crm/v3/objects/${encode(objectType)}`,
				qs: {
					limit: Math.min(100, remaining),
					after,
					properties: options.properties?.length ? options.properties.join(',') : undefined,
					archived: options.archived ? true : undefined,
				},
				signal: options.signal,
			});
			const results = (page.results ?? []).slice(0, remaining);
			remaining -= results.length;
			if (results.length) yield results;
			const next = page.paging?.next?.after;
			if (!next) return;
			if (seen.has(next)) {
				throw new CrmError(
					`HubSpot returned the paging cursor "${next}" twice while listing ${objectType}: stopped to avoid an endless loop`,
					{ kind: 'fatal' },
				);
			}
			seen.add(next);
			after = next;
		}
	}

	// ---------------------------------------------------------------------------------------------------
	// Batch writes: ≤100 inputs per call, each input its own result

	/** Creates records in batches of 100. A batch HubSpot rejects as a whole is split to isolate the bad inputs. */
	async batchCreate(
		objectType: string,
		inputs: CreateInput[],
		options: BatchWriteOptions = {},
	): Promise<BatchRunResult<HubSpotObject>> {
		return await this.runWrite(objectType, 'create', inputs, options, (input) => ({
			properties: toProperties(input.properties),
			associations: input.associations ?? [],
		}));
	}

	/** Updates records by id (or by `idProperty`) in batches of 100. Duplicate ids in a batch are merged in order. */
	async batchUpdate(
		objectType: string,
		inputs: UpdateInput[],
		options: BatchWriteOptions = {},
	): Promise<BatchRunResult<HubSpotObject>> {
		return await this.runWrite(objectType, 'update', inputs, options, (input) => ({
			id: String(input.id),
			properties: toProperties(input.properties),
			...(options.idProperty ? { idProperty: options.idProperty } : {}),
		}));
	}

	/**
	 * Creates or updates records matched by a unique property (`email`, a custom unique property) in batches of 100.
	 * Safe to retry: running it twice leaves one record per key. Inputs with the same key are merged in order.
	 */
	async batchUpsert(
		objectType: string,
		inputs: UpsertInput[],
		options: BatchWriteOptions & { idProperty: string },
	): Promise<BatchRunResult<HubSpotObject>> {
		if (!options.idProperty) {
			throw new CrmError(
				'HubSpot upsert: name the unique property to match records on (e.g. "email")',
				{ kind: 'validation' },
			);
		}
		return await this.runWrite(objectType, 'upsert', inputs, options, (input) => ({
			id: String(input.id),
			idProperty: options.idProperty,
			properties: toProperties(input.properties),
		}));
	}

	/** Archives (deletes) records by id in batches of 100. */
	async batchArchive(
		objectType: string,
		ids: string[],
		options: BatchWriteOptions = {},
	): Promise<BatchRunResult<HubSpotObject>> {
		return await this.runWrite(
			objectType,
			'archive',
			ids.map((id) => ({ id: String(id), properties: {} })),
			options,
			(input) => ({ id: input.id }),
		);
	}

	/** Reads records by id (or `idProperty`) in batches of 100; a missing record fails alone. */
	async batchRead(
		objectType: string,
		ids: string[],
		options: BatchWriteOptions = {},
	): Promise<BatchRunResult<HubSpotObject>> {
		return await this.runWrite(
			objectType,
			'read',
			ids.map((id) => ({ id: String(id), properties: {} })),
			options,
			(input) => ({ id: input.id }),
		);
	}

	/** Runs `send` over `items` in HubSpot batches of 100, with the connector's concurrency and HubSpot's batch error handling. */
	private async runHubSpotBatches<TIn, TOut>(
		items: TIn[],
		signal: AbortSignal | undefined,
		send: RunBatchesOptions<TIn, TOut>['send'],
	): Promise<BatchRunResult<TOut>> {
		return await runBatches<TIn, TOut>({
			items,
			maxCount: HUBSPOT_BATCH_LIMIT,
			concurrency: this.batchConcurrency,
			signal,
			classifyBatchError: classifyHubSpotBatchError,
			describeError: describeHubSpotError,
			send,
		});
	}

	/** The properties records of a type can be looked up by (contacts: email; any property with `hasUniqueValue`). */
	private async uniquePropertiesOf(objectType: string, needMore: boolean): Promise<string[]> {
		const known = objectType === 'contacts' || objectType === '0-1' ? ['email'] : [];
		if (!needMore && known.length > 0) return known;
		let read = this.uniqueProperties.get(objectType);
		if (!read) {
			read = this.getProperties(objectType).then(
				(props) =>
					props
						.filter(
							(p) => p.name !== 'hs_object_id' && isUniqueProperty(objectType, p) && !p.archived,
						)
						.map((p) => p.name),
				() => [],
			);
			this.uniqueProperties.set(objectType, read);
		}
		return [...new Set([...known, ...(await read)])];
	}

	/** Settles the inputs (wire properties) of a batch create whose answer was lost; see settle.ts. */
	private async settleCreates(
		objectType: string,
		inputs: Array<Record<string, unknown>>,
		firstSentAt: number,
		signal?: AbortSignal,
	): Promise<CreateSettlement[]> {
		let unique = await this.uniquePropertiesOf(objectType, false);
		if (inputs.some((p) => !uniqueKeyOf(p, unique)))
			unique = await this.uniquePropertiesOf(objectType, true);
		return await settleLostCreates(inputs, {
			uniqueProperties: unique,
			elapsedSinceSendMs: () => performance.now() - firstSentAt,
			read: async (property, values) => {
				const res = await this.http.request<HubSpotBatchResponse | undefined>({
					method: 'POST',
					url: `/crm/v3/objects/${encode(objectType)}/batch/read`,
					body: {
						inputs: values.map((id) => ({ id })),
						idProperty: property,
						properties: [property],
					},
					responseType: 'json',
					idempotent: true,
					signal,
				});
				const date = Date.parse(res.headers.date ?? '');
				return {
					records: res.body?.results ?? [],
					serverDateMs: Number.isFinite(date) ? date : undefined,
				};
			},
		});
	}

	private async runWrite<TIn extends { id?: string; properties: Record<string, unknown> }>(
		objectType: string,
		kind: BatchKind,
		inputs: TIn[],
		options: BatchWriteOptions,
		toWire: (input: TIn) => Record<string, unknown>,
	): Promise<BatchRunResult<HubSpotObject>> {
		const keyed = kind !== 'create';
		const caseInsensitive =
			kind !== 'create' && (options.idProperty === 'email' || options.idProperty === 'hs_email');
		const keyOf = (input: TIn) => {
			const id = String(input.id ?? '');
			return caseInsensitive ? id.trim().toLowerCase() : id;
		};
		let traceCounter = 0;
		return await this.runHubSpotBatches<TIn, HubSpotObject>(
			inputs,
			options.signal,
			async (chunk) => {
				// Several inputs with one key would make HubSpot reject the batch ("duplicate IDs"): merge them, in order,
				// into one wire input (what sending them one after the other would leave), each getting its result.
				const slots: number[] = [];
				const wire: Array<Record<string, unknown>> = [];
				const slotKeys: string[] = [];
				const byKey = new Map<string, number>();
				for (let i = 0; i < chunk.length; i++) {
					const input = chunk[i];
					if (keyed) {
						const key = keyOf(input);
						if (!key) {
							slots.push(-1);
							continue;
						}
						const existing = byKey.get(key);
						if (existing !== undefined) {
							slots.push(existing);
							const merged = wire[existing] as { properties?: Record<string, unknown> };
							if (merged.properties)
								merged.properties = { ...merged.properties, ...toProperties(input.properties) };
							continue;
						}
						byKey.set(key, wire.length);
						slotKeys.push(key);
					} else {
						slotKeys.push('');
					}
					slots.push(wire.length);
					const body = toWire(input);
					if (kind === 'create' || kind === 'update' || kind === 'upsert')
						body.objectWriteTraceId = `n8n-${++traceCounter}`;
					wire.push(body);
				}
				// When HubSpot rejects the whole batch for an input it names (context.objectWriteTraceId), that input fails
				// with HubSpot's message and the others are sent again at once: k bad inputs cost k extra calls, not a
				// bisection. A rejection naming no input is thrown, and runBatches splits the chunk to isolate it.
				const outcomes: Array<ItemOutcome<HubSpotObject>> = new Array(wire.length);
				let pending = wire.map((_, i) => i);
				// A create whose answer is lost is settled by reading the inputs back by a unique value (see settle.ts); the
				// inputs not found are sent again, at most MAX_LOST_CREATE_ROUNDS times.
				const firstSentAt = performance.now();
				let lostRounds = 0;
				const settle = async (indexes: number[], cause: unknown): Promise<number[]> => {
					lostRounds++;
					const settled = await this.settleCreates(
						objectType,
						indexes.map((i) => (wire[i].properties ?? {}) as Record<string, unknown>),
						firstSentAt,
						options.signal,
					);
					const resend: number[] = [];
					indexes.forEach((i, j) => {
						const s = settled[j];
						if (s.state === 'notWritten' && lostRounds <= MAX_LOST_CREATE_ROUNDS) resend.push(i);
						else outcomes[i] = settledOutcome(s, cause, lostRounds);
					});
					return resend;
				};
				for (
					let round = 0;
					pending.length > 0 && round <= wire.length + MAX_LOST_CREATE_ROUNDS;
					round++
				) {
					const body: Record<string, unknown> = { inputs: pending.map((i) => wire[i]) };
					if (kind === 'read') {
						// The unique property must come back: results are matched to inputs by its value.
						// (E-mail is among a contact's default properties; a custom unique property is not.)
						const wanted = options.properties ?? [];
						const id = options.idProperty;
						body.properties =
							id && !wanted.includes(id) && (wanted.length > 0 || id !== 'email')
								? [...wanted, id]
								: wanted;
						if (options.idProperty) body.idProperty = options.idProperty;
					}
					let response: HubSpotBatchResponse | undefined;
					try {
						response = await this.call<HubSpotBatchResponse | undefined>({
							method: 'POST',
							url: `/crm/v3/objects/${encode(objectType)}/batch/${kind}`,
							body,
							// Upsert by key, update to given values, archive and read are safe to repeat; create is not.
							idempotent: kind !== 'create',
							signal: options.signal,
						});
					} catch (error) {
						if (
							kind !== 'read' &&
							(isAnswerLost(error) ||
								(kind === 'create' && lostRounds > 0 && isCrmError(error) && error.status === 409))
						) {
							// Create: settle by unique value (a 409 after a lost round may be our own earlier, late-applied create).
							// Update / upsert / archive were already retried by the retry policy (safe to repeat): outcome unknown.
							if (kind === 'create') pending = await settle(pending, error);
							else {
								for (const i of pending) outcomes[i] = lostRepeatableOutcome(kind, error);
								pending = [];
							}
							continue;
						}
						const named = blamedTraceIds(error);
						const blamed = pending.filter((i) => named.has(String(wire[i].objectWriteTraceId)));
						if (blamed.length === 0 || blamed.length === pending.length) {
							if (round === 0) throw error;
							const described = describeHubSpotError(error);
							for (const i of pending) outcomes[i] = { ok: false, error: described };
							break;
						}
						const described = describeHubSpotError(error);
						for (const i of blamed) outcomes[i] = { ok: false, error: described };
						pending = pending.filter((i) => !blamed.includes(i));
						continue;
					}
					const matched = matchBatchResponse(
						kind,
						pending.map((i) => wire[i]),
						pending.map((i) => slotKeys[i]),
						response,
						{ idProperty: options.idProperty, caseInsensitive },
					);
					const conflicted: number[] = [];
					pending.forEach((i, j) => {
						const m = matched[j];
						// After a lost round, a per-input conflict (207) may be our own earlier create: settle it too.
						if (
							kind === 'create' &&
							lostRounds > 0 &&
							!m.ok &&
							/CONFLICT|already exists/i.test(`${m.error.code ?? ''} ${m.error.message}`)
						)
							conflicted.push(i);
						else outcomes[i] = m;
					});
					pending =
						conflicted.length > 0
							? await settle(
									conflicted,
									new CrmError(
										'HubSpot reported a conflict for an input sent again after a lost answer',
										{ kind: 'conflict' },
									),
								)
							: [];
				}
				for (const i of pending) {
					outcomes[i] ??= {
						ok: false,
						error: {
							message: `not written: HubSpot gave no usable answer for this input after ${wire.length + MAX_LOST_CREATE_ROUNDS} attempts — re-run it`,
							code: BATCH_CODES.notSent,
						},
					};
				}
				return slots.map((slot, i): ItemOutcome<HubSpotObject> => {
					if (slot >= 0) return outcomes[slot];
					return {
						ok: false,
						error: {
							message: `input ${i}: no ${options.idProperty ?? 'record id'} given — every ${kind} needs the ${options.idProperty ?? 'id'} of its record`,
							code: 'MISSING_ID',
						},
					};
				});
			},
		);
	}

	// ---------------------------------------------------------------------------------------------------
	// Search

	/** One search request (≤200 results, no result past 10,000). */
	async search(
		objectType: string,
		request: HubSpotSearchRequest,
		signal?: AbortSignal,
	): Promise<HubSpotPage> {
		return await this.call<HubSpotPage>({
			method: 'POST',
			url: `/crm/v3/objects/${encode(objectType)}/search`,
			body: request,
			idempotent: true,
			search: true,
			signal,
		});
	}

	/**
	 * Every record matching the filters, streamed page by page — also past HubSpot's 10,000-result ceiling: results
	 * come sorted by `hs_object_id`, and before the ceiling the search restarts with `hs_object_id > last id seen`
	 * added to every filter group, so each window stays under 10,000.
	 */
	async *searchAll(
		objectType: string,
		options: SearchAllOptions = {},
	): AsyncGenerator<HubSpotObject[]> {
		const pageSize = Math.min(
			HUBSPOT_SEARCH_PAGE_LIMIT,
			Math.max(1, options.pageSize ?? HUBSPOT_SEARCH_PAGE_LIMIT),
		);
		const groups = options.filterGroups?.length ? options.filterGroups : [{ filters: [] }];
		for (const [i, group] of groups.entries()) {
			if (group.filters.length >= 6) {
				throw new CrmError(
					`HubSpot search: filter group ${i + 1} has ${group.filters.length} filters; reading past 10,000 results needs one more (hs_object_id) and HubSpot allows 6 per group — move a filter to another group or narrow the search`,
					{ kind: 'validation' },
				);
			}
		}
		let remaining = options.limit ?? Number.POSITIVE_INFINITY;
		let lastId = options.afterId;
		const sorts: HubSpotSort[] = [{ propertyName: 'hs_object_id', direction: 'ASCENDING' }];
		for (let window = 0; window < 1_000_000; window++) {
			const filterGroups = groups.map((g) => ({
				filters:
					lastId === undefined
						? g.filters
						: [
								...g.filters,
								{ propertyName: 'hs_object_id', operator: 'GT' as const, value: lastId },
							],
			}));
			const windowStartId = lastId;
			let after: string | undefined;
			let offset = 0;
			for (;;) {
				const limit = Math.min(pageSize, remaining, HUBSPOT_SEARCH_CEILING - offset);
				const page = await this.search(
					objectType,
					{
						filterGroups: filterGroups.filter((g) => g.filters.length > 0).length
							? filterGroups
							: undefined,
						sorts,
						query: options.query,
						properties: options.properties,
						limit,
						after,
					},
					options.signal,
				);
				const results = page.results ?? [];
				if (results.length) {
					yield results;
					remaining -= results.length;
					lastId = results[results.length - 1].id;
				}
				if (remaining <= 0) return;
				const next = page.paging?.next?.after;
				if (!next || results.length === 0) return;
				offset = Number(next);
				if (
					!Number.isFinite(offset) ||
					offset + Math.min(pageSize, remaining) > HUBSPOT_SEARCH_CEILING
				)
					break;
				after = next;
			}
			if (lastId === windowStartId) {
				throw new CrmError(
					`HubSpot search on ${objectType}: no progress past hs_object_id ${lastId ?? '(start)'}; stopped to avoid an endless loop`,
					{ kind: 'fatal' },
				);
			}
		}
	}

	/**
	 * Records changed since a position, oldest first, streamed, up to HubSpot's time minus a safety lag; `onCursor`
	 * after each page gives the exact position (timestamp + ids seen at it). See `changes.ts`.
	 */
	changesSince(
		objectType: string,
		options: ChangesOptions,
		onCursor?: (cursor: ChangeCursor) => void,
	): AsyncGenerator<HubSpotObject[]> {
		return readChanges(this, objectType, options, onCursor);
	}

	// ---------------------------------------------------------------------------------------------------
	// Associations (v4)

	/** Association labels between two object types. */
	async getAssociationLabels(fromType: string, toType: string): Promise<HubSpotAssociationLabel[]> {
		const res = await this.call<HubSpotPage<HubSpotAssociationLabel>>({
			method: 'GET',
			url: `/crm/v4/associations/${encode(fromType)}/${encode(toType)}/labels`,
		});
		return res.results ?? [];
	}

	/**
	 * Associates pairs of records, in batches of 100: with HubSpot's default association, or with a label
	 * (`associationTypeId` + category) when `type` is given.
	 */
	async associate(
		fromType: string,
		toType: string,
		pairs: Array<{ fromId: string; toId: string }>,
		type?: { associationTypeId: number; associationCategory?: string },
		signal?: AbortSignal,
	): Promise<BatchRunResult<unknown>> {
		return await this.runHubSpotBatches<{ fromId: string; toId: string }, unknown>(
			pairs,
			signal,
			async (chunk) => {
				const url = type
					? `/crm/v4/associations/${encode(fromType)}/${encode(toType)}/batch/create`
					: `/crm/v4/associations/${encode(fromType)}/${encode(toType)}/batch/associate/default`;
				const inputs = chunk.map((p) =>
					type
						? {
								from: { id: String(p.fromId) },
								to: { id: String(p.toId) },
								types: [
									{
										associationCategory: type.associationCategory ?? 'USER_DEFINED',
										associationTypeId: type.associationTypeId,
									},
								],
							}
						: { from: { id: String(p.fromId) }, to: { id: String(p.toId) } },
				);
				const res = await this.call<HubSpotBatchResponse<Record<string, unknown>> | undefined>({
					method: 'POST',
					url,
					body: { inputs },
					idempotent: true,
					signal,
				});
				return matchPairs(chunk, res);
			},
		);
	}

	/** Removes every association between pairs of records, in batches of 100. */
	async removeAssociations(
		fromType: string,
		toType: string,
		pairs: Array<{ fromId: string; toId: string }>,
		signal?: AbortSignal,
	): Promise<BatchRunResult<unknown>> {
		return await this.runHubSpotBatches<{ fromId: string; toId: string }, unknown>(
			pairs,
			signal,
			async (chunk) => {
				const inputs = chunk.map((p) => ({
					from: { id: String(p.fromId) },
					to: [{ id: String(p.toId) }],
				}));
				const res = await this.call<HubSpotBatchResponse<Record<string, unknown>> | undefined>({
					method: 'POST',
					url: `/crm/v4/associations/${encode(fromType)}/${encode(toType)}/batch/archive`,
					body: { inputs },
					idempotent: true,
					signal,
				});
				return matchPairs(chunk, res);
			},
		);
	}

	/** The records associated with each of `fromIds` (batch read, 100 per call; each id its own result). */
	async listAssociations(
		fromType: string,
		toType: string,
		fromIds: string[],
		signal?: AbortSignal,
	): Promise<BatchRunResult<HubSpotAssociatedRecord[]>> {
		return await this.runHubSpotBatches<string, HubSpotAssociatedRecord[]>(
			fromIds.map(String),
			signal,
			async (chunk) => {
				const all = new Map<string, HubSpotAssociatedRecord[]>();
				let pending = chunk.map((id) => ({ id }));
				const cursors = new Map<string, string>();
				for (let round = 0; pending.length > 0 && round < 1000; round++) {
					const res = await this.call<
						HubSpotBatchResponse<{
							from: { id: string };
							to: HubSpotAssociatedRecord[];
							paging?: { next?: { after?: string } };
						}>
					>({
						method: 'POST',
						url: `/crm/v4/associations/${encode(fromType)}/${encode(toType)}/batch/read`,
						body: {
							inputs: pending.map((p) =>
								cursors.get(p.id) ? { id: p.id, after: cursors.get(p.id) } : { id: p.id },
							),
						},
						idempotent: true,
						signal,
					});
					const next: Array<{ id: string }> = [];
					for (const result of res?.results ?? []) {
						const id = String(result.from.id);
						all.set(id, [...(all.get(id) ?? []), ...(result.to ?? [])]);
						const after = result.paging?.next?.after;
						if (after && after !== cursors.get(id)) {
							cursors.set(id, after);
							next.push({ id });
						}
					}
					pending = next;
				}
				// A record without associations is not an error: HubSpot leaves it out of `results` (and may list it in errors).
				return chunk.map((id) => ({ ok: true as const, value: all.get(id) ?? [] }));
			},
		);
	}

	// ---------------------------------------------------------------------------------------------------
	// Forms

	/**
	 * Submits a form (`/submissions/v3/integration/submit/{portalId}/{formGuid}` on api.hsforms.com, or the
	 * sandbox's base URL; the secure variant with `secure: true`). Not retried after it may have reached HubSpot (a submission is not idempotent).
	 */
	async submitForm(
		portalId: string,
		formGuid: string,
		fields: Array<{ name: string; value: string; objectTypeId?: string }>,
		options: { context?: Record<string, unknown>; secure?: boolean; submissionsUrl?: string } = {},
	): Promise<{ inlineMessage?: string; redirectUri?: string }> {
		// HubSpot serves submissions on its forms host; a sandbox serves them on its own base URL.
		const base = (
			options.submissionsUrl ??
			(this.baseUrl === HUBSPOT_API_URL ? HUBSPOT_FORMS_URL : this.baseUrl)
		).replace(/\/+$/, '');
		const path = options.secure ? 'secure/submit' : 'submit';
		return await this.call<{ inlineMessage?: string; redirectUri?: string }>({
			method: 'POST',
			url: `${base}/submissions/v3/integration/${path}/${encode(portalId)}/${encode(formGuid)}`,
			body: {
				fields: fields.map((f) => ({
					objectTypeId: f.objectTypeId ?? '0-1',
					name: f.name,
					value: f.value,
				})),
				...(options.context ? { context: options.context } : {}),
			},
		});
	}
}

type BatchKind = 'create' | 'update' | 'upsert' | 'archive' | 'read';

/** The `objectWriteTraceId`s a whole-batch rejection names in its context (HubSpot's way of pointing at the input). */
function blamedTraceIds(error: unknown): Set<string> {
	const out = new Set<string>();
	if (!isCrmError(error) || (error.status !== 400 && error.status !== 409 && error.status !== 422))
		return out;
	const body = error.details as Partial<HubSpotErrorBody> | undefined;
	const collect = (context: Record<string, unknown> | undefined) => {
		const traces = context?.objectWriteTraceId;
		for (const t of Array.isArray(traces) ? traces : traces === undefined ? [] : [traces])
			out.add(String(t));
	};
	collect(body?.context);
	for (const e of body?.errors ?? []) collect(e.context);
	return out;
}

/** HubSpot's detail messages when it gives them ("Email address x is invalid"), else its message. */
function readableMessage(body: Partial<HubSpotErrorBody> | undefined, fallback: string): string {
	const details = (body?.errors ?? [])
		.map((e) => e.message)
		.filter((m): m is string => typeof m === 'string' && m.trim() !== '');
	if (details.length > 0) return [...new Set(details)].join('; ');
	return body?.message || fallback;
}

/** How runBatches reacts when HubSpot fails a whole batch call. */
export function classifyHubSpotBatchError(error: unknown): 'splittable' | 'failChunk' | 'fatal' {
	if (!isCrmError(error)) return 'failChunk';
	if (error.kind === 'authentication' || error.kind === 'permission') return 'fatal';
	// An unknown object type fails every batch alike: splitting would cost two calls per item for nothing.
	if (/Unable to infer object type/i.test(`${error.crmMessage ?? ''} ${error.message}`))
		return 'fatal';
	if (
		error.status === 400 ||
		error.status === 409 ||
		error.status === 413 ||
		error.status === 422 ||
		error.status === 404
	)
		return 'splittable';
	return 'failChunk';
}

/** The failure reason of an input from a thrown error: HubSpot's own message first. */
export function describeHubSpotError(error: unknown): BatchItemError {
	if (isCrmError(error)) {
		const body = error.details as Partial<HubSpotErrorBody> | undefined;
		let message = readableMessage(body, error.crmMessage ?? error.message);
		if (error.kind === 'authentication' && !/reconnect/i.test(message)) {
			message = `${message} — HubSpot refused the credential: it must be reconnected (OAuth2: open the credential in n8n and reconnect it; private app: paste a valid access token), then re-run these items`;
		}
		return {
			message,
			code: error.crmCode ?? error.kind,
			details: {
				hubspotMessage: body?.message,
				status: error.status,
				category: body?.category,
				correlationId: body?.correlationId,
				context: body?.context,
				errors: body?.errors,
			},
		};
	}
	return { message: error instanceof Error ? error.message : String(error) };
}

function contextValues(error: HubSpotErrorBody): string[] {
	const out: string[] = [];
	const visit = (v: unknown) => {
		if (Array.isArray(v)) v.forEach(visit);
		else if (typeof v === 'string' || typeof v === 'number') out.push(String(v));
	};
	if (error.context) Object.values(error.context).forEach(visit);
	for (const e of error.errors ?? []) if (e.context) Object.values(e.context).forEach(visit);
	return out;
}

function itemError(error: HubSpotErrorBody): BatchItemError {
	return {
		message: readableMessage(error, 'HubSpot reported an error for this input'),
		code: error.category ?? error.subCategory?.toString(),
		details: {
			hubspotMessage: error.message,
			category: error.category,
			correlationId: error.correlationId,
			context: error.context,
			errors: error.errors,
		},
	};
}

/**
 * Pairs a batch response with its inputs: results by `objectWriteTraceId`, else by id / unique-property value
 * (HubSpot does not promise result order); errors by the ids, keys or trace ids in their `context`.
 */
export function matchBatchResponse(
	kind: BatchKind,
	wire: Array<Record<string, unknown>>,
	keys: string[],
	response: HubSpotBatchResponse | undefined,
	options: { idProperty?: string; caseInsensitive?: boolean } = {},
): Array<ItemOutcome<HubSpotObject>> {
	const outcomes: Array<ItemOutcome<HubSpotObject> | undefined> = new Array(wire.length).fill(
		undefined,
	);
	const norm = (v: unknown) =>
		options.caseInsensitive
			? String(v ?? '')
					.trim()
					.toLowerCase()
			: String(v ?? '');
	const byTrace = new Map<string, number>();
	const byKey = new Map<string, number>();
	wire.forEach((w, i) => {
		if (typeof w.objectWriteTraceId === 'string') byTrace.set(w.objectWriteTraceId, i);
		if (keys[i]) byKey.set(norm(keys[i]), i);
	});
	if (
		kind === 'archive' &&
		(!response || !Array.isArray(response.errors) || response.errors.length === 0)
	) {
		return wire.map((w) => ({
			ok: true,
			value: { id: String(w.id), properties: {}, archived: true },
		}));
	}
	const results = response?.results ?? [];
	const unplaced: HubSpotObject[] = [];
	for (const result of results) {
		let index =
			result.objectWriteTraceId !== undefined ? byTrace.get(result.objectWriteTraceId) : undefined;
		if (index === undefined && kind !== 'create') {
			const useProperty =
				options.idProperty && options.idProperty !== 'hs_object_id' && kind !== 'archive';
			const key = useProperty ? result.properties?.[options.idProperty as string] : result.id;
			if (key !== undefined && key !== null) index = byKey.get(norm(key));
			if (index === undefined) index = byKey.get(norm(result.id));
		}
		if (index !== undefined && outcomes[index] === undefined)
			outcomes[index] = { ok: true, value: result };
		else unplaced.push(result);
	}
	const errors = response?.errors ?? [];
	const unmatchedErrors: HubSpotErrorBody[] = [];
	for (const error of errors) {
		const values = contextValues(error);
		let matched = false;
		for (const value of values) {
			const index = byTrace.get(value) ?? byKey.get(norm(value));
			if (index !== undefined && outcomes[index] === undefined) {
				outcomes[index] = { ok: false, error: itemError(error) };
				matched = true;
			}
		}
		if (!matched) unmatchedErrors.push(error);
	}
	const open = outcomes.map((o, i) => (o === undefined ? i : -1)).filter((i) => i >= 0);
	// Results HubSpot returned without a trace id or key (batch create): in order, when the counts agree.
	if (unplaced.length > 0 && unplaced.length === open.length && unmatchedErrors.length === 0) {
		open.forEach((index, j) => (outcomes[index] = { ok: true, value: unplaced[j] }));
	}
	return outcomes.map((outcome, i): ItemOutcome<HubSpotObject> => {
		if (outcome) return outcome;
		if (unmatchedErrors.length === 1) return { ok: false, error: itemError(unmatchedErrors[0]) };
		if (unmatchedErrors.length > 1) {
			return {
				ok: false,
				error: {
					message: `HubSpot reported ${unmatchedErrors.length} errors for this batch without saying which input each is about: ${unmatchedErrors
						.map((e) => e.message)
						.slice(0, 3)
						.join(' | ')}`,
					code: unmatchedErrors[0].category,
					details: { errors: unmatchedErrors },
				},
			};
		}
		const what = kind === 'read' ? 'not found' : 'no result';
		return {
			ok: false,
			error: {
				message: `${what}: HubSpot returned no result for ${keys[i] ? `"${keys[i]}"` : `input ${i}`} in its ${kind} batch response`,
				code: kind === 'read' ? 'OBJECT_NOT_FOUND' : 'NO_RESULT',
			},
		};
	});
}

function matchPairs(
	chunk: Array<{ fromId: string; toId: string }>,
	res: HubSpotBatchResponse<Record<string, unknown>> | undefined,
): Array<ItemOutcome<unknown>> {
	const errors = res?.errors ?? [];
	const results = res?.results ?? [];
	return chunk.map((pair, i): ItemOutcome<unknown> => {
		const error = errors.find((e) => {
			const values = contextValues(e);
			return (
				values.includes(String(pair.fromId)) &&
				(values.includes(String(pair.toId)) || values.length === 1)
			);
		});
		if (error) return { ok: false, error: itemError(error) };
		if (errors.length > 0 && results.length === 0 && errors.length === 1)
			return { ok: false, error: itemError(errors[0]) };
		return { ok: true, value: results[i] ?? { fromId: pair.fromId, toId: pair.toId } };
	});
}
