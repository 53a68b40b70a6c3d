/**
 * A small stateful fake of Bulk API 2.0 ingest for unit tests: jobs with states, one upload per job (a second
 * upload makes `UploadComplete` fail with INVALIDJOB, as Salesforce does), rows with an empty LastName fail,
 * and a hook to inject faults per request (`drop` before or after the fake applied it, or any reply).
 */
import { parse } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';

import { fakeConnector, type FakeReply, type FakeRequest } from './fake';

/** A fault for one request: a reply instead of the fake's, or a dropped connection before / after applying it. */
export type FakeFault = FakeReply | 'dropBefore' | 'dropAfter';

export interface FakeJob {
	id: string;
	state: string;
	operation: string;
	uploads: string[];
	ok: string[][];
	failed: string[][];
	header: string[];
}

const FIELDS = [
	'Id',
	'FirstName',
	'LastName',
	'Email',
	'External_Id__c',
	'CreatedDate',
	'AccountId',
].map((name) => ({
	name,
	type: name === 'Id' ? 'id' : name === 'AccountId' ? 'reference' : 'string',
	createable: name !== 'Id' && name !== 'CreatedDate',
	updateable: name !== 'Id' && name !== 'CreatedDate',
	externalId: name === 'External_Id__c',
	idLookup: name === 'Id' || name === 'External_Id__c' || name === 'Email',
	relationshipName: name === 'AccountId' ? 'Account' : null,
	referenceTo: name === 'AccountId' ? ['Account'] : [],
}));
const ACCOUNT_FIELDS = ['Id', 'Name', 'Legacy_Id__c'].map((name) => ({
	name,
	createable: name !== 'Id',
	updateable: name !== 'Id',
	externalId: name === 'Legacy_Id__c',
	idLookup: name !== 'Name',
}));

function dropError(): Error {
	return Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
}

/**
 * The fake. `fault(req, n)` is asked for every request (`n`: how many requests of the same method and
 * route kind came before); `tamper` can rewrite a job's result sets before they are served.
 */
export function bulkFake(
	options: {
		fault?: (req: FakeRequest, kind: string, n: number) => FakeFault | undefined;
		tamper?: (job: FakeJob, which: 'ok' | 'failed' | 'unprocessed', rows: string[][]) => string[][];
		/** GETs of a closed job that still answer InProgress before it completes (default 0). */
		inProgressPolls?: number;
	} = {},
) {
	const jobs = new Map<string, FakeJob>();
	const seen = new Map<string, number>();
	let nextJob = 0;
	let nextRecord = 0;
	const pollsLeft = new Map<string, number>();
	const apply = (req: FakeRequest, kind: string): FakeReply => {
		const p = req.path.replace('/services/data/v62.0', '');
		if (kind === 'describe') {
			if (p.startsWith('/sobjects/Account/'))
				return { body: { name: 'Account', fields: ACCOUNT_FIELDS } };
			return { body: { name: 'Contact', fields: FIELDS } };
		}
		if (kind === 'create') {
			const id = `750J${++nextJob}`;
			const body = req.json as { operation: string };
			jobs.set(id, {
				id,
				state: 'Open',
				operation: body.operation,
				uploads: [],
				ok: [],
				failed: [],
				header: [],
			});
			return { body: { id, state: 'Open' } };
		}
		const id = /\/jobs\/ingest\/([^/]+)/.exec(p)?.[1] ?? '';
		const job = jobs.get(id);
		if (!job)
			return {
				status: 404,
				body: [{ errorCode: 'NOT_FOUND', message: 'The requested resource does not exist' }],
			};
		if (kind === 'upload') {
			if (job.state !== 'Open')
				return { status: 409, body: [{ errorCode: 'INVALIDJOBSTATE', message: 'not open' }] };
			job.uploads.push(String(req.body));
			return { status: 201, body: '' };
		}
		if (kind === 'state') {
			const state = (req.json as { state: string }).state;
			if (state === 'Aborted') {
				if (['JobComplete', 'Failed', 'Aborted'].includes(job.state))
					return {
						status: 409,
						body: [{ errorCode: 'INVALIDJOBSTATE', message: `already ${job.state}` }],
					};
				job.state = 'Aborted';
				return { body: { id, state: 'Aborted' } };
			}
			if (job.state !== 'Open')
				return {
					status: 409,
					body: [
						{ errorCode: 'INVALIDJOBSTATE', message: `Job ${id} is not open (state ${job.state})` },
					],
				};
			if (job.uploads.length > 1)
				return {
					status: 400,
					body: [{ errorCode: 'INVALIDJOB', message: `Found multipe contents for job: <${id}>` }],
				};
			job.state = 'UploadComplete';
			const [header, ...rows] = job.uploads.flatMap((u, n) =>
				(parse(u) as string[][]).slice(n === 0 ? 0 : 1),
			);
			job.header = header;
			for (const row of rows) {
				const last = row[header.indexOf('LastName')];
				if (last === '')
					job.failed.push([
						'',
						'REQUIRED_FIELD_MISSING:Required fields are missing: [LastName]:LastName --',
						...row,
					]);
				else job.ok.push([`003R${String(++nextRecord).padStart(11, '0')}`, 'true', ...row]);
			}
			pollsLeft.set(id, options.inProgressPolls ?? 0);
			return { body: { id, state: 'UploadComplete' } };
		}
		if (kind === 'get') {
			if (job.state === 'UploadComplete' || job.state === 'InProgress') {
				const left = pollsLeft.get(id) ?? 0;
				if (left > 0) {
					pollsLeft.set(id, left - 1);
					job.state = 'InProgress';
				} else job.state = 'JobComplete';
			}
			return { body: { id, state: job.state } };
		}
		const which = kind === 'ok' ? 'ok' : kind === 'failed' ? 'failed' : 'unprocessed';
		let rows = which === 'ok' ? job.ok : which === 'failed' ? job.failed : [];
		if (which === 'unprocessed' && job.state === 'Aborted') {
			const header = (parse(job.uploads[0] ?? '') as string[][])[0] ?? [];
			job.header = header;
			rows = (parse(job.uploads[0] ?? '') as string[][]).slice(1);
		}
		if (options.tamper) rows = options.tamper(job, which, rows);
		const head =
			which === 'ok'
				? ['sf__Id', 'sf__Created', ...job.header]
				: which === 'failed'
					? ['sf__Id', 'sf__Error', ...job.header]
					: job.header;
		return { body: head.length ? stringify([head, ...rows]) : '' };
	};
	const kindOf = (req: FakeRequest): string => {
		const p = req.path.replace('/services/data/v62.0', '');
		if (p.endsWith('/describe')) return 'describe';
		if (req.method === 'POST') return 'create';
		if (req.method === 'PUT') return 'upload';
		if (req.method === 'PATCH') return `state`;
		if (p.endsWith('/successfulResults')) return 'ok';
		if (p.endsWith('/failedResults')) return 'failed';
		if (p.endsWith('/unprocessedrecords')) return 'unprocessed';
		return 'get';
	};
	const { connector, calls } = fakeConnector(
		async (req) => {
			const kind = kindOf(req);
			const label = kind === 'state' ? `state:${(req.json as { state: string }).state}` : kind;
			const n = seen.get(label) ?? 0;
			seen.set(label, n + 1);
			const fault = options.fault?.(req, label, n);
			if (fault === 'dropBefore') throw dropError();
			if (fault === 'dropAfter') {
				apply(req, kind);
				throw dropError();
			}
			if (fault) return fault;
			return apply(req, kind);
		},
		{},
		{ answerDescribe: false },
	);
	return { connector, calls, jobs, bulk: () => connector.bulk({ sleep: async () => undefined }) };
}

/** The PATCH bodies' states sent, in order. */
export function statesSent(calls: FakeRequest[]): string[] {
	return calls.filter((c) => c.method === 'PATCH').map((c) => (c.json as { state: string }).state);
}
