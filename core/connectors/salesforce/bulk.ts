/**
 * Bulk API 2.0, driven by our own code over the core `HttpClient`: ingest jobs (insert, update, upsert,
 * delete, hardDelete) with one result per input row, matched back from the successful / failed / unprocessed
 * result CSVs (parsed with csv-parse), and query jobs whose CSV results are paged with `Sforce-Locator`
 * (jsforce's own multi-page reader is broken upstream, so it is not used for results).
 *
 * Nothing is written or counted twice. A job's CSV is uploaded once (Salesforce takes one `PUT …/batches` per
 * job): an upload whose outcome is unknown (connection lost, timeout, 5xx) is never re-sent; its job is aborted
 * (an aborted or never-closed job is never processed) and the rows go into a new job, a bounded number of
 * times. A lost answer to `UploadComplete` is settled by reading the job's state. Only requests that provably
 * were not processed (429, 503 + Retry-After, connection refused) are retried as they are, by the HttpClient.
 */

import { BATCH_CODES, type BatchItemError, type BatchItemResult } from '../../batching/types';
import type { HttpClient } from '../../http/client';
import { CrmError, isCrmError } from '../../http/errors';
import { soqlIdentifier } from '../../query/soql';
import {
	checkRows,
	columnsOf,
	matchResults,
	rowKey,
	type BulkObjectInfo,
	type BulkOperation,
	type BulkRow,
	type BulkRowResult,
	type ResultRow,
} from './bulkRows';
import { vendor } from '../../vendor';
import { describeRequestError, isDailyLimitError } from './errors';

export type { BulkFieldInfo, BulkObjectInfo, BulkOperation, BulkRowResult } from './bulkRows';

/** Terminal and intermediate job states. */
export type BulkJobState =
	| 'Open'
	| 'UploadComplete'
	| 'InProgress'
	| 'JobComplete'
	| 'Failed'
	| 'Aborted';

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
	/** An object's describe (e.g. the connector's cached one). Default: `GET …/sobjects/{object}/describe`. */
	describe?: (object: string) => Promise<BulkObjectInfo>;
	/** Jobs tried for the same rows when uploads fail or their outcome is unknown. Default 3. */
	maxJobAttempts?: number;
}

/** Options of an ingest run. */
export interface BulkIngestOptions {
	object: string;
	operation: BulkOperation;
	/** Upsert: the external ID field. */
	externalIdField?: string;
	/** Most rows per job (each job's CSV must stay under 150 MB). Default 100 000. */
	maxRowsPerJob?: number;
	/** Called with each job's final status (aborted attempts included). */
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
/** Failed status polls in a row tolerated while waiting for a submitted job. */
const MAX_POLL_FAILURES = 3;
/** `UploadComplete` requests sent for one job when each answer is lost and the job reads back as Open. */
const MAX_CLOSE_ATTEMPTS = 3;

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

const messageOf = (error: unknown): string =>
	error instanceof Error ? error.message : String(error);

/** `job` updated with what Salesforce answered about it (the id stays the one it was created with). */
function merge(job: BulkJobInfo, answer: unknown): BulkJobInfo {
	return answer && typeof answer === 'object'
		? { ...job, ...(answer as Partial<BulkJobInfo>), id: job.id }
		: job;
}

/** A failure after which nothing else can succeed: credentials, permission, the daily limit, a cancelled run. */
function stopsRun(error: unknown): boolean {
	if (!isCrmError(error)) return false;
	return (
		error.kind === 'authentication' ||
		error.kind === 'permission' ||
		error.retryable === false ||
		isDailyLimitError(error)
	);
}

/** The item error for rows that were never sent because of `error`. */
function notSent(error: unknown): BatchItemError {
	const cause = describeRequestError(error);
	return { message: `not sent: ${cause.message}`, code: BATCH_CODES.notSent, details: { cause } };
}

/** What one job attempt came to. */
type JobRun =
	/** The job ended (any terminal state) and its results were read. */
	| {
			kind: 'done';
			job: BulkJobInfo;
			sets: { ok: ResultRow[]; failed: ResultRow[]; unprocessed: ResultRow[] };
	  }
	/** The job was aborted (or left open) before processing: nothing of it was written; the rows can go into a new job. */
	| { kind: 'rerun'; job: BulkJobInfo; reason: string }
	/** Salesforce refused (nothing written); `fatal` stops the rest of the run. */
	| { kind: 'refused'; error: unknown; fatal: boolean; job?: BulkJobInfo }
	/** The job was submitted but could not be followed: the rows' outcome is unknown. */
	| { kind: 'unknown'; job: BulkJobInfo; reason: string; cause?: unknown };

/** Bulk API 2.0 client. */
export class BulkApi {
	private readonly sleep: (ms: number) => Promise<void>;
	private readonly now: () => number;
	private readonly describeCache = new Map<string, Promise<BulkObjectInfo>>();

	constructor(private readonly options: BulkApiOptions) {
		this.sleep = options.sleep ?? defaultSleep;
		this.now = options.now ?? Date.now;
	}

	/**
	 * Runs an ingest over `records` (field maps; for delete/hardDelete `{ Id }`): every record is checked against
	 * the object's describe first (one with a column the object does not have fails alone), then one job per
	 * `maxRowsPerJob` rows is uploaded, closed, awaited and its result CSVs matched back to the input rows. Every
	 * input row gets exactly one result; this never throws for the run as a whole (a failure that concerns every
	 * row becomes each row's result, `NOT_SENT` when nothing was sent).
	 */
	async ingest(
		records: ReadonlyArray<Record<string, unknown>>,
		options: BulkIngestOptions,
	): Promise<BulkIngestResult> {
		const results: Array<BatchItemResult<BulkRowResult>> = new Array(records.length);
		const jobs: BulkJobInfo[] = [];
		const settle = (indexes: Iterable<number>, error: BatchItemError) => {
			for (const i of indexes) if (!results[i]) results[i] = { index: i, ok: false, error };
		};
		const all = () => records.keys();
		const { operation } = options;
		let object: string;
		let externalIdField: string | undefined;
		let rows: Array<BulkRow | undefined>;
		try {
			object = soqlIdentifier(options.object);
			const deletes = operation === 'delete' || operation === 'hardDelete';
			const info = deletes ? undefined : await this.describeObject(object);
			if (operation === 'upsert') {
				const wanted = soqlIdentifier(options.externalIdField ?? '');
				const field = info?.fields.find((f) => f.name.toLowerCase() === wanted.toLowerCase());
				if (!field)
					throw new CrmError(`${object} has no field ${wanted} to upsert by`, {
						kind: 'validation',
						hint: 'Set "External ID Field" to an external ID field of the object (or Id).',
					});
				externalIdField = field.name;
			}
			const checked = await checkRows(records, {
				operation,
				externalIdField,
				object: info,
				related: (name) => this.describeObject(name),
			});
			for (const [i, error] of checked.errors) results[i] = { index: i, ok: false, error };
			rows = checked.rows;
		} catch (error) {
			settle(all(), notSent(error));
			return { results, jobs };
		}
		const pending = [...all()].filter((i) => rows[i] !== undefined);
		const maxRows = options.maxRowsPerJob ?? 100_000;
		const record = (job: BulkJobInfo) => {
			jobs.push(job);
			options.onJob?.(job);
		};
		let fatal: BatchItemError | undefined;
		for (let start = 0; start < pending.length; ) {
			const end = this.groupEnd(rows, pending, start, maxRows);
			const group = pending.slice(start, end);
			start = end;
			if (fatal) {
				settle(group, fatal);
				continue;
			}
			fatal = await this.runGroup(object, operation, externalIdField, rows, group, results, record);
		}
		return { results, jobs };
	}

	/** An object's describe: the option's, else `GET …/sobjects/{object}/describe`, once per object. */
	private async describeObject(object: string): Promise<BulkObjectInfo> {
		if (this.options.describe) return await this.options.describe(object);
		let cached = this.describeCache.get(object);
		if (!cached) {
			cached = this.options.http
				.request<BulkObjectInfo>({
					method: 'GET',
					url: `${this.options.baseUrl}/sobjects/${encodeURIComponent(object)}/describe`,
				})
				.then((r) => r.body);
			this.describeCache.set(object, cached);
			cached.catch(() => this.describeCache.delete(object));
		}
		return await cached;
	}

	/** Where the job starting at `pending[start]` ends: at most `maxRows` rows and about 100 MB of CSV. */
	private groupEnd(
		rows: ReadonlyArray<BulkRow | undefined>,
		pending: readonly number[],
		start: number,
		maxRows: number,
	): number {
		let bytes = 0;
		let end = start;
		for (; end < pending.length && end - start < maxRows; end++) {
			const row = rows[pending[end]] as BulkRow;
			for (const [k, v] of row) bytes += k.length + v.length + 4;
			if (bytes > MAX_CSV_BYTES && end > start) break;
		}
		return end;
	}

	/**
	 * Writes one group of rows: a job, and if its upload failed or its outcome was unknown (the job aborted, so
	 * nothing of it written) a new job for the rows, up to `maxJobAttempts` jobs. Returns the error that stops the
	 * rest of the run, if any.
	 */
	private async runGroup(
		object: string,
		operation: BulkOperation,
		externalIdField: string | undefined,
		rows: ReadonlyArray<BulkRow | undefined>,
		group: number[],
		results: Array<BatchItemResult<BulkRowResult>>,
		record: (job: BulkJobInfo) => void,
	): Promise<BatchItemError | undefined> {
		const attempts = Math.max(1, this.options.maxJobAttempts ?? 3);
		const reasons: string[] = [];
		let pending = group;
		for (let attempt = 1; attempt <= attempts && pending.length > 0; attempt++) {
			const columns = columnsOf(pending.map((i) => rows[i] as BulkRow));
			const inputs = pending.map((index) => ({
				index,
				key: rowKey(columns, (c) => (rows[index] as BulkRow).get(c)),
			}));
			const csv = vendor
				.csvStringify()
				.stringify(
					[
						columns,
						...inputs.map(({ index }) => columns.map((c) => (rows[index] as BulkRow).get(c) ?? '')),
					],
					{ record_delimiter: 'unix' },
				);
			const run = await this.runJob(object, operation, externalIdField, csv);
			if (run.job) record(run.job);
			if (run.kind === 'refused') {
				const error = run.fatal
					? notSent(run.error)
					: { ...describeRequestError(run.error), message: `not written: ${messageOf(run.error)}` };
				for (const index of pending) results[index] = { index, ok: false, error };
				return run.fatal ? error : undefined;
			}
			if (run.kind === 'unknown') {
				const error: BatchItemError = {
					message: `outcome unknown: bulk job ${run.job.id} was submitted (these rows may have been written), but ${run.reason} — check the job in Salesforce (Setup → Bulk Data Load Jobs) before re-running these rows`,
					code: BATCH_CODES.outcomeUnknown,
					details: {
						jobId: run.job.id,
						...(run.cause ? { cause: describeRequestError(run.cause) } : {}),
					},
				};
				for (const index of pending) results[index] = { index, ok: false, error };
				return stopsRun(run.cause) ? notSent(run.cause) : undefined;
			}
			if (run.kind === 'rerun') {
				reasons.push(run.reason);
				continue;
			}
			const matched = matchResults(run.job, inputs, columns, run.sets);
			const again: number[] = [];
			for (const r of matched) {
				// Rows an aborted job never reached were not written: they go into the next job.
				if (run.job.state === 'Aborted' && !r.ok && r.error.code === 'UNPROCESSED')
					again.push(r.index);
				else results[r.index] = r;
			}
			if (again.length)
				reasons.push(
					`bulk job ${run.job.id} was aborted before it processed ${again.length} of its rows`,
				);
			pending = again;
		}
		if (pending.length > 0) {
			const error: BatchItemError = {
				message: `not written: ${attempts} bulk job(s) were tried for these rows and none could take them (${reasons.join('; ')}). Each of those jobs was aborted or left open before processing, so nothing was written — re-run these items`,
				code: 'BULK_UPLOAD_FAILED',
				details: { reasons },
			};
			for (const index of pending) results[index] = { index, ok: false, error };
		}
		return undefined;
	}

	/** One job: create, upload once, close (settling a lost answer by the job's state), wait, read results. */
	private async runJob(
		object: string,
		operation: BulkOperation,
		externalIdField: string | undefined,
		csv: string,
	): Promise<JobRun & { job?: BulkJobInfo }> {
		const base = `${this.options.baseUrl}/jobs/ingest`;
		const http = this.options.http;
		let created: BulkJobInfo | undefined;
		try {
			// Safe to repeat: a job nobody uploads to and closes is never processed.
			created = (
				await http.request<BulkJobInfo>({
					method: 'POST',
					url: base,
					idempotent: true,
					body: {
						object,
						operation,
						contentType: 'CSV',
						lineEnding: 'LF',
						columnDelimiter: 'COMMA',
						...(externalIdField ? { externalIdFieldName: externalIdField } : {}),
					},
				})
			).body;
		} catch (error) {
			return { kind: 'refused', error, fatal: true };
		}
		if (!created?.id)
			return {
				kind: 'refused',
				error: new CrmError('Salesforce did not return a job id for the bulk ingest job', {
					kind: 'fatal',
				}),
				fatal: true,
			};
		const id = created.id;
		const url = `${base}/${id}`;
		let job: BulkJobInfo = created;
		try {
			// Never re-sent when its outcome is unknown: a second upload to the same job doubles it (or fails it).
			await http.request({
				method: 'PUT',
				url: `${url}/batches`,
				body: csv,
				headers: { 'Content-Type': 'text/csv' },
				responseType: 'text',
				idempotent: false,
			});
		} catch (error) {
			job = await this.abort(url, job);
			if (stopsRun(error)) return { kind: 'refused', error, fatal: true, job };
			if (isCrmError(error) && error.status === 400)
				return { kind: 'refused', error, fatal: false, job };
			return {
				kind: 'rerun',
				job,
				reason: `the upload to bulk job ${id} failed (${messageOf(error)})`,
			};
		}
		const closed = await this.close(url, job);
		if (closed.kind !== 'closed' && closed.kind !== 'aborted') return closed;
		if (closed.kind === 'closed') {
			const waited = await this.waitForIngest(url, closed.job);
			if (waited.kind === 'unknown') return waited;
			job = waited.job;
		} else {
			job = closed.job;
		}
		try {
			const [ok, failed, unprocessed] = await Promise.all([
				this.getCsv(`${url}/successfulResults`),
				this.getCsv(`${url}/failedResults`),
				this.getCsv(`${url}/unprocessedrecords`),
			]);
			return {
				kind: 'done',
				job,
				sets: { ok: ok.rows, failed: failed.rows, unprocessed: unprocessed.rows },
			};
		} catch (error) {
			return {
				kind: 'unknown',
				job,
				reason: `its results could not be read (${messageOf(error)})`,
				cause: error,
			};
		}
	}

	/**
	 * Sends `UploadComplete`. A lost answer (connection dropped, timeout, 5xx, a 409) is settled by reading the
	 * job: Open → close again; UploadComplete / InProgress / JobComplete / Failed → closed; Aborted → aborted.
	 */
	private async close(
		url: string,
		job: BulkJobInfo,
	): Promise<
		| { kind: 'closed'; job: BulkJobInfo }
		| { kind: 'aborted'; job: BulkJobInfo }
		| Extract<JobRun, { kind: 'rerun' | 'refused' | 'unknown' }>
	> {
		const http = this.options.http;
		let lost = '';
		for (let n = 1; n <= MAX_CLOSE_ATTEMPTS; n++) {
			try {
				const res = await http.request<BulkJobInfo>({
					method: 'PATCH',
					url,
					body: { state: 'UploadComplete' },
					idempotent: false,
				});
				return { kind: 'closed', job: merge(job, res.body) };
			} catch (error) {
				if (isCrmError(error) && error.status === 400 && error.crmCode === 'INVALIDJOB') {
					job = await this.abort(url, job);
					return {
						kind: 'rerun',
						job,
						reason: `Salesforce refused to close bulk job ${job.id} (${messageOf(error)})`,
					};
				}
				if (stopsRun(error)) {
					job = await this.abort(url, job);
					return { kind: 'refused', error, fatal: true, job };
				}
				lost = messageOf(error);
			}
			let state: BulkJobInfo;
			try {
				state = (await http.request<BulkJobInfo>({ method: 'GET', url })).body;
			} catch (error) {
				return {
					kind: 'unknown',
					job,
					reason: `closing it got no answer (${lost}) and its state could not be read (${messageOf(error)})`,
					cause: error,
				};
			}
			job = merge(job, state);
			if (state.state === 'Aborted') return { kind: 'aborted', job };
			if (state.state !== 'Open') return { kind: 'closed', job };
		}
		// Still Open after every close: abort it and read back what (if anything) it processed.
		const aborted = await this.abort(url, job);
		if (aborted.state === 'Aborted') return { kind: 'aborted', job: aborted };
		return { kind: 'unknown', job, reason: `it could not be closed (${lost}) nor aborted` };
	}

	/** Aborts a job (best effort) and returns what is known of it afterwards. */
	private async abort(url: string, job: BulkJobInfo): Promise<BulkJobInfo> {
		try {
			const res = await this.options.http.request<BulkJobInfo>({
				method: 'PATCH',
				url,
				body: { state: 'Aborted' },
				idempotent: true,
			});
			return { ...merge(job, res.body), state: 'Aborted' };
		} catch {
			try {
				return merge(
					job,
					(await this.options.http.request<BulkJobInfo>({ method: 'GET', url })).body,
				);
			} catch {
				return job;
			}
		}
	}

	/** Polls a submitted ingest job until it ends, tolerating a few failed polls; `unknown` when it cannot be followed. */
	private async waitForIngest(
		url: string,
		job: BulkJobInfo,
	): Promise<{ kind: 'done'; job: BulkJobInfo } | Extract<JobRun, { kind: 'unknown' }>> {
		const started = this.now();
		let interval = this.options.pollIntervalMs ?? 500;
		const maxInterval = this.options.maxPollIntervalMs ?? 5000;
		const maxWait = this.options.maxWaitMs ?? 30 * 60_000;
		let failures = 0;
		for (;;) {
			try {
				job = merge(
					job,
					(await this.options.http.request<BulkJobInfo>({ method: 'GET', url })).body,
				);
				failures = 0;
				if (TERMINAL.has(job.state)) return { kind: 'done', job };
			} catch (error) {
				if (stopsRun(error) || ++failures >= MAX_POLL_FAILURES)
					return {
						kind: 'unknown',
						job,
						reason: `following it failed (${messageOf(error)})`,
						cause: error,
					};
			}
			if (this.now() - started > maxWait) {
				return {
					kind: 'unknown',
					job,
					reason: `it was still ${job.state} after ${Math.round(maxWait / 1000)} s, when waiting stopped (it keeps running in Salesforce)`,
				};
			}
			await this.sleep(interval);
			interval = Math.min(maxInterval, Math.round(interval * 1.5));
		}
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
				throw new CrmError(
					`Bulk job ${job.id} is still ${job.state} after ${Math.round(maxWait / 1000)} s: stopped waiting (the job keeps running in Salesforce; check it under Setup → Bulk Data Load Jobs)`,
					{
						kind: 'transient',
						retryable: false,
					},
				);
			}
			await this.sleep(interval);
			interval = Math.min(maxInterval, Math.round(interval * 1.5));
		}
	}

	private async getCsv(
		url: string,
		qs?: Record<string, string | number | undefined>,
	): Promise<{ rows: Array<Record<string, string>>; headers: Record<string, string> }> {
		const res = await this.options.http.request<string>({
			method: 'GET',
			url,
			qs,
			headers: { Accept: 'text/csv' },
			responseType: 'text',
		});
		const text = typeof res.body === 'string' ? res.body : '';
		let rows: Array<Record<string, string>> = [];
		try {
			if (text.trim() !== '')
				rows = vendor.csvParse().parse(text, {
					columns: true,
					skip_empty_lines: true,
					relax_column_count: true,
					bom: true,
				}) as Array<Record<string, string>>;
		} catch (error) {
			const job = /\/jobs\/(?:ingest|query)\/([^/]+)/.exec(url)?.[1] ?? '?';
			throw new CrmError(
				`The result CSV of bulk job ${job} could not be read (${error instanceof Error ? error.message : String(error)}); the rows may or may not have been written — check the job in Salesforce before re-running them`,
				{ kind: 'fatal', request: { method: 'GET', url } },
			);
		}
		return { rows, headers: res.headers };
	}

	/**
	 * Runs a Bulk API 2.0 query job and streams its CSV results page by page (`maxRecords` per page, following
	 * `Sforce-Locator` until it is `null`). Values are strings as in the CSV; empty cells become null.
	 */
	async *query(
		soqlText: string,
		options: BulkQueryOptions = {},
	): AsyncGenerator<Array<Record<string, string | null>>, void, undefined> {
		if (!soqlText.trim()) throw new CrmError('The SOQL query is empty', { kind: 'validation' });
		const base = `${this.options.baseUrl}/jobs/query`;
		const created = (
			await this.options.http.request<BulkJobInfo>({
				method: 'POST',
				url: base,
				body: {
					operation: options.includeDeleted ? 'queryAll' : 'query',
					query: soqlText,
					contentType: 'CSV',
					lineEnding: 'LF',
					columnDelimiter: 'COMMA',
				},
			})
		).body;
		const job = await this.waitForJob(`${base}/${created.id}`);
		options.onJob?.(job);
		if (job.state !== 'JobComplete') {
			throw new CrmError(
				`Bulk query job ${job.id} ended ${job.state}${job.errorMessage ? `: ${job.errorMessage}` : ''}`,
				{ kind: 'validation', crmMessage: job.errorMessage },
			);
		}
		let locator: string | undefined;
		const seen = new Set<string>();
		for (let page = 0; page < 1_000_000; page++) {
			const { rows, headers } = await this.getCsv(`${base}/${job.id}/results`, {
				maxRecords: options.pageSize ?? 50_000,
				locator,
			});
			const records = rows.map((row) => {
				const out: Record<string, string | null> = {};
				for (const [k, v] of Object.entries(row)) out[k] = v === '' ? null : v;
				return out;
			});
			if (records.length) yield records;
			const next = headers['sforce-locator'];
			if (!next || next === 'null') return;
			if (seen.has(next))
				throw new CrmError(`Bulk query paging loop: locator ${next} was returned twice`, {
					kind: 'fatal',
				});
			seen.add(next);
			locator = next;
		}
	}
}
