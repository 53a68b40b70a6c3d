/**
 * Bulk API 2.0, driven by our own code over the core `HttpClient`: ingest jobs (insert, update, upsert,
 * delete, hardDelete) with one result per input row, matched back from the successful / failed / unprocessed
 * result CSVs (parsed with csv-parse), and query jobs whose CSV results are paged with `Sforce-Locator`
 * (jsforce's own multi-page reader is broken upstream, so it is not used for results).
 */
import { parse } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';

import type { BatchItemResult } from '../../batching/types';
import type { HttpClient } from '../../http/client';
import { CrmError } from '../../http/errors';
import { soqlIdentifier } from '../../query/soql';
import { describeRequestError } from './errors';

/** Bulk API 2.0 ingest operations. */
export type BulkOperation = 'insert' | 'update' | 'upsert' | 'delete' | 'hardDelete';

/** Terminal and intermediate job states. */
export type BulkJobState = 'Open' | 'UploadComplete' | 'InProgress' | 'JobComplete' | 'Failed' | 'Aborted';

/** A job's status as `GET /jobs/ingest/{id}` returns it. */
export interface BulkJobInfo {
	id: string;
	state: BulkJobState;
	object?: string;
	operation?: string;
	numberRecordsProcessed?: number;
	numberRecordsFailed?: number;
	errorMessage?: string;
	[key: string]: unknown;
}

/** One row's outcome. */
export interface BulkRowResult {
	id?: string;
	created?: boolean;
}

/** Options of {@link BulkApi}. */
export interface BulkApiOptions {
	/** `https://instance/services/data/v62.0` */
	baseUrl: string;
	http: HttpClient;
	/** Wait between status polls, growing ×1.5 up to `maxPollIntervalMs`. Default 500 ms. */
	pollIntervalMs?: number;
	/** Default 5 000 ms. */
	maxPollIntervalMs?: number;
	/** Give up waiting for a job after this long. Default 30 minutes. */
	maxWaitMs?: number;
	/** Injectable sleep (tests). */
	sleep?: (ms: number) => Promise<void>;
	/** Injectable clock (ms). Default Date.now. */
	now?: () => number;
}

/** Options of an ingest run. */
export interface BulkIngestOptions {
	object: string;
	operation: BulkOperation;
	/** Upsert: the external ID field. */
	externalIdField?: string;
	/** Most rows per job (each job's CSV must stay under 150 MB). Default 100 000. */
	maxRowsPerJob?: number;
	/** Called with each job's final status. */
	onJob?: (job: BulkJobInfo) => void;
}

/** The outcome of an ingest run: one result per input row, in input order, plus the jobs used. */
export interface BulkIngestResult {
	results: Array<BatchItemResult<BulkRowResult>>;
	jobs: BulkJobInfo[];
}

/** Options of a bulk query. */
export interface BulkQueryOptions {
	/** `queryAll`: include deleted and archived records. */
	includeDeleted?: boolean;
	/** Records per results page (`maxRecords`). Default 50 000. */
	pageSize?: number;
	onJob?: (job: BulkJobInfo) => void;
}

const TERMINAL: ReadonlySet<string> = new Set(['JobComplete', 'Failed', 'Aborted']);
const MAX_CSV_BYTES = 100 * 1024 * 1024;

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** A CSV cell for Bulk API 2.0: null clears a field (`#N/A`), undefined leaves it unset, objects become JSON. */
function cell(value: unknown): string {
	if (value === undefined) return '';
	if (value === null) return '#N/A';
	if (value instanceof Date) return value.toISOString();
	if (typeof value === 'object') return JSON.stringify(value);
	return String(value);
}

function rowKey(values: string[]): string {
	return JSON.stringify(values);
}

/** Bulk API 2.0 client. */
export class BulkApi {
	private readonly sleep: (ms: number) => Promise<void>;
	private readonly now: () => number;

	constructor(private readonly options: BulkApiOptions) {
		this.sleep = options.sleep ?? defaultSleep;
		this.now = options.now ?? Date.now;
	}

	/**
	 * Runs an ingest over `records` (field maps; for delete/hardDelete `{ Id }`): one job per `maxRowsPerJob`
	 * rows, each uploaded as CSV, closed, awaited, and its result CSVs matched back to the input rows.
	 * Every input row gets exactly one result; a row Salesforce did not process fails with the reason.
	 */
	async ingest(records: ReadonlyArray<Record<string, unknown>>, options: BulkIngestOptions): Promise<BulkIngestResult> {
		const object = soqlIdentifier(options.object);
		const externalIdField = options.operation === 'upsert' ? soqlIdentifier(options.externalIdField ?? '') : undefined;
		const maxRows = options.maxRowsPerJob ?? 100_000;
		const results: Array<BatchItemResult<BulkRowResult>> = new Array(records.length);
		const jobs: BulkJobInfo[] = [];
		let failedFatally: ReturnType<typeof describeRequestError> | undefined;
		for (let start = 0; start < records.length; ) {
			const { end, columns, csv } = this.buildCsv(records, start, maxRows, options.operation);
			const indexes = Array.from({ length: end - start }, (_, i) => start + i);
			if (failedFatally) {
				for (const i of indexes) results[i] = { index: i, ok: false, error: failedFatally };
				start = end;
				continue;
			}
			const submitted: { jobId?: string } = {};
			try {
				const job = await this.runIngestJob(object, options.operation, externalIdField, csv, submitted);
				jobs.push(job);
				options.onJob?.(job);
				await this.collectResults(job, records, indexes, columns, options.operation, results);
			} catch (error) {
				const described = describeRequestError(error);
				const outcome = submitted.jobId
					? {
							message: `outcome unknown: bulk job ${submitted.jobId} was submitted (these rows may have been processed), but following it failed: ${error instanceof Error ? error.message : String(error)} — check the job in Salesforce (Setup → Bulk Data Load Jobs) before re-running these rows`,
							code: 'BULK_JOB_OUTCOME_UNKNOWN',
							details: { jobId: submitted.jobId, cause: described },
						}
					: described;
				for (const i of indexes) if (!results[i]) results[i] = { index: i, ok: false, error: outcome };
				// A credential or daily-limit failure stops the run: later rows are reported as not sent.
				const e = error as CrmError;
				if (e?.kind === 'authentication' || e?.kind === 'permission' || e?.retryable === false) failedFatally = { ...described, message: `not sent: ${described.message}`, code: 'NOT_SENT' };
			}
			start = end;
		}
		return { results, jobs };
	}

	private buildCsv(records: ReadonlyArray<Record<string, unknown>>, start: number, maxRows: number, operation: BulkOperation) {
		const columns: string[] = [];
		const seen = new Set<string>();
		if (operation === 'delete' || operation === 'hardDelete') {
			columns.push('Id');
		} else {
			for (let i = start; i < Math.min(records.length, start + maxRows); i++) {
				for (const key of Object.keys(records[i] ?? {})) {
					if (key === 'attributes' || seen.has(key)) continue;
					seen.add(key);
					columns.push(soqlIdentifier(key));
				}
			}
		}
		if (columns.length === 0) throw new CrmError('The bulk job has no fields: every record is empty', { kind: 'validation', hint: 'Map at least one field.' });
		const rows: string[][] = [];
		let bytes = 0;
		let end = start;
		for (; end < records.length && end - start < maxRows; end++) {
			const record = records[end] ?? {};
			const row = columns.map((c) => cell(c === 'Id' && operation.endsWith('elete') ? record.Id ?? record.id : record[c]));
			bytes += row.reduce((n, v) => n + v.length + 3, 1);
			if (bytes > MAX_CSV_BYTES && rows.length > 0) break;
			rows.push(row);
		}
		const csv = stringify([columns, ...rows], { record_delimiter: 'unix' });
		return { end, columns, csv, rows };
	}

	private async runIngestJob(
		object: string,
		operation: BulkOperation,
		externalIdField: string | undefined,
		csv: string,
		submitted: { jobId?: string },
	): Promise<BulkJobInfo> {
		const base = `${this.options.baseUrl}/jobs/ingest`;
		const http = this.options.http;
		const created = (
			await http.request<BulkJobInfo>({
				method: 'POST',
				url: base,
				body: { object, operation, contentType: 'CSV', lineEnding: 'LF', columnDelimiter: 'COMMA', ...(externalIdField ? { externalIdFieldName: externalIdField } : {}) },
			})
		).body;
		if (!created?.id) throw new CrmError('Salesforce did not return a job id for the bulk ingest job', { kind: 'fatal' });
		try {
			await http.request({ method: 'PUT', url: `${base}/${created.id}/batches`, body: csv, headers: { 'Content-Type': 'text/csv' }, responseType: 'text' });
			await http.request({ method: 'PATCH', url: `${base}/${created.id}`, body: { state: 'UploadComplete' }, idempotent: true });
			submitted.jobId = created.id;
		} catch (error) {
			await http.request({ method: 'PATCH', url: `${base}/${created.id}`, body: { state: 'Aborted' }, idempotent: true }).catch(() => undefined);
			throw error;
		}
		return await this.waitForJob(`${base}/${created.id}`);
	}

	private async waitForJob(url: string): Promise<BulkJobInfo> {
		const started = this.now();
		let interval = this.options.pollIntervalMs ?? 500;
		const maxInterval = this.options.maxPollIntervalMs ?? 5000;
		const maxWait = this.options.maxWaitMs ?? 30 * 60_000;
		for (let polls = 0; ; polls++) {
			const job = (await this.options.http.request<BulkJobInfo>({ method: 'GET', url })).body;
			if (TERMINAL.has(job.state)) return job;
			if (this.now() - started > maxWait) {
				throw new CrmError(`Bulk job ${job.id} is still ${job.state} after ${Math.round(maxWait / 1000)} s: stopped waiting (the job keeps running in Salesforce; check it under Setup → Bulk Data Load Jobs)`, {
					kind: 'transient',
					retryable: false,
				});
			}
			await this.sleep(interval);
			interval = Math.min(maxInterval, Math.round(interval * 1.5));
		}
	}

	private async getCsv(url: string, qs?: Record<string, string | number | undefined>): Promise<{ rows: Array<Record<string, string>>; headers: Record<string, string> }> {
		const res = await this.options.http.request<string>({ method: 'GET', url, qs, headers: { Accept: 'text/csv' }, responseType: 'text' });
		const text = typeof res.body === 'string' ? res.body : '';
		let rows: Array<Record<string, string>> = [];
		try {
			if (text.trim() !== '') rows = parse(text, { columns: true, skip_empty_lines: true, relax_column_count: true, bom: true }) as Array<Record<string, string>>;
		} catch (error) {
			const job = /\/jobs\/(?:ingest|query)\/([^/]+)/.exec(url)?.[1] ?? '?';
			throw new CrmError(
				`The result CSV of bulk job ${job} could not be read (${error instanceof Error ? error.message : String(error)}); the rows may or may not have been written — check the job in Salesforce before re-running them`,
				{ kind: 'fatal', request: { method: 'GET', url } },
			);
		}
		return { rows, headers: res.headers };
	}

	private async collectResults(
		job: BulkJobInfo,
		records: ReadonlyArray<Record<string, unknown>>,
		indexes: number[],
		columns: string[],
		operation: BulkOperation,
		results: Array<BatchItemResult<BulkRowResult>>,
	): Promise<void> {
		const base = `${this.options.baseUrl}/jobs/ingest/${job.id}`;
		// Input rows by their CSV values (identical rows are interchangeable, so a queue per key is exact enough).
		const byKey = new Map<string, number[]>();
		const deletes = operation === 'delete' || operation === 'hardDelete';
		for (const i of indexes) {
			const record = records[i] ?? {};
			const key = rowKey(columns.map((c) => cell(deletes ? record.Id ?? record.id : record[c])));
			const queue = byKey.get(key);
			if (queue) queue.push(i);
			else byKey.set(key, [i]);
		}
		const take = (row: Record<string, string>): number | undefined => {
			const key = rowKey(columns.map((c) => row[c] ?? ''));
			const queue = byKey.get(key);
			return queue?.shift();
		};
		const [ok, failed, unprocessed] = await Promise.all([
			this.getCsv(`${base}/successfulResults`),
			this.getCsv(`${base}/failedResults`),
			this.getCsv(`${base}/unprocessedrecords`),
		]);
		for (const row of ok.rows) {
			const i = take(row);
			if (i === undefined) continue;
			const created = row.sf__Created === undefined ? undefined : row.sf__Created === 'true';
			results[i] = { index: i, ok: true, value: { id: row.sf__Id, ...(created !== undefined ? { created } : {}) } };
		}
		for (const row of failed.rows) {
			const i = take(row);
			if (i === undefined) continue;
			const text = row.sf__Error ?? 'failed without a reason';
			const m = /^([A-Z_]+):(.*)$/s.exec(text);
			results[i] = {
				index: i,
				ok: false,
				error: { message: m ? `${m[1]}: ${m[2].trim()}` : text, code: m ? m[1] : 'BULK_ROW_FAILED', details: { jobId: job.id, ...(row.sf__Id ? { id: row.sf__Id } : {}) } },
			};
		}
		for (const row of unprocessed.rows) {
			const i = take(row);
			if (i === undefined) continue;
			results[i] = {
				index: i,
				ok: false,
				error: { message: `not processed: bulk job ${job.id} ended ${job.state}${job.errorMessage ? ` (${job.errorMessage})` : ''} before reaching this row — re-run it`, code: 'UNPROCESSED', details: { jobId: job.id } },
			};
		}
		for (const i of indexes) {
			if (results[i]) continue;
			results[i] = {
				index: i,
				ok: false,
				error: {
					message: `no result for this row in bulk job ${job.id} (state ${job.state}${job.errorMessage ? `: ${job.errorMessage}` : ''}) — it may not have been processed; check the job in Salesforce before re-running it`,
					code: 'NO_RESULT',
					details: { jobId: job.id },
				},
			};
		}
	}

	/**
	 * Runs a Bulk API 2.0 query job and streams its CSV results page by page (`maxRecords` per page, following
	 * `Sforce-Locator` until it is `null`). Values are strings as in the CSV; empty cells become null.
	 */
	async *query(soqlText: string, options: BulkQueryOptions = {}): AsyncGenerator<Array<Record<string, string | null>>, void, undefined> {
		if (!soqlText.trim()) throw new CrmError('The SOQL query is empty', { kind: 'validation' });
		const base = `${this.options.baseUrl}/jobs/query`;
		const created = (
			await this.options.http.request<BulkJobInfo>({
				method: 'POST',
				url: base,
				body: { operation: options.includeDeleted ? 'queryAll' : 'query', query: soqlText, contentType: 'CSV', lineEnding: 'LF', columnDelimiter: 'COMMA' },
			})
		).body;
		const job = await this.waitForJob(`${base}/${created.id}`);
		options.onJob?.(job);
		if (job.state !== 'JobComplete') {
			throw new CrmError(`Bulk query job ${job.id} ended ${job.state}${job.errorMessage ? `: ${job.errorMessage}` : ''}`, { kind: 'validation', crmMessage: job.errorMessage });
		}
		let locator: string | undefined;
		const seen = new Set<string>();
		for (let page = 0; page < 1_000_000; page++) {
			const { rows, headers } = await this.getCsv(`${base}/${job.id}/results`, { maxRecords: options.pageSize ?? 50_000, locator });
			const records = rows.map((row) => {
				const out: Record<string, string | null> = {};
				for (const [k, v] of Object.entries(row)) out[k] = v === '' ? null : v;
				return out;
			});
			if (records.length) yield records;
			const next = headers['sforce-locator'];
			if (!next || next === 'null') return;
			if (seen.has(next)) throw new CrmError(`Bulk query paging loop: locator ${next} was returned twice`, { kind: 'fatal' });
			seen.add(next);
			locator = next;
		}
	}
}
