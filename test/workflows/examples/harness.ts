/**
 * The example workflows (`examples/*.json`) in the engine tests: every file of the folder is picked up, so a new
 * example is one new file. Each is loaded as n8n imports it, its credentials are answered with the simulators' (by
 * credential type, see SyncWorld.credentials) and its CRM Sync nodes' SQLite state goes to a fresh file per world
 * (the only parameter changed), then it runs from a trigger through n8n's real engine.
 */
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { clearRateBudgets } from '../../../core/http/rateLimiter';
import {
	loadWorkflow,
	nodeTypeName,
	PACKAGE_ROOT,
	runWorkflow,
	type WorkflowJson,
	type WorkflowRun,
} from '../../helpers/engine';
import { PAST_LAG_MS } from '../../sync/world';
import { SyncWorld } from '../sync/world';

export const EXAMPLES_DIR = path.join(PACKAGE_ROOT, 'examples');
export const MANUAL = 'n8n-nodes-base.manualTrigger';
export const SCHEDULE = 'n8n-nodes-base.scheduleTrigger';
export const STICKY = 'n8n-nodes-base.stickyNote';
export const CRM_SYNC = nodeTypeName('crmSync');

/** Every example workflow file, by name. */
export function exampleFiles(): string[] {
	return readdirSync(EXAMPLES_DIR)
		.filter((f) => f.endsWith('.json'))
		.sort();
}

/** An example workflow as its file holds it. */
export function loadExample(file: string): WorkflowJson & { description?: string } {
	return loadWorkflow(path.join(EXAMPLES_DIR, file));
}

/** The name of the first node of `type` in the workflow (throws if none). */
export function nodeOfType(wf: WorkflowJson, type: string): string {
	const node = wf.nodes.find((n) => n.type === type);
	if (!node) throw new Error(`the workflow has no ${type} node`);
	return node.name;
}

/** The write requests of each simulator's log (as test/sync/world.ts counts them). */
const SF_WRITES =
	/^(sobject\.(create|update|upsert|delete)|collections\.(create|update|delete|upsert)|bulk\.ingest|composite)/;
const HS_WRITES = /^(create|update|archive|delete|batch\.(create|update|upsert|archive))$/;

/** The nodes that keep sync state (their SQLite file is redirected per test). */
const STATEFUL = new Set([CRM_SYNC, nodeTypeName('syncPlan'), nodeTypeName('syncState')]);

/** Simulators on one clock, plus the example's state file; `run` runs an example from one of its triggers. */
export class ExampleWorld extends SyncWorld {
	/** The state file the examples of this world use (a new world, a new sync). */
	readonly stateFile = path.join(mkdtempSync(path.join(tmpdir(), 'crm-examples-')), 'state.sqlite');

	/** The example with its SQLite state pointed at this world's file (every node with a state store). */
	prepare(file: string): WorkflowJson {
		const wf = loadExample(file);
		for (const node of wf.nodes)
			if (STATEFUL.has(node.type) && (node.parameters.stateStore ?? 'sqlite') === 'sqlite')
				node.parameters.sqliteFile = this.stateFile;
		return wf;
	}

	/** Seq marks of both request logs, to count what a run asked afterwards. */
	marks(): { sf: number; hs: number } {
		return { sf: this.sf.log.last()?.seq ?? 0, hs: this.hs.log.last()?.seq ?? 0 };
	}

	/** Write requests (their kinds, in order) since `marks`. */
	writesSince(marks: { sf: number; hs: number }): { sf: string[]; hs: string[] } {
		const kinds = (entries: Array<{ seq: number; kind?: string }>, from: number, re: RegExp) =>
			entries.filter((e) => e.seq > from && re.test(e.kind ?? '')).map((e) => e.kind as string);
		return {
			sf: kinds(this.sf.log.entries(), marks.sf, SF_WRITES),
			hs: kinds(this.hs.log.entries(), marks.hs, HS_WRITES),
		};
	}

	/** Runs `wf` from `startNode` after the CRMs' change-feed lags; returns the run and its writes. */
	async run(
		wf: WorkflowJson,
		startNode: string,
	): Promise<{ run: WorkflowRun; writes: { sf: string[]; hs: string[] } }> {
		this.advance(PAST_LAG_MS);
		clearRateBudgets();
		const marks = this.marks();
		const run = await runWorkflow(wf, { credentials: this.credentials(), startNode });
		return { run, writes: this.writesSince(marks) };
	}
}
