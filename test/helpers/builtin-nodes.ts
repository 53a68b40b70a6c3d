/**
 * Stand-ins for the few n8n built-in nodes our test workflows use (`n8n-nodes-base` is not installed).
 * They are registered under n8n's real type names, with n8n's parameter names, so the same workflow JSON
 * also runs in a real n8n (the e2e tests):
 *
 * - `n8n-nodes-base.manualTrigger` (v1) — behaves exactly like n8n's: in a manual run it emits one empty item.
 * - `n8n-nodes-base.code` (v2) — the JavaScript subset of n8n's Code node our fixtures need: `jsCode` runs
 *   in a fresh `node:vm` context, mode `runOnceForAllItems` (default: `items`, `$input.all()/first()/last()`,
 *   return an array) or `runOnceForEachItem` (`$json`, `$input.item`, return one object; with "On Error:
 *   Continue" a throwing item becomes `{ error }`, as in n8n). `$getWorkflowStaticData()` works. Returned
 *   values are normalised as n8n does: plain objects become `{ json }`. Python is not supported.
 * - `n8n-nodes-base.noOp` (v1) — passes its input through, handy to observe a branch.
 * - `n8n-nodes-base.merge` (v3, 3.1, 3.2) — mode "append" with `numberInputs`, see `merge-node.ts`.
 * - `n8n-nodes-base.scheduleTrigger` (v1–1.3) — one item with the time in a manual run, see `schedule-trigger.ts`.
 * - `n8n-nodes-base.stickyNote` (v1) — a canvas note: no inputs or outputs, never run (the engine must know its
 *   type to load a workflow that has one, as the example workflows do).
 */
import vm from 'node:vm';

import type {
	IDataObject,
	IExecuteFunctions,
	INodeExecutionData,
	INodeType,
	INodeTypeDescription,
	ITriggerFunctions,
	ITriggerResponse,
} from 'n8n-workflow';
import { NodeConnectionTypes, NodeOperationError } from 'n8n-workflow';

import { Merge } from './merge-node';
import { ScheduleTrigger } from './schedule-trigger';

class ManualTrigger implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Manual Trigger',
		name: 'manualTrigger',
		icon: 'fa:mouse-pointer',
		group: ['trigger'],
		version: 1,
		description: 'Runs the flow on clicking a button in n8n',
		eventTriggerDescription: '',
		maxNodes: 1,
		defaults: { name: "When clicking 'Execute workflow'" },
		inputs: [],
		outputs: [NodeConnectionTypes.Main],
		properties: [],
	};

	async trigger(this: ITriggerFunctions): Promise<ITriggerResponse> {
		const manualTriggerFunction = async () => {
			this.emit([this.helpers.returnJsonArray([{}])]);
		};
		return { manualTriggerFunction };
	}
}

/** Wraps plain objects as items, as n8n's Code node does with what the code returns. */
function normaliseItems(value: unknown, nodeName: string): INodeExecutionData[] {
	const list = Array.isArray(value) ? value : [value];
	return list.map((entry, index) => {
		if (entry === null || typeof entry !== 'object' || Array.isArray(entry)) {
			throw new Error(`Code node "${nodeName}": returned entry ${index} is not an object`);
		}
		const record = entry as IDataObject;
		if ('json' in record && typeof record.json === 'object' && record.json !== null) {
			return record as unknown as INodeExecutionData;
		}
		return { json: record };
	});
}

/** The message of an error thrown inside the vm (another realm: `instanceof Error` is false there). */
const messageOf = (error: unknown): string =>
	typeof (error as { message?: unknown })?.message === 'string'
		? (error as { message: string }).message
		: String(error);

class Code implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Code',
		name: 'code',
		icon: 'fa:code',
		group: ['transform'],
		version: [1, 2],
		defaultVersion: 2,
		description: 'Run custom JavaScript code',
		defaults: { name: 'Code' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		properties: [
			{
				displayName: 'Mode',
				name: 'mode',
				type: 'options',
				options: [
					{ name: 'Run Once for All Items', value: 'runOnceForAllItems' },
					{ name: 'Run Once for Each Item', value: 'runOnceForEachItem' },
				],
				default: 'runOnceForAllItems',
			},
			{
				displayName: 'Language',
				name: 'language',
				type: 'options',
				options: [
					{ name: 'JavaScript', value: 'javaScript' },
					{ name: 'Python', value: 'python' },
				],
				default: 'javaScript',
			},
			{ displayName: 'JavaScript', name: 'jsCode', type: 'string', default: '' },
		],
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const node = this.getNode();
		const language = this.getNodeParameter('language', 0, 'javaScript') as string;
		if (language !== 'javaScript') {
			throw new NodeOperationError(
				node,
				`The test stand-in for the Code node only runs JavaScript, not "${language}"`,
			);
		}
		const mode = this.getNodeParameter('mode', 0) as string;
		const jsCode = this.getNodeParameter('jsCode', 0) as string;
		const items = this.getInputData();
		// The result is cloned into this realm, as n8n's task runner serialises what the code returns.
		const run = async (sandbox: IDataObject) =>
			structuredClone(
				await (vm.runInNewContext(`(async () => {\n${jsCode}\n})()`, sandbox, {
					timeout: 5000,
				}) as Promise<unknown>),
			);

		const $getWorkflowStaticData = (type: 'global' | 'node') => this.getWorkflowStaticData(type);

		if (mode === 'runOnceForEachItem') {
			const out: INodeExecutionData[] = [];
			for (let i = 0; i < items.length; i++) {
				try {
					const result = await run({
						$json: items[i].json,
						$input: { item: items[i] },
						$itemIndex: i,
						$getWorkflowStaticData,
					});
					for (const item of normaliseItems(result, node.name))
						out.push({ ...item, pairedItem: { item: i } });
				} catch (error) {
					// As n8n's Code node: with "On Error: Continue", a failing item becomes an error item.
					if (!this.continueOnFail())
						throw new NodeOperationError(node, messageOf(error), { itemIndex: i });
					out.push({ json: { error: messageOf(error) }, pairedItem: { item: i } });
				}
			}
			return [out];
		}
		const $input = { all: () => items, first: () => items[0], last: () => items[items.length - 1] };
		try {
			return [normaliseItems(await run({ items, $input, $getWorkflowStaticData }), node.name)];
		} catch (error) {
			throw new NodeOperationError(node, messageOf(error));
		}
	}
}

class NoOp implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'No Operation, do nothing',
		name: 'noOp',
		icon: 'fa:arrow-right',
		group: ['organization'],
		version: 1,
		description: 'No Operation',
		defaults: { name: 'No Operation, do nothing' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		properties: [],
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return [this.getInputData()];
	}
}

// A canvas note, never run: n8n's own is no tool either.
// eslint-disable-next-line @n8n/community-nodes/node-usable-as-tool
class StickyNote implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Sticky Note',
		name: 'stickyNote',
		icon: 'fa:sticky-note',
		group: ['input'],
		version: 1,
		description: 'Make your workflow easier to understand',
		defaults: { name: 'Sticky Note' },
		inputs: [],
		outputs: [],
		properties: [
			{ displayName: 'Content', name: 'content', type: 'string', default: '' },
			{ displayName: 'Height', name: 'height', type: 'number', default: 160, required: true },
			{ displayName: 'Width', name: 'width', type: 'number', default: 240, required: true },
			{ displayName: 'Color', name: 'color', type: 'number', default: 1 },
		],
	};
}

/** The stand-in built-ins, by full node type name. */
export const builtinNodeTypes: Record<string, INodeType> = {
	'n8n-nodes-base.manualTrigger': new ManualTrigger(),
	'n8n-nodes-base.code': new Code(),
	'n8n-nodes-base.noOp': new NoOp(),
	'n8n-nodes-base.merge': new Merge(),
	'n8n-nodes-base.scheduleTrigger': new ScheduleTrigger(),
	'n8n-nodes-base.stickyNote': new StickyNote(),
};
