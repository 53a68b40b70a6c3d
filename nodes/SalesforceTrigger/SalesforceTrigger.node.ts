import type { INodeTypeBaseDescription, IVersionedNodeType } from 'n8n-workflow';
import { VersionedNodeType } from 'n8n-workflow';

import { SalesforceTriggerV1 } from './v1/SalesforceTriggerV1.node';

/** Salesforce Trigger (CRM Connectors): new, updated or deleted records of any object, each change emitted once. */
export class SalesforceTrigger extends VersionedNodeType {
	constructor() {
		const baseDescription: INodeTypeBaseDescription = {
			displayName: 'Salesforce (CRM Connectors) Trigger',
			name: 'salesforceTrigger',
			icon: 'file:salesforce.svg',
			group: ['trigger'],
			description:
				'Starts the workflow when Salesforce records are created, updated or deleted (polling, exactly once per change)',
			defaultVersion: 1,
		};
		const nodeVersions: IVersionedNodeType['nodeVersions'] = {
			1: new SalesforceTriggerV1(baseDescription),
		};
		super(nodeVersions, baseDescription);
	}
}
