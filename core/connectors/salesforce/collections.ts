/**
 * One sObject Collections request (≤ 200 records) with everything around it that keeps each record's result
 * true: records are checked against `describe` first (a bad one fails alone, no call spent); updates, upserts
 * and deletes are sent as safe to repeat (the HTTP layer resends them after a lost answer, and a delete's resend
 * answering "already deleted" counts as deleted); a create whose answer is lost (connection dropped, timeout,
 * 5xx) is settled before answering — its records are looked up by a unique field, those found are reported
 * written with their ids, those not found are sent again — and without a unique field it is `OUTCOME_UNKNOWN`.
 */
import { BATCH_CODES, type BatchItemError, type ItemOutcome } from '../../batching/types';
import type { HttpClient } from '../../http/client';
import { CrmError, isCrmError } from '../../http/errors';
import { getHeader } from '../../http/rateHeaders';
import type { HttpMethod } from '../../http/types';
import { describeRequestError, saveErrorToItemError, type SalesforceSaveResult } from './errors';
import { lookupRecords } from './lookup';
import { checkRecord, parseSalesforceDateTime, RESERVED_KEYS } from './records';

/** What a successful write returns for one record. */
export interface WriteResult {
	id: string;
	/** Upserts: whether the record was created (true) or updated (false). */
	created?: boolean;
	/** Set when the answer was lost and the record was found afterwards by this unique field. */
	settledBy?: string;
}

/** The write operations of sObject Collections. */
export type CollectionOperation = 'create' | 'update' | 'upsert' | 'delete';

/** What the Collections writer needs of the connector. */
export interface CollectionsHost {
	readonly baseUrl: string;
	readonly http: HttpClient;
	serverTime(): number | undefined;
	noteServerTime(ms: number): void;
	describe(object: string): Promise<{
		fields: Array<{
			name: string;
			label?: string;
			type: string;
			createable: boolean;
			updateable: boolean;
			unique?: boolean;
			externalId?: boolean;
			relationshipName?: string | null;
		}>;
	}>;
	queryRecords(
		query: { text: string },
		options?: { signal?: AbortSignal },
	): AsyncGenerator<Record<string, unknown>, void, undefined>;
}

/** One Collections write: the operation and where it goes. */
export interface CollectionsWrite {
	operation: CollectionOperation;
	/** The object's API name (validated). */
	type: string;
	/** Upserts: the external-ID field. */
	externalIdField?: string;
	/** Creates: the unique field to settle lost answers by (default: found in `describe`). */
	settleField?: string;
	signal?: AbortSignal;
}

type Field = Awaited<ReturnType<CollectionsHost['describe']>>['fields'][number];
type Outcome = ItemOutcome<WriteResult>;

/** Rounds of look-up-and-resend after a lost create answer before the rest is reported as outcome unknown. */
const SETTLE_ROUNDS = 3;
/** Values per look-up query (`lookupRecords` also keeps each query URL within Salesforce's limit). */
const LOOKUP_CHUNK = 100;

/**
 * Whether a failed request may have been applied although its answer says nothing: a connection lost or a
 * timeout after sending, or a 5xx (but not a 503 with Retry-After, which Salesforce sends before processing).
 */
export function isLostAnswer(error: unknown): error is CrmError {
	if (!isCrmError(error)) return false;
	if (error.status !== undefined)
		return (
			error.status >= 500 &&
			!(error.status === 503 && getHeader(error.responseHeaders, 'retry-after') !== undefined)
		);
	return error.kind === 'transient' && error.reachedServer !== false;
}

const NUMERIC = new Set(['int', 'double', 'currency', 'percent']);
const norm = (value: unknown) => String(value).trim().toLowerCase();
const hasValue = (value: unknown) => value !== undefined && value !== null && value !== '';

/** A copy of a record with the `attributes` envelope Collections needs (reserved keys were refused before). */
function envelope(type: string, fields: Record<string, unknown>): Record<string, unknown> {
	const clean: Record<string, unknown> = { attributes: { type } };
	for (const [k, v] of Object.entries(fields))
		if (k !== 'attributes' && v !== undefined && !RESERVED_KEYS.has(k)) clean[k] = v;
	return clean;
}

async function call(
	host: CollectionsHost,
	method: HttpMethod,
	path: string,
	body: unknown,
	idempotent: boolean,
	signal?: AbortSignal,
): Promise<{ results: SalesforceSaveResult[]; attempts: number }> {
	const res = await host.http.request<string>({
		method,
		url: `${host.baseUrl}${path}`,
		headers: body === undefined ? {} : { 'content-type': 'application/json' },
		body: body === undefined ? undefined : JSON.stringify(body),
		responseType: 'text',
		idempotent,
		signal,
	});
	const date = res.headers.date ? Date.parse(res.headers.date) : Number.NaN;
	if (!Number.isNaN(date)) host.noteServerTime(date);
	let parsed: unknown;
	try {
		parsed = typeof res.body === 'string' ? JSON.parse(res.body) : res.body;
	} catch {
		throw new CrmError(
			`Salesforce answered HTTP ${res.status} with a body that is not JSON (${method} ${path.split('?')[0]})`,
			{ kind: 'fatal', status: res.status },
		);
	}
	return { results: parsed as SalesforceSaveResult[], attempts: res.retry?.attempts ?? 1 };
}

function toOutcome(result: SalesforceSaveResult): Outcome {
	return result.success
		? {
				ok: true,
				value: {
					id: String(result.id),
					...(result.created !== undefined ? { created: result.created } : {}),
				},
			}
		: { ok: false, error: saveErrorToItemError(result) };
}

function checkLength(results: unknown, count: number): SalesforceSaveResult[] {
	if (!Array.isArray(results) || results.length !== count) {
		throw new CrmError(
			`Salesforce answered ${Array.isArray(results) ? results.length : 'no'} results for ${count} records`,
			{ kind: 'fatal' },
		);
	}
	return results as SalesforceSaveResult[];
}

/** Sends one chunk and gives one outcome per record, in chunk order. Throws when the request as a whole failed. */
export async function sendCollection(
	host: CollectionsHost,
	write: CollectionsWrite,
	chunk: Array<Record<string, unknown>>,
): Promise<Outcome[]> {
	const { operation, type } = write;
	const fields = operation === 'delete' ? undefined : (await host.describe(type)).fields;
	const outcomes: Outcome[] = new Array<Outcome>(chunk.length);
	const toSend: number[] = [];
	chunk.forEach((record, i) => {
		const problem = checkRecord(operation, type, record, fields, write.externalIdField);
		if (problem) outcomes[i] = { ok: false, error: problem };
		else toSend.push(i);
	});
	if (toSend.length === 0) return outcomes;
	const records = toSend.map((i) => chunk[i]);
	let sent: Outcome[];
	try {
		if (operation === 'create') sent = await createSettled(host, write, records, fields ?? []);
		else if (operation === 'delete') sent = await deleteRecords(host, write, records);
		else {
			const path =
				operation === 'update'
					? '/composite/sobjects'
					: `/composite/sobjects/${encodeURIComponent(type)}/${encodeURIComponent(write.externalIdField ?? '')}`;
			const { results } = await call(
				host,
				'PATCH',
				path,
				{ allOrNone: false, records: records.map((r) => envelope(type, r)) },
				true,
				write.signal,
			);
			sent = checkLength(results, records.length).map(toOutcome);
		}
	} catch (error) {
		if (operation !== 'create' && isLostAnswer(error)) {
			error.addNote(
				`the ${operation} may or may not have been applied; it is safe to re-run (${operation === 'delete' ? 'deleting again changes nothing' : 'it sets the same values again'})`,
			);
		}
		throw error;
	}
	sent.forEach((outcome, k) => (outcomes[toSend[k]] = outcome));
	return outcomes;
}

async function deleteRecords(
	host: CollectionsHost,
	write: CollectionsWrite,
	records: Array<Record<string, unknown>>,
): Promise<Outcome[]> {
	const ids = records.map((r) => String(r.Id ?? r.id));
	const { results, attempts } = await call(
		host,
		'DELETE',
		`/composite/sobjects?ids=${ids.map(encodeURIComponent).join(',')}&allOrNone=false`,
		undefined,
		true,
		write.signal,
	);
	return checkLength(results, ids.length).map((r, i) => {
		// Resent after a lost answer: "already deleted" is the first attempt's work, not a failure.
		const gone =
			!r.success &&
			attempts > 1 &&
			(r.errors ?? []).some((e) =>
				['ENTITY_IS_DELETED', 'NOT_FOUND'].includes(e.statusCode ?? e.errorCode ?? ''),
			);
		return gone ? { ok: true as const, value: { id: ids[i] } } : toOutcome(r);
	});
}

/** The unique field to settle a lost create by: the one named, else a unique (then external-ID) field the records carry. */
export function settleFieldFor(
	fields: readonly Field[],
	records: ReadonlyArray<Record<string, unknown>>,
	named?: string,
): Field | undefined {
	if (named) return fields.find((f) => f.name.toLowerCase() === named.toLowerCase());
	const candidates = fields.filter(
		(f) => (f.unique || f.externalId) && f.type !== 'id' && f.createable,
	);
	let best: { field: Field; score: number } | undefined;
	for (const field of candidates) {
		const carried = records.filter((r) => hasValue(valueOf(r, field.name))).length;
		if (carried === 0) continue;
		const score = carried * 2 + (field.unique ? 1 : 0);
		if (!best || score > best.score) best = { field, score };
	}
	return best?.field;
}

function valueOf(record: Record<string, unknown>, name: string): unknown {
	const lower = name.toLowerCase();
	for (const [k, v] of Object.entries(record)) if (k.toLowerCase() === lower) return v;
	return undefined;
}

async function createSettled(
	host: CollectionsHost,
	write: CollectionsWrite,
	records: Array<Record<string, unknown>>,
	fields: readonly Field[],
): Promise<Outcome[]> {
	const before = host.serverTime();
	try {
		const { results } = await call(
			host,
			'POST',
			'/composite/sobjects',
			{ allOrNone: false, records: records.map((r) => envelope(write.type, r)) },
			false,
			write.signal,
		);
		return checkLength(results, records.length).map(toOutcome);
	} catch (error) {
		if (!isLostAnswer(error)) throw error;
		return await settleLostCreate(host, write, records, fields, before, error);
	}
}

async function settleLostCreate(
	host: CollectionsHost,
	write: CollectionsWrite,
	records: Array<Record<string, unknown>>,
	fields: readonly Field[],
	before: number | undefined,
	lost: CrmError,
): Promise<Outcome[]> {
	const outcomes: Outcome[] = new Array<Outcome>(records.length);
	const field = settleFieldFor(fields, records, write.settleField);
	const cause = lost.message.split(' — ')[0];
	const unknown = (i: number, why: string): void => {
		outcomes[i] = {
			ok: false,
			error: {
				message: `outcome unknown: the answer to this create was lost (${cause}) and ${why}. The record may or may not exist in Salesforce: search for it before re-running this item (re-running it may create a duplicate)${field ? '' : ` — give the records a unique or external-ID field (or name one in "Unique Field for Settling Lost Answers") so lost answers are settled automatically`}`,
				code: BATCH_CODES.outcomeUnknown,
				details: {
					object: write.type,
					cause: lost.message,
					...(field ? { field: field.name, value: valueOf(records[i], field.name) as string } : {}),
				},
			},
		};
	};
	let pending: number[] = [];
	records.forEach((r, i) => {
		if (!field)
			unknown(
				i,
				`${write.type} has no unique or external-ID field in these records to look it up by`,
			);
		else if (!hasValue(valueOf(r, field.name)))
			unknown(i, `this record has no value in ${field.name} to look it up by`);
		else pending.push(i);
	});
	if (!field) return outcomes;
	for (let round = 1; round <= SETTLE_ROUNDS && pending.length > 0; round++) {
		let found: Map<string, Array<{ id: string; created: number }>>;
		try {
			found = await lookup(
				host,
				write,
				field,
				pending.map((i) => valueOf(records[i], field.name)),
			);
		} catch (error) {
			for (const i of pending)
				unknown(
					i,
					`looking it up by ${field.name} failed too (${error instanceof Error ? error.message.split(' — ')[0] : String(error)})`,
				);
			return outcomes;
		}
		const resend: number[] = [];
		for (const i of pending) {
			const value = valueOf(records[i], field.name);
			const hits = found.get(norm(value)) ?? [];
			if (hits.length === 0) resend.push(i);
			else if (hits.length > 1)
				unknown(
					i,
					`${hits.length} ${write.type} records have ${field.name} = ${String(value)} (${hits.map((h) => h.id).join(', ')})`,
				);
			else if (before !== undefined && hits[0].created < before) {
				outcomes[i] = {
					ok: false,
					error: {
						message: `not created: a ${write.type} with ${field.name} = ${String(value)} already existed before this run (Id ${hits[0].id}, created ${new Date(hits[0].created).toISOString()}) — update that record instead (Create or Update), or change ${field.name}`,
						code: 'DUPLICATE_VALUE',
						details: { fields: [field.name], existingId: hits[0].id },
					},
				};
			} else outcomes[i] = { ok: true, value: { id: hits[0].id, settledBy: field.name } };
		}
		pending = [];
		if (resend.length === 0) break;
		const batch = resend.map((i) => envelope(write.type, records[i]));
		let results: SalesforceSaveResult[];
		try {
			// An external ID lets the resend be an upsert: safe to repeat, and it cannot double a late original.
			results = field.externalId
				? (
						await call(
							host,
							'PATCH',
							`/composite/sobjects/${encodeURIComponent(write.type)}/${encodeURIComponent(field.name)}`,
							{ allOrNone: false, records: batch },
							true,
							write.signal,
						)
					).results
				: (
						await call(
							host,
							'POST',
							'/composite/sobjects',
							{ allOrNone: false, records: batch },
							false,
							write.signal,
						)
					).results;
			results = checkLength(results, batch.length);
		} catch (error) {
			if (isLostAnswer(error)) {
				pending = resend;
				continue;
			}
			const reason: BatchItemError = describeRequestError(error);
			for (const i of resend)
				outcomes[i] = {
					ok: false,
					error: { ...reason, message: `not written: ${reason.message}` },
				};
			break;
		}
		results.forEach((r, k) => {
			const i = resend[k];
			const duplicate =
				!r.success &&
				(r.errors ?? []).some((e) => /DUPLICATE/.test(e.statusCode ?? e.errorCode ?? ''));
			if (r.success) outcomes[i] = { ok: true, value: { id: String(r.id), settledBy: field.name } };
			else if (duplicate)
				pending.push(i); // the lost original may have landed meanwhile: look again
			else outcomes[i] = toOutcome(r);
		});
	}
	for (const i of pending)
		unknown(i, `it could not be settled after ${SETTLE_ROUNDS} look-ups by ${field.name}`);
	return outcomes;
}

/** Records of `write.type` whose `field` is one of `values`, keyed by the normalized value. */
async function lookup(
	host: CollectionsHost,
	write: CollectionsWrite,
	field: Field,
	values: unknown[],
): Promise<Map<string, Array<{ id: string; created: number }>>> {
	const found = new Map<string, Array<{ id: string; created: number }>>();
	const distinct = [...new Map(values.map((v) => [norm(v), v])).values()].map((v) =>
		NUMERIC.has(field.type) ? Number(v) : String(v),
	);
	const query = {
		object: write.type,
		field: field.name,
		values: distinct,
		select: ['Id', field.name, 'CreatedDate'],
		maxValues: LOOKUP_CHUNK,
		signal: write.signal,
	};
	for await (const record of lookupRecords(host, query)) {
		const key = norm(valueOf(record, field.name));
		const list = found.get(key) ?? [];
		list.push({ id: String(record.Id), created: parseSalesforceDateTime(record.CreatedDate) });
		found.set(key, list);
	}
	return found;
}
