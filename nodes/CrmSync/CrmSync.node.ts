import type { INodeTypeBaseDescription, IVersionedNodeType } from 'n8n-workflow';
import { VersionedNodeType } from 'n8n-workflow';

import { CrmSyncV1 } from './v1/CrmSyncV1.node';

/** CRM Sync: a two-way sync between two CRM objects (Salesforce, HubSpot, Dynamics 365), with a state store between runs. */
export class CrmSync extends VersionedNodeType {
	constructor() {
		const baseDescription: INodeTypeBaseDescription = {
			displayName: 'CRM Sync',
			name: 'crmSync',
			icon: 'file:crmSync.svg',
			group: ['transform'],
			description:
				'Two-way sync of records between two CRM objects (Salesforce, HubSpot, Dynamics 365): matching, conflicts, deletes, dry run',
			defaultVersion: 1,
		};
		const nodeVersions: IVersionedNodeType['nodeVersions'] = {
			1: new CrmSyncV1(baseDescription),
		};
		super(nodeVersions, baseDescription);
	}
}
