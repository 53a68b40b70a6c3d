import type {
	IDataObject,
	IExecuteFunctions,
	INodeExecutionData,
	INodeType,
	INodeTypeBaseDescription,
	INodeTypeDescription,
} from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';

import { runSync, type SyncProgress, type SyncReport } from '../../../core/sync';
import { buildConfig } from '../../shared/crmSync/config';
import { errorItem, toNodeError } from '../../shared/crmSync/errors';
import { manage } from '../../shared/crmSync/manage';
import {
	manageProperties,
	onlyForSync,
	operationProperty,
	type Operation,
} from '../../shared/crmSync/manage.description';
import { mappingProperties } from '../../shared/crmSync/mapping.description';
import { runOutputs } from '../../shared/crmSync/output';
import { readRules, rulesResolver } from '../../shared/conflictRules';
import { runProperties } from '../../shared/crmSync/run.description';
import { connectSide, loadOptions, type SideConnection } from '../../shared/crmSync/sides';
import { sideProperties, syncCredentials } from '../../shared/crmSync/sides.description';
import {
	chooseStore,
	crmSyncPostgresTest,
	lockOwner,
	lockSettings,
} from '../../shared/crmSync/store';

/**
 * CRM Sync v1: one run of the two-way sync engine (core/sync) between two CRM objects. Outputs: Report (one item),
 * Conflicts (one item per conflict still open — found in this run or before, until decided or settled), Failed
 * (one item per failed record). The other operations (manage.ts) decide conflicts and exclude / include records:
 * first output what was done, Failed the items that could not be (with the reason).
 */
// The icon is set once, in the base description of CrmSync.node.ts (which this rule checks).
// eslint-disable-next-line @n8n/community-nodes/icon-validation
export class CrmSyncV1 implements INodeType {
	description: INodeTypeDescription;

	constructor(baseDescription: INodeTypeBaseDescription) {
		this.description = {
			...baseDescription,
			version: 1,
			subtitle:
				'={{ ({ resolveConflicts: "Resolve Conflicts", excludeRecords: "Exclude Records", includeRecords: "Include Records" })[$parameter["operation"]] || ({ salesforce: "Salesforce", hubspot: "HubSpot", dynamics: "Dynamics 365", rest: "REST API" })[$parameter["systemA"]] + " " + $parameter["objectA"] + " ↔ " + ({ salesforce: "Salesforce", hubspot: "HubSpot", dynamics: "Dynamics 365", rest: "REST API" })[$parameter["systemB"]] + " " + $parameter["objectB"] }}',
			defaults: { name: 'CRM Sync' },
			usableAsTool: true,
			inputs: [NodeConnectionTypes.Main],
			outputs: [NodeConnectionTypes.Main, NodeConnectionTypes.Main, NodeConnectionTypes.Main],
			outputNames: ['Report', 'Conflicts', 'Failed'],
			credentials: syncCredentials(),
			properties: [
				operationProperty,
				...onlyForSync([...sideProperties, ...mappingProperties, ...runProperties]),
				...manageProperties,
			],
		};
	}

	methods = { loadOptions, credentialTest: { crmSyncPostgresTest } };

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const operation = this.getNodeParameter('operation', 0, 'sync') as Operation;
		try {
			return operation === 'sync' ? await run(this) : await manage(this, operation);
		} catch (error) {
			const nodeError = toNodeError(this, error);
			if (!this.continueOnFail()) throw nodeError;
			return [[errorItem(nodeError, operation)], [], []];
		}
	}
}

/** Run as an AI tool (the tool variant's type name ends with "Tool"): a dry run unless turned off. */
const isTool = (ctx: IExecuteFunctions) => ctx.getNode().type.endsWith('Tool');

async function run(ctx: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const node = ctx.getNode();
	const syncId =
		String(ctx.getNodeParameter('syncId', 0, '') ?? '').trim() ||
		`${ctx.getWorkflow().id ?? 'workflow'}-${node.id}`;
	const dryRun = ctx.getNodeParameter('dryRun', 0, isTool(ctx)) as boolean;
	const options = ctx.getNodeParameter('options', 0, {}) as {
		fullResync?: boolean;
		includePlan?: boolean;
		lockWaitSeconds?: number;
		lockLeaseSeconds?: number;
	};
	const sides: { a: SideConnection; b: SideConnection } = {
		a: await connectSide(ctx, 'A'),
		b: await connectSide(ctx, 'B'),
	};
	const config = await buildConfig(ctx, sides, syncId, dryRun);
	const rules = readRules(ctx.getNodeParameter('customRules', 0, {}) as IDataObject);
	const store = await chooseStore(ctx);
	await store.open();
	let report: SyncReport;
	try {
		report = await runSync(config, store, {
			owner: lockOwner(ctx),
			...lockSettings(options),
			fullResync: options.fullResync === true,
			recordPlan: dryRun || options.includePlan === true,
			resolveConflict: rulesResolver(rules),
			signal: ctx.getExecutionCancelSignal?.(),
			onProgress: (p: SyncProgress) =>
				ctx.logger.info(
					`CRM Sync "${syncId}": ${p.phase}${p.side ? ` side ${p.side}` : ''} — ${p.pages} page(s), ${p.records} record(s); created ${p.counts.created.a}/${p.counts.created.b}, updated ${p.counts.updated.a}/${p.counts.updated.b} (A/B), ${p.counts.conflicts} conflict(s), ${p.counts.failed} failed`,
				),
		});
	} finally {
		await store.close();
	}
	return runOutputs(
		syncId,
		report,
		{
			a: { system: sides.a.system, object: config.a.objectType },
			b: { system: sides.b.system, object: config.b.objectType },
		},
		{ apiCalls: { a: sides.a.requests(), b: sides.b.requests() } },
	);
}
