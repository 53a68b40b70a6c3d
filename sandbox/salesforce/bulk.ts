/**
 * Bulk API 2.0 for the Salesforce simulator.
 *
 * Ingest jobs (`/jobs/ingest`): insert, update, upsert, delete and hardDelete from CSV uploaded with
 * `PUT …/batches` (once per job: after a second upload, `UploadComplete` is refused with 400 INVALIDJOB, as
 * Salesforce does), `#N/A` meaning null, relationship columns such as
 * `Account.External_Id__c`; after `UploadComplete` the job waits `processingDelayMs`, turns `InProgress`,
 * processes `chunkSize` rows per timer tick (so polling sees progress) and ends `JobComplete` (or `Failed`
 * on a bad header, `Aborted` on request). Results: `successfulResults` (`sf__Id,sf__Created,…`),
 * `failedResults` (`sf__Id,sf__Error,…`), `unprocessedrecords`.
 *
 * Query jobs (`/jobs/query`): `query` / `queryAll`, results as CSV pages with `Sforce-Locator` (literal
 * `null` on the last page), `Sforce-NumberOfRecords` and `maxRecords`.
 */
import {
	csv,
	empty,
	json,
	parseCsv,
	salesforceIdGenerator,
	SeededRandom,
	stringifyCsv,
	type Reply,
	type SandboxRequest,
	type StoredRecord,
} from '../kit';
import { SfApiError, notFound, sfDateTime, type SfError, type Table } from './data';
import type { ApiCtx, SalesforceSimulator } from './simulator';
import { compileSoql, type CompiledQuery } from './soql';

/** Bulk API 2.0 behaviour. */
export interface BulkOptions {
	/** Delay between `UploadComplete` (or query job creation) and processing, in ms of timer time (default 500). */
	processingDelayMs: number;
	/** Rows processed per timer tick (default 2000). */
	chunkSize: number;
	/** Query result rows per page when the client sends no `maxRecords` (default 10,000). */
	queryPageSize: number;
	/**
	 * Row order of an ingest job's result CSVs (`successfulResults`, `failedResults`, `unprocessedrecords`):
	 * `input` (default: the order rows were processed in), `reversed`, or `shuffled` (seeded by the job id, so a
	 * run is reproducible). Salesforce does not promise the input order ("The order of records in the response is
	 * not guaranteed to match the ordering of records in the original job data"): a client must match result rows
	 * to its input rows by their values, never by position.
	 */
	resultOrder: 'input' | 'reversed' | 'shuffled';
	/** Schedules a callback (default `setTimeout`); returns a cancel function. */
	schedule: (fn: () => void, ms: number) => () => void;
}

type IngestOperation = 'insert' | 'update' | 'upsert' | 'delete' | 'hardDelete';
type JobState = 'Open' | 'UploadComplete' | 'InProgress' | 'JobComplete' | 'Failed' | 'Aborted';

const DELIMITERS: Record<string, string> = {
	COMMA: ',',
	TAB: '\t',
	PIPE: '|',
	SEMICOLON: ';',
	CARET: '^',
	BACKQUOTE: '`',
};

interface IngestJob {
	kind: 'ingest';
	id: string;
	operation: IngestOperation;
	object: string;
	table: Table;
	externalIdFieldName?: string;
	columnDelimiter: string;
	lineEnding: 'LF' | 'CRLF';
	state: JobState;
	createdDate: number;
	systemModstamp: number;
	header?: string[];
	rows: string[][];
	/** `PUT …/batches` requests accepted (Salesforce takes one per job). */
	uploads: number;
	/** Next row to process. */
	cursor: number;
	processed: number;
	failed: number;
	successes: Array<{ id: string; created: boolean; row: number }>;
	failures: Array<{ id: string; error: string; row: number }>;
	errorMessage?: string;
	injected?: Map<number, { code: string; message: string }>;
	startedAt?: number;
	finishedAt?: number;
	cancel?: () => void;
}

interface QueryJob {
	kind: 'query';
	id: string;
	operation: 'query' | 'queryAll';
	query: string;
	compiled: CompiledQuery;
	object: string;
	columnDelimiter: string;
	lineEnding: 'LF' | 'CRLF';
	state: JobState;
	createdDate: number;
	systemModstamp: number;
	records?: StoredRecord[];
	startedAt?: number;
	finishedAt?: number;
	cancel?: () => void;
}

/** The Bulk API 2.0 endpoints and job processing. */
export class BulkService {
	private readonly options: BulkOptions;
	private readonly ingestJobs = new Map<string, IngestJob>();
	private readonly queryJobs = new Map<string, QueryJob>();
	private readonly nextId = salesforceIdGenerator('750');
	private stopped = false;

	constructor(
		private readonly sim: SalesforceSimulator,
		options: Partial<BulkOptions>,
	) {
		this.options = {
			processingDelayMs: options.processingDelayMs ?? 500,
			chunkSize: options.chunkSize ?? 2000,
			queryPageSize: options.queryPageSize ?? 10_000,
			resultOrder: options.resultOrder ?? 'input',
			schedule:
				options.schedule ??
				((fn, ms) => {
					const t = setTimeout(fn, ms);
					return () => clearTimeout(t);
				}),
		};
	}

	/** Changes the processing delay / chunk size / page size at runtime. */
	configure(changes: Partial<Omit<BulkOptions, 'schedule'>>): void {
		Object.assign(this.options, changes);
	}

	/** Jobs created so far, per kind. */
	jobCounts(): { ingest: number; query: number } {
		return { ingest: this.ingestJobs.size, query: this.queryJobs.size };
	}

	/** Every ingest job's id and state (for tests: wait until none is still processing). */
	ingestStates(): Array<{ id: string; state: JobState }> {
		return [...this.ingestJobs.values()].map((j) => ({ id: j.id, state: j.state }));
	}

	/** The ingest job record (for tests). */
	ingestJob(id: string): Readonly<IngestJob> | undefined {
		return this.ingestJobs.get(id);
	}

	/** Allows processing again after {@link stop} (server restart). */
	resume(): void {
		this.stopped = false;
	}

	/** Cancels pending processing (server stop). */
	stop(): void {
		this.stopped = true;
		for (const j of [...this.ingestJobs.values(), ...this.queryJobs.values()]) j.cancel?.();
	}

	/** Forgets every job. */
	reset(): void {
		for (const j of [...this.ingestJobs.values(), ...this.queryJobs.values()]) j.cancel?.();
		this.ingestJobs.clear();
		this.queryJobs.clear();
	}

	/** Registers the routes. */
	install(): void {
		const api = this.sim.api.bind(this.sim);
		api('POST', '/jobs/ingest', (ctx) => this.createIngest(ctx), 'bulk.ingest.create');
		api(
			'GET',
			'/jobs/ingest',
			(ctx) =>
				json({
					done: true,
					records: [...this.ingestJobs.values()].map((j) => this.ingestInfo(j, ctx.version, false)),
					nextRecordsUrl: null,
				}),
			'bulk.ingest.list',
		);
		api('PUT', '/jobs/ingest/:id/batches', (ctx) => this.upload(ctx), 'bulk.ingest.upload');
		api(
			'GET',
			'/jobs/ingest/:id',
			(ctx) => json(this.ingestInfo(this.ingest(ctx), ctx.version, true)),
			'bulk.ingest.get',
		);
		api('PATCH', '/jobs/ingest/:id', (ctx) => this.changeIngestState(ctx), 'bulk.ingest.state');
		api('DELETE', '/jobs/ingest/:id', (ctx) => this.deleteJob(ctx, 'ingest'), 'bulk.ingest.delete');
		api(
			'GET',
			'/jobs/ingest/:id/successfulResults',
			(ctx) => this.results(ctx, 'successful'),
			'bulk.ingest.results',
		);
		api(
			'GET',
			'/jobs/ingest/:id/failedResults',
			(ctx) => this.results(ctx, 'failed'),
			'bulk.ingest.results',
		);
		api(
			'GET',
			'/jobs/ingest/:id/unprocessedrecords',
			(ctx) => this.results(ctx, 'unprocessed'),
			'bulk.ingest.results',
		);

		api('POST', '/jobs/query', (ctx) => this.createQuery(ctx), 'bulk.query.create');
		api(
			'GET',
			'/jobs/query',
			(ctx) =>
				json({
					done: true,
					records: [...this.queryJobs.values()].map((j) => this.queryInfo(j, ctx.version, false)),
					nextRecordsUrl: null,
				}),
			'bulk.query.list',
		);
		api(
			'GET',
			'/jobs/query/:id',
			(ctx) => json(this.queryInfo(this.queryJob(ctx), ctx.version, true)),
			'bulk.query.get',
		);
		api('PATCH', '/jobs/query/:id', (ctx) => this.changeQueryState(ctx), 'bulk.query.state');
		api('DELETE', '/jobs/query/:id', (ctx) => this.deleteJob(ctx, 'query'), 'bulk.query.delete');
		api('GET', '/jobs/query/:id/results', (ctx) => this.queryResults(ctx), 'bulk.query.results');
	}

	// ---- ingest --------------------------------------------------------------------------------------

	private async createIngest(ctx: ApiCtx): Promise<Reply> {
		const b = (await ctx.json()) as Record<string, unknown> | undefined;
		if (!b || typeof b !== 'object')
			throw new SfApiError(400, 'INVALIDJOB', 'The request body must be a JSON object');
		const operation = b.operation;
		if (!['insert', 'update', 'upsert', 'delete', 'hardDelete'].includes(operation as string)) {
			throw new SfApiError(
				400,
				'INVALIDJOB',
				`InvalidJob : Invalid operation: ${String(operation)}`,
			);
		}
		if (typeof b.object !== 'string')
			throw new SfApiError(400, 'INVALIDJOB', 'InvalidJob : object is required');
		const table = this.sim.org.table(b.object);
		if (!table)
			throw new SfApiError(400, 'INVALIDJOB', `InvalidJob : Unable to find object: ${b.object}`);
		let ext: string | undefined;
		if (operation === 'upsert') {
			if (typeof b.externalIdFieldName !== 'string')
				throw new SfApiError(400, 'INVALIDJOB', 'InvalidJob : External ID was blank for upsert');
			const f = table.object.byName.get(b.externalIdFieldName.toLowerCase());
			if (!f || !(f.externalId || f.type === 'id')) {
				throw new SfApiError(
					400,
					'INVALIDJOB',
					`InvalidJob : Field name provided, ${b.externalIdFieldName} is not an External ID or indexed field for ${table.object.name}`,
				);
			}
			ext = f.name;
		}
		const delimName = typeof b.columnDelimiter === 'string' ? b.columnDelimiter : 'COMMA';
		const delimiter = DELIMITERS[delimName];
		if (!delimiter)
			throw new SfApiError(400, 'INVALIDJOB', `InvalidJob : Invalid columnDelimiter: ${delimName}`);
		const lineEnding = b.lineEnding === 'CRLF' ? 'CRLF' : 'LF';
		const now = this.sim.clock.now();
		const job: IngestJob = {
			kind: 'ingest',
			id: this.nextId(),
			operation: operation as IngestOperation,
			object: table.object.name,
			table,
			externalIdFieldName: ext,
			columnDelimiter: delimiter,
			lineEnding,
			state: 'Open',
			createdDate: now,
			systemModstamp: now,
			rows: [],
			uploads: 0,
			cursor: 0,
			processed: 0,
			failed: 0,
			successes: [],
			failures: [],
		};
		this.ingestJobs.set(job.id, job);
		return json(this.ingestInfo(job, ctx.version, false), 200);
	}

	private ingest(ctx: ApiCtx): IngestJob {
		const job = this.ingestJobs.get(ctx.params.id);
		if (!job) throw notFound('The requested resource does not exist');
		return job;
	}

	private ingestInfo(job: IngestJob, version: string, detail: boolean): Record<string, unknown> {
		return this.jobInfo(
			job,
			version,
			job.externalIdFieldName ? { externalIdFieldName: job.externalIdFieldName } : {},
			detail || job.state === 'Open'
				? { contentUrl: `services/data/v${version}/jobs/ingest/${job.id}/batches` }
				: {},
			detail
				? {
						numberRecordsProcessed: job.processed,
						numberRecordsFailed: job.failed,
						retries: 0,
						totalProcessingTime: this.processingTime(job),
						apiActiveProcessingTime: this.processingTime(job),
						apexProcessingTime: 0,
						...(job.errorMessage ? { errorMessage: job.errorMessage } : {}),
					}
				: {},
		);
	}

	/**
	 * The job info fields of both kinds of job, in Salesforce's order: the kind's own fields go after `state`
	 * (`afterState`), after `jobType` (`afterJobType`) and at the end (`details`, for a single job's info).
	 */
	private jobInfo(
		job: IngestJob | QueryJob,
		version: string,
		afterState: Record<string, unknown>,
		afterJobType: Record<string, unknown>,
		details: Record<string, unknown>,
	): Record<string, unknown> {
		return {
			id: job.id,
			operation: job.operation,
			object: job.object,
			createdById: this.sim.org.userId,
			createdDate: sfDateTime(job.createdDate),
			systemModstamp: sfDateTime(job.systemModstamp),
			state: job.state,
			...afterState,
			concurrencyMode: 'Parallel',
			contentType: 'CSV',
			apiVersion: Number(version),
			jobType: job.kind === 'ingest' ? 'V2Ingest' : 'V2Query',
			...afterJobType,
			lineEnding: job.lineEnding,
			columnDelimiter:
				Object.entries(DELIMITERS).find(([, d]) => d === job.columnDelimiter)?.[0] ?? 'COMMA',
			...details,
		};
	}

	/** Milliseconds the job has been (or was) processing. */
	private processingTime(job: IngestJob | QueryJob): number {
		return job.startedAt !== undefined
			? (job.finishedAt ?? this.sim.clock.now()) - job.startedAt
			: 0;
	}

	private async upload(ctx: ApiCtx): Promise<Reply> {
		const job = this.ingest(ctx);
		if (job.state !== 'Open')
			throw new SfApiError(
				409,
				'INVALIDJOBSTATE',
				`Job ${job.id} is not open for uploads (state ${job.state})`,
			);
		const type = (ctx.header('content-type') ?? 'text/csv').split(';')[0].trim().toLowerCase();
		if (type !== 'text/csv')
			throw new SfApiError(
				400,
				'INVALIDREQUEST',
				`Unsupported content type: ${type}; upload text/csv`,
			);
		let rows: string[][];
		try {
			rows = parseCsv(await ctx.text(), job.columnDelimiter);
		} catch (err) {
			throw new SfApiError(400, 'INVALIDREQUEST', `ClientInputError : ${(err as Error).message}`);
		}
		if (rows.length === 0)
			throw new SfApiError(400, 'INVALIDREQUEST', 'ClientInputError : The CSV is empty');
		const [header, ...data] = rows;
		if (job.header && job.header.join('\u0000') !== header.join('\u0000')) {
			throw new SfApiError(
				400,
				'INVALIDREQUEST',
				'ClientInputError : Every upload to a job must have the same header row',
			);
		}
		job.header ??= header;
		job.uploads++;
		for (const r of data) if (!(r.length === 1 && r[0] === '')) job.rows.push(r);
		job.systemModstamp = this.sim.clock.now();
		return empty(201);
	}

	private async changeIngestState(ctx: ApiCtx): Promise<Reply> {
		const job = this.ingest(ctx);
		const b = (await ctx.json()) as { state?: unknown } | undefined;
		const state = b?.state;
		if (state === 'UploadComplete') {
			if (job.state !== 'Open')
				throw new SfApiError(
					409,
					'INVALIDJOBSTATE',
					`Job ${job.id} is not open (state ${job.state})`,
				);
			if (job.uploads > 1) {
				// Salesforce's own wording (typo included); the job stays Open.
				throw new SfApiError(
					400,
					'INVALIDJOB',
					`Found multipe contents for job: <${job.id}>, please 'Close' / 'Abort' / 'Delete' the current Job then create a new Job and make sure you only do 'PUT' once on a given Job.`,
				);
			}
			job.state = 'UploadComplete';
			job.systemModstamp = this.sim.clock.now();
			if (ctx.req) job.injected = this.injected(ctx.req, job.rows.length);
			this.scheduleIngest(job);
		} else if (state === 'Aborted') {
			if (job.state === 'JobComplete' || job.state === 'Failed' || job.state === 'Aborted') {
				throw new SfApiError(409, 'INVALIDJOBSTATE', `Job ${job.id} is already ${job.state}`);
			}
			job.cancel?.();
			job.state = 'Aborted';
			job.finishedAt = this.sim.clock.now();
			job.systemModstamp = job.finishedAt;
		} else {
			throw new SfApiError(
				400,
				'INVALIDJOBSTATE',
				`Invalid state: ${String(state)} (UploadComplete or Aborted)`,
			);
		}
		return json(this.ingestInfo(job, ctx.version, false));
	}

	private injected(req: SandboxRequest, n: number): Map<number, { code: string; message: string }> {
		const indexes = Array.from({ length: n }, (_, i) => i);
		const failures = this.sim.faults.batchFailures(req, indexes);
		return new Map([...failures].map(([i, f]) => [i, { code: f.code, message: f.message }]));
	}

	private scheduleIngest(job: IngestJob): void {
		if (this.stopped) return;
		job.cancel = this.options.schedule(() => {
			job.cancel = undefined;
			if (job.state !== 'UploadComplete') return;
			job.state = 'InProgress';
			job.startedAt = this.sim.clock.now();
			job.systemModstamp = job.startedAt;
			const problem = this.checkHeader(job);
			if (problem) return this.finish(job, 'Failed', problem);
			if (job.rows.length === 0)
				return this.finish(job, 'Failed', 'InvalidBatch : No data was uploaded');
			this.processChunk(job);
		}, this.options.processingDelayMs);
	}

	private checkHeader(job: IngestJob): string | undefined {
		const header = job.header ?? [];
		const object = job.table.object;
		for (const col of header) {
			if (col === '') return 'InvalidBatch : Field name not found : (empty)';
			const [first, second] = col.split('.');
			if (second !== undefined) {
				const rel = object.byRelationship.get(first.toLowerCase());
				if (!rel) return `InvalidBatch : Field name not found : ${col}`;
				continue;
			}
			if (!object.byName.has(col.toLowerCase()))
				return `InvalidBatch : Field name not found : ${col}`;
		}
		const lower = header.map((h) => h.toLowerCase());
		if (
			(job.operation === 'update' ||
				job.operation === 'delete' ||
				job.operation === 'hardDelete') &&
			!lower.includes('id')
		) {
			return 'InvalidBatch : Field name not found : Id';
		}
		if (
			job.operation === 'upsert' &&
			!lower.includes((job.externalIdFieldName as string).toLowerCase())
		) {
			return `InvalidBatch : Field name not found : ${job.externalIdFieldName}`;
		}
		return undefined;
	}

	private finish(job: IngestJob, state: JobState, errorMessage?: string): void {
		job.state = state;
		if (errorMessage) job.errorMessage = errorMessage;
		job.finishedAt = this.sim.clock.now();
		job.systemModstamp = job.finishedAt;
	}

	private processChunk(job: IngestJob): void {
		if (job.state !== 'InProgress') return;
		const end = Math.min(job.rows.length, job.cursor + this.options.chunkSize);
		const header = job.header as string[];
		const idCol = header.findIndex((h) => h.toLowerCase() === 'id');
		const purge: string[] = [];
		const claims = new Map<string, string>();
		const { org } = this.sim;
		const table = job.table;
		for (let i = job.cursor; i < end; i++) {
			const row = job.rows[i];
			const fail = (e: SfError, id = '') => {
				job.failures.push({
					id,
					error: `${e.errorCode}:${e.message}:${e.fields.length > 0 ? `${e.fields.join(',')} --` : '--'}`,
					row: i,
				});
				job.failed++;
			};
			job.processed++;
			const injected = job.injected?.get(i);
			if (injected) {
				fail({ errorCode: injected.code, message: injected.message, fields: [] });
				continue;
			}
			if (row.length !== header.length) {
				fail({
					errorCode: 'INVALID_FIELD',
					message: `Row has ${row.length} columns, the header has ${header.length}`,
					fields: [],
				});
				continue;
			}
			const input: Record<string, unknown> = {};
			header.forEach((col, c) => {
				const dot = col.indexOf('.');
				if (dot > 0) {
					if (row[c] !== '') input[col.slice(0, dot)] = { [col.slice(dot + 1)]: row[c] };
				} else if (col.toLowerCase() !== 'id') input[col] = row[c];
			});
			const rawId = idCol >= 0 ? row[idCol] : '';
			switch (job.operation) {
				case 'insert': {
					const v = org.validate(table, input, 'create', 'csv', { claims });
					if (v.errors.length > 0) fail(v.errors[0]);
					else job.successes.push({ id: table.insert(v.fields).id, created: true, row: i });
					break;
				}
				case 'update': {
					const id = org.canonicalId(rawId);
					if (!id) {
						fail(
							{
								errorCode: rawId === '' ? 'MISSING_ARGUMENT' : 'MALFORMED_ID',
								message:
									rawId === ''
										? 'Id not specified in an update call'
										: `Id: id value of incorrect type: ${rawId}`,
								fields: rawId === '' ? [] : ['Id'],
							},
							rawId,
						);
						break;
					}
					const rec = table.get(id, true);
					if (!rec) {
						fail(
							{
								errorCode: 'INVALID_CROSS_REFERENCE_KEY',
								message: 'invalid cross reference id',
								fields: [],
							},
							id,
						);
						break;
					}
					if (rec.deletedAt !== null) {
						fail({ errorCode: 'ENTITY_IS_DELETED', message: 'entity is deleted', fields: [] }, id);
						break;
					}
					const v = org.validate(table, input, 'update', 'csv', { existingId: id, claims });
					if (v.errors.length > 0) fail(v.errors[0], id);
					else {
						table.patch(id, v.fields);
						job.successes.push({ id, created: false, row: i });
					}
					break;
				}
				case 'upsert': {
					const field = job.externalIdFieldName as string;
					const key = Object.keys(input).find((k) => k.toLowerCase() === field.toLowerCase());
					const value = field === 'Id' ? rawId : key ? String(input[key]) : '';
					if (value === '') {
						fail({ errorCode: 'MISSING_ARGUMENT', message: `${field} not specified`, fields: [] });
						break;
					}
					const result = this.sim.upsertRecord(table, field, value, input, false, claims, 'csv');
					if ('multiple' in result) {
						fail({
							errorCode: 'DUPLICATE_EXTERNAL_ID',
							message: `${field}: more than one record found for external id field: [${result.multiple.join(', ')}]`,
							fields: [field],
						});
					} else if ('errors' in result) fail(result.errors[0]);
					else if ('parseError' in result) fail(result.parseError);
					else if ('notFound' in result)
						fail({
							errorCode: 'INVALID_CROSS_REFERENCE_KEY',
							message: 'invalid cross reference id',
							fields: [],
						});
					else job.successes.push({ id: result.id, created: result.created, row: i });
					break;
				}
				case 'delete':
				case 'hardDelete': {
					const id = org.canonicalId(rawId);
					const rec = id ? table.get(id, true) : undefined;
					if (!id || !rec) {
						fail(
							{
								errorCode: id ? 'INVALID_CROSS_REFERENCE_KEY' : 'MALFORMED_ID',
								message: id ? 'invalid cross reference id' : `bad id ${rawId}`,
								fields: [],
							},
							rawId,
						);
						break;
					}
					if (rec.deletedAt !== null && job.operation === 'delete') {
						fail({ errorCode: 'ENTITY_IS_DELETED', message: 'entity is deleted', fields: [] }, id);
						break;
					}
					if (job.operation === 'delete') table.remove(id);
					else purge.push(id);
					job.successes.push({ id, created: false, row: i });
					break;
				}
			}
		}
		if (purge.length > 0) table.purge(purge);
		job.cursor = end;
		job.systemModstamp = this.sim.clock.now();
		if (end >= job.rows.length) {
			this.finish(job, 'JobComplete');
			return;
		}
		if (this.stopped) return;
		job.cancel = this.options.schedule(() => {
			job.cancel = undefined;
			this.processChunk(job);
		}, 0);
	}

	private results(ctx: ApiCtx, which: 'successful' | 'failed' | 'unprocessed'): Reply {
		const job = this.ingest(ctx);
		const header = job.header ?? [];
		const eol = job.lineEnding === 'CRLF' ? '\r\n' : '\n';
		const opts = { delimiter: job.columnDelimiter, lineEnding: eol as '\n' | '\r\n' };
		if (which === 'successful') {
			const rows = job.successes.map((s) => [s.id, String(s.created), ...job.rows[s.row]]);
			return csv(
				stringifyCsv([['sf__Id', 'sf__Created', ...header], ...this.ordered(job, rows)], opts),
			);
		}
		if (which === 'failed') {
			const rows = job.failures.map((f) => [f.id, f.error, ...job.rows[f.row]]);
			return csv(
				stringifyCsv([['sf__Id', 'sf__Error', ...header], ...this.ordered(job, rows)], opts),
			);
		}
		const pending =
			job.state === 'Aborted' || job.state === 'Failed' ? job.rows.slice(job.cursor) : [];
		return csv(stringifyCsv([header, ...this.ordered(job, pending)], opts));
	}

	/** Result rows in the configured `resultOrder` (the same order on every download of one job). */
	private ordered(job: IngestJob, rows: string[][]): string[][] {
		if (this.options.resultOrder === 'reversed') return [...rows].reverse();
		if (this.options.resultOrder !== 'shuffled') return rows;
		let seed = 0;
		for (const ch of job.id) seed = (Math.imul(seed, 31) + ch.charCodeAt(0)) >>> 0;
		const rng = new SeededRandom(seed);
		const out = [...rows];
		for (let i = out.length - 1; i > 0; i--) {
			const j = rng.int(0, i);
			[out[i], out[j]] = [out[j], out[i]];
		}
		return out;
	}

	private deleteJob(ctx: ApiCtx, kind: 'ingest' | 'query'): Reply {
		const jobs = kind === 'ingest' ? this.ingestJobs : this.queryJobs;
		const job = jobs.get(ctx.params.id);
		if (!job) throw notFound();
		if (job.state === 'InProgress' || job.state === 'UploadComplete') {
			throw new SfApiError(
				400,
				'INVALIDJOBSTATE',
				`Job ${job.id} can't be deleted while ${job.state}; abort it first`,
			);
		}
		job.cancel?.();
		jobs.delete(job.id);
		return empty(204);
	}

	// ---- query ---------------------------------------------------------------------------------------

	private async createQuery(ctx: ApiCtx): Promise<Reply> {
		const b = (await ctx.json()) as Record<string, unknown> | undefined;
		if (!b || typeof b.query !== 'string')
			throw new SfApiError(400, 'INVALIDJOB', 'InvalidJob : query is required');
		const operation = b.operation ?? 'query';
		if (operation !== 'query' && operation !== 'queryAll')
			throw new SfApiError(
				400,
				'INVALIDJOB',
				`InvalidJob : Invalid operation: ${String(operation)}`,
			);
		const compiled = compileSoql(this.sim.org, b.query, ctx.version, this.sim.clock.now());
		if (compiled.count)
			throw new SfApiError(
				400,
				'INVALIDJOB',
				'InvalidJob : COUNT() is not supported by Bulk API 2.0 query',
			);
		const delimName = typeof b.columnDelimiter === 'string' ? b.columnDelimiter : 'COMMA';
		const delimiter = DELIMITERS[delimName];
		if (!delimiter)
			throw new SfApiError(400, 'INVALIDJOB', `InvalidJob : Invalid columnDelimiter: ${delimName}`);
		const now = this.sim.clock.now();
		const job: QueryJob = {
			kind: 'query',
			id: this.nextId(),
			operation,
			query: b.query,
			compiled,
			object: compiled.table.object.name,
			columnDelimiter: delimiter,
			lineEnding: b.lineEnding === 'CRLF' ? 'CRLF' : 'LF',
			state: 'UploadComplete',
			createdDate: now,
			systemModstamp: now,
		};
		this.queryJobs.set(job.id, job);
		if (!this.stopped) {
			job.cancel = this.options.schedule(
				() => {
					if (job.state !== 'UploadComplete') return;
					job.state = 'InProgress';
					job.startedAt = this.sim.clock.now();
					job.records = job.compiled.run({ includeDeleted: job.operation === 'queryAll' }).records;
					job.cancel = this.options.schedule(
						() => {
							job.cancel = undefined;
							if (job.state !== 'InProgress') return;
							job.state = 'JobComplete';
							job.finishedAt = this.sim.clock.now();
							job.systemModstamp = job.finishedAt;
						},
						Math.ceil(this.options.processingDelayMs / 2),
					);
				},
				Math.ceil(this.options.processingDelayMs / 2),
			);
		}
		return json(this.queryInfo(job, ctx.version, false));
	}

	private queryJob(ctx: ApiCtx): QueryJob {
		const job = this.queryJobs.get(ctx.params.id);
		if (!job) throw notFound();
		return job;
	}

	private queryInfo(job: QueryJob, version: string, detail: boolean): Record<string, unknown> {
		return this.jobInfo(
			job,
			version,
			{},
			{},
			detail
				? {
						numberRecordsProcessed: job.state === 'JobComplete' ? (job.records?.length ?? 0) : 0,
						retries: 0,
						totalProcessingTime: this.processingTime(job),
						isPkChunkingSupported: true,
					}
				: {},
		);
	}

	private async changeQueryState(ctx: ApiCtx): Promise<Reply> {
		const job = this.queryJob(ctx);
		const b = (await ctx.json()) as { state?: unknown } | undefined;
		if (b?.state !== 'Aborted')
			throw new SfApiError(400, 'INVALIDJOBSTATE', 'Only state Aborted can be set on a query job');
		if (job.state === 'JobComplete' || job.state === 'Failed' || job.state === 'Aborted') {
			throw new SfApiError(409, 'INVALIDJOBSTATE', `Job ${job.id} is already ${job.state}`);
		}
		job.cancel?.();
		job.state = 'Aborted';
		job.systemModstamp = this.sim.clock.now();
		return json(this.queryInfo(job, ctx.version, false));
	}

	private queryResults(ctx: ApiCtx): Reply {
		const job = this.queryJob(ctx);
		if (job.state !== 'JobComplete' || !job.records) {
			throw new SfApiError(
				400,
				'INVALIDJOBSTATE',
				`Job ${job.id} is ${job.state}; results are available once it is JobComplete`,
			);
		}
		const rawMax = ctx.query.get('maxRecords');
		let max = this.options.queryPageSize;
		if (rawMax !== null && rawMax !== '') {
			if (!/^\d+$/.test(rawMax) || Number(rawMax) < 1)
				throw new SfApiError(
					400,
					'INVALIDREQUEST',
					`maxRecords must be a positive integer: ${rawMax}`,
				);
			max = Number(rawMax);
		}
		const rawLocator = ctx.query.get('locator');
		let start = 0;
		if (rawLocator !== null && rawLocator !== '' && rawLocator !== 'null') {
			const decoded = Buffer.from(rawLocator, 'base64').toString('utf8');
			if (!/^\d+$/.test(decoded) || Number(decoded) > job.records.length)
				throw new SfApiError(400, 'INVALIDLOCATOR', `Invalid locator: ${rawLocator}`);
			start = Number(decoded);
		}
		const end = Math.min(job.records.length, start + max);
		const page = job.records.slice(start, end);
		const header = job.compiled.columns.map((c) => c.join('.'));
		const body = stringifyCsv([header, ...page.map(job.compiled.toCsv)], {
			delimiter: job.columnDelimiter,
			lineEnding: job.lineEnding === 'CRLF' ? '\r\n' : '\n',
		});
		const next =
			end < job.records.length
				? Buffer.from(String(end)).toString('base64').replace(/=+$/, '')
				: 'null';
		return csv(body, 200, {
			'Sforce-Locator': next,
			'Sforce-NumberOfRecords': String(page.length),
		});
	}
}
