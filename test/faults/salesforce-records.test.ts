/**
 * The fault matrix of the Salesforce Record write operations (create, create without a unique field, update,
 * upsert, delete), through n8n's engine against the simulator. Each case injects one fault, then counts in the
 * simulator's store and on the node's two outputs: every item on exactly one output, 0 lost, 0 duplicated, 0
 * written items reported as failed, 0 unwritten items on the success output — and again after re-running the
 * error-output items through the same node (for a create without a unique field: only the plain failures; the
 * OUTCOME_UNKNOWN ones are counted, never re-run). Faults are bounded (`count`) and seeded; the matrix is printed.
 */
import type { INodeExecutionData } from 'n8n-workflow';

import { ManualClock } from '../../sandbox/kit/clock';
import type { SalesforceSimulator, SalesforceSimContract } from '../../sandbox/salesforce';
import { runWorkflow } from '../helpers/engine';
import {
	apiCalls,
	object,
	passwordCredentials,
	salesforceNode,
	startSimulator,
	workflowWith,
} from '../workflows/salesforce/helpers';

jest.setTimeout(120_000);

let sim: SalesforceSimulator;
let contract: SalesforceSimContract;
/** Run once, after the first answer to the operation's Collections call (to expire tokens mid-run). */
let afterFirstWrite: { kind: string; run: () => void } | undefined;

beforeAll(async () => {
	({ sim, contract } = await startSimulator({ seed: 7 }));
	sim.server.onResponse((req) => {
		if (afterFirstWrite && req.kind === afterFirstWrite.kind) {
			const hook = afterFirstWrite;
			afterFirstWrite = undefined;
			hook.run();
		}
	});
});
afterAll(async () => {
	printMatrix();
	await sim.stop();
});

type Op = 'create' | 'create (no unique field)' | 'update' | 'upsert' | 'delete';
const N = 250; // two Collections calls: 200 + 50
const SLOW_MS = 1500;
const TIMEOUT_MS = 500;

interface OpSpec {
	kind: string;
	/** Records to exist before the run (update, delete): their ids by item. */
	setup?: () => string[];
	input: (i: number, ids: string[]) => Record<string, unknown>;
	parameters: Record<string, unknown>;
	/** Records in the store written for item `i` (0 = not written; >1 = duplicated). */
	written: (i: number) => number;
}

const contacts = () => sim.table('Contact').collection.list({ includeDeleted: true });
const marker = (op: string, i: number) => `FM ${op} ${i}`;
const countBy = (
	pick: (fields: Record<string, unknown>, deleted: boolean) => string | undefined,
) => {
	const counts = new Map<string, number>();
	for (const r of contacts()) {
		const key = pick(r.fields as Record<string, unknown>, r.deletedAt !== null);
		if (key !== undefined) counts.set(key, (counts.get(key) ?? 0) + 1);
	}
	return counts;
};
const live = (name: string) => (f: Record<string, unknown>, deleted: boolean) =>
	deleted ? undefined : String(f[name]);
const seeded = (n: number) =>
	Array.from(
		{ length: n },
		(_, i) => sim.table('Contact').insert({ LastName: `Seed ${i}`, Title: 'old' }).id,
	);
const autoMap = { mappingMode: 'autoMapInputData', value: null, schema: [] };

const OPS: Record<Op, OpSpec> = {
	create: {
		kind: 'collections.create',
		input: (i) => ({ LastName: marker('c', i), External_Id__c: `fm-c-${i}` }),
		parameters: { operation: 'create', fields: autoMap },
		written: (i) => countBy(live('LastName')).get(marker('c', i)) ?? 0,
	},
	'create (no unique field)': {
		kind: 'collections.create',
		input: (i) => ({ LastName: marker('n', i), Email: `fm${i}@example.com` }),
		parameters: { operation: 'create', fields: autoMap },
		written: (i) => countBy(live('LastName')).get(marker('n', i)) ?? 0,
	},
	update: {
		kind: 'collections.update',
		setup: () => seeded(N),
		input: (i, ids) => ({ Id: ids[i], Title: `new ${i}` }),
		parameters: { operation: 'update', fields: { ...autoMap, matchingColumns: ['Id'] } },
		written: (i) => countBy(live('Title')).get(`new ${i}`) ?? 0,
	},
	upsert: {
		kind: 'collections.upsert',
		input: (i) => ({ External_Id__c: `fm-u-${i}`, LastName: marker('u', i) }),
		parameters: {
			operation: 'upsert',
			fields: { ...autoMap, matchingColumns: ['External_Id__c'] },
		},
		written: (i) => countBy(live('LastName')).get(marker('u', i)) ?? 0,
	},
	delete: {
		kind: 'collections.delete',
		setup: () => seeded(N),
		input: (i, ids) => ({ Id: ids[i] }),
		parameters: { operation: 'delete', recordId: '={{ $json.Id }}' },
		written: (i) =>
			countBy((f, deleted) => (deleted ? String(f.LastName) : undefined)).get(`Seed ${i}`) ?? 0,
	},
};

type Fault =
	| '429'
	| '5xx'
	| 'drop before applied'
	| 'drop after applied'
	| 'slow past timeout'
	| 'expired token'
	| 'dropped token request'
	| 'per-record failures';
const FAULTS: Fault[] = [
	'429',
	'5xx',
	'drop before applied',
	'drop after applied',
	'slow past timeout',
	'expired token',
	'dropped token request',
	'per-record failures',
];

/** Arms `fault` for requests of `kind`; returns extra node options. */
function arm(fault: Fault, kind: string): Record<string, unknown> {
	const match = { kinds: [kind] };
	switch (fault) {
		case '429':
			sim.faults.add({ type: 'rateLimit', status: 429, retryAfterSeconds: 1, count: 1, match });
			return {};
		case '5xx':
			sim.faults.add({ type: 'serverError', status: 500, count: 1, match });
			return {};
		case 'drop before applied':
			sim.faults.add({ type: 'drop', when: 'beforeBody', count: 1, match });
			return {};
		case 'drop after applied':
			sim.faults.add({ type: 'drop', when: 'afterHandler', count: 1, match });
			return {};
		case 'slow past timeout':
			sim.faults.add({ type: 'slow', delayMs: SLOW_MS, count: 1, match });
			return { timeout: TIMEOUT_MS };
		case 'expired token':
			afterFirstWrite = { kind, run: () => void sim.faults.expireTokens() };
			return {};
		case 'dropped token request':
			afterFirstWrite = {
				kind,
				run: () => {
					sim.faults.expireTokens();
					sim.faults.add({
						type: 'drop',
						when: 'beforeBody',
						count: 1,
						match: { kinds: ['token'] },
					});
				},
			};
			return {};
		case 'per-record failures':
			sim.faults.reseed(11);
			sim.faults.add({
				type: 'batchFailure',
				itemProbability: 0.05,
				status: 500,
				code: 'UNABLE_TO_LOCK_ROW',
				message: 'unable to obtain exclusive access to this record',
				count: 1,
				match,
			});
			return {};
	}
}

const itemOf = (item: INodeExecutionData) => (item.pairedItem as { item: number }).item;
const codeOf = (item: INodeExecutionData) =>
	(item.json.details as { code?: string } | undefined)?.code;

async function run(
	op: Op,
	inputs: Array<Record<string, unknown>>,
	options: Record<string, unknown>,
) {
	const node = salesforceNode(
		'Write',
		{ resource: 'record', object: object('Contact'), ...OPS[op].parameters, options },
		{ onError: 'continueErrorOutput' },
	);
	const result = await runWorkflow(
		workflowWith(`return ${JSON.stringify(inputs)}.map((json) => ({ json }));`, node),
		{ credentials: passwordCredentials(contract) },
	);
	expect(result.error).toBeUndefined();
	return { ok: result.items('Write', 0), failed: result.items('Write', 1) };
}

interface Row {
	op: Op;
	fault: Fault;
	success: number;
	errorOutput: number;
	unknown: number;
	lost: number;
	duplicated: number;
	writtenReportedFailed: number;
	unwrittenOnSuccess: number;
	rerun: number;
	rerunWritten: number;
	finalDuplicated: number;
	calls: number;
}
const rows: Row[] = [];

function printMatrix(): void {
	if (rows.length === 0) return;
	const head =
		'| operation | fault | success out | error out | OUTCOME_UNKNOWN | lost | duplicated | written→failed | unwritten→success | re-run (written) | dup after re-run | API calls |';
	const lines = rows.map(
		(r) =>
			`| ${r.op} | ${r.fault} | ${r.success} | ${r.errorOutput} | ${r.unknown} | ${r.lost} | ${r.duplicated} | ${r.writtenReportedFailed} | ${r.unwrittenOnSuccess} | ${r.rerun} (${r.rerunWritten}) | ${r.finalDuplicated} | ${r.calls} |`,
	);
	console.log(
		['Salesforce Record fault matrix', head, `|${'---|'.repeat(12)}`, ...lines].join('\n'),
	);
}

describe.each(Object.keys(OPS) as Op[])('Salesforce Record %s under faults', (op) => {
	it.each(FAULTS)(
		'%s: nothing lost, nothing doubled, every item on one true output (also after re-running the error output)',
		async (fault) => {
			sim.reset();
			afterFirstWrite = undefined;
			const spec = OPS[op];
			const ids = spec.setup?.() ?? [];
			const inputs = Array.from({ length: N }, (_, i) => spec.input(i, ids));
			const options = arm(fault, spec.kind);
			const { ok, failed } = await run(op, inputs, options);
			// A request answered late (past the timeout) is still applied by the server: wait for it before counting.
			if (fault === 'slow past timeout')
				await new Promise((resolve) => setTimeout(resolve, SLOW_MS + 200));
			const calls = apiCalls(sim);
			sim.faults.clearFaults();
			afterFirstWrite = undefined;

			const seen = [...ok, ...failed].map(itemOf).sort((a, b) => a - b);
			expect(seen).toEqual(Array.from({ length: N }, (_, i) => i)); // every item on exactly one output
			const unknown = failed.filter((f) => codeOf(f) === 'OUTCOME_UNKNOWN');
			const row: Row = {
				op,
				fault,
				success: ok.length,
				errorOutput: failed.length,
				unknown: unknown.length,
				lost: 0,
				duplicated: 0,
				writtenReportedFailed: 0,
				unwrittenOnSuccess: 0,
				rerun: 0,
				rerunWritten: 0,
				finalDuplicated: 0,
				calls,
			};
			for (const item of ok) {
				const written = spec.written(itemOf(item));
				if (written === 0) row.unwrittenOnSuccess++;
				expect(typeof item.json.id).toBe('string');
			}
			for (const item of failed) {
				if (codeOf(item) !== 'OUTCOME_UNKNOWN' && spec.written(itemOf(item)) > 0)
					row.writtenReportedFailed++;
				expect(String(item.json.error)).not.toBe('');
			}
			for (let i = 0; i < N; i++) if (spec.written(i) > 1) row.duplicated++;

			// Re-run the error output through the same node (without the fault); OUTCOME_UNKNOWN only where a unique field settles it.
			const again = failed
				.filter((f) => op !== 'create (no unique field)' || codeOf(f) !== 'OUTCOME_UNKNOWN')
				.map(itemOf);
			row.rerun = again.length;
			if (again.length > 0) {
				const second = await run(
					op,
					again.map((i) => inputs[i]),
					{},
				);
				row.rerunWritten = second.ok.length;
				expect(second.failed.map((f) => f.json.error)).toEqual([]);
			}
			const unknownItems = new Set(unknown.map(itemOf));
			for (let i = 0; i < N; i++) {
				const written = spec.written(i);
				if (written > 1) row.finalDuplicated++;
				if (written === 0 && !(op === 'create (no unique field)' && unknownItems.has(i)))
					row.lost++;
			}
			rows.push(row);

			expect(row).toMatchObject({
				lost: 0,
				duplicated: 0,
				writtenReportedFailed: 0,
				unwrittenOnSuccess: 0,
				finalDuplicated: 0,
			});
			const answerLost = [
				'5xx',
				'drop before applied',
				'drop after applied',
				'slow past timeout',
			].includes(fault);
			if (op === 'create (no unique field)' && answerLost) {
				// Without a unique field a lost create answer cannot be settled: its own result, never a plain failure.
				expect(row.unknown).toBe(200);
				expect(String(unknown[0].json.error)).toMatch(
					/^outcome unknown: the answer to this create was lost .* search for it before re-running this item/,
				);
			} else if (op === 'create (no unique field)' && fault === 'dropped token request') {
				// Until core/http marks a failed token request as "never sent" (reachedServer: false), the write that needed
				// the token is blamed for it and its chunk (the last 50) is OUTCOME_UNKNOWN — safe, never a plain failure.
				expect([0, 50]).toContain(row.unknown);
			} else {
				expect(row.unknown).toBe(0);
			}
			if (fault === 'per-record failures') expect(row.errorOutput).toBeGreaterThan(0);
			// A lost answer is settled (create by its unique field) or safely resent (update, upsert, delete): all written.
			if (answerLost && op !== 'create (no unique field)') expect(row.errorOutput).toBe(0);
		},
	);
});

describe('Salesforce Record create: a lost answer settled by the unique field, with the org clock (ManualClock)', () => {
	it('reports the records the lost request created as written, and one that existed before the run as a duplicate, not as created', async () => {
		const clock = new ManualClock(Date.UTC(2026, 0, 5, 9, 0, 0));
		const own = await startSimulator({ seed: 3, clock });
		try {
			const before = own.sim
				.table('Contact')
				.insert({ LastName: 'Existing', External_Id__c: 'fm-p-7' }).id;
			clock.advance(60_000);
			own.sim.faults.add({
				type: 'drop',
				when: 'afterHandler',
				count: 1,
				match: { kinds: ['collections.create'] },
			});
			const node = salesforceNode(
				'Write',
				{ resource: 'record', operation: 'create', object: object('Contact'), fields: autoMap },
				{ onError: 'continueErrorOutput' },
			);
			const inputs = Array.from({ length: 60 }, (_, i) => ({
				LastName: marker('p', i),
				External_Id__c: `fm-p-${i}`,
			}));
			const result = await runWorkflow(
				workflowWith(`return ${JSON.stringify(inputs)}.map((json) => ({ json }));`, node),
				{ credentials: passwordCredentials(own.contract) },
			);
			expect(result.error).toBeUndefined();
			const ok = result.items('Write', 0);
			const failed = result.items('Write', 1);
			expect(ok).toHaveLength(59);
			const stored = new Map(
				own.sim
					.table('Contact')
					.collection.list()
					.map((r) => [String(r.fields.External_Id__c), r.id]),
			);
			expect(
				ok.every(
					(o) =>
						o.json.id === stored.get(`fm-p-${itemOf(o)}`) && o.json.settledBy === 'External_Id__c',
				),
			).toBe(true);
			expect(failed.map(itemOf)).toEqual([7]);
			expect(codeOf(failed[0])).toBe('DUPLICATE_VALUE');
			expect(String(failed[0].json.error)).toBe(
				`not created: a Contact with External_Id__c = fm-p-7 already existed before this run (Id ${before}, created 2026-01-05T09:00:00.000Z) — update that record instead (Create or Update), or change External_Id__c`,
			);
			// One create (answer lost), one look-up; nothing sent twice.
			expect(
				own.sim.log.count({ kind: 'collections.create' }) +
					own.sim.log.count({ kind: 'collections.upsert' }),
			).toBe(1);
			expect(own.sim.log.count({ kind: 'query' })).toBe(1);
			expect(own.sim.table('Contact').collection.count()).toBe(60);
		} finally {
			await own.sim.stop();
		}
	});
});
