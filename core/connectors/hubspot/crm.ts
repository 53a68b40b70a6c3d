/**
 * HubSpot behind the connector contract (`../contract.ts`), over the {@link HubSpotConnector} the nodes use:
 *
 * - describe: the properties API in the common field schema (`hs_object_id` → id, enumeration select/radio → picklist,
 *   checkbox → multi-picklist, phone numbers, contacts' `email`; calculated and HubSpot-maintained values read-only;
 *   unique = `hasUniqueValue` or contacts' `email`, which are also the upsert keys);
 * - lookups: batch read by id, or by a unique property (`idProperty`); any other property through search `IN`
 *   (≤100 values per filter, every match per value). Search is served from HubSpot's search index, which sees a write
 *   seconds late; reads by id or unique property are current;
 * - changes: creates and updates through `changes.ts` (by position on HubSpot's clock, minus the safety lag), and
 *   deletions from the archived records (`GET …/objects/{type}?archived=true`, each with `archivedAt`), both
 *   positions in one plain-JSON watermark;
 * - writes: HubSpot's batch endpoints through the connector (100 per call; results matched to inputs by trace id /
 *   key, never by position; lost answers settled or `OUTCOME_UNKNOWN`, see `settle.ts`).
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
import { HUBSPOT_BATCH_LIMIT, type HubSpotConnector } from './connector';
import {
	type FeedSettings,
	hubspotChangesSince,
	hubspotRecentChanges,
	hubspotStartWatermark,
} from './crmFeed';
import { hubspotFindByKeys, hubspotGetByIds } from './crmLookup';
import { isContacts, readHubSpotSchema } from './crmSchema';
import { hubspotWrite } from './crmWrite';
import { listHubSpotUsers } from './users';

export { HUBSPOT_IN_VALUES_LIMIT } from './crmLookup';
export { hubspotFieldSchema, hubspotFieldType, hubspotRecord } from './crmSchema';
export { hubspotWatermark, parseHubSpotWatermark } from './feed';

/** Options of {@link HubSpotCrm}. */
export interface HubSpotCrmOptions {
	/** Changes younger than this by HubSpot's clock wait for a later read (its search index lags writes). Default 30 s. */
	safetyLagSeconds?: number;
	/**
	 * Report deletions in `changesSince` (default true). HubSpot lists archived records with no time filter, so every
	 * read pages through all records archived in the last 90 days (HubSpot keeps them that long): 100 per request.
	 */
	deletions?: boolean;
	/** Search results per change page (≤200). Default 200. */
	pageSize?: number;
}

/**
 * HubSpot as a {@link CrmConnector}: the composition of its parts — schema mapping (`crmSchema.ts`), look-ups
 * (`crmLookup.ts`), the change feed (`crmFeed.ts`) and writes (`crmWrite.ts`).
 */
export class HubSpotCrm implements CrmConnector {
	readonly system = 'hubspot';
	private readonly lagSeconds: number;
	private readonly deletions: boolean;
	private readonly pageSize?: number;
	private readonly schemas = new Map<string, Promise<ObjectSchema>>();

	constructor(
		/** The connector underneath (its HTTP client, budgets and batch machinery). */
		readonly hubspot: HubSpotConnector,
		options: HubSpotCrmOptions = {},
	) {
		this.lagSeconds = options.safetyLagSeconds ?? DEFAULT_SAFETY_LAG_SECONDS;
		this.deletions = options.deletions ?? true;
		this.pageSize = options.pageSize;
	}

	/** The feed settings handed to `crmFeed.ts`. */
	private get feed(): FeedSettings {
		return { lagSeconds: this.lagSeconds, deletions: this.deletions, pageSize: this.pageSize };
	}

	/** Every owner, active and archived (inactive): what `hubspot_owner_id` holds. */
	async listUsers(options: { signal?: AbortSignal } = {}): Promise<CrmUser[]> {
		return await listHubSpotUsers(this.hubspot, options);
	}

	async listObjectTypes(): Promise<ObjectTypeSummary[]> {
		return (await this.hubspot.listObjectTypes()).map((t) => ({
			name: t.name,
			label: t.label,
			custom: t.custom,
		}));
	}

	/** The object type's fields (read once per object type and instance). */
	describe(objectType: string): Promise<ObjectSchema> {
		let schema = this.schemas.get(objectType);
		if (!schema) {
			schema = readHubSpotSchema(this.hubspot, objectType);
			schema.catch(() => this.schemas.delete(objectType));
			this.schemas.set(objectType, schema);
		}
		return schema;
	}

	async capabilities(objectType: string): Promise<Capabilities> {
		const schema = await this.describe(objectType);
		return {
			batchSize: HUBSPOT_BATCH_LIMIT,
			upsertKeys: schema.fields.filter((f) => f.externalId).map((f) => f.name),
			caseInsensitiveKeys: isContacts(objectType) ? ['email'] : [],
			deletesInChangeFeed: this.deletions,
			timestampPrecisionMs: 1,
			maxKeysPerLookup: HUBSPOT_BATCH_LIMIT,
		};
	}

	/** Batch read by id: one record per id (undefined where there is none), in input order. */
	async getByIds(
		objectType: string,
		ids: string[],
		fields?: string[],
	): Promise<Array<CrmRecord | undefined>> {
		return await hubspotGetByIds(this.hubspot, objectType, ids, fields);
	}

	/** By id, a unique property (batch read) or any other property (search `IN`): every match per value, in input order. */
	async findByKeys(
		objectType: string,
		field: string,
		values: string[],
		fields?: string[],
	): Promise<CrmRecord[][]> {
		const schema = await this.describe(objectType);
		return await hubspotFindByKeys(this.hubspot, schema, objectType, field, values, fields);
	}

	/** Deletions first, then creates and updates, up to HubSpot's clock minus the safety lag (see `crmFeed.ts`). */
	changesSince(
		objectType: string,
		watermark: Watermark | null,
		options: ChangesOptions = {},
	): AsyncGenerator<ChangePage> {
		return hubspotChangesSince(this.hubspot, this.feed, objectType, watermark, options);
	}

	/** HubSpot's time minus the safety lag, or the given time (see `crmFeed.ts`). */
	async startWatermark(
		objectType: string,
		at: 'now' | number | Date,
		options: StartWatermarkOptions = {},
	): Promise<Watermark> {
		return await hubspotStartWatermark(this.hubspot, this.feed, objectType, at, options);
	}

	/** The latest changes of a feed, oldest first (see `crmFeed.ts`). */
	async recentChanges(
		objectType: string,
		options: RecentChangesOptions = {},
	): Promise<CrmRecord[]> {
		return await hubspotRecentChanges(this.hubspot, this.feed, objectType, options);
	}

	/** HubSpot's batch endpoints: one result per input, in input order (see `crmWrite.ts`). */
	async write(
		operation: WriteOperation,
		objectType: string,
		inputs: WriteInput[],
		options: ContractWriteOptions = {},
	): Promise<Array<BatchItemResult<WrittenRecord>>> {
		return await hubspotWrite(
			this.hubspot,
			async () => (await this.capabilities(objectType)).upsertKeys,
			operation,
			objectType,
			inputs,
			options,
		);
	}
}
