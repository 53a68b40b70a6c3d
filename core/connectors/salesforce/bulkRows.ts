/**
 * The rows of a Bulk API 2.0 ingest job, before and after the job: each input record checked against the
 * object's `describe` (a column the object does not have fails that record alone, naming the field and the
 * fix), turned into CSV cells under canonical API names, and the job's three result CSVs matched back so that
 * every input row is accounted for exactly once (a missing row, a result row that matches no input, or more
 * results than inputs for the same values are errors on the rows concerned, never skipped).
 */
import type { BatchItemError, BatchItemResult } from '../../batching/types';

/** Bulk API 2.0 ingest operations. */
export type BulkOperation = 'insert' | 'update' | 'upsert' | 'delete' | 'hardDelete';

/** What the column check needs of a field's `describe`. */
export interface BulkFieldInfo {
	name: string;
	createable: boolean;
	updateable: boolean;
	type?: string;
	externalId?: boolean;
	idLookup?: boolean;
	relationshipName?: string | null;
	referenceTo?: string[];
}

/** What the column check needs of an object's `describe`. */
export interface BulkObjectInfo {
	name: string;
	fields: BulkFieldInfo[];
}

/** One row's outcome. */
export interface BulkRowResult {
	id?: string;
	created?: boolean;
}

/** A checked input row: canonical column name → CSV cell. */
export type BulkRow = Map<string, string>;

/** A CSV cell for Bulk API 2.0: null clears a field (`#N/A`), undefined leaves it unset, objects become JSON. */
export function cell(value: unknown): string {
	if (value === undefined) return '';
	if (value === null) return '#N/A';
	if (value instanceof Date) return value.toISOString();
	if (typeof value === 'object') return JSON.stringify(value);
	return String(value);
}

const NAME = /^[A-Za-z](?:[A-Za-z0-9_]*[A-Za-z0-9])?$/;
const FIX =
	'Rename or remove the key in the item (e.g. with an Edit Fields or Field Mapper node), or list only the fields to send in "Fields to Send".';

/** Options of {@link checkRows}. */
export interface CheckRowsOptions {
	operation: BulkOperation;
	externalIdField?: string;
	/** The object's describe (not needed for delete / hardDelete). */
	object?: BulkObjectInfo;
	/** Describe of a referenced object (relationship columns such as `Account.External_Id__c`). */
	related?: (name: string) => Promise<BulkObjectInfo>;
}

/** The outcome of {@link checkRows}: a row per accepted record, an error per refused one (same positions). */
export interface CheckedRows {
	rows: Array<BulkRow | undefined>;
	errors: Map<number, BatchItemError>;
}

/**
 * Checks every record's keys against the object's describe and turns accepted records into CSV rows under the
 * canonical API names. A key that is not an API name, not a field of the object, not settable by the operation
 * (createable for insert, updateable for update, either for upsert) fails that record alone.
 */
export async function checkRows(
	records: ReadonlyArray<Record<string, unknown>>,
	options: CheckRowsOptions,
): Promise<CheckedRows> {
	const rows: Array<BulkRow | undefined> = new Array(records.length);
	const errors = new Map<number, BatchItemError>();
	const { operation } = options;
	if (operation === 'delete' || operation === 'hardDelete') {
		records.forEach((record, i) => {
			const id = record?.Id ?? record?.id;
			if (typeof id !== 'string' || id.trim() === '')
				errors.set(i, {
					message: `this item has no record Id to ${operation}`,
					code: 'MISSING_ID',
				});
			else rows[i] = new Map([['Id', id.trim()]]);
		});
		return { rows, errors };
	}
	const object = options.object;
	if (!object) throw new Error('checkRows needs the object describe for insert, update and upsert');
	const byName = new Map(object.fields.map((f) => [f.name.toLowerCase(), f]));
	const byRelationship = new Map(
		object.fields
			.filter((f) => f.relationshipName)
			.map((f) => [String(f.relationshipName).toLowerCase(), f]),
	);
	const ext = options.externalIdField
		? byName.get(options.externalIdField.toLowerCase())
		: undefined;
	const related = new Map<string, Promise<BulkObjectInfo | undefined>>();
	const relatedInfo = (name: string) => {
		let p = related.get(name);
		if (!p) {
			p = options.related
				? options.related(name).catch(() => undefined)
				: Promise.resolve(undefined);
			related.set(name, p);
		}
		return p;
	};
	const settable = (f: BulkFieldInfo): boolean =>
		operation === 'insert'
			? f.createable
			: operation === 'update'
				? f.updateable
				: f.createable || f.updateable || f === ext;
	const verb =
		operation === 'insert'
			? 'set on insert (it is not createable)'
			: operation === 'update'
				? 'set on update (it is not updateable)'
				: 'set by an upsert (it is neither createable nor updateable)';

	/** Canonical column for a key, or the reason it is refused (code + text). */
	const column = async (key: string): Promise<string | { code: string; text: string }> => {
		const parts = key.split('.');
		if (parts.length > 2 || !parts.every((p) => NAME.test(p))) {
			return {
				code: 'INVALID_FIELD',
				text: `"${key}" is not a field API name (API names hold only letters, digits and underscores, e.g. LastName or Custom_Field__c)`,
			};
		}
		if (parts.length === 1) {
			const f = byName.get(key.toLowerCase());
			if (!f) return { code: 'INVALID_FIELD', text: `${object.name} has no field "${key}"` };
			if (
				f.name === 'Id' &&
				(operation === 'update' || (operation === 'upsert' && ext?.name === 'Id'))
			)
				return 'Id';
			if (!settable(f))
				return {
					code: 'INVALID_FIELD_FOR_INSERT_UPDATE',
					text: `${object.name}.${f.name} cannot be ${verb}`,
				};
			return f.name;
		}
		const [rel, target] = parts;
		const f = byRelationship.get(rel.toLowerCase());
		if (!f)
			return {
				code: 'INVALID_FIELD',
				text: `${object.name} has no relationship "${rel}" (for "${key}")`,
			};
		if (!settable(f))
			return {
				code: 'INVALID_FIELD_FOR_INSERT_UPDATE',
				text: `${object.name}.${f.name} (relationship ${f.relationshipName}) cannot be ${verb}`,
			};
		if ((f.referenceTo ?? []).length !== 1) return `${f.relationshipName}.${target}`;
		const parent = await relatedInfo(f.referenceTo![0]);
		const tf = parent?.fields.find((x) => x.name.toLowerCase() === target.toLowerCase());
		if (parent && !tf)
			return {
				code: 'INVALID_FIELD',
				text: `${parent.name} has no field "${target}" (for "${key}")`,
			};
		if (tf && !(tf.externalId || tf.idLookup))
			return {
				code: 'INVALID_FIELD',
				text: `${parent!.name}.${tf.name} is not an external ID or lookup field, so "${key}" cannot name the related record`,
			};
		return `${f.relationshipName}.${tf?.name ?? target}`;
	};
	const known = new Map<string, string | { code: string; text: string }>();

	for (let i = 0; i < records.length; i++) {
		const record = records[i] ?? {};
		const row: BulkRow = new Map();
		const problems: Array<{ key: string; code: string; text: string }> = [];
		const seen = new Map<string, string>();
		for (const key of Object.keys(record)) {
			const value = record[key];
			if (key === 'attributes' || value === undefined) continue;
			let col = known.get(key);
			if (col === undefined) {
				col = await column(key);
				known.set(key, col);
			}
			if (typeof col !== 'string') {
				problems.push({ key, ...col });
				continue;
			}
			const lower = col.toLowerCase();
			if (seen.has(lower)) {
				problems.push({
					key,
					code: 'INVALID_FIELD',
					text: `"${key}" and "${seen.get(lower)}" both set ${col}`,
				});
				continue;
			}
			seen.set(lower, key);
			row.set(col, cell(value));
		}
		if (operation === 'update' && !row.get('Id'))
			problems.push({
				key: 'Id',
				code: 'MISSING_ID',
				text: 'the item has no Id (an update needs the record Id)',
			});
		if (operation === 'upsert' && ext && !row.get(ext.name)) {
			problems.push({
				key: ext.name,
				code: 'MISSING_EXTERNAL_ID',
				text: `the item has no value for the external ID field ${ext.name}`,
			});
		}
		if (
			problems.length === 0 &&
			operation === 'insert' &&
			[...row.values()].every((v) => v === '')
		) {
			problems.push({
				key: '',
				code: 'NO_FIELDS',
				text: 'the item sets no field (empty values leave fields unset)',
			});
		}
		if (problems.length > 0) {
			const fields = problems.map((p) => p.key).filter(Boolean);
			const fix = problems.some((p) => p.code.startsWith('INVALID_FIELD')) ? ` ${FIX}` : '';
			errors.set(i, {
				message: `${problems[0].code}: ${problems.map((p) => p.text).join('; ')} — not sent.${fix}`,
				code: problems[0].code,
				details: { object: object.name, fields },
			});
			continue;
		}
		rows[i] = row;
	}
	return { rows, errors };
}

/** The columns of a job over `rows` (in first-seen order; `Id` first for deletes). */
export function columnsOf(rows: Iterable<BulkRow>): string[] {
	const columns: string[] = [];
	const seen = new Set<string>();
	for (const row of rows) {
		for (const c of row.keys()) {
			if (seen.has(c)) continue;
			seen.add(c);
			columns.push(c);
		}
	}
	return columns;
}

/** The identity of a row under `columns`: its cells in order. */
export function rowKey(
	columns: readonly string[],
	cells: (column: string) => string | undefined,
): string {
	return JSON.stringify(columns.map((c) => cells(c) ?? ''));
}

/** A result CSV row of a job (`sf__Id`, `sf__Created` / `sf__Error`, then the uploaded columns). */
export type ResultRow = Record<string, string>;

/** What {@link matchResults} needs to know of the job. */
export interface MatchJob {
	id: string;
	state: string;
	errorMessage?: string;
}

/**
 * Matches a job's result CSVs back to its input rows (`inputs`: input position → key) so that every input row
 * gets exactly one result. Identical input rows are interchangeable. More result rows for a key than input rows
 * (a doubled upload) fails every row with that key, naming the records written; result rows that match no input
 * row are named on the rows left without a result (or, if none is, on every row of the job).
 */
export function matchResults(
	job: MatchJob,
	inputs: ReadonlyArray<{ index: number; key: string }>,
	columns: readonly string[],
	sets: { ok: ResultRow[]; failed: ResultRow[]; unprocessed: ResultRow[] },
): Array<BatchItemResult<BulkRowResult>> {
	type Tagged = { kind: 'ok' | 'failed' | 'unprocessed'; row: ResultRow };
	const byKey = new Map<string, number[]>();
	for (const { index, key } of inputs) {
		const list = byKey.get(key);
		if (list) list.push(index);
		else byKey.set(key, [index]);
	}
	const found = new Map<string, Tagged[]>();
	const unmatched: Tagged[] = [];
	for (const kind of ['ok', 'failed', 'unprocessed'] as const) {
		for (const row of sets[kind]) {
			const key = rowKey(columns, (c) => row[c]);
			if (!byKey.has(key)) {
				unmatched.push({ kind, row });
				continue;
			}
			const list = found.get(key);
			if (list) list.push({ kind, row });
			else found.set(key, [{ kind, row }]);
		}
	}
	const where = `bulk job ${job.id} (state ${job.state}${job.errorMessage ? `: ${job.errorMessage}` : ''})`;
	const out = new Map<number, BatchItemResult<BulkRowResult>>();
	const missing: number[] = [];
	for (const [key, indexes] of byKey) {
		const results = found.get(key) ?? [];
		if (results.length > indexes.length) {
			const ids = results.map((r) => r.row.sf__Id).filter(Boolean);
			for (const index of indexes) {
				out.set(index, {
					index,
					ok: false,
					error: {
						message: `${where} returned ${results.length} results for ${indexes.length} input row(s) with these values: the data was processed more than once. Records involved: ${ids.join(', ') || 'none'} — check them in Salesforce (delete the extra ones) before re-running this item`,
						code: 'BULK_DUPLICATE_RESULT',
						details: {
							jobId: job.id,
							ids,
							results: results.map((r) => ({
								kind: r.kind,
								id: r.row.sf__Id,
								error: r.row.sf__Error,
							})),
						},
					},
				});
			}
			continue;
		}
		indexes.forEach((index, n) => {
			const r = results[n];
			if (r) out.set(index, toResult(index, r, job, where));
			else missing.push(index);
		});
	}
	const strayIds = unmatched.map((r) => r.row.sf__Id).filter(Boolean);
	const stray = unmatched.length
		? ` The job also returned ${unmatched.length} result row(s) that match no input row (records: ${strayIds.join(', ') || 'none'}).`
		: '';
	for (const index of missing) {
		out.set(index, {
			index,
			ok: false,
			error: {
				message: `no result for this row in ${where}: it may or may not have been processed — check the job in Salesforce (Setup → Bulk Data Load Jobs) before re-running it.${stray}`,
				code: 'NO_RESULT',
				details: { jobId: job.id, ...(strayIds.length ? { unmatchedIds: strayIds } : {}) },
			},
		});
	}
	if (unmatched.length && missing.length === 0) {
		for (const [index, result] of out) {
			if (result.ok === false && result.error.code === 'BULK_DUPLICATE_RESULT') continue;
			const own = result.ok
				? `this row was written as ${result.value.id}`
				: `this row failed (${result.error.message})`;
			out.set(index, {
				index,
				ok: false,
				error: {
					message: `${where} returned ${unmatched.length} result row(s) that match no input row (records: ${strayIds.join(', ') || 'none'}): its results cannot be trusted row by row; ${own}. Check these records in Salesforce before re-running this item`,
					code: 'BULK_RESULT_MISMATCH',
					details: {
						jobId: job.id,
						unmatchedIds: strayIds,
						own: result.ok ? result.value : result.error,
					},
				},
			});
		}
	}
	return inputs.map(({ index }) => out.get(index) as BatchItemResult<BulkRowResult>);
}

function toResult(
	index: number,
	r: { kind: 'ok' | 'failed' | 'unprocessed'; row: ResultRow },
	job: MatchJob,
	where: string,
): BatchItemResult<BulkRowResult> {
	if (r.kind === 'ok') {
		const created = r.row.sf__Created === undefined ? undefined : r.row.sf__Created === 'true';
		return {
			index,
			ok: true,
			value: { id: r.row.sf__Id, ...(created !== undefined ? { created } : {}) },
		};
	}
	if (r.kind === 'failed') {
		const text = r.row.sf__Error || 'failed without a reason';
		const m = /^([A-Z_]+):(.*)$/s.exec(text);
		return {
			index,
			ok: false,
			error: {
				message: m ? `${m[1]}: ${m[2].trim()}` : text,
				code: m ? m[1] : 'BULK_ROW_FAILED',
				details: { jobId: job.id, ...(r.row.sf__Id ? { id: r.row.sf__Id } : {}) },
			},
		};
	}
	return {
		index,
		ok: false,
		error: {
			message: `not processed: ${where} ended before reaching this row — nothing was written for it; re-run it`,
			code: 'UNPROCESSED',
			details: { jobId: job.id },
		},
	};
}
