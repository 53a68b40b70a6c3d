import type { INodeTypeBaseDescription, IVersionedNodeType } from 'n8n-workflow';
import { VersionedNodeType } from 'n8n-workflow';

import { SalesforceV1 } from './v1/SalesforceV1.node';
import { SalesforceV2 } from './v2/SalesforceV2.node';

/**
 * Salesforce (CRM Connectors): records of any object with batched writes (sObject Collections of 200), streamed
 * SOQL, Bulk API 2.0, changes since a watermark and metadata. Version 2 stores the record operation Get Many as
 * `getAll` (n8n's convention); version 1 (`getMany`) stays for workflows saved with it.
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
			defaultVersion: 2,
		};
		const nodeVersions: IVersionedNodeType['nodeVersions'] = {
			1: new SalesforceV1(baseDescription),
			2: new SalesforceV2(baseDescription),
		};
		super(nodeVersions, baseDescription);
	}
}
