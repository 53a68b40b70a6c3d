/**
 * Stand-in for n8n's Merge node (`n8n-nodes-base.merge`, typeVersion 3 / 3.1 / 3.2), mode "append" only.
 *
 * What it reproduces of the real node (n8n `packages/nodes-base/nodes/Merge/v3/`):
 * - Parameters `mode` (default `append`) and `numberInputs` (options 2..10, default 2), same names/values.
 * - `inputs` is an expression over `$parameter`, so the engine resolves the input count from `numberInputs`
 *   exactly as for the real node (`actions/versionDescription.ts` + `helpers/utils.ts` `configuredInputs`).
 * - `requiredInputs` is the real node's expression: 1 for every mode except `chooseBranch` ([0, 1]). With
 *   executionOrder v1 that makes n8n's WorkflowExecute run the Merge at the end of the run with whatever
 *   inputs got data (missing ones become `[]`), as long as at least one input has items.
 * - Append (`actions/mode/append.ts`): the items of input 1, then input 2, ... unchanged. Lineage needs no
 *   work here: before running any node, n8n-core rewrites each input item's `pairedItem` to
 *   `{ item: <index in that input>, input: <input index> }` (`WorkflowExecute.addPairedItemLineage`), and
 *   append passes those items through as they are.
 * The other modes (combine, SQL, chooseBranch) are not needed by our fixtures and fail loudly.
 */
import type {
	IExecuteFunctions,
	INodeExecutionData,
	INodeParameters,
	INodeType,
	INodeTypeDescription,
} from 'n8n-workflow';
import { NodeConnectionTypes, NodeHelpers, NodeOperationError } from 'n8n-workflow';

/**
 * The input list for a given `numberInputs`. It is stringified into the `inputs` expression and run in
 * n8n's expression sandbox, so it must not reference anything outside itself (hence the literal 'main').
 */
export const mergeInputs = (parameters: INodeParameters) =>
	Array.from({ length: (parameters.numberInputs as number) || 2 }, (_, i) => ({
		type: 'main',
		displayName: `Input ${i + 1}`,
	}));

const numberInputOptions = [2, 3, 4, 5, 6, 7, 8, 9, 10].map((n) => ({ name: String(n), value: n }));

// n8n's Merge is not usable as an AI tool (no `usableAsTool`); the stand-in mirrors its description.
// eslint-disable-next-line @n8n/community-nodes/node-usable-as-tool
export class Merge implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Merge',
		name: 'merge',
		icon: 'fa:code-branch',
		group: ['transform'],
		subtitle: '={{$parameter["mode"]}}',
		version: [3, 3.1, 3.2],
		defaultVersion: 3.2,
		description: 'Merges data of multiple streams once data from both is available',
		defaults: { name: 'Merge' },
		inputs: `={{(${mergeInputs.toString()})($parameter)}}`,
		outputs: [NodeConnectionTypes.Main],
		// As n8n: chooseBranch needs both inputs; every other mode runs with data on any one input.
		requiredInputs: '={{ $parameter["mode"] === "chooseBranch" ? [0, 1] : 1 }}',
		properties: [
			{
				displayName: 'Mode',
				name: 'mode',
				type: 'options',
				noDataExpression: true,
				options: [
					{ name: 'Append', value: 'append' },
					{ name: 'Combine', value: 'combine' },
					{ name: 'SQL Query', value: 'combineBySql' },
					{ name: 'Choose Branch', value: 'chooseBranch' },
				],
				default: 'append',
			},
			{
				displayName: 'Number of Inputs',
				name: 'numberInputs',
				type: 'options',
				noDataExpression: true,
				options: numberInputOptions,
				default: 2,
				displayOptions: { show: { mode: ['append'] } },
			},
		],
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const mode = this.getNodeParameter('mode', 0) as string;
		if (mode !== 'append') {
			throw new NodeOperationError(
				this.getNode(),
				`The test stand-in for the Merge node only supports mode "append", not "${mode}"`,
			);
		}
		// One entry per declared main input; an input the engine has no data for counts as empty, as in n8n.
		const inputCount = NodeHelpers.getConnectionTypes(this.getNodeInputs()).filter(
			(type) => type === NodeConnectionTypes.Main,
		).length;
		const merged: INodeExecutionData[] = [];
		for (let input = 0; input < inputCount; input++) {
			let items: INodeExecutionData[] = [];
			try {
				items = this.getInputData(input);
			} catch {
				items = [];
			}
			merged.push(...items);
		}
		return [merged];
	}
}
