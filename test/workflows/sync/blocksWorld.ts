/**
 * Twin worlds for the blocks-vs-CRM-Sync tests: a SyncWorld (simulators on one ManualClock) with its own SQLite state
 * file, run either by a CRM Sync workflow or by the blocks workflow of examples/blocks-with-review.json (loaded as n8n
 * imports it). The example's Schedule Trigger and sticky notes are dropped (n8n-nodes-base.scheduleTrigger and
 * stickyNote have no stand-in on main yet): the runs start from its Manual Trigger "Run now", which feeds the same Sync
 * State node. `snapshot` gives what a
 * world holds — both CRMs field by field and the sync state — with record ids replaced by e-mails (ids differ between
 * the worlds) and times left out (store clock: real time, not the worlds' clock).
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import type { IDataObject, INode } from 'n8n-workflow';

import { clearRateBudgets } from '../../../core/http/rateLimiter';
import { SqliteSyncStore } from '../../../core/sync/store';
import type { Side } from '../../../core/sync/store/types';
import {
	loadWorkflow,
	nodeTypeName,
	PACKAGE_ROOT,
	runWorkflow,
	type WorkflowJson,
	type WorkflowRun,
} from '../../helpers/engine';
import { PAST_LAG_MS } from '../../sync/world';
import { commonOf } from './model';
import { runSync, SyncWorld } from './world';

export const EXAMPLE = path.join(PACKAGE_ROOT, 'examples', 'blocks-with-review.json');
export const RUN_NOW = 'Run now';
export const PLAN = 'Sync Plan';
export const COMMIT = 'Commit';
export const RESOLVER = 'Conflict Resolver';
export const REVIEW = 'Review by a person — replace with Slack / Form / Wait';
const NOT_ON_MAIN = ['n8n-nodes-base.scheduleTrigger', 'n8n-nodes-base.stickyNote'];
/** The review branch: Conflicts → Conflict Resolver → Resolve Conflicts / the person. */
const REVIEW_BRANCH = [RESOLVER, 'Resolve Conflicts', REVIEW];

/** The example as imported, its Schedule Trigger and sticky notes left out, its state in `file`; `review: false` drops the review branch. */
export function blocksWorkflow(file: string, review = true): WorkflowJson {
	const wf = loadWorkflow(EXAMPLE);
	const drop = new Set(
		wf.nodes.filter(
			(n) => NOT_ON_MAIN.includes(n.type) || (!review && REVIEW_BRANCH.includes(n.name)),
		),
	);
	wf.nodes = wf.nodes.filter((n) => !drop.has(n));
	for (const n of drop) delete wf.connections[n.name];
	for (const outputs of Object.values(wf.connections))
		outputs.main = outputs.main?.map((targets) =>
			(targets ?? []).filter((t) => wf.nodes.some((n) => n.name === t.node)),
		);
	for (const n of wf.nodes) if ('stateStore' in n.parameters) n.parameters.sqliteFile = file;
	return { ...wf, id: 'blocks-with-review' };
}

/** The CRM Sync parameters equal to the example's Sync Plan (mapping, strategies, rules, deletes, Sync ID). */
export function crmSyncParameters(file: string): IDataObject {
	const plan = loadWorkflow(EXAMPLE).nodes.find((n) => n.name === PLAN) as INode;
	// Sync Plan's Options (lock wait) are not CRM Sync's.
	return { ...(plan.parameters as IDataObject), sqliteFile: file, options: {} };
}

export type Writes = { sf: number; hs: number };

/** A world with its state file; `run` runs its workflow after the CRMs' change-feed lags, counting write requests. */
export class Twin {
	readonly world = new SyncWorld();
	readonly file = path.join(mkdtempSync(path.join(tmpdir(), 'crm-twin-')), 'state.sqlite');
	readonly syncId = String(crmSyncParameters('').syncId);
	readonly log: Writes[] = [];

	constructor(readonly kind: 'crmSync' | 'blocks') {}

	async run(
		wf: WorkflowJson | undefined = undefined,
		startNode = RUN_NOW,
	): Promise<{ run: WorkflowRun; writes: Writes }> {
		clearRateBudgets();
		const before = this.world.writeRequests();
		const run =
			this.kind === 'crmSync'
				? await runSync(this.world, crmSyncParameters(this.file))
				: await runWorkflow(wf ?? blocksWorkflow(this.file, false), {
						credentials: this.world.credentials(),
						startNode,
					});
		expect(run.error).toBeUndefined();
		const after = this.world.writeRequests();
		const writes = { sf: after.sf - before.sf, hs: after.hs - before.hs };
		this.log.push(writes);
		return { run, writes };
	}

	/** The state store, opened for `fn` (closed after: the nodes open it again on their runs). */
	async withStore<T>(fn: (store: SqliteSyncStore) => Promise<T>): Promise<T> {
		const store = new SqliteSyncStore({ file: this.file });
		await store.open();
		try {
			return await fn(store);
		} finally {
			await store.close();
		}
	}

	/** Record id by side and (lower-case) e-mail; throws when there is not exactly one. */
	id(side: Side, email: string): string {
		const found = (side === 'a' ? this.world.sfAll() : this.world.hsAll()).filter(
			(r) => commonOf(side, r.fields).email === email,
		);
		if (found.length !== 1) throw new Error(`${found.length} ${side} records ${email}`);
		return found[0].id;
	}

	/** Both CRMs and the sync state by e-mail: links (e-mail pair, status, base), failures, open conflicts. */
	async snapshot() {
		const emails = new Map<string, string>();
		const crm = (side: Side) =>
			(side === 'a' ? this.world.sfAll() : this.world.hsAll())
				.map((r) => {
					const v = commonOf(side, r.fields);
					emails.set(`${side}:${r.id}`, String(v.email));
					return JSON.stringify(v);
				})
				.sort();
		const a = crm('a');
		const b = crm('b');
		const e = (side: Side, id?: string) => (id ? (emails.get(`${side}:${id}`) ?? 'gone') : null);
		const sorted = (x: unknown[]) => x.map((v) => JSON.stringify(v)).sort();
		return await this.withStore(async (store) => {
			const links: unknown[] = [];
			for await (const page of store.listLinks(this.syncId))
				for (const l of page)
					links.push({ a: e('a', l.aId), b: e('b', l.bId), status: l.status, base: l.base });
			const failures: unknown[] = [];
			for await (const page of store.listFailures(this.syncId))
				for (const f of page)
					failures.push({
						rec: `${f.side}:${e(f.side, f.recordId)}`,
						category: f.category,
						code: f.code,
						attempts: f.attempts,
					});
			const conflicts = (await store.listConflicts(this.syncId)).map((c) => ({
				a: e('a', c.aId),
				b: e('b', c.bId),
				field: c.field,
				values: [c.a, c.b, c.base],
				strategy: c.strategy,
			}));
			const decisions = (await store.listDecisions(this.syncId)).length;
			return {
				a,
				b,
				links: sorted(links),
				failures: sorted(failures),
				conflicts: sorted(conflicts),
				decisions,
			};
		});
	}
}

/** Starts and stops twins with the test file. */
export function twins<T extends Twin[]>(...list: T): T {
	beforeAll(async () => {
		for (const t of list) await t.world.start();
	});
	afterAll(async () => {
		for (const t of list) await t.world.stop();
	});
	return list;
}

/** The same clock move in every twin. */
export const advance = (list: Twin[], ms = PAST_LAG_MS) => list.forEach((t) => t.world.advance(ms));

/**
 * A decision workflow in `twin`'s world: Manual Trigger → Code node emitting `items` (conflict items with `winner` or
 * `value`, as an approval step would) → Sync State › Resolve Conflicts (blocks) or CRM Sync › Resolve Conflicts.
 */
export async function decide(twin: Twin, items: IDataObject[]): Promise<WorkflowRun> {
	const at = (name: string, type: string, x: number, parameters: INode['parameters']): INode => ({
		id: name.toLowerCase().replace(/\W+/g, '-'),
		name,
		type,
		typeVersion: type.endsWith('.code') ? 2 : 1,
		position: [x, 0],
		parameters,
	});
	const target = at('Decide', nodeTypeName(twin.kind === 'blocks' ? 'syncState' : 'crmSync'), 400, {
		operation: 'resolveConflicts',
		sqliteFile: twin.file,
	});
	const to = (node: string) => [[{ node, type: 'main' as const, index: 0 }]];
	const run = await runWorkflow({
		id: 'decisions',
		nodes: [
			at('Start', 'n8n-nodes-base.manualTrigger', 0, {}),
			at('Approved', 'n8n-nodes-base.code', 200, { jsCode: `return ${JSON.stringify(items)};` }),
			target,
		],
		connections: { Start: { main: to('Approved') }, Approved: { main: to('Decide') } },
	});
	expect(run.error).toBeUndefined();
	return run;
}

/** Salesforce create / update requests from now on, each with the records its body sent. */
export function salesforceBodies(
	world: SyncWorld,
): Array<{ kind: string; records: IDataObject[] }> {
	const bodies: Array<{ kind: string; records: IDataObject[] }> = [];
	world.sf.server.use(async (req, next) => {
		const reply = await next();
		if (/^(collections|sobject)\.(create|update)/.test(req.kind ?? '')) {
			const body = (await req.json()) as { records?: IDataObject[] } & IDataObject;
			bodies.push({ kind: String(req.kind), records: body.records ?? [body] });
		}
		return reply;
	});
	return bodies;
}
