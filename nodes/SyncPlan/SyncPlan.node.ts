import type { INodeTypeBaseDescription, IVersionedNodeType } from 'n8n-workflow';
import { VersionedNodeType } from 'n8n-workflow';

import { SyncPlanV1 } from './v1/SyncPlanV1.node';

/** Sync Plan: the CRM Sync's planning over records a workflow read; its writes go out to the workflow's write nodes. */
export class SyncPlan extends VersionedNodeType {
	constructor() {
		const baseDescription: INodeTypeBaseDescription = {
			displayName: 'Sync Plan',
			name: 'syncPlan',
			icon: 'file:syncPlan.svg',
			group: ['transform'],
			description:
				'Plans a two-way CRM sync over the changed records of both sides: what to create, update and delete on each side, conflicts',
			defaultVersion: 1,
		};
		const nodeVersions: IVersionedNodeType['nodeVersions'] = {
			1: new SyncPlanV1(baseDescription),
		};
		super(nodeVersions, baseDescription);
	}
}
