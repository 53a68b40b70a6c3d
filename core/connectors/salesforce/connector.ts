/**
 * The Salesforce connector: everything the nodes do, over jsforce and the connector core. Writes of many
 * records go out in sObject Collections of up to 200 (`runBatches`), each record with its own result; reads
 * stream page by page following `nextRecordsUrl` (SOQL pages straight over the HTTP client, see `soqlPages.ts`);
 * every request goes through one core `HttpClient` (retries, rate budget, error mapping, redaction).
 */
import type { Connection } from 'jsforce';

import {
	boundedConcurrency,
	runBatches,
	runBatchesStream,
	type BatchItemResult,
	type BatchRun,
	type BatchStats,
} from '../../batching';
import { HttpClient, type HttpClientOptions } from '../../http/client';
import { CrmError } from '../../http/errors';
import { requireServerDate } from '../../http/serverClock';
import { soql, soqlIdentifier } from '../../query/soql';
import { BulkApi, type BulkApiOptions } from './bulk';
import { sendCollection, type CollectionOperation, type WriteResult } from './collections';
import { salesforceDialect } from './dialect';
import { everyFieldPages } from './everyField';
import { classifyCollectionsError, describeRequestError } from './errors';
import { assertSalesforceId } from './records';
import { type GetText, soqlPages, soqlRecordPages } from './soqlPages';
import { coreTransportOf, createJsforceConnection, SALESFORCE_API_VERSION } from './transport';

export type { CollectionOperation, WriteResult } from './collections';

/** Most records per sObject Collections request (a Salesforce limit). */
export const COLLECTION_SIZE = 200;

/**
 * Collections requests of one write in flight at once, unless set otherwise (capped by the rate budget's
 * `maxConcurrent`). Each request is short (200 records), well within Salesforce's limit of 25 concurrent long
 * (> 20 s) requests; more in flight would mostly add row-lock contention between records sharing a parent.
 */
export const DEFAULT_COLLECTIONS_CONCURRENCY = 4;

/** Look-up queries (`SELECT … WHERE Field IN (…)` chunks of one `getByIds` / `findByKeys`) in flight at once. */
export const DEFAULT_LOOKUP_CONCURRENCY = 4;

/** A Salesforce record as the REST API returns it. */
export interface SalesforceRecord {
	attributes?: { type: string; url?: string };
	Id?: string;
	[field: string]: unknown;
}

/** One page of a SOQL query. */
export interface QueryPage {
	totalSize: number;
	done: boolean;
	nextRecordsUrl?: string;
	records: SalesforceRecord[];
}

/** An object of `describeGlobal`. */
export interface SObjectSummary {
	name: string;
	label: string;
	labelPlural?: string;
	custom: boolean;
	queryable: boolean;
	createable: boolean;
	updateable: boolean;
	deletable: boolean;
	keyPrefix?: string | null;
	[key: string]: unknown;
}

/** A field of `describe`. */
export interface FieldDescribe {
	name: string;
	label: string;
	type: string;
	createable: boolean;
	updateable: boolean;
	nillable: boolean;
	externalId?: boolean;
	idLookup?: boolean;
	unique?: boolean;
	defaultedOnCreate?: boolean;
	referenceTo?: string[];
	relationshipName?: string | null;
	picklistValues?: Array<{ value: string; label: string; active: boolean }>;
	length?: number;
	[key: string]: unknown;
}

/** The result of `describe`. */
export interface SObjectDescribe {
	name: string;
	label: string;
	custom: boolean;
	createable: boolean;
	updateable: boolean;
	deletable: boolean;
	queryable: boolean;
	fields: FieldDescribe[];
	[key: string]: unknown;
}

/** Options of the collection writes. */
export interface WriteOptions {
	/**
	 * Collections requests in flight at once: default {@link DEFAULT_COLLECTIONS_CONCURRENCY}, capped by the rate
	 * budget's `maxConcurrent`. Results stay in input order, and each request settles its own records (a lost answer
	 * makes only that request's records unknown). Set 1 where parallel writes to records sharing a parent contend for
	 * its row lock (`UNABLE_TO_LOCK_ROW`).
	 */
	concurrency?: number;
	/** Records per request, ≤ 200. Default 200. */
	batchSize?: number;
	signal?: AbortSignal;
	/**
	 * Creates: the unique field to settle a lost answer by (look the records up, report those found as written,
	 * send the others again). Default: a unique or external-ID field of the object that the records carry.
	 */
	settleField?: string;
}

/** Options of {@link SalesforceConnector}. */
export interface SalesforceConnectorOptions {
	/** The org's instance URL (the token response's `instance_url`). */
	instanceUrl: string;
	/** A ready HTTP client (e.g. over n8n's request helpers), or options to build one. */
	http: HttpClient | HttpClientOptions;
	/** API version. Default 62.0. */
	apiVersion?: string;
	/**
	 * What identifies the connection's user across runs (e.g. the credential's id): with it, a read of every field of
	 * an object described in an earlier run sends its first query while this run's describe is on its way.
	 */
	connectionKey?: string;
}

/** Options of a SOQL read. */
export interface QueryOptions {
	/** `queryAll`: include deleted and archived records. */
	includeDeleted?: boolean;
	/** Records per page (200–2000; Salesforce may return fewer). */
	batchSize?: number;
	signal?: AbortSignal;
	/** Called after each page (e.g. to count API calls). */
	onPage?: (page: QueryPage, pageIndex: number) => void;
	/**
	 * Request the next page (`nextRecordsUrl`) as soon as a page arrives, while the caller uses it: the caller's work
	 * overlaps the next round trip. Locators are still followed in order, one request at a time; two pages are held.
	 * Default false.
	 */
	readAhead?: boolean;
}

function isHttpClient(value: HttpClient | HttpClientOptions): value is HttpClient {
	return (
		value instanceof HttpClient || typeof (value as unknown as HttpClient).request === 'function'
	);
}

/** A Salesforce org, reached over jsforce and the connector core. */
export class SalesforceConnector {
	readonly instanceUrl: string;
	readonly apiVersion: string;
	readonly http: HttpClient;
	readonly conn: Connection;
	readonly connectionKey?: string;
	private readonly describeCache = new Map<string, Promise<SObjectDescribe>>();
	private globalCache?: Promise<SObjectSummary[]>;

	constructor(options: SalesforceConnectorOptions) {
		if (!options.instanceUrl) {
			throw new CrmError('The Salesforce instance URL is empty', {
				kind: 'fatal',
				hint: 'Reconnect the credential: the token response gives the instance URL.',
			});
		}
		this.instanceUrl = options.instanceUrl.replace(/\/+$/, '');
		this.apiVersion = options.apiVersion ?? SALESFORCE_API_VERSION;
		this.connectionKey = options.connectionKey;
		this.http = isHttpClient(options.http)
			? options.http
			: new HttpClient({ dialect: salesforceDialect, ...options.http });
		this.conn = createJsforceConnection({
			instanceUrl: this.instanceUrl,
			http: this.http,
			version: this.apiVersion,
		});
	}

	/** `https://instance/services/data/v62.0` */
	get baseUrl(): string {
		return `${this.instanceUrl}/services/data/v${this.apiVersion}`;
	}

	/** The server's time (epoch ms, whole seconds) from the latest response's `Date` header, if known. */
	serverTime(): number | undefined {
		return coreTransportOf(this.conn)?.lastServerTime;
	}

	/** Records the server's time seen on a response sent outside jsforce. */
	noteServerTime(ms: number): void {
		const transport = coreTransportOf(this.conn);
		if (transport) transport.lastServerTime = ms;
	}

	/**
	 * Salesforce's current time (epoch ms, whole seconds): the `Date` header of one light call, the API versions list
	 * (`GET /services/data`, which needs no session and is not counted against the org's API limit). A query sent
	 * after this answer came takes its snapshot later, so the time is a safe lower bound of that snapshot.
	 */
	async serverNow(signal?: AbortSignal): Promise<number> {
		const res = await this.http.request({
			method: 'GET',
			url: `${this.instanceUrl}/services/data`,
			responseType: 'text',
			signal,
		});
		return requireServerDate(res.headers, 'Salesforce');
	}

	/** Bulk API 2.0 over the same HTTP client (same credential, retries and rate budget). */
	/** Look-up queries of one call in flight at once: {@link DEFAULT_LOOKUP_CONCURRENCY}, capped by the rate budget's `maxConcurrent`. */
	lookupConcurrency(): number {
		return boundedConcurrency(
			undefined,
			DEFAULT_LOOKUP_CONCURRENCY,
			this.http.budgetFor(this.baseUrl),
		);
	}

	bulk(options: Omit<BulkApiOptions, 'baseUrl' | 'http'> = {}): BulkApi {
		return new BulkApi({ ...options, baseUrl: this.baseUrl, http: this.http });
	}

	// ---------------------------------------------------------------------------------------------------
	// Metadata

	/** Every object of the org (`describeGlobal`), cached for the connector's life. */
	async listObjects(): Promise<SObjectSummary[]> {
		this.globalCache ??= (
			this.conn.describeGlobal() as unknown as Promise<{ sobjects: SObjectSummary[] }>
		).then((r) => r.sobjects);
		try {
			return await this.globalCache;
		} catch (error) {
			this.globalCache = undefined;
			throw error;
		}
	}

	/** An object's fields and properties (`describe`), cached for the connector's life. */
	async describe(object: string): Promise<SObjectDescribe> {
		const name = soqlIdentifier(object);
		let cached = this.describeCache.get(name);
		if (!cached) {
			cached = this.conn.describe(name) as unknown as Promise<SObjectDescribe>;
			this.describeCache.set(name, cached);
			cached.catch(() => this.describeCache.delete(name));
		}
		return await cached;
	}

	/** The fields a SOQL SELECT can list for `object` (compound address/location fields left out, as their parts are listed; base64 bodies left out). */
	async selectableFields(object: string): Promise<string[]> {
		const described = await this.describe(object);
		return described.fields
			.filter((f) => f.type !== 'address' && f.type !== 'location' && f.type !== 'base64')
			.map((f) => f.name);
	}

	// ---------------------------------------------------------------------------------------------------
	// Single records

	/** One record by Id (all fields, or the given ones). */
	async getRecord(object: string, id: string, fields?: string[]): Promise<SalesforceRecord> {
		// Salesforce includes Id anyway; asking for it keeps the answer the same everywhere.
		const qs = fields?.length
			? `?fields=${encodeURIComponent([...new Set(['Id', ...fields.map(soqlIdentifier)])].join(','))}`
			: '';
		// The id goes into the URL path: `..` or `a/b` would address another resource.
		assertSalesforceId(id);
		return (await this.conn.request(
			`/sobjects/${encodeURIComponent(soqlIdentifier(object))}/${encodeURIComponent(id)}${qs}`,
		)) as SalesforceRecord;
	}

	// ---------------------------------------------------------------------------------------------------
	// Collections writes

	/**
	 * Writes many records in sObject Collections requests of up to 200 (`allOrNone: false`), one result per
	 * input record in input order. `records` are field maps (for `update`, each with `Id`; for `upsert`, each
	 * with the external-ID field; for `delete`, `{ Id }`).
	 */
	async write(
		operation: CollectionOperation,
		object: string,
		records: Iterable<Record<string, unknown>> | AsyncIterable<Record<string, unknown>>,
		options: WriteOptions & { externalIdField?: string } = {},
	): Promise<{ results: Array<BatchItemResult<WriteResult>>; stats: BatchStats }> {
		return await runBatches(this.batchOptions(operation, object, records, options));
	}

	/**
	 * Writes through Bulk API 2.0 when there are at least `bulkThreshold` records (fewer API calls for large
	 * inputs: one job instead of one Collections call per 200), else through sObject Collections. Same results.
	 */
	async writeAuto(
		operation: CollectionOperation,
		object: string,
		records: Array<Record<string, unknown>>,
		options: WriteOptions & { externalIdField?: string; bulkThreshold?: number } = {},
	): Promise<{ results: Array<BatchItemResult<WriteResult>>; via: 'collections' | 'bulk' }> {
		const threshold = options.bulkThreshold ?? 0;
		if (threshold <= 0 || records.length < threshold)
			return { ...(await this.write(operation, object, records, options)), via: 'collections' };
		const bulkOperation = (
			{ create: 'insert', update: 'update', upsert: 'upsert', delete: 'delete' } as const
		)[operation];
		const { results } = await this.bulk().ingest(records, {
			object,
			operation: bulkOperation,
			externalIdField: options.externalIdField,
		});
		return {
			via: 'bulk',
			results: results.map((r) =>
				r.ok
					? {
							index: r.index,
							ok: true as const,
							value: {
								id: r.value.id ?? '',
								...(r.value.created !== undefined ? { created: r.value.created } : {}),
							},
						}
					: r,
			),
		};
	}

	/** Like {@link write}, streaming each chunk's results as it completes (for very large inputs). */
	writeStream(
		operation: CollectionOperation,
		object: string,
		records: Iterable<Record<string, unknown>> | AsyncIterable<Record<string, unknown>>,
		options: WriteOptions & { externalIdField?: string } = {},
	): BatchRun<WriteResult> {
		return runBatchesStream(this.batchOptions(operation, object, records, options));
	}

	private batchOptions(
		operation: CollectionOperation,
		object: string,
		records: Iterable<Record<string, unknown>> | AsyncIterable<Record<string, unknown>>,
		options: WriteOptions & { externalIdField?: string },
	) {
		const type = soqlIdentifier(object);
		const batchSize = options.batchSize ?? COLLECTION_SIZE;
		if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > COLLECTION_SIZE) {
			throw new CrmError(
				`Batch Size ${batchSize} is not allowed: sObject Collections take 1 to ${COLLECTION_SIZE} records per request — set Options → Batch Size to a whole number from 1 to ${COLLECTION_SIZE}`,
				{
					kind: 'validation',
					crmCode: 'INVALID_BATCH_SIZE',
				},
			);
		}
		const externalIdField =
			operation === 'upsert' ? soqlIdentifier(options.externalIdField ?? '') : undefined;
		const settleField =
			operation === 'create' && options.settleField
				? soqlIdentifier(options.settleField)
				: undefined;
		const write = { operation, type, externalIdField, settleField, signal: options.signal };
		return {
			items: records,
			maxCount: batchSize,
			concurrency: boundedConcurrency(
				options.concurrency,
				DEFAULT_COLLECTIONS_CONCURRENCY,
				this.http.budgetFor(this.baseUrl),
			),
			signal: options.signal,
			// Records are independent (allOrNone false): one bad record fails alone, in its own result.
			isolateOnBatchFailure: true,
			classifyBatchError: classifyCollectionsError,
			describeError: describeRequestError,
			send: async (chunk: Array<Record<string, unknown>>) =>
				await sendCollection(this, write, chunk),
		};
	}

	/** Throws a validation error when `settleField` is not a unique or external-ID field of `object` (checked before any write). */
	async checkSettleField(object: string, settleField: string): Promise<void> {
		const described = await this.describe(object);
		const field = described.fields.find(
			(f) => f.name.toLowerCase() === settleField.trim().toLowerCase(),
		);
		if (!field || !(field.unique || field.externalId || field.idLookup) || field.type === 'id') {
			throw new CrmError(
				`Unique Field for Settling Lost Answers "${settleField}" is ${field ? 'not unique and not an external ID' : 'not a field'} of ${described.name}`,
				{
					kind: 'validation',
					crmCode: 'INVALID_SETTLE_FIELD',
					hint: 'Name a field marked Unique or External ID (e.g. External_Id__c, Email on an object where it is unique), or leave the option empty.',
				},
			);
		}
	}

	// ---------------------------------------------------------------------------------------------------
	// SOQL

	/**
	 * Streams a SOQL query page by page, following `nextRecordsUrl`; only the current page is held (and the next one
	 * with `readAhead`). Pass the query built with the `soql` template (values bound safely) or a string written by
	 * the user.
	 */
	queryPages(
		query: string | { text: string },
		options: QueryOptions = {},
	): AsyncGenerator<SalesforceRecord[], void, undefined> {
		return soqlPages(this.getText, query, options, options.readAhead ? () => true : undefined);
	}

	/**
	 * Streams a SOQL query page by page like {@link queryPages}, stopping after `limit` records when given (the last
	 * page cut there; no page is requested beyond it, not even ahead).
	 */
	queryRecordPages(
		query: string | { text: string },
		options: QueryOptions & { limit?: number } = {},
	): AsyncGenerator<SalesforceRecord[], void, undefined> {
		return soqlRecordPages(this.getText, query, options);
	}

	/**
	 * The pages of `query(every field a SELECT can list on object)` (see {@link selectableFields}), like
	 * {@link queryRecordPages}; with a `connectionKey`, the describe and the first page overlap (see `everyField.ts`).
	 */
	queryEveryFieldPages(
		object: string,
		query: (fields: string[]) => string,
		options: QueryOptions & { limit?: number } = {},
	): AsyncGenerator<SalesforceRecord[], void, undefined> {
		return everyFieldPages(this, object, query, options, this.connectionKey);
	}

	/** Streams records one by one, stopping (without fetching further pages) after `limit` when given. */
	async *queryRecords(
		query: string | { text: string },
		options: QueryOptions & { limit?: number } = {},
	): AsyncGenerator<SalesforceRecord, void, undefined> {
		for await (const page of this.queryRecordPages(query, options)) yield* page;
	}

	/**
	 * A query page's text, straight over the HTTP client (jsforce adds nothing to a GET whose errors the client already
	 * maps): `/services/…` URLs (`nextRecordsUrl`) on the instance, others under the API's base.
	 */
	private readonly getText: GetText = async (url, headers) => {
		const res = await this.http.request<string>({
			method: 'GET',
			url: url.startsWith('/services/') ? `${this.instanceUrl}${url}` : `${this.baseUrl}${url}`,
			headers,
			responseType: 'text',
		});
		const date = res.headers.date ? Date.parse(res.headers.date) : Number.NaN;
		if (!Number.isNaN(date)) this.noteServerTime(date);
		return typeof res.body === 'string' ? res.body : JSON.stringify(res.body);
	};

	/** Builds `SELECT <fields> FROM <object> [WHERE …]` with validated names. */
	selectQuery(
		object: string,
		fields: string[],
		where?: { text: string },
		orderBy?: string,
	): string {
		const list = fields.length ? fields : ['Id'];
		let q = soql`SELECT ${soql.ids(list)} FROM ${soql.id(object)}`.text;
		if (where && where.text.trim()) q += ` WHERE ${where.text}`;
		if (orderBy) q += ` ORDER BY ${orderBy}`;
		return q;
	}

	// ---------------------------------------------------------------------------------------------------
	// Replication API

	/** Ids of records of `object` updated in [start, end] (`getUpdated`; Salesforce keeps 30 days). */
	async getUpdated(
		object: string,
		start: Date,
		end: Date,
	): Promise<{ ids: string[]; latestDateCovered: string }> {
		const qs = `start=${encodeURIComponent(isoSeconds(start))}&end=${encodeURIComponent(isoSeconds(end))}`;
		return (await this.conn.request(
			`/sobjects/${encodeURIComponent(soqlIdentifier(object))}/updated/?${qs}`,
		)) as { ids: string[]; latestDateCovered: string };
	}

	/** Records of `object` deleted in [start, end] (`getDeleted`). */
	async getDeleted(
		object: string,
		start: Date,
		end: Date,
	): Promise<{
		deletedRecords: Array<{ id: string; deletedDate: string }>;
		earliestDateAvailable?: string;
		latestDateCovered: string;
	}> {
		const qs = `start=${encodeURIComponent(isoSeconds(start))}&end=${encodeURIComponent(isoSeconds(end))}`;
		return (await this.conn.request(
			`/sobjects/${encodeURIComponent(soqlIdentifier(object))}/deleted/?${qs}`,
		)) as {
			deletedRecords: Array<{ id: string; deletedDate: string }>;
			latestDateCovered: string;
		};
	}
}

/** `2024-03-05T10:15:00Z`: what the replication API accepts. */
function isoSeconds(date: Date): string {
	return `${date.toISOString().slice(0, 19)}Z`;
}
