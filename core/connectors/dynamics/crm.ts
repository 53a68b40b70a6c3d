/**
 * Dynamics 365 (Dataverse) behind the connector contract (`../contract.ts`), over {@link DataverseClient}:
 *
 * - object types: the tables with an entity set (`contacts`), from `EntityDefinitions`; describe reads the attributes,
 *   alternate keys and option sets (`schema.ts`);
 * - lookups: `Microsoft.Dynamics.CRM.In` filters, 100 values per request (`lookup.ts`);
 * - writes: `$batch`es of up to 1,000 requests, each its own change set, one result per input (`write.ts`);
 * - the change feed: `modifiedon` / `createdon` for creates and updates, change tracking (delta tokens) for deletions
 *   (`feed.ts`).
 */
import type { BatchItemResult } from '../../batching/types';
import { CrmError } from '../../http/errors';
import type { CrmRecord } from '../../records/types';
import type {
	Capabilities,
	ChangePage,
	ChangesOptions,
	ContractWriteOptions,
	CrmConnector,
	ObjectTypeSummary,
	RecentChangesOptions,
	StartWatermarkOptions,
	Watermark,
	WriteInput,
	WriteOperation,
	WrittenRecord,
} from '../contract';
import { DATAVERSE_MAX_PAGE_SIZE, type DataverseClient } from './client';
import {
	DATAVERSE_FEED_LAG_SECONDS,
	type DvFeedSettings,
	dynamicsChangesSince,
	dynamicsRecentChanges,
	dynamicsStartWatermark,
} from './feed';
import { DATAVERSE_LOOKUP_CHUNK, dataverseFindByKeys, dataverseGetByIds } from './lookup';
import { DYNAMICS_SYSTEM } from './records';
import {
	type DataverseEntity,
	type DataverseSchema,
	listDataverseEntities,
	readDataverseSchema,
} from './schema';
import { dataverseFetchXmlPages, parseFetchHead } from './fetchXml';
import { dataverseWrite, type DataverseWriteContext } from './write';
import { dataverseDelta, type DeltaResult } from './delta';
import { dataverseExecute, type ExecuteInput } from './execute';
import { dataverseRelate, type RelateInput, type RelateResult } from './relate';

/** Requests per `$batch` (Dataverse's limit). */
export const DATAVERSE_BATCH_LIMIT = 1000;

/** Options of {@link DynamicsCrm}. */
export interface DynamicsCrmOptions {
	/** Values per look-up request (default {@link DATAVERSE_LOOKUP_CHUNK}). */
	lookupChunk?: number;
	/** Seconds of changes the feed holds back besides Dataverse's current second (default {@link DATAVERSE_FEED_LAG_SECONDS}). */
	feedLagSeconds?: number;
	/** Rows per change page (default and most 5,000). */
	changesPageSize?: number;
	/**
	 * Requests per `$batch` write (default and most {@link DATAVERSE_BATCH_LIMIT}). Smaller batches finish sooner
	 * (a batch of 1,000 creates can run for a minute or more in Dataverse, against the 2-minute request timeout when
	 * plug-ins run on the table); lower it for tables with heavy plug-ins or large rows.
	 */
	batchSize?: number;
	/**
	 * `$batch`es of one write in flight at once (default 4, capped by the rate budget's `maxConcurrent`): Dataverse
	 * runs a batch's operations one after another, so one batch at a time leaves most of the execution-time allowance
	 * unused. The requests of one look-up (`getByIds`, `findByKeys`: a chunk of values each) run as many at once.
	 */
	concurrency?: number;
	/**
	 * Whether describe reads the option sets of picklist columns (default true): one request per option-set type.
	 * Writes and reads do not need them; a caller that only writes and reads (a node's execution) turns them off.
	 */
	optionSets?: boolean;
	/** Passed to the writes (tests: no real waiting for `Retry-After`). */
	writeOptions?: Pick<DataverseWriteContext, 'rateLimitRounds' | 'maxRetryAfterMs' | 'sleep'>;
}

/** Dataverse as a {@link CrmConnector}. */
export class DynamicsCrm implements CrmConnector {
	readonly system = DYNAMICS_SYSTEM;
	private entities?: Promise<DataverseEntity[]>;
	private readonly schemas = new Map<string, Promise<DataverseSchema>>();
	private readonly lookupChunk: number;
	private readonly feed: DvFeedSettings;
	private readonly batchSize: number;
	private readonly concurrency: number | undefined;
	private readonly optionSets: boolean;
	private readonly writeOptions: NonNullable<DynamicsCrmOptions['writeOptions']>;

	constructor(
		readonly client: DataverseClient,
		options: DynamicsCrmOptions = {},
	) {
		this.writeOptions = options.writeOptions ?? {};
		this.optionSets = options.optionSets ?? true;
		this.lookupChunk = options.lookupChunk ?? DATAVERSE_LOOKUP_CHUNK;
		this.feed = {
			lagSeconds: Math.max(0, options.feedLagSeconds ?? DATAVERSE_FEED_LAG_SECONDS),
			pageSize: Math.max(
				1,
				Math.min(DATAVERSE_MAX_PAGE_SIZE, options.changesPageSize ?? DATAVERSE_MAX_PAGE_SIZE),
			),
		};
		this.concurrency = options.concurrency;
		this.batchSize = Math.max(
			1,
			Math.min(DATAVERSE_BATCH_LIMIT, Math.floor(options.batchSize ?? DATAVERSE_BATCH_LIMIT)),
		);
	}

	/** The tables (read once per instance). */
	private listEntities(): Promise<DataverseEntity[]> {
		if (!this.entities) {
			this.entities = listDataverseEntities(this.client);
			this.entities.catch(() => (this.entities = undefined));
		}
		return this.entities;
	}

	/** The table of an object type: its entity set name, or its logical name. */
	private async entity(objectType: string): Promise<DataverseEntity> {
		const all = await this.listEntities();
		const found =
			all.find((e) => e.name === objectType) ?? all.find((e) => e.logicalName === objectType);
		if (!found)
			throw new CrmError(`Dynamics 365 has no table "${objectType}"`, {
				kind: 'notFound',
				hint: 'Use the entity set name (e.g. contacts, accounts) or the logical name (contact).',
			});
		return found;
	}

	async listObjectTypes(): Promise<ObjectTypeSummary[]> {
		return (await this.listEntities()).map(({ name, label, custom }) => ({ name, label, custom }));
	}

	/** The table's fields in the common schema (read once per table and instance, whichever name asks). */
	async describe(objectType: string): Promise<DataverseSchema> {
		const entity = await this.entity(objectType);
		let schema = this.schemas.get(entity.name);
		if (!schema) {
			schema = readDataverseSchema(this.client, entity, this.optionSets);
			schema.catch(() => this.schemas.delete(entity.name));
			this.schemas.set(entity.name, schema);
		}
		return await schema;
	}

	async capabilities(objectType: string): Promise<Capabilities> {
		const schema = await this.describe(objectType);
		const keys = schema.fields.filter((f) => f.externalId).map((f) => f.name);
		return {
			batchSize: this.batchSize,
			upsertKeys: keys,
			// Dataverse's default collation compares every string case-insensitively, keys included.
			caseInsensitiveKeys: schema.fields
				.filter((f) => f.externalId && ['string', 'email', 'phone', 'url'].includes(f.type))
				.map((f) => f.name),
			// Deletions come from change tracking, a per-table setting (`ChangeTrackingEnabled`).
			deletesInChangeFeed: schema.entity.changeTracking,
			// Deletions come after a delta token only: nothing lists the latest N without auditing.
			recentDeletions: false,
			// `modifiedon` is stored to the second.
			timestampPrecisionMs: 1000,
			maxKeysPerLookup: this.lookupChunk,
		};
	}

	async getByIds(
		objectType: string,
		ids: string[],
		fields?: string[],
	): Promise<Array<CrmRecord | undefined>> {
		if (!ids.length) return [];
		const schema = await this.describe(objectType);
		return await dataverseGetByIds(
			this.client,
			schema,
			ids,
			fields,
			this.lookupChunk,
			this.concurrency,
		);
	}

	async findByKeys(
		objectType: string,
		field: string,
		values: string[],
		fields?: string[],
	): Promise<CrmRecord[][]> {
		if (!values.length) return [];
		const schema = await this.describe(objectType);
		return await dataverseFindByKeys(
			this.client,
			schema,
			field,
			values,
			fields,
			this.lookupChunk,
			this.concurrency,
		);
	}

	/** Changes after `watermark` (`feed.ts`): deletions from change tracking, creates and updates by `modifiedon`. */
	async *changesSince(
		objectType: string,
		watermark: Watermark | null,
		options: ChangesOptions = {},
	): AsyncIterable<ChangePage> {
		const schema = await this.describe(objectType);
		yield* dynamicsChangesSince(this.client, this.feed, schema, watermark, options);
	}

	async startWatermark(
		objectType: string,
		at: 'now' | number | Date,
		options: StartWatermarkOptions = {},
	): Promise<Watermark> {
		const schema = await this.describe(objectType);
		return await dynamicsStartWatermark(this.client, this.feed, schema, at, options);
	}

	async recentChanges(
		objectType: string,
		options: RecentChangesOptions = {},
	): Promise<CrmRecord[]> {
		const schema = await this.describe(objectType);
		return await dynamicsRecentChanges(this.client, schema, options);
	}

	/**
	 * The pages of a FetchXML query, to the last one (paging cookie to the next page, `fetchXml.ts`); the table is the
	 * query's `<entity name>` (a logical name).
	 */
	async *fetchXml(
		xml: string,
		options: { pageSize?: number; signal?: AbortSignal } = {},
	): AsyncIterable<Array<Record<string, unknown>>> {
		const entity = await this.entity(parseFetchHead(xml).entity);
		yield* dataverseFetchXmlPages(this.client, entity.name, xml, options);
	}

	/**
	 * Creates, updates or upserts (by id, or by a one-column alternate key named in `key`: an update by key never
	 * creates) or deletes rows, in `$batch`es;
	 * one result per input, in input order (see `write.ts`).
	 */
	async write(
		operation: WriteOperation,
		objectType: string,
		inputs: WriteInput[],
		options: ContractWriteOptions = {},
	): Promise<Array<BatchItemResult<WrittenRecord>>> {
		if (!['create', 'update', 'upsert', 'delete'].includes(operation))
			throw new CrmError(
				`Dynamics 365: unknown write operation "${String(operation)}" — use create, update, upsert or delete`,
				{ kind: 'validation' },
			);
		if (!inputs.length) return [];
		const schema = await this.describe(objectType);
		const key = operation === 'upsert' || operation === 'update' ? options.key : undefined;
		if (key !== undefined && key !== schema.idField) {
			const keys = schema.fields.filter((f) => f.externalId).map((f) => f.name);
			if (!keys.includes(key))
				throw new CrmError(
					`Dynamics 365 ${operation} on ${schema.name}: "${key}" is not an alternate key — match on one of: ${keys.join(', ') || `(none: define a one-column alternate key, or ${operation} by ${schema.idField})`}`,
					{ kind: 'validation' },
				);
		}
		return await dataverseWrite(
			{
				client: this.client,
				schema,
				entities: await this.listEntities(),
				batchSize: this.batchSize,
				concurrency: this.concurrency,
				...this.writeOptions,
			},
			operation,
			inputs,
			{ key, signal: options.signal },
		);
	}

	/** Adds or removes links between rows (`$ref`, `relate.ts`), in `$batch`es; one result per input. */
	async relate(
		operation: 'associate' | 'disassociate',
		objectType: string,
		inputs: RelateInput[],
	): Promise<Array<BatchItemResult<RelateResult>>> {
		const schema = await this.describe(objectType);
		return await dataverseRelate(this.client, schema, operation, inputs, {
			batchSize: this.batchSize,
			concurrency: this.concurrency,
			...this.writeOptions,
		});
	}

	/** Calls functions and actions (`execute.ts`), in `$batch`es; one result (the answer's body) per input. */
	async execute(inputs: ExecuteInput[]): Promise<Array<BatchItemResult<Record<string, unknown>>>> {
		return await dataverseExecute(this.client, inputs, {
			batchSize: this.batchSize,
			concurrency: this.concurrency,
			...this.writeOptions,
		});
	}

	/** The changes since a delta token, or every row and a first token (`delta.ts`). */
	async changes(objectType: string, token: string | null, fields?: string[]): Promise<DeltaResult> {
		return await dataverseDelta(this.client, await this.describe(objectType), token, fields);
	}
}
