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
import type { BatchItemError, BatchItemResult } from '../../batching/types';
import type { BatchRunResult } from '../../batching/run-batches';
import { CrmError } from '../../http/errors';
import type { CrmRecord } from '../../records/types';
import type {
	Capabilities,
	ChangePage,
	ChangesOptions,
	ContractWriteOptions,
	CrmConnector,
	CrmUser,
	FieldSchema,
	FieldType,
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
	type ChangeCursor,
	changeStamp,
	DEFAULT_SAFETY_LAG_SECONDS,
	hubspotServerNow,
	lastModifiedProperty,
	latestCursor,
	readChanges,
	toEpochMs,
} from './changes';
import {
	HUBSPOT_BATCH_LIMIT,
	HUBSPOT_SEARCH_PAGE_LIMIT,
	type HubSpotConnector,
	isUniqueProperty,
	recordIdProblem,
	STANDARD_OBJECT_TYPES,
} from './connector';
import { advanceCursor, feedWatermark, parseFeedWatermark } from './feed';
import type { HubSpotObject, HubSpotProperty } from './types';
import { listHubSpotUsers } from './users';

export { hubspotWatermark, parseHubSpotWatermark } from './feed';

/** Values per search `IN` filter. HubSpot documents no figure (none found in its search guide); 100 matches its batch size. */
export const HUBSPOT_IN_VALUES_LIMIT = 100;
/** Deletions per change page. */
const DELETION_PAGE = 100;

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

const isContacts = (objectType: string) =>
	objectType === 'contacts' || objectType === '0-1' || objectType === 'contact';

/** The common type of a HubSpot property. */
export function hubspotFieldType(
	objectType: string,
	p: Pick<HubSpotProperty, 'name' | 'type' | 'fieldType' | 'referencedObjectType'>,
): FieldType {
	if (p.name === 'hs_object_id') return 'id';
	if (p.referencedObjectType) return 'reference';
	switch (p.type) {
		case 'string':
			if (p.fieldType === 'phonenumber') return 'phone';
			if (isContacts(objectType) && p.name === 'email') return 'email';
			return 'string';
		case 'phone_number':
			return 'phone';
		case 'number':
			return 'number';
		case 'bool':
			return 'boolean';
		case 'date':
			return 'date';
		case 'datetime':
			return 'datetime';
		case 'enumeration':
			if (p.fieldType === 'checkbox') return 'multipicklist';
			if (p.fieldType === 'booleancheckbox') return 'boolean';
			return 'picklist';
		default:
			return 'other';
	}
}

/** A HubSpot property in the common field schema. `required`: the object's required properties (custom objects). */
export function hubspotFieldSchema(
	objectType: string,
	p: HubSpotProperty,
	required: ReadonlySet<string> = new Set(),
): FieldSchema {
	const type = hubspotFieldType(objectType, p);
	const readOnly =
		p.name === 'hs_object_id' ||
		p.calculated === true ||
		p.modificationMetadata?.readOnlyValue === true;
	const unique = isUniqueProperty(objectType, p);
	const field: FieldSchema = {
		name: p.name,
		label: p.label,
		type,
		crmType: p.type,
		requiredOnCreate: !readOnly && required.has(p.name),
		readOnly,
		createable: !readOnly,
		updateable: !readOnly,
		unique,
		// What `idProperty` accepts (batch read / update / upsert): contacts' email and properties with unique values.
		externalId: unique && p.name !== 'hs_object_id',
	};
	if (
		(type === 'picklist' || type === 'multipicklist' || type === 'reference') &&
		p.options?.length
	) {
		field.options = p.options.map((o) => ({ value: o.value, label: o.label }));
	}
	if (p.referencedObjectType) field.referenceTo = [p.referencedObjectType];
	if (p.hidden === true) field.hidden = true;
	return field;
}

/** An ISO time from HubSpot's ISO or epoch-ms text (undefined when it is neither). */
function isoTime(value: unknown): string | undefined {
	if (value === undefined || value === null || value === '') return undefined;
	try {
		return new Date(toEpochMs(value as string, 'time')).toISOString();
	} catch {
		return undefined;
	}
}

/** A HubSpot object as a CrmRecord (a deletion when `deleted`: `updatedAt` is then its `archivedAt`). */
export function hubspotRecord(objectType: string, o: HubSpotObject, deleted = false): CrmRecord {
	const updatedAt = deleted
		? isoTime(o.archivedAt)
		: isoTime(o.properties?.[lastModifiedProperty(objectType)] ?? o.updatedAt);
	return {
		id: String(o.id),
		type: objectType,
		fields: { ...(o.properties ?? {}) },
		...(updatedAt !== undefined ? { updatedAt } : {}),
		source: 'hubspot',
		raw: o,
		...(deleted ? { deleted: true } : {}),
	};
}

/** A batch read's failure for one input: not found (no record), or a real error. */
const isNotFound = (error: BatchItemError) => error.code === 'OBJECT_NOT_FOUND';

function lookupError(objectType: string, error: BatchItemError): CrmError {
	return new CrmError(`HubSpot: reading ${objectType} failed: ${error.message}`, {
		kind: 'fatal',
		crmCode: error.code,
		details: error.details,
	});
}

const text = (v: unknown) => (v === undefined || v === null ? '' : String(v).trim());
const norm = (v: unknown) => text(v).toLowerCase();

/** Whether a record's value of a property equals a key as HubSpot's search compares them (text case-insensitively, numbers by value, multi-checkbox by any value). */
function valueMatches(type: FieldType, value: unknown, key: string): boolean {
	if (value === undefined || value === null) return false;
	if (type === 'number') return Number(value) === Number(key) && text(key) !== '';
	if (type === 'multipicklist')
		return String(value)
			.split(';')
			.some((v) => norm(v) === norm(key));
	return norm(value) === norm(key);
}

/** HubSpot as a {@link CrmConnector}. */
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
			schema = this.readSchema(objectType);
			schema.catch(() => this.schemas.delete(objectType));
			this.schemas.set(objectType, schema);
		}
		return schema;
	}

	private async readSchema(objectType: string): Promise<ObjectSchema> {
		const standard = STANDARD_OBJECT_TYPES.find(
			(t) => t.name === objectType || t.objectTypeId === objectType || t.name === `${objectType}s`,
		);
		const [properties, info] = await Promise.all([
			this.hubspot.getProperties(objectType),
			standard
				? Promise.resolve({ label: standard.label, custom: false, required: [] as string[] })
				: this.hubspot.getSchema(objectType).then((s) => ({
						label: s.labels?.plural ?? s.labels?.singular ?? s.name,
						custom: true,
						required: s.requiredProperties ?? [],
					})),
		]);
		const required = new Set(info.required);
		return {
			name: objectType,
			label: info.label,
			custom: info.custom,
			idField: 'hs_object_id',
			updatedAtField: lastModifiedProperty(objectType),
			fields: properties
				.filter((p) => !p.archived)
				.map((p) => hubspotFieldSchema(objectType, p, required)),
		};
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

	async getByIds(
		objectType: string,
		ids: string[],
		fields?: string[],
	): Promise<Array<CrmRecord | undefined>> {
		const found = await this.readBy(objectType, ids, undefined, fields);
		return found.map((o) => (o ? hubspotRecord(objectType, o) : undefined));
	}

	/** Batch read (100 per call) by id or a unique property; undefined where there is no record. An invalid id is no record (not sent). */
	private async readBy(
		objectType: string,
		keys: string[],
		idProperty: string | undefined,
		fields?: string[],
	): Promise<Array<HubSpotObject | undefined>> {
		const out: Array<HubSpotObject | undefined> = new Array(keys.length).fill(undefined);
		const sent = keys
			.map((_, i) => i)
			.filter((i) => recordIdProblem(keys[i], idProperty) === undefined);
		if (sent.length === 0) return out;
		const { results } = await this.hubspot.batchRead(
			objectType,
			sent.map((i) => text(keys[i])),
			{ idProperty, properties: fields },
		);
		results.forEach((r, j) => {
			if (r.ok) out[sent[j]] = r.value;
			else if (!isNotFound(r.error)) throw lookupError(objectType, r.error);
		});
		return out;
	}

	async findByKeys(
		objectType: string,
		field: string,
		values: string[],
		fields?: string[],
	): Promise<CrmRecord[][]> {
		const schema = await this.describe(objectType);
		if (field === schema.idField)
			return (await this.getByIds(objectType, values, fields)).map((r) => (r ? [r] : []));
		const property = schema.fields.find((f) => f.name === field);
		if (!property) {
			throw new CrmError(
				`HubSpot: ${objectType} has no property "${field}" — use a property's internal name (see describe), e.g. email`,
				{ kind: 'validation' },
			);
		}
		if (property.externalId) {
			// A unique property: one record at most per value, read from HubSpot's database (current at once).
			const found = await this.readBy(objectType, values, field, fields);
			return found.map((o) => (o ? [hubspotRecord(objectType, o)] : []));
		}
		// Any other property: search IN (≤100 values per filter), every match per value, in record id order.
		const out: CrmRecord[][] = values.map(() => []);
		const distinct = [
			...new Map(values.filter((v) => text(v) !== '').map((v) => [norm(v), text(v)])).values(),
		];
		const properties = [...new Set([...(fields ?? []), field])];
		for (let i = 0; i < distinct.length; i += HUBSPOT_IN_VALUES_LIMIT) {
			const chunk = distinct.slice(i, i + HUBSPOT_IN_VALUES_LIMIT);
			for await (const page of this.hubspot.searchAll(objectType, {
				filterGroups: [{ filters: [{ propertyName: field, operator: 'IN', values: chunk }] }],
				properties,
			})) {
				for (const o of page) {
					values.forEach((v, k) => {
						if (text(v) !== '' && valueMatches(property.type, o.properties?.[field], v))
							out[k].push(hubspotRecord(objectType, o));
					});
				}
			}
		}
		return out;
	}

	/**
	 * Deletions first (records archived after the watermark), then creates and updates; both end at one point in time:
	 * HubSpot's clock minus the safety lag (or `until`), read once before anything else.
	 */
	async *changesSince(
		objectType: string,
		watermark: Watermark | null,
		options: ChangesOptions = {},
	): AsyncGenerator<ChangePage> {
		const kind = options.kind ?? 'all';
		const position = parseFeedWatermark(kind, watermark);
		let remaining = options.limit ?? Number.POSITIVE_INFINITY;
		if (!(remaining >= 1))
			throw new CrmError(`HubSpot: the change limit must be at least 1, got ${options.limit}`, {
				kind: 'validation',
			});
		let end =
			(await hubspotServerNow(this.hubspot, objectType, options.signal)) -
			Math.max(0, this.lagSeconds) * 1000;
		if (options.until !== undefined)
			end = Math.min(
				end,
				(options.until instanceof Date
					? options.until.getTime()
					: toEpochMs(options.until, 'until')) + 1,
			);
		const mark = () => feedWatermark(kind, position);
		if ((kind === 'all' && this.deletions) || kind === 'deleted') {
			for await (const page of this.deletionPages(
				objectType,
				position.archived,
				end,
				remaining,
				options,
			)) {
				position.archived = page.cursor;
				remaining -= page.records.length;
				yield {
					records: page.records,
					watermark: mark(),
					recordWatermarks: page.cursors.map((archived) =>
						feedWatermark(kind, { modified: position.modified, archived }),
					),
				};
			}
		}
		if (kind === 'deleted' || remaining <= 0 || position.modified.timestamp >= end) return;
		let cursor = position.modified;
		const pages = readChanges(
			this.hubspot,
			objectType,
			{
				since: position.modified,
				until: end - 1,
				property: kind === 'created' ? 'createdate' : undefined,
				properties: options.fields,
				pageSize: this.pageSize,
				limit: Number.isFinite(remaining) ? remaining : undefined,
				safetyLagSeconds: this.lagSeconds,
				// HubSpot's clock was read above, once for the deletions and the changes alike.
				windowEnd: end,
				signal: options.signal,
			},
			(c) => (cursor = c),
		);
		const property = kind === 'created' ? 'createdate' : lastModifiedProperty(objectType);
		for await (const page of pages) {
			// The position after each record, as the reader moves it (the last one is the reader's own).
			let after = position.modified;
			const recordWatermarks = page.map((o, i) => {
				after =
					i === page.length - 1 ? cursor : advanceCursor(after, changeStamp(o, property), o.id);
				return feedWatermark(kind, { modified: after, archived: position.archived });
			});
			position.modified = cursor;
			yield {
				records: page.map((o) => hubspotRecord(objectType, o)),
				watermark: mark(),
				recordWatermarks,
			};
		}
	}

	/**
	 * HubSpot's time minus the safety lag (by its clock, never the caller's), or the given time; `after` (ids at exactly
	 * that time already handed out) are the ids seen at the position of the feed's changes (its deletions for `deleted`).
	 */
	async startWatermark(
		objectType: string,
		at: 'now' | number | Date,
		options: StartWatermarkOptions = {},
	): Promise<Watermark> {
		const timestamp =
			at === 'now'
				? (await latestCursor(this.hubspot, objectType, this.lagSeconds, options.signal)).timestamp
				: at instanceof Date
					? at.getTime()
					: toEpochMs(at, 'start');
		if (!Number.isFinite(timestamp))
			throw new CrmError(`HubSpot: ${String(at)} is not a time`, { kind: 'validation' });
		const kind = options.kind ?? 'all';
		parseFeedWatermark(kind, null); // checks the kind
		const after = at === 'now' ? [] : (options.after ?? []).map(String).filter((id) => id !== '');
		return feedWatermark(kind, {
			modified: { timestamp, ids: kind === 'deleted' ? [] : after },
			archived: { timestamp, ids: kind === 'deleted' ? after : [] },
		});
	}

	/**
	 * The latest changes of a feed: one search by its time descending (at most 200), and for deletions the archived
	 * list (read whole: HubSpot lists it by id only).
	 */
	async recentChanges(
		objectType: string,
		options: RecentChangesOptions = {},
	): Promise<CrmRecord[]> {
		const kind = options.kind ?? 'all';
		parseFeedWatermark(kind, null); // checks the kind
		const limit = options.limit ?? 1;
		if (!Number.isInteger(limit) || limit < 1 || limit > HUBSPOT_SEARCH_PAGE_LIMIT)
			throw new CrmError(
				`HubSpot: recent changes are read 1 to ${HUBSPOT_SEARCH_PAGE_LIMIT} at a time, got ${String(options.limit)}`,
				{ kind: 'validation' },
			);
		let changes: CrmRecord[] = [];
		if (kind !== 'deleted') {
			const property = kind === 'created' ? 'createdate' : lastModifiedProperty(objectType);
			const page = await this.hubspot.search(
				objectType,
				{
					sorts: [{ propertyName: property, direction: 'DESCENDING' }],
					properties: options.fields?.length
						? [...new Set([...options.fields, property])]
						: undefined,
					limit,
				},
				options.signal,
			);
			changes = (page.results ?? []).map((o) => hubspotRecord(objectType, o)).reverse();
		}
		if ((kind === 'all' && this.deletions) || kind === 'deleted') {
			const from = { timestamp: 0, ids: [] };
			const read = { fields: options.fields, signal: options.signal };
			const end = Number.POSITIVE_INFINITY;
			for await (const page of this.deletionPages(objectType, from, end, end, read))
				changes.push(...page.records);
			// Both lists are oldest first by `updatedAt` (the deletion time of a deletion): merge them.
			const at = (r: CrmRecord) => Date.parse(String(r.updatedAt)) || 0;
			changes.sort((a, b) => at(a) - at(b));
		}
		return changes.slice(-limit);
	}

	/**
	 * Records archived at or after the cursor and before `end`, oldest first. HubSpot lists archived records by id with
	 * no time filter, so the whole list is read and the new deletions picked from it by `archivedAt`.
	 * (HubSpot's changelog once noted that contacts' `archivedAt` held the last-modified time instead of the deletion
	 * time; a deletion stamped that way before the watermark would not be seen.)
	 */
	private async *deletionPages(
		objectType: string,
		from: ChangeCursor,
		end: number,
		limit: number,
		options: ChangesOptions,
	): AsyncGenerator<{ records: CrmRecord[]; cursor: ChangeCursor; cursors: ChangeCursor[] }> {
		const seen = new Set(from.ids);
		const found: Array<{ ts: number; record: HubSpotObject }> = [];
		for await (const page of this.hubspot.listRecords(objectType, {
			archived: true,
			properties: options.fields,
			signal: options.signal,
		})) {
			for (const record of page) {
				const iso = isoTime(record.archivedAt);
				const ts = iso === undefined ? Number.NaN : Date.parse(iso);
				if (
					!Number.isFinite(ts) ||
					ts < from.timestamp ||
					ts >= end ||
					(ts === from.timestamp && seen.has(String(record.id)))
				)
					continue;
				found.push({ ts, record });
			}
		}
		found.sort(
			(a, b) =>
				a.ts - b.ts ||
				Number(a.record.id) - Number(b.record.id) ||
				String(a.record.id).localeCompare(String(b.record.id)),
		);
		let cursor: ChangeCursor = { timestamp: from.timestamp, ids: [...from.ids] };
		if (found.length > limit) found.length = limit;
		for (let i = 0; i < found.length; i += DELETION_PAGE) {
			const chunk = found.slice(i, i + DELETION_PAGE);
			const cursors = chunk.map(
				({ ts, record }) => (cursor = advanceCursor(cursor, ts, String(record.id))),
			);
			yield {
				records: chunk.map(({ record }) => hubspotRecord(objectType, record, true)),
				cursor,
				cursors,
			};
		}
	}

	async write(
		operation: WriteOperation,
		objectType: string,
		inputs: WriteInput[],
		options: ContractWriteOptions = {},
	): Promise<Array<BatchItemResult<WrittenRecord>>> {
		if (inputs.length === 0) return [];
		const signal = options.signal;
		let run: BatchRunResult<HubSpotObject>;
		switch (operation) {
			case 'create':
				run = await this.hubspot.batchCreate(
					objectType,
					inputs.map((input) => ({ properties: input.fields ?? {} })),
					{ signal },
				);
				break;
			case 'update':
				return await this.byRecordId(inputs, (sent) =>
					this.hubspot.batchUpdate(
						objectType,
						sent.map((input) => ({ id: text(input.id), properties: input.fields ?? {} })),
						{ signal },
					),
				);
			case 'delete':
				return await this.byRecordId(inputs, (sent) =>
					this.hubspot.batchArchive(
						objectType,
						sent.map((input) => text(input.id)),
						{ signal },
					),
				);
			case 'upsert': {
				const key = options.key;
				const keys = (await this.capabilities(objectType)).upsertKeys;
				if (!key || !keys.includes(key)) {
					throw new CrmError(
						`HubSpot upsert on ${objectType}: ${key ? `"${key}" is not a unique property` : 'no key property given'} — match on one of: ${keys.join(', ') || '(none: give a property unique values in HubSpot first)'}`,
						{ kind: 'validation' },
					);
				}
				run = await this.hubspot.batchUpsert(
					objectType,
					inputs.map((input) => ({
						id: text(input.fields?.[key]),
						properties: input.fields ?? {},
					})),
					{ idProperty: key, signal },
				);
				break;
			}
			default:
				throw new CrmError(
					`HubSpot: unknown write operation "${String(operation)}" — use create, update, upsert or delete`,
					{ kind: 'validation' },
				);
		}
		return written(run, operation);
	}

	/** Update / delete: inputs without a usable record id fail alone (not sent); the rest go in batches. */
	private async byRecordId(
		inputs: WriteInput[],
		send: (sent: WriteInput[]) => Promise<BatchRunResult<HubSpotObject>>,
	): Promise<Array<BatchItemResult<WrittenRecord>>> {
		const out: Array<BatchItemResult<WrittenRecord>> = new Array(inputs.length);
		const sent: number[] = [];
		inputs.forEach((input, index) => {
			const problem = recordIdProblem(input.id);
			if (problem)
				out[index] = {
					index,
					ok: false,
					error: { message: `not sent: ${problem}`, code: 'INVALID_ID' },
				};
			else sent.push(index);
		});
		if (sent.length > 0) {
			const results = written(await send(sent.map((i) => inputs[i])), 'update');
			results.forEach((r, j) => (out[sent[j]] = { ...r, index: sent[j] }));
		}
		return out;
	}
}

/** Batch results as contract results (same order: `runBatches` returns input order). */
function written(
	run: BatchRunResult<HubSpotObject>,
	operation: WriteOperation,
): Array<BatchItemResult<WrittenRecord>> {
	return run.results.map((r, index): BatchItemResult<WrittenRecord> => {
		if (!r.ok) return { index, ok: false, error: r.error };
		const value: WrittenRecord = { id: String(r.value.id) };
		if (operation === 'upsert' && typeof r.value.new === 'boolean') value.created = r.value.new;
		return { index, ok: true, value };
	});
}
