import type { INodeTypeBaseDescription, IVersionedNodeType } from 'n8n-workflow';
import { VersionedNodeType } from 'n8n-workflow';

import { SyncStateV1 } from './v1/SyncStateV1.node';

/** Sync State: where a block-built sync starts reading, and what its write nodes did (committed to the state). */
export class SyncState extends VersionedNodeType {
	constructor() {
		const baseDescription: INodeTypeBaseDescription = {
			displayName: 'Sync State',
			name: 'syncState',
			icon: 'file:syncState.svg',
			group: ['transform'],
			description:
				'The state of a two-way CRM sync built from nodes: read where changes start, commit what was written, decide conflicts',
			defaultVersion: 1,
		};
		const nodeVersions: IVersionedNodeType['nodeVersions'] = {
			1: new SyncStateV1(baseDescription),
		};
		super(nodeVersions, baseDescription);
	}
}
