/**
 * The connector contract: one interface every CRM implements (Salesforce and HubSpot now; Dynamics 365 and the
 * REST/GraphQL endpoint profile next), so that the sync engine, the triggers and the generic parts of the nodes
 * work without knowing which CRM is behind it. A connector that passes the conformance suite (`test/contract`)
 * against its simulator is ready for them.
 *
 * Rules every implementation keeps:
 * - one result per input, in input order, whatever order the CRM answers in; one bad record never fails another;
 * - an answer lost after sending is settled (looked up by a unique field) or reported as `OUTCOME_UNKNOWN`;
 * - reads stream (pages), nothing holds a whole result set;
 * - a change feed never passes the CRM's own "now" (minus its visibility lag): a change made while reading is
 *   picked up by the next call, and a stored watermark resumes exactly — nothing missed, nothing repeated.
 */
import type { BatchItemResult } from '../batching/types';
import type { CrmRecord } from '../records/types';

/** The common field types. A CRM type that fits none is `other` (its own name stays in `crmType`). */
export type FieldType =
	| 'id'
	| 'string'
	| 'number'
	| 'boolean'
	| 'date'
	| 'datetime'
	| 'picklist'
	| 'multipicklist'
	| 'reference'
	| 'email'
	| 'phone'
	| 'url'
	| 'other';

/** One field of an object, in the common schema. */
export interface FieldSchema {
	/** API name (what `write` and `fields` use). */
	name: string;
	label: string;
	type: FieldType;
	/** The CRM's own type name (`double`, `enumeration`, `Lookup` …). */
	crmType: string;
	/** Picklists: the allowed values. */
	options?: Array<{ value: string; label: string }>;
	/** References: the object type(s) it points at. */
	referenceTo?: string[];
	/** Must be given on create (not nillable, not defaulted by the CRM). */
	requiredOnCreate: boolean;
	/** Never writable (system or calculated). */
	readOnly: boolean;
	createable: boolean;
	updateable: boolean;
	/** The CRM enforces unique values (a match key). */
	unique: boolean;
	/** Usable as an upsert key (Salesforce external ID, HubSpot unique property, Dataverse alternate key). */
	externalId: boolean;
	/** Text length limit, when the CRM has one. */
	length?: number;
	/** Hidden from the CRM's own forms (HubSpot `hidden`): field pickers offer it only as a key. */
	hidden?: boolean;
}

/** An object type (table) of the CRM. */
export interface ObjectTypeSummary {
	name: string;
	label: string;
	custom: boolean;
}

/** An object type with its fields. */
export interface ObjectSchema extends ObjectTypeSummary {
	/** The field holding the record id. */
	idField: string;
	/** The field holding the last-modified time the change feed follows. */
	updatedAtField: string;
	fields: FieldSchema[];
}

/** What a generic caller must know about an object type instead of asking "is this Salesforce?". */
export interface Capabilities {
	/** Records per write request. */
	batchSize: number;
	/** At or above this many records, `write` takes the CRM's bulk path (undefined: it has none). */
	bulkThreshold?: number;
	/** Fields usable as an upsert / match key. */
	upsertKeys: string[];
	/** Keys the CRM matches case-insensitively (e.g. HubSpot `email`). */
	caseInsensitiveKeys: string[];
	/** Whether `changesSince` reports deletions. */
	deletesInChangeFeed: boolean;
	/**
	 * Whether `recentChanges` can list past deletions (default: as `deletesInChangeFeed`). False where deletions come
	 * only from a feed position (Dataverse's change tracking reports deletions after a delta token, but nothing lists
	 * the latest N deletions without auditing).
	 */
	recentDeletions?: boolean;
	/** Precision of `updatedAt`, in ms (1000 for Salesforce's whole seconds). */
	timestampPrecisionMs: number;
	/** Most values per `getByIds` / `findByKeys` request. */
	maxKeysPerLookup: number;
	/**
	 * Whether `findByKeys` works (default true). False where the API has no way to filter records by a field (an
	 * endpoint profile without `find`): `findByKeys` then throws, and a caller must match by id instead.
	 */
	keyLookup?: boolean;
}

/** A position in a change feed: plain JSON the caller stores as it is and hands back. */
export type Watermark = { readonly [key: string]: string | number | boolean | null | string[] };

/** One page of changes and the watermark to store once the page has been handled. */
export interface ChangePage {
	/** Creates and updates (latest state), and deletions (`deleted: true`), oldest first. */
	records: CrmRecord[];
	watermark: Watermark;
	/**
	 * The watermark after each record (same order and length as `records`; the last one is `watermark`): a caller
	 * that handles records one at a time stores the one after the last it handled and resumes exactly there.
	 * Optional for connectors that cannot tell (a caller then resumes from the page's start, repeating, never missing).
	 */
	recordWatermarks?: Watermark[];
}

/** Options of {@link CrmConnector.changesSince}. */
export interface ChangesOptions {
	/** Fields to read (default: the CRM's default set; always with id and updatedAt). */
	fields?: string[];
	/** Read no change after this time (epoch ms or Date; default: the CRM's now minus its lag). */
	until?: number | Date;
	/**
	 * Which feed (default `all`): `all` = creates, updates and deletions by last-modified time; `updated` = the same
	 * without deletions (cheaper where the CRM reads deletions apart, e.g. Salesforce `query` instead of `queryAll`,
	 * HubSpot without its archived list); `created` = records
	 * in the order of their creation time, each once (its state when read), no deletions — the only exact way to tell
	 * a record's first appearance from an update (a record created and then updated before a read shows up in the
	 * `all` feed once, after earlier positions, with nothing saying whether it was handed out before); `deleted` =
	 * deletions only (read with the CRM's own filter). A watermark belongs to the feed that handed it out.
	 */
	kind?: ChangeFeedKind;
	/** Hand out at most this many records in all (the last page's watermark stays exact; the rest is the next call's). */
	limit?: number;
	signal?: AbortSignal;
}

/** Options of {@link CrmConnector.startWatermark}. */
export interface StartWatermarkOptions {
	kind?: ChangeFeedKind;
	/** With a time: ids of records changed at exactly that time already handed out (in the feed's order). */
	after?: string[];
	signal?: AbortSignal;
}

/** Options of {@link CrmConnector.recentChanges}. */
export interface RecentChangesOptions {
	kind?: ChangeFeedKind;
	/** Fields to read (default: the CRM's default set; always with id and the feed's time). */
	fields?: string[];
	/** How many (default 1). */
	limit?: number;
	signal?: AbortSignal;
}

/**
 * `CrmError.crmCode` of a change feed that cannot resume from a stored watermark any more (e.g. a Dataverse delta
 * token older than the CRM keeps changes): the caller must start the feed again (`startWatermark`) and resync.
 */
export const WATERMARK_EXPIRED = 'WATERMARK_EXPIRED';

/** The feeds of {@link ChangesOptions.kind}. */
export type ChangeFeedKind = 'all' | 'updated' | 'created' | 'deleted';

/** The write operations. */
export type WriteOperation = 'create' | 'update' | 'upsert' | 'delete';

/** One record to write: `id` for update and delete; for upsert the key field's value is in `fields`. */
export interface WriteInput {
	id?: string;
	fields: Record<string, unknown>;
}

/** Options of {@link CrmConnector.write}. */
export interface ContractWriteOptions {
	/** Upsert (and update, where the connector supports it): the unique / external-id field to match on. */
	key?: string;
	signal?: AbortSignal;
}

/** A written record. */
export interface WrittenRecord {
	id: string;
	/** Upserts: created (true) or updated (false), when the CRM says. */
	created?: boolean;
}

/**
 * A user of the CRM that record owner fields point at (Salesforce `User` behind `OwnerId`, a HubSpot owner behind
 * `hubspot_owner_id`): what a sync needs to map an owner from one CRM to the other (by e-mail).
 */
export interface CrmUser {
	/** The id an owner field holds (Salesforce User Id, HubSpot owner id — not the HubSpot user id). */
	id: string;
	email?: string;
	name?: string;
	/** False for a deactivated user / archived owner: records may still point at it; new assignments usually fail. */
	active: boolean;
}

/** The contract. */
export interface CrmConnector {
	/** Which system (`salesforce`, `hubspot` …): the `source` of its records; for labels, never for branching. */
	readonly system: string;
	listObjectTypes(): Promise<ObjectTypeSummary[]>;
	describe(objectType: string): Promise<ObjectSchema>;
	capabilities(objectType: string): Promise<Capabilities>;
	/** The record of each id, in the order of `ids` (undefined where there is none). Batched. */
	getByIds(
		objectType: string,
		ids: string[],
		fields?: string[],
	): Promise<Array<CrmRecord | undefined>>;
	/** Every record whose `field` equals each value, in the order of `values` (two matches → two records). Batched. */
	findByKeys(
		objectType: string,
		field: string,
		values: string[],
		fields?: string[],
	): Promise<CrmRecord[][]>;
	/** Changes after `watermark` (null: from the beginning), page by page. */
	changesSince(
		objectType: string,
		watermark: Watermark | null,
		options?: ChangesOptions,
	): AsyncIterable<ChangePage>;
	/**
	 * The watermark of the `kind` feed (default `all`) before every change at or after `at`: `'now'` is the CRM's
	 * own current time minus its visibility lag (never the caller's clock), so only later changes follow. With a time,
	 * `after` lists the ids of records changed at exactly `at` that were already handed out (a position kept in
	 * another form, e.g. an earlier version's `time|ids`): the feed resumes after them.
	 */
	startWatermark(
		objectType: string,
		at: 'now' | number | Date,
		options?: StartWatermarkOptions,
	): Promise<Watermark>;
	/**
	 * The latest `limit` changes of the `kind` feed (default `all`), oldest first, up to the CRM's now (no lag, no
	 * watermark): a sample of what the feed hands out, e.g. a trigger's "Fetch Test Event". Optional.
	 */
	recentChanges?(objectType: string, options?: RecentChangesOptions): Promise<CrmRecord[]>;
	/** One result per input, in input order: the written record, or the CRM's code and message (or `OUTCOME_UNKNOWN`). */
	write(
		operation: WriteOperation,
		objectType: string,
		inputs: WriteInput[],
		options?: ContractWriteOptions,
	): Promise<Array<BatchItemResult<WrittenRecord>>>;
	/**
	 * Optional: the users / owners that record owner fields point at, every page, active and inactive alike.
	 * A connector without it has no owner concept the sync can map (a caller checks `listUsers` before calling).
	 */
	listUsers?(options?: { signal?: AbortSignal }): Promise<CrmUser[]>;
}
