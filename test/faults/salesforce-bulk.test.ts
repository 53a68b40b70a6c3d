/**
 * The fault matrix of the Salesforce Bulk resource (Bulk API 2.0 insert and upsert), through n8n's engine against
 * the simulator. Each case injects one fault (seeded, bounded: a fault hits a counted number of requests) into one
 * run of the node with "On Error → Continue (using error output)", then counts, in the simulator's store and on the
 * node's two outputs: lost items (on neither output), duplicated records, written items reported as failed,
 * unwritten items on the success output; then re-runs the error-output items through the same node and counts
 * duplicates again. Every count must be 0; the matrix is printed at the end.
 */
import type { INodeExecutionData } from 'n8n-workflow';

import type { FaultSpec } from '../../sandbox/kit';
import type { SalesforceSimulator, SalesforceSimContract } from '../../sandbox/salesforce';
import { runWorkflow } from '../helpers/engine';
import {
	object,
	passwordCredentials,
	salesforceNode,
	startSimulator,
	workflowWith,
} from '../workflows/salesforce/helpers';

let sim: SalesforceSimulator;
let contract: SalesforceSimContract;
/** Run once on the answer to the first request of this kind (set per case, cleared after). */
let onFirstResponse: { kind: string; run: () => void } | undefined;

beforeAll(async () => {
	({ sim, contract } = await startSimulator({ seed: 7, bulk: { processingDelayMs: 1 } }));
	sim.server.onResponse((req) => {
		if (onFirstResponse && req.kind === onFirstResponse.kind) {
			const { run } = onFirstResponse;
			onFirstResponse = undefined;
			run();
		}
	});
});
afterAll(async () => {
	await sim.stop();
});
beforeEach(() => {
	sim.reset();
	sim.faults.reseed(7);
	onFirstResponse = undefined;
});

const ROWS = 60;
const TIMEOUT_MS = 1000;
const SLOW_MS = 1800;
const UPLOAD = { path: '/jobs/ingest/[^/]+/batches$', methods: ['PUT'] };
const CLOSE = { path: '/jobs/ingest/[^/]+$', methods: ['PATCH'] };
const CREATE = { path: '/jobs/ingest$', methods: ['POST'] };
const TOKEN = { path: '/services/oauth2/token$' };

interface Case {
	name: string;
	faults?: FaultSpec[];
	/** Runs on the answer to the first request of `kind` (e.g. to expire tokens mid-run). */
	after?: { kind: string; run: () => void };
	/** Rows that fail by themselves (a key that is not a field). */
	badRows?: number[];
	/** The node's Timeout option. */
	timeout?: number;
	/** Server-side work still sleeping after the run (slow faults): wait it out before counting. */
	settleMs?: number;
}

const CASES: Case[] = [
	{ name: 'no fault' },
	{
		name: '429 on job create',
		faults: [{ type: 'rateLimit', retryAfterSeconds: 1, match: CREATE }],
	},
	{ name: '429 on upload', faults: [{ type: 'rateLimit', retryAfterSeconds: 1, match: UPLOAD }] },
	{
		name: '429 on UploadComplete',
		faults: [{ type: 'rateLimit', retryAfterSeconds: 1, match: CLOSE }],
	},
	{ name: '5xx on job create', faults: [{ type: 'serverError', status: 500, match: CREATE }] },
	{ name: '5xx on upload', faults: [{ type: 'serverError', status: 500, match: UPLOAD }] },
	{ name: '5xx on UploadComplete', faults: [{ type: 'serverError', status: 500, match: CLOSE }] },
	{
		name: '503 on every upload (3 jobs)',
		faults: [{ type: 'serverError', status: 503, count: 3, match: UPLOAD }],
	},
	{
		name: 'drop before applied: job create',
		faults: [{ type: 'drop', when: 'beforeBody', match: CREATE }],
	},
	{
		name: 'drop after applied: job create',
		faults: [{ type: 'drop', when: 'afterHandler', match: CREATE }],
	},
	{
		name: 'drop before applied: upload',
		faults: [{ type: 'drop', when: 'beforeBody', match: UPLOAD }],
	},
	{
		name: 'drop after applied: upload',
		faults: [{ type: 'drop', when: 'afterHandler', match: UPLOAD }],
	},
	{
		name: 'drop before applied: UploadComplete',
		faults: [{ type: 'drop', when: 'beforeBody', match: CLOSE }],
	},
	{
		name: 'drop after applied: UploadComplete',
		faults: [{ type: 'drop', when: 'afterHandler', match: CLOSE }],
	},
	{
		name: 'drop after applied: status poll',
		faults: [
			{
				type: 'drop',
				when: 'afterHandler',
				match: { path: '/jobs/ingest/[^/]+$', methods: ['GET'] },
			},
		],
	},
	{
		name: 'drop after applied: result download',
		faults: [
			{
				type: 'drop',
				when: 'afterHandler',
				match: { path: '/successfulResults$', methods: ['GET'] },
			},
		],
	},
	{
		name: 'slow upload past the timeout',
		timeout: TIMEOUT_MS,
		settleMs: SLOW_MS,
		faults: [{ type: 'slow', delayMs: SLOW_MS, match: UPLOAD }],
	},
	{
		name: 'slow UploadComplete past the timeout',
		timeout: TIMEOUT_MS,
		settleMs: SLOW_MS,
		faults: [{ type: 'slow', delayMs: SLOW_MS, match: CLOSE }],
	},
	{
		name: 'expired token (before the upload)',
		after: { kind: 'bulk.ingest.create', run: () => sim.faults.expireTokens() },
	},
	{
		name: 'dropped token request (first login)',
		faults: [{ type: 'drop', when: 'beforeBody', match: TOKEN }],
	},
	{
		name: 'dropped token request (re-login at the upload)',
		after: {
			kind: 'bulk.ingest.create',
			run: () => {
				sim.faults.expireTokens();
				sim.faults.add({ type: 'drop', when: 'beforeBody', match: TOKEN });
			},
		},
	},
	{
		name: 'per-record failures (3 injected + 1 bad key)',
		badRows: [11],
		faults: [
			{
				type: 'batchFailure',
				indexes: [2, 30, 45],
				code: 'UNABLE_TO_LOCK_ROW',
				message: 'unable to obtain exclusive access to this record',
				match: CLOSE,
			},
		],
	},
];

type Op = 'insert' | 'upsert';
const OPS: Op[] = ['insert', 'upsert'];

/** The input rows of a case: unique e-mail (insert) / external ID (upsert) per row, so the store can be counted. */
function inputRows(op: Op, tag: string, badRows: number[] = []): Array<Record<string, string>> {
	return Array.from({ length: ROWS }, (_, i) => {
		const key = `${tag}-${i}`;
		const row: Record<string, string> =
			op === 'insert'
				? { LastName: `Fault ${key}`, Email: `${key}@example.com` }
				: { External_Id__c: key, LastName: `Fault ${key}` };
		if (badRows.includes(i)) row['Last Name'] = 'not a field';
		return row;
	});
}

const keyField = (op: Op) => (op === 'insert' ? 'Email' : 'External_Id__c');
const keyOf = (op: Op, row: Record<string, string>) => row[keyField(op)];

/** Records in the store per key (only keys of this case's rows). */
function storeByKey(op: Op, keys: Set<string>): Map<string, string[]> {
	const out = new Map<string, string[]>();
	for (const r of sim.table('Contact').collection.list()) {
		const key = String(r.fields[keyField(op)] ?? '');
		if (!keys.has(key)) continue;
		out.set(key, [...(out.get(key) ?? []), r.id]);
	}
	return out;
}

async function runNode(op: Op, rows: Array<Record<string, string>>, timeout?: number) {
	const params =
		op === 'insert'
			? { operation: 'insert', fieldsToSend: '' }
			: { operation: 'upsert', externalIdField: 'External_Id__c', fieldsToSend: '' };
	const node = salesforceNode(
		`Bulk ${op}`,
		{
			resource: 'bulk',
			object: object('Contact'),
			...params,
			...(timeout ? { options: { timeout } } : {}),
		},
		{ onError: 'continueErrorOutput' },
	);
	const result = await runWorkflow(workflowWith(`return ${JSON.stringify(rows)};`, node), {
		credentials: passwordCredentials(contract),
	});
	expect(result.error).toBeUndefined();
	return { ok: result.items(node.name, 0), failed: result.items(node.name, 1) };
}

/** Waits (bounded) until no ingest job is still being processed, so the store holds everything the run caused. */
async function jobsSettled(): Promise<void> {
	for (
		let i = 0;
		i < 500 &&
		sim.bulk.ingestStates().some((j) => j.state === 'UploadComplete' || j.state === 'InProgress');
		i++
	) {
		await new Promise((r) => setTimeout(r, 10));
	}
	expect(
		sim.bulk.ingestStates().filter((j) => j.state === 'UploadComplete' || j.state === 'InProgress'),
	).toEqual([]);
}

const itemOf = (item: INodeExecutionData) => (item.pairedItem as { item: number }).item;

interface Measured {
	case: string;
	op: Op;
	written: number;
	success: number;
	errors: number;
	unknown: number;
	codes: string;
	lost: number;
	duplicated: number;
	writtenReportedFailed: number;
	unwrittenOnSuccess: number;
	rerun: number;
	duplicatedAfterRerun: number;
	jobs: number;
}
const matrix: Measured[] = [];

afterAll(() => {
	const head = [
		'case',
		'op',
		'written',
		'success out',
		'error out',
		'of which OUTCOME_UNKNOWN',
		'lost',
		'dup',
		'written→failed',
		'unwritten→success',
		're-run',
		'dup after re-run',
		'jobs',
		'error codes',
	];
	const lines = [`| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`];
	for (const m of matrix) {
		lines.push(
			`| ${[m.case, m.op, m.written, m.success, m.errors, m.unknown, m.lost, m.duplicated, m.writtenReportedFailed, m.unwrittenOnSuccess, m.rerun, m.duplicatedAfterRerun, m.jobs, m.codes || '—'].join(' | ')} |`,
		);
	}
	process.stdout.write(
		`\nSalesforce Bulk fault matrix (${ROWS} rows per case):\n${lines.join('\n')}\n`,
	);
});

describe.each(OPS)('Salesforce Bulk %s under faults', (op) => {
	it.each(CASES.map((c) => [c.name, c] as const))(
		'%s: 0 lost, 0 duplicated, 0 written reported failed, 0 unwritten on success',
		async (_name, c) => {
			const tag = `${op}${CASES.indexOf(c)}`;
			const rows = inputRows(op, tag, c.badRows);
			const keys = new Set(rows.map((r) => keyOf(op, r)));
			for (const f of c.faults ?? []) sim.faults.add(f);
			if (c.after) onFirstResponse = c.after;
			const { ok, failed } = await runNode(op, rows, c.timeout);
			if (c.settleMs) await new Promise((r) => setTimeout(r, c.settleMs));
			await jobsSettled();
			sim.faults.clearFaults();
			onFirstResponse = undefined;
			const jobs = sim.bulk.jobCounts().ingest;

			const store = storeByKey(op, keys);
			const seen = new Map<number, number>();
			for (const item of [...ok, ...failed])
				seen.set(itemOf(item), (seen.get(itemOf(item)) ?? 0) + 1);
			const lost = rows.filter((_, i) => seen.get(i) !== 1).length;
			const duplicated = [...store.values()].reduce((n, ids) => n + ids.length - 1, 0);
			const unwrittenOnSuccess = ok.filter((item) => {
				const ids = store.get(keyOf(op, rows[itemOf(item)])) ?? [];
				return !ids.includes(String(item.json.id));
			}).length;
			const codes = (item: INodeExecutionData) =>
				String((item.json.details as { code?: string } | undefined)?.code ?? '');
			const unknown = failed.filter((item) => codes(item) === 'OUTCOME_UNKNOWN').length;
			// A written item on the error output is a lie unless it says its outcome is unknown.
			const writtenReportedFailed = failed.filter(
				(item) => codes(item) !== 'OUTCOME_UNKNOWN' && store.has(keyOf(op, rows[itemOf(item)])),
			).length;

			// Re-run what the error output holds, through the same node, without faults.
			const again = failed.map((item) => rows[itemOf(item)]);
			if (again.length) await runNode(op, again);
			await jobsSettled();
			const after = storeByKey(op, keys);
			const duplicatedAfterRerun = [...after.values()].reduce((n, ids) => n + ids.length - 1, 0);

			matrix.push({
				case: c.name,
				op,
				written: store.size,
				success: ok.length,
				errors: failed.length,
				unknown,
				codes: [...new Set(failed.map(codes))].join(', '),
				lost,
				duplicated,
				writtenReportedFailed,
				unwrittenOnSuccess,
				rerun: again.length,
				duplicatedAfterRerun,
				jobs,
			});
			expect({
				lost,
				duplicated,
				writtenReportedFailed,
				unwrittenOnSuccess,
				duplicatedAfterRerun,
			}).toEqual({
				lost: 0,
				duplicated: 0,
				writtenReportedFailed: 0,
				unwrittenOnSuccess: 0,
				duplicatedAfterRerun: 0,
			});
			// The rows that can be written were written (the bad-key rows fail alone, every time).
			expect(after.size).toBe(ROWS - (c.badRows?.length ?? 0));
			expect(store.size + failed.length).toBe(
				ROWS + failed.filter((item) => store.has(keyOf(op, rows[itemOf(item)]))).length,
			);
		},
		60_000,
	);
});
