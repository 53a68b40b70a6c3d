/**
 * Salesforce behind the connector contract (`CrmConnector`), over the `SalesforceConnector` the nodes use:
 * describe in the common schema, look-ups by id or key in batched SOQL `IN` queries, one change feed of creates,
 * updates and deletions with a plain-JSON watermark, and writes through the Collections / Bulk API 2.0 paths
 * (their settling of lost answers and `OUTCOME_UNKNOWN` included).
 */
import type { BatchItemResult } from '../../batching/types';
import type { CrmRecord } from '../../records/types';
import type {
	Capabilities,
	ChangePage,
	ChangesOptions,
	ContractWriteOptions,
	CrmConnector,
	CrmUser,
	ObjectSchema,
	ObjectTypeSummary,
	RecentChangesOptions,
	StartWatermarkOptions,
	Watermark,
	WriteInput,
	WriteOperation,
	WrittenRecord,
} from '../contract';
import { DEFAULT_SAFETY_LAG_SECONDS } from './changes';
import { COLLECTION_SIZE, type SalesforceConnector } from './connector';
import {
	salesforceChangesSince,
	salesforceRecentChanges,
	salesforceStartWatermark,
} from './crmFeed';
import { apiName, validation } from './crmInput';
import { salesforceFindByKeys, salesforceGetByIds } from './crmLookup';
import { salesforceWrite } from './crmWrite';
import { LOOKUP_MAX_VALUES } from './lookup';
import { toObjectSchema, toObjectTypeSummary, upsertKeysOf } from './schema';
import { listSalesforceUsers } from './users';

export { wholeWriteFailure } from './crmWrite';

/** Options of {@link SalesforceCrm}. */
export interface SalesforceCrmOptions {
	/** From this many records on, `write` runs one Bulk API 2.0 job instead of Collections calls. Default 10,000. */
	bulkThreshold?: number;
	/** Collections requests in flight at once. Default 1 (Salesforce locks rows: parallel writes contend). */
	concurrency?: number;
	/** Changes per page of `changesSince`. Default 2,000 (one SOQL page). */
	changesPageSize?: number;
	/** Seconds of changes held back besides Salesforce's current second. Default {@link DEFAULT_SAFETY_LAG_SECONDS}. */
	safetyLagSeconds?: number;
}

/** Default of {@link SalesforceCrmOptions.bulkThreshold}: 50 Collections calls' worth, where one asynchronous job starts to pay. */
export const DEFAULT_BULK_THRESHOLD = 10_000;

/**
 * Salesforce as a `CrmConnector`: the composition of its parts — look-ups (`crmLookup.ts`), the change feed
 * (`crmFeed.ts`) and writes (`crmWrite.ts`), over the common schema of `schema.ts`.
 */
export class SalesforceCrm implements CrmConnector {
	readonly system = 'salesforce';
	private readonly options: Required<SalesforceCrmOptions>;

	constructor(
		readonly salesforce: SalesforceConnector,
		options: SalesforceCrmOptions = {},
	) {
		this.options = {
			bulkThreshold: options.bulkThreshold ?? DEFAULT_BULK_THRESHOLD,
			concurrency: options.concurrency ?? 1,
			changesPageSize: options.changesPageSize ?? 2000,
			safetyLagSeconds: options.safetyLagSeconds ?? DEFAULT_SAFETY_LAG_SECONDS,
		};
		if (!Number.isInteger(this.options.changesPageSize) || this.options.changesPageSize < 1)
			throw validation(
				`changesPageSize must be a positive whole number, got ${this.options.changesPageSize}`,
			);
	}

	/** Every `User` (Id, Email, Name, IsActive), active or not: what `OwnerId` fields point at. */
	async listUsers(options: { signal?: AbortSignal } = {}): Promise<CrmUser[]> {
		return await listSalesforceUsers(this.salesforce, options);
	}

	async listObjectTypes(): Promise<ObjectTypeSummary[]> {
		return (await this.salesforce.listObjects())
			.filter((o) => o.queryable !== false)
			.map(toObjectTypeSummary);
	}

	async describe(objectType: string): Promise<ObjectSchema> {
		return toObjectSchema(await this.salesforce.describe(apiName(objectType, 'Object')));
	}

	async capabilities(objectType: string): Promise<Capabilities> {
		const described = await this.salesforce.describe(apiName(objectType, 'Object'));
		return {
			batchSize: COLLECTION_SIZE,
			bulkThreshold: this.options.bulkThreshold,
			...upsertKeysOf(described),
			// Objects without a recycle bin (not `undeletable`) never show deleted rows to queryAll.
			deletesInChangeFeed: described.undeletable !== false,
			timestampPrecisionMs: 1000,
			maxKeysPerLookup: LOOKUP_MAX_VALUES,
		};
	}

	/** Records by id in batched SOQL `IN` queries: one per id (undefined where none), in input order. */
	async getByIds(
		objectType: string,
		ids: string[],
		fields?: string[],
	): Promise<Array<CrmRecord | undefined>> {
		return await salesforceGetByIds(this.salesforce, objectType, ids, fields);
	}

	/** Records by the values of a key field, compared as SOQL compares them: every match per value, in input order. */
	async findByKeys(
		objectType: string,
		field: string,
		values: string[],
		fields?: string[],
	): Promise<CrmRecord[][]> {
		return await salesforceFindByKeys(this.salesforce, objectType, field, values, fields);
	}

	/** Creates, updates and deletions after `watermark`, oldest first, in pages (see `crmFeed.ts`). */
	changesSince(
		objectType: string,
		watermark: Watermark | null,
		options: ChangesOptions = {},
	): AsyncIterable<ChangePage> {
		return salesforceChangesSince(this.salesforce, this.options, objectType, watermark, options);
	}

	/** Salesforce's time minus the safety lag, or the given time (see `crmFeed.ts`). */
	async startWatermark(
		objectType: string,
		at: 'now' | number | Date,
		options: StartWatermarkOptions = {},
	): Promise<Watermark> {
		return await salesforceStartWatermark(this.salesforce, this.options, objectType, at, options);
	}

	/** The latest changes of a feed: one SOQL query by the feed's time descending (`queryAll` where it has deletions). */
	async recentChanges(
		objectType: string,
		options: RecentChangesOptions = {},
	): Promise<CrmRecord[]> {
		return await salesforceRecentChanges(this.salesforce, objectType, options);
	}

	/** Writes through Collections or Bulk API 2.0: one result per input, in input order (see `crmWrite.ts`). */
	async write(
		operation: WriteOperation,
		objectType: string,
		inputs: WriteInput[],
		options: ContractWriteOptions = {},
	): Promise<Array<BatchItemResult<WrittenRecord>>> {
		return await salesforceWrite(
			this.salesforce,
			this.options,
			operation,
			objectType,
			inputs,
			options,
		);
	}
}
