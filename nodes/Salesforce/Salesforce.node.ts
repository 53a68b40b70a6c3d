import type { INodeTypeBaseDescription, IVersionedNodeType } from 'n8n-workflow';
import { VersionedNodeType } from 'n8n-workflow';

import { SalesforceV1 } from './v1/SalesforceV1.node';

/**
 * Salesforce (CRM Connectors): records of any object with batched writes (sObject Collections of 200), streamed
 * SOQL, Bulk API 2.0, changes since a watermark and metadata. Versioned from the start.
 */
export class Salesforce extends VersionedNodeType {
	constructor() {
		const baseDescription: INodeTypeBaseDescription = {
			displayName: 'Salesforce (CRM Connectors)',
			name: 'salesforce',
			icon: 'file:salesforce.svg',
			group: ['transform'],
			description:
				'Create, read, update, upsert and delete Salesforce records in batches, run SOQL, Bulk API 2.0 and change feeds',
			defaultVersion: 1,
		};
		const nodeVersions: IVersionedNodeType['nodeVersions'] = {
			1: new SalesforceV1(baseDescription),
		};
		super(nodeVersions, baseDescription);
	}
}
