/**
 * The Merge stand-in (n8n-nodes-base.merge v3, mode "append") in n8n's real engine, executionOrder v1:
 * input order, partial inputs (n8n runs the Merge at the end of the run with the inputs that got data),
 * and pairedItem lineage of the merged items back to the node each came from.
 */
import type { IConnections, IDataObject, INode, IRunData } from 'n8n-workflow';
import { NodeHelpers, Workflow } from 'n8n-workflow';

import { loadPackage, runWorkflow, type WorkflowJson } from '../helpers/engine';

const TRIGGER = "When clicking 'Execute workflow'";

const node = (name: string, type: string, position: [number, number], parameters = {}): INode => ({
	id: `merge-standin-${name}`,
	name,
	type: `n8n-nodes-base.${type}`,
	typeVersion: { manualTrigger: 1, code: 2, noOp: 1, merge: 3.2 }[type] ?? 1,
	position,
	parameters,
});
const code = (name: string, y: number, items: IDataObject[]): INode =>
	node(name, 'code', [220, y], { jsCode: `return ${JSON.stringify(items)};` });
const to = (target: string, index = 0) => [{ node: target, type: 'main' as const, index }];

/** Trigger → one Code node per input → Merge (append, one input per branch) → "After" (a Code node). */
function mergeWorkflow(
	branches: INode[],
	extra: { nodes?: INode[]; connections?: IConnections } = {},
) {
	const connections: IConnections = {
		[TRIGGER]: { main: [branches.map((branch) => to(branch.name)[0])] },
		Merge: { main: [to('After')] },
		...extra.connections,
	};
	branches.forEach((branch, input) => {
		connections[branch.name] ??= { main: [to('Merge', input)] };
	});
	return {
		nodes: [
			node(TRIGGER, 'manualTrigger', [0, 0]),
			...branches,
			...(extra.nodes ?? []),
			node('Merge', 'merge', [660, 0], { numberInputs: branches.length }),
			node('After', 'code', [880, 0], {
				mode: 'runOnceForEachItem',
				jsCode: 'return { ...$json, after: true };',
			}),
		],
		connections,
	} satisfies WorkflowJson;
}

/**
 * Follows an item's `pairedItem` one node up, as n8n's WorkflowDataProxy does for `$('Node').item`: the
 * `input` index picks the task's source (previous node/output/run), `item` the item in that output.
 */
function pairedParent(runData: IRunData, nodeName: string, itemIndex: number) {
	const task = runData[nodeName][0];
	const item = task.data!.main[0]![itemIndex];
	const paired = item.pairedItem as { item: number; input?: number };
	const source = task.source[paired.input ?? 0]!;
	const parentTask = runData[source.previousNode][source.previousNodeRun ?? 0];
	const parentItem = parentTask.data!.main[source.previousNodeOutput ?? 0]![paired.item];
	return { node: source.previousNode, json: parentItem.json };
}

const A = [
	{ src: 'A', n: 1 },
	{ src: 'A', n: 2 },
];
const B = [{ src: 'B', n: 1 }];
const C = [
	{ src: 'C', n: 1 },
	{ src: 'C', n: 2 },
];

describe('Merge stand-in (n8n-nodes-base.merge v3, append)', () => {
	it('declares its inputs from numberInputs through the same expression mechanism as n8n', async () => {
		const { nodeTypes } = await loadPackage();
		const workflow = (numberInputs?: number) => {
			const merge = node('Merge', 'merge', [0, 0], numberInputs ? { numberInputs } : {});
			return {
				merge,
				workflow: new Workflow({ nodes: [merge], connections: {}, active: false, nodeTypes }),
			};
		};
		const description = nodeTypes.getByNameAndVersion('n8n-nodes-base.merge', 3).description;
		expect(typeof description.inputs).toBe('string');
		for (const [numberInputs, expected] of [
			[undefined, 2],
			[3, 3],
			[10, 10],
		] as const) {
			const { merge, workflow: wf } = workflow(numberInputs);
			// Defaults are filled in as n8n does when it loads a workflow.
			merge.parameters = NodeHelpers.getNodeParameters(
				description.properties,
				merge.parameters,
				true,
				false,
				merge,
				description,
			)!;
			const inputs = NodeHelpers.getNodeInputs(wf, merge, description);
			expect(inputs).toEqual(
				Array.from({ length: expected }, (_, i) => ({
					type: 'main',
					displayName: `Input ${i + 1}`,
				})),
			);
		}
	});

	it('appends three inputs in input order, whatever order the branches ran in', async () => {
		// Input 0 is the lowest branch on the canvas, so v1 order does not run it first.
		const result = await runWorkflow(
			mergeWorkflow([code('A', 200, A), code('B', 0, B), code('C', -200, C)]),
		);

		expect(result.error).toBeUndefined();
		expect(result.runData.Merge).toHaveLength(1);
		expect(result.json('Merge')).toEqual([...A, ...B, ...C]);
		expect(result.json('After')).toEqual([...A, ...B, ...C].map((j) => ({ ...j, after: true })));
	});

	it('runs at the end with the inputs that got data when a branch yields nothing', async () => {
		// Input 1 comes through "Gate"; "A" (input 0, run last) also feeds "Tail".
		const withMiddle = (middle: INode) =>
			mergeWorkflow([code('A', 200, A), middle, code('C', -200, C)], {
				nodes: [node('Gate', 'noOp', [440, 0]), node('Tail', 'noOp', [440, 400])],
				connections: {
					A: { main: [[...to('Merge', 0), ...to('Tail')]] },
					[middle.name]: { main: [to('Gate')] },
					Gate: { main: [to('Merge', 1)] },
				},
			});

		// All inputs get data: the last one to arrive puts the Merge on the stack at once, before "Tail".
		const full = await runWorkflow(withMiddle(code('B', 0, B)));
		expect(full.error).toBeUndefined();
		expect(full.json('Merge')).toEqual([...A, ...B, ...C]);
		expect(full.executionOrder.indexOf('Merge')).toBeLessThan(full.executionOrder.indexOf('Tail'));

		// "Empty" returns no items, so "Gate" never runs and input 1 never gets data. n8n still runs the
		// Merge (requiredInputs 1), but only once nothing else is left to run, with [] for input 1.
		const partial = await runWorkflow(withMiddle(code('Empty', 0, [])));
		expect(partial.error).toBeUndefined();
		expect(partial.runData.Gate).toBeUndefined();
		expect(partial.executionOrder.slice(-3)).toEqual(['Tail', 'Merge', 'After']);
		expect(partial.runData.Merge).toHaveLength(1);
		expect(partial.json('Merge')).toEqual([...A, ...C]);
		expect(partial.items('Merge').map((item) => item.pairedItem)).toEqual([
			{ item: 0 },
			{ item: 1 },
			{ item: 0, input: 2 },
			{ item: 1, input: 2 },
		]);
	});

	it('does not run at all when no input gets any item', async () => {
		const result = await runWorkflow(
			mergeWorkflow([code('Empty1', 200, []), code('Empty2', -200, [])]),
		);

		expect(result.error).toBeUndefined();
		expect(result.executionOrder).toEqual([TRIGGER, 'Empty2', 'Empty1']);
		expect(result.runData.Merge).toBeUndefined();
	});

	it('keeps pairedItem lineage: each merged item leads back to its own branch and item', async () => {
		const result = await runWorkflow(
			mergeWorkflow([code('A', 200, A), code('B', 0, B), code('C', -200, C)]),
		);

		// n8n tags every input item with its input index before the node runs; append passes that on.
		expect(result.items('Merge').map((item) => item.pairedItem)).toEqual([
			{ item: 0 },
			{ item: 1 },
			{ item: 0, input: 1 },
			{ item: 0, input: 2 },
			{ item: 1, input: 2 },
		]);
		// What `$('A').item` etc. would resolve to in "After", for each item: two hops up.
		const lineage = result.items('After').map((_, i) => {
			const viaMerge = pairedParent(result.runData, 'After', i);
			expect(viaMerge.node).toBe('Merge');
			const itemInMerge = result.items('After')[i].pairedItem as { item: number };
			return pairedParent(result.runData, 'Merge', itemInMerge.item);
		});
		expect(lineage).toEqual([
			{ node: 'A', json: A[0] },
			{ node: 'A', json: A[1] },
			{ node: 'B', json: B[0] },
			{ node: 'C', json: C[0] },
			{ node: 'C', json: C[1] },
		]);
	});
});
