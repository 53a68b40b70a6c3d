/**
 * Deciding conflicts from n8n, through n8n's real engine: the workflow a no-code user builds —
 * Manual Trigger → CRM Sync (Run Sync) → Conflicts → Decide (a Code node standing in for a form / approval / Set
 * node, adding `winner` or `value`) → CRM Sync (Resolve Conflicts). Open conflicts come out of every run until
 * decided; the decisions are stored and written by the next run (counted in the simulators); items that cannot be
 * decided go to the Failed output with the field and the fix. Failed records are excluded and included again by
 * the same node (Exclude Records / Include Records). SQLite state (the default) under a Sync ID of the workflow.
 */
import type { IDataObject, INode } from 'n8n-workflow';

import { nodeTypeName, runWorkflow, type WorkflowRun } from '../../helpers/engine';
import { clearRateBudgets } from '../../../core/http/rateLimiter';
import { person, toSalesforce } from './model';
import { idsByEmail } from './edits';
import { SYNC, SyncWorld, syncNode } from './world';

const world = new SyncWorld();
const WORKFLOW = 'conflicts-workflow';
const SYNC_ID = `${WORKFLOW}-crm-sync-node`;
const DECIDE = 'Decide';
const RESOLVE = 'Resolve';

beforeAll(async () => {
	await world.start();
	world.reset();
});
afterAll(async () => {
	await world.stop();
});

const code = (name: string, jsCode: string, x: number): INode => ({
	id: name,
	name,
	type: 'n8n-nodes-base.code',
	typeVersion: 2,
	position: [x, 0],
	parameters: { jsCode },
});

const manageNode = (name: string, parameters: INode['parameters']): INode => ({
	id: name,
	name,
	type: nodeTypeName('crmSync'),
	typeVersion: 1,
	position: [900, 0],
	parameters,
});

const trigger: INode = {
	id: 'trigger',
	name: 'Start',
	type: 'n8n-nodes-base.manualTrigger',
	typeVersion: 1,
	position: [0, 0],
	parameters: {},
};

/**
 * Start → CRM Sync → (Conflicts) Decide → Resolve. `winners` by side A's value: "a" / "b" → winner, anything else →
 * that value; conflicts not in it are left open (the Code node keeps only the decided ones).
 */
async function syncAndDecide(winners: Record<string, string> = {}) {
	world.advance();
	clearRateBudgets();
	const before = world.writeRequests();
	const run = await runWorkflow(
		{
			id: WORKFLOW,
			nodes: [
				trigger,
				syncNode(),
				code(
					DECIDE,
					`const winners = ${JSON.stringify(winners)};
					return $input.all().filter((i) => winners[i.json.a] !== undefined).map((i) => {
						const w = winners[i.json.a];
						return { json: { ...i.json, ...(w === 'a' || w === 'b' ? { winner: w } : { value: w }) } };
					});`,
					600,
				),
				manageNode(RESOLVE, { operation: 'resolveConflicts' }),
			],
			connections: {
				Start: { main: [[{ node: SYNC, type: 'main', index: 0 }]] },
				[SYNC]: { main: [[], [{ node: DECIDE, type: 'main', index: 0 }], []] },
				[DECIDE]: { main: [[{ node: RESOLVE, type: 'main', index: 0 }]] },
			},
		},
		{ credentials: world.credentials() },
	);
	expect(run.error).toBeUndefined();
	const after = world.writeRequests();
	return {
		run,
		writes: { sf: after.sf - before.sf, hs: after.hs - before.hs },
		report: run.json(SYNC, 0)[0],
		conflicts: run.json(SYNC, 1),
		failed: run.json(SYNC, 2),
	};
}

/** Start → Items (a Code node returning `items`) → CRM Sync with `parameters` (a management operation). */
async function manage(items: IDataObject[], parameters: INode['parameters']): Promise<WorkflowRun> {
	const run = await runWorkflow({
		id: 'manage-workflow',
		nodes: [
			trigger,
			code('Items', `return ${JSON.stringify(items)};`, 300),
			manageNode('Manage', parameters),
		],
		connections: {
			Start: { main: [[{ node: 'Items', type: 'main', index: 0 }]] },
			Items: { main: [[{ node: 'Manage', type: 'main', index: 0 }]] },
		},
	});
	expect(run.error).toBeUndefined();
	return run;
}

const firstNames = (email: string) => {
	const ids = idsByEmail(world);
	const a = world.sfAll().find((r) => r.id === ids.a.get(email))?.fields.FirstName;
	const b = world.hsAll().find((r) => r.id === ids.b.get(email))?.fields.firstname;
	return [a, b];
};

const emails = Array.from({ length: 6 }, (_, i) => `sf${i}@example.com`);
let open: IDataObject[] = [];

describe('CRM Sync: conflicts decided from n8n (Resolve Conflicts)', () => {
	it('a review conflict comes out of the Conflicts output in the run that found it and in every later run without edits', async () => {
		for (let i = 0; i < emails.length; i++) world.sfInsert(toSalesforce(person('sf', i)));
		const backfill = await syncAndDecide();
		expect(backfill.conflicts).toEqual([]);
		const ids = idsByEmail(world);
		emails.slice(0, 4).forEach((e, k) => {
			world.sfEdit(ids.a.get(e) as string, { FirstName: `SfFirst ${k}` });
			world.hsEdit(ids.b.get(e) as string, { firstname: `HsFirst ${k}` });
		});
		const found = await syncAndDecide();
		expect(found.writes).toEqual({ sf: 0, hs: 0 });
		expect(found.conflicts).toHaveLength(4);
		expect(found.report.openConflicts).toBe(4);
		for (const c of found.conflicts) {
			const k = String(c.a).slice(-1); // SfFirst <k>: the contact edited k-th
			expect(c).toEqual({
				syncId: SYNC_ID,
				conflictId: `${String(c.linkId)}#FirstName/firstname`,
				summary: `FirstName of Salesforce Contact ${ids.a.get(emails[Number(k)])} is "SfFirst ${k}", firstname of HubSpot contacts ${ids.b.get(emails[Number(k)])} is "HsFirst ${k}" (last synced: "First ${k}" / "First ${k}"). Decide with a CRM Sync or Sync State node, Operation Resolve Conflicts: winner "a" or "b", or a value.`,
				linkId: expect.stringMatching(/^[ab]:/),
				field: 'FirstName/firstname',
				fieldA: 'FirstName',
				fieldB: 'firstname',
				aId: ids.a.get(emails[Number(k)]),
				bId: ids.b.get(emails[Number(k)]),
				base: { a: `First ${k}`, b: `First ${k}` },
				a: `SfFirst ${k}`,
				b: `HsFirst ${k}`,
				strategy: 'review',
				openSince: expect.any(String),
				new: true,
			});
			// first found in this run (the node's clock)
			expect(Date.parse(String(c.openSince))).toBeGreaterThanOrEqual(
				Date.parse(String(found.report.startedAt)),
			);
			expect(Date.parse(String(c.openSince))).toBeLessThanOrEqual(
				Date.parse(String(found.report.finishedAt)),
			);
		}
		expect(found.run.executionOrder).not.toContain(RESOLVE); // nothing decided: Decide passes no item on
		open = found.conflicts;

		for (const label of ['no edits 1', 'no edits 2']) {
			const again = await syncAndDecide();
			expect({ label, writes: again.writes }).toEqual({ label, writes: { sf: 0, hs: 0 } });
			expect((again.report.counts as IDataObject).conflicts).toBe(0);
			expect(again.conflicts).toEqual(open.map((c) => ({ ...c, new: false })));
		}
	});

	it('Resolve Conflicts stores the decisions (winner a, winner b, a value); the next run writes them and closes them', async () => {
		const [c0, c1, c2] = emails;
		const decided = await syncAndDecide({
			'SfFirst 0': 'a',
			'SfFirst 1': 'b',
			'SfFirst 2': 'Agreed',
		});
		expect(decided.writes).toEqual({ sf: 0, hs: 0 }); // stored after the sync step: written next run
		const stored = decided.run.json(RESOLVE, 0);
		expect(stored.map((s) => [s.a, s.status, s.decision])).toEqual([
			['SfFirst 0', 'decided', { winner: 'a' }],
			['SfFirst 1', 'decided', { winner: 'b' }],
			['SfFirst 2', 'decided', { value: 'Agreed' }],
		]);
		expect(decided.run.json(RESOLVE, 2)).toEqual([]);

		const applied = await syncAndDecide();
		expect((applied.report.counts as IDataObject).updated).toEqual({ a: 2, b: 2 });
		expect(applied.writes).toEqual({ sf: 1, hs: 1 }); // one batch per side
		expect(firstNames(c0)).toEqual(['SfFirst 0', 'SfFirst 0']);
		expect(firstNames(c1)).toEqual(['HsFirst 1', 'HsFirst 1']);
		expect(firstNames(c2)).toEqual(['Agreed', 'Agreed']);
		expect(applied.conflicts.map((c) => c.a)).toEqual(['SfFirst 3']);
		expect(applied.report.openConflicts).toBe(1);

		const quiet = await syncAndDecide();
		expect(quiet.writes).toEqual({ sf: 0, hs: 0 });
		expect(quiet.conflicts.map((c) => c.a)).toEqual(['SfFirst 3']);
	});

	it('items that cannot be decided go to the Failed output with the field and the fix; the others are stored', async () => {
		const c3 = open.find((c) => c.a === 'SfFirst 3') as IDataObject;
		const c0 = open.find((c) => c.a === 'SfFirst 0') as IDataObject;
		const run = await manage(
			[
				{ ...c3, winner: 'c' },
				{ ...c3 }, // no decision
				{ ...c3, winner: 'a', value: 'x' },
				{ ...c0, winner: 'a' }, // decided and closed last run
				{ ...c3, conflictId: 'a:nope#FirstName/firstname', winner: 'a' },
				{ ...c3, syncId: '', winner: 'a' },
				{ ...c3, syncId: 'no-such-sync', winner: 'a' },
				{ ...c3, winner: 'B' }, // the one that is stored
				{ ...c3, winner: 'a', mode: 'keep' }, // Decision from an expression: not one of its options
			],
			{ operation: 'resolveConflicts', decision: "={{ $json.mode || 'fromItem' }}" },
		);
		const failed = run.json('Manage', 2).map((f) => f.error);
		expect(failed).toEqual([
			'winner: "c" is not a side — set winner to "a" (keep side A\'s value) or "b" (keep side B\'s value), or set value instead',
			'winner: missing — set the item\'s winner field to "a" or "b" (e.g. with a Set node after the approval) or its value field, or choose Decision › Keep A, Keep B or Set a Value',
			'winner and value: both are set — set only one (winner "a" or "b" keeps that side\'s value; value is written to both sides)',
			`Conflict ID "${String(c0.conflictId)}": not an open conflict of sync "${SYNC_ID}" — it was settled since (decided, its values agree again, or its record left the sync) or belongs to another sync; decide the conflicts of the latest run's Conflicts output`,
			`Conflict ID "a:nope#FirstName/firstname": not an open conflict of sync "${SYNC_ID}" — it was settled since (decided, its values agree again, or its record left the sync) or belongs to another sync; decide the conflicts of the latest run's Conflicts output`,
			"Sync ID: empty — keep the syncId field of the CRM Sync's Conflicts / Failed items, or set Sync ID (after an approval node: {{ $('CRM Sync').item.json.syncId }})",
			'Sync ID "no-such-sync": no sync with this ID has run on this state store — check Sync ID, and that State Store (and SQLite File) are the same as on the node that runs the sync',
			'Decision: "keep" is not a decision — choose From the Item, Keep A, Keep B or Set a Value (in an expression: "fromItem", "a", "b" or "value")',
		]);
		expect(run.items('Manage', 2).map((i) => i.pairedItem)).toEqual(
			[0, 1, 2, 3, 4, 5, 6, 8].map((item) => ({ item })),
		);
		expect(run.json('Manage', 0).map((d) => [d.conflictId, d.decision])).toEqual([
			[c3.conflictId, { winner: 'b' }],
		]);
		const applied = await syncAndDecide();
		expect(applied.writes).toEqual({ sf: 1, hs: 0 });
		expect(firstNames(emails[3])).toEqual(['HsFirst 3', 'HsFirst 3']);
		expect(applied.conflicts).toEqual([]);
	});

	it('an edit that makes the values agree closes an open conflict: gone from the next run, nothing written', async () => {
		const ids = idsByEmail(world);
		const e = emails[4];
		world.sfEdit(ids.a.get(e) as string, { FirstName: 'SfFirst 4' });
		world.hsEdit(ids.b.get(e) as string, { firstname: 'HsFirst 4' });
		const found = await syncAndDecide();
		expect(found.conflicts.map((c) => [c.a, c.new])).toEqual([['SfFirst 4', true]]);
		world.hsEdit(ids.b.get(e) as string, { firstname: 'SfFirst 4' });
		const closed = await syncAndDecide();
		expect(closed.writes).toEqual({ sf: 0, hs: 0 });
		expect(closed.conflicts).toEqual([]);
		// A decision taken on it afterwards is refused: it is no longer open.
		const late = await manage([{ ...found.conflicts[0], winner: 'a' }], {
			operation: 'resolveConflicts',
		});
		expect(late.json('Manage', 2)[0].error).toMatch(/not an open conflict of sync/);
	});

	it('Decision › Keep A with the ids read from the CRM Sync item after an approval step', async () => {
		const ids = idsByEmail(world);
		const e = emails[5];
		world.sfEdit(ids.a.get(e) as string, { FirstName: 'SfFirst 5' });
		world.hsEdit(ids.b.get(e) as string, { firstname: 'HsFirst 5' });
		const [conflict] = (await syncAndDecide()).conflicts;
		// What an approval node hands on: its own answer, not the conflict's fields.
		const run = await manage([{ approved: true }], {
			operation: 'resolveConflicts',
			syncId: SYNC_ID,
			conflictId: String(conflict.conflictId),
			decision: 'a',
		});
		expect(run.json('Manage', 0)).toEqual([
			expect.objectContaining({ approved: true, status: 'decided', decision: { winner: 'a' } }),
		]);
		const applied = await syncAndDecide();
		expect(applied.writes).toEqual({ sf: 0, hs: 1 });
		expect(firstNames(e)).toEqual(['SfFirst 5', 'SfFirst 5']);
	});
});

describe('CRM Sync: failed records excluded and included again (Exclude / Include Records)', () => {
	it('an excluded record is no longer retried; included again, it is retried (and fails again)', async () => {
		const id = world.hsInsert({ ...person('nolast', 1), lastname: null });
		const first = await syncAndDecide();
		expect(first.failed).toEqual([
			expect.objectContaining({ syncId: SYNC_ID, side: 'b', recordId: id, category: 'validation' }),
		]);
		const retried = await syncAndDecide();
		expect(retried.failed.map((f) => f.attempts)).toEqual([2]);

		const excluded = await manage(retried.failed, { operation: 'excludeRecords' });
		expect(excluded.json('Manage', 0)).toEqual([
			expect.objectContaining({ side: 'b', recordId: id, status: 'excluded' }),
		]);
		const quiet = await syncAndDecide();
		expect(quiet.failed).toEqual([]);
		expect(quiet.writes).toEqual({ sf: 0, hs: 0 }); // not even tried

		const bad = await manage(
			[
				{ syncId: SYNC_ID, side: 'c', recordId: id },
				{ syncId: SYNC_ID, side: 'a', recordId: id }, // not excluded on side a
			],
			{ operation: 'includeRecords' },
		);
		expect(bad.json('Manage', 2).map((f) => f.error)).toEqual([
			'Side: "c" is not a side — use "a" or "b" (the side field of a Failed item)',
			`Record ID "${id}": the side A record is not excluded from sync "${SYNC_ID}" — nothing to include`,
		]);
		const included = await manage(retried.failed, { operation: 'includeRecords' });
		expect(included.json('Manage', 0)).toEqual([
			expect.objectContaining({ recordId: id, status: 'included' }),
		]);
		world.hsEdit(id, { jobtitle: 'touched' }); // a record excluded alone comes back on its next change
		const back = await syncAndDecide();
		expect(back.failed.map((f) => [f.recordId, f.attempts])).toEqual([[id, 1]]);
	});
});
