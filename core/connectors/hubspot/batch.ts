/**
 * HubSpot's batch endpoints: ≤100 inputs per call, every input its own result, a batch rejected as a whole split
 * to isolate its bad inputs (`runBatches`). Creates, updates, upserts, archives and reads of records go through
 * `sendWriteChunk` (see writeChunk.ts); lost create answers are settled by the account's unique properties.
 */
import {
	type BatchRunResult,
	runBatches,
	type RunBatchesOptions,
} from '../../batching/run-batches';
import { CrmError } from '../../http/errors';
import { classifyHubSpotBatchError, describeHubSpotError, type BatchKind } from './batchResponse';
import type { HubSpotCaller } from './clients';
import {
	encode,
	toProperties,
	type CreateInput,
	type UpdateInput,
	type UpsertInput,
} from './records';
import { isUniqueProperty } from './schema';
import { type CreateSettlement, settleLostCreates, uniqueKeyOf } from './settle';
import type { HubSpotBatchResponse, HubSpotObject, HubSpotProperty } from './types';
import { type BatchWriteOptions, sendWriteChunk, type WriteInput } from './writeChunk';

export type { BatchWriteOptions } from './writeChunk';

/** HubSpot's batch size limit. */
export const HUBSPOT_BATCH_LIMIT = 100;

/** What the batch writer needs of the connector. */
export interface BatchHost extends HubSpotCaller {
	getProperties(objectType: string): Promise<HubSpotProperty[]>;
}

/** The batch writes of one connector, with its concurrency and its cache of unique properties. */
export class HubSpotBatches {
	/** Unique properties per object type (for settling lost creates), read once per connector. */
	private readonly uniqueProperties = new Map<string, Promise<string[]>>();

	constructor(
		private readonly host: BatchHost,
		/** Batch requests in flight at once. */
		readonly concurrency: number,
	) {}

	/** Runs `send` over `items` in HubSpot batches of 100, with the connector's concurrency and HubSpot's batch error handling. */
	async run<TIn, TOut>(
		items: TIn[],
		signal: AbortSignal | undefined,
		send: RunBatchesOptions<TIn, TOut>['send'],
	): Promise<BatchRunResult<TOut>> {
		return await runBatches<TIn, TOut>({
			items,
			maxCount: HUBSPOT_BATCH_LIMIT,
			concurrency: this.concurrency,
			signal,
			classifyBatchError: classifyHubSpotBatchError,
			describeError: describeHubSpotError,
			send,
		});
	}

	/** Batch create. */
	async create(
		objectType: string,
		inputs: CreateInput[],
		options: BatchWriteOptions,
	): Promise<BatchRunResult<HubSpotObject>> {
		return await this.write(objectType, 'create', inputs, options, (input) => ({
			properties: toProperties(input.properties),
			associations: input.associations ?? [],
		}));
	}

	/** Batch update by id or `idProperty`. */
	async update(
		objectType: string,
		inputs: UpdateInput[],
		options: BatchWriteOptions,
	): Promise<BatchRunResult<HubSpotObject>> {
		return await this.write(objectType, 'update', inputs, options, (input) => ({
			id: String(input.id),
			properties: toProperties(input.properties),
			...(options.idProperty ? { idProperty: options.idProperty } : {}),
		}));
	}

	/** Batch upsert by a unique property. */
	async upsert(
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
		return await this.write(objectType, 'upsert', inputs, options, (input) => ({
			id: String(input.id),
			idProperty: options.idProperty,
			properties: toProperties(input.properties),
		}));
	}

	/** Batch archive (`archive`) or read (`read`) by id. */
	async byIds(
		objectType: string,
		kind: 'archive' | 'read',
		ids: string[],
		options: BatchWriteOptions,
	): Promise<BatchRunResult<HubSpotObject>> {
		return await this.write(
			objectType,
			kind,
			ids.map((id) => ({ id: String(id), properties: {} })),
			options,
			(input) => ({ id: input.id }),
		);
	}

	private async write<TIn extends WriteInput>(
		objectType: string,
		kind: BatchKind,
		inputs: TIn[],
		options: BatchWriteOptions,
		toWire: (input: TIn) => Record<string, unknown>,
	): Promise<BatchRunResult<HubSpotObject>> {
		let traceCounter = 0;
		const context = {
			call: <T>(request: Parameters<HubSpotCaller['call']>[0]) => this.host.call<T>(request),
			objectType,
			kind,
			options,
			toWire,
			nextTraceId: () => `n8n-${++traceCounter}`,
			settle: async (wire: Array<Record<string, unknown>>, firstSentAt: number) =>
				await this.settleCreates(objectType, wire, firstSentAt, options.signal),
		};
		return await this.run<TIn, HubSpotObject>(
			inputs,
			options.signal,
			async (chunk) => await sendWriteChunk(context, chunk),
		);
	}

	/** The properties records of a type can be looked up by (contacts: email; any property with `hasUniqueValue`). */
	private async uniquePropertiesOf(objectType: string, needMore: boolean): Promise<string[]> {
		const known = objectType === 'contacts' || objectType === '0-1' ? ['email'] : [];
		if (!needMore && known.length > 0) return known;
		let read = this.uniqueProperties.get(objectType);
		if (!read) {
			read = this.host.getProperties(objectType).then(
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
				const res = await this.host.http.request<HubSpotBatchResponse | undefined>({
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
}
