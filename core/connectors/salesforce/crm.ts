/**
 * Salesforce behind the connector contract (`CrmConnector`), over the `SalesforceConnector` the nodes use:
 * describe in the common schema, look-ups by id or key in batched SOQL `IN` queries, one change feed of creates,
 * updates and deletions with a plain-JSON watermark, and writes through the Collections / Bulk API 2.0 paths
 * (their settling of lost answers and `OUTCOME_UNKNOWN` included).
 */
import { BATCH_CODES, type BatchItemError, type BatchItemResult } from '../../batching/types';
import { CrmError, failedBeforeProcessing, isCrmError } from '../../http/errors';
import { soql, soqlIdentifier, type SoqlFragment, type SoqlValue } from '../../query/soql';
import { toRecord } from '../../records/record';
import type { CrmRecord } from '../../records/types';
import type {
	Capabilities,
	ChangeFeedKind,
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
import {
	type ChangeEvent,
	type ChangeWatermark,
	DEFAULT_SAFETY_LAG_SECONDS,
	latestWatermark,
	openSecond,
	readChanges,
	timestampMs,
	watermarkField,
} from './changes';
import {
	COLLECTION_SIZE,
	type FieldDescribe,
	type SalesforceConnector,
	type SalesforceRecord,
	type WriteResult,
} from './connector';
import { LOOKUP_MAX_VALUES, lookupRecords } from './lookup';
import { idProblem } from './records';
import {
	ID_FIELD,
	toObjectSchema,
	toObjectTypeSummary,
	UPDATED_AT_FIELD,
	upsertKeysOf,
} from './schema';
import { listSalesforceUsers } from './users';

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

const NUMERIC = new Set(['int', 'long', 'double', 'currency', 'percent']);
const TEXTUAL = new Set([
	'string',
	'email',
	'phone',
	'url',
	'picklist',
	'multipicklist',
	'textarea',
	'encryptedstring',
	'combobox',
]);

/** The start of every change feed: before any record. */
const BEGINNING: ChangeWatermark = { ts: '1970-01-01T00:00:00.000Z', id: '' };

function validation(message: string, hint?: string): CrmError {
	return new CrmError(message, {
		kind: 'validation',
		crmCode: 'INVALID_INPUT',
		...(hint ? { hint } : {}),
	});
}

/** An object or field name, checked (a bad one names the fix). */
function apiName(name: string, what: string): string {
	try {
		return soqlIdentifier(name);
	} catch (error) {
		throw validation(
			`${what} ${JSON.stringify(name)} is not a Salesforce API name: ${(error as Error).message}`,
		);
	}
}

/** The failure of every record of a write that failed as a whole: not written when it never reached Salesforce, else outcome unknown. */
export function wholeWriteFailure(error: unknown, operation: WriteOperation): BatchItemError {
	const what =
		operation === 'delete'
			? 'deleted'
			: operation === 'create'
				? 'created'
				: operation === 'update'
					? 'updated'
					: 'upserted';
	if (isCrmError(error)) {
		const message = `${error.message}${error.hint ? ` — ${error.hint}` : ''}`;
		if (failedBeforeProcessing(error))
			return { message: `not ${what}: ${message}`, code: error.crmCode ?? error.kind };
		return {
			message: `outcome unknown: the write failed as a whole (${message}); check in Salesforce whether this record was ${what} before re-running it`,
			code: BATCH_CODES.outcomeUnknown,
			details: { cause: error.crmCode ?? error.kind },
		};
	}
	const message = error instanceof Error ? error.message : String(error);
	return {
		message: `outcome unknown: the write failed as a whole (${message}); check in Salesforce whether this record was ${what} before re-running it`,
		code: BATCH_CODES.outcomeUnknown,
	};
}

/** The reader's event of a feed: changes by SystemModstamp (with deletions through queryAll for `all`), creations by CreatedDate. */
function feedEvent(kind: ChangeFeedKind): ChangeEvent {
	if (kind === 'created' || kind === 'deleted') return kind;
	if (kind === 'all' || kind === 'updated') return 'updated';
	throw validation(
		`Unknown change feed "${String(kind)}"`,
		'Use all, updated, created or deleted.',
	);
}

/** A watermark handed back by the caller, checked. */
function parseWatermark(watermark: Watermark | null): ChangeWatermark {
	if (watermark === null) return BEGINNING;
	const { ts, id } = watermark as { ts?: unknown; id?: unknown };
	if (
		typeof ts !== 'string' ||
		Number.isNaN(timestampMs(ts)) ||
		typeof id !== 'string' ||
		(id !== '' && idProblem(id) !== undefined)
	) {
		throw validation(
			`The watermark ${JSON.stringify(watermark)} is not a Salesforce change-feed position ({ ts, id })`,
			'Store the watermark of a page as it was handed out, or start again from null.',
		);
	}
	return { ts, id };
}

/** The comparison key of a value of `field`, as SOQL matches it (text case-insensitively, ids by their 15 case-sensitive characters). */
function matchKey(field: FieldDescribe, value: unknown): string {
	if (value === null || value === undefined) return '\u0000null';
	if (field.type === 'id' || field.type === 'reference') return String(value).slice(0, 15);
	if (NUMERIC.has(field.type)) return String(Number(value));
	if (field.type === 'boolean')
		return String(value === true || String(value).toLowerCase() === 'true');
	if (field.type === 'date') return String(value).slice(0, 10);
	if (field.type === 'datetime')
		return String(timestampMs(typeof value === 'string' ? value : String(value)));
	return TEXTUAL.has(field.type) ? String(value).toLowerCase() : String(value);
}

/** A key value as a SOQL literal of the field's type, or the reason it is none. */
function keyLiteral(
	field: FieldDescribe,
	value: string,
): { literal: SoqlValue | SoqlFragment } | { problem: string } {
	const shown = JSON.stringify(value);
	if (field.type === 'id' || field.type === 'reference') {
		const problem = idProblem(value, `${field.name} value`);
		return problem ? { problem } : { literal: value };
	}
	if (NUMERIC.has(field.type)) {
		const n = Number(value);
		return value.trim() !== '' && Number.isFinite(n)
			? { literal: n }
			: { problem: `${field.name} value ${shown} is not a number` };
	}
	if (field.type === 'boolean')
		return /^(true|false)$/i.test(value)
			? { literal: value.toLowerCase() === 'true' }
			: { problem: `${field.name} value ${shown} is not true or false` };
	if (field.type === 'date')
		return /^\d{4}-\d{2}-\d{2}$/.test(value)
			? { literal: soql.date(value) }
			: { problem: `${field.name} value ${shown} is not a date (YYYY-MM-DD)` };
	if (field.type === 'datetime')
		return Number.isNaN(Date.parse(value))
			? { problem: `${field.name} value ${shown} is not a date and time (ISO 8601)` }
			: { literal: new Date(value) };
	return { literal: value };
}

/** Salesforce as a `CrmConnector`. */
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

	async getByIds(
		objectType: string,
		ids: string[],
		fields?: string[],
	): Promise<Array<CrmRecord | undefined>> {
		const object = apiName(objectType, 'Object');
		ids.forEach((id, i) => {
			const problem = idProblem(id, `Id ${i + 1}`);
			if (problem) throw new CrmError(problem, { kind: 'validation', crmCode: 'MALFORMED_ID' });
		});
		const found = await this.lookup(object, ID_FIELD, [...new Set(ids)], fields, (record) =>
			String(record.Id).slice(0, 15),
		);
		return ids.map((id) => found.get(id.slice(0, 15))?.[0]);
	}

	async findByKeys(
		objectType: string,
		field: string,
		values: string[],
		fields?: string[],
	): Promise<CrmRecord[][]> {
		const object = apiName(objectType, 'Object');
		const described = await this.salesforce.describe(object);
		const key = described.fields.find(
			(f) => f.name.toLowerCase() === apiName(field, 'Key field').toLowerCase(),
		);
		if (!key)
			throw validation(
				`${field} is not a field of ${described.name}`,
				'Use the API name of a field (describe lists them), e.g. Email or External_Id__c.',
			);
		if (key.filterable === false)
			throw validation(
				`${key.name} of ${described.name} cannot be filtered on in SOQL (type ${key.type}), so records cannot be found by it`,
				'Use a unique or external-ID field.',
			);
		const literals = new Map<string, SoqlValue | SoqlFragment>();
		values.forEach((value, i) => {
			if (value === '' || value === null || value === undefined) return; // no value matches nothing
			const bound = keyLiteral(key, String(value));
			if ('problem' in bound)
				throw validation(
					`Value ${i + 1}: ${bound.problem}`,
					`Pass values of the field's type (${key.type}).`,
				);
			const match = matchKey(key, value);
			if (!literals.has(match)) literals.set(match, bound.literal);
		});
		const found = await this.lookup(
			described.name,
			key.name,
			[...literals.values()],
			fields,
			(record) => matchKey(key, record[key.name]),
		);
		return values.map((value) =>
			value === '' || value === null || value === undefined
				? []
				: [...(found.get(matchKey(key, value)) ?? [])],
		);
	}

	/** Records whose `field` is one of `values`, grouped by `keyOf` (every match kept, Salesforce's order). */
	private async lookup(
		object: string,
		field: string,
		values: Array<SoqlValue | SoqlFragment>,
		fields: string[] | undefined,
		keyOf: (record: SalesforceRecord) => string,
	): Promise<Map<string, CrmRecord[]>> {
		const found = new Map<string, CrmRecord[]>();
		if (values.length === 0) return found;
		const requested = fields?.length ? fields.map((f) => apiName(f, 'Field')) : undefined;
		const select = [
			ID_FIELD,
			...(requested ?? (await this.salesforce.selectableFields(object))),
			field,
			UPDATED_AT_FIELD,
		];
		for await (const record of lookupRecords(this.salesforce, { object, field, values, select })) {
			const key = keyOf(record);
			const list = found.get(key) ?? [];
			list.push(this.toCrmRecord(object, record, requested));
			found.set(key, list);
		}
		return found;
	}

	/** A Salesforce record as a `CrmRecord`: `fields` are the requested ones (all read when none were named) plus Id. */
	private toCrmRecord(object: string, record: SalesforceRecord, requested?: string[]): CrmRecord {
		const fields: Record<string, unknown> = {};
		const keep = requested
			? new Set([ID_FIELD, ...requested].map((f) => f.toLowerCase()))
			: undefined;
		for (const [name, value] of Object.entries(record)) {
			if (name === 'attributes' || (keep && !keep.has(name.toLowerCase()))) continue;
			fields[name] = value;
		}
		const stamp = record[UPDATED_AT_FIELD];
		const crm = toRecord(record.attributes?.type ?? object, this.system, fields, {
			id: typeof record.Id === 'string' ? record.Id : undefined,
			updatedAt: typeof stamp === 'string' ? new Date(timestampMs(stamp)) : undefined,
			raw: record,
		});
		if (record.IsDeleted === true) crm.deleted = true;
		return crm;
	}

	/**
	 * Creates, updates and deletions after `watermark`, oldest first, in pages. One `queryAll` over SystemModstamp
	 * (a deletion moves it too), ordered by (SystemModstamp, Id): the watermark is the last record handed out, so a
	 * page boundary inside one second resumes exactly. The window ends at Salesforce's own time, read once before
	 * the first query, minus the safety lag (and before `until`): later changes are the next call's.
	 */
	async *changesSince(
		objectType: string,
		watermark: Watermark | null,
		options: ChangesOptions = {},
	): AsyncIterable<ChangePage> {
		const object = apiName(objectType, 'Object');
		const kind = options.kind ?? 'all';
		const event = feedEvent(kind);
		let since = parseWatermark(watermark);
		const requested = options.fields?.length
			? options.fields.map((f) => apiName(f, 'Field'))
			: undefined;
		let windowEnd = openSecond(
			await this.salesforce.serverNow(options.signal),
			this.options.safetyLagSeconds,
		);
		if (options.until !== undefined) {
			const until = options.until instanceof Date ? options.until.getTime() : options.until;
			if (!Number.isFinite(until)) throw validation(`until ${String(options.until)} is not a time`);
			windowEnd = Math.min(windowEnd, Math.floor(until / 1000) * 1000);
		}
		const pageSize = this.options.changesPageSize;
		let remaining = options.limit ?? Number.POSITIVE_INFINITY;
		if (!(remaining >= 1)) throw validation(`limit must be at least 1, got ${options.limit}`);
		while (remaining > 0) {
			const limit = Math.min(pageSize, remaining);
			const result = await readChanges(this.salesforce, {
				object,
				event,
				includeDeleted: kind === 'all',
				fields: requested,
				since,
				limit,
				windowEnd,
				signal: options.signal,
			});
			if (result.records.length === 0) return;
			const records = result.records.map((r) => {
				const record = this.toCrmRecord(
					object,
					r,
					requested && [...requested, watermarkField(event)],
				);
				if (kind === 'deleted') record.deleted = true;
				return record;
			});
			since = result.watermark;
			remaining -= records.length;
			const field = watermarkField(event);
			yield {
				records,
				watermark: { ts: since.ts, id: since.id },
				// The reader's order is (timestamp, Id): the position after a record is the record's own.
				recordWatermarks: result.records.map((r) => ({ ts: String(r[field]), id: String(r.Id) })),
			};
			if (result.records.length < limit) return;
		}
	}

	/**
	 * Salesforce's time minus the safety lag (checking the object can be read), or the given time; `after` (ids at
	 * exactly that time already handed out) resumes after the greatest of them, as the feed orders ids.
	 */
	async startWatermark(
		objectType: string,
		at: 'now' | number | Date,
		options: StartWatermarkOptions = {},
	): Promise<Watermark> {
		const object = apiName(objectType, 'Object');
		if (at === 'now') {
			const mark = await latestWatermark(
				this.salesforce,
				object,
				feedEvent(options.kind ?? 'all'),
				this.options.safetyLagSeconds,
			);
			return { ts: mark.ts, id: mark.id };
		}
		const ms = at instanceof Date ? at.getTime() : at;
		if (!Number.isFinite(ms)) throw validation(`${String(at)} is not a time`);
		const after = (options.after ?? []).filter((id) => id !== '');
		for (const id of after) {
			const problem = idProblem(id);
			if (problem) throw validation(problem);
		}
		const last = after.reduce((max, id) => (id > max ? id : max), '');
		return { ts: new Date(ms).toISOString(), id: last };
	}

	/** The latest changes of a feed: one SOQL query by the feed's time descending (`queryAll` where it has deletions). */
	async recentChanges(
		objectType: string,
		options: RecentChangesOptions = {},
	): Promise<CrmRecord[]> {
		const object = apiName(objectType, 'Object');
		const kind = options.kind ?? 'all';
		const field = watermarkField(feedEvent(kind));
		const limit = options.limit ?? 1;
		if (!Number.isInteger(limit) || limit < 1)
			throw validation(`limit must be a whole number of at least 1, got ${String(options.limit)}`);
		const requested = options.fields?.length
			? options.fields.map((f) => apiName(f, 'Field'))
			: undefined;
		const fields = requested
			? [...new Set([ID_FIELD, field, ...requested, ...(kind === 'all' ? ['IsDeleted'] : [])])]
			: await this.salesforce.selectableFields(object);
		const where = kind === 'deleted' ? soql`IsDeleted = true` : undefined;
		const q = `${this.salesforce.selectQuery(object, fields, where, `${field} DESC, Id DESC`)} LIMIT ${limit}`;
		const records: CrmRecord[] = [];
		for await (const r of this.salesforce.queryRecords(q, {
			includeDeleted: kind === 'all' || kind === 'deleted',
			limit,
			signal: options.signal,
		})) {
			const record = this.toCrmRecord(object, r, requested && [...requested, field]);
			if (kind === 'deleted') record.deleted = true;
			records.push(record);
		}
		return records.reverse();
	}

	/**
	 * Writes through the connector's Collections (≤ 200 per call) or, from `bulkThreshold` records on, Bulk API 2.0
	 * path: one result per input, in input order. A record that cannot be sent (an id missing for update or delete,
	 * an id given for create) fails alone before any call.
	 */
	async write(
		operation: WriteOperation,
		objectType: string,
		inputs: WriteInput[],
		options: ContractWriteOptions = {},
	): Promise<Array<BatchItemResult<WrittenRecord>>> {
		const object = apiName(objectType, 'Object');
		let key: string | undefined;
		if (operation === 'upsert') key = await this.upsertKey(object, options.key);
		const results: Array<BatchItemResult<WrittenRecord>> = new Array<
			BatchItemResult<WrittenRecord>
		>(inputs.length);
		const records: Array<Record<string, unknown>> = [];
		const positions: number[] = [];
		inputs.forEach((input, i) => {
			const built = this.recordOf(operation, object, input);
			if ('error' in built) results[i] = { index: i, ok: false, error: built.error };
			else {
				records.push(built.record);
				positions.push(i);
			}
		});
		if (records.length > 0) {
			let written: Array<BatchItemResult<WriteResult>>;
			try {
				({ results: written } = await this.salesforce.writeAuto(operation, object, records, {
					externalIdField: key,
					bulkThreshold: this.options.bulkThreshold,
					concurrency: this.options.concurrency,
					signal: options.signal,
				}));
			} catch (error) {
				if (options.signal?.aborted) throw error;
				const reason = wholeWriteFailure(error, operation);
				written = records.map((_, k) => ({ index: k, ok: false as const, error: reason }));
			}
			for (const r of written) {
				const index = positions[r.index];
				results[index] = r.ok
					? {
							index,
							ok: true,
							value: {
								id: r.value.id,
								...(r.value.created !== undefined
									? { created: r.value.created }
									: operation === 'create'
										? { created: true }
										: {}),
							},
						}
					: { index, ok: false, error: r.error };
			}
		}
		// Never a hole: a record the write path gave no result for is reported, not dropped.
		for (let i = 0; i < results.length; i++) {
			results[i] ??= {
				index: i,
				ok: false,
				error: {
					message: `outcome unknown: Salesforce's answer had no result for this record; check in Salesforce before re-running it`,
					code: BATCH_CODES.outcomeUnknown,
				},
			};
		}
		return results;
	}

	/** The upsert key, checked against describe before anything is sent. */
	private async upsertKey(object: string, key: string | undefined): Promise<string> {
		if (!key)
			throw validation(
				`Upsert needs a key: the unique or external-ID field to match ${object} records on`,
				'Pass options.key (capabilities().upsertKeys lists them).',
			);
		const described = await this.salesforce.describe(object);
		const { upsertKeys } = upsertKeysOf(described);
		const match = upsertKeys.find((k) => k.toLowerCase() === key.trim().toLowerCase());
		if (!match) {
			throw validation(
				`${key} cannot be an upsert key of ${described.name}: it is ${described.fields.some((f) => f.name.toLowerCase() === key.trim().toLowerCase()) ? 'not an external ID or id-lookup field that can be set on create' : 'not a field'}`,
				upsertKeys.length
					? `Use one of: ${upsertKeys.join(', ')}.`
					: `${described.name} has no external-ID field: create one in Setup, or match with findByKeys and update.`,
			);
		}
		return match;
	}

	/** The Collections record of one input, or why it cannot be sent. */
	private recordOf(
		operation: WriteOperation,
		object: string,
		input: WriteInput,
	): { record: Record<string, unknown> } | { error: BatchItemError } {
		const fields = input.fields ?? {};
		const givenId = Object.entries(fields).find(([k]) => k.toLowerCase() === 'id')?.[1];
		if (operation === 'create') {
			if (input.id !== undefined && input.id !== '') {
				return {
					error: {
						message: `An id cannot be given when creating a ${object} — leave it out, or update (or upsert) the existing record`,
						code: 'INVALID_FIELD_FOR_INSERT_UPDATE',
						details: { fields: ['Id'] },
					},
				};
			}
			return { record: { ...fields } };
		}
		if (operation === 'upsert') return { record: { ...fields } };
		const id = input.id ?? givenId;
		if (
			input.id !== undefined &&
			givenId !== undefined &&
			givenId !== null &&
			givenId !== '' &&
			String(givenId) !== input.id
		) {
			return {
				error: {
					message: `The input's id ${input.id} and its Id field ${String(givenId)} differ — give one of them`,
					code: 'INVALID_INPUT',
					details: { fields: ['Id'] },
				},
			};
		}
		const rest = Object.fromEntries(
			Object.entries(fields).filter(([k]) => k.toLowerCase() !== 'id'),
		);
		return { record: operation === 'delete' ? { Id: id } : { ...rest, Id: id } };
	}
}
