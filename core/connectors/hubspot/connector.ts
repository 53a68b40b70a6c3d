/**
 * The HubSpot connector: every CRM call the nodes make, on the core's `HttpClient` (retry policy, per-credential
 * rate budgets, error taxonomy) over `@hubspot/api-client` (see `clients.ts`, `transport.ts`), with HubSpot's batch
 * endpoints for writes (≤100 inputs per call, every input its own result) and streamed reads. The class composes
 * the parts: `schema.ts` (object types, properties), `account.ts` (owners, pipelines, forms), `records.ts` (one
 * record, list paging), `batch.ts` + `writeChunk.ts` + `batchResponse.ts` (batch writes and reads), `search.ts`,
 * `associations.ts` and `changes.ts`.
 */
import { boundedConcurrency } from '../../batching/concurrency';
import type { BatchRunResult } from '../../batching/run-batches';
import type { HttpClient } from '../../http/client';
import * as account from './account';
import * as associations from './associations';
import { type BatchWriteOptions, HubSpotBatches } from './batch';
import { type ChangeCursor, type ChangesOptions, readChanges } from './changes';
import {
	createHubSpotClients,
	type HubSpotCaller,
	type HubSpotConnectorOptions,
	type HubSpotRequest,
} from './clients';
import * as records from './records';
import type { CreateInput, UpdateInput, UpsertInput } from './records';
import * as schema from './schema';
import * as search from './search';
import type { SearchAllOptions, SearchRecordsOptions } from './search';
import type {
	HubSpotAssociatedRecord,
	HubSpotAssociationLabel,
	HubSpotObject,
	HubSpotOwner,
	HubSpotPage,
	HubSpotPipeline,
	HubSpotProperty,
	HubSpotSchema,
	HubSpotSearchRequest,
} from './types';

export { HUBSPOT_FORMS_URL } from './account';
export { HUBSPOT_BATCH_LIMIT, type BatchWriteOptions } from './batch';
export {
	classifyHubSpotBatchError,
	describeHubSpotError,
	matchBatchResponse,
} from './batchResponse';
export type { ChangeCursor, ChangesOptions } from './changes';
export { lastModifiedProperty } from './changes';
export {
	HUBSPOT_DEFAULT_REQUESTS_PER_10S,
	HUBSPOT_DEFAULT_SEARCH_PER_SECOND,
	type HubSpotConnectorOptions,
	type HubSpotRateLimitOptions,
} from './clients';
export {
	type CreateInput,
	recordIdProblem,
	toHubSpotValue,
	type UpdateInput,
	type UpsertInput,
} from './records';
export { type HubSpotObjectType, isUniqueProperty, STANDARD_OBJECT_TYPES } from './schema';
export {
	HUBSPOT_SEARCH_CEILING,
	HUBSPOT_SEARCH_PAGE_LIMIT,
	type SearchAllOptions,
	type SearchRecordsOptions,
} from './search';

/** The connector. Create one per node execution; the rate budgets behind it are shared per credential. */
export class HubSpotConnector implements HubSpotCaller {
	/** Client for every endpoint except search. */
	readonly http: HttpClient;
	/** Client for the search endpoints (their own per-second budget, inside the 10-second one). */
	readonly searchHttp: HttpClient;
	readonly baseUrl: string;
	/** Batch writes and reads (concurrency, unique properties for settling lost creates). */
	private readonly batches: HubSpotBatches;

	constructor(options: HubSpotConnectorOptions) {
		const clients = createHubSpotClients(options);
		this.baseUrl = clients.baseUrl;
		this.http = clients.http;
		this.searchHttp = clients.searchHttp;
		this.batches = new HubSpotBatches(this, options.batchConcurrency ?? 3);
	}

	/**
	 * Search requests of one look-up (its `IN` chunks) in flight at once: the batch concurrency (default 3), capped
	 * by the search budget's `maxConcurrent`; the budget paces them to the search limit.
	 */
	get searchConcurrency(): number {
		return boundedConcurrency(
			this.batches.concurrency,
			3,
			this.searchHttp.budgetFor(`${this.baseUrl}/crm/v3/objects`),
		);
	}

	/** Requests sent so far by this connector (all attempts, search included). */
	get requestsSent(): number {
		return this.http.requestsSent + this.searchHttp.requestsSent;
	}

	/** Sends one request (relative path) and returns the parsed body. */
	async call<T>(request: HubSpotRequest): Promise<T> {
		const { search: isSearch, ...rest } = request;
		return await (isSearch ? this.searchHttp : this.http).json<T>(rest);
	}

	// ---------------------------------------------------------------------------------------------------
	// Account metadata (schema.ts, account.ts)

	/** Standard objects plus the account's custom objects (schemas API). */
	async listObjectTypes(): Promise<schema.HubSpotObjectType[]> {
		return await schema.listObjectTypes(this);
	}

	/** A custom object's schema (its required properties, labels …), by name, fully qualified name or `2-…` id. */
	async getSchema(objectType: string): Promise<HubSpotSchema> {
		return await schema.getSchema(this, objectType);
	}

	/** Property definitions of an object type. */
	async getProperties(
		objectType: string,
		options: { archived?: boolean } = {},
	): Promise<HubSpotProperty[]> {
		return await schema.getProperties(this, objectType, options);
	}

	/** One property definition. */
	async getProperty(objectType: string, name: string): Promise<HubSpotProperty> {
		return await schema.getProperty(this, objectType, name);
	}

	/** Creates a property. */
	async createProperty(
		objectType: string,
		definition: schema.NewPropertyDefinition,
	): Promise<HubSpotProperty> {
		return await schema.createProperty(this, objectType, definition);
	}

	/** Updates a property definition (label, options, group, …). */
	async updateProperty(
		objectType: string,
		name: string,
		changes: Partial<HubSpotProperty>,
	): Promise<HubSpotProperty> {
		return await schema.updateProperty(this, objectType, name, changes);
	}

	/** Owners (for dropdowns): the active ones, or the archived ones with `archived: true`. */
	async listOwners(options: account.ListOwnersOptions = {}): Promise<HubSpotOwner[]> {
		return await account.listOwners(this, options);
	}

	/** Pipelines and their stages of an object type (deals, tickets). */
	async listPipelines(objectType: string): Promise<HubSpotPipeline[]> {
		return await account.listPipelines(this, objectType);
	}

	// ---------------------------------------------------------------------------------------------------
	// Single records (records.ts)

	/** Creates one record. Not retried after it may have reached HubSpot (creating is not idempotent). */
	async createRecord(objectType: string, input: CreateInput): Promise<HubSpotObject> {
		return await records.createRecord(this, objectType, input);
	}

	/** Reads one record by id or by a unique property (`idProperty`). */
	async getRecord(
		objectType: string,
		id: string,
		options: records.GetRecordOptions = {},
	): Promise<HubSpotObject> {
		return await records.getRecord(this, objectType, id, options);
	}

	/** Updates one record (idempotent: the same values again change nothing). */
	async updateRecord(
		objectType: string,
		id: string,
		properties: Record<string, unknown>,
		options: { idProperty?: string } = {},
	): Promise<HubSpotObject> {
		return await records.updateRecord(this, objectType, id, properties, options);
	}

	/** Archives (deletes) one record. */
	async deleteRecord(objectType: string, id: string): Promise<void> {
		await records.deleteRecord(this, objectType, id);
	}

	/** Every record of a type, page by page (100 per request), streamed. */
	listRecords(
		objectType: string,
		options: records.ListRecordsOptions = {},
	): AsyncGenerator<HubSpotObject[]> {
		return records.listRecords(this, objectType, options);
	}

	// ---------------------------------------------------------------------------------------------------
	// Batch writes: ≤100 inputs per call, each input its own result (batch.ts)

	/** Creates records in batches of 100. A batch HubSpot rejects as a whole is split to isolate the bad inputs. */
	async batchCreate(
		objectType: string,
		inputs: CreateInput[],
		options: BatchWriteOptions = {},
	): Promise<BatchRunResult<HubSpotObject>> {
		return await this.batches.create(objectType, inputs, options);
	}

	/** Updates records by id (or by `idProperty`) in batches of 100. Duplicate ids in a batch are merged in order. */
	async batchUpdate(
		objectType: string,
		inputs: UpdateInput[],
		options: BatchWriteOptions = {},
	): Promise<BatchRunResult<HubSpotObject>> {
		return await this.batches.update(objectType, inputs, options);
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
		return await this.batches.upsert(objectType, inputs, options);
	}

	/** Archives (deletes) records by id in batches of 100. */
	async batchArchive(
		objectType: string,
		ids: string[],
		options: BatchWriteOptions = {},
	): Promise<BatchRunResult<HubSpotObject>> {
		return await this.batches.byIds(objectType, 'archive', ids, options);
	}

	/** Reads records by id (or `idProperty`) in batches of 100; a missing record fails alone. */
	async batchRead(
		objectType: string,
		ids: string[],
		options: BatchWriteOptions = {},
	): Promise<BatchRunResult<HubSpotObject>> {
		return await this.batches.byIds(objectType, 'read', ids, options);
	}

	// ---------------------------------------------------------------------------------------------------
	// Search (search.ts) and changes (changes.ts)

	/** One search request (≤200 results, no result past 10,000). */
	async search(
		objectType: string,
		request: HubSpotSearchRequest,
		signal?: AbortSignal,
	): Promise<HubSpotPage> {
		return await search.search(this, objectType, request, signal);
	}

	/**
	 * Every record matching the filters, streamed page by page — also past HubSpot's 10,000-result ceiling: results
	 * come sorted by `hs_object_id`, and before the ceiling the search restarts with `hs_object_id > last id seen`
	 * added to every filter group, so each window stays under 10,000.
	 */
	searchAll(objectType: string, options: SearchAllOptions = {}): AsyncGenerator<HubSpotObject[]> {
		return search.searchAll(this, objectType, options);
	}

	/** Every match (`returnAll`, as {@link searchAll}) or the first `limit` matches in the given order, streamed. */
	searchRecords(
		objectType: string,
		options: SearchRecordsOptions,
	): AsyncGenerator<HubSpotObject[]> {
		return search.searchRecords(this, objectType, options);
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
	// Associations (v4, associations.ts)

	/** Association labels between two object types. */
	async getAssociationLabels(fromType: string, toType: string): Promise<HubSpotAssociationLabel[]> {
		return await associations.getAssociationLabels(this, fromType, toType);
	}

	/**
	 * Associates pairs of records, in batches of 100: with HubSpot's default association, or with a label
	 * (`associationTypeId` + category) when `type` is given.
	 */
	async associate(
		fromType: string,
		toType: string,
		pairs: associations.AssociationPair[],
		type?: associations.AssociationType,
		signal?: AbortSignal,
	): Promise<BatchRunResult<unknown>> {
		return await associations.associate(this, this.batches, fromType, toType, pairs, type, signal);
	}

	/** Removes every association between pairs of records, in batches of 100. */
	async removeAssociations(
		fromType: string,
		toType: string,
		pairs: associations.AssociationPair[],
		signal?: AbortSignal,
	): Promise<BatchRunResult<unknown>> {
		return await associations.removeAssociations(
			this,
			this.batches,
			fromType,
			toType,
			pairs,
			signal,
		);
	}

	/** The records associated with each of `fromIds` (batch read, 100 per call; each id its own result). */
	async listAssociations(
		fromType: string,
		toType: string,
		fromIds: string[],
		signal?: AbortSignal,
	): Promise<BatchRunResult<HubSpotAssociatedRecord[]>> {
		return await associations.listAssociations(
			this,
			this.batches,
			fromType,
			toType,
			fromIds,
			signal,
		);
	}

	// ---------------------------------------------------------------------------------------------------
	// Forms (account.ts)

	/**
	 * Submits a form (`/submissions/v3/integration/submit/{portalId}/{formGuid}` on api.hsforms.com, or the
	 * sandbox's base URL; the secure variant with `secure: true`). Not retried after it may have reached HubSpot (a submission is not idempotent).
	 */
	async submitForm(
		portalId: string,
		formGuid: string,
		fields: account.FormField[],
		options: account.SubmitFormOptions = {},
	): Promise<{ inlineMessage?: string; redirectUri?: string }> {
		return await account.submitForm(this, portalId, formGuid, fields, options);
	}
}
