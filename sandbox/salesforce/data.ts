/**
 * The org's records: one kit {@link Collection} per object, Salesforce ids, field validation worded like
 * Salesforce (REQUIRED_FIELD_MISSING, STRING_TOO_LONG, INVALID_EMAIL_ADDRESS, FIELD_INTEGRITY_EXCEPTION,
 * DUPLICATE_VALUE, …), computed fields (`Name`, `CaseNumber`, `IsClosed`), indexes on external-id and
 * unique fields (so upserts and duplicate checks stay O(1) at 50k rows), and an undo journal for
 * all-or-none operations.
 */
import {
	isValidSalesforceId,
	salesforceIdGenerator,
	toCaseSafeId,
	type Clock,
	type Collection,
	type Fields,
	type Store,
	type StoredRecord,
} from '../kit';
import { buildSchema, requiredOnCreate, type SfField, type SfObject } from './schema';

/** One Salesforce error (REST `errorCode`; collections and bulk call it `statusCode`). */
export interface SfError {
	errorCode: string;
	message: string;
	fields: string[];
}

/** Thrown for request-level failures; the server answers `[{message, errorCode, fields?}]`. */
export class SfApiError extends Error {
	constructor(
		readonly status: number,
		readonly errorCode: string,
		message: string,
		readonly fields?: string[],
		readonly extra?: Record<string, unknown>,
	) {
		super(message);
		this.name = 'SfApiError';
	}

	/** The JSON body. */
	body(): unknown {
		return [
			{
				message: this.message,
				errorCode: this.errorCode,
				...(this.fields ? { fields: this.fields } : {}),
				...this.extra,
			},
		];
	}
}

/** The standard 404. */
export function notFound(message = 'The requested resource does not exist'): SfApiError {
	return new SfApiError(404, 'NOT_FOUND', message);
}

/** Where values come from: JSON bodies are typed, CSV cells are strings. */
export type ValueSource = 'json' | 'csv';

/** Result of validating one input record. */
export interface Validated {
	fields: Fields;
	errors: SfError[];
	/** Errors that fail a whole JSON request (deserialisation), not one record. */
	parseError?: SfError;
}

const EMAIL =
	/^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$/;
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Epoch ms → Salesforce datetime text (`2024-01-01T09:30:00.000+0000`; seconds precision, as stored). */
export function sfDateTime(ms: number): string {
	return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('Z', '+0000');
}

/** Epoch ms truncated to whole seconds (Salesforce stores datetimes to the second). */
export function toSecond(ms: number): number {
	return Math.floor(ms / 1000) * 1000;
}

/** Parses `YYYY-MM-DD` strictly; returns the date string or undefined. */
export function parseDate(value: string): string | undefined {
	const m = DATE.exec(value);
	if (!m) return undefined;
	const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
	return d.toISOString().slice(0, 10) === value ? value : undefined;
}

/** Parses an ISO 8601 datetime (with `Z` or an offset, also `+0000`); epoch ms or undefined. */
export function parseDateTime(value: string): number | undefined {
	if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:?\d{2})?$/.test(value))
		return undefined;
	const normalized = value.replace(/([+-]\d{2})(\d{2})$/, '$1:$2');
	const t = Date.parse(/(Z|[+-]\d{2}:\d{2})$/.test(normalized) ? normalized : normalized + 'Z');
	return Number.isNaN(t) ? undefined : t;
}

/** Change journal entry for undo (all-or-none). */
type JournalEntry =
	| { kind: 'created'; table: Table; id: string }
	| { kind: 'updated'; table: Table; id: string; previous: Fields }
	| { kind: 'deleted'; table: Table; id: string };

/** The records of one object, with external-id / unique indexes. */
export class Table {
	private readonly indexes = new Map<string, Map<string, Set<string>>>();
	private caseSeq = 1000;

	constructor(
		readonly object: SfObject,
		readonly collection: Collection,
		private readonly org: OrgData,
	) {
		for (const f of object.fields)
			if (f.externalId || f.unique) this.indexes.set(f.name, new Map());
	}

	/** The indexed fields (external ids and unique fields). */
	indexedFields(): string[] {
		return [...this.indexes.keys()];
	}

	/** Live record ids whose indexed field equals a value (case-insensitive). */
	lookup(field: string, value: unknown): string[] {
		const index = this.indexes.get(field);
		if (!index) {
			const norm = normalize(value);
			return this.collection
				.list({ filter: (r) => normalize(r.fields[field]) === norm })
				.map((r) => r.id);
		}
		return [...(index.get(normalize(value)) ?? [])];
	}

	get(id: string, includeDeleted = false): StoredRecord | undefined {
		return this.collection.get(id, { includeDeleted });
	}

	/** Creates a validated record (computed fields filled in). */
	insert(fields: Fields): StoredRecord {
		const full = this.computed({ ...fields });
		const r = this.collection.create(full);
		this.index(r.id, undefined, r.fields);
		this.org.journal?.push({ kind: 'created', table: this, id: r.id });
		return r;
	}

	/** Merges validated fields into a live record. */
	patch(id: string, fields: Fields): StoredRecord {
		const prev = this.collection.get(id) as StoredRecord;
		const next = this.computed({ ...prev.fields, ...fields });
		const r = this.collection.replace(id, next) as StoredRecord;
		this.index(id, prev.fields, r.fields);
		this.org.journal?.push({ kind: 'updated', table: this, id, previous: prev.fields });
		return r;
	}

	/** Soft-deletes (recycle bin). */
	remove(id: string): StoredRecord | undefined {
		const prev = this.collection.get(id);
		if (!prev) return undefined;
		const r = this.collection.delete(id);
		this.index(id, prev.fields, undefined);
		this.org.journal?.push({ kind: 'deleted', table: this, id });
		return r;
	}

	/** Removes for good (hard delete). */
	purge(ids: string[]): void {
		for (const id of ids) {
			const prev = this.collection.get(id);
			if (prev) this.index(id, prev.fields, undefined);
		}
		this.collection.purgeMany(ids);
	}

	/** @internal Undo one journal entry. */
	undo(e: JournalEntry): void {
		if (e.kind === 'created') this.purge([e.id]);
		else if (e.kind === 'updated') {
			const cur = this.collection.get(e.id);
			if (cur) {
				this.collection.replace(e.id, e.previous);
				this.index(e.id, cur.fields, e.previous);
			}
		} else {
			const r = this.collection.restore(e.id);
			if (r) this.index(e.id, undefined, r.fields);
		}
	}

	private index(
		id: string,
		before: Readonly<Fields> | undefined,
		after: Readonly<Fields> | undefined,
	): void {
		for (const [field, index] of this.indexes) {
			const b = before?.[field];
			const a = after?.[field];
			if (b === a && before && after) continue;
			if (b !== undefined && b !== null) {
				const set = index.get(normalize(b));
				set?.delete(id);
				if (set && set.size === 0) index.delete(normalize(b));
			}
			if (a !== undefined && a !== null) {
				const key = normalize(a);
				let set = index.get(key);
				if (!set) index.set(key, (set = new Set()));
				set.add(id);
			}
		}
	}

	private computed(f: Fields): Fields {
		const name = this.object.name;
		if (name === 'Contact' || name === 'Lead' || name === 'User') {
			f.Name = [f.FirstName, f.LastName].filter((x) => typeof x === 'string' && x !== '').join(' ');
		}
		if (name === 'Case' && f.CaseNumber === undefined)
			f.CaseNumber = String(++this.caseSeq).padStart(8, '0');
		if (name === 'Opportunity') {
			const stage = String(f.StageName ?? '');
			f.IsClosed = stage.startsWith('Closed');
			f.IsWon = stage === 'Closed Won';
		}
		return f;
	}
}

function normalize(v: unknown): string {
	return typeof v === 'string' ? v.toLowerCase() : String(v);
}

/** Options for {@link OrgData}. */
export interface OrgDataOptions {
	store: Store;
	clock: Clock;
	/** 2-character instance part of generated ids. */
	instance?: string;
}

/** Everything stored in the simulated org. */
export class OrgData {
	readonly schema = buildSchema();
	readonly store: Store;
	readonly clock: Clock;
	private readonly tables = new Map<string, Table>();
	private readonly byPrefix = new Map<string, Table>();
	/** Set while an all-or-none unit of work runs. */
	journal?: JournalEntry[];
	/** The integration user's id (owner and creator of everything). */
	userId = '';

	constructor(options: OrgDataOptions) {
		this.store = options.store;
		this.clock = options.clock;
		for (const [key, object] of this.schema) {
			const collection = this.store.collection(object.name, {
				idGenerator: salesforceIdGenerator(object.keyPrefix, {
					instance: options.instance ?? '5g',
				}),
			});
			const table = new Table(object, collection, this);
			this.tables.set(key, table);
			this.byPrefix.set(object.keyPrefix, table);
		}
	}

	/** The table of an object (case-insensitive name), or undefined. */
	table(name: string): Table | undefined {
		return this.tables.get(name.toLowerCase());
	}

	/** The table of an object or a 404 `NOT_FOUND`. */
	mustTable(name: string): Table {
		const t = this.table(name);
		if (!t) throw notFound();
		return t;
	}

	/** Every table. */
	allTables(): Table[] {
		return [...this.tables.values()];
	}

	/** The table an id belongs to (by key prefix). */
	tableOfId(id: string): Table | undefined {
		return this.byPrefix.get(id.slice(0, 3));
	}

	/** Normalizes an id to 18 characters, or undefined if malformed. */
	canonicalId(id: unknown): string | undefined {
		if (typeof id !== 'string' || !isValidSalesforceId(id)) return undefined;
		return toCaseSafeId(id);
	}

	/** Finds a record by id in any table (live only unless `includeDeleted`). */
	findById(id: string, includeDeleted = false): { table: Table; record: StoredRecord } | undefined {
		const canonical = this.canonicalId(id);
		if (!canonical) return undefined;
		const table = this.tableOfId(canonical);
		const record = table?.get(canonical, includeDeleted);
		return table && record ? { table, record } : undefined;
	}

	/**
	 * Runs `work` as one unit: if it throws or `shouldRollback(result)` is true, every write it made is undone.
	 * Nested calls join the outer unit.
	 */
	atomic<T>(work: () => T, shouldRollback: (result: T) => boolean = () => false): T {
		if (this.journal) return work();
		const journal: JournalEntry[] = [];
		this.journal = journal;
		let result: T;
		try {
			result = work();
		} catch (err) {
			this.journal = undefined;
			this.rollback(journal);
			throw err;
		}
		this.journal = undefined;
		if (shouldRollback(result)) this.rollback(journal);
		return result;
	}

	/** Async variant of {@link atomic}. */
	async atomicAsync<T>(work: () => Promise<T>, shouldRollback: (result: T) => boolean): Promise<T> {
		const journal: JournalEntry[] = [];
		const outer = this.journal;
		this.journal = journal;
		let result: T;
		try {
			result = await work();
		} catch (err) {
			this.journal = outer;
			this.rollback(journal);
			throw err;
		}
		this.journal = outer;
		if (shouldRollback(result)) this.rollback(journal);
		else if (outer) outer.push(...journal);
		return result;
	}

	private rollback(journal: JournalEntry[]): void {
		for (let i = journal.length - 1; i >= 0; i--) journal[i].table.undo(journal[i]);
	}

	// ---- validation ----------------------------------------------------------------------------------

	/**
	 * Validates input fields for a create or an update (of `existing`). Unknown or read-only fields,
	 * type, length, e-mail, picklist, lookup and required-field problems are reported the way Salesforce
	 * words them. `claims` holds unique values taken earlier in the same request.
	 */
	validate(
		table: Table,
		input: Record<string, unknown>,
		mode: 'create' | 'update',
		source: ValueSource,
		options: { existingId?: string; claims?: Map<string, string>; allowId?: boolean } = {},
	): Validated {
		const object = table.object;
		const fields: Fields = {};
		const errors: SfError[] = [];
		const err = (errorCode: string, message: string, fieldNames: string[] = []) =>
			errors.push({ errorCode, message, fields: fieldNames });
		let parseError: SfError | undefined;
		const readOnly: string[] = [];
		for (const [rawName, rawValue] of Object.entries(input)) {
			if (rawName === 'attributes') continue;
			const lower = rawName.toLowerCase();
			if (lower === 'id') {
				if (
					mode === 'create' &&
					!options.allowId &&
					rawValue !== null &&
					rawValue !== undefined &&
					rawValue !== ''
				) {
					err('INVALID_FIELD_FOR_INSERT_UPDATE', 'cannot specify Id in an insert call', ['Id']);
				}
				continue;
			}
			const field = object.byName.get(lower);
			if (!field) {
				const rel = object.byRelationship.get(lower);
				if (rel && typeof rawValue === 'object' && rawValue !== null && !Array.isArray(rawValue)) {
					const resolved = this.resolveRelationship(rel, rawValue as Record<string, unknown>);
					if ('error' in resolved) errors.push(resolved.error);
					else fields[rel.name] = resolved.id;
					continue;
				}
				err('INVALID_FIELD', `No such column '${rawName}' on sobject of type ${object.name}`, [
					rawName,
				]);
				continue;
			}
			if ((mode === 'create' && !field.createable) || (mode === 'update' && !field.updateable)) {
				readOnly.push(field.name);
				continue;
			}
			const value = this.coerce(field, rawValue, source);
			if ('parseError' in value) {
				parseError ??= value.parseError;
				continue;
			}
			if ('error' in value) {
				errors.push(value.error);
				continue;
			}
			if (value.value === undefined) continue;
			fields[field.name] = value.value;
		}
		if (readOnly.length > 0) {
			err(
				'INVALID_FIELD_FOR_INSERT_UPDATE',
				`Unable to create/update fields: ${readOnly.join(', ')}. Please check the security settings of this field and verify that it is read/write for your profile or permission set.`,
				readOnly,
			);
		}
		if (errors.length === 0 && !parseError) {
			// required fields and defaults
			if (mode === 'create') {
				for (const f of object.fields) {
					if (fields[f.name] === undefined && f.defaultValue !== undefined && f.createable)
						fields[f.name] = f.defaultValue;
				}
				if (object.byName.has('ownerid') && fields.OwnerId === undefined)
					fields.OwnerId = this.userId;
				const missing = requiredOnCreate(object)
					.filter((f) => fields[f.name] === undefined || fields[f.name] === null)
					.map((f) => f.name);
				if (missing.length > 0)
					err(
						'REQUIRED_FIELD_MISSING',
						`Required fields are missing: [${missing.join(', ')}]`,
						missing,
					);
			} else {
				const missing = object.fields
					.filter(
						(f) => f.updateable && !f.nillable && f.type !== 'boolean' && fields[f.name] === null,
					)
					.map((f) => f.name);
				if (missing.length > 0)
					err(
						'REQUIRED_FIELD_MISSING',
						`Required fields are missing: [${missing.join(', ')}]`,
						missing,
					);
			}
		}
		if (errors.length === 0 && !parseError) {
			for (const name of table.indexedFields()) {
				const f = object.byName.get(name.toLowerCase()) as SfField;
				if (!f.unique) continue;
				const v = fields[name];
				if (v === undefined || v === null) continue;
				const owner = table.lookup(name, v).find((id) => id !== options.existingId);
				const claimKey = `${object.name}.${name}:${normalize(v)}`;
				const claimedBy = options.claims?.get(claimKey);
				if (owner) {
					err(
						'DUPLICATE_VALUE',
						`duplicate value found: ${name} duplicates value on record with id: ${owner}`,
						[],
					);
				} else if (claimedBy !== undefined && claimedBy !== (options.existingId ?? '')) {
					err('DUPLICATE_VALUE', `Duplicate external id specified: ${String(v)}`, [name]);
				} else options.claims?.set(claimKey, options.existingId ?? '#new');
			}
		}
		return { fields, errors, ...(parseError ? { parseError } : {}) };
	}

	private resolveRelationship(
		rel: SfField,
		value: Record<string, unknown>,
	): { id: string } | { error: SfError } {
		const targetName =
			(value.attributes as { type?: string } | undefined)?.type ?? rel.referenceTo?.[0] ?? '';
		const target = this.table(targetName);
		const keys = Object.keys(value).filter((k) => k !== 'attributes');
		if (!target || keys.length !== 1) {
			return {
				error: {
					errorCode: 'INVALID_FIELD',
					message: `Relationship ${rel.relationshipName} must name exactly one external ID field`,
					fields: [rel.name],
				},
			};
		}
		const extField = target.object.byName.get(keys[0].toLowerCase());
		if (!extField || !(extField.externalId || extField.type === 'id')) {
			return {
				error: {
					errorCode: 'INVALID_FIELD',
					message: `Field ${keys[0]} is not an external ID field of ${target.object.name}`,
					fields: [rel.name],
				},
			};
		}
		const v = value[keys[0]];
		const ids =
			extField.type === 'id'
				? [this.canonicalId(v)].filter((x): x is string => x !== undefined && !!target.get(x))
				: target.lookup(extField.name, v);
		if (ids.length === 0) {
			return {
				error: {
					errorCode: 'INVALID_FIELD',
					message: `Foreign key external ID: ${String(v)} not found for field ${extField.name} in entity ${target.object.name}`,
					fields: [],
				},
			};
		}
		if (ids.length > 1) {
			return {
				error: {
					errorCode: 'INVALID_FIELD',
					message: `More than 1 record found for external id field: ${String(v)}`,
					fields: [],
				},
			};
		}
		return { id: ids[0] };
	}

	/** Converts one input value to its stored form. `undefined` value = leave unchanged. */
	coerce(
		field: SfField,
		raw: unknown,
		source: ValueSource,
	): { value: unknown } | { error: SfError } | { parseError: SfError } {
		const label = field.label;
		const typeError = (shown: string): { error: SfError } | { parseError: SfError } => {
			if (source === 'csv') {
				return {
					error: {
						errorCode: 'INVALID_TYPE_ON_FIELD_IN_RECORD',
						message: `${label}: value not of required type: ${shown}`,
						fields: [field.name],
					},
				};
			}
			const jsonKind =
				typeof raw === 'string'
					? 'VALUE_STRING'
					: typeof raw === 'number'
						? 'VALUE_NUMBER_INT'
						: typeof raw === 'boolean'
							? 'VALUE_TRUE'
							: Array.isArray(raw)
								? 'START_ARRAY'
								: 'START_OBJECT';
			const javaType =
				{
					int: 'int',
					double: 'double',
					currency: 'double',
					percent: 'double',
					boolean: 'boolean',
					date: 'date',
					datetime: 'datetime',
				}[field.type as string] ?? 'String';
			return {
				parseError: {
					errorCode: 'JSON_PARSER_ERROR',
					message: `Cannot deserialize instance of ${javaType} from ${jsonKind} value ${shown} or request may be missing a required field`,
					fields: [],
				},
			};
		};
		if (raw === undefined) return { value: undefined };
		if (source === 'csv' && raw === '') return { value: undefined };
		if (
			raw === null ||
			(source === 'csv' && raw === '#N/A') ||
			(raw === '' && field.type !== 'boolean')
		) {
			return { value: field.type === 'boolean' ? false : null };
		}
		if (typeof raw === 'object') return typeError(Array.isArray(raw) ? '[' : '{');
		const s = String(raw);
		switch (field.type) {
			case 'string':
			case 'textarea':
			case 'phone':
			case 'url':
			case 'email':
			case 'picklist': {
				if (field.length !== undefined && s.length > field.length) {
					return {
						error: {
							errorCode: 'STRING_TOO_LONG',
							message: `${label}: data value too large: ${s.length > 100 ? s.slice(0, 100) + '...' : s} (max length=${field.length})`,
							fields: [field.name],
						},
					};
				}
				if (field.type === 'email' && !EMAIL.test(s)) {
					return {
						error: {
							errorCode: 'INVALID_EMAIL_ADDRESS',
							message: `${label}: invalid email address: ${s}`,
							fields: [field.name],
						},
					};
				}
				if (
					field.type === 'picklist' &&
					field.picklist?.restricted &&
					!field.picklist.values.includes(s)
				) {
					return {
						error: {
							errorCode: 'INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST',
							message: `${label}: bad value for restricted picklist field: ${s}`,
							fields: [field.name],
						},
					};
				}
				return { value: s };
			}
			case 'boolean': {
				if (typeof raw === 'boolean') return { value: raw };
				const l = s.toLowerCase();
				if (l === 'true' || (source === 'csv' && l === '1')) return { value: true };
				if (l === 'false' || (source === 'csv' && (l === '0' || l === ''))) return { value: false };
				return typeError(s);
			}
			case 'int': {
				const n = typeof raw === 'number' ? raw : /^\s*[-+]?\d+\s*$/.test(s) ? Number(s) : NaN;
				if (!Number.isInteger(n)) return typeError(s);
				return { value: n };
			}
			case 'double':
			case 'currency':
			case 'percent': {
				const n =
					typeof raw === 'number'
						? raw
						: /^\s*[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?\s*$/.test(s)
							? Number(s)
							: NaN;
				if (!Number.isFinite(n)) return typeError(s);
				return { value: field.scale !== undefined ? Number(n.toFixed(field.scale)) : n };
			}
			case 'date': {
				if (typeof raw !== 'string') return typeError(s);
				const d =
					parseDate(s) ??
					(parseDateTime(s) !== undefined
						? new Date(parseDateTime(s) as number).toISOString().slice(0, 10)
						: undefined);
				if (d === undefined) return typeError(s);
				return { value: d };
			}
			case 'datetime': {
				if (typeof raw !== 'string') return typeError(s);
				const t = parseDateTime(s);
				if (t === undefined) return typeError(s);
				return { value: toSecond(t) };
			}
			case 'reference': {
				const id = this.canonicalId(s);
				const target = id ? this.tableOfId(id) : undefined;
				if (!id || !target || !(field.referenceTo ?? []).includes(target.object.name)) {
					return {
						error: {
							errorCode: 'FIELD_INTEGRITY_EXCEPTION',
							message: `${label}: id value of incorrect type: ${s}`,
							fields: [field.name],
						},
					};
				}
				const rec = target.get(id, true);
				if (!rec)
					return {
						error: {
							errorCode: 'INVALID_CROSS_REFERENCE_KEY',
							message: `${label}: invalid cross reference id`,
							fields: [field.name],
						},
					};
				if (rec.deletedAt !== null)
					return {
						error: {
							errorCode: 'ENTITY_IS_DELETED',
							message: `${label}: entity is deleted`,
							fields: [field.name],
						},
					};
				return { value: id };
			}
			default:
				return { value: s };
		}
	}

	// ---- output --------------------------------------------------------------------------------------

	/** The value of any field (system fields included) of a stored record. */
	fieldValue(record: StoredRecord, field: SfField): unknown {
		switch (field.name) {
			case 'Id':
				return record.id;
			case 'IsDeleted':
				return record.deletedAt !== null;
			case 'CreatedDate':
				return toSecond(record.createdAt);
			case 'LastModifiedDate':
			case 'SystemModstamp':
				return toSecond(record.updatedAt);
			case 'CreatedById':
			case 'LastModifiedById':
				return (record.fields[field.name] as string | undefined) ?? this.userId;
			default: {
				const v = record.fields[field.name];
				return v === undefined ? (field.type === 'boolean' ? false : null) : v;
			}
		}
	}

	/** A field value as JSON (datetimes as Salesforce text). */
	jsonValue(record: StoredRecord, field: SfField): unknown {
		const v = this.fieldValue(record, field);
		if (field.type === 'datetime' && typeof v === 'number') return sfDateTime(v);
		return v;
	}

	/** A record as `GET /sobjects/{T}/{id}` answers it (all fields, or `fields`). */
	recordJson(
		table: Table,
		record: StoredRecord,
		version: string,
		fields?: SfField[],
	): Record<string, unknown> {
		const out: Record<string, unknown> = {
			attributes: {
				type: table.object.name,
				url: `/services/data/v${version}/sobjects/${table.object.name}/${record.id}`,
			},
		};
		for (const f of fields ?? table.object.fields) out[f.name] = this.jsonValue(record, f);
		return out;
	}
}
