import type {
	IDataObject,
	IExecuteFunctions,
	INodeExecutionData,
	INodeType,
	INodeTypeBaseDescription,
	INodeTypeDescription,
} from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';

import { resolveConfig } from '../../../core/sync';
import { planSync } from '../../../core/sync/blocks';
import type { Side } from '../../../core/sync/store/types';
import { buildConfig } from '../../shared/crmSync/config';
import { errorItem, toNodeError } from '../../shared/crmSync/errors';
import { mappingProperties } from '../../shared/crmSync/mapping.description';
import { lockOptions } from '../../shared/crmSync/run.description';
import { reportSummary } from '../../shared/crmSync/output';
import { connectSide, loadOptions, type SideConnection } from '../../shared/crmSync/sides';
import { sideProperties, syncCredentials } from '../../shared/crmSync/sides.description';
import {
	chooseStore,
	crmSyncPostgresTest,
	lockOwner,
	lockSettings,
} from '../../shared/crmSync/store';
import { readRules, rulesResolver } from '../../shared/conflictRules';
import { blocksSyncIdProperty, planRunProperties } from '../../shared/syncBlocks.description';
import { OUTPUT_NAMES, planOutputs, type Origin } from './outputs';
import { recordsOf } from './records';

const INPUTS = ['A Records', 'B Records'];

/**
 * Sync Plan v1: the CRM Sync engine's run (core/sync/blocks.ts `planSync`) over the changed records a workflow read
 * — deletions, retries and pending creates as the engine does them —, its writes handed out on six outputs for the
 * workflow's write nodes instead of sent. The state keeps each write as awaited until Sync State › Commit gets its
 * result. The run's summary sentence is the node's execution hint (shown over its output in the editor).
 */
// The icon is set once, in the base description of SyncPlan.node.ts (which this rule checks).
// eslint-disable-next-line @n8n/community-nodes/icon-validation
export class SyncPlanV1 implements INodeType {
	description: INodeTypeDescription;

	constructor(baseDescription: INodeTypeBaseDescription) {
		this.description = {
			...baseDescription,
			version: 1,
			subtitle:
				'={{ ({ salesforce: "Salesforce", hubspot: "HubSpot", dynamics: "Dynamics 365" })[$parameter["systemA"]] + " " + $parameter["objectA"] + " ↔ " + ({ salesforce: "Salesforce", hubspot: "HubSpot", dynamics: "Dynamics 365" })[$parameter["systemB"]] + " " + $parameter["objectB"] }}',
			defaults: { name: 'Sync Plan' },
			usableAsTool: true,
			inputs: INPUTS.map((displayName) => ({ type: NodeConnectionTypes.Main, displayName })),
			// Runs when either side read something (a side with no changes gives no items).
			requiredInputs: 1,
			outputs: OUTPUT_NAMES.map(() => NodeConnectionTypes.Main),
			outputNames: OUTPUT_NAMES,
			credentials: syncCredentials(),
			properties: [
				{
					displayName:
						'Put a Sync State node (Read) before the read nodes and give them its "since"; after the write nodes (On Error: Continue (using error output)), merge their outputs into a Sync State node (Commit). Set the read nodes to Always Output Data so this node runs when nothing changed (deletions and retries are still planned).',
					name: 'blocksNotice',
					type: 'notice',
					default: '',
				},
				blocksSyncIdProperty(),
				...sideProperties,
				...mappingProperties,
				...planRunProperties,
				{
					displayName: 'Options',
					name: 'options',
					type: 'collection',
					placeholder: 'Add Option',
					default: {},
					options: [...lockOptions],
				},
			],
		};
	}

	methods = { loadOptions, credentialTest: { crmSyncPostgresTest } };

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		try {
			return await plan(this);
		} catch (error) {
			const nodeError = toNodeError(this, error);
			if (!this.continueOnFail()) throw nodeError;
			return OUTPUT_NAMES.map((_, k) =>
				k === OUTPUT_NAMES.length - 1 ? [errorItem(nodeError)] : [],
			);
		}
	}
}

/** An input's items (none when that input got no data). */
function inputItems(ctx: IExecuteFunctions, input: number): INodeExecutionData[] {
	try {
		return ctx.getInputData(input) ?? [];
	} catch {
		return [];
	}
}

/**
 * CRM Sync's summary sentence of the run, told as a plan: the writes handed out per side instead of "nothing to
 * write" (none was sent), and without the writes' `awaiting` entries among the failed records.
 */
function planSummary(
	{ report, writes }: Awaited<ReturnType<typeof planSync>>,
	info: Parameters<typeof reportSummary>[1],
): string {
	const failures = report.failures.filter((f) => f.category !== 'awaiting');
	const view = { ...report, failures, counts: { ...report.counts, failed: failures.length } };
	const count = (side: Side, op: string) =>
		writes.filter((w) => w.side === side && w.op === op).length;
	const perSide = (side: Side) =>
		`${count(side, 'create')} create(s), ${count(side, 'update')} update(s), ${count(side, 'delete')} delete(s) in ${side.toUpperCase()}`;
	const planned = writes.length ? `${perSide('a')}; ${perSide('b')}` : 'nothing to write';
	return reportSummary(view, info).replace(
		/^Synced (.*?): nothing to write/,
		(_, sides: string) => `Planned ${sides}: ${planned}`,
	);
}

async function plan(ctx: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const syncId = String(ctx.getNodeParameter('syncId', 0, '') ?? '').trim();
	const options = ctx.getNodeParameter('options', 0, {}) as {
		lockWaitSeconds?: number;
		lockLeaseSeconds?: number;
	};
	const sides: Record<Side, SideConnection> = {
		a: await connectSide(ctx, 'A'),
		b: await connectSide(ctx, 'B'),
	};
	const config = await buildConfig(ctx, sides, syncId, false);
	const cfg = resolveConfig(config);
	const origin: Origin = new Map();
	const records = { a: [], b: [] } as Record<Side, ReturnType<typeof recordsOf>>;
	(['a', 'b'] as const).forEach((side, input) =>
		inputItems(ctx, input).forEach(({ json }, item) => {
			const id = json.id ?? json.Id ?? (json.record as IDataObject | undefined)?.Id;
			if (id !== undefined && !origin.has(`${side}:${String(id)}`))
				origin.set(`${side}:${String(id)}`, { input, item });
		}),
	);
	for (const [input, side] of (['a', 'b'] as const).entries())
		records[side] = recordsOf(ctx, {
			input: INPUTS[input],
			items: inputItems(ctx, input),
			system: sides[side].system,
			objectType: cfg[side].objectType,
		});
	const rules = readRules(ctx.getNodeParameter('customRules', 0, {}) as IDataObject);
	const store = await chooseStore(ctx);
	await store.open();
	let planned: Awaited<ReturnType<typeof planSync>>;
	try {
		planned = await planSync(config, store, records, {
			owner: lockOwner(ctx),
			...lockSettings(options),
			resolveConflict: rulesResolver(rules),
			signal: ctx.getExecutionCancelSignal?.(),
		});
	} finally {
		await store.close();
	}
	const info = {
		a: { system: sides.a.system, object: cfg.a.objectType },
		b: { system: sides.b.system, object: cfg.b.objectType },
	};
	const summary = planSummary(planned, info);
	ctx.addExecutionHints?.({ message: summary, location: 'outputPane' });
	ctx.logger.info(`Sync Plan "${syncId}": ${summary}`);
	return planOutputs(
		syncId,
		planned.report,
		planned.writes,
		info,
		{ a: records.a.map((r) => r.id as string), b: records.b.map((r) => r.id as string) },
		origin,
	);
}
