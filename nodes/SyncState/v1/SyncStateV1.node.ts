import type {
	IExecuteFunctions,
	INodeExecutionData,
	INodeType,
	INodeTypeBaseDescription,
	INodeTypeDescription,
} from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';

import { errorItem, toNodeError } from '../../shared/crmSync/errors';
import { manage } from '../../shared/crmSync/manage';
import { loadOptions } from '../../shared/crmSync/sides';
import { crmSyncPostgresTest } from '../../shared/crmSync/store';
import { stateCredentials, stateProperties, type StateOperation } from './description';
import { getLinks } from './links';
import { commit, read } from './operations';

/**
 * Sync State v1: the state side of a sync built from nodes (Sync Plan between the read and write nodes). Read: where
 * each side's changes start (one item, once per run); Commit: the write nodes' results with their Sync Plan tickets
 * into the state; Resolve Conflicts / Exclude Records / Include Records: the CRM Sync's own operations; Look Up Links:
 * the sync's id map and last-synced values (a record's partner, or every link). Outputs: Done
 * and Failed (the items that could not be carried out, with the reason).
 */
// The icon is set once, in the base description of SyncState.node.ts (which this rule checks).
// eslint-disable-next-line @n8n/community-nodes/icon-validation
export class SyncStateV1 implements INodeType {
	description: INodeTypeDescription;

	constructor(baseDescription: INodeTypeBaseDescription) {
		this.description = {
			...baseDescription,
			version: 1,
			subtitle:
				'={{ ({ read: "Read", commit: "Commit", resolveConflicts: "Resolve Conflicts", excludeRecords: "Exclude Records", includeRecords: "Include Records", getLinks: "Look Up Links" })[$parameter["operation"]] }}',
			defaults: { name: 'Sync State' },
			usableAsTool: true,
			inputs: [NodeConnectionTypes.Main],
			outputs: [NodeConnectionTypes.Main, NodeConnectionTypes.Main],
			outputNames: ['Done', 'Failed'],
			credentials: stateCredentials(),
			properties: stateProperties,
		};
	}

	methods = { loadOptions, credentialTest: { crmSyncPostgresTest } };

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const operation = this.getNodeParameter('operation', 0, 'read') as StateOperation;
		try {
			if (operation === 'read') return await read(this);
			if (operation === 'commit') return await commit(this);
			if (operation === 'getLinks') return await getLinks(this);
			const [done, , failed] = await manage(this, operation);
			return [done, failed];
		} catch (error) {
			const nodeError = toNodeError(this, error);
			if (!this.continueOnFail()) throw nodeError;
			return [[errorItem(nodeError, operation)], []];
		}
	}
}
